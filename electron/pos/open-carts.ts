import type Database from 'better-sqlite3';
import { FleetError } from '../../shared/errors.js';
import { OPEN_CARTS_MAX } from '../../shared/pos/bounds.js';

// The orders being rung up, kept by the terminal rather than by a browser. Every page (tab,
// window, a page restored from the back-forward cache) reads and writes the same carts; a write
// names the revision it started from, so a stale page cannot overwrite a newer cart, and a cart
// whose sale is stored is gone — removed in the sale's own transaction (`retire`) and refused if
// a late write brings it back. A cart's content is the selling UI's own JSON: it is never what a
// sale is made of (pos.sell is), so the terminal stores it without reading it.

export interface OpenCart {
  id: string;
  saleUuid: string;
  revision: number;
  cart: Record<string, unknown>;
  updatedAt: string;
}

export class OpenCarts {
  constructor(
    private readonly db: Database.Database,
    /** The name of the order stored under this sale uuid, if any. */
    private readonly soldAs: (saleUuid: string) => string | null,
  ) {}

  list(): OpenCart[] {
    const rows = this.db.prepare('SELECT * FROM open_carts ORDER BY created_at, id').all() as Row[];
    return rows.map((r) => ({ id: r.id, saleUuid: r.sale_uuid, revision: r.revision, cart: JSON.parse(r.data) as Record<string, unknown>, updatedAt: r.updated_at }));
  }

  /**
   * Writes a cart over the revision the page started from (0: a new cart). Refused when its sale
   * is stored already, when another page changed or closed it meanwhile, or past the bounds.
   */
  save(input: { id: string; saleUuid: string; baseRevision: number; cart: Record<string, unknown> }): { revision: number } {
    return this.db.transaction(() => {
      const sold = this.soldAs(input.saleUuid);
      if (sold) throw new FleetError('CONFLICT', `This cart was paid already: ${sold}.`, { sold, cartId: input.id });
      const row = this.db.prepare('SELECT revision, sale_uuid FROM open_carts WHERE id = ?').get(input.id) as { revision: number; sale_uuid: string } | undefined;
      const now = new Date().toISOString();
      const data = JSON.stringify(input.cart);
      const other = this.db.prepare('SELECT id FROM open_carts WHERE sale_uuid = ? AND id != ?').get(input.saleUuid, input.id);
      if (other) throw new FleetError('CONFLICT', 'Another open cart has this sale id.', { cartId: input.id });
      if (!row) {
        if (input.baseRevision !== 0) throw new FleetError('CONFLICT', 'This cart was closed in another window.', { closed: true, cartId: input.id });
        const open = (this.db.prepare('SELECT count(*) AS n FROM open_carts').get() as { n: number }).n;
        if (open >= OPEN_CARTS_MAX) throw new FleetError('VALIDATION', `A terminal keeps at most ${OPEN_CARTS_MAX} open carts: pay or drop one first.`);
        this.db.prepare('INSERT INTO open_carts (id, sale_uuid, revision, data, created_at, updated_at) VALUES (?, ?, 1, ?, ?, ?)').run(input.id, input.saleUuid, data, now, now);
        return { revision: 1 };
      }
      if (row.revision !== input.baseRevision) throw new FleetError('CONFLICT', 'This cart was changed in another window.', { revision: row.revision, cartId: input.id });
      this.db.prepare('UPDATE open_carts SET sale_uuid = ?, revision = revision + 1, data = ?, updated_at = ? WHERE id = ?').run(input.saleUuid, data, now, input.id);
      return { revision: row.revision + 1 };
    })();
  }

  /** A cart dropped unpaid. Whether it existed or not, it does not any more. */
  drop(id: string): { dropped: boolean } {
    return { dropped: this.db.prepare('DELETE FROM open_carts WHERE id = ?').run(id).changes > 0 };
  }

  /** The cart of a sale just stored (called inside the sale's transaction); its id, if it had one. */
  retire(saleUuid: string): string | null {
    const row = this.db.prepare('DELETE FROM open_carts WHERE sale_uuid = ? RETURNING id').get(saleUuid) as { id: string } | undefined;
    return row?.id ?? null;
  }
}

interface Row {
  id: string;
  sale_uuid: string;
  revision: number;
  data: string;
  updated_at: string;
}
