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
          price_extra: 0,
          customer_note: '',
          ...(l.refundedOrderlineId ? { refunded_orderline_id: l.refundedOrderlineId } : {}),
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
      },
    ]),
    payment_ids: sale.payments.map((p) => [0, 0, { payment_method_id: p.paymentMethodId, amount: p.amount, payment_date: date }]),
  });
}

/** What a receipt and the session's report read of a frozen order payload. */
export interface RecordedOrder {
  lines: Array<{ name: string | undefined; qty: number; amountWithTax: number; priceUnit: number; discount: number; priceSubtotal: number; taxIds: number[] }>;
  payments: Array<{ paymentMethodId: number; amount: number }>;
  amountTotal: number;
  amountTax: number;
  amountReturn: number;
  /** Odoo's UTC "YYYY-MM-DD HH:MM:SS". */
  dateOrder: string;
  partnerId: number | null;
  employeeId: number | null;
  userId: number | null;
}

/** A frozen payload read back, whichever version's shape it has (an order outlives a pairing). */
export function readOrderPayload(payload: string): RecordedOrder {
  type Pair<T> = [number, number, T];
  const parsed = JSON.parse(payload) as { data?: unknown };
  // 16/17 wrap the order in `data` and name its payments statement_ids; 18 sends it flat, with payment_ids.
  const order = (parsed.data && typeof parsed.data === 'object' ? parsed.data : parsed) as {
    lines: Array<Pair<{ full_product_name?: string; qty: number; price_unit?: number; discount?: number; price_subtotal?: number; price_subtotal_incl: number; tax_ids?: Array<[number, unknown, number[]]> }>>;
    statement_ids?: Array<Pair<{ payment_method_id: number; amount: number }>>;
    payment_ids?: Array<Pair<{ payment_method_id: number; amount: number }>>;
    amount_total: number;
    amount_tax: number;
    amount_return?: number;
    date_order: string;
    partner_id: number | false;
    employee_id?: number | false;
    user_id?: number | false;
  };
  return {
    lines: order.lines.map(([, , l]) => ({
      name: l.full_product_name,
      qty: l.qty,
      amountWithTax: l.price_subtotal_incl,
      priceUnit: l.price_unit ?? 0,
      discount: l.discount ?? 0,
      priceSubtotal: l.price_subtotal ?? l.price_subtotal_incl,
      // The one (6, 0, ids) command every version's POS writes.
      taxIds: l.tax_ids?.[0]?.[2] ?? [],
    })),
    payments: (order.statement_ids ?? order.payment_ids ?? []).map(([, , p]) => ({ paymentMethodId: p.payment_method_id, amount: p.amount })),
    amountTotal: order.amount_total,
    amountTax: order.amount_tax,
    amountReturn: order.amount_return ?? 0,
    dateOrder: order.date_order,
    partnerId: order.partner_id || null,
    employeeId: order.employee_id || null,
    userId: order.user_id || null,
  };
}
