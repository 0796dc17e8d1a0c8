import { useDeferredValue, useEffect, useMemo, useState } from 'react';
import type { HostView } from '../../../shared/hosts.js';
import type { TenantView } from '../../../shared/tenant-views.js';
import { useApi } from '../../../ui-common/api/context.js';
import { SearchInput } from '../../../ui-common/SearchInput.js';
import { CountedTitle } from '../components/CountedTitle.js';
import { StateBadge } from '../components/StateBadge.js';
import { TableHead } from '../components/TableHead.js';
import { TenantState } from '../components/TenantState.js';
import { VirtualTable, type Column } from '../components/VirtualList.js';
import { HostCertificatesCell } from './dashboard/HostCertificatesCell.js';
import { useFleetTenants, type FleetTenants, type HostResources, type HostTenants } from '../lib/fleet-tenants.js';
import { formatBytes, percent } from '../lib/format.js';
import type { HostsStore } from '../lib/hosts-store.js';
import { href, navigate } from '../lib/router.js';
import { TENANT_BUCKETS, tenantBucket, tenantUnhealthy, type TenantBucket } from '../lib/tenant-state.js';
import { Overview } from './Overview.js';

const ATTENTION_LIMIT = 100;
const COUNT_WIDTHS: Record<TenantBucket, string> = { running: '80px', stopped: '80px', suspended: '98px', other: '64px' };
const RESOURCES_TICK_MS = 30_000;

interface TenantRow {
  key: string;
  tenant: TenantView;
  host: HostView;
  /** It has a backup schedule and its newest backup is overdue. */
  overdue: boolean;
}

interface HostRow {
  host: HostView;
  entry: HostTenants | undefined;
  counts: Record<TenantBucket, number> | null;
  /** Tenants whose newest backup is overdue (null: schedules not listed). */
  overdue: number | null;
}

type StateFilter = 'all' | TenantBucket | 'unhealthy';
const STATE_FILTERS: readonly { value: StateFilter; label: string }[] = [
  { value: 'all', label: 'All states' },
  { value: 'running', label: 'Running' },
  { value: 'stopped', label: 'Stopped' },
  { value: 'suspended', label: 'Suspended' },
  { value: 'other', label: 'Other' },
  { value: 'unhealthy', label: 'Unhealthy' },
];

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** A table as tall as its rows (at least 4, at most `max`), header and border included. */
function tableHeight(rows: number, rowHeight: number, max: number): number {
  return Math.max(4, Math.min(rows, max)) * rowHeight + 30 + 2;
}

/** One of the dashboard's tables, named `dashboard-<name>-table`, as tall as its rows up to `maxRows`. */
function DashboardTable<T>({ name, maxRows, ...table }: { name: 'tenants' | 'hosts'; maxRows: number } & Omit<Parameters<typeof VirtualTable<T>>[0], 'className' | 'testId' | 'height'>) {
  return (
    <VirtualTable
      className={`containers-table dashboard-${name}-table`}
      testId={`dashboard-${name}-table`}
      height={tableHeight(table.items.length, table.rowHeight, maxRows)}
      {...table}
    />
  );
}

function emptyCounts(): Record<TenantBucket, number> {
  return { running: 0, stopped: 0, suspended: 0, other: 0 };
}

export function matchesTenant(t: TenantView, q: string): boolean {
  return t.name.toLowerCase().includes(q) || (t.publicHost ?? '').toLowerCase().includes(q) || t.image.toLowerCase().includes(q);
}

