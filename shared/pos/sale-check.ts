// Prices the server vouches for. Odoo stores the amounts a POS sends without recomputing them, so
// the terminal's server reprices every sale with the engine the selling page uses (pos-data.ts)
// before it is stored: unknown products, taxes, payment methods, pricelists and fiscal positions
// are refused, and so is any amount that differs from the engine's. A line priced off its
// pricelist or discounted is an override, allowed only as the POS configuration lets the cashier
// (Odoo's numpad: manual_discount for the % Disc key, restrict_price_control for the Price key),
// and returned so the terminal can record who made it.

import { FleetError } from '../errors.js';
import { mapTaxes } from './fiscal-position.js';
import { computeOrderTotals, payloadTaxIds, payloadUnitPrice, paymentRuleBroken, type OrderTotals } from './order-totals.js';
import { engineProduct, idList, listedUnitPrice, str, type OdooRecord, type PaymentMethod, type PricingData, type SaleTerms } from './pos-data.js';
import { checkCombos, checkedPriceExtra, isComboLine, isNamedRefund } from './option-check.js';
import { floatCompare, type Precision } from './rounding.js';

/** Who rings the sale up, and whether Odoo's POS counts them a manager. */
export interface Cashier {
  userId: number;
  employeeId: number | null;
  isManager: boolean;
}

export interface CheckedSaleLine {
  productId: number;
  qty: number;
  priceUnit: number;
  discount: number;
  priceSubtotal: number;
  priceSubtotalIncl: number;
  taxIds: readonly number[];
  uuid: string;
  refundedOrderlineId?: number | null | undefined;
  refundedLineUuid?: string | undefined;
  attributeValueIds?: number[] | undefined;
  customAttributeValues?: Array<{ valueId: number; text: string }> | undefined;
  priceExtra?: number | undefined;
  comboParentUuid?: string | undefined;
  comboLineId?: number | undefined;
  /** The name the line is sold under: a configured line's must name its values as Odoo does. */
  fullProductName?: string | undefined;
}

/** The parts of a sale (pos.sell's) that carry money. */
export interface CheckedSale {
  lines: readonly CheckedSaleLine[];
  payments: ReadonlyArray<{ paymentMethodId: number; amount: number }>;
  amountTotal: number;
  amountTax: number;
  amountPaid: number;
  amountReturn: number;
  pricelistId: number | null;
  fiscalPositionId: number | null;
  /** Pricelist rules with dates apply as of the sale's date. */
  dateOrder?: Date | string | undefined;
}

/** The line a refund line gives back, as the terminal saw it, and how much of it is left to give back. */
export interface RefundedLine {
  /** The sold line, however it is named (two refund lines of one sale naming it share what is left). */
  key: string;
  productId: number;
  priceUnit: number;
  discount: number;
  taxIds: readonly number[];
  qtyLeft: number;
}

/** A line sold off its pricelist price or with a discount, and the cashier who did it. */
export interface PriceOverride {
  lineUuid: string;
  productId: number;
  listPrice: number;
  soldPrice: number;
  discount: number;
  cashier: Cashier;
}

/**
 * The cashier's rights from the cached data (PosCatalog's shape): pos_hr's employee `role`, or
 * without an employee the session user's `role` (res.users as the POS loads it). One place, so a server-side
 * cashier login can replace where the ids come from.
 */
export function cashierAuthority(sale: { userId: number; employeeId?: number | null | undefined }, cached: { employees: readonly OdooRecord[]; users: readonly OdooRecord[] }): Cashier {
  const employeeId = sale.employeeId ?? null;
  const record = employeeId === null ? cached.users.find((u) => Number(u.id) === sale.userId) : cached.employees.find((e) => Number(e.id) === employeeId);
  return { userId: sale.userId, employeeId, isManager: record?.role === 'manager' };
}

function refuse(field: string, message: string, details: Record<string, unknown> = {}): never {
  throw new FleetError('VALIDATION', message, { field, ...details });
}

/** A received amount that is not the engine's at `precision`, named with both values (the expected one shown to `digits`). */
function same(field: string, what: string, expected: number, received: number, precision: Precision, digits: number): void {
  if (floatCompare(expected, received, precision) !== 0) refuse(field, `${what} is ${received}, but the prices give ${parseFloat(expected.toFixed(digits))}.`, { expected, received });
}

