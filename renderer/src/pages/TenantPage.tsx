import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { HostView } from '../../../shared/hosts.js';
import type { TenantDetail } from '../../../shared/tenant-views.js';
import { useApi } from '../../../ui-common/api/context.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { JobPanel } from '../components/JobView.js';
import { ReloadButton } from '../components/ReloadButton.js';
import { TenantState } from '../components/TenantState.js';
import type { FleetError } from '../lib/errors.js';
import { formatBytes, formatDateTime } from '../lib/format.js';
import { NEEDS } from '../lib/roles.js';
import { href } from '../lib/router.js';
import { useCan, useSession } from '../lib/session.js';
import { tenantActionsFor, type TenantAction as Action } from '../lib/tenant-state.js';
import { useIntervalRefresh } from '../lib/use-interval-refresh.js';
import { useLoad } from '../lib/use-load.js';
import { useAction } from '../lib/use-submit.js';
import { DecommissionDialog } from './tenant/DecommissionDialog.js';
import { SuspendDialog } from './tenant/SuspendDialog.js';
import { TenantBackups } from './tenant/TenantBackups.js';
import { TenantDomains } from './tenant/TenantDomains.js';
import { TenantCertificatesCard } from './tenant/TenantCertificates.js';
import { TenantFiguresCard } from './tenant/TenantFigures.js';
import { TenantJobs } from './tenant/TenantJobs.js';
import { TenantLogs } from './tenant/TenantLogs.js';

const DETAIL_REFRESH_MS = 15_000;
const STOPPED = new Set(['created', 'exited', 'dead']);

const ACTION_HINTS: Record<Action, string> = {
  start: 'Start the Odoo server',
  stop: 'Stop the Odoo server',
  restart: 'Restart the Odoo server',
  suspend: 'Stop the server, put up the maintenance page and block database logins',
  reactivate: 'Allow database logins again, remove the maintenance page and start the server',
};

function actionDisabled(action: Action, t: TenantDetail): boolean {
  switch (action) {
    case 'start':
      return t.state === 'running' || t.suspended;
    case 'stop':
      return STOPPED.has(t.state);
    case 'restart':
      return t.suspended;
    case 'suspend':
      return t.suspended;
    case 'reactivate':
      return t.state === 'running' && !t.suspended;
  }
}

export function tenantTarget(hostId: string, name: string): string {
  return `tenant:${hostId}/${name}`;
}

function capitalized(word: string): string {
  return word[0]!.toUpperCase() + word.slice(1);
}

/** One tenant: its recorded spec, health, figures, actions with their jobs, history and live log. */
export function TenantPage({
  hostId,
  name,
  host,
  hostsById,
}: {
  hostId: string;
  name: string;
  host: HostView | undefined;
  /** This console's hosts: where backup copies are, and SFTP destinations. */
  hostsById: ReadonlyMap<string, HostView>;
}) {
  const api = useApi();
  const canLogs = useCan(NEEDS.tenantLogs);
  const [decommissioning, setDecommissioning] = useState(false);
  /** Bumped when a job on this tenant finishes: the figures reload too. */
  const [version, setVersion] = useState(0);
  const target = tenantTarget(hostId, name);
  const fetchDetail = useCallback(() => api.call('tenants.show', { hostId, name }), [api, hostId, name]);
  const { value: detail, error, loading, load } = useLoad(fetchDetail, { loadingAtFirst: true });

  useEffect(
    () =>
      api.on('jobs.finished', (ev) => {
        if ((ev as { target?: unknown }).target !== target) return;
        setVersion((v) => v + 1);
        void load();
      }),
    [api, load, target],
  );

  const notFound = error?.code === 'NOT_FOUND';
  useIntervalRefresh(load, DETAIL_REFRESH_MS, !notFound);

  const hostName = host?.name ?? hostId;
  const back = (
    <a href={href.host(hostId)} data-testid="tenant-back-to-host">
      ← {hostName}
    </a>
  );

  if (!detail) return <TenantNotShown name={name} hostName={hostName} back={back} error={error} onRetry={() => void load()} />;

  const d = detail;
  return (
    <div className="tenant-page" data-testid="tenant-page" data-tenant={d.name}>
      <p className="crumbs small">{back}</p>
      <TenantHead detail={d} hostId={hostId} name={name} hostName={hostName} loading={loading} onRefresh={() => void load()} onDecommission={() => setDecommissioning(true)} />
      {error ? <ErrorBox error={error} compact testId="tenant-error" /> : null}

      <div className="cards tenant-cards">
        <TenantSpecCard detail={d} />
        <TenantFiguresCard hostId={hostId} name={name} version={version} limitSet={d.memoryLimitBytes !== null} />
      </div>

      <TenantDomains hostId={hostId} name={name} version={version} />
      <TenantCertificatesCard hostId={hostId} name={name} version={version} />

      <TenantBackups hostId={hostId} name={name} version={version} hosts={hostsById} currentImage={`${d.image}:${d.tag}`} />

      <TenantJobs target={target} />

      {canLogs ? <TenantLogs hostId={hostId} name={name} /> : <p className="muted">Reading logs needs the support role.</p>}

      {decommissioning ? <DecommissionDialog hostId={hostId} hostName={hostName} name={name} onClose={() => setDecommissioning(false)} /> : null}
    </div>
  );
}

