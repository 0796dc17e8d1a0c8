// Receipts of the sales made on this device, kept in the browser for reprints as they were shown
// (the terminal rebuilds any other from the order it stored: pos.receipt). Newest first, capped so
// the store never fills up.

import type { OpOutput } from '../../../shared/contract.js';
import type { Cart } from './cart.js';
import { cartTotals } from './cart.js';
import type { Customer, PosData } from './catalog.js';

export interface ReceiptLine {
  uuid: string;
  productId: number;
  name: string;
  qty: number;
  uomName: string;
  /** The payload's price_unit (before discount, as the line stored it). */
  priceUnit: number;
  discount: number;
  /** The unit price as the receipt shows it: taxes included, before the discount. */
  unitDisplay?: number;
  subtotalIncl: number;
  taxIds: number[];
  productRecord: Record<string, unknown>;
  packLots?: string[] | undefined;
  /** On refund receipts: the uuid of the line given back. */
  refundOfLine?: string | undefined;
}

export interface Receipt {
  uid: string;
  name: string;
  date: string;
  cashier: string;
  customer: Customer | null;
  configName: string;
  company: PosData['company'];
  lines: ReceiptLine[];
  amountUntaxed: number;
  amountTax: number;
  amountTotal: number;
  rounding: number;
  totalDue: number;
  payments: Array<{ method: string; amount: number }>;
  change: number;
  refundOf: string | null;
  /** Rebuilt by the terminal from the order it stored (not rung up in this browser): no refund from it. */
  fromTerminal?: boolean;
  /** The customer's name when only that is known (terminal receipts). */
  customerName?: string | null;
}

const KEY = 'fleet-pos.receipts.v1';
const KEEP = 500;

export function buildReceipt(cart: Cart, data: PosData, order: { uid: string; name: string }, cashier: string, date: Date): Receipt {
  const totals = cartTotals(cart, data, date.getTime());
  return {
    uid: order.uid,
    name: order.name,
    date: date.toISOString(),
    cashier,
    customer: cart.customer,
    configName: data.configName,
    company: data.company,
    lines: cart.lines.map((line, i) => {
      const t = totals.lines[i]!;
      return {
        uuid: line.uuid,
        productId: line.product.id,
        name: line.product.name,
        qty: t.qty,
        uomName: line.product.uomName,
        priceUnit: t.price_unit,
        discount: t.discount,
        unitDisplay: t.qty ? t.priceWithTaxBeforeDiscount / t.qty : t.price_unit,
        subtotalIncl: t.price_subtotal_incl,
        taxIds: line.product.taxIds,
        productRecord: line.product.record,
        refundOfLine: line.refundOf?.lineUuid,
        packLots: line.packLots,
      };
    }),
    amountUntaxed: totals.amount_untaxed,
    amountTax: totals.amount_tax,
    amountTotal: totals.amount_total,
    rounding: totals.rounding_applied,
    totalDue: totals.total_due,
    payments: cart.payments.map((p) => ({ method: data.paymentMethods.find((m) => m.id === p.methodId)?.name ?? `#${p.methodId}`, amount: p.amount })),
    change: totals.amount_return,
    refundOf: cart.refundOf,
  };
}

export function loadReceipts(storage: Storage = localStorage): Receipt[] {
  try {
    const parsed = JSON.parse(storage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(parsed) ? (parsed as Receipt[]) : [];
  } catch {
    return [];
  }
}

export function saveReceipt(receipt: Receipt, storage: Storage = localStorage): void {
  const all = [receipt, ...loadReceipts(storage).filter((r) => r.uid !== receipt.uid)];
  // Drop the oldest until it fits (a full store must never stop a sale: the order is already recorded).
  for (let keep = Math.min(all.length, KEEP); keep > 0; keep = Math.floor(keep / 2)) {
    try {
      storage.setItem(KEY, JSON.stringify(all.slice(0, keep)));
      return;
    } catch {
      // quota: try with fewer
    }
  }
}

/** A receipt the terminal rebuilt from its stored order (pos.receipt), in the shape printed here. */
export function receiptFromTerminal(uid: string, view: OpOutput<'pos.receipt'>): Receipt {
  return {
    uid,
    name: view.orderName,
    date: view.date,
    cashier: view.cashier ?? '',
    customer: null,
    configName: '',
    company: { name: view.header[0] ?? '', lines: view.header.slice(1) },
    lines: view.lines.map((line, i) => ({ uuid: String(i), productId: 0, name: line.name, qty: line.qty, uomName: '', priceUnit: line.qty ? line.amount / line.qty : line.amount, discount: 0, unitDisplay: line.qty ? line.amount / line.qty : line.amount, subtotalIncl: line.amount, taxIds: [], productRecord: {} })),
    amountUntaxed: view.total - view.tax,
    amountTax: view.tax,
    amountTotal: view.total,
    rounding: 0,
    totalDue: view.total,
    payments: view.payments.map((p) => ({ method: p.name, amount: p.amount })),
    change: view.change,
    refundOf: null,
    customerName: view.customer,
    fromTerminal: true,
  };
}
