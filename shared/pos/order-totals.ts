// Line and order amounts exactly as the Odoo 17 POS puts them in the create_from_ui payload
// (point_of_sale/static/src/app/store/models.js: Orderline.get_all_prices / export_as_JSON,
// Order.get_total_* / get_rounding_applied / get_change / get_due / export_as_JSON). The server
// stores these numbers as sent, so every step below, including where floats are left unrounded,
// follows the POS.

import { mapTaxes, priceAfterFiscalPosition, type FiscalPosition, type TaxesById } from './fiscal-position.js';
import { productPrice, type PriceContext, type PricedProduct, type Pricelist } from './pricelist.js';
import { floatIsZeroDecimals, roundDecimals, roundPrecision } from './rounding.js';
import { computeAll, type Tax, type TaxRoundingMethod } from './taxes.js';

/** account.cash.rounding of the pos.config, present only when pos.config.cash_rounding is set. */
export interface CashRounding {
  rounding: number;
  rounding_method: 'UP' | 'DOWN' | 'HALF-UP';
  /** pos.config.only_round_cash_method */
  onlyRoundCashMethod: boolean;
}

export interface PosPricingSettings {
  /** The POS currency (res.currency of the config). */
  currency: { rounding: number; decimal_places: number };
  /** decimal.precision 'Product Price'. */
  productPriceDigits: number;
  /** res.company.tax_calculation_rounding_method; default round_per_line. */
  taxRoundingMethod?: TaxRoundingMethod;
  /** res.company country code ('IN' changes included taxes). */
  companyCountryCode?: string | null;
  cashRounding?: CashRounding | null;
}

function taxOptions(settings: PosPricingSettings) {
  return { roundingMethod: settings.taxRoundingMethod ?? 'round_per_line', companyCountryCode: settings.companyCountryCode ?? null };
}

/** Orderline.set_unit_price: the line keeps the price rounded to the 'Product Price' digits. */
export function storedUnitPrice(price: number, settings: PosPricingSettings): number {
  return roundDecimals(price || 0, settings.productPriceDigits);
}

/** Orderline.get_unit_price, the payload's price_unit: rounded, then re-read from its decimal text. */
export function payloadUnitPrice(price: number, settings: PosPricingSettings): number {
  const digits = settings.productPriceDigits;
  return parseFloat(roundDecimals(price || 0, digits).toFixed(digits));
}

/** Orderline.set_quantity: the quantity rounded to the unit's rounding (at least the UoM digits). */
export function roundQuantity(quantity: number, unit: { rounding: number } | null | undefined, uomDigits: number): number {
  if (!unit) return quantity;
  if (!unit.rounding) return roundPrecision(quantity, 1);
  return roundPrecision(quantity, Math.max(unit.rounding, Math.pow(10, -uomDigits)));
}

/** Payment.set_amount: amounts are kept rounded to the currency's decimal places. */
export function paymentAmount(value: number, settings: PosPricingSettings): number {
  return roundDecimals(value || 0, settings.currency.decimal_places);
}

export interface LineUnitPriceInput {
  product: PricedProduct & { taxes_id: readonly number[] };
  pricelist: Pricelist | null | undefined;
  quantity: number;
  /** Extras of no-variant attribute values chosen on the line. */
  priceExtra?: number;
  fiscalPosition?: FiscalPosition | null;
  taxesById: TaxesById;
  priceContext: PriceContext;
}

/**
 * The unit price a line gets when a product is added or its quantity / the pricelist / the fiscal
 * position changes (set_unit_price(get_price(...)) then Order.fix_tax_included_price).
 */
export function lineUnitPrice(input: LineUnitPriceInput, settings: PosPricingSettings): number {
  const listed = storedUnitPrice(productPrice(input.product, input.pricelist, input.quantity, input.priceContext, input.priceExtra ?? 0), settings);
  const productTaxes = mapTaxes(input.product.taxes_id, null, input.taxesById);
  const afterFiscalPosition = priceAfterFiscalPosition(listed, productTaxes, input.fiscalPosition, input.taxesById, settings.currency, taxOptions(settings));
  return storedUnitPrice(afterFiscalPosition, settings);
}

/** The payload's tax_ids: the product's own taxes (not mapped), in the order of the loaded taxes. */
export function payloadTaxIds(productTaxIds: readonly number[], loadedTaxes: readonly Tax[]): number[] {
  const wanted = new Set(productTaxIds);
  return loadedTaxes.filter((tax) => wanted.has(tax.id)).map((tax) => tax.id);
}

export interface OrderLineInput {
  /** The line's stored unit price (see lineUnitPrice / storedUnitPrice). */
  priceUnit: number;
  quantity: number;
  /** Percent, 0–100. */
  discount?: number;
  /** The taxes after the fiscal position (mapTaxes of the line's or product's tax ids). */
  taxes: readonly Tax[];
}

