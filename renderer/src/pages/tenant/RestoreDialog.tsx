import { useState, type FormEvent } from 'react';
import type { BackupEntry } from '../../../../shared/backups.js';
import { useApi } from '../../api/context.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { Modal } from '../../components/Modal.js';
import { confirmed, TypedConfirm } from '../../components/TypedConfirm.js';
import { formatDateTime } from '../../lib/format.js';
import { toFleetError, type FleetError } from '../../lib/errors.js';

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
  const [typed, setTyped] = useState('');
  const [copy, setCopy] = useState(false);
  const [neutralize, setNeutralize] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FleetError | null>(null);
  const matches = confirmed(typed, name);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!matches || busy) return;
    setBusy(true);
    setError(null);
    try {
      const started = await api.call('backups.restore', { hostId, name, backupId: backup.id, copy, neutralize });
      onStarted(started.jobId);
    } catch (err) {
      setError(toFleetError(err));
      setBusy(false);
    }
  };

  return (
    <Modal
      title={`Restore ${name}`}
      testId="restore-dialog"
      onClose={onClose}
      closable={!busy}
      description={
        <>
          <p>
            Restores tenant <strong className="mono">{name}</strong> from the backup of <strong>{formatDateTime(backup.startedAt)}</strong>{' '}
            <code className="small">{backup.sha256?.slice(0, 12) ?? backup.id}</code>.
          </p>
          <p>
            The archive is checked, then loaded into a <strong>new database and filestore beside the tenant’s</strong>. Only once that succeeded is the
            Odoo server stopped and the tenant’s <strong>current database and filestore replaced</strong> by the restored ones; the server is started again
            if it was running. The current data is dropped then: back it up first if you may need it.
          </p>
          <p className="small muted">A failure before the swap leaves the tenant serving its current data.</p>
        </>
      }
    >
      <form onSubmit={submit} noValidate>
        <div className="restore-options">
          <label className="inline-check">
            <input type="checkbox" checked={copy} onChange={(e) => setCopy(e.target.checked)} data-testid="restore-copy" />
            as a copy (new database identity)
          </label>
          <label className="inline-check">
            <input type="checkbox" checked={neutralize} onChange={(e) => setNeutralize(e.target.checked)} data-testid="restore-neutralize" />
            neutralize (crons and outgoing mail off)
          </label>
        </div>
        <TypedConfirm expected={name} what="tenant’s name" value={typed} onChange={setTyped} testId="restore-confirm-input" />
        {error ? <ErrorBox error={error} compact testId="restore-error" /> : null}
        <div className="actions">
          <button type="submit" className="btn btn-danger" disabled={!matches || busy} data-testid="restore-submit">
            {busy ? 'Starting…' : `Restore ${name}`}
          </button>
          <button type="button" className="btn" onClick={onClose} disabled={busy} data-testid="restore-cancel">
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
