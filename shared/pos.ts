import { z } from 'zod';
import { FleetError } from './errors.js';
import {
  formatBytes,
  jsonBytes,
  LOT_NAME_MAX_CHARS,
  ODOO_ID_MAX,
  ORDER_PAYLOAD_MAX_CHARS,
  OUTBOX_CHUNK_MAX_BYTES,
  OUTBOX_CHUNK_MAX_ORDERS,
  OUTBOX_FILE_MAX_CUSTOMERS,
  OUTBOX_FILE_MAX_ORDERS,
  OPEN_CART_MAX_BYTES,
  PLAIN_TEXT,
  CUSTOM_VALUE_MAX_CHARS,
  SALE_LINE_MAX_ATTRIBUTE_VALUES,
  SALE_LINE_MAX_TAXES,
  SALE_LINE_NAME_MAX_CHARS,
  SALE_MAX_ATTRIBUTE_VALUES,
  SALE_MAX_CUSTOM_VALUES,
  SALE_MAX_LINES,
  SALE_MAX_LOTS,
  SALE_MAX_PAYMENTS,
} from './pos/bounds.js';

export * from './pos/bounds.js';

// The POS terminal's operations' shapes (the contract joins them to their policies). Every bound
// is one of shared/pos/bounds.ts, and its message names it in plain words.

const money = z.number().finite();
const id = z.number().int().positive().max(ODOO_ID_MAX);
/** Text a sale keeps: at most `max` characters, no control characters. */
const plainText = (what: string, max: number) => z.string().max(max, `${what} has at most ${max} characters`).regex(PLAIN_TEXT, `${what} may not hold control characters`);

/**
 * A sale as the selling UI records it: lines, payments and the totals Odoo will trust. Who sold it
 * is not part of it: the terminal attributes every sale to the cashier logged in there.
 */
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
            taxIds: z.array(id).max(SALE_LINE_MAX_TAXES, `A line has at most ${SALE_LINE_MAX_TAXES} taxes`).default([]),
            fullProductName: plainText("A line's product name", SALE_LINE_NAME_MAX_CHARS),
            uuid: z.string().uuid(),
            packLots: z.array(plainText('A lot or serial number', LOT_NAME_MAX_CHARS).min(1)).max(SALE_MAX_LOTS, `A sale has at most ${SALE_MAX_LOTS} lot and serial numbers`).optional(),
            refundedOrderlineId: id.nullable().optional(),
            /** A refund of a line sold on this terminal, by that line's uuid: linked (refunded_orderline_id) once the sale is in Odoo. */
            refundedLineUuid: z.string().uuid().optional(),
            /** The configurator's choice (product-config.ts): values, custom texts, and the extra they add (checked by the server). */
            attributeValueIds: z.array(id).max(SALE_LINE_MAX_ATTRIBUTE_VALUES, `A line has at most ${SALE_LINE_MAX_ATTRIBUTE_VALUES} attribute values`).optional(),
            customAttributeValues: z
              .array(z.object({ valueId: id, text: plainText('A custom attribute value', CUSTOM_VALUE_MAX_CHARS).min(1) }).strict())
              .max(SALE_LINE_MAX_ATTRIBUTE_VALUES)
              .optional(),
            priceExtra: money.optional(),
            /** A combo's child line (combo-pricing.ts): its combo's line, by uuid, and the pos.combo.line picked. */
            comboParentUuid: z.string().uuid().optional(),
            comboLineId: id.optional(),
          })
          .strict()
          // Odoo counts a line's refund links into the sold line's refunded_qty: only a line giving something back names one.
          .refine((line) => line.qty < 0 || (line.refundedOrderlineId == null && line.refundedLineUuid === undefined), {
            message: 'Only a line giving something back (a negative quantity) names the line it refunds',
            path: ['qty'],
          }),
      )
      .min(1, 'A sale has at least one line')
      .max(SALE_MAX_LINES, `A sale has at most ${SALE_MAX_LINES} lines`),
    payments: z.array(z.object({ paymentMethodId: id, amount: money }).strict()).min(1).max(SALE_MAX_PAYMENTS, `A sale has at most ${SALE_MAX_PAYMENTS} payments`),
    amountTotal: money,
    amountTax: money,
    amountPaid: money,
    amountReturn: money.default(0),
    /** A customer's id; negative for one made on this terminal and not yet in Odoo. */
    partnerId: z.number().int().min(-ODOO_ID_MAX).max(ODOO_ID_MAX).refine((n) => n !== 0, 'not a customer id').nullable().default(null),
    pricelistId: id.nullable().default(null),
    fiscalPositionId: id.nullable().default(null),
    toInvoice: z.boolean().default(false),
    uuid: z.string().uuid(),
    accessToken: z.string().uuid(),
    /** When the sale was paid (ISO); now by default. */
    dateOrder: z.string().datetime().max(40).optional(),
  })
  .strict()
  .refine((sale) => sale.lines.reduce((n, line) => n + (line.packLots?.length ?? 0), 0) <= SALE_MAX_LOTS, {
    message: `A sale has at most ${SALE_MAX_LOTS} lot and serial numbers`,
    path: ['lines'],
  })
  .refine((sale) => sale.lines.reduce((n, line) => n + (line.attributeValueIds?.length ?? 0), 0) <= SALE_MAX_ATTRIBUTE_VALUES, {
    message: `A sale has at most ${SALE_MAX_ATTRIBUTE_VALUES} attribute values`,
    path: ['lines'],
  })
  .refine((sale) => sale.lines.reduce((n, line) => n + (line.customAttributeValues?.length ?? 0), 0) <= SALE_MAX_CUSTOM_VALUES, {
    message: `A sale has at most ${SALE_MAX_CUSTOM_VALUES} custom attribute values`,
    path: ['lines'],
  });
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

