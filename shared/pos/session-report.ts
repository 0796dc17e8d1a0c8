// A session's figures for cash control and its end-of-day (Z) report, from the orders as they were
// frozen for Odoo: totals per payment method and per tax, refunds, discounts, cash moves and the
// cash the drawer should hold. Every sum is rounded to the currency (Odoo's round_pr) as it grows,
// so the figures are the cents people count, never float drift. Per-tax and discount amounts
// follow Odoo's sale details report (report_sale_details.py): compute_all on the discounted unit
// price for the taxes, compute_all on the list price less the line's total for the discount.

import { floatIsZero, roundPrecision } from './rounding.js';
import { computeAll, type Tax, type TaxRoundingMethod } from './taxes.js';

export interface ReportLine {
  qty: number;
  priceUnit: number;
  discount: number;
  priceSubtotal: number;
  priceSubtotalIncl: number;
  taxIds: number[];
}

export interface ReportOrder {
  lines: ReportLine[];
  payments: Array<{ paymentMethodId: number; amount: number }>;
  amountTotal: number;
  amountReturn: number;
}

export interface ReportPaymentMethod {
  id: number;
  name: string;
  /** is_cash_count: counted in the drawer. */
  isCash: boolean;
}

export interface ReportCashMove {
  type: 'in' | 'out';
  amount: number;
  reason: string;
  at: string;
}

export interface ReportSettings {
  currencyRounding: number;
  taxRoundingMethod?: TaxRoundingMethod;
  taxes: ReadonlyMap<number, Tax>;
}

export interface MethodTotal {
  id: number;
  name: string;
  isCash: boolean;
  /** Taken with the method; change given back is deducted from the cash method that took it. */
  amount: number;
  /** Payments made with it. */
  count: number;
}

export interface TaxTotal {
  /** The tax's id; 0 for lines without tax. */
  id: number;
  name: string;
  base: number;
  amount: number;
}

export interface SessionFigures {
  orders: number;
  total: number;
  byPaymentMethod: MethodTotal[];
  byTax: TaxTotal[];
  /** Orders with a refund line (a line of negative quantity), and what those lines gave back (tax included, negative). */
  refunds: { count: number; total: number };
  /** Lines with a discount, and what the discounts took off (tax included). */
  discounts: { count: number; total: number };
  cashIn: number;
  cashOut: number;
  /** The moves themselves, in the order given. */
  cashMoves: ReportCashMove[];
}

/** The currency's rounding of a sum, as the shortest decimal (300.65, not round_pr's 300.65000000000003): every figure here goes through it. */
export function currencyRound(value: number, rounding: number): number {
  const decimals = Math.min(Math.max(Math.ceil(-Math.log10(rounding) - 1e-9), 0), 10);
  return Number(roundPrecision(value, rounding).toFixed(decimals)) + 0; // + 0: no -0 in a report
}

/** The session's figures from its orders and cash moves (methods in the given order; unknown ones after them). */
export function sessionFigures(orders: readonly ReportOrder[], methods: readonly ReportPaymentMethod[], moves: readonly ReportCashMove[], settings: ReportSettings): SessionFigures {
  const r = (n: number) => currencyRound(n, settings.currencyRounding);
  const totals = new Map<number, MethodTotal>(methods.map((m) => [m.id, { id: m.id, name: m.name, isCash: m.isCash, amount: 0, count: 0 }]));
  const taxes = new Map<number, TaxTotal>();
  const refunds = { count: 0, total: 0 };
  const discounts = { count: 0, total: 0 };
  let total = 0;
  for (const order of orders) {
    total = r(total + order.amountTotal);
    for (const payment of order.payments) {
      const method = totals.get(payment.paymentMethodId) ?? { id: payment.paymentMethodId, name: `Method ${payment.paymentMethodId}`, isCash: false, amount: 0, count: 0 };
      totals.set(method.id, { ...method, amount: r(method.amount + payment.amount), count: method.count + 1 });
    }
    if (order.amountReturn) deductChange(order, totals, r);
    const refundLines = order.lines.filter((l) => l.qty < 0);
    if (refundLines.length) refunds.count++;
    for (const line of refundLines) refunds.total = r(refunds.total + line.priceSubtotalIncl);
    for (const line of order.lines) {
      addLineTaxes(line, taxes, settings);
      if (line.discount > 0) {
        discounts.count++;
        discounts.total = r(discounts.total + lineDiscount(line, settings));
      }
    }
  }
  const cashIn = moves.filter((m) => m.type === 'in').reduce((sum, m) => r(sum + m.amount), 0);
  const cashOut = moves.filter((m) => m.type === 'out').reduce((sum, m) => r(sum + m.amount), 0);
  // Per tax, Odoo's sale details add compute_all's amounts as they come and round once, when shown.
  const byTax = [...taxes.values()].map((t) => ({ ...t, base: r(t.base), amount: r(t.amount) })).sort((a, b) => a.id - b.id);
  return { orders: orders.length, total, byPaymentMethod: [...totals.values()], byTax, refunds, discounts, cashIn, cashOut, cashMoves: [...moves] };
}