/** Before the first answer: not found, the error with a retry, or loading. */
function TenantNotShown({ name, hostName, back, error, onRetry }: { name: string; hostName: string; back: ReactNode; error: FleetError | null; onRetry: () => void }) {
  if (error?.code === 'NOT_FOUND')
    return (
      <div className="empty-state" data-testid="tenant-not-found">
        <h2>Tenant not found</h2>
        <p className="muted">
          No tenant named <span className="mono">{name}</span> on {hostName}. It may have been decommissioned.
        </p>
        {back}
      </div>
    );
  return error ? (
    <div className="tenant-page">
      <p>{back}</p>
      <ErrorBox error={error} testId="tenant-error" />
      <button type="button" className="btn" onClick={onRetry}>
        Retry
      </button>
    </div>
  ) : (
    <div className="loading">Loading tenant…</div>
  );
}

/** The tenant's name, state and health, and its lifecycle actions (each a job followed below). */
function TenantHead({
  detail: d,
  hostId,
  name,
  hostName,
  loading,
  onRefresh,
  onDecommission,
}: {
  detail: TenantDetail;
  hostId: string;
  name: string;
  hostName: string;
  loading: boolean;
  onRefresh: () => void;
  onDecommission: () => void;
}) {
  const api = useApi();
  const role = useSession()?.role;
  const canDecommission = useCan(NEEDS.decommissionTenant);
  const action = useAction<Action>();
  const [job, setJob] = useState<{ action: Action; jobId: string } | null>(null);
  /** Suspending a running tenant stops it for its users: asked first. */
  const [confirmingSuspend, setConfirmingSuspend] = useState(false);
  const allowed = tenantActionsFor(role);

  const run = (a: Action) =>
    action.run(a, async () => {
      const { jobId } = await api.call(`tenants.${a}`, { hostId, name });
      setJob({ action: a, jobId });
    });

  return (
    <>
      <header className="host-head">
        <div className="host-head-main">
          <div className="host-title">
            <h2 data-testid="tenant-name">{d.name}</h2>
            <TenantState state={d.state} suspended={d.suspended} status={d.status} testId="tenant-state" />
            <span className={`tag ${d.health.ok ? 'tag-ok' : 'tag-bad'}`} data-testid="tenant-health" data-ok={d.health.ok ? 'true' : 'false'} title={d.health.detail}>
              {d.health.ok ? 'healthy' : 'unhealthy'}
            </span>
          </div>
          <div className="host-sub">
            <span>
              on <a href={href.host(hostId)}>{hostName}</a>
            </span>
            {d.publicHost ? <span className="mono" data-testid="tenant-public-host">{d.publicHost}</span> : null}
            <span className="small muted" data-testid="tenant-status">
              {d.status}
            </span>
          </div>
        </div>
        <div className="host-actions tenant-page-actions">
          <ReloadButton loading={loading} onReload={onRefresh} label="Refresh" busyLabel="Refreshing…" testId="tenant-refresh" />
          {allowed.map((a) => (
            <button
              key={a}
              type="button"
              className={`btn${a === 'suspend' ? ' btn-danger-ghost' : ''}`}
              disabled={action.busy !== null || actionDisabled(a, d)}
              onClick={() => (a === 'suspend' && d.state === 'running' ? setConfirmingSuspend(true) : void run(a))}
              title={ACTION_HINTS[a]}
              data-testid={`tenant-page-action-${a}`}
            >
              {capitalized(a)}
            </button>
          ))}
          {canDecommission ? (
            <button type="button" className="btn btn-danger" onClick={onDecommission} disabled={action.busy !== null} data-testid="tenant-decommission">
              Decommission…
            </button>
          ) : null}
        </div>
      </header>

      {confirmingSuspend ? <SuspendDialog name={name} onConfirm={() => void run('suspend')} onClose={() => setConfirmingSuspend(false)} /> : null}
      {action.error ? <ErrorBox error={action.error} compact testId="tenant-action-error" /> : null}
      {job ? <JobPanel key={job.jobId} jobId={job.jobId} title={capitalized(job.action)} /> : null}
    </>
  );
}

