import type { Api } from '../../../shared/api.js';
import type { EventPayload } from '../../../shared/contract.js';
import type { HostView } from '../../../shared/hosts.js';
import { toFleetError, type FleetError } from './errors.js';

type ConnectionEvent = EventPayload<'hosts.connection'>;

/** The host list as the pages see it at one moment; a new object whenever anything in it changed. */
export interface HostsStore {
  /** Sorted by name. */
  hosts: readonly HostView[] | null;
  byId: ReadonlyMap<string, HostView>;
  error: FleetError | null;
  loading: boolean;
  refetch: () => void;
}

/** The live host list of the page (a store for useSyncExternalStore). */
export interface HostList {
  snapshot: () => HostsStore;
  subscribe: (listener: () => void) => () => void;
  refetch: () => void;
}

function applyEvent(host: HostView, ev: ConnectionEvent): HostView {
  const c = host.connection;
  if (c.state === ev.state && c.lastError === ev.lastError && c.since === ev.at) return host;
  return { ...host, connection: { state: ev.state, lastError: ev.lastError, since: ev.at } };
}

const FLUSH_MS = 120;
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
const REFETCH_DEBOUNCE_MS = 250;

/**
 * The host list, asked for at once and kept live for the page's lifetime: it is created when the
 * page starts, before the UI's code has loaded, so the list is on its way while that compiles.
 * `hosts.connection` events are batched (thousands of hosts may change state at once) and applied
 * in one pass; `hosts.changed` triggers a debounced refetch. The newest event per host is
 * remembered so a refetch that raced an event does not roll its state back.
 */
export function createHostList(api: Api): HostList {
  const listeners = new Set<() => void>();
  const latest = new Map<string, ConnectionEvent>();
  let pending = new Map<string, ConnectionEvent>();
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let refetchTimer: ReturnType<typeof setTimeout> | null = null;
  let seq = 0;
  let current: HostsStore = { hosts: null, byId: new Map(), error: null, loading: false, refetch };

  function publish(changes: Partial<Pick<HostsStore, 'hosts' | 'error' | 'loading'>>) {
    const hosts = changes.hosts === undefined ? current.hosts : changes.hosts;
    const byId = hosts === current.hosts ? current.byId : new Map((hosts ?? []).map((h) => [h.id, h] as const));
    current = { ...current, ...changes, hosts, byId };
    for (const listener of listeners) listener();
  }

  function refetch() {
    const mine = ++seq;
    if (!current.loading) publish({ loading: true });
    api.call('hosts.list', {}).then(
      (list) => {
        if (mine !== seq) return;
        // Sorted once here; event batches keep the order, so views never re-sort 5,000 rows.
        const merged = list
          .map((h) => {
            const ev = latest.get(h.id);
            return ev && (!h.connection.since || ev.at > h.connection.since) ? applyEvent(h, ev) : h;
          })
          .sort((a, b) => collator.compare(a.name, b.name));
        publish({ hosts: merged, error: null, loading: false });
      },
      (e: unknown) => {
        if (mine !== seq) return;
        publish({ error: toFleetError(e), loading: false });
      },
    );
  }

  const flush = () => {
    flushTimer = null;
    const batch = pending;
    pending = new Map();
    if (batch.size === 0 || !current.hosts) return;
    publish({ hosts: current.hosts.map((h) => (batch.has(h.id) ? applyEvent(h, batch.get(h.id)!) : h)) });
  };
  api.on('hosts.connection', (ev) => {
    latest.set(ev.hostId, ev);
    pending.set(ev.hostId, ev);
    flushTimer ??= setTimeout(flush, FLUSH_MS);
  });
  api.on('hosts.changed', (ev) => {
    if (ev.change === 'removed') latest.delete(ev.hostId);
    if (refetchTimer) clearTimeout(refetchTimer);
    refetchTimer = setTimeout(() => {
      refetchTimer = null;
      refetch();
    }, REFETCH_DEBOUNCE_MS);
  });
  // Subscribed first, then asked: no event can fall between the list and the subscriptions.
  refetch();

  return {
    snapshot: () => current,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refetch,
  };
}
