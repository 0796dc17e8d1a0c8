import crypto from 'node:crypto';
import { LOT_NAME_MAX_CHARS, ODOO_ID_MAX, SALE_LINE_MAX_TAXES, SALE_LINE_NAME_MAX_CHARS, SALE_MAX_LINES, SALE_MAX_LOTS, SALE_MAX_PAYMENTS, type SaleInput } from '../../shared/pos.js';

// The largest sale the contract accepts: every list at its bound, every id of 10 digits, every
// number of the 24 characters JSON writes the longest doubles in, and every name and lot of the
// character that weighs most — '€' (3 bytes in UTF-8: the heaviest message) or '"' (written \"
// in a payload and \\\" once that payload is inside a file: the heaviest payload and piece).

export type HeaviestChar = '€' | '"';

/** JSON's longest way to write a double: a sign, 17 digits and a 3-digit exponent. */
export const LONGEST_NUMBER = -1.2345678901234567e-308;

export function largestSale(char: HeaviestChar, overrides: Partial<SaleInput> = {}): SaleInput {
  const lotsPerLine = Math.ceil(SALE_MAX_LOTS / SALE_MAX_LINES);
  return {
    lines: Array.from({ length: SALE_MAX_LINES }, (_, i) => ({
      productId: ODOO_ID_MAX,
      qty: LONGEST_NUMBER,
      priceUnit: LONGEST_NUMBER,
      discount: -LONGEST_NUMBER,
      priceSubtotal: LONGEST_NUMBER,
      priceSubtotalIncl: LONGEST_NUMBER,
      taxIds: Array<number>(SALE_LINE_MAX_TAXES).fill(ODOO_ID_MAX),
      fullProductName: char.repeat(SALE_LINE_NAME_MAX_CHARS),
      uuid: crypto.randomUUID(),
      packLots: Array.from({ length: Math.min(lotsPerLine, SALE_MAX_LOTS - i * lotsPerLine) }, () => char.repeat(LOT_NAME_MAX_CHARS)),
      refundedOrderlineId: ODOO_ID_MAX,
      refundedLineUuid: crypto.randomUUID(),
    })),
    payments: Array.from({ length: SALE_MAX_PAYMENTS }, () => ({ paymentMethodId: ODOO_ID_MAX, amount: LONGEST_NUMBER })),
    amountTotal: LONGEST_NUMBER,
    amountTax: LONGEST_NUMBER,
    amountPaid: LONGEST_NUMBER,
    amountReturn: LONGEST_NUMBER,
    partnerId: -ODOO_ID_MAX,
    pricelistId: ODOO_ID_MAX,
    fiscalPositionId: ODOO_ID_MAX,
    toInvoice: false,
    uuid: crypto.randomUUID(),
    accessToken: crypto.randomUUID(),
    dateOrder: '2026-12-31T23:59:59.999Z',
    ...overrides,
  };
}

/** The WebSocket message pos.sell sends for it (the largest call id a client could use). */
export function sellMessage(sale: unknown): string {
  return JSON.stringify({ type: 'call', id: Number.MAX_SAFE_INTEGER, op: 'pos.sell', input: { sale } });
}
