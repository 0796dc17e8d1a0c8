/** Asks a section's data again; disabled, and saying so, while it is being asked. */
export function ReloadButton({
  loading,
  onReload,
  label,
  busyLabel,
  small = false,
  testId,
}: {
  loading: boolean;
  onReload: () => void;
  label: 'Refresh' | 'Reload';
  busyLabel: 'Refreshing…' | 'Loading…';
  small?: boolean;
  testId: string;
}) {
  return (
    <button type="button" className={small ? 'btn btn-small' : 'btn'} onClick={onReload} disabled={loading} data-testid={testId}>
      {loading ? busyLabel : label}
    </button>
  );
}
