import type { CheckedSaleLine } from '../../shared/pos/sale-check.js';

// An order as each Odoo version's POS pushes it (facts: docs/odoo-pos-rpc.md): written once, when
// the sale is recorded, and frozen in the outbox; and read back, whatever version wrote it, for
// receipts and the session's report.

/** A sale as the terminal records it, before it is shaped for a given Odoo version. */
export interface Sale {
  /** The lines the price check reads (refundedLineUuid: a line sold here, linked once that sale is in Odoo), and their names and lots. */
  lines: Array<CheckedSaleLine & { taxIds: number[]; fullProductName: string; packLots?: string[] }>;
  payments: Array<{ paymentMethodId: number; amount: number }>;
  amountTotal: number;
  amountTax: number;
  amountPaid: number;
  amountReturn: number;
  partnerId: number | null;
  pricelistId: number | null;
  fiscalPositionId: number | null;
  userId: number;
  /** pos_hr's cashier (employee_id), when the config uses employees. */
  employeeId?: number | null;
  toInvoice: boolean;
  /** The order's uuid (18 dedupes by it; 17 carries one per line). */
  uuid: string;
  accessToken: string;
  dateOrder: Date;
}

/** Odoo's UTC "YYYY-MM-DD HH:MM:SS". */
export function odooDate(at: Date): string {
  return at.toISOString().replace('T', ' ').slice(0, 19);
}

/** The order identity the outbox gives a sale: its uid, name and place in the session. */
export interface OrderIdentity {
  uid: string;
  name: string;
  sequence: number;
  sessionId: number;
}

/** 16 and 17: the order as their POS pushes it to create_from_ui. */
export function odoo17OrderPayload(sale: Sale, order: OrderIdentity): string {
  const date = odooDate(sale.dateOrder);
  const options = lineOptions17(sale.lines);
  // The wrapper and keys Odoo 17's POS sends (models.js export_as_JSON); `server_id: false` keeps 16's dedupe by name.
  return JSON.stringify({
    id: order.uid,
    data: {
      name: order.name,
      amount_paid: sale.amountPaid,
      amount_total: sale.amountTotal,
      amount_tax: sale.amountTax,
      amount_return: sale.amountReturn,
      lines: sale.lines.map((l, i) => [
        0,
        0,
        {
          uuid: l.uuid,
          qty: l.qty,
          price_unit: l.priceUnit,
          price_subtotal: l.priceSubtotal,
          price_subtotal_incl: l.priceSubtotalIncl,
          discount: l.discount,
          product_id: l.productId,
          tax_ids: [[6, false, l.taxIds]],
          id: i + 1,
          pack_lot_ids: (l.packLots ?? []).map((lot) => [0, 0, { lot_name: lot }]),
          full_product_name: l.fullProductName,
          price_extra: l.priceExtra ?? 0,
          customer_note: '',
          ...(l.refundedOrderlineId ? { refunded_orderline_id: l.refundedOrderlineId } : {}),
          ...options(l),
        },
      ]),
      statement_ids: sale.payments.map((p) => [0, 0, { name: date, payment_method_id: p.paymentMethodId, amount: p.amount }]),
      pos_session_id: order.sessionId,
      pricelist_id: sale.pricelistId ?? false,
      partner_id: sale.partnerId ?? false,
      user_id: sale.userId,
      // pos_hr (16/17) reads ui_order.get('employee_id'); without pos_hr the key is ignored.
      ...(sale.employeeId ? { employee_id: sale.employeeId } : {}),
      uid: order.uid,
      sequence_number: order.sequence,
      creation_date: date, // 16 reads this key
      date_order: date, // 17 reads this one
      fiscal_position_id: sale.fiscalPositionId ?? false,
      server_id: false,
      to_invoice: sale.toInvoice,
      access_token: sale.accessToken,
    },
    to_invoice: sale.toInvoice,
  });
}

