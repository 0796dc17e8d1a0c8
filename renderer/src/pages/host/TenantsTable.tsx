import { useCallback, useEffect, useRef, useState } from 'react';
import { OPERATIONS } from '../../../../shared/operations.js';
import type { TenantView } from '../../../../shared/tenant-views.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { JobInline } from '../../components/JobView.js';
import { toFleetError, type FleetError } from '../../lib/errors.js';
import { roleAtLeast } from '../../lib/roles.js';
import { href } from '../../lib/router.js';
import { useSession } from '../../lib/session.js';
import { SuspendDialog } from '../tenant/SuspendDialog.js';
import { CountedTitle } from '../../components/CountedTitle.js';

const ACTIONS = ['start', 'stop', 'restart', 'suspend', 'reactivate'] as const;
type Action = (typeof ACTIONS)[number];

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
  const [tenants, setTenants] = useState<TenantView[] | null>(null);
  const [error, setError] = useState<FleetError | null>(null);
  const [loading, setLoading] = useState(true);
  /** The last job started from each row, by tenant name. */
  const [jobs, setJobs] = useState<Record<string, { action: Action; jobId: string } | undefined>>({});
  const [busy, setBusy] = useState<string | null>(null);
  /** Suspending a running tenant stops it for its users: asked first. */
  const [suspending, setSuspending] = useState<string | null>(null);
  const [actionError, setActionError] = useState<{ name: string; error: FleetError } | null>(null);
  const seq = useRef(0);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const list = await api.call('tenants.list', { hostId });
      if (mine !== seq.current) return;
      setTenants([...list].sort((a, b) => a.name.localeCompare(b.name)));
      setError(null);
    } catch (e) {
      if (mine === seq.current) setError(toFleetError(e));
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [api, hostId]);

  useEffect(() => {
    void load();
  }, [load, reloadKey]);

  const run = async (action: Action, name: string) => {
    setBusy(name);
    setActionError(null);
    try {
      const { jobId } = await api.call(`tenants.${action}`, { hostId, name });
      setJobs((j) => ({ ...j, [name]: { action, jobId } }));
    } catch (e) {
      setActionError({ name, error: toFleetError(e) });
    } finally {
      setBusy(null);
    }
  };

  const allowed = ACTIONS.filter((a) => roleAtLeast(role, OPERATIONS[`tenants.${a}`].role));

  return (
    <section className="tenants card" aria-label="Tenants" data-testid="tenants-section">
      <div className="section-head">
        <CountedTitle title="Tenants" count={tenants ? tenants.length : ''} testId="tenants-count" />
        <div className="inline-row">
          <button type="button" className="btn btn-small" onClick={() => void load()} disabled={loading} data-testid="tenants-refresh">
            {loading ? 'Loading…' : 'Reload'}
          </button>
          {canCreate ? (
            <a className="btn btn-small btn-primary" href={href.createTenant(hostId)} data-testid="create-tenant-button">
              + Create tenant
            </a>
          ) : null}
        </div>
      </div>
      {error ? <ErrorBox error={error} compact testId="tenants-error" /> : null}
      {actionError ? <ErrorBox error={actionError.error} compact testId="tenant-action-error" /> : null}
      {suspending ? <SuspendDialog name={suspending} onConfirm={() => void run('suspend', suspending)} onClose={() => setSuspending(null)} /> : null}
      <div className="table-wrap">
        <table className="table table-dense tenants-table" data-testid="tenants-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>State</th>
              <th>Image</th>
              <th>Public host</th>
              <th>Actions</th>
            </tr>
          </thead>
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
                          disabled={busy === t.name || disabledFor(a, t)}
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
