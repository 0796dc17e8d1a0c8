import { useCallback, useState } from 'react';
import type { BackupEntry } from '../../../../shared/backups.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { CountedTitle } from '../../components/CountedTitle.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { JobInline } from '../../components/JobView.js';
import { RowActions } from '../../components/TableHead.js';
import { TableOrEmpty } from '../../components/TableOrEmpty.js';
import { formatDateTime, formatUntil } from '../../lib/format.js';
import { NEEDS } from '../../lib/roles.js';
import { href } from '../../lib/router.js';
import { useCan } from '../../lib/session.js';
import { useLoad } from '../../lib/use-load.js';
import { useAction } from '../../lib/use-submit.js';
import { CloneDialog } from './CloneDialog.js';

// The host's staging clones (tenants.staging) with their expiry, "Clone to staging…" for this
// tenant and "Remove now" per clone (tenants.removeStaging, a job followed in its row).

export function StagingClones({ hostId, name, backups, version }: { hostId: string; name: string; backups: readonly BackupEntry[]; version: number }) {
  const api = useApi();
  const canClone = useCan(NEEDS.cloneTenant);
  const canRemove = useCan(NEEDS.removeStaging);
  const fetchClones = useCallback(() => api.call('tenants.staging', { hostId }), [api, hostId]);
  const { value: clones, error, load } = useLoad(fetchClones, { reloadOn: version });
  const [cloning, setCloning] = useState(false);
  /** Removal jobs by clone; a failed one stays shown (with its error) beside a retry. */
  const [removals, setRemovals] = useState<ReadonlyMap<string, { jobId: string; failed: boolean }>>(new Map());
  const removing = useAction<string>();

  const remove = (clone: string) =>
    removing.run(clone, async () => {
      const { jobId } = await api.call('tenants.removeStaging', { hostId, name: clone });
      setRemovals((m) => new Map(m).set(clone, { jobId, failed: false }));
    });

  const finished = (clone: string, jobId: string, state: string) => {
    setRemovals((m) => {
      const next = new Map(m);
      if (state === 'succeeded') next.delete(clone);
      else next.set(clone, { jobId, failed: true });
      return next;
    });
    void load();
  };

  // No database server set: the host keeps no staging records, and the backups section says why.
  if (error?.code === 'VALIDATION') return null;

  return (
    <div className="staging-clones" data-testid="staging-clones">
      <div className="section-head">
        <CountedTitle title="Staging clones on this host" count={clones ? clones.length : ''} testId="staging-count" level={4} />
        <div className="inline-row">
          <button type="button" className="btn btn-small" onClick={() => void load()} data-testid="staging-refresh">
            Reload
          </button>
          {canClone ? (
            <button type="button" className="btn btn-small" onClick={() => setCloning(true)} data-testid="clone-open">
              Clone to staging…
            </button>
          ) : null}
        </div>
      </div>
      {error ? <ErrorBox error={error} compact testId="staging-error" /> : null}
      {removing.error ? <ErrorBox error={removing.error} compact testId="staging-remove-error" /> : null}
      <TableOrEmpty
        items={clones}
        error={error}
        empty={`No staging clones on this host.${canClone ? '' : ' Cloning needs the admin role.'}`}
        emptyTestId="staging-empty"
        testId="staging-table"
        labels={['Clone', 'Of', 'Made', 'Expires']}
        actions={canRemove}
        row={(c) => {
          const removal = removals.get(c.tenant);
          return (
            <tr key={c.tenant} data-testid={`staging-row-${c.tenant}`} data-source={c.source}>
              <td className="mono nowrap">
                <a href={href.tenant(hostId, c.tenant)}>{c.tenant}</a>
              </td>
              <td className="mono nowrap">{c.source}</td>
              <td className="nowrap small" title={`by ${c.createdBy}${c.backupId ? `, from backup ${c.backupId}` : ''}`}>
                {formatDateTime(c.createdAt)} <span className="muted">by {c.createdBy}</span>
              </td>
              <td className="nowrap" title={c.expiresAt} data-testid="staging-expires" data-expires-at={c.expiresAt}>
                {formatDateTime(c.expiresAt)} <span className="muted">({formatUntil(c.expiresAt)})</span>
              </td>
              {canRemove ? (
                <RowActions className="staging-actions">
                  {removal ? <JobInline key={removal.jobId} jobId={removal.jobId} onFinished={(state) => finished(c.tenant, removal.jobId, state)} /> : null}
                  {!removal || removal.failed ? (
                    <button type="button" className="btn btn-small btn-danger-ghost" onClick={() => void remove(c.tenant)} data-testid="staging-remove">
                      {removal ? 'Try again' : 'Remove now'}
                    </button>
                  ) : null}
                </RowActions>
              ) : null}
            </tr>
          );
        }}
      />
      {cloning ? <CloneDialog hostId={hostId} name={name} backups={backups} onClose={() => setCloning(false)} onChanged={() => void load()} /> : null}
    </div>
  );
}
