import { lazy, Suspense, useCallback, useState } from 'react';
import type { HostCheck, HostOverview, HostView } from '../../../shared/hosts.js';
import { useApi } from '../../../ui-common/api/context.js';
import { UsageBar } from '../components/Bar.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { ReloadButton } from '../components/ReloadButton.js';
import { StateBadge } from '../components/StateBadge.js';
import { toFleetError, type FleetError } from '../lib/errors.js';
import { dismissFlash, useFlashes } from '../lib/flash.js';
import { formatBytes, formatDateTime, formatTime } from '../lib/format.js';
import { NEEDS } from '../lib/roles.js';
import { href, navigate } from '../lib/router.js';
import { useCan } from '../lib/session.js';
import { useIntervalRefresh } from '../lib/use-interval-refresh.js';
import { useLoad } from '../lib/use-load.js';
import { useAction } from '../lib/use-submit.js';
import { CheckPanel } from './host/CheckPanel.js';
import { ContainersTable } from './host/ContainersTable.js';
import { HostKeyChanged } from './host/HostKeyChanged.js';
import { IsolationLine } from './host/IsolationLine.js';
import { ManagedDbServerSetup } from './host/ManagedDbServerSetup.js';
import { TenantsSection } from './host/TenantsTable.js';

const REFRESH_MS = 5000;

// Drift and the shared audit trail load on demand: the host page's first render stays small.
const ReconcileSection = lazy(() => import('./host/ReconcileSection.js').then((m) => ({ default: m.ReconcileSection })));
const ProxySection = lazy(() => import('./host/ProxySection.js').then((m) => ({ default: m.ProxySection })));
const HostAuditSection = lazy(() => import('./host/HostAuditSection.js').then((m) => ({ default: m.HostAuditSection })));

function authText(h: HostView): string {
  switch (h.auth.kind) {
    case 'key':
      return `key${h.auth.keyPaths.length > 1 ? `s (${h.auth.keyPaths.length})` : ''}${h.auth.hasPassphrase ? ', passphrase stored' : ''}`;
    case 'agent':
      return 'ssh-agent';
    case 'password':
      return 'password';
  }
}

const NO_CHECK: CheckState = { running: false, result: null, error: null };

interface CheckState {
  running: boolean;
  result: HostCheck | null;
  error: FleetError | null;
}

export function HostPage({
  hostId,
  host,
  hostsLoaded,
  hostsById,
  onChanged,
}: {
  hostId: string;
  host: HostView | undefined;
  hostsLoaded: boolean;
  hostsById: ReadonlyMap<string, HostView>;
  onChanged: () => void;
}) {
  const api = useApi();
  const canCreateTenant = useCan(NEEDS.createTenant);
  const [autoRefresh, setAutoRefresh] = useState(true);
  const [check, setCheck] = useState<CheckState>(NO_CHECK);
  const [confirmRemove, setConfirmRemove] = useState(false);
  /** Bumped after a clean-up or adoption: the tenants list and the audit trail reload. */
  const [tenantsVersion, setTenantsVersion] = useState(0);
  const bumpTenants = useCallback(() => setTenantsVersion((v) => v + 1), []);

  const exists = host !== undefined;
  const fetchOverview = useCallback(() => api.call('hosts.overview', { id: hostId }), [api, hostId]);
  const { value: overview, error, loading, load, clearError } = useLoad(fetchOverview, { loadingAtFirst: true, auto: exists });

  const keyChanged = [error, check.error].find((e) => e?.code === 'HOST_KEY_CHANGED') ?? null;
  useIntervalRefresh(load, REFRESH_MS, exists && autoRefresh && !keyChanged);

  const runCheck = async () => {
    setCheck({ running: true, result: null, error: null });
    try {
      const result = await api.call('hosts.check', { id: hostId });
      setCheck({ running: false, result, error: null });
    } catch (e) {
      setCheck({ running: false, result: null, error: toFleetError(e) });
    }
  };

  if (!host) {
    if (!hostsLoaded) return <div className="loading">Loading…</div>;
    return (
      <div className="empty-state" data-testid="host-not-found">
        <h2>Host not found</h2>
        <p className="muted">It may have been removed.</p>
        <a href={href.dashboard}>Back to the dashboard</a>
      </div>
    );
  }

  const stale = error !== null && overview !== null;

  return (
    <div className="host-page" data-testid="host-page" data-host={host.name}>
      <HostHead
        host={host}
        jump={host.jumpHostId ? hostsById.get(host.jumpHostId) : undefined}
        loading={loading}
        checking={check.running}
        removeAsked={confirmRemove}
        onRefresh={() => void load()}
        onCheck={() => void runCheck()}
        onRemove={() => setConfirmRemove(true)}
      />
      <RefreshLine
        host={host}
        overview={overview}
        loading={loading}
        stale={stale}
        keyChanged={keyChanged !== null}
        autoRefresh={autoRefresh}
        onAutoRefresh={setAutoRefresh}
      />
      <HostFlashes hostId={hostId} />
      {confirmRemove ? <RemoveHostConfirm host={host} onChanged={onChanged} onCancel={() => setConfirmRemove(false)} /> : null}

      {keyChanged ? (
        <HostKeyChanged
          host={host}
          error={keyChanged}
          onRetrusted={() => {
            onChanged();
            setCheck(NO_CHECK);
            clearError();
            void load();
          }}
        />
      ) : error ? (
        <ErrorBox error={error} testId="overview-error" />
      ) : null}

      {check.running || check.result || (check.error && check.error.code !== 'HOST_KEY_CHANGED') ? (
        <CheckPanel running={check.running} result={check.result} error={check.error} onClose={() => setCheck(NO_CHECK)} />
      ) : null}

      <div className={`cards${stale ? ' is-stale' : ''}`}>
        <DockerCard host={host} docker={overview?.docker} loading={loading} />
        <ResourcesCard host={host} overview={overview} loading={loading} />
      </div>

      <TenantsSection hostId={hostId} canCreate={canCreateTenant} reloadKey={tenantsVersion} />

      <Suspense fallback={null}>
        <ProxySection hostId={hostId} />
        <ReconcileSection hostId={hostId} onTenantsChanged={bumpTenants} />
        <HostAuditSection hostId={hostId} reloadKey={tenantsVersion} />
      </Suspense>

      <ContainersTable containers={overview?.containers ?? null} loading={loading} />
    </div>
  );
}

