import type Database from 'better-sqlite3';
import type { OfflineView } from '../../shared/pos.js';
import type { SyncStatus } from './sync-engine.js';

// How long Odoo has been out of reach, kept in the terminal's store so that a restart (a power
// cut, an update) does not make a week-long outage look new; and after how long the status bar
// warns the cashier. Card schemes cap what a shop may take offline (Square and Shopify stop
// offline card payments after about 24 hours), so 24 hours is the default.

export const DEFAULT_OFFLINE_WARNING_HOURS = 24;

export class OdooOutage {
  constructor(private readonly db: Database.Database) {}

  /**
   * After every sync round: the outage begins the first time Odoo is found unreachable and ends
   * once it answers. Idle (no round yet, e.g. just after a start) and a refused login change
   * nothing: the outage a restart interrupted goes on.
   */
  observe(status: SyncStatus, now = new Date()): void {
    // Written only when it changes: a round of a long outage takes no write lock from the sales.
    const known = this.since() !== null;
    if (status === 'offline' && !known) this.db.prepare('INSERT INTO odoo_outage (id, since) VALUES (1, ?) ON CONFLICT (id) DO NOTHING').run(now.toISOString());
    else if (status === 'online' && known) this.db.prepare('DELETE FROM odoo_outage').run();
  }

  private since(): string | null {
    return (this.db.prepare('SELECT since FROM odoo_outage WHERE id = 1').get() as { since: string } | undefined)?.since ?? null;
  }

  /** The terminal's threshold in hours; null puts the default back. */
  setWarnAfter(hours: number | null, now = new Date()): { hours: number } {
    if (hours === null) this.db.prepare('DELETE FROM offline_warning').run();
    else this.db.prepare('INSERT INTO offline_warning (id, hours, set_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET hours = excluded.hours, set_at = excluded.set_at').run(hours, now.toISOString());
    return { hours: this.warnAfterHours() };
  }

  warnAfterHours(): number {
    return (this.db.prepare('SELECT hours FROM offline_warning WHERE id = 1').get() as { hours: number } | undefined)?.hours ?? DEFAULT_OFFLINE_WARNING_HOURS;
  }

  /** Since when Odoo is out of reach (null: it answers), the threshold, and the orders not in Odoo (waiting or parked) with their total. */
  view(): OfflineView {
    const since = this.since();
    // The outbox's tally (POS migration 14): no read of the orders themselves.
    const waiting = this.db.prepare("SELECT total(orders) AS orders, total(amount) AS amount FROM outbox_tally WHERE state IN ('pending', 'parked')").get() as { orders: number; amount: number };
    return { since, warnAfterHours: this.warnAfterHours(), waitingOrders: waiting.orders, waitingAmount: waiting.amount };
  }
}
