import { z } from 'zod';

// The POS terminal's operations' shapes (the contract joins them to their policies).

const money = z.number().finite();
const id = z.number().int().positive();

/** A sale as the selling UI records it: lines, payments and the totals Odoo will trust. */
export const SaleInput = z
  .object({
    lines: z
      .array(
        z
          .object({
            productId: id,
            qty: z.number().finite(),
            priceUnit: money,
            discount: z.number().min(0).max(100).default(0),
            priceSubtotal: money,
            priceSubtotalIncl: money,
            taxIds: z.array(id).max(20).default([]),
            fullProductName: z.string().max(500),
            uuid: z.string().uuid(),
            packLots: z.array(z.string().min(1).max(200)).max(1000).optional(),
            refundedOrderlineId: id.nullable().optional(),
            /** A refund of a line sold on this terminal, by that line's uuid: linked (refunded_orderline_id) once the sale is in Odoo. */
            refundedLineUuid: z.string().uuid().optional(),
          })
          .strict(),
      )
      .min(1)
      .max(1000),
    payments: z.array(z.object({ paymentMethodId: id, amount: money }).strict()).min(1).max(50),
    amountTotal: money,
    amountTax: money,
    amountPaid: money,
    amountReturn: money.default(0),
    /** A customer's id; negative for one made on this terminal and not yet in Odoo. */
    partnerId: z.number().int().refine((n) => n !== 0, 'not a customer id').nullable().default(null),
    pricelistId: id.nullable().default(null),
    fiscalPositionId: id.nullable().default(null),
    userId: id,
    /** pos_hr: the employee who rang the sale up (Odoo 17's pos_hr sends it as employee_id). */
    employeeId: id.nullable().default(null),
    toInvoice: z.boolean().default(false),
    uuid: z.string().uuid(),
    accessToken: z.string().uuid(),
    /** When the sale was paid (ISO); now by default. */
    dateOrder: z.string().datetime().optional(),
  })
  .strict();
export type SaleInput = z.input<typeof SaleInput>;

export const OutboxOrderView = z.object({
  uid: z.string(),
  name: z.string(),
  sessionId: z.number(),
  sequence: z.number(),
  amountTotal: z.number(),
  state: z.enum(['pending', 'synced', 'parked']),
  attempts: z.number(),
  uncertain: z.boolean(),
  nextAttemptAt: z.string(),
  lastError: z.string().nullable(),
  serverId: z.number().nullable(),
  createdAt: z.string(),
  syncedAt: z.string().nullable(),
});

export const OutboxFile = z
  .object({
    format: z.literal('fleet-pos-outbox/1'),
    exportedAt: z.string(),
    orders: z
      .array(
        z.object({
          uid: z.string().regex(/^\d{5}-\d{3}-\d{4,}$/),
          name: z.string().max(100),
          sessionId: id,
          sequence: z.number().int().positive(),
          payload: z.string().max(2_000_000),
          amountTotal: z.number(),
          state: z.enum(['pending', 'synced', 'parked']),
          lastError: z.string().nullable(),
          createdAt: z.string(),
          partnerLocalId: z.number().int().negative().nullable().optional(),
        }),
      )
      .max(100_000),
    customers: z
      .array(z.object({ localId: z.number().int().negative(), ref: z.string().regex(/^fleet-pos-[0-9a-f-]{36}$/), vals: z.record(z.string(), z.unknown()) }))
      .max(10_000)
      .optional(),
  })
  .strict();

export const PosSessionView = z.object({ id: z.number(), name: z.string(), configId: z.number(), state: z.string(), loginNumber: z.number(), nextSequence: z.number(), openedAt: z.string() });

export const PosStatus = z.object({
  pairing: z
    .object({ url: z.string(), database: z.string(), login: z.string(), serverVersion: z.string(), configId: z.number().nullable(), configName: z.string().nullable(), pairedAt: z.string() })
    .nullable(),
  session: PosSessionView.nullable(),
  outbox: z.object({ pending: z.number(), parked: z.number(), synced: z.number(), lastSyncedAt: z.string().nullable() }),
  /** Customers made offline and cash moves not yet in Odoo (parked: refused, waiting for a person). */
  customers: z.object({ pending: z.number(), parked: z.number() }).optional(),
  cashMoves: z.object({ pending: z.number(), parked: z.number() }).optional(),
  sync: z.object({ status: z.enum(['idle', 'online', 'offline', 'auth-failed']), lastError: z.string().nullable() }),
  cache: z.array(z.object({ model: z.string(), loadedAt: z.string(), count: z.number() })),
  /** Product and category pictures stored for offline use, and those still to fetch. */
  images: z.object({ stored: z.number(), missing: z.number() }).optional(),
});
export type PosStatus = z.infer<typeof PosStatus>;

/** A paid order found in Odoo (any terminal), with what a refund needs of its lines. */
export const FoundOrderView = z.object({
  id: z.number(),
  name: z.string(),
  date: z.string(),
  configName: z.string(),
  partner: z.object({ id: z.number(), name: z.string() }).nullable(),
  pricelistId: z.number().nullable(),
  fiscalPositionId: z.number().nullable(),
  amountTotal: z.number(),
  state: z.string(),
  lines: z.array(
    z.object({
      id: z.number(),
      uuid: z.string().nullable(),
      productId: z.number(),
      name: z.string(),
      qty: z.number(),
      /** Given back already: by refunds in Odoo and by this terminal's refunds still waiting. */
      refundedQty: z.number(),
      priceUnit: z.number(),
      discount: z.number(),
      taxIds: z.array(z.number()),
      priceSubtotalIncl: z.number(),
      /** Lot and serial numbers sold on the line and not given back yet. */
      lots: z.array(z.string()),
    }),
  ),
});

export const SyncRoundView = z.object({ status: z.enum(['idle', 'online', 'offline', 'auth-failed']), synced: z.number(), parked: z.number(), deferred: z.number(), error: z.string().nullable() });

export const ReceiptView = z.object({
  header: z.array(z.string()),
  orderName: z.string(),
  date: z.string(),
  cashier: z.string().nullable(),
  customer: z.string().nullable(),
  lines: z.array(z.object({ name: z.string(), qty: z.number(), amount: z.number() })),
  total: z.number(),
  tax: z.number(),
  payments: z.array(z.object({ name: z.string(), amount: z.number() })),
  change: z.number(),
  footer: z.array(z.string()),
});
