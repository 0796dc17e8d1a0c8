import { lazy, Suspense, useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useClient, useLinkState } from '../../../ui-common/api/context.js';
import type { HostList } from '../lib/hosts-store.js';
import type { PrefilledDraft } from '../lib/host-draft.js';
import { href, navigate, useRoute, type Route } from '../lib/router.js';
import { SessionProvider, type SessionInfo } from '../lib/session.js';
import { Sidebar } from './Sidebar.js';
import { Overview } from '../pages/Overview.js';
import { Dashboard } from '../pages/Dashboard.js';
import { HostPage } from '../pages/HostPage.js';

// Rarely used pages load on demand to keep the first render small. The host page does not: loaded
// on demand, its first opening waits for its chunk and then React's 300 ms throttle on revealing a
// suspended page before it even asks for the host's containers (5,000 containers: 200 → 850 ms).
const AddHostPage = lazy(() => import('../pages/AddHost.js').then((m) => ({ default: m.AddHostPage })));
const ImportPage = lazy(() => import('../pages/ImportSsh.js').then((m) => ({ default: m.ImportPage })));
const CreateTenantPage = lazy(() => import('../pages/CreateTenant.js').then((m) => ({ default: m.CreateTenantPage })));
const TenantPage = lazy(() => import('../pages/TenantPage.js').then((m) => ({ default: m.TenantPage })));
const JobsPage = lazy(() => import('../pages/Jobs.js').then((m) => ({ default: m.JobsPage })));
const JobPage = lazy(() => import('../pages/Jobs.js').then((m) => ({ default: m.JobPage })));
const AuditPage = lazy(() => import('../pages/Audit.js').then((m) => ({ default: m.AuditPage })));
const BackupKeysPage = lazy(() => import('../pages/BackupKeys.js').then((m) => ({ default: m.BackupKeysPage })));

function titleOf(route: Route, hostName: string | undefined): string {
  switch (route.page) {
    case 'host':
      return hostName ?? 'Host';
    case 'add':
      return 'Add host';
    case 'import':
      return 'Import from ~/.ssh/config';
    case 'audit':
      return 'Audit trail';
    case 'keys':
      return 'Backup keys';
    case 'createTenant':
      return route.jobId ? `Create tenant · ${hostName ?? 'host'}` : `Create tenant on ${hostName ?? 'host'}`;
    case 'tenant':
      return `${route.name} · ${hostName ?? 'host'}`;
    case 'jobs':
      return 'Jobs';
    case 'job':
      return 'Job';
    case 'overview':
      return 'Host connections';
    default:
      return 'Fleet dashboard';
  }
}

export function Shell({ vaultWarning, session, hosts }: { vaultWarning: string | undefined; session: SessionInfo; hosts: HostList }) {
  const store = useSyncExternalStore(hosts.subscribe, hosts.snapshot);
  const route = useRoute();
  const link = useLinkState();
  const [prefill, setPrefill] = useState<{ value: PrefilledDraft; version: number } | null>(null);
  const [warningHidden, setWarningHidden] = useState(false);
  const wasDown = useRef(false);
  const { refetch } = store;

  // Events sent while the link was down are lost: reload the list when it comes back.
  useEffect(() => {
    if (link === 'disconnected') wasDown.current = true;
    else if (link === 'connected' && wasDown.current) {
      wasDown.current = false;
      refetch();
    }
  }, [link, refetch]);

  const currentHost =
    route.page === 'host' ? store.byId.get(route.id) : route.page === 'createTenant' || route.page === 'tenant' ? store.byId.get(route.hostId) : undefined;
  const title = titleOf(route, currentHost?.name);

  useEffect(() => {
    document.title = `${title} · Fleet Console`;
  }, [title]);

  const pickPrefill = useCallback((value: PrefilledDraft) => {
    setPrefill((p) => ({ value, version: (p?.version ?? 0) + 1 }));
    navigate(href.add);
  }, []);

  // Until the first list (asked for as the page started) is in: one line, rather than a whole
  // frame rendered and laid out empty only to be done again a moment later.
  if (store.hosts === null && store.error === null) return <div className="boot">Loading hosts…</div>;

  let page;
  switch (route.page) {
    case 'host':
      page = (
        <HostPage
          key={route.id}
          hostId={route.id}
          host={currentHost}
          hostsLoaded={store.hosts !== null}
          hostsById={store.byId}
          onChanged={refetch}
        />
      );
      break;
    case 'add':
      page = (
        <AddHostPage
          key={prefill?.version ?? 0}
          prefill={prefill?.value ?? null}
          hosts={store.hosts ?? []}
          onAdded={(id) => {
            setPrefill(null);
            refetch();
            navigate(href.host(id));
          }}
        />
      );
      break;
    case 'import':
      page = <ImportPage hosts={store.hosts ?? []} onPick={pickPrefill} />;
      break;
    case 'createTenant':
      page = <CreateTenantPage key={`${route.hostId}/${route.jobId ?? ''}`} hostId={route.hostId} jobId={route.jobId} host={currentHost} />;
      break;
    case 'tenant':
      page = <TenantPage key={`${route.hostId}/${route.name}`} hostId={route.hostId} name={route.name} host={currentHost} hostsById={store.byId} />;
      break;
    case 'jobs':
      page = <JobsPage hostName={(id) => store.byId.get(id)?.name} />;
      break;
    case 'job':
      page = <JobPage key={route.id} id={route.id} />;
      break;
    case 'audit':
      page = <AuditPage hostName={(id) => store.byId.get(id)?.name} />;
      break;
    case 'keys':
      page = <BackupKeysPage />;
      break;
    case 'overview':
      page = <Overview store={store} />;
      break;
    default:
      page = <Dashboard store={store} />;
  }

  return (
    <SessionProvider session={session}>
      <div className="shell">
        <Sidebar store={store} route={route} />
        <div className="main">
          <header className="topbar">
            <h1 className="page-title" data-testid="page-title">
              {title}
            </h1>
            <SessionCorner session={session} />
          </header>
          {vaultWarning && !warningHidden ? (
            <div className="notice notice-warn notice-bar" data-testid="vault-warning" role="status">
              <span>{vaultWarning}</span>
              <button type="button" className="btn btn-small btn-ghost" onClick={() => setWarningHidden(true)}>
                Dismiss
              </button>
            </div>
          ) : null}
          <main className="content" id="content">
            <Suspense fallback={<div className="loading">Loading…</div>}>{page}</Suspense>
          </main>
        </div>
      </div>
    </SessionProvider>
  );
}

function SessionCorner({ session }: { session: SessionInfo }) {
  const { kind } = useClient();
  return (
    <div className="session" data-testid="session-info" title={`Fleet ${session.program} ${session.version} · ${kind === 'electron' ? 'desktop' : 'web'} mode`}>
      <span className="session-actor" data-testid="session-actor">
        {session.actor}
      </span>
      <span className={`role role-${session.role}`} data-testid="session-role">
        {session.role}
      </span>
    </div>
  );
}