/** The pricelist and fiscal position the sale names, which must be this terminal's. */
function saleTerms(sale: CheckedSale, data: PricingData): SaleTerms {
  // The selling page always names one when one is loaded: without, the default applies.
  const pricelist = sale.pricelistId === null ? data.defaultPricelist : data.pricelists.find((p) => p.id === sale.pricelistId);
  if (pricelist === undefined) refuse('pricelistId', `No pricelist ${sale.pricelistId} on this terminal (refresh the POS data?).`);
  if (!data.usePricelist && pricelist?.id !== data.defaultPricelist?.id) refuse('pricelistId', `This POS sells at its own pricelist only (${data.defaultPricelist?.name ?? 'none'}).`);
  if (sale.fiscalPositionId !== null && !data.fiscalPositions.some((f) => f.id === sale.fiscalPositionId)) {
    refuse('fiscalPositionId', `No fiscal position ${sale.fiscalPositionId} on this terminal (refresh the POS data?).`);
  }
  return { pricelist, fiscalPositionId: sale.fiscalPositionId };
}

function paymentMethods(sale: CheckedSale, data: PricingData): PaymentMethod[] {
  return sale.payments.map((payment, i) => data.paymentMethods.find((m) => m.id === payment.paymentMethodId) ?? refuse(`payments.${i}.paymentMethodId`, `No payment method ${payment.paymentMethodId} on this terminal's POS (refresh the POS data?).`));
}

/** A refund line naming the line it gives back keeps that line's price, discount and taxes (checked against what the terminal saw of it). */
interface LineContext {
  data: PricingData;
  products: ReadonlyMap<number, OdooRecord>;
  terms: SaleTerms;
  date: number;
  cashier: Cashier;
  refunded: (line: CheckedSaleLine) => RefundedLine | null;
  /** What earlier refund lines of this sale give back, by sold line. */
  givenBack: Map<string, number>;
}

/** The product and taxes must be this terminal's, and a sold line's taxes the product's; returns its override, if any. */
function checkLine(line: CheckedSaleLine, index: number, ctx: LineContext): PriceOverride[] {
  const where = `lines.${index}`;
  const record = ctx.products.get(line.productId) ?? refuse(`${where}.productId`, `Line ${index + 1}: no product ${line.productId} on this terminal (refresh the POS data?).`);
  const label = `Line ${index + 1} (${str(record.display_name) || str(record.name) || `product ${line.productId}`})`;
  const unknownTax = line.taxIds.find((id) => !ctx.data.taxesById.has(id));
  if (unknownTax !== undefined) refuse(`${where}.taxIds`, `${label}: no tax ${unknownTax} on this terminal (refresh the POS data?).`);
  if (isNamedRefund(line)) {
    checkNamedRefund(line, label, where, ctx);
    return [];
  }
  // Odoo would count this line into the named line's refunded quantity (and lower it: qty ≥ 0).
  if (line.refundedOrderlineId != null || line.refundedLineUuid !== undefined) refuse(`${where}.qty`, `${label}: only a line giving something back names the line it refunds.`);
  // The payload carries the product's own taxes, in load order; Odoo maps them by the fiscal position itself.
  const taxIds = payloadTaxIds(idList(record.taxes_id), ctx.data.taxes);
  if (taxIds.join(',') !== line.taxIds.join(',')) refuse(`${where}.taxIds`, `${label}: taxes [${line.taxIds.join(', ')}], but the product has [${taxIds.join(', ')}].`, { expected: taxIds, received: line.taxIds });
  const priceExtra = checkedPriceExtra(line, index, record, ctx.data);
  // A combo's lines are priced by the combo (checkCombos), never overridden.
  if (isComboLine(line, record)) return [];
  const listPrice = payloadUnitPrice(listedUnitPrice(ctx.data, engineProduct(record), line.qty, ctx.terms, ctx.date, priceExtra), ctx.data.settings);
  const priceChanged = floatCompare(listPrice, line.priceUnit, { digits: ctx.data.settings.productPriceDigits }) !== 0;
  if (!priceChanged && line.discount === 0) return [];
  if (line.discount > 0 && !ctx.data.lineEdits.manualDiscount) {
    throw new FleetError('FORBIDDEN', `${label}: a ${line.discount}% discount, but this POS does not allow line discounts.`, { field: `${where}.discount` });
  }
  if (priceChanged && ctx.data.lineEdits.restrictPriceControl && !ctx.cashier.isManager) {
    throw new FleetError('FORBIDDEN', `${label}: sold at ${line.priceUnit} instead of ${listPrice}; on this POS only a manager may change prices.`, { field: `${where}.priceUnit`, expected: listPrice, received: line.priceUnit });
  }
  return [{ lineUuid: line.uuid, productId: line.productId, listPrice, soldPrice: line.priceUnit, discount: line.discount, cashier: ctx.cashier }];
}