/**
 * A line's configurator choice and combo links as 17's Orderline.export_as_JSON writes them: the
 * chosen values, the custom texts as one2many creates, and the combo links by the POS's line ids
 * (`id`, here the line's place + 1), which create_from_ui's _link_combo_items resolves through the
 * lines' uuids (combo_line_id, the pos.combo.line picked, is sent and ignored by 17's server).
 */
function lineOptions17(lines: Sale['lines']): (line: Sale['lines'][number]) => Record<string, unknown> {
  const idOf = new Map(lines.map((l, i) => [l.uuid, i + 1]));
  return (l) => ({
    // Sent only for configured lines: the lines of every other sale keep their payload as before (Odoo reads no key as none).
    ...(l.attributeValueIds?.length ? { attribute_value_ids: [...l.attributeValueIds] } : {}),
    ...(l.customAttributeValues?.length ? { custom_attribute_value_ids: l.customAttributeValues.map((c) => [0, 0, { custom_product_template_attribute_value_id: c.valueId, custom_value: c.text }]) } : {}),
    ...(l.comboParentUuid ? { combo_parent_id: idOf.get(l.comboParentUuid), combo_line_id: l.comboLineId } : {}),
    ...(lines.some((child) => child.comboParentUuid === l.uuid) ? { combo_line_ids: lines.flatMap((child, i) => (child.comboParentUuid === l.uuid ? [i + 1] : [])) } : {}),
  });
}

/** 18: the order as its POS pushes it to sync_from_ui. */
export function odoo18OrderPayload(sale: Sale, order: OrderIdentity): string {
  const date = odooDate(sale.dateOrder);
  // A flat dict of pos.order fields, as 18's order.serialize() sends (every key a real field).
  return JSON.stringify({
    uuid: sale.uuid,
    name: order.name,
    session_id: order.sessionId,
    state: 'paid',
    amount_total: sale.amountTotal,
    amount_tax: sale.amountTax,
    amount_paid: sale.amountPaid,
    amount_return: sale.amountReturn,
    date_order: date,
    pricelist_id: sale.pricelistId ?? false,
    partner_id: sale.partnerId ?? false,
    fiscal_position_id: sale.fiscalPositionId ?? false,
    to_invoice: sale.toInvoice,
    sequence_number: order.sequence,
    user_id: sale.userId,
    ...(sale.employeeId ? { employee_id: sale.employeeId } : {}),
    access_token: sale.accessToken,
    lines: sale.lines.map((l) => [
      0,
      0,
      {
        uuid: l.uuid,
        product_id: l.productId,
        qty: l.qty,
        price_unit: l.priceUnit,
        discount: l.discount,
        price_subtotal: l.priceSubtotal,
        price_subtotal_incl: l.priceSubtotalIncl,
        tax_ids: [[6, false, l.taxIds]],
        full_product_name: l.fullProductName,
        pack_lot_ids: (l.packLots ?? []).map((lot) => [0, 0, { lot_name: lot }]),
        ...(l.refundedOrderlineId ? { refunded_orderline_id: l.refundedOrderlineId } : {}),
        // A configured line's values and custom texts, as 18's line fields (combos are not sold on 18).
        ...(l.attributeValueIds?.length ? { attribute_value_ids: [[6, 0, [...l.attributeValueIds]]], price_extra: l.priceExtra ?? 0 } : {}),
        ...(l.customAttributeValues?.length ? { custom_attribute_value_ids: l.customAttributeValues.map((c) => [0, 0, { custom_product_template_attribute_value_id: c.valueId, custom_value: c.text }]) } : {}),
      },
    ]),
    payment_ids: sale.payments.map((p) => [0, 0, { payment_method_id: p.paymentMethodId, amount: p.amount, payment_date: date }]),
  });
}

