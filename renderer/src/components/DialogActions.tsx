import type { ReactNode } from 'react';
import type { JobView } from '../../../shared/jobs.js';
import { JobPanel } from './JobView.js';

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
  danger = false,
}: {
  label: string;
  busyLabel?: string;
  busy: boolean;
  ready?: boolean;
  onCancel: () => void;
  testIdPrefix: string;
  /** The submit destroys something: it is red. */
  danger?: boolean;
}) {
  return (
    <div className="actions">
      <button type="submit" className={danger ? 'btn btn-danger' : 'btn btn-primary'} disabled={!ready || busy} data-testid={`${testIdPrefix}-submit`}>
        {busy ? busyLabel : label}
      </button>
      <button type="button" className="btn" onClick={onCancel} disabled={busy} data-testid={`${testIdPrefix}-cancel`}>
        Cancel
      </button>
    </div>
  );
}

/** Once the dialog's job has started: the job followed, what the dialog adds, and Close once it has finished. */
export function FollowedJob({
  jobId,
  title,
  onFinished,
  running,
  onClose,
  testIdPrefix,
  children,
}: {
  jobId: string;
  title: string;
  onFinished?: (job: JobView) => void;
  running: boolean;
  onClose: () => void;
  testIdPrefix: string;
  children?: ReactNode;
}) {
  return (
    <>
      <JobPanel jobId={jobId} title={title} onFinished={onFinished} />
      {children}
      <div className="actions">
        <button type="button" className="btn" onClick={onClose} disabled={running} data-testid={`${testIdPrefix}-close`}>
          {running ? 'Running…' : 'Close'}
        </button>
      </div>
    </>
  );
}
