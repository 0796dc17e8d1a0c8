import { useState } from 'react';
import type { BackupEntry } from '../../../../shared/backups.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { FollowedJob, SubmitActions } from '../../components/DialogActions.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { Field } from '../../components/Field.js';
import { Modal } from '../../components/Modal.js';
import { NameInput } from '../../components/NameInput.js';
import { formatDateTime, formatUntil } from '../../lib/format.js';
import { useStartedJob } from '../../lib/use-job.js';
import { useSubmit } from '../../lib/use-submit.js';

const MAX_TTL_HOURS = 24 * 90;

function cloneable(b: BackupEntry): boolean {
  return b.kind === 'backup' && b.state === 'succeeded' && b.sha256 !== null;
}

/**
 * Clone a tenant to a staging tenant from a backup (the newest by default): asks for its name and
 * time to live, starts tenants.clone and follows the job.
 */
export function CloneDialog({ hostId, name, backups, onClose, onChanged }: { hostId: string; name: string; backups: readonly BackupEntry[]; onClose: () => void; onChanged: () => void }) {
  const api = useApi();
  const [as, setAs] = useState(`${name}-staging`.slice(0, 63));
  const [ttl, setTtl] = useState('48');
  const [backupId, setBackupId] = useState('');
  const { busy, error, onSubmit } = useSubmit();
  const [started, setStarted] = useState<{ jobId: string; name: string; expiresAt: string } | null>(null);
  const { running } = useStartedJob(started?.jobId ?? null);
  const hours = Number(ttl);
  const ttlOk = Number.isInteger(hours) && hours >= 1 && hours <= MAX_TTL_HOURS;
  const ready = as.trim() !== '' && ttlOk;

  const submit = onSubmit(ready, async () => {
    const r = await api.call('tenants.clone', { hostId, name, as: as.trim(), ttlHours: hours, ...(backupId ? { backupId } : {}) });
    setStarted(r);
    onChanged();
  });

  return (
    <Modal
      title={`Clone ${name} to staging`}
      testId="clone-dialog"
      onClose={onClose}
      closable={!busy && !running}
      description={
        <p>
          Makes a new tenant on this host from a backup of <strong className="mono">{name}</strong>: the same image and limits, the data restored as a{' '}
          <strong>neutralized copy</strong> (new database identity, crons and outgoing mail off). It is removed by itself when its time to live ends.
        </p>
      }
    >
      {started ? (
        <>
          <p className="small" data-testid="clone-started" data-name={started.name} data-expires-at={started.expiresAt}>
            <span className="mono">{started.name}</span> expires {formatDateTime(started.expiresAt)} ({formatUntil(started.expiresAt)}).
          </p>
          <FollowedJob jobId={started.jobId} title="Clone to staging" onFinished={onChanged} running={running} onClose={onClose} testIdPrefix="clone" />
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <Field label="Staging tenant’s name" hint="Its address is this name under the tenant’s domain.">
            <NameInput value={as} onValue={setAs} testId="clone-name" />
          </Field>
          <Field label="Time to live (hours)" error={ttlOk ? undefined : `a whole number of hours, 1 to ${MAX_TTL_HOURS}`}>
            <input type="number" inputMode="numeric" min={1} max={MAX_TTL_HOURS} value={ttl} onChange={(e) => setTtl(e.target.value)} data-testid="clone-ttl" />
          </Field>
          <Field label="From the backup">
            <select value={backupId} onChange={(e) => setBackupId(e.target.value)} data-testid="clone-backup">
              <option value="">the newest complete backup</option>
              {backups.filter(cloneable).map((b) => (
                <option key={b.id} value={b.id}>
                  {formatDateTime(b.startedAt)} · {b.sha256?.slice(0, 12)}
                  {b.encrypted ? ' · encrypted' : ''}
                </option>
              ))}
            </select>
          </Field>
          {error ? <ErrorBox error={error} compact testId="clone-error" /> : null}
          <SubmitActions label="Clone to staging" busy={busy} ready={ready} onCancel={onClose} testIdPrefix="clone" />
        </form>
      )}
    </Modal>
  );
}
