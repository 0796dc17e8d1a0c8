import type Database from 'better-sqlite3';
import type { RefundLinks } from './outbox.js';

// What the terminal keeps of the orders it synced, so that a tenant restored to an earlier backup
// does not lose them: each synced order's frozen payload and Odoo's id stay here for a retention
// window (30 days), with the database they went to. restore-check.ts looks them up in
// Odoo and queues the missing ones again through these methods.

/** How long a synced order is kept, so that a restore to a backup up to this old loses nothing. */
export const RETENTION_DAYS = 30;

/** A synced order as the restore check reads it. */
export interface SyncedOrder {
  uid: string;
  name: string;
  sessionId: number;
  payload: string;
  serverId: number | null;
  syncedAt: string;
}

/** A pending order whose payload may still change (never sent, or known not stored). */
export interface UnsentOrder {
  uid: string;
  sessionId: number;
  payload: string;
}

/** An unsent order's payload as it must go now, and the customer made here it waits for (made again), if any. */
export interface UnsentRewrite {
  uid: string;
  payload: string;
  partnerLocalId: number | null;
}

/** What the last check found; kept for the sync page and `pos status`. */
export interface RestoreCheckRecord {
  at: string;
  /** Synced orders looked for in Odoo. */
  checked: number;
  /** Not found there, and queued again (or waiting for a session to take them). */
  resent: number;
  waiting: number;
  /** Sessions Odoo no longer had, and where their orders go instead. */
  sessions: Array<{ lost: string; into: string | null }>;
  /** Why nothing was queued again although orders were missing (another database, say). */
  refused: string | null;
}

const CHECK_KEY = 'restore_check';

export class SyncedOrders {
  constructor(private readonly db: Database.Database) {}

  /** One page of the orders synced to `database` since `since`, oldest first. */
  page(database: string, since: string, after: { syncedAt: string; uid: string } | null, limit: number): SyncedOrder[] {
    const rows = this.db
      .prepare(
        `SELECT uid, name, session_id, payload, server_id, synced_at FROM outbox
         WHERE state = 'synced' AND synced_to = ? AND synced_at >= ? AND (synced_at, uid) > (?, ?)
         ORDER BY synced_at, uid LIMIT ?`,
      )
      .all(database, since, after?.syncedAt ?? '', after?.uid ?? '', limit) as Array<{ uid: string; name: string; session_id: number; payload: string; server_id: number | null; synced_at: string }>;
    return rows.map((r) => ({ uid: r.uid, name: r.name, sessionId: r.session_id, payload: r.payload, serverId: r.server_id, syncedAt: r.synced_at }));
  }

  /**
   * Orders not in Odoo whose payload may be rewritten: waiting (not for a customer) or parked (a
   * sale sent to a session Odoo no longer had is refused), and not possibly in Odoo already.
   */
  unsent(): UnsentOrder[] {
    const rows = this.db.prepare("SELECT uid, session_id, payload FROM outbox WHERE state IN ('pending', 'parked') AND uncertain = 0 AND partner_local_id IS NULL").all() as Array<{ uid: string; session_id: number; payload: string }>;
    return rows.map((r) => ({ uid: r.uid, sessionId: r.session_id, payload: r.payload }));
  }

  /** The name this terminal knows a session by (sessions opened here), if any. */
  sessionName(sessionId: number): string | null {
    return (this.db.prepare('SELECT name FROM pos_session WHERE id = ?').get(sessionId) as { name: string } | undefined)?.name ?? null;
  }

  /** A customer made here and created in Odoo under this id, if any. */
  partnerCreatedAs(serverId: number): { localId: number; ref: string } | null {
    const row = this.db.prepare("SELECT local_id, ref FROM partner_outbox WHERE server_id = ? AND state = 'synced'").get(serverId) as { local_id: number; ref: string } | undefined;
    return row ? { localId: row.local_id, ref: row.ref } : null;
  }

  /** Odoo no longer has the customer: made again by the next sync, under its reference. */
  partnerLost(localId: number): void {
    this.db.prepare("UPDATE partner_outbox SET state = 'pending', uncertain = 0, server_id = NULL, last_error = NULL WHERE local_id = ?").run(localId);
  }

  /** The sold line a refund line of this terminal gives back, by uuid (recorded with the refund). */
  soldUuidOf(refundLineUuid: string): string | null {
    return (this.db.prepare('SELECT sold_uuid FROM refund_ledger WHERE refund_line_uuid = ?').get(refundLineUuid) as { sold_uuid: string | null } | undefined)?.sold_uuid ?? null;
  }

  /** The order of this terminal holding a sold line (by its uuid), if any. */
  orderHoldingLine(lineUuid: string): string | null {
    return (this.db.prepare('SELECT uid FROM outbox WHERE instr(payload, ?) > 0 ORDER BY created_at LIMIT 1').get(`"${lineUuid}"`) as { uid: string } | undefined)?.uid ?? null;
  }

