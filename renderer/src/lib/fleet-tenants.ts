import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api } from '../../../shared/api.js';
import type { HostView } from '../../../shared/hosts.js';
import type { TenantView } from '../../../shared/tenant-views.js';
import { toFleetError, type FleetError } from './errors.js';
import { useIntervalRefresh } from './use-interval-refresh.js';

// The dashboard's data: every connected host's tenants (tenants.list, a few hosts at a time),
// refreshed periodically and when a job on one of them finishes; and each host's disk and memory
// (hosts.overview), fetched only for hosts on screen and at most every 30 s per host; with each
// host's tenants, its backup schedules (backups.policies), for the tenants whose newest backup is
// overdue. Results are
// kept in mutable maps and published by a version number, batched, so that thousands of hosts
// answering one by one cost one render per batch rather than one copy of the map per answer.

export interface HostTenants {
  tenants: readonly TenantView[] | null;
  error: FleetError | null;
  loading: boolean;
  fetchedAt: number | null;
}

/** A host's backup schedules as the dashboard needs them: which tenants' newest backup is overdue. */
export interface HostPolicies {
  /** Tenant names with a schedule whose newest backup is overdue. */
  overdue: ReadonlySet<string>;
  scheduled: number;
  /** Listing failed (a host without a database server has no schedules). */
  error: FleetError | null;
}

export interface HostResources {
  disk: { totalBytes: number; usedBytes: number; availableBytes: number } | null;
  memory: { totalBytes: number; availableBytes: number } | null;
  error: FleetError | null;
  fetchedAt: number;
}

const TENANTS_CONCURRENCY = 6;
const RESOURCES_CONCURRENCY = 4;
export const TENANTS_REFRESH_MS = 20_000;
export const RESOURCES_MIN_INTERVAL_MS = 30_000;
const FLUSH_MS = 80;
const EVENT_DEBOUNCE_MS = 300;

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** `tenant:<hostId>/<name>` → hostId. */
export function hostOfTarget(target: unknown): string | null {
  if (typeof target !== 'string') return null;
  const m = /^tenant:([^/]+)\//.exec(target);
  return m?.[1] ?? null;
}

/** A queue that runs at most `limit` calls at once and never the same key twice at a time. */
function createPump(limit: number, run: (key: string) => Promise<void>) {
  const queue: string[] = [];
  const queued = new Set<string>();
  const inflight = new Set<string>();
  const again = new Set<string>();
  let stopped = false;
  const pump = () => {
    while (!stopped && inflight.size < limit && queue.length > 0) {
      const key = queue.shift()!;
      queued.delete(key);
      inflight.add(key);
      void run(key).finally(() => {
        inflight.delete(key);
        if (again.delete(key)) push(key);
        pump();
      });
    }
  };
  const push = (key: string) => {
    if (stopped) return;
    if (inflight.has(key)) {
      again.add(key);
      return;
    }
    if (queued.has(key)) return;
    queued.add(key);
    queue.push(key);
    pump();
  };
  return {
    push,
    busy: (key: string) => inflight.has(key) || queued.has(key),
    stop() {
      stopped = true;
      queue.length = 0;
      queued.clear();
      again.clear();
    },
  };
}

export interface FleetTenants {
  /** Bumped whenever any entry changes; memoize derived data on it. */
  version: number;
  tenants: ReadonlyMap<string, HostTenants>;
  resources: ReadonlyMap<string, HostResources>;
  policies: ReadonlyMap<string, HostPolicies>;
  /** Reload one host's tenants, or every connected host's. */
  refresh: (hostId?: string) => void;
  /** A host is on screen: fetch its disk and memory unless fetched in the last 30 s. */
  wantResources: (hostId: string) => void;
}

