import crypto from 'node:crypto';
import type Database from 'better-sqlite3';

// Cash put into or taken out of the drawer, recorded on the terminal (offline too) and sent to
// Odoo (`pos.session.try_cash_in_out`) by the sync. Odoo keeps no id of its own for it, so the
// reason carries a mark made here: a move whose answer was lost is found by it, not sent twice.

export interface CashMove {
  uid: string;
  sessionId: number;
  sessionName: string;
  type: 'in' | 'out';
  amount: number;
  /** The reason as Odoo records it, the mark included. */
  reason: string;
  state: 'pending' | 'synced' | 'parked';
  uncertain: boolean;
  lastError: string | null;
  createdAt: string;
}

export class CashMoves {
  constructor(private readonly db: Database.Database) {}

  record(move: { sessionId: number; sessionName: string; type: 'in' | 'out'; amount: number; reason: string }, now = new Date()): CashMove {
    const uid = crypto.randomUUID();
    const reason = `${move.reason.trim() || (move.type === 'in' ? 'Cash in' : 'Cash out')} [${uid.slice(0, 8)}]`;
    this.db
      .prepare("INSERT INTO cash_moves (uid, session_id, session_name, type, amount, reason, state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)")
      .run(uid, move.sessionId, move.sessionName, move.type, move.amount, reason, now.toISOString());
    return this.list().find((m) => m.uid === uid)!;
  }

  list(state?: 'pending' | 'synced' | 'parked'): CashMove[] {
    const rows = (state ? this.db.prepare('SELECT * FROM cash_moves WHERE state = ? ORDER BY created_at').all(state) : this.db.prepare('SELECT * FROM cash_moves ORDER BY created_at').all()) as Row[];
    return rows.map((r) => ({ uid: r.uid, sessionId: r.session_id, sessionName: r.session_name, type: r.type, amount: r.amount, reason: r.reason, state: r.state, uncertain: r.uncertain === 1, lastError: r.last_error, createdAt: r.created_at }));
  }

  markSending(uid: string): void {
    this.db.prepare('UPDATE cash_moves SET uncertain = 1 WHERE uid = ?').run(uid);
  }

  notSent(uid: string): void {
    this.db.prepare('UPDATE cash_moves SET uncertain = 0 WHERE uid = ?').run(uid);
  }

  park(uid: string, error: string): void {
    this.db.prepare("UPDATE cash_moves SET state = 'parked', uncertain = 0, last_error = ? WHERE uid = ?").run(error.slice(0, 2000), uid);
  }

  /** A person fixed the cause: the parked move is sent again. */
  requeue(uid: string): boolean {
    return this.db.prepare("UPDATE cash_moves SET state = 'pending' WHERE uid = ? AND state = 'parked'").run(uid).changes > 0;
  }



  counts(): { pending: number; parked: number } {
    const rows = this.db.prepare('SELECT state, count(*) AS n FROM cash_moves GROUP BY state').all() as Array<{ state: string; n: number }>;
    return { pending: rows.find((r) => r.state === 'pending')?.n ?? 0, parked: rows.find((r) => r.state === 'parked')?.n ?? 0 };
  }

  synced(uid: string, now = new Date()): void {
    this.db.prepare("UPDATE cash_moves SET state = 'synced', uncertain = 0, synced_at = ? WHERE uid = ?").run(now.toISOString(), uid);
  }
}

interface Row {
  uid: string;
  session_id: number;
  session_name: string;
  type: 'in' | 'out';
  amount: number;
  reason: string;
  state: 'pending' | 'synced' | 'parked';
  uncertain: number;
  last_error: string | null;
  created_at: string;
}
