import type Database from 'better-sqlite3';
import type { RefundedLine } from '../../shared/pos/sale-check.js';
import type { Outbox } from './outbox.js';

// What a refund line may give back, as the terminal itself saw it: a line of an order found in Odoo
// (pos.findOrders read it from there: product, price, discount, taxes, quantity and what Odoo
// counts as refunded) or a line of a sale stored here; and what was given back of it already —
// every refund recorded here is kept in a ledger with its sale, so a line is never given back twice,
// synced or not. A refund naming a line the terminal never saw, at another price, or of more than
// is left, is refused by the price check: a page cannot pay cash out through a made-up refund.

interface OdooLineRow {
  line_id: number;
  uuid: string | null;
  product_id: number;
  price_unit: number;
  discount: number;
  tax_ids: string;
  qty: number;
  refunded_qty: number;
}

export class RefundableLines {
  constructor(
    private readonly db: Database.Database,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Lines of paid orders just read from Odoo. Refunds recorded here whose orders Odoo already holds
   * are in its refunded quantity from now on, so they stop counting on their own.
   */
  remember(lines: ReadonlyArray<{ id: number; uuid: string | null; productId: number; priceUnit: number; discount: number; taxIds: readonly number[]; qty: number; refundedQty: number }>): void {
    const upsert = this.db.prepare(
      `INSERT INTO refundable_lines (line_id, uuid, product_id, price_unit, discount, tax_ids, qty, refunded_qty, seen_at)
       VALUES (@id, @uuid, @productId, @priceUnit, @discount, @taxIds, @qty, @refundedQty, @seenAt)
       ON CONFLICT (line_id) DO UPDATE SET uuid = excluded.uuid, product_id = excluded.product_id, price_unit = excluded.price_unit, discount = excluded.discount,
         tax_ids = excluded.tax_ids, qty = excluded.qty, refunded_qty = excluded.refunded_qty, seen_at = excluded.seen_at`,
    );
    const counted = this.db.prepare(
      `UPDATE refund_ledger SET counted_by_odoo = 1
       WHERE (sold_line_id = @id OR (@uuid IS NOT NULL AND sold_uuid = @uuid)) AND order_uid IN (SELECT uid FROM outbox WHERE state = 'synced')`,
    );
    const seenAt = new Date().toISOString();
    this.db.transaction(() => {
      for (const line of lines) {
        upsert.run({ ...line, taxIds: JSON.stringify(line.taxIds), seenAt });
        counted.run({ id: line.id, uuid: line.uuid });
      }
    })();
  }

  /** The line a refund line names, with what is left to give back of it; null when the terminal never saw it. */
  lookup(line: { refundedOrderlineId?: number | null | undefined; refundedLineUuid?: string | undefined }): RefundedLine | null {
    if (line.refundedOrderlineId != null) {
      const row = this.db.prepare('SELECT * FROM refundable_lines WHERE line_id = ?').get(line.refundedOrderlineId) as OdooLineRow | undefined;
      return row ? this.odooLine(row) : null;
    }
    if (line.refundedLineUuid === undefined) return null;
    const seenInOdoo = this.db.prepare('SELECT * FROM refundable_lines WHERE uuid = ?').get(line.refundedLineUuid) as OdooLineRow | undefined;
    return seenInOdoo ? this.odooLine(seenInOdoo) : this.soldHere(line.refundedLineUuid);
  }

  /** Writes down what the refund lines of an order just recorded give back (in the sale's transaction). */
  record(orderUid: string, lines: ReadonlyArray<{ uuid: string; qty: number; refundedOrderlineId?: number | null | undefined; refundedLineUuid?: string | undefined }>): void {
    const insert = this.db.prepare('INSERT OR IGNORE INTO refund_ledger (refund_line_uuid, order_uid, sold_uuid, sold_line_id, qty) VALUES (?, ?, ?, ?, ?)');
    for (const line of lines) {
      if (line.qty >= 0 || (line.refundedOrderlineId == null && line.refundedLineUuid === undefined)) continue;
      const known = line.refundedOrderlineId != null ? (this.db.prepare('SELECT uuid FROM refundable_lines WHERE line_id = ?').get(line.refundedOrderlineId) as { uuid: string | null } | undefined) : undefined;
      const byUuid = line.refundedLineUuid !== undefined ? (this.db.prepare('SELECT line_id FROM refundable_lines WHERE uuid = ?').get(line.refundedLineUuid) as { line_id: number } | undefined) : undefined;
      insert.run(line.uuid, orderUid, line.refundedLineUuid ?? known?.uuid ?? null, line.refundedOrderlineId ?? byUuid?.line_id ?? null, -line.qty);
    }
  }

  private odooLine(row: OdooLineRow): RefundedLine {
    const given = this.db
      .prepare('SELECT coalesce(sum(qty), 0) AS qty FROM refund_ledger WHERE counted_by_odoo = 0 AND (sold_line_id = ? OR (? IS NOT NULL AND sold_uuid = ?))')
      .get(row.line_id, row.uuid, row.uuid) as { qty: number };
    return {
      key: row.uuid ? `uuid:${row.uuid}` : `odoo:${row.line_id}`,
      productId: row.product_id,
      priceUnit: row.price_unit,
      discount: row.discount,
      taxIds: JSON.parse(row.tax_ids) as number[],
      qtyLeft: row.qty - row.refunded_qty - given.qty,
    };
  }

  /** What was given back of a line sold here: Odoo's count once its line was read there (plus refunds of this terminal Odoo does not count yet), else this terminal's refunds. */
  givenBack(uuid: string): number {
    const seenInOdoo = this.db.prepare('SELECT * FROM refundable_lines WHERE uuid = ?').get(uuid) as OdooLineRow | undefined;
    return seenInOdoo ? seenInOdoo.qty - this.odooLine(seenInOdoo).qtyLeft : this.givenBackOfSoldLine(uuid);
  }

  /** What this terminal's refunds gave back of a line it sold (synced or not). */
  givenBackOfSoldLine(uuid: string): number {
    return (this.db.prepare('SELECT coalesce(sum(qty), 0) AS qty FROM refund_ledger WHERE sold_uuid = ?').get(uuid) as { qty: number }).qty;
  }

  private soldHere(uuid: string): RefundedLine | null {
    const sold = this.outbox.soldLine(uuid);
    if (!sold) return null;
    return { key: `uuid:${uuid}`, productId: sold.productId, priceUnit: sold.priceUnit, discount: sold.discount, taxIds: sold.taxIds, qtyLeft: sold.qty - this.givenBackOfSoldLine(uuid) };
  }
}
