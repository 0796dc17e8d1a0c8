import { mapTaxes } from './fiscal-position.js';
import { computeLineTotals } from './order-totals.js';
import type { PricingData } from './pos-data.js';
import { roundPrecision } from './rounding.js';
import { UnsupportedTaxError } from './taxes.js';

// What an order's detail shows of its amounts, from the amounts it was sold with (its frozen
// payload, or what Odoo holds): the untaxed total, each tax's share, and what is left to give back
// of each line. Odoo's rounding throughout (roundPrecision at the currency), never plain floats.

export interface DetailLineInput {
  priceUnit: number;
  qty: number;
  discount: number;
  /** The product's taxes as the order carries them (Odoo maps them by the fiscal position). */
  taxIds: readonly number[];
}

export interface TaxShare {
  id: number;
  name: string;
  amount: number;
}

/** total − tax at the currency's rounding (Odoo's amount_untaxed of a POS order). */
export function untaxedAmount(amountTotal: number, amountTax: number, data: Pick<PricingData, 'settings'>): number {
  return roundPrecision(amountTotal - amountTax, data.settings.currency.rounding);
}

/**
 * Each tax's amount over the order's lines, as the POS computes them (the fiscal position's
 * mapping, then compute_all per line; summed per tax and rounded to the currency). Null when a
 * line names a tax this terminal no longer has, or one the engine cannot compute: the detail then
 * shows the order's total tax only, never a made-up split.
 */
export function taxShares(lines: readonly DetailLineInput[], fiscalPositionId: number | null, data: PricingData): TaxShare[] | null {
  if (lines.some((line) => line.taxIds.some((id) => !data.taxesById.has(id)))) return null;
  const fiscalPosition = data.fiscalPositions.find((f) => f.id === fiscalPositionId) ?? null;
  const sums = new Map<number, number>();
  try {
    for (const line of lines) {
      const totals = computeLineTotals({ priceUnit: line.priceUnit, quantity: line.qty, discount: line.discount, taxes: mapTaxes(line.taxIds, fiscalPosition, data.taxesById) }, data.settings);
      for (const [id, detail] of Object.entries(totals.taxDetails)) sums.set(Number(id), (sums.get(Number(id)) ?? 0) + detail.amount);
    }
  } catch (error) {
    if (error instanceof UnsupportedTaxError) return null;
    throw error;
  }
  const rounding = data.settings.currency.rounding;
  return [...sums].map(([id, amount]) => ({ id, name: taxName(data, id), amount: roundPrecision(amount, rounding) }));
}

/** The names of a line's taxes, as this terminal knows them. */
export function taxNames(taxIds: readonly number[], data: Pick<PricingData, 'taxesById'>): string[] {
  return taxIds.map((id) => taxName(data, id));
}

function taxName(data: Pick<PricingData, 'taxesById'>, id: number): string {
  const tax = data.taxesById.get(id) as { name?: unknown } | undefined;
  return typeof tax?.name === 'string' && tax.name ? tax.name : `Tax ${id}`;
}

/**
 * What is left to give back of a sold line: its quantity less what was given back, never below 0
 * (Odoo's refunded_qty may exceed it after a refund made by hand). A refund line has nothing left.
 */
export function refundableQty(qty: number, refundedQty: number, uomDigits = 3): number {
  if (!(qty > 0)) return 0;
  return Math.max(0, roundPrecision(qty - refundedQty, Number(`1e${-uomDigits}`)));
}