/** The host's name, connection, address and key, with Refresh, Check host and Remove…. */
function HostHead({
  host,
  jump,
  loading,
  checking,
  removeAsked,
  onRefresh,
  onCheck,
  onRemove,
}: {
  host: HostView;
  jump: HostView | undefined;
  loading: boolean;
  checking: boolean;
  removeAsked: boolean;
  onRefresh: () => void;
  onCheck: () => void;
  onRemove: () => void;
}) {
  const canCheck = useCan(NEEDS.checkHost);
  const canRemove = useCan(NEEDS.removeHost);
  return (
    <header className="host-head">
      <div className="host-head-main">
        <div className="host-title">
          <h2 data-testid="host-name">{host.name}</h2>
          <StateBadge state={host.connection.state} testId="host-connection-state" title={host.connection.lastError ?? undefined} />
        </div>
        <div className="host-sub">
          <span className="mono">
            {host.user}@{host.address}:{host.port}
          </span>
          {host.jumpHostId ? (
            <span>
              via {jump ? <a href={href.host(jump.id)}>{jump.name}</a> : <span className="muted">a removed host</span>}
            </span>
          ) : null}
          <span>{authText(host)}</span>
          <span className="mono small" title="Pinned host key" data-testid="pinned-key">
            {host.hostKey.type} {host.hostKey.fingerprint}
          </span>
        </div>
      </div>
      <div className="host-actions">
        <ReloadButton loading={loading} onReload={onRefresh} label="Refresh" busyLabel="Refreshing…" testId="refresh-button" />
        {canCheck ? (
          <button type="button" className="btn btn-primary" onClick={onCheck} disabled={checking} data-testid="check-button">
            {checking ? 'Checking…' : 'Check host'}
          </button>
        ) : null}
        {canRemove ? (
          <button type="button" className="btn btn-danger-ghost" onClick={onRemove} disabled={removeAsked} data-testid="remove-host-button">
            Remove…
          </button>
        ) : null}
      </div>
    </header>
  );
}

/** When the overview was fetched, whether it is stale, and the auto-refresh switch. */
function RefreshLine({
  host,
  overview,
  loading,
  stale,
  keyChanged,
  autoRefresh,
  onAutoRefresh,
}: {
  host: HostView;
  overview: HostOverview | null;
  loading: boolean;
  stale: boolean;
  keyChanged: boolean;
  autoRefresh: boolean;
  onAutoRefresh: (on: boolean) => void;
}) {
  return (
    <div className="refresh-line">
      <span data-testid="last-refreshed">
        {overview ? `Last refreshed ${formatTime(overview.fetchedAt)}` : loading ? 'Loading…' : 'Not loaded'}
      </span>
      {stale ? <span className="stale-tag">stale</span> : null}
      <label className="inline-check">
        <input type="checkbox" checked={autoRefresh} onChange={(e) => onAutoRefresh(e.target.checked)} data-testid="auto-refresh" />
        refresh every {REFRESH_MS / 1000} s
      </label>
      {keyChanged ? <span className="muted">(paused: host key changed)</span> : null}
      {host.connection.lastError && host.connection.state !== 'connected' ? (
        <span className="conn-error" data-testid="connection-error" title={host.connection.lastError}>
          {host.connection.lastError}
        </span>
      ) : null}
    </div>
  );
}

/** What other pages left for this host (a tenant created, removed…), each dismissible. */
function HostFlashes({ hostId }: { hostId: string }) {
  const flashes = useFlashes(hostId);
  return (
    <>
      {flashes.map((f) => (
        <div key={f.id} className={`notice flash${f.tone === 'warn' ? ' notice-warn' : ''}`} role="status" data-testid="host-flash">
          <div className="flash-body">
            <strong>{f.title}</strong>
            {f.lines.map((l) => (
              <div key={l.label} className="small">
                <span className="muted">{l.label}: </span>
                <span className="mono wrap-anywhere" data-testid={l.testId}>
                  {l.value}
                </span>
              </div>
            ))}
            {f.jobId ? (
              <a className="small" href={href.job(f.jobId)}>
                Job details
              </a>
            ) : null}
          </div>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => dismissFlash(f.id)} data-testid="host-flash-dismiss">
            Dismiss
          </button>
        </div>
      ))}
    </>
  );
}