/** The rows the dashboard shows, from the hosts and what the fleet listing has so far. */
function fleetRows(hosts: readonly HostView[] | null, fleet: FleetTenants) {
  const totals = emptyCounts();
  const hostRows: HostRow[] = [];
  const allRows: TenantRow[] = [];
  const unhealthy: TenantRow[] = [];
  let unhealthyTotal = 0;
  let loadedHosts = 0;
  for (const host of hosts ?? []) {
    const entry = fleet.tenants.get(host.id);
    const policies = fleet.policies.get(host.id);
    const overdueSet = policies && !policies.error ? policies.overdue : null;
    let counts: Record<TenantBucket, number> | null = null;
    let overdue: number | null = null;
    if (entry?.tenants) {
      loadedHosts++;
      counts = emptyCounts();
      if (overdueSet) overdue = 0;
      for (const tenant of entry.tenants) {
        const bucket = tenantBucket(tenant);
        counts[bucket]++;
        totals[bucket]++;
        const late = overdueSet !== null && overdueSet.has(tenant.name);
        if (late) overdue!++;
        const row = { key: `${host.id}/${tenant.name}`, tenant, host, overdue: late };
        allRows.push(row);
        if (tenantUnhealthy(tenant)) {
          unhealthyTotal++;
          if (unhealthy.length < ATTENTION_LIMIT) unhealthy.push(row);
        }
      }
    }
    hostRows.push({ host, entry, counts, overdue });
  }
  allRows.sort((a, b) => collator.compare(a.tenant.name, b.tenant.name) || collator.compare(a.host.name, b.host.name));
  return { hostRows, allRows, totals, unhealthy, unhealthyTotal, loadedHosts };
}

/** The fleet at a glance: tenants by state on every host, the unhealthy ones, and one table of all tenants. */
export function Dashboard({ store }: { store: HostsStore }) {
  const api = useApi();
  const fleet = useFleetTenants(api, store.hosts);
  const { version } = fleet;
  // `version` publishes changes inside fleet's (mutable, stable) maps.
  const { hostRows, allRows, totals, unhealthy, unhealthyTotal, loadedHosts } = useMemo(() => fleetRows(store.hosts, fleet), [store.hosts, fleet.tenants, fleet.policies, version]);

  if (store.hosts !== null && store.hosts.length === 0) return <Overview store={store} />;
  if (store.hosts === null) return <div className="loading">{store.error ? `Could not load hosts: ${store.error.message}` : 'Loading hosts…'}</div>;

  const tenantTotal = allRows.length;
  return (
    <div className="dashboard" data-testid="dashboard">
      <StateCounts totals={totals} tenantTotal={tenantTotal} loadedHosts={loadedHosts} hostTotal={store.hosts.length} unhealthyTotal={unhealthyTotal} />
      <UnhealthyTenants unhealthy={unhealthy} unhealthyTotal={unhealthyTotal} loadedHosts={loadedHosts} />
      <HostsSummary rows={hostRows} fleet={fleet} />
      <AllTenants allRows={allRows} hostRows={hostRows} loadedHosts={loadedHosts} onReload={() => fleet.refresh()} />
    </div>
  );
}

function StateCounts({
  totals,
  tenantTotal,
  loadedHosts,
  hostTotal,
  unhealthyTotal,
}: {
  totals: Record<TenantBucket, number>;
  tenantTotal: number;
  loadedHosts: number;
  hostTotal: number;
  unhealthyTotal: number;
}) {
  return (
    <section className="stat-row" aria-label="Tenants by state" data-testid="dashboard-counts">
      <div className="stat" data-testid="dashboard-count-total">
        <div className="stat-value">{tenantTotal}</div>
        <div className="stat-label">
          tenants on {loadedHosts} / {hostTotal} hosts
        </div>
      </div>
      {TENANT_BUCKETS.map((b) => (
        <div className={`stat stat-tenant-${b}`} key={b} data-testid={`dashboard-count-${b}`}>
          <div className="stat-value">{totals[b]}</div>
          <div className="stat-label">{b}</div>
        </div>
      ))}
      <div className={`stat stat-tenant-unhealthy${unhealthyTotal > 0 ? ' is-bad' : ''}`} data-testid="dashboard-count-unhealthy">
        <div className="stat-value">{unhealthyTotal}</div>
        <div className="stat-label">unhealthy</div>
      </div>
    </section>
  );
}