const OutboxFileOrder = z.object({
  uid: z.string().max(40).regex(/^\d{5}-\d{3}-\d{4,}$/),
  name: z.string().max(100),
  sessionId: id,
  sequence: z.number().int().positive().max(ODOO_ID_MAX),
  payload: z.string().max(ORDER_PAYLOAD_MAX_CHARS, `An order's payload has at most ${ORDER_PAYLOAD_MAX_CHARS} characters (what the largest sale gives)`),
  amountTotal: z.number(),
  state: z.enum(['pending', 'synced', 'parked']),
  lastError: z.string().max(2000).nullable(),
  createdAt: z.string().max(40),
  partnerLocalId: z.number().int().negative().min(-ODOO_ID_MAX).nullable().optional(),
});

/** A customer made offline that exported orders wait for (its fields as pos.createPartner took them). */
const OutboxFileCustomer = z.object({
  localId: z.number().int().negative().min(-ODOO_ID_MAX),
  ref: z.string().regex(/^fleet-pos-[0-9a-f-]{36}$/),
  vals: z.record(z.string().max(40), z.string().max(200)),
});

const format = z.literal('fleet-pos-outbox/1');
const exportedAt = z.string().max(40);

/** Orders moved to another terminal by file (a file exported before pieces existed reads the same). */
export const OutboxFile = z
  .object({
    format,
    exportedAt,
    orders: z.array(OutboxFileOrder).max(OUTBOX_FILE_MAX_ORDERS, `A file holds at most ${OUTBOX_FILE_MAX_ORDERS} orders`),
    customers: z.array(OutboxFileCustomer).max(OUTBOX_FILE_MAX_CUSTOMERS, `A file holds at most ${OUTBOX_FILE_MAX_CUSTOMERS} customers`).optional(),
  })
  .strict();
export type OutboxFile = z.infer<typeof OutboxFile>;

/**
 * A file of exported orders read and checked whole before any of it is imported (the faces then
 * send it in pieces): its format, every bound, and every customer its orders wait for.
 */
