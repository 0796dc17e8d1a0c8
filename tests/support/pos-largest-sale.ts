import crypto from 'node:crypto';
import type { PosServices } from '../../electron/pos/pos-services.js';
import { CUSTOM_VALUE_MAX_CHARS, LOT_NAME_MAX_CHARS, ODOO_ID_MAX, SALE_LINE_MAX_ATTRIBUTE_VALUES, SALE_LINE_MAX_TAXES, SALE_MAX_ATTRIBUTE_VALUES, SALE_MAX_CUSTOM_VALUES, SALE_LINE_NAME_MAX_CHARS, SALE_MAX_LINES, SALE_MAX_LOTS, SALE_MAX_PAYMENTS, type SaleInput } from '../../shared/pos.js';

// The largest sale the contract accepts: every list at its bound, every id of 10 digits, every
// number of the 24 characters JSON writes the longest doubles in, and every name and lot of the
// character that weighs most — '€' (3 bytes in UTF-8: the heaviest message) or '"' (written \"
// in a payload and \\\" once that payload is inside a file: the heaviest payload and piece).

export type HeaviestChar = '€' | '"';

/** JSON's longest way to write a double: a sign, 17 digits and a 3-digit exponent. */
export const LONGEST_NUMBER = -1.2345678901234567e-308;

export function largestSale(char: HeaviestChar, overrides: Partial<SaleInput> = {}): SaleInput {
  const lotsPerLine = Math.ceil(SALE_MAX_LOTS / SALE_MAX_LINES);
  const customsPerLine = Math.ceil(SALE_MAX_CUSTOM_VALUES / SALE_MAX_LINES);
  // The first line is a combo and every other one of its products: the most combo links a payload carries.
  const comboUuid = crypto.randomUUID();
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
      uuid: i === 0 ? comboUuid : crypto.randomUUID(),
      packLots: Array.from({ length: Math.min(lotsPerLine, SALE_MAX_LOTS - i * lotsPerLine) }, () => char.repeat(LOT_NAME_MAX_CHARS)),
      refundedOrderlineId: ODOO_ID_MAX,
      refundedLineUuid: crypto.randomUUID(),
      attributeValueIds: Array<number>(Math.max(0, Math.min(SALE_LINE_MAX_ATTRIBUTE_VALUES, SALE_MAX_ATTRIBUTE_VALUES - i * SALE_LINE_MAX_ATTRIBUTE_VALUES))).fill(ODOO_ID_MAX),
      customAttributeValues: Array.from({ length: Math.max(0, Math.min(customsPerLine, SALE_MAX_CUSTOM_VALUES - i * customsPerLine)) }, () => ({ valueId: ODOO_ID_MAX, text: char.repeat(CUSTOM_VALUE_MAX_CHARS) })),
      priceExtra: LONGEST_NUMBER,
      ...(i === 0 ? {} : { comboParentUuid: comboUuid, comboLineId: ODOO_ID_MAX }),
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

/**
 * Makes the largest sale's ids this terminal's — a product, tax, payment method, pricelist and
 * fiscal position of 10 digits in its cached data — so that the server's price check admits it:
 * its lines are refunds naming the line they give back (their prices stand as given), and its
 * amounts, all far below a cent, add up to 0 at the currency's rounding.
 */
export function admitLargestSale(pos: PosServices): void {
  const id = ODOO_ID_MAX;
  const insert = pos.db.prepare('INSERT OR REPLACE INTO cache_records (model, id, data) VALUES (?, ?, ?)');
  const put = (model: string, record: Record<string, unknown>) => insert.run(model, String(record.id), JSON.stringify(record));
  const config = pos.terminal.cached<Record<string, unknown>>('pos.config')[0]!;
  put('pos.config', { ...config, use_pricelist: true, payment_method_ids: [...(config.payment_method_ids as number[]), id] });
  put('product.product', { id, display_name: 'Largest', lst_price: 0, taxes_id: [id], product_tmpl_id: [id, 'Largest'], combo_ids: [id] });
  put('account.tax', { id, name: 'Largest', amount: 0, amount_type: 'percent', price_include: false, include_base_amount: false, children_tax_ids: [] });
  put('pos.payment.method', { id, name: 'Largest', is_cash_count: false });
  put('product.pricelist', { id, name: 'Largest', items: [] });
  put('account.fiscal.position', { id, name: 'Largest', fiscal_position_taxes_by_id: {} });
  // The Odoo line its refund lines give back, as finding its order in Odoo would have shown it.
  pos.db
    .prepare("INSERT OR REPLACE INTO refundable_lines (line_id, uuid, product_id, price_unit, discount, tax_ids, qty, refunded_qty, seen_at) VALUES (?, NULL, ?, ?, ?, ?, 1e9, 0, '2026-01-01T00:00:00.000Z')")
    .run(id, id, LONGEST_NUMBER, -LONGEST_NUMBER, JSON.stringify(Array<number>(SALE_LINE_MAX_TAXES).fill(id)));
  // As a refresh would: the terminal reads its pricing data again.
  pos.db.prepare('UPDATE cache_loads SET loaded_at = ?').run(new Date(Date.now() + 1000).toISOString());
}