/** "Remove host?" asked in place: the console forgets the host, nothing on it changes. */
function RemoveHostConfirm({ host, onChanged, onCancel }: { host: HostView; onChanged: () => void; onCancel: () => void }) {
  const api = useApi();
  const removing = useAction<'remove'>();
  const remove = () =>
    removing.run('remove', async () => {
      await api.call('hosts.remove', { id: host.id });
      onChanged();
      navigate(href.dashboard);
    });
  return (
    <div className="confirm-box" role="alertdialog" aria-labelledby="remove-title" data-testid="remove-host-confirm">
      <p id="remove-title">
        <strong>Remove {host.name}?</strong> The console forgets its settings, stored secrets and pinned key. Nothing on the host
        changes.
      </p>
      {removing.error ? <ErrorBox error={removing.error} compact testId="remove-error" /> : null}
      <div className="actions">
        <button type="button" className="btn btn-danger" onClick={() => void remove()} disabled={removing.busy !== null} data-testid="remove-host-confirm-button" autoFocus>
          {removing.busy ? 'Removing…' : 'Remove host'}
        </button>
        <button type="button" className="btn" onClick={onCancel} data-testid="remove-host-cancel">
          Cancel
        </button>
      </div>
    </div>
  );
}

function DockerCard({ host, docker: d, loading }: { host: HostView; docker: HostOverview['docker'] | undefined; loading: boolean }) {
  return (
    <section className="card card-docker" aria-label="Docker" data-testid="docker-info">
      <h3 className="card-title">Docker</h3>
      {d ? (
        <dl className="kv kv-2">
          <dt>Version</dt>
          <dd data-testid="docker-version">{d.version}</dd>
          <dt>API</dt>
          <dd>{d.apiVersion}</dd>
          <dt>OS</dt>
          <dd title={d.os}>{d.os}</dd>
          <dt>Kernel</dt>
          <dd title={d.kernel}>{d.kernel}</dd>
          <dt>CPUs</dt>
          <dd>{d.cpus}</dd>
          <dt>Memory</dt>
          <dd>{formatBytes(d.memoryBytes)}</dd>
          <dt>Containers</dt>
          <dd data-testid="docker-containers">
            {d.containersRunning} running / {d.containersTotal}
          </dd>
          <dt>Images</dt>
          <dd>{d.images}</dd>
          <dt>Storage</dt>
          <dd>{d.storageDriver}</dd>
          <dt>Socket</dt>
          <dd className="mono small" title={host.dockerSocket}>
            {host.dockerSocket}
          </dd>
        </dl>
      ) : (
        <p className="muted">{loading ? 'Loading…' : 'No data.'}</p>
      )}
    </section>
  );
}

/** Disk and memory, the database server (and setting up a managed one), when the host was added. */
function ResourcesCard({ host, overview, loading }: { host: HostView; overview: HostOverview | null; loading: boolean }) {
  const canProvisionDb = useCan(NEEDS.provisionDbServer);
  return (
    <section className="card card-resources" aria-label="Resources">
      <h3 className="card-title">Resources</h3>
      {overview ? (
        <>
          <UsageBar
            label="Disk"
            used={overview.disk.usedBytes}
            total={overview.disk.totalBytes}
            detail={`${formatBytes(overview.disk.availableBytes)} free on ${overview.disk.path}`}
            testId="disk-usage"
          />
          <UsageBar
            label="Memory"
            used={overview.memory.totalBytes - overview.memory.availableBytes}
            total={overview.memory.totalBytes}
            detail={`${formatBytes(overview.memory.availableBytes)} available`}
            testId="memory-usage"
          />
        </>
      ) : (
        <p className="muted">{loading ? 'Loading…' : 'No data.'}</p>
      )}
      <div className="db-line small">
        <span className="muted">Database server: </span>
        {host.dbServer ? (
          <span className="mono" data-testid="db-server">
            {host.dbServer.adminUser}@{host.dbServer.address}:{host.dbServer.port}/{host.dbServer.database}
          </span>
        ) : (
          <span className="muted">not set</span>
        )}
        {host.dbServer ? (
          <span className="muted" data-testid="db-server-kind">
            {host.dbServer.managed ? ` (managed container, ${host.dbServer.image ?? '?'}, volume ${host.dbServer.volume ?? '?'})` : ' (existing server)'}
          </span>
        ) : null}
      </div>
      <IsolationLine host={host} />
      {canProvisionDb ? <ManagedDbServerSetup hostId={host.id} hasDbServer={host.dbServer !== null} /> : null}
      <div className="db-line small">
        <span className="muted">Added: </span>
        {formatDateTime(host.createdAt)}
      </div>
    </section>
  );
}