/** Change comes out of the drawer: from the cash method the order was paid with (the first cash method otherwise). */
function deductChange(order: ReportOrder, totals: Map<number, MethodTotal>, r: (n: number) => number): void {
  const paidInCash = order.payments.map((p) => totals.get(p.paymentMethodId)).find((m) => m?.isCash);
  const cash = paidInCash ?? [...totals.values()].find((m) => m.isCash);
  if (cash) totals.set(cash.id, { ...cash, amount: r(cash.amount - order.amountReturn) });
}

function lineTaxes(line: ReportLine, settings: ReportSettings): Tax[] | null {
  const found = line.taxIds.map((id) => settings.taxes.get(id));
  return found.every((t): t is Tax => t !== undefined) ? found : null;
}

/** Adds a line's taxes (unrounded: sessionFigures rounds each total once) as its compute_all gives them. */
function addLineTaxes(line: ReportLine, byTax: Map<number, TaxTotal>, settings: ReportSettings): void {
  const add = (id: number, name: string, base: number, amount: number) => {
    const known = byTax.get(id) ?? { id, name, base: 0, amount: 0 };
    byTax.set(id, { ...known, base: known.base + base, amount: known.amount + amount });
  };
  if (line.taxIds.length === 0) return add(0, 'No tax', line.priceSubtotalIncl, 0);
  const taxes = lineTaxes(line, settings);
  // A tax no longer in the POS data: the line's own figures, under the tax ids it names.
  if (!taxes) return add(-Math.abs(line.taxIds[0]!), `Tax ${line.taxIds.join('+')}`, line.priceSubtotal, line.priceSubtotalIncl - line.priceSubtotal);
  const computed = computeAll(taxes, line.priceUnit * (1 - line.discount / 100), { rounding: settings.currencyRounding }, line.qty, undefined, undefined, { flavor: 'server', roundingMethod: settings.taxRoundingMethod ?? 'round_per_line' });
  // compute_all lists a tax once per repartition; its base is counted once.
  const bases = new Map<number, number>();
  for (const tax of computed.taxes) {
    add(tax.id, tax.name, 0, tax.amount);
    bases.set(tax.id, tax.base);
  }
  for (const [id, base] of bases) add(id, byTax.get(id)!.name, base, 0);
}

/** pos.order.line._get_discount_amount: the list price's total (taxes included) less the line's. */
function lineDiscount(line: ReportLine, settings: ReportSettings): number {
  const taxes = lineTaxes(line, settings);
  const undiscounted = taxes && taxes.length ? computeAll(taxes, line.priceUnit, { rounding: settings.currencyRounding }, line.qty, undefined, undefined, { flavor: 'server', roundingMethod: settings.taxRoundingMethod ?? 'round_per_line' }).total_included : line.priceUnit * line.qty;
  return undiscounted - line.priceSubtotalIncl;
}

/** What the drawer should hold: the opening count, cash taken net of change, cash put in, less cash taken out. */
export function expectedCash(openingCash: number, figures: SessionFigures, rounding: number): number {
  const cashTaken = figures.byPaymentMethod.filter((m) => m.isCash).reduce((sum, m) => sum + m.amount, 0);
  return currencyRound(openingCash + cashTaken + figures.cashIn - figures.cashOut, rounding);
}

/** Counted less expected, in the currency's cents (0 when they agree to the rounding). */
export function countedDifference(counted: number, expected: number, rounding: number): number {
  const difference = currencyRound(counted - expected, rounding);
  return floatIsZero(difference, { rounding }) ? 0 : difference;
}
