import { useState } from 'react';
import type { BackupEntry } from '../../../../shared/backups.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { Modal } from '../../components/Modal.js';
import { TypedConfirm } from '../../components/TypedConfirm.js';
import { formatDateTime } from '../../lib/format.js';
import { useSubmit } from '../../lib/use-submit.js';
import { PosSessionsNotice } from './PosNotices.js';

/**
 * Restore a catalogued backup after typing the tenant's name: explains what is replaced and when,
 * offers "as a copy" and "neutralize", starts backups.restore and hands the job to the section.
 */
export function RestoreDialog({
  hostId,
  name,
  backup,
  onStarted,
  onClose,
}: {
  hostId: string;
  name: string;
  backup: BackupEntry;
  onStarted: (jobId: string) => void;
  onClose: () => void;
}) {
  const api = useApi();
  const [copy, setCopy] = useState(false);
  const [neutralize, setNeutralize] = useState(false);
  const [withoutUndo, setWithoutUndo] = useState(false);
  const submit = useSubmit({ holdOnSuccess: true });

  const restore = async (typed: string) => {
    const started = await api.call('backups.restore', { hostId, name, backupId: backup.id, copy, neutralize, confirm: typed, ...(withoutUndo ? { withoutUndo: typed } : {}) });
    onStarted(started.jobId);
  };

  return (
    <Modal
      title={`Restore ${name}`}
      testId="restore-dialog"
      onClose={onClose}
      closable={!submit.busy}
      description={
        <>
          <p>
            Restores tenant <strong className="mono">{name}</strong> from the backup of <strong>{formatDateTime(backup.startedAt)}</strong>{' '}
            <code className="small">{backup.sha256?.slice(0, 12) ?? backup.id}</code>.
          </p>
          <p>
            The archive is checked, then loaded into a <strong>new database and filestore beside the tenant’s</strong>. Only once that succeeded is the
            Odoo server stopped and the tenant’s <strong>current database and filestore replaced</strong> by the restored ones; the server is started again
            if it was running. The replaced data is <strong>kept for the undo window</strong> (24 hours unless this console is set otherwise): one step
            puts it back, and the tenant’s backups section shows the disk it holds until then.
          </p>
          <PosSessionsNotice hostId={hostId} name={name} action="restore" />
          <p className="small muted">
            A failure before the swap leaves the tenant serving its current data. When the host lacks the disk to keep both copies, the restore is refused
            unless you give up the way back below.
          </p>
        </>
      }
    >
      <TypedConfirm expected={name} what="tenant’s name" testId="restore" submit={submit} onConfirm={restore} onCancel={onClose} label={`Restore ${name}`}>
        <div className="restore-options">
          <label className="inline-check">
            <input type="checkbox" checked={copy} onChange={(e) => setCopy(e.target.checked)} data-testid="restore-copy" />
            as a copy (new database identity)
          </label>
          <label className="inline-check">
            <input type="checkbox" checked={neutralize} onChange={(e) => setNeutralize(e.target.checked)} data-testid="restore-neutralize" />
            neutralize (crons and outgoing mail off)
          </label>
          <label className="inline-check">
            <input type="checkbox" checked={withoutUndo} onChange={(e) => setWithoutUndo(e.target.checked)} data-testid="restore-without-undo" />
            without a way back (drop the current data once restored; the typed name confirms this too)
          </label>
        </div>
      </TypedConfirm>
    </Modal>
  );
}
