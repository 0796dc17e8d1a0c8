import { useCallback, useEffect, useRef, useState } from 'react';
import type { OpOutput } from '../../../shared/contract.js';
import { useApi, useLinkState } from '../../../ui-common/api/context.js';
import { toFleetError, type FleetError } from './errors.js';

export type TerminalStatus = OpOutput<'pos.status'>;

export interface TerminalState {
  status: TerminalStatus | null;
  error: FleetError | null;
  reload(): Promise<void>;
}

/**
 * The terminal as pos.status describes it, kept current by the pos.outbox events (every sale and
 * sync round) and read again whenever the link to the service comes back.
 */
export function useTerminalStatus(): TerminalState {
  const api = useApi();
  const link = useLinkState();
  const [status, setStatus] = useState<TerminalStatus | null>(null);
  const [error, setError] = useState<FleetError | null>(null);
  const wasDown = useRef(false);

  const reload = useCallback(async () => {
    try {
      setStatus(await api.call('pos.status', {}));
      setError(null);
    } catch (e) {
      setError(toFleetError(e));
    }
  }, [api]);

  useEffect(() => {
    void reload();
  }, [reload]);

  useEffect(
    () =>
      api.on('pos.outbox', (payload) => {
        const { sync, offline, ...outbox } = payload;
        setStatus((current) => (current ? { ...current, outbox, sync, ...(offline ? { offline } : {}) } : current));
        // The event carries the orders' counts only: cash moves and customers (parked by a round too) are read again.
        void reload();
      }),
    [api, reload],
  );

  useEffect(() => {
    if (link === 'disconnected') wasDown.current = true;
    else if (link === 'connected' && wasDown.current) {
      wasDown.current = false;
      void reload();
    }
  }, [link, reload]);

  return { status, error, reload };
}
