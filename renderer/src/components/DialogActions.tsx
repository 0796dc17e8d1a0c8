// The buttons at the foot of a dialog that starts something: the same look, labels and test ids
// (`<prefix>-submit`, `<prefix>-cancel`, `<prefix>-close`) in every dialog.

/** A form's submit (showing `busyLabel` while its call runs) and Cancel. */
export function SubmitActions({
  label,
  busyLabel = 'Starting…',
  busy,
  ready = true,
  onCancel,
  testIdPrefix,
}: {
  label: string;
  busyLabel?: string;
  busy: boolean;
  ready?: boolean;
  onCancel: () => void;
  testIdPrefix: string;
}) {
  return (
    <div className="actions">
      <button type="submit" className="btn btn-primary" disabled={!ready || busy} data-testid={`${testIdPrefix}-submit`}>
        {busy ? busyLabel : label}
      </button>
      <button type="button" className="btn" onClick={onCancel} disabled={busy} data-testid={`${testIdPrefix}-cancel`}>
        Cancel
      </button>
    </div>
  );
}

/** Close, once the dialog's job has finished. */
export function CloseWhenDone({ running, onClose, testIdPrefix }: { running: boolean; onClose: () => void; testIdPrefix: string }) {
  return (
    <div className="actions">
      <button type="button" className="btn" onClick={onClose} disabled={running} data-testid={`${testIdPrefix}-close`}>
        {running ? 'Running…' : 'Close'}
      </button>
    </div>
  );
}
