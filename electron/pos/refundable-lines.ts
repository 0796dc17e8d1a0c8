import type Database from 'better-sqlite3';
import type { RefundedLine } from '../../shared/pos/sale-check.js';
import type { Outbox } from './outbox.js';

// What a refund line may give back, as the terminal itself saw it: a line of an order found in Odoo
// (pos.findOrders read it from there: its price, discount, taxes, quantity and what was refunded
// already) or a line of a sale stored here. A refund naming a line the terminal never saw, or at
// another price, is refused by the price check: a page cannot pay cash out through a made-up refund.

export class RefundableLines {
  constructor(
    private readonly db: Database.Database,
    private readonly outbox: Outbox,
  ) {}

  /** Lines of paid orders just read from Odoo (their refunded quantity as Odoo counts it). */
  remember(lines: ReadonlyArray<{ id: number; priceUnit: number; discount: number; taxIds: readonly number[]; qty: number; refundedQty: number }>): void {
    const upsert = this.db.prepare(
      `INSERT INTO refundable_lines (line_id, price_unit, discount, tax_ids, qty, refunded_qty, seen_at) VALUES (@id, @priceUnit, @discount, @taxIds, @qty, @refundedQty, @seenAt)
       ON CONFLICT (line_id) DO UPDATE SET price_unit = excluded.price_unit, discount = excluded.discount, tax_ids = excluded.tax_ids, qty = excluded.qty, refunded_qty = excluded.refunded_qty, seen_at = excluded.seen_at`,
    );
    const seenAt = new Date().toISOString();
    this.db.transaction(() => lines.forEach((l) => upsert.run({ ...l, taxIds: JSON.stringify(l.taxIds), seenAt })))();
  }

  /** The line a refund line names, with what is left to give back of it; null when the terminal never saw it. */
  lookup(line: { refundedOrderlineId?: number | null | undefined; refundedLineUuid?: string | undefined }): RefundedLine | null {
    if (line.refundedOrderlineId != null) return this.odooLine(line.refundedOrderlineId);
    if (line.refundedLineUuid !== undefined) return this.soldHere(line.refundedLineUuid);
    return null;
  }

  private odooLine(id: number): RefundedLine | null {
    const row = this.db.prepare('SELECT * FROM refundable_lines WHERE line_id = ?').get(id) as { price_unit: number; discount: number; tax_ids: string; qty: number; refunded_qty: number } | undefined;
    if (!row) return null;
    const waiting = this.outbox.refundedLinesWaiting().byLineId.get(id)?.qty ?? 0;
    return { priceUnit: row.price_unit, discount: row.discount, taxIds: JSON.parse(row.tax_ids) as number[], qtyLeft: row.qty - row.refunded_qty - waiting };
  }

  private soldHere(uuid: string): RefundedLine | null {
    const sold = this.outbox.soldLine(uuid);
    if (!sold) return null;
    const waiting = this.outbox.refundedLinesWaiting().byLineUuid.get(uuid)?.qty ?? 0;
    return { priceUnit: sold.priceUnit, discount: sold.discount, taxIds: sold.taxIds, qtyLeft: sold.qty - waiting };
  }
}
