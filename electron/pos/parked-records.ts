import type { ParkedRecordView } from '../../shared/pos-parked.js';
import type { CashMoves } from './cash-moves.js';
import type { PartnerOutbox } from './partner-outbox.js';

// What Odoo refused besides orders: parked cash moves and customers made at the till, listed so a
// person sees them before the closing refuses to go on, and sends each again once fixed.

export function parkedRecords(cashMoves: CashMoves, partners: PartnerOutbox): ParkedRecordView[] {
  const moves = cashMoves.list('parked').map(
    (m): ParkedRecordView => ({ kind: 'cashMove', uid: m.uid, label: `${m.type === 'in' ? 'Cash in' : 'Cash out'}: ${m.reason}`, amount: m.type === 'in' ? m.amount : -m.amount, lastError: m.lastError }),
  );
  const customers = partners.list('parked').map((p): ParkedRecordView => ({ kind: 'customer', uid: p.ref, label: typeof p.vals['name'] === 'string' ? p.vals['name'] : p.ref, amount: null, lastError: p.lastError }));
  return [...moves, ...customers];
}
