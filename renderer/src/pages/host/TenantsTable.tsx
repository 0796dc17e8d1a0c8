import { useCallback, useState } from 'react';
import type { TenantView } from '../../../../shared/tenant-views.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { CountedTitle } from '../../components/CountedTitle.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { JobInline } from '../../components/JobView.js';
import { ReloadButton } from '../../components/ReloadButton.js';
import { TableHead } from '../../components/TableHead.js';
import { href } from '../../lib/router.js';
import { useSession } from '../../lib/session.js';
import { tenantActionsFor, type TenantAction as Action } from '../../lib/tenant-state.js';
import { useLoad } from '../../lib/use-load.js';
import { useAction } from '../../lib/use-submit.js';
import { SuspendDialog } from '../tenant/SuspendDialog.js';


const STOPPED = new Set(['created', 'exited', 'dead']);

function disabledFor(action: Action, t: TenantView): boolean {
  // A suspended tenant comes back only through reactivate (which removes its maintenance page).
  if (t.suspended) return action !== 'reactivate';
  if (action === 'start') return t.state === 'running';
  if (action === 'stop') return STOPPED.has(t.state);
  return false;
}

export function TenantsSection({ hostId, canCreate, reloadKey = 0 }: { hostId: string; canCreate: boolean; reloadKey?: number }) {
  const api = useApi();
  const role = useSession()?.role;
  const fetchTenants = useCallback(async () => [...(await api.call('tenants.list', { hostId }))].sort((a, b) => a.name.localeCompare(b.name)), [api, hostId]);
  const { value: tenants, error, loading, load } = useLoad(fetchTenants, { loadingAtFirst: true, reloadOn: reloadKey });
  /** The last job started from each row, by tenant name. */
  const [jobs, setJobs] = useState<Record<string, { action: Action; jobId: string } | undefined>>({});
  const action = useAction<string>();
  /** Suspending a running tenant stops it for its users: asked first. */
  const [suspending, setSuspending] = useState<string | null>(null);

  const run = (a: Action, name: string) =>
    action.run(name, async () => {
      const { jobId } = await api.call(`tenants.${a}`, { hostId, name });
      setJobs((j) => ({ ...j, [name]: { action: a, jobId } }));
    });

  const allowed = tenantActionsFor(role);

  return (
    <section className="tenants card" aria-label="Tenants" data-testid="tenants-section">
      <div className="section-head">
        <CountedTitle title="Tenants" count={tenants ? tenants.length : ''} testId="tenants-count" />
        <div className="inline-row">
          <ReloadButton loading={loading} onReload={() => void load()} label="Reload" busyLabel="Loading…" small testId="tenants-refresh" />
          {canCreate ? (
            <a className="btn btn-small btn-primary" href={href.createTenant(hostId)} data-testid="create-tenant-button">
              + Create tenant
            </a>
          ) : null}
        </div>
      </div>
      {error ? <ErrorBox error={error} compact testId="tenants-error" /> : null}
      {action.error ? <ErrorBox error={action.error} compact testId="tenant-action-error" /> : null}
      {suspending ? <SuspendDialog name={suspending} onConfirm={() => void run('suspend', suspending)} onClose={() => setSuspending(null)} /> : null}
      <div className="table-wrap">
        <table className="table table-dense tenants-table" data-testid="tenants-table">
          <TableHead labels={['Name', 'State', 'Image', 'Public host', 'Actions']} />
          <tbody>
            {(tenants ?? []).map((t) => {
              const job = jobs[t.name];
              return (
                <tr key={t.name} data-testid={`tenant-row-${t.name}`} data-state={t.state} data-suspended={t.suspended ? 'true' : 'false'}>
                  <td className="mono">
                    <a href={href.tenant(hostId, t.name)} data-testid={`tenant-link-${t.name}`}>
                      {t.name}
                    </a>
                  </td>
                  <td title={t.status}>
                    <span className={`cstate cstate-${t.state}`} data-testid={`tenant-state-${t.name}`}>
                      {t.state}
                    </span>
                    {t.suspended ? (
                      <span className="small muted" title="Stopped; a maintenance page (HTTP 503) answers for it" data-testid={`tenant-suspended-${t.name}`}>
                        {' '}
                        suspended
                      </span>
                    ) : null}
                  </td>
                  <td className="mono ellipsis-cell" title={t.image}>
                    {t.image}
                  </td>
                  <td className="ellipsis-cell" title={t.publicHost ?? ''}>
                    {t.publicHost ?? <span className="muted">—</span>}
                  </td>
                  <td className="tenant-actions-cell">
                    <div className="tenant-actions">
                      {allowed.map((a) => (
                        <button
                          key={a}
                          type="button"
                          className={`btn btn-small${a === 'suspend' ? ' btn-danger-ghost' : ''}`}
                          disabled={action.busy === t.name || disabledFor(a, t)}
                          onClick={() => (a === 'suspend' && t.state === 'running' ? setSuspending(t.name) : void run(a, t.name))}
                          data-testid={`tenant-action-${a}-${t.name}`}
                        >
                          {a}
                        </button>
                      ))}
                    </div>
                    {job ? (
                      <div className="tenant-job" data-testid={`tenant-job-${t.name}`} data-action={job.action}>
                        <span className="small muted">{job.action}:</span>
                        <JobInline key={job.jobId} jobId={job.jobId} onFinished={() => void load()} />
                        <a className="small" href={href.job(job.jobId)}>
                          details
                        </a>
                      </div>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {tenants && tenants.length === 0 ? <p className="muted empty-note">No tenants on this host.</p> : null}
        {!tenants && !error ? <p className="muted empty-note">Loading…</p> : null}
      </div>
    </section>
  );
}
