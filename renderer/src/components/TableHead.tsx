import type { ReactNode } from 'react';

/** A table's header row: a cell per label, and an unlabelled one over the rows' buttons when `actions`. */
export function TableHead({ labels, actions = false }: { labels: readonly string[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {labels.map((label) => (
          <th key={label}>{label}</th>
        ))}
        {actions ? <th aria-label="Actions" /> : null}
      </tr>
    </thead>
  );
}

/** A row's buttons, in the cell under TableHead's unlabelled one. */
export function RowActions({ className, children }: { className: string; children: ReactNode }) {
  return (
    <td className="nowrap">
      <span className={`inline-row ${className}`}>{children}</span>
    </td>
  );
}