/** What a receipt and the session's report read of a frozen order payload. */
export interface RecordedOrder {
  lines: Array<{
    name: string | undefined;
    qty: number;
    amountWithTax: number;
    amountWithoutTax: number;
    uuid: string | null;
    productId: number;
    priceUnit: number;
    discount: number;
    taxIds: number[];
    lots: string[];
  }>;
  payments: Array<{ paymentMethodId: number; amount: number }>;
  amountTotal: number;
  amountTax: number;
  amountReturn: number;
  /** Odoo's UTC "YYYY-MM-DD HH:MM:SS". */
  dateOrder: string;
  partnerId: number | null;
  employeeId: number | null;
  userId: number | null;
  pricelistId: number | null;
  fiscalPositionId: number | null;
  toInvoice: boolean;
}

/** A frozen payload read back, whichever version's shape it has (an order outlives a pairing). */
export function readOrderPayload(payload: string): RecordedOrder {
  type Pair<T> = [number, number, T];
  const parsed = JSON.parse(payload) as { data?: unknown };
  // 16/17 wrap the order in `data` and name its payments statement_ids; 18 sends it flat, with payment_ids.
  const order = (parsed.data && typeof parsed.data === 'object' ? parsed.data : parsed) as {
    lines: Array<
      Pair<{ full_product_name?: string; qty: number; price_subtotal: number; price_subtotal_incl: number; uuid?: string; product_id: number; price_unit: number; discount?: number; tax_ids?: Array<[number, unknown, number[]]>; pack_lot_ids?: Array<Pair<{ lot_name: string }>> }>
    >;
    statement_ids?: Array<Pair<{ payment_method_id: number; amount: number }>>;
    payment_ids?: Array<Pair<{ payment_method_id: number; amount: number }>>;
    amount_total: number;
    amount_tax: number;
    amount_return?: number;
    date_order: string;
    partner_id: number | false;
    employee_id?: number | false;
    user_id?: number | false;
    pricelist_id?: number | false;
    fiscal_position_id?: number | false;
    to_invoice?: boolean;
  };
  return {
    lines: order.lines.map(([, , l]) => ({
      name: l.full_product_name,
      qty: l.qty,
      amountWithTax: l.price_subtotal_incl,
      amountWithoutTax: l.price_subtotal,
      uuid: l.uuid ?? null,
      productId: l.product_id,
      priceUnit: l.price_unit,
      discount: l.discount ?? 0,
      // Written as one [6, false, ids] command by every version.
      taxIds: (l.tax_ids ?? []).flatMap((command) => command[2] ?? []),
      lots: (l.pack_lot_ids ?? []).map(([, , lot]) => lot.lot_name),
    })),
    payments: (order.statement_ids ?? order.payment_ids ?? []).map(([, , p]) => ({ paymentMethodId: p.payment_method_id, amount: p.amount })),
    amountTotal: order.amount_total,
    amountTax: order.amount_tax,
    amountReturn: order.amount_return ?? 0,
    dateOrder: order.date_order,
    partnerId: order.partner_id || null,
    employeeId: order.employee_id || null,
    userId: order.user_id || null,
    pricelistId: order.pricelist_id || null,
    fiscalPositionId: order.fiscal_position_id || null,
    toInvoice: order.to_invoice === true,
  };
}

/**
 * 16 stores no line uuid: Odoo creates a sale's lines in the order its payload lists them (one
 * `[0, 0, vals]` each, ids ascending), so the payload's line uuids map onto the stored lines by
 * position. Only when every line's product and quantity agree: anything else maps nothing, and the
 * refund goes as a plain return, as before.
 */
export function lineIdsByPosition(payload: string, stored: ReadonlyArray<{ id: number; productId: number; qty: number }>): Map<string, number> {
  let lines: RecordedOrder['lines'];
  try {
    lines = readOrderPayload(payload).lines;
  } catch {
    // A sale imported from a file holds whatever text it carried: nothing to match, not a stuck sync.
    return new Map();
  }
  const inOrder = [...stored].sort((a, b) => a.id - b.id);
  if (lines.length !== inOrder.length || lines.some((l, i) => l.productId !== inOrder[i]!.productId || l.qty !== inOrder[i]!.qty)) return new Map();
  return new Map(lines.flatMap((l, i): Array<[string, number]> => (l.uuid ? [[l.uuid, inOrder[i]!.id]] : [])));
}
