import type { ReactNode } from 'react';

/**
 * A list's table once it has rows; until then "Loading…" or the sentence that says it is empty
 * (nothing after an error: the error box says why).
 */
export function TableOrEmpty<T>({
  items,
  error,
  empty,
  emptyTestId,
  children,
}: {
  items: readonly T[] | null;
  error: unknown;
  empty: string;
  emptyTestId: string;
  children: (items: readonly T[]) => ReactNode;
}) {
  if (items && items.length > 0) return <div className="table-wrap">{children(items)}</div>;
  if (error) return null;
  return (
    <p className="muted small" data-testid={emptyTestId}>
      {items ? empty : 'Loading…'}
    </p>
  );
}
