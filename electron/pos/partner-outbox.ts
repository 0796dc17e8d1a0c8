import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import { FleetError } from '../../shared/errors.js';

// Customers created on the terminal while it may be offline. Each gets a negative local id, which
// a sale may name at once; such a sale is held — never sent — until Odoo has created the customer,
// and then its payload is written once more with the real id, before its first send, and frozen.
// The customer carries a reference (`ref`) made here, so a creation whose answer was lost is
// found on the server instead of made twice.

export interface LocalPartner {
  localId: number;
  ref: string;
  vals: Record<string, unknown>;
  state: 'pending' | 'synced' | 'parked';
  uncertain: boolean;
  serverId: number | null;
  lastError: string | null;
}

export class PartnerOutbox {
  constructor(private readonly db: Database.Database) {}

  create(vals: Record<string, unknown>, now = new Date()): LocalPartner {
    return this.db.transaction(() => {
      const lowest = (this.db.prepare('SELECT min(local_id) AS n FROM partner_outbox').get() as { n: number | null }).n ?? 0;
      const localId = Math.min(lowest, 0) - 1;
      const ref = `fleet-pos-${crypto.randomUUID()}`;
      this.db.prepare("INSERT INTO partner_outbox (local_id, ref, vals, state, created_at) VALUES (?, ?, ?, 'pending', ?)").run(localId, ref, JSON.stringify({ ...vals, ref }), now.toISOString());
      return this.get(localId)!;
    })();
  }

  get(localId: number): LocalPartner | null {
    const row = this.db.prepare('SELECT * FROM partner_outbox WHERE local_id = ?').get(localId) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  list(state?: 'pending' | 'synced' | 'parked'): LocalPartner[] {
    const rows = state ? this.db.prepare('SELECT * FROM partner_outbox WHERE state = ? ORDER BY local_id DESC').all(state) : this.db.prepare('SELECT * FROM partner_outbox ORDER BY local_id DESC').all();
    return (rows as Row[]).map(fromRow);
  }

  /** About to ask Odoo to create it: until the answer is recorded, a restart looks for it first. */
  markSending(localId: number): void {
    this.db.prepare('UPDATE partner_outbox SET uncertain = 1 WHERE local_id = ?').run(localId);
  }

  park(localId: number, error: string): void {
    this.db.prepare("UPDATE partner_outbox SET state = 'parked', uncertain = 0, last_error = ? WHERE local_id = ?").run(error.slice(0, 2000), localId);
  }

  /** A person fixed the customer's data: created again by the next sync. */
  requeue(ref: string): boolean {
    return this.db.prepare("UPDATE partner_outbox SET state = 'pending' WHERE ref = ? AND state = 'parked'").run(ref).changes > 0;
  }

  counts(): { pending: number; parked: number } {
    const rows = this.db.prepare('SELECT state, count(*) AS n FROM partner_outbox GROUP BY state').all() as Array<{ state: string; n: number }>;
    return { pending: rows.find((r) => r.state === 'pending')?.n ?? 0, parked: rows.find((r) => r.state === 'parked')?.n ?? 0 };
  }

  failed(localId: number, error: string, options: { uncertain: boolean }): void {
    this.db.prepare('UPDATE partner_outbox SET last_error = ?, uncertain = ? WHERE local_id = ?').run(error.slice(0, 2000), options.uncertain ? 1 : 0, localId);
  }

  /**
   * Odoo has the customer: recorded, and every sale held for it gets the real id in its payload
   * (through `rewrite`) and is released, in one transaction.
   */
  synced(localId: number, serverId: number, rewrite: (payload: string, partnerId: number) => string): number {
    return this.db.transaction(() => {
      this.db.prepare("UPDATE partner_outbox SET state = 'synced', uncertain = 0, server_id = ?, last_error = NULL WHERE local_id = ?").run(serverId, localId);
      const held = this.db.prepare("SELECT uid, payload, attempts FROM outbox WHERE partner_local_id = ? AND state = 'pending'").all(localId) as Array<{ uid: string; payload: string; attempts: number }>;
      const update = this.db.prepare('UPDATE outbox SET payload = ?, partner_local_id = NULL, last_error = NULL WHERE uid = ?');
      for (const order of held) {
        // A held order was never sent: writing its payload now keeps every send byte for byte the same.
        if (order.attempts > 0) throw new FleetError('INTERNAL', `Order ${order.uid} was sent while it waited for its customer.`);
        update.run(rewrite(order.payload, serverId), order.uid);
      }
      return held.length;
    })();
  }
}

interface Row {
  local_id: number;
  ref: string;
  vals: string;
  state: 'pending' | 'synced' | 'parked';
  uncertain: number;
  server_id: number | null;
  last_error: string | null;
}

function fromRow(r: Row): LocalPartner {
  return { localId: r.local_id, ref: r.ref, vals: JSON.parse(r.vals) as Record<string, unknown>, state: r.state, uncertain: r.uncertain === 1, serverId: r.server_id, lastError: r.last_error };
}