export interface LineTotals {
  price_unit: number;
  qty: number;
  discount: number;
  price_subtotal: number;
  price_subtotal_incl: number;
  priceWithoutTaxBeforeDiscount: number;
  priceWithTaxBeforeDiscount: number;
  /** Sum of the line's tax amounts. */
  tax: number;
  /** Amount and base per tax id (a tax listed twice keeps its last entry, as in the POS). */
  taxDetails: Record<number, { amount: number; base: number }>;
}

/** Orderline.get_all_prices: the discount applies to the unit price before taxes. */
export function computeLineTotals(line: OrderLineInput, settings: PosPricingSettings): LineTotals {
  const discount = line.discount ?? 0;
  const unitPrice = payloadUnitPrice(line.priceUnit, settings);
  const options = taxOptions(settings);
  const currency = settings.currency;
  const allTaxes = computeAll(line.taxes, unitPrice * (1.0 - discount / 100.0), currency, line.quantity, undefined, undefined, options);
  const beforeDiscount = computeAll(line.taxes, unitPrice, currency, line.quantity, undefined, undefined, options);
  let tax = 0;
  const taxDetails: Record<number, { amount: number; base: number }> = {};
  for (const entry of allTaxes.taxes) {
    tax += entry.amount;
    taxDetails[entry.id] = { amount: entry.amount, base: entry.base };
  }
  return {
    price_unit: unitPrice,
    qty: line.quantity,
    discount,
    price_subtotal: allTaxes.total_excluded,
    price_subtotal_incl: allTaxes.total_included,
    priceWithoutTaxBeforeDiscount: beforeDiscount.total_excluded,
    priceWithTaxBeforeDiscount: beforeDiscount.total_included,
    tax,
    taxDetails,
  };
}

export interface PaymentInput {
  /** As stored by the POS (see paymentAmount). */
  amount: number;
  /** pos.payment.method.is_cash_count */
  isCash: boolean;
  /** false while a terminal payment is pending: such lines do not count as paid. Default true. */
  done?: boolean;
}

export interface OrderTotals {
  lines: LineTotals[];
  /** get_total_without_tax */
  amount_untaxed: number;
  /** get_total_tax (payload amount_tax) */
  amount_tax: number;
  /** get_total_with_tax (payload amount_total): untaxed + tax, left unrounded like the POS. */
  amount_total: number;
  /** get_total_paid: the done payments. */
  total_paid: number;
  /** get_rounding_applied: what cash rounding adds to the amount due (negative when it lowers it). */
  rounding_applied: number;
  /** get_change (payload amount_return). */
  amount_return: number;
  /** payload amount_paid: total_paid - change. */
  amount_paid: number;
  /** get_due(): still to pay, after cash rounding (negative when overpaid). */
  amount_due: number;
  /** What the payment screen shows as "Total Due": amount_total + rounding_applied. */
  total_due: number;
  /** is_paid(): get_due() <= 0 */
  is_paid: boolean;
}

/** Order.get_total_tax: per line, or per tax over the whole order when rounding globally. */
export function orderTax(lines: readonly LineTotals[], settings: PosPricingSettings): number {
  const rounding = settings.currency.rounding;
  if (settings.taxRoundingMethod === 'round_globally') {
    const byTax: Record<number, number> = {};
    for (const line of lines) {
      for (const taxId of Object.keys(line.taxDetails)) {
        const id = Number(taxId);
        byTax[id] = (byTax[id] ?? 0) + (line.taxDetails[id] as { amount: number }).amount;
      }
    }
    let sum = 0;
    for (const taxId of Object.keys(byTax)) sum += roundPrecision(byTax[Number(taxId)] as number, rounding);
    return sum;
  }
  return roundPrecision(
    lines.reduce((sum, line) => sum + line.tax, 0),
    rounding,
  );
}

/**
 * Order.get_rounding_applied. The POS rounds what remains to pay half-up to the cash rounding step
 * and then moves it one step for UP / DOWN; when the order is overpaid (or a refund underpaid) UP
 * and DOWN swap, so the customer's change is rounded the same way as the amount due.
 */
export function cashRoundingApplied(totalWithTax: number, totalPaid: number, lastPaymentIsCash: boolean, settings: PosPricingSettings): number {
  const cash = settings.cashRounding;
  if (!cash) return 0;
  if (cash.onlyRoundCashMethod && !lastPaymentIsCash) return 0;
  const step = cash.rounding;
  let method = cash.rounding_method;
  let remaining = totalWithTax - totalPaid;
  const sign = totalWithTax > 0 ? 1.0 : -1.0;
  if (((totalWithTax < 0 && remaining > 0) || (totalWithTax > 0 && remaining < 0)) && method !== 'HALF-UP') {
    method = method === 'UP' ? 'DOWN' : 'UP';
  }
  remaining *= sign;
  const total = roundPrecision(remaining, step);
  let roundingApplied = total - remaining;

  if (floatIsZeroDecimals(roundingApplied, settings.currency.decimal_places)) return 0;
  if (Math.abs(totalWithTax) < step) return 0;
  if (method === 'UP' && roundingApplied < 0 && remaining > 0) roundingApplied += step;
  else if (method === 'UP' && roundingApplied > 0 && remaining < 0) roundingApplied -= step;
  else if (method === 'DOWN' && roundingApplied > 0 && remaining > 0) roundingApplied -= step;
  else if (method === 'DOWN' && roundingApplied < 0 && remaining < 0) roundingApplied += step;
  else if (method === 'HALF-UP' && roundingApplied === step / -2) roundingApplied += step;
  return sign * roundingApplied;
}