/** A refund of a line the terminal saw (found in Odoo, or sold here), at its price, discount and taxes, and no more than is left of it. */
function checkNamedRefund(line: CheckedSaleLine, label: string, where: string, ctx: LineContext): void {
  const given = ctx.refunded(line);
  if (!given) refuse(`${where}.refundedOrderlineId`, `${label}: gives back a line this terminal has not seen: find its order first (Orders), then refund from there.`);
  if (given.productId !== line.productId) refuse(`${where}.productId`, `${label}: gives back a line of another product (${given.productId}).`, { expected: given.productId, received: line.productId });
  const digits = { digits: ctx.data.settings.productPriceDigits };
  if (floatCompare(given.priceUnit, line.priceUnit, digits) !== 0) refuse(`${where}.priceUnit`, `${label}: refunded at ${line.priceUnit}, but it was sold at ${given.priceUnit}.`, { expected: given.priceUnit, received: line.priceUnit });
  if (floatCompare(given.discount, line.discount, { digits: 2 }) !== 0) refuse(`${where}.discount`, `${label}: refunded with a ${line.discount}% discount, but it was sold with ${given.discount}%.`, { expected: given.discount, received: line.discount });
  const sorted = (ids: readonly number[]) => [...ids].sort((a, b) => a - b).join(',');
  if (sorted(given.taxIds) !== sorted(line.taxIds)) refuse(`${where}.taxIds`, `${label}: refunded with taxes [${line.taxIds.join(', ')}], but it was sold with [${given.taxIds.join(', ')}].`, { expected: given.taxIds, received: line.taxIds });
  const left = given.qtyLeft - (ctx.givenBack.get(given.key) ?? 0);
  if (-line.qty > left + 1e-9) refuse(`${where}.qty`, `${label}: gives back ${-line.qty}, but only ${Math.max(0, left)} is left to give back.`, { expected: left, received: line.qty });
  ctx.givenBack.set(given.key, (ctx.givenBack.get(given.key) ?? 0) - line.qty);
}

/** Every line amount and total as the engine gives them from the lines' prices, quantities, discounts, taxes and the payments. */
function checkTotals(sale: CheckedSale, data: PricingData, terms: SaleTerms, methods: readonly PaymentMethod[]): void {
  const fiscalPosition = data.fiscalPositions.find((f) => f.id === terms.fiscalPositionId) ?? null;
  const lines = sale.lines.map((line) => ({ priceUnit: line.priceUnit, quantity: line.qty, discount: line.discount, taxes: mapTaxes(line.taxIds, fiscalPosition, data.taxesById) }));
  const payments = sale.payments.map((payment, i) => ({ amount: payment.amount, isCash: methods[i]!.isCash }));
  const totals = computeOrderTotals(lines, payments, data.settings);
  const { rounding, decimal_places: places } = data.settings.currency;
  const priceDigits = data.settings.productPriceDigits;
  const money = (field: string, what: string, expected: number, received: number) => same(field, what, expected, received, { rounding }, places);
  sale.lines.forEach((line, i) => {
    const expected = totals.lines[i]!;
    same(`lines.${i}.priceUnit`, `Line ${i + 1}'s unit price`, expected.price_unit, line.priceUnit, { digits: priceDigits }, priceDigits);
    money(`lines.${i}.priceSubtotal`, `Line ${i + 1}'s subtotal`, expected.price_subtotal, line.priceSubtotal);
    money(`lines.${i}.priceSubtotalIncl`, `Line ${i + 1}'s subtotal with taxes`, expected.price_subtotal_incl, line.priceSubtotalIncl);
  });
  money('amountTotal', 'The total', totals.amount_total, sale.amountTotal);
  money('amountTax', 'The tax', totals.amount_tax, sale.amountTax);
  money('amountPaid', 'The amount paid', totals.amount_paid, sale.amountPaid);
  money('amountReturn', 'The change', totals.amount_return, sale.amountReturn);
  checkPaid(totals, payments, data);
}

/** Paid as the payment screen lets a sale be paid (the same rules, shared with the selling page). */
function checkPaid(totals: OrderTotals, payments: ReadonlyArray<{ amount: number; isCash: boolean }>, data: PricingData): void {
  const broken = paymentRuleBroken(totals, payments, data.settings);
  if (broken) refuse(broken.field, broken.message, { expected: totals.total_due, received: totals.total_paid });
}

/**
 * Reprices a sale with the terminal's data (`products`: the cached product.product records it
 * names, by id). Throws VALIDATION naming the first thing that is not this terminal's or does not
 * add up, FORBIDDEN for an override the cashier may not make; returns the allowed overrides.
 */
export function checkSale(sale: CheckedSale, data: PricingData, products: ReadonlyMap<number, OdooRecord>, cashier: Cashier, refunded: (line: CheckedSaleLine) => RefundedLine | null = () => null): PriceOverride[] {
  const terms = saleTerms(sale, data);
  const methods = paymentMethods(sale, data);
  const date = sale.dateOrder === undefined ? Date.now() : new Date(sale.dateOrder).getTime();
  const ctx: LineContext = { data, products, terms, date, cashier, refunded, givenBack: new Map() };
  const overrides = sale.lines.flatMap((line, i) => checkLine(line, i, ctx));
  checkCombos(sale.lines, ctx);
  checkTotals(sale, data, terms, methods);
  return overrides;
}
