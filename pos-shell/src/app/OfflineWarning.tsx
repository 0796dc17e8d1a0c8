import { useEffect, useState } from 'react';
import type { OfflineView } from '../../../shared/pos.js';
import type { CurrencyFormat } from '../lib/catalog.js';
import { formatWhen, money } from '../lib/format.js';

const HOUR_MS = 3_600_000;
/** setTimeout's longest delay (about 24.8 days): a later warning is scheduled again on the way. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Odoo out of reach for longer than the terminal's threshold (pos offline-warning): since when,
 * and how many orders wait on this terminal alone, with their total. Shown from the moment the
 * threshold passes, without waiting for the next event; gone once Odoo answers (since: null).
 */
export function OfflineWarning({ offline, currency }: { offline: OfflineView | undefined; currency: CurrencyFormat | undefined }) {
  const dueAt = offline?.since ? Date.parse(offline.since) + offline.warnAfterHours * HOUR_MS : NaN;
  // Re-rendered when the threshold passes (timed from now, not from the last render).
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const left = dueAt - Date.now();
    if (!Number.isFinite(dueAt) || left < 0) return;
    const timer = setTimeout(() => setTick((n) => n + 1), Math.min(MAX_TIMER_MS, left + 50));
    return () => clearTimeout(timer);
  }, [dueAt, tick]);
  if (!offline?.since || !Number.isFinite(dueAt) || Date.now() < dueAt) return null;
  const hours = Math.floor((Date.now() - Date.parse(offline.since)) / HOUR_MS);
  const orders = offline.waitingOrders;
  return (
    <div className="offline-warning" role="alert" data-testid="offline-warning" data-orders={orders}>
      <strong>Odoo out of reach since {formatWhen(offline.since)}</strong>
      {hours >= 1 ? ` (${hours} h)` : ''}: <span data-testid="offline-warning-orders">{orders}</span> order{orders === 1 ? '' : 's'} wait on this terminal only
      {currency ? (
        <>
          , <span data-testid="offline-warning-total">{money(offline.waitingAmount, currency)}</span> in total
        </>
      ) : null}
      . Get the connection to Odoo back (network, server), or export the orders to a terminal that reaches it.
    </div>
  );
}