/** The order's amounts for its lines and payments (payments in the order they were added). */
export function computeOrderTotals(
  orderLines: readonly OrderLineInput[],
  payments: readonly PaymentInput[],
  settings: PosPricingSettings,
): OrderTotals {
  const rounding = settings.currency.rounding;
  const lines = orderLines.map((line) => computeLineTotals(line, settings));
  const amountUntaxed = roundPrecision(
    lines.reduce((sum, line) => sum + line.price_subtotal, 0),
    rounding,
  );
  const amountTax = orderTax(lines, settings);
  const amountTotal = amountUntaxed + amountTax;
  const totalPaid = roundPrecision(
    payments.reduce((sum, payment) => (payment.done === false ? sum : sum + payment.amount), 0),
    rounding,
  );
  const lastPayment = payments[payments.length - 1];
  const roundingApplied = cashRoundingApplied(amountTotal, totalPaid, lastPayment?.isCash === true, settings);
  const change = roundPrecision(Math.max(0, totalPaid - amountTotal - roundingApplied), rounding);
  const due = roundPrecision(amountTotal - totalPaid + roundingApplied, rounding);
  return {
    lines,
    amount_untaxed: amountUntaxed,
    amount_tax: amountTax,
    amount_total: amountTotal,
    total_paid: totalPaid,
    rounding_applied: roundingApplied,
    amount_return: change,
    amount_paid: totalPaid - change,
    amount_due: due,
    total_due: amountTotal + roundingApplied,
    is_paid: due <= 0,
  };
}

/**
 * The amount a new payment line starts with (Order.add_paymentline): with cash rounding the new
 * line first counts as 0 — and as the last line — then takes what is due.
 */
export function newPaymentLineAmount(
  orderLines: readonly OrderLineInput[],
  payments: readonly PaymentInput[],
  isCash: boolean,
  settings: PosPricingSettings,
): number {
  const withNewLine = [...payments, { amount: 0, isCash }];
  return paymentAmount(computeOrderTotals(orderLines, withNewLine, settings).amount_due, settings);
}

/**
 * Order.check_paymentlines_rounding, asked before validating with cash rounding on: false when a
 * payment that must be rounded (cash, or any when not only cash) is not on the rounding step.
 */
export function paymentsRespectCashRounding(amountTotal: number, payments: readonly PaymentInput[], settings: PosPricingSettings): boolean {
  const cash = settings.cashRounding;
  if (!cash) return true;
  const currencyRounding = settings.currency.rounding;
  for (const payment of payments) {
    const diff = roundPrecision(roundPrecision(payment.amount, cash.rounding) - roundPrecision(payment.amount, currencyRounding), currencyRounding);
    if (amountTotal < cash.rounding) return true;
    if (diff && payment.isCash) return false;
    if (!cash.onlyRoundCashMethod && diff) return false;
  }
  return true;
}

/**
 * What the payment screen will not validate, as Odoo's does not: cash off the rounding step, an
 * order not fully paid, a refund not paid back exactly, change without a cash payment. The selling
 * page shows it; the terminal refuses a sale that breaks it.
 */
export function paymentRuleBroken(totals: OrderTotals, payments: readonly PaymentInput[], settings: PosPricingSettings): { field: 'payments' | 'amountReturn'; message: string } | null {
  if (!paymentsRespectCashRounding(totals.amount_total, payments, settings)) return { field: 'payments', message: `Cash amounts must be multiples of ${settings.cashRounding?.rounding ?? ''}.` };
  if (!totals.is_paid) return { field: 'payments', message: 'The order is not fully paid.' };
  // A refund gives back exactly what is due; a sale may take more, and gives change in cash only.
  if (totals.amount_total < 0 && totals.amount_due !== 0) return { field: 'payments', message: 'Refund exactly the amount due.' };
  if (totals.amount_return > 0 && !payments.some((p) => p.isCash)) return { field: 'amountReturn', message: 'Change can only be given with a cash payment.' };
  return null;
}

/** Order.has_not_valid_rounding: index of the first payment off the rounding step, or -1. */
export function firstUnroundedPayment(amountTotal: number, payments: readonly PaymentInput[], settings: PosPricingSettings): number {
  const cash = settings.cashRounding;
  if (!cash || amountTotal < cash.rounding) return -1;
  return payments.findIndex(
    (payment) =>
      (!cash.onlyRoundCashMethod || payment.isCash) && !floatIsZeroDecimals(payment.amount - roundPrecision(payment.amount, cash.rounding), 6),
  );
}
