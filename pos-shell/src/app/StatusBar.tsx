import { useEffect, useState, type ReactNode } from 'react';
import { useLinkState } from '../../../ui-common/api/context.js';
import { formatWhen } from '../lib/format.js';
import { useUpdate } from '../lib/pwa.js';
import type { CurrencyFormat } from '../lib/catalog.js';
import type { TerminalState } from '../lib/terminal-status.js';
import type { Cashier } from './context.js';
import { OfflineWarning } from './OfflineWarning.js';

const SYNC_LABELS: Record<string, string> = {
  online: 'Online',
  offline: 'Offline',
  'auth-failed': 'Odoo refused the login',
  idle: 'Idle',
};

/** Where the terminal stands: Odoo reachable or not (warning after a long outage), orders waiting and parked, last sync, session, cashier. */
export function StatusBar({ terminal, configName, cashier, currency, children }: { terminal: TerminalState; configName: string; cashier: Cashier | null; currency?: CurrencyFormat; children?: ReactNode }) {
  const status = terminal.status;
  const sync = status?.sync.status ?? 'idle';
  const outbox = status?.outbox;
  useMinuteTick();
  return (
    <header className="status-bar" data-testid="status-bar">
      <div className="status-group">
        <span className="brand" aria-hidden="true">
          ◆
        </span>
        <span className="status-strong">{configName || 'Fleet POS'}</span>
        {status?.session ? (
          <span className="status-muted" data-testid="session-name">
            {status.session.name}
          </span>
        ) : null}
      </div>
      <div className="status-group" aria-live="polite">
        <span className={`pill pill-${sync}`} data-testid="sync-status" data-state={sync} title={status?.sync.lastError ?? undefined}>
          {SYNC_LABELS[sync] ?? sync}
        </span>
        <span className="status-item" data-testid="outbox-pending" data-count={outbox?.pending ?? 0}>
          Waiting: <strong>{outbox?.pending ?? 0}</strong>
        </span>
        {outbox?.parked ? (
          <span className="status-item status-warn" data-testid="outbox-parked" data-count={outbox.parked}>
            Parked: <strong>{outbox.parked}</strong>
          </span>
        ) : null}
        {status?.cashMoves?.parked ? (
          <span className="status-item status-warn" data-testid="cash-moves-parked" data-count={status.cashMoves.parked} title="Cash moves Odoo refused: see Sync">
            Cash moves parked: <strong>{status.cashMoves.parked}</strong>
          </span>
        ) : null}
        <span className="status-item status-muted" data-testid="last-sync">
          Synced {formatWhen(outbox?.lastSyncedAt)}
        </span>
      </div>
      <div className="status-group">
        {cashier ? (
          <span className="status-item" data-testid="cashier-name" title="Cashier">
            <span className="status-muted">Cashier </span>
            <strong>{cashier.name}</strong>
          </span>
        ) : null}
        {children}
      </div>
      <OfflineWarning offline={status?.offline} currency={currency} />
    </header>
  );
}

/** Re-render now and then so "last sync" times stay right. */
function useMinuteTick() {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 60_000);
    return () => clearInterval(timer);
  }, []);
}

/** The link to the terminal's own service (not to Odoo) is down: it reconnects by itself. */
export function LinkBanner() {
  const link = useLinkState();
  if (link !== 'disconnected') return null;
  return (
    <div className="link-banner" role="alert" data-testid="link-banner">
      Lost the connection to the terminal service — reconnecting by itself once it runs again (this page stays signed in across its restarts).
    </div>
  );
}

/**
 * A new version of the app is ready. Offered only between sales (`canReload`): reloading in the
 * middle of one would throw the cashier out of the payment screen.
 */
export function UpdatePrompt({ canReload }: { canReload: boolean }) {
  const update = useUpdate();
  if (!update.ready || !canReload) return null;
  return (
    <div className="update-prompt" role="status" data-testid="update-prompt">
      Update ready.
      <button type="button" className="btn btn-small" onClick={update.apply} data-testid="update-reload">
        Reload
      </button>
    </div>
  );
}