/** What the host records for the tenant: image, database, limits, container, environment, routing. */
function TenantSpecCard({ detail: d }: { detail: TenantDetail }) {
  const routing = Object.entries(d.routingLabels).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section className="card" aria-label="Specification" data-testid="tenant-spec">
      <h3 className="card-title">As recorded on the host</h3>
      <dl className="kv">
        <dt>Image</dt>
        <dd className="mono" title={`${d.image}:${d.tag}`} data-testid="tenant-image">
          {d.image}:{d.tag}
        </dd>
        <dt>Public host</dt>
        <dd className="mono">{d.publicHost ?? '—'}</dd>
        <dt>Database</dt>
        <dd className="mono" data-testid="tenant-database">
          {d.database ?? '—'}
        </dd>
        <dt>Role</dt>
        <dd className="mono">{d.role ?? '—'}</dd>
        <dt>DB host</dt>
        <dd className="mono">{d.dbHost ?? '—'}</dd>
        <dt>Data volume</dt>
        <dd className="mono" title={d.dataVolume ?? ''}>
          {d.dataVolume ?? '—'}
        </dd>
        <dt>Memory limit</dt>
        <dd>{d.memoryLimitBytes ? formatBytes(d.memoryLimitBytes) : 'none'}</dd>
        <dt>CPUs</dt>
        <dd>{d.cpus ?? 'no limit'}</dd>
        <dt>Restart policy</dt>
        <dd>
          {d.restartPolicy || '—'}
          {d.restartCount > 0 ? <span className="muted"> · restarted {d.restartCount}×</span> : null}
        </dd>
        <dt>Container</dt>
        <dd className="mono" title={d.containerId}>
          {d.containerId.slice(0, 12)}
        </dd>
        <dt>Created</dt>
        <dd>{formatDateTime(d.createdAt)}</dd>
        <dt>Started</dt>
        <dd>{d.startedAt ? formatDateTime(d.startedAt) : '—'}</dd>
      </dl>
      <div className="tenant-health-line small" data-testid="tenant-health-detail">
        <span className="muted">Health: </span>
        <span className={d.health.ok ? 'text-ok' : 'text-fail'}>{d.health.ok ? 'healthy' : 'unhealthy'}</span> — {d.health.detail}
      </div>
      <div className="small tenant-env">
        <span className="muted">Environment: </span>
        {d.envNames.length > 0 ? (
          d.envNames.map((n) => (
            <span key={n} className="tag mono">
              {n}
            </span>
          ))
        ) : (
          <span className="muted">no extra variables</span>
        )}
      </div>
      <details className="small tenant-routing" data-testid="tenant-routing">
        <summary>Routing labels ({routing.length})</summary>
        <ul className="mono">
          {routing.map(([k, v]) => (
            <li key={k} className="wrap-anywhere">
              {k}={v}
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}
