import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Api } from '../../../shared/api.js';
import type { EventPayload } from '../../../shared/contract.js';
import type { HostView } from '../../../shared/hosts.js';
import { toFleetError, type FleetError } from './errors.js';

type ConnectionEvent = EventPayload<'hosts.connection'>;

export interface HostsStore {
  /** Sorted by name. */
  hosts: readonly HostView[] | null;
  byId: ReadonlyMap<string, HostView>;
  error: FleetError | null;
  loading: boolean;
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
 * The host list, kept live: `hosts.connection` events are batched (thousands of hosts may change
 * state at once) and applied in one pass; `hosts.changed` triggers a debounced refetch. The newest
 * event per host is remembered so a refetch that raced an event does not roll its state back.
 */
export function useHostsStore(api: Api, enabled: boolean): HostsStore {
  const [hosts, setHosts] = useState<readonly HostView[] | null>(null);
  const [error, setError] = useState<FleetError | null>(null);
  const [loading, setLoading] = useState(false);
  const seq = useRef(0);
  const latest = useRef(new Map<string, ConnectionEvent>());
  const pending = useRef(new Map<string, ConnectionEvent>());
  const flushTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const refetch = useCallback(() => {
    const mine = ++seq.current;
    setLoading(true);
    api.call('hosts.list', {}).then(
      (list) => {
        if (mine !== seq.current) return;
        // Sorted once here; event batches keep the order, so views never re-sort 5,000 rows.
        const merged = list
          .map((h) => {
            const ev = latest.current.get(h.id);
            return ev && (!h.connection.since || ev.at > h.connection.since) ? applyEvent(h, ev) : h;
          })
          .sort((a, b) => collator.compare(a.name, b.name));
        setHosts(merged);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        setError(toFleetError(e));
        setLoading(false);
      },
    );
  }, [api]);

  useEffect(() => {
    if (!enabled) return;
    refetch();
    const flush = () => {
      flushTimer.current = null;
      const batch = pending.current;
      if (batch.size === 0) return;
      pending.current = new Map();
      setHosts((prev) => (prev ? prev.map((h) => (batch.has(h.id) ? applyEvent(h, batch.get(h.id)!) : h)) : prev));
    };
    const offConn = api.on('hosts.connection', (ev) => {
      latest.current.set(ev.hostId, ev);
      pending.current.set(ev.hostId, ev);
      flushTimer.current ??= setTimeout(flush, FLUSH_MS);
    });
    const offChanged = api.on('hosts.changed', (ev) => {
      if (ev.change === 'removed') latest.current.delete(ev.hostId);
      if (refetchTimer.current) clearTimeout(refetchTimer.current);
      refetchTimer.current = setTimeout(() => {
        refetchTimer.current = null;
        refetch();
      }, REFETCH_DEBOUNCE_MS);
    });
    return () => {
      offConn();
      offChanged();
      if (flushTimer.current) clearTimeout(flushTimer.current);
      if (refetchTimer.current) clearTimeout(refetchTimer.current);
      flushTimer.current = refetchTimer.current = null;
    };
  }, [api, enabled, refetch]);

  const byId = useMemo(() => new Map((hosts ?? []).map((h) => [h.id, h] as const)), [hosts]);
  return { hosts, byId, error, loading, refetch };
}