  /** Requeues these orders, rewrites these unsent ones and marks these customers lost, all or none; how many orders were requeued. */
  requeueAll(orders: ReadonlyArray<Parameters<SyncedOrders['requeue']>[0]>, lostCustomers: readonly number[], unsent: readonly UnsentRewrite[], now: Date): number {
    return this.db.transaction(() => {
      lostCustomers.forEach((localId) => this.partnerLost(localId));
      unsent.forEach((order) => this.rewriteUnsent(order, now));
      return orders.reduce((n, order) => n + this.requeue(order, now), 0);
    })();
  }

  /** A sale of this terminal Odoo holds (synced, with its id there), as a refund's link is found from it. */
  syncedSale(uid: string): { serverId: number; payload: string } | null {
    const row = this.db.prepare("SELECT server_id, payload FROM outbox WHERE uid = ? AND state = 'synced' AND server_id IS NOT NULL").get(uid) as { server_id: number; payload: string } | undefined;
    return row ? { serverId: row.server_id, payload: row.payload } : null;
  }

  /**
   * A synced order Odoo no longer has: pending again, as never sent (its payload rewritten for the
   * database as it is now), so the sync sends it once more; Odoo's own dedupe still guards it.
   */
  requeue(order: { uid: string; payload: string; partnerLocalId: number | null; refundLinks: RefundLinks | null }, now: Date): number {
    return this.db
      .prepare(
        `UPDATE outbox SET state = 'pending', uncertain = 0, attempts = 0, payload = ?, partner_local_id = ?, refund_links = ?,
           next_attempt_at = ?, resent_at = ?, missing_since = NULL, server_id = NULL, synced_at = NULL, synced_to = NULL,
           last_error = 'Synced earlier, but Odoo no longer has it (its database went back to an earlier backup): sent again.'
         WHERE uid = ? AND state = 'synced'`,
      )
      .run(order.payload, order.partnerLocalId, order.refundLinks ? JSON.stringify(order.refundLinks) : null, now.toISOString(), now.toISOString(), order.uid).changes;
  }

  /**
   * An order not in Odoo rewritten for the database as it is now (moved to the session that takes
   * its lost session's orders; waiting for a customer made again). One parked meanwhile (Odoo
   * refused the lost session) goes back in the queue: its cause is gone.
   */
  rewriteUnsent(order: UnsentRewrite, now: Date): void {
    this.db
      .prepare(
        `UPDATE outbox SET payload = ?, state = 'pending', next_attempt_at = ?, partner_local_id = coalesce(?, partner_local_id),
           last_error = CASE state WHEN 'parked' THEN 'Its session is no longer in Odoo (a restore): moved to the session that takes its orders, and sent again.' ELSE last_error END
         WHERE uid = ? AND state IN ('pending', 'parked') AND uncertain = 0`,
      )
      .run(order.payload, now.toISOString(), order.partnerLocalId, order.uid);
  }

  /** Missing from Odoo, but no session there can take them yet: they stay marked synced and wait. */
  markWaiting(uids: readonly string[], reason: string, now: Date): void {
    const stmt = this.db.prepare("UPDATE outbox SET missing_since = coalesce(missing_since, ?), last_error = ? WHERE uid = ? AND state = 'synced'");
    this.db.transaction(() => uids.forEach((uid) => stmt.run(now.toISOString(), reason, uid)))();
  }

  /** Found in Odoo (again): no longer waiting. */
  clearWaiting(uids: readonly string[]): void {
    const stmt = this.db.prepare("UPDATE outbox SET missing_since = NULL, last_error = NULL WHERE uid = ? AND missing_since IS NOT NULL");
    this.db.transaction(() => uids.forEach((uid) => stmt.run(uid)))();
  }

  /** Orders sent again after a restore since `since`, newest first (the sync page lists them). */
  resentSince(since: string, limit = 200): Array<{ name: string; resentAt: string; state: string }> {
    const rows = this.db.prepare('SELECT name, resent_at, state FROM outbox WHERE resent_at >= ? ORDER BY resent_at DESC, name LIMIT ?').all(since, limit) as Array<{ name: string; resent_at: string; state: string }>;
    return rows.map((r) => ({ name: r.name, resentAt: r.resent_at, state: r.state }));
  }

  waitingCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM outbox WHERE missing_since IS NOT NULL').get() as { n: number }).n;
  }

  /**
   * Synced orders past the window are let go, but never one of a session still open here (its Z
   * report is made from them) nor a sale a refund still waiting here names (its link is made from it).
   */
  prune(before: string): number {
    return this.db
      .prepare(
        `DELETE FROM outbox WHERE state = 'synced' AND synced_at < ?
           AND session_id NOT IN (SELECT id FROM pos_session WHERE state != 'closed')
           AND uid NOT IN (SELECT json_extract(refund_links, '$.of') FROM outbox WHERE refund_links IS NOT NULL)`,
      )
      .run(before).changes;
  }

  /** Where the retention window begins: orders synced since then are kept and checked. */
  windowStart(now: Date): string {
    return new Date(now.getTime() - RETENTION_DAYS * 86_400_000).toISOString();
  }

  lastCheck(): RestoreCheckRecord | null {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(CHECK_KEY) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as RestoreCheckRecord) : null;
  }

  recordCheck(record: RestoreCheckRecord): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(CHECK_KEY, JSON.stringify(record));
  }
}
