import type Database from 'better-sqlite3';
import type { z } from 'zod';
import type { SaleInput } from '../../shared/pos.js';
import type { Cashiers } from './cashiers.js';
import type { OpenCarts } from './open-carts.js';
import { saleDigest } from './sale-identity.js';
import type { PosTerminal } from './terminal.js';

// pos.sell: a sale from a page becomes an order of the cashier logged in here, at the terminal's
// time, repriced by the terminal (terminal.ts, shared/pos/sale-check.ts), stored with the
// digest of what was rung up, and its cart is closed in the same transaction — when this returns
// the sale survives any crash and no page can bring its cart back.

export interface RecordedSale {
  uid: string;
  name: string;
  /** The same sale sent again (a lost answer, a second tab): the order it already is. */
  replayed: boolean;
  /** The open cart it closed, if the terminal kept one for it. */
  cartId: string | null;
}

export function recordSale(deps: { db: Database.Database; terminal: PosTerminal; cashiers: Cashiers; carts: OpenCarts }, sale: z.output<typeof SaleInput>): RecordedSale {
  const cashier = deps.cashiers.require();
  return deps.db.transaction(() => {
    const order = deps.terminal.commitSale(
      // When it was paid is the terminal's clock too: prices with date rules are checked at it.
      { ...sale, userId: cashier.userId, employeeId: cashier.employeeId, dateOrder: new Date() },
      { saleDigest: saleDigest(sale) },
    );
    const cartId = deps.carts.retire(sale.uuid);
    return { uid: order.uid, name: order.name, replayed: order.replayed, cartId };
  })();
}
