import type { ReactNode } from 'react';
import { TableHead } from './TableHead.js';

/**
 * A list as a dense table once it has rows (a header cell per label, and one over the rows'
 * buttons when `actions`); until then "Loading…" or the sentence that says it is empty (nothing
 * after an error: the error box says why).
 */
export function TableOrEmpty<T>({
  items,
  error,
  empty,
  emptyTestId,
  testId,
  labels,
  actions = false,
  row,
}: {
  items: readonly T[] | null;
  error: unknown;
  empty: string;
  emptyTestId: string;
  testId: string;
  labels: readonly string[];
  actions?: boolean;
  row: (item: T) => ReactNode;
}) {
  if (items && items.length > 0)
    return (
      <div className="table-wrap">
        <table className="table table-dense" data-testid={testId}>
          <TableHead labels={labels} actions={actions} />
          <tbody>{items.map(row)}</tbody>
        </table>
      </div>
    );
  if (error) return null;
  return (
    <p className="muted small" data-testid={emptyTestId}>
      {items ? empty : 'Loading…'}
    </p>
  );
}
