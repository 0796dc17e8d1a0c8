import { z } from 'zod';
import { ODOO_ID_MAX } from './pos/bounds.js';

// The Orders page's detail of one order, and what can be done from it (pos.orderDetail,
// pos.invoiceOrder). The same view for an order of this terminal (read from its frozen payload) and
// for one found in Odoo (built by the page from pos.findOrders).

/** An order of this terminal, by the uid the outbox gave it ("SSSSS-LLL-NNNN"). */
export const OrderUid = z.string().max(40).regex(/^\d{5}-\d{3}-\d{4,}$/, 'not an order of this terminal');

export const OrderDetailLine = z.object({
  /** The sold line's uuid (16's orders found in Odoo have none). */
  uuid: z.string().nullable(),
  /** Odoo's line id, once known (orders found in Odoo). */
  odooLineId: z.number().nullable(),
  productId: z.number(),
  name: z.string(),
  qty: z.number(),
  priceUnit: z.number(),
  discount: z.number(),
  taxIds: z.array(z.number()),
  taxes: z.array(z.string()),
  totalExcl: z.number(),
  totalIncl: z.number(),
  /** Given back already (refunds in Odoo, and this terminal's). */
  refundedQty: z.number(),
  /** Left to give back (0 for a refund line). */
  refundable: z.number(),
  lots: z.array(z.string()),
});

export const OrderSyncState = z.enum(['waiting', 'uncertain', 'parked', 'synced']);

export const OrderDetailView = z.object({
  source: z.enum(['terminal', 'odoo']),
  /** This terminal's uid for it (null: found in Odoo, rung up elsewhere or in another browser). */
  uid: z.string().nullable(),
  name: z.string(),
  /** Odoo's UTC "YYYY-MM-DD HH:MM:SS". */
  date: z.string(),
  customer: z.object({ id: z.number(), name: z.string() }).nullable(),
  cashier: z.string().nullable(),
  sync: z.object({ state: OrderSyncState, reason: z.string().nullable() }),
  /** What Odoo holds of it (null: not there yet, or Odoo did not answer). */
  odoo: z.object({ id: z.number(), name: z.string().nullable(), state: z.string().nullable(), invoice: z.string().nullable() }).nullable(),
  lines: z.array(OrderDetailLine),
  amountUntaxed: z.number(),
  amountTax: z.number(),
  amountTotal: z.number(),
  /** Each tax's amount (null: a tax this terminal cannot compute any more; the total tax stands). */
  taxes: z.array(z.object({ id: z.number(), name: z.string(), amount: z.number() })).nullable(),
  payments: z.array(z.object({ method: z.string(), amount: z.number() })),
  change: z.number(),
  toInvoice: z.boolean(),
  pricelistId: z.number().nullable(),
  fiscalPositionId: z.number().nullable(),
});
export type OrderDetailView = z.infer<typeof OrderDetailView>;

/** Invoice an order Odoo holds: this terminal's (by uid) or one found in Odoo (by Odoo's id). */
export const InvoiceOrderInput = z.union([z.object({ uid: OrderUid }).strict(), z.object({ orderId: z.number().int().positive().max(ODOO_ID_MAX) }).strict()]);

export const InvoiceOrderView = z.object({ orderId: z.number(), invoiceId: z.number(), invoice: z.string(), state: z.string() });
