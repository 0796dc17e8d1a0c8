// Odoo 17's combo products (`combo_ids` → pos.combo → pos.combo.line): the cashier picks one
// product per combo; the order gets the combo's own line at price 0 and one child line per pick.
// The combo's price (its pricelist price for one unit) is split across the children in proportion
// to their combos' base prices (pos.combo.base_price, the cheapest of its products), each share
// rounded to the 'Product Price' digits and the remainder put on the last child; a pick's own
// extra (combo_price) is added to its share. Each child then goes through the fiscal position as
// any line does (fix_tax_included_price) and is taxed with its own product's taxes. The children
// come in the order of their combos' ids: 17's chooser keeps its picks in an object keyed by combo
// id, which JavaScript walks in ascending order. Used by the selling page and the price check.

import { priceAfterFiscalPosition, mapTaxes } from './fiscal-position.js';
import { storedUnitPrice } from './order-totals.js';
import { asRecords, engineProduct, idList, m2o, num, str, type OdooRecord, type PricingData, type SaleTerms } from './pos-data.js';
import { productPrice } from './pricelist.js';
import { roundDecimals } from './rounding.js';

export interface ComboLine {
  /** The pos.combo.line's id. */
  id: number;
  comboId: number;
  productId: number;
  /** The pick's extra (combo_price). */
  comboPrice: number;
}

export interface Combo {
  id: number;
  name: string;
  basePrice: number;
  lines: ComboLine[];
}

export type CombosById = ReadonlyMap<number, Combo>;

/** The cached pos.combo and pos.combo.line records as combos with their lines. */
export function readCombos(combos: readonly unknown[] | undefined, comboLines: readonly unknown[] | undefined): CombosById {
  const lines = asRecords(comboLines ?? []).map((l) => ({ id: Number(l.id), comboId: m2o(l.combo_id) ?? NaN, productId: m2o(l.product_id) ?? NaN, comboPrice: num(l.combo_price) }));
  return new Map(
    asRecords(combos ?? []).map((c) => {
      const id = Number(c.id);
      const own = new Set(idList(c.combo_line_ids));
      return [id, { id, name: str(c.name), basePrice: num(c.base_price), lines: lines.filter((l) => l.comboId === id && own.has(l.id)) }];
    }),
  );
}

/** The combos a product is made of, in the order its children are priced (by combo id); null when one is not loaded. */
export function productCombos(product: OdooRecord, combos: CombosById): Combo[] | null {
  const found = idList(product.combo_ids).map((id) => combos.get(id));
  if (found.some((c) => c === undefined)) return null;
  return (found as Combo[]).sort((a, b) => a.id - b.id);
}

export function isCombo(product: OdooRecord): boolean {
  return idList(product.combo_ids).length > 0;
}

/**
 * compute_child_lines: each pick's price before the fiscal position — its share of the combo's
 * price plus its combo_price and the extras of the attribute values chosen for it (`extras`, by
 * pick). `picks` are in pricing order (productCombos' order), one per combo.
 */
export function comboChildPrices(parentPrice: number, combos: readonly Combo[], picks: readonly ComboLine[], productPriceDigits: number, extras: readonly number[] = []): number[] {
  const originalTotal = combos.reduce((sum, combo) => sum + combo.basePrice, 0);
  let remaining = parentPrice;
  return picks.map((pick, i) => {
    const combo = combos[i]!;
    // A combo whose products all cost 0 splits nothing (Odoo would divide by zero).
    let share = originalTotal === 0 ? 0 : roundDecimals((combo.basePrice * parentPrice) / originalTotal, productPriceDigits);
    remaining -= share;
    if (i === picks.length - 1) share += remaining;
    return share + (extras[i] ?? 0) + pick.comboPrice;
  });
}

/** The child lines' stored unit prices in a sale (after the fiscal position, rounded as a line keeps them). */
export function comboChildUnitPrices(data: PricingData, parent: OdooRecord, children: ReadonlyArray<{ pick: ComboLine; product: OdooRecord; priceExtra?: number | undefined }>, combos: readonly Combo[], terms: SaleTerms, date: number): number[] {
  const { settings } = data;
  const parentPrice = productPrice(engineProduct(parent), terms.pricelist, 1, { ...data.priceContextBase, date });
  const prices = comboChildPrices(parentPrice, combos, children.map((c) => c.pick), settings.productPriceDigits, children.map((c) => c.priceExtra ?? 0));
  const fiscalPosition = data.fiscalPositions.find((f) => f.id === terms.fiscalPositionId) ?? null;
  return children.map((child, i) => {
    const own = mapTaxes(idList(child.product.taxes_id), null, data.taxesById);
    const mapped = priceAfterFiscalPosition(storedUnitPrice(prices[i]!, settings), own, fiscalPosition, data.taxesById, settings.currency, { roundingMethod: settings.taxRoundingMethod ?? 'round_per_line', companyCountryCode: settings.companyCountryCode ?? null });
    return storedUnitPrice(mapped, settings);
  });
}

/** The combo's own line: sold at 0, its price carried by the children (set_orderline_options). */
export const COMBO_PARENT_PRICE = 0;