export function useFleetTenants(api: Api, hosts: readonly HostView[] | null): FleetTenants {
  const [version, setVersion] = useState(0);
  const tenants = useRef(new Map<string, HostTenants>());
  const resources = useRef(new Map<string, HostResources>());
  const policies = useRef(new Map<string, HostPolicies>());
  const flushTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const hostsRef = useRef(hosts);
  useEffect(() => {
    hostsRef.current = hosts;
  });

  const changed = useCallback(() => {
    flushTimer.current ??= setTimeout(() => {
      flushTimer.current = null;
      setVersion((v) => v + 1);
    }, FLUSH_MS);
  }, []);

  const pumps = useRef<{ tenants: ReturnType<typeof createPump>; resources: ReturnType<typeof createPump> } | null>(null);
  if (pumps.current === null) {
    pumps.current = {
      tenants: createPump(TENANTS_CONCURRENCY, async (hostId) => {
        const prev = tenants.current.get(hostId);
        tenants.current.set(hostId, { tenants: prev?.tenants ?? null, error: prev?.error ?? null, loading: true, fetchedAt: prev?.fetchedAt ?? null });
        changed();
        // The host's backup schedules alongside (same slot, so the same limit); a failure only loses the flag.
        const schedules = api.call('backups.policies', { hostId }).then(
          (list) => {
            const overdue = new Set<string>();
            for (const p of list) if (p.overdue) overdue.add(p.tenant);
            policies.current.set(hostId, { overdue, scheduled: list.length, error: null });
            changed();
          },
          (e: unknown) => {
            const prev = policies.current.get(hostId);
            policies.current.set(hostId, { overdue: prev?.overdue ?? new Set(), scheduled: prev?.scheduled ?? 0, error: toFleetError(e) });
            changed();
          },
        );
        try {
          const list = await api.call('tenants.list', { hostId });
          tenants.current.set(hostId, { tenants: [...list].sort((a, b) => collator.compare(a.name, b.name)), error: null, loading: false, fetchedAt: Date.now() });
        } catch (e) {
          tenants.current.set(hostId, { tenants: prev?.tenants ?? null, error: toFleetError(e), loading: false, fetchedAt: Date.now() });
        }
        changed();
        await schedules;
      }),
      resources: createPump(RESOURCES_CONCURRENCY, async (hostId) => {
        try {
          const o = await api.call('hosts.overview', { id: hostId });
          resources.current.set(hostId, { disk: o.disk, memory: o.memory, error: null, fetchedAt: Date.now() });
        } catch (e) {
          const prev = resources.current.get(hostId);
          resources.current.set(hostId, { disk: prev?.disk ?? null, memory: prev?.memory ?? null, error: toFleetError(e), fetchedAt: Date.now() });
        }
        changed();
      }),
    };
  }

  useEffect(() => {
    const p = pumps.current;
    return () => {
      p?.tenants.stop();
      p?.resources.stop();
      if (flushTimer.current) clearTimeout(flushTimer.current);
      flushTimer.current = null;
    };
  }, []);

  const refresh = useCallback((hostId?: string) => {
    const p = pumps.current!;
    if (hostId) {
      p.tenants.push(hostId);
      return;
    }
    for (const h of hostsRef.current ?? []) if (h.connection.state === 'connected') p.tenants.push(h.id);
  }, []);

  // Connected hosts without a listing yet (first load, or a host that just came back); forget removed hosts.
  useEffect(() => {
    if (!hosts) return;
    const p = pumps.current!;
    const ids = new Set<string>();
    for (const h of hosts) {
      ids.add(h.id);
      if (h.connection.state !== 'connected') continue;
      const entry = tenants.current.get(h.id);
      if (!entry) p.tenants.push(h.id);
      else if (entry.error && !p.tenants.busy(h.id) && Date.now() - (entry.fetchedAt ?? 0) > 5_000) p.tenants.push(h.id);
    }
    let removed = false;
    for (const id of [...tenants.current.keys()]) if (!ids.has(id)) removed = tenants.current.delete(id) || removed;
    for (const id of [...resources.current.keys()]) if (!ids.has(id)) removed = resources.current.delete(id) || removed;
    for (const id of [...policies.current.keys()]) if (!ids.has(id)) removed = policies.current.delete(id) || removed;
    if (removed) changed();
  }, [hosts, changed]);

  // A finished job changed some tenant: reload its host (debounced: jobs often finish in bursts).
  useEffect(() => {
    const pending = new Set<string>();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = api.on('jobs.finished', (ev) => {
      const hostId = hostOfTarget((ev as { target?: unknown }).target);
      if (!hostId) return;
      pending.add(hostId);
      timer ??= setTimeout(() => {
        timer = null;
        for (const id of pending) pumps.current?.tenants.push(id);
        pending.clear();
      }, EVENT_DEBOUNCE_MS);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [api]);

  useIntervalRefresh(
    async () => {
      refresh();
    },
    TENANTS_REFRESH_MS,
    hosts !== null,
  );

  const wantResources = useCallback((hostId: string) => {
    const p = pumps.current!;
    const entry = resources.current.get(hostId);
    if (entry && Date.now() - entry.fetchedAt < RESOURCES_MIN_INTERVAL_MS) return;
    if (p.resources.busy(hostId)) return;
    p.resources.push(hostId);
  }, []);

  return { version, tenants: tenants.current, resources: resources.current, policies: policies.current, refresh, wantResources };
}