export function readOutboxFile(text: string, source: string): OutboxFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new FleetError('VALIDATION', `${source} is not an exported order file: ${(error as Error).message}`);
  }
  const checked = OutboxFile.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.map(String).join('.')}: ` : '';
    throw new FleetError('VALIDATION', `${source} is not an exported order file: ${where}${issue.message}`);
  }
  return checked.data;
}

/** A piece of that file: its orders, and the customers they wait for. One import call takes one; an export page is one. */
const chunkShape = {
  format,
  exportedAt,
  orders: z.array(OutboxFileOrder).max(OUTBOX_CHUNK_MAX_ORDERS, `A piece of an order file holds at most ${OUTBOX_CHUNK_MAX_ORDERS} orders`),
  customers: z.array(OutboxFileCustomer).max(OUTBOX_CHUNK_MAX_ORDERS, `A piece of an order file holds at most ${OUTBOX_CHUNK_MAX_ORDERS} customers`).optional(),
};

function withinChunkBytes(piece: unknown, ctx: z.RefinementCtx): void {
  const bytes = jsonBytes(piece);
  if (bytes > OUTBOX_CHUNK_MAX_BYTES) ctx.addIssue({ code: 'custom', message: `A piece of an order file holds at most ${formatBytes(OUTBOX_CHUNK_MAX_BYTES)} of JSON (this one: ${formatBytes(bytes)})` });
}

export const OutboxChunk = z.object(chunkShape).strict().superRefine(withinChunkBytes);
export type OutboxChunk = z.infer<typeof OutboxChunk>;

/** Where an export goes on: after this order (orders are exported in the order they were sold). */
export const OutboxExportCursor = z.object({ createdAt: z.string().max(40), uid: z.string().max(40) }).strict();
export type OutboxExportCursor = z.infer<typeof OutboxExportCursor>;

/** One page of an export: a piece, and where the next page starts (null: this was the last). */
export const OutboxPage = z
  .object({ ...chunkShape, next: OutboxExportCursor.nullable() })
  .strict()
  .superRefine(withinChunkBytes);
export type OutboxPage = z.infer<typeof OutboxPage>;

export const PosSessionView = z.object({ id: z.number(), name: z.string(), configId: z.number(), state: z.string(), loginNumber: z.number(), nextSequence: z.number(), openedAt: z.string() });

/**
 * Odoo out of reach: since when (kept across restarts; null while it answers), after how many
 * hours the status bar warns the cashier, and the orders not in Odoo yet (waiting or parked) with their total.
 */
export const OfflineView = z.object({ since: z.string().nullable(), warnAfterHours: z.number(), waitingOrders: z.number(), waitingAmount: z.number() });
export type OfflineView = z.infer<typeof OfflineView>;
/** The longest threshold an admin may set for the offline warning: a year. */
export const OFFLINE_WARNING_MAX_HOURS = 8760;

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
  /** Product and category pictures stored for offline use, and those still to fetch (only when asked: `pictures`). */
  images: z.object({ stored: z.number(), missing: z.number() }).optional(),
  offline: OfflineView.optional(),
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
  amountTax: z.number(),
  amountReturn: z.number(),
  state: z.string(),
  /** Odoo's own name (e.g. "Shop/0001"), who sold it, its invoice's name, and whether it was sold to invoice. */
  odooName: z.string(),
  cashier: z.string().nullable(),
  invoice: z.string().nullable(),
  toInvoice: z.boolean(),
  /** Payments by method (the change payment left out: it is amountReturn). */
  payments: z.array(z.object({ method: z.string(), amount: z.number() })),
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
      priceSubtotal: z.number(),
      priceSubtotalIncl: z.number(),
      /** Lot and serial numbers sold on the line and not given back yet. */
      lots: z.array(z.string()),
    }),
  ),
});

/** The check of synced orders against Odoo (a restored database loses the orders synced after its backup). */
export const RestoreCheckView = z.object({
  retentionDays: z.number(),
  last: z
    .object({
      at: z.string(),
      checked: z.number(),
      resent: z.number(),
      waiting: z.number(),
      sessions: z.array(z.object({ lost: z.string(), into: z.string().nullable() })),
      refused: z.string().nullable(),
    })
    .nullable(),
  /** Orders sent again after a restore (within the retention window), newest first. */
  resent: z.array(z.object({ name: z.string(), resentAt: z.string(), state: z.string() })),
  /** Missing from Odoo and waiting for a session there to take them. */
  waiting: z.number(),
});
export type RestoreCheckView = z.infer<typeof RestoreCheckView>;

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

/** The cashier logged in at a terminal: every sale there is theirs. */
export const CashierView = z.object({ name: z.string(), userId: z.number(), employeeId: z.number().nullable(), manager: z.boolean() });

/**
 * An open cart as the selling UI keeps it: its own JSON, of which the terminal checks only the
 * shape every page relies on to read it back (lines naming their product by id) and the size.
 */
export const OpenCartContent = z
  .object({ lines: z.array(z.object({ productId: id }).passthrough()).max(SALE_MAX_LINES, `A cart has at most ${SALE_MAX_LINES} lines`) })
  .catchall(z.unknown())
  .superRefine((cart, ctx) => {
    const bytes = jsonBytes(cart);
    if (bytes > OPEN_CART_MAX_BYTES) ctx.addIssue({ code: 'custom', message: `An open cart holds at most ${formatBytes(OPEN_CART_MAX_BYTES)} of JSON (this one: ${formatBytes(bytes)})` });
  });

export const OpenCartView = z.object({ id: z.string(), saleUuid: z.string(), revision: z.number(), cart: z.record(z.string(), z.unknown()), updatedAt: z.string() });
