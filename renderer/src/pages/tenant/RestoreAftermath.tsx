import { useCallback, useEffect, useState } from 'react';
import type { KeptCopyView, RestoreFindings } from '../../../../shared/backups.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { Modal } from '../../components/Modal.js';
import { TypedConfirm } from '../../components/TypedConfirm.js';
import { toFleetError, type FleetError } from '../../lib/errors.js';
import { formatDateTime } from '../../lib/format.js';
import { useSubmit } from '../../lib/use-submit.js';

// After a restore: the data it replaced while kept (undo, or drop it to free the disk), and what
// the restored database brought along (Odoo's default admin password, a stale web.base.url).

const mib = (bytes: number | null) => (bytes === null ? '?' : `${Math.ceil(bytes / 2 ** 20).toLocaleString()} MiB`);

/** The kept copy of the tenant's last restore, with the disk it holds, undo and drop. */
export function KeptCopyPanel({ hostId, name, version, canAct, onJob }: { hostId: string; name: string; version: number; canAct: boolean; onJob: (jobId: string, title: string) => void }) {
  const api = useApi();
  const [kept, setKept] = useState<KeptCopyView | null>(null);
  const [dialog, setDialog] = useState<'undo' | 'drop' | null>(null);
  const submit = useSubmit({ holdOnSuccess: true });

  useEffect(() => {
    let live = true;
    api.call('backups.keptCopy', { hostId, name }).then((k) => live && setKept(k), () => live && setKept(null));
    return () => {
      live = false;
    };
  }, [api, hostId, name, version]);

  if (!kept) return null;
  const act = async (typed: string) => {
    const started = await api.call(dialog === 'undo' ? 'backups.undoRestore' : 'backups.discardKeptCopy', { hostId, name, confirm: typed });
    setDialog(null);
    onJob(started.jobId, dialog === 'undo' ? 'Undo the restore' : 'Drop the kept copy');
  };
  return (
    <div className="notice small" data-testid="kept-copy">
      The restore of {formatDateTime(kept.restoredAt)} kept the data it replaced until <strong>{formatDateTime(kept.keptUntil)}</strong>: database{' '}
      <span data-testid="kept-copy-database">{mib(kept.databaseBytes)}</span>, filestore <span data-testid="kept-copy-filestore">{mib(kept.filestoreBytes)}</span> of disk.
      {canAct ? (
        <span className="inline-actions">
          <button type="button" className="btn" onClick={() => setDialog('undo')} data-testid="kept-copy-undo">
            Undo the restore…
          </button>
          <button type="button" className="btn btn-danger-ghost" onClick={() => setDialog('drop')} data-testid="kept-copy-drop">
            Drop it now…
          </button>
        </span>
      ) : null}
      {dialog ? (
        <Modal
          title={dialog === 'undo' ? `Undo the restore of ${name}` : `Drop ${name}'s kept copy`}
          testId="kept-copy-dialog"
          onClose={() => setDialog(null)}
          closable={!submit.busy}
          description={
            dialog === 'undo' ? (
              <p>The Odoo server stops, the kept data goes back in place and the server starts again. The data restored then is kept in turn, until the same time.</p>
            ) : (
              <p>The kept database and filestore are dropped now, freeing their disk. The restore can then no longer be undone.</p>
            )
          }
        >
          <TypedConfirm expected={name} what="tenant’s name" testId="kept-copy" submit={submit} onConfirm={act} onCancel={() => setDialog(null)} label={dialog === 'undo' ? 'Undo the restore' : 'Drop it'} />
        </Modal>
      ) : null}
    </div>
  );
}

/** What the restored database brought along, said plainly, with a new password offered per administrator. */
export function RestoreFindingsNotice({ hostId, name, findings }: { hostId: string; name: string; findings: RestoreFindings }) {
  const defaults = findings.adminsOnDefaultPassword;
  if (defaults.length === 0 && !findings.baseUrl?.stale) return null;
  return (
    <div className="notice small" data-testid="restore-findings">
      {defaults.length ? (
        <div data-testid="restore-default-passwords">
          <p>
            These administrators have Odoo’s default password <strong>admin</strong> again (the restored database brought its own users): anyone can log in
            as them.
          </p>
          {defaults.map((login) => (
            <NewAdminPassword key={login} hostId={hostId} name={name} login={login} />
          ))}
        </div>
      ) : null}
      {findings.baseUrl?.stale ? (
        <p data-testid="restore-stale-base-url">
          web.base.url is <span className="mono">{findings.baseUrl.stored}</span>, but the tenant is served at <span className="mono">{findings.baseUrl.servedAt}</span>: links
          Odoo builds (mail, portal, reports) point elsewhere. Fix it in Odoo’s Settings › Technical › System Parameters.
        </p>
      ) : null}
    </div>
  );
}

function NewAdminPassword({ hostId, name, login }: { hostId: string; name: string; login: string }) {
  const api = useApi();
  const [shown, setShown] = useState<{ login: string; password: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FleetError | null>(null);
  const reset = useCallback(async () => {
    setBusy(true);
    setError(null);
    try {
      setShown(await api.call('tenants.resetAdminPassword', { hostId, name, login }));
    } catch (e) {
      setError(toFleetError(e));
    } finally {
      setBusy(false);
    }
  }, [api, hostId, name, login]);
  if (shown)
    return (
      <p data-testid="restore-new-password">
        login <strong>{shown.login}</strong> · password <strong className="mono" data-testid="restore-new-password-value">{shown.password}</strong> — shown once: keep it now.
      </p>
    );
  return (
    <p>
      <span className="mono">{login}</span>{' '}
      <button type="button" className="btn" disabled={busy} onClick={() => void reset()} data-testid={`restore-reset-${login}`}>
        {busy ? 'Setting…' : 'Set a generated password'}
      </button>
      {error ? <ErrorBox error={error} compact /> : null}
    </p>
  );
}
