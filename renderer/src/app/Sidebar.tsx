import { useDeferredValue, useMemo, useState } from 'react';
import type { HostView } from '../../../shared/hosts.js';
import { SearchInput } from '../../../ui-common/SearchInput.js';
import { StateBadge } from '../components/StateBadge.js';
import { VirtualList } from '../components/VirtualList.js';
import type { HostsStore } from '../lib/hosts-store.js';
import { NEEDS } from '../lib/roles.js';
import { href, navigate, type Route } from '../lib/router.js';
import { useCan } from '../lib/session.js';

const ROW_H = 42;

export function filterHosts(hosts: readonly HostView[], query: string): readonly HostView[] {
  const q = query.trim().toLowerCase();
  if (!q) return hosts;
  return hosts.filter((h) => h.name.toLowerCase().includes(q) || h.address.toLowerCase().includes(q));
}

export function Sidebar({ store, route }: { store: HostsStore; route: Route }) {
  const canAdd = useCan(NEEDS.addHost);
  const canImport = useCan(NEEDS.importHosts);
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query);
  const visible = useMemo(() => filterHosts(store.hosts ?? [], deferred), [store.hosts, deferred]);
  const selected = route.page === 'host' ? route.id : route.page === 'createTenant' || route.page === 'tenant' ? route.hostId : null;

  const nav = (to: string, label: string, active: boolean, testId: string) => (
    <a href={to} className={`nav-link${active ? ' active' : ''}`} aria-current={active ? 'page' : undefined} data-testid={testId}>
      {label}
    </a>
  );

  return (
    <aside className="sidebar" aria-label="Navigation and hosts">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">◆</span> Odoo Fleet <span className="brand-sub">Console</span>
      </div>
      <nav className="nav">
        {nav(href.dashboard, 'Dashboard', route.page === 'dashboard', 'nav-dashboard')}
        {nav(href.overview, 'Host connections', route.page === 'overview', 'nav-overview')}
        {canAdd ? nav(href.add, '+ Add host', route.page === 'add', 'add-host-button') : null}
        {canImport ? nav(href.import, 'Import from ~/.ssh/config', route.page === 'import', 'import-button') : null}
        {nav(href.jobs, 'Jobs', route.page === 'jobs' || route.page === 'job', 'nav-jobs')}
        {nav(href.audit, 'Audit trail', route.page === 'audit', 'nav-audit')}
        {nav(href.keys, 'Backup keys', route.page === 'keys', 'nav-keys')}
      </nav>
      <div className="sidebar-hosts">
        <div className="sidebar-hosts-head">
          <span>Hosts</span>
          <span className="count" data-testid="hosts-count">
            {store.hosts ? (deferred.trim() ? `${visible.length} / ${store.hosts.length}` : store.hosts.length) : '…'}
          </span>
        </div>
        <SearchInput placeholder="Filter by name or address" label="Filter hosts by name or address" value={query} onValue={setQuery} testId="host-search" />
        {store.error && !store.hosts ? (
          <div className="sidebar-error" role="alert" data-testid="hosts-error">
            Could not load hosts: {store.error.message}{' '}
            <button type="button" className="btn btn-small" onClick={store.refetch}>
              Retry
            </button>
          </div>
        ) : null}
        <VirtualList
          role="listbox"
          className="host-list"
          ariaLabel="Hosts"
          testId="hosts-table"
          items={visible}
          rowHeight={ROW_H}
          getKey={(h) => h.id}
          selectedKey={selected}
          rowTestId={(h) => `host-row-${h.name}`}
          onActivate={(h) => navigate(href.host(h.id))}
          empty={store.hosts === null ? 'Loading…' : store.hosts.length === 0 ? 'No hosts yet.' : 'No host matches.'}
          renderRow={(h) => (
            <>
              <div className="hrow-top">
                <span className="hrow-name" title={h.name}>
                  {h.name}
                </span>
                <StateBadge state={h.connection.state} testId={`host-status-${h.name}`} title={h.connection.lastError ?? undefined} />
              </div>
              <div className="hrow-sub" title={`${h.user}@${h.address}:${h.port}`}>
                {h.user}@{h.address}:{h.port}
              </div>
            </>
          )}
        />
      </div>
    </aside>
  );
}
