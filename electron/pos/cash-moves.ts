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
  state: 'pending' | 'synced';
  uncertain: boolean;
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

  list(state?: 'pending' | 'synced'): CashMove[] {
    const rows = (state ? this.db.prepare('SELECT * FROM cash_moves WHERE state = ? ORDER BY created_at').all(state) : this.db.prepare('SELECT * FROM cash_moves ORDER BY created_at').all()) as Row[];
    return rows.map((r) => ({ uid: r.uid, sessionId: r.session_id, sessionName: r.session_name, type: r.type, amount: r.amount, reason: r.reason, state: r.state, uncertain: r.uncertain === 1, createdAt: r.created_at }));
  }

  markSending(uid: string): void {
    this.db.prepare('UPDATE cash_moves SET uncertain = 1 WHERE uid = ?').run(uid);
  }

  notSent(uid: string): void {
    this.db.prepare('UPDATE cash_moves SET uncertain = 0 WHERE uid = ?').run(uid);
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
  state: 'pending' | 'synced';
  uncertain: number;
  created_at: string;
}