/** The first ATTENTION_LIMIT tenants that are neither running nor suspended, or failing their health check. */
function UnhealthyTenants({ unhealthy, unhealthyTotal, loadedHosts }: { unhealthy: readonly TenantRow[]; unhealthyTotal: number; loadedHosts: number }) {
  return (
    <section className="card dashboard-attention" aria-label="Unhealthy tenants">
      <h2 className="card-title">Unhealthy tenants</h2>
      {unhealthy.length === 0 ? (
        <p className="muted" data-testid="unhealthy-none">
          {loadedHosts === 0 ? 'No tenant listing yet.' : 'Every tenant is running or suspended.'}
        </p>
      ) : (
        <>
          <table className="table table-dense" data-testid="unhealthy-table">
            <TableHead labels={['Tenant', 'Host', 'State', 'Status']} />
            <tbody>
              {unhealthy.map((r) => (
                <tr key={r.key} data-testid={`unhealthy-row-${r.host.name}/${r.tenant.name}`}>
                  <td className="mono">
                    <a href={href.tenant(r.host.id, r.tenant.name)}>{r.tenant.name}</a>
                  </td>
                  <td>
                    <a href={href.host(r.host.id)}>{r.host.name}</a>
                  </td>
                  <td>
                    <TenantState state={r.tenant.state} suspended={r.tenant.suspended} />
                  </td>
                  <td className="wrap-anywhere small">{r.tenant.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {unhealthyTotal > unhealthy.length ? (
            <p className="muted small">
              Showing {unhealthy.length} of {unhealthyTotal}; filter the table below by “Unhealthy” for all.
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}

/** Every tenant of the fleet in one virtual table, searched and filtered by host and state. */
function AllTenants({ allRows, hostRows, loadedHosts, onReload }: { allRows: readonly TenantRow[]; hostRows: readonly HostRow[]; loadedHosts: number; onReload: () => void }) {
  const [query, setQuery] = useState('');
  const [hostFilter, setHostFilter] = useState('');
  const [stateFilter, setStateFilter] = useState<StateFilter>('all');
  const q = useDeferredValue(query.trim().toLowerCase());
  const rows = useMemo(
    () =>
      allRows.filter(
        (r) =>
          (!hostFilter || r.host.id === hostFilter) &&
          (stateFilter === 'all' || (stateFilter === 'unhealthy' ? tenantUnhealthy(r.tenant) : tenantBucket(r.tenant) === stateFilter)) &&
          (!q || matchesTenant(r.tenant, q)),
      ),
    [allRows, hostFilter, stateFilter, q],
  );
  const tenantTotal = allRows.length;
  const filtered = q || hostFilter || stateFilter !== 'all';
  return (
    <section className="dashboard-tenants" aria-label="All tenants">
      <div className="section-head">
        <CountedTitle title="Tenants" count={filtered ? `${rows.length} of ${tenantTotal}` : tenantTotal} testId="dashboard-tenants-count" />
      </div>
      <div className="inline-row dashboard-filters">
        <SearchInput className="search-inline" placeholder="Search name, public host, image" label="Search tenants" value={query} onValue={setQuery} testId="dashboard-search" />
        <label className="inline-select">
          <span aria-hidden="true">Host</span>
          <select value={hostFilter} onChange={(e) => setHostFilter(e.target.value)} aria-label="Filter tenants by host" data-testid="dashboard-host-filter">
            <option value="">All hosts</option>
            {hostRows
              .filter((r) => r.counts !== null || r.host.id === hostFilter)
              .map((r) => (
                <option key={r.host.id} value={r.host.id}>
                  {r.host.name}
                </option>
              ))}
          </select>
        </label>
        <label className="inline-select">
          <span aria-hidden="true">State</span>
          <select
            value={stateFilter}
            onChange={(e) => setStateFilter(e.target.value as StateFilter)}
            aria-label="Filter tenants by state"
            data-testid="dashboard-state-filter"
          >
            {STATE_FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn btn-small" onClick={onReload} data-testid="dashboard-refresh">
          Reload
        </button>
      </div>
      <DashboardTable
        name="tenants"
        ariaLabel="Tenants on all hosts"
        items={rows}
        rowHeight={28}
        maxRows={16}
        minWidth={720}
        getKey={(r) => r.key}
        rowTestId={(r) => `dashboard-tenant-row-${r.host.name}/${r.tenant.name}`}
        rowClassName={(r) => (tenantUnhealthy(r.tenant) ? 'is-unhealthy' : undefined)}
        onActivate={(r) => navigate(href.tenant(r.host.id, r.tenant.name))}
        columns={TENANT_COLUMNS}
        empty={loadedHosts === 0 ? 'Loading tenants…' : tenantTotal === 0 ? 'No tenants yet.' : 'No tenant matches.'}
      />
    </section>
  );
}

const TENANT_COLUMNS: readonly Column<TenantRow>[] = [
  {
    key: 'name',
    title: 'Tenant',
    width: 'minmax(120px, 1.4fr)',
    render: (r) => (
      <a href={href.tenant(r.host.id, r.tenant.name)} tabIndex={-1} onClick={(e) => e.stopPropagation()}>
        {r.tenant.name}
      </a>
    ),
    tooltip: (r) => r.tenant.name,
    className: 'mono',
  },
  { key: 'host', title: 'Host', width: 'minmax(100px, 1fr)', render: (r) => <span data-testid="cell-host">{r.host.name}</span>, tooltip: (r) => r.host.name },
  {
    key: 'state',
    title: 'State',
    width: '100px',
    render: (r) => <TenantState state={r.tenant.state} suspended={r.tenant.suspended} testId="cell-state" />,
    tooltip: (r) => r.tenant.status,
  },
  { key: 'image', title: 'Image', width: 'minmax(120px, 1.4fr)', render: (r) => r.tenant.image, tooltip: (r) => r.tenant.image, className: 'mono' },
  { key: 'public', title: 'Public host', width: 'minmax(140px, 1.6fr)', render: (r) => r.tenant.publicHost ?? '—', tooltip: (r) => r.tenant.publicHost ?? '' },
  {
    key: 'backups',
    title: 'Backups',
    width: '80px',
    render: (r) =>
      r.overdue ? (
        <span className="tag tag-bad" data-testid="cell-backup-overdue">
          overdue
        </span>
      ) : null,
    tooltip: (r) => (r.overdue ? 'Its newest backup is older than its schedule allows' : ''),
  },
];

function HostsSummary({ rows, fleet }: { rows: readonly HostRow[]; fleet: FleetTenants }) {
  // Visible rows ask for their host's disk and memory again after each tick (the cache keeps it to one call per 30 s).
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, RESOURCES_TICK_MS);
    return () => clearInterval(timer);
  }, []);

  const columns = useMemo<readonly Column<HostRow>[]>(
    () => [
      {
        key: 'host',
        title: 'Host',
        width: 'minmax(100px, 1.4fr)',
        render: (r) => (
          <a href={href.host(r.host.id)} tabIndex={-1} onClick={(e) => e.stopPropagation()}>
            {r.host.name}
          </a>
        ),
        tooltip: (r) => `${r.host.user}@${r.host.address}:${r.host.port}`,
      },
      { key: 'conn', title: 'Connection', width: '96px', render: (r) => <HostStatusCell row={r} />, tooltip: (r) => r.entry?.error?.message ?? r.host.connection.lastError ?? '' },
      ...TENANT_BUCKETS.map(
        (b): Column<HostRow> => ({
          key: b,
          title: b[0]!.toUpperCase() + b.slice(1),
          width: COUNT_WIDTHS[b],
          className: `num count-${b}`,
          render: (r) => <span data-testid={`host-count-${b}`}>{r.counts ? r.counts[b] : ''}</span>,
        }),
      ),
      {
        key: 'backups',
        title: 'Backups',
        width: '120px',
        render: (r) =>
          r.overdue === null ? null : (
            <span className={r.overdue > 0 ? 'danger-text small' : 'muted small'} data-testid="host-backups-overdue" data-count={r.overdue}>
              {r.overdue} backups overdue
            </span>
          ),
        tooltip: (r) => (r.overdue ? `${r.overdue} tenants' newest backup is older than their schedule allows` : ''),
      },
      {
        key: 'certificates',
        title: 'Certificates',
        width: '150px',
        render: (r) => <HostCertificatesCell hostId={r.host.id} connected={r.host.connection.state !== 'failed'} />,
      },
      { key: 'disk', title: 'Disk', width: 'minmax(96px, 1fr)', render: (r) => <ResourceCell host={r.host} fleet={fleet} tick={tick} kind="disk" /> },
      { key: 'memory', title: 'Memory', width: 'minmax(96px, 1fr)', render: (r) => <ResourceCell host={r.host} fleet={fleet} tick={tick} kind="memory" /> },
    ],
    // fleet.version re-renders cells whose data arrived.
    [fleet, fleet.version, tick],
  );

  return (
    <section className="dashboard-hosts" aria-label="Hosts">
      <div className="section-head">
        <CountedTitle title="Hosts" count={rows.length} />
      </div>
      <DashboardTable
        name="hosts"
        ariaLabel="Tenants and resources per host"
        items={rows}
        rowHeight={30}
        maxRows={8}
        minWidth={980}
        getKey={(r) => r.host.id}
        rowTestId={(r) => `dashboard-host-row-${r.host.name}`}
        onActivate={(r) => navigate(href.host(r.host.id))}
        columns={columns}
        empty="No hosts."
      />
    </section>
  );
}

/** The host's connection, unless it is connected: then whether its tenants could be listed. */
function HostStatusCell({ row }: { row: HostRow }) {
  const { entry, host } = row;
  if (host.connection.state !== 'connected') return <StateBadge state={host.connection.state} />;
  if (entry?.error) return <span className="danger-text small">{entry.tenants ? 'listing stale' : 'listing failed'}</span>;
  if (!entry?.tenants) return <span className="muted small">listing…</span>;
  return <StateBadge state="connected" />;
}

function ResourceCell({ host, fleet, tick, kind }: { host: HostView; fleet: FleetTenants; tick: number; kind: 'disk' | 'memory' }) {
  const connected = host.connection.state === 'connected';
  const { wantResources } = fleet;
  useEffect(() => {
    // One cell per host asks (the disk cell); the cache answers the other.
    if (connected && kind === 'disk') wantResources(host.id);
  }, [connected, host.id, kind, tick, wantResources]);
  const r: HostResources | undefined = fleet.resources.get(host.id);
  if (!r || (!r.disk && !r.memory)) return <span className="muted small">{r?.error ? 'unavailable' : connected ? '…' : ''}</span>;
  const used = kind === 'disk' ? (r.disk?.usedBytes ?? 0) : (r.memory ? r.memory.totalBytes - r.memory.availableBytes : 0);
  const total = kind === 'disk' ? (r.disk?.totalBytes ?? 0) : (r.memory?.totalBytes ?? 0);
  const pct = Math.round(percent(used, total));
  const level = pct >= 90 ? 'danger' : pct >= 80 ? 'warn' : 'ok';
  return (
    <span className="mini-usage" title={`${formatBytes(used)} of ${formatBytes(total)} used, ${formatBytes(total - used)} free`} data-testid={`host-${kind}`}>
      <span className={`mini-bar bar-${level}`} role="meter" aria-label={`${host.name} ${kind} used`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <span className="bar-fill" style={{ width: `${pct}%` }} />
      </span>
      <span className="small">{pct}%</span>
    </span>
  );
}
