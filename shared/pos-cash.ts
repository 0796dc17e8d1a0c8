import { z } from 'zod';

// Cash control's shapes: the opening count, the closing counts per payment method and the
// end-of-day (Z) report (docs/pos.md). Every amount a page sends is bounded; notes are plain text.

const amount = z.number().finite().min(0).max(1e9);
/** Plain text; new lines allowed (Odoo keeps them in the session's chatter). */
const notes = z.string().max(2000, 'A note has at most 2000 characters').regex(/^(?:[^\p{Cc}\p{Cs}]|\n)*$/u, 'A note may not hold control characters (new lines aside)');

export const OpenSessionInput = z
  .object({
    /** Left out: the cash Odoo expects (the last session's closing count), as Odoo's opening popup proposes. */
    openingCash: amount.optional(),
    /** Why the count differs from what Odoo expects: required then, sent to Odoo with the count. */
    notes: notes.optional(),
  })
  .strict();

export const CloseSessionInput = z
  .object({
    countedCash: amount.optional(),
    /** What the other methods' statements show (Odoo's closing popup lets bank methods be edited); left out: as expected. */
    counted: z.array(z.object({ paymentMethodId: z.number().int().positive(), amount: z.number().finite().min(-1e9).max(1e9) }).strict()).max(50).optional(),
    notes: notes.optional(),
  })
  .strict();
export type CloseSessionInput = z.infer<typeof CloseSessionInput>;

const CashMoveLine = z.object({ type: z.enum(['in', 'out']), amount: z.number(), reason: z.string(), at: z.string() });

/** One payment method at closing: what is expected, what this terminal took, and (once counted) the difference. */
export const ClosingMethodView = z.object({
  id: z.number(),
  name: z.string(),
  /** 'cash' is counted in the drawer; 'bank' may be corrected from the statement; 'pay_later' is not counted. */
  kind: z.enum(['cash', 'bank', 'pay_later']),
  /** The session's expected amount (Odoo's when `source` is 'odoo'; this terminal's otherwise). */
  expected: z.number(),
  /** This terminal's own orders (and, for cash, its opening count and cash moves). */
  terminal: z.number(),
  counted: z.number().nullable(),
  difference: z.number().nullable(),
});

export const ClosingControlView = z.object({
  sessionName: z.string(),
  /** Whose expected figures are shown: Odoo's for the whole session (online), or this terminal's own orders. */
  source: z.enum(['odoo', 'terminal']),
  openingCash: z.number(),
  methods: z.array(ClosingMethodView),
  cashMoves: z.array(CashMoveLine),
  /** The largest difference accepted without a note, and where it comes from. */
  limit: z.object({ amount: z.number(), source: z.enum(['odoo', 'terminal']) }),
});
export type ClosingControlView = z.infer<typeof ClosingControlView>;

/** The end-of-day report, stored with the closing (printed again later from it). */
export const ZReportView = z.object({
  sessionId: z.number(),
  sessionName: z.string(),
  configName: z.string().nullable(),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
  cashiers: z.array(z.string()),
  orders: z.number(),
  total: z.number(),
  opening: z.object({ expected: z.number().nullable(), counted: z.number(), difference: z.number(), notes: z.string() }),
  closing: z.object({ source: z.enum(['odoo', 'terminal']), notes: z.string() }),
  byPaymentMethod: z.array(
    z.object({ id: z.number(), name: z.string(), kind: z.enum(['cash', 'bank', 'pay_later']), amount: z.number(), count: z.number(), expected: z.number(), counted: z.number().nullable(), difference: z.number().nullable() }),
  ),
  byTax: z.array(z.object({ id: z.number(), name: z.string(), base: z.number(), amount: z.number() })),
  refunds: z.object({ count: z.number(), total: z.number() }),
  discounts: z.object({ count: z.number(), total: z.number() }),
  cashMoves: z.array(CashMoveLine),
  currency: z.object({ symbol: z.string(), decimals: z.number(), position: z.enum(['before', 'after']).optional() }),
});
export type ZReportView = z.infer<typeof ZReportView>;
