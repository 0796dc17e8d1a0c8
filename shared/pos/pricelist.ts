// A product's unit price under a pricelist, as the Odoo 17 POS computes it: Product.get_price and
// isPricelistItemUsable in point_of_sale/static/src/app/store/models.js, with the items assigned to
// products as PosStore._loadProductProduct does. It ports product.pricelist._compute_price_rule and
// product.pricelist.item._compute_price (product/models/), minus units of measure and currencies.
//
// Rule order: the first usable item wins, in the order the items were loaded. load_pos_data reads
// them with the ORM order of product.pricelist.item ("applied_on, min_quantity desc, categ_id desc,
// id desc"), so keep the loaded order; do not sort them again.

import { many2oneId, type Many2one } from './odoo-values.js';
import { roundPrecision } from './rounding.js';

export type ComputePrice = 'fixed' | 'percentage' | 'formula';
export type PriceBase = 'list_price' | 'standard_price' | 'pricelist';

export interface PricelistItem {
  id: number;
  product_id?: Many2one;
  product_tmpl_id?: Many2one;
  categ_id?: Many2one;
  min_quantity?: number;
  /** UTC "YYYY-MM-DD HH:MM:SS" (a Datetime in 17) or "YYYY-MM-DD"; false when open. */
  date_start?: string | false | null;
  date_end?: string | false | null;
  compute_price: ComputePrice | string;
  fixed_price?: number;
  percent_price?: number;
  price_discount?: number;
  price_surcharge?: number;
  price_round?: number;
  price_min_margin?: number;
  price_max_margin?: number;
  base?: PriceBase | string;
  base_pricelist_id?: Many2one;
}

export interface Pricelist {
  id: number;
  name?: string;
  items: readonly PricelistItem[];
}

/** product.category as load_pos_data nests it in product.categ (parent as an object). */
export interface ProductCategory {
  id: number;
  parent?: ProductCategory | null;
  parent_id?: Many2one;
}

export interface PricedProduct {
  id: number;
  product_tmpl_id: Many2one;
  /** Sales price of the variant (list price plus variant extras), in the POS currency. */
  lst_price: number;
  standard_price?: number;
  /** The POS shape: the category with its parents nested. */
  categ?: ProductCategory | null;
  /** Otherwise the category id, with PriceContext.categories to find its parents. */
  categ_id?: Many2one;
}

export interface PriceContext {
  /** Every pricelist the POS loaded: a rule based on another pricelist looks it up here. */
  pricelists: readonly Pricelist[];
  /** When the price is asked; the POS uses "now". */
  date?: Date | number;
  /** Categories with parent_id, for products given by categ_id only. */
  categories?: readonly ProductCategory[];
}

export interface PriceDetails {
  price: number;
  /** The item applied on the asked pricelist, null when none applies. */
  ruleId: number | null;
  /** Pricelists visited, the asked one first (rules based on another pricelist). */
  pricelistChain: number[];
  /** Set when a rule is based on a pricelist the POS did not load: the POS then keeps the list price. */
  missingBasePricelistId: number | null;
}

export class PricelistCycleError extends Error {
  constructor(readonly chain: readonly number[]) {
    super(`pricelists based on each other in a loop: ${chain.join(' → ')}`);
    this.name = 'PricelistCycleError';
  }
}

/** The product's category and its parents, nearest first. */
export function productCategoryIds(product: PricedProduct, categories: readonly ProductCategory[] = []): number[] {
  const ids: number[] = [];
  if (product.categ) {
    for (let category: ProductCategory | null | undefined = product.categ; category; category = category.parent) {
      if (ids.includes(category.id)) break;
      ids.push(category.id);
    }
    return ids;
  }
  const byId = new Map(categories.map((category) => [category.id, category]));
  for (let id = many2oneId(product.categ_id ?? false); id !== null && !ids.includes(id); ) {
    ids.push(id);
    const category = byId.get(id);
    id = category ? many2oneId(category.parent?.id ?? category.parent_id ?? false) : null;
  }
  return ids;
}

/**
 * _assignApplicableItems: an item with a variant applies to that variant only, one with a template
 * to its variants, any other (category or global) to every product.
 */
export function itemsForProduct(product: PricedProduct, pricelist: Pricelist): PricelistItem[] {
  const templateId = many2oneId(product.product_tmpl_id);
  return pricelist.items.filter((item) => {
    const variantId = many2oneId(item.product_id);
    if (variantId !== null) return variantId === product.id;
    const itemTemplateId = many2oneId(item.product_tmpl_id);
    if (itemTemplateId !== null) return itemTemplateId === templateId;
    return true;
  });
}

/** luxon DateTime.fromSQL(value, {zone: 'utc'}) for Odoo's date / datetime strings; NaN if invalid. */
export function parseOdooUtc(value: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?$/.exec(value.trim());
  if (!match) return NaN;
  const [, year, month, day, hour = '0', minute = '0', second = '0', millis = '0'] = match;
  const time = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), Number(millis.padEnd(3, '0')));
  const check = new Date(time);
  return check.getUTCDate() === Number(day) && check.getUTCMonth() === Number(month) - 1 ? time : NaN;
}

/** isPricelistItemUsable: category (or a parent) matches, and the date is within both bounds. */
export function isItemUsable(item: PricelistItem, categoryIds: readonly number[], when: number): boolean {
  const categoryId = many2oneId(item.categ_id);
  if (categoryId !== null && !categoryIds.includes(categoryId)) return false;
  // Comparisons with an unparsable date are false, as with luxon's invalid DateTime.
  if (item.date_start && !(parseOdooUtc(item.date_start) <= when)) return false;
  if (item.date_end && !(parseOdooUtc(item.date_end) >= when)) return false;
  return true;
}

/** The item that prices `quantity` of the product, or null: the first usable one whose min quantity is met. */
export function findRule(
  product: PricedProduct,
  pricelist: Pricelist,
  quantity: number,
  context: Pick<PriceContext, 'date' | 'categories'> = {},
): PricelistItem | null {
  const when = context.date === undefined ? Date.now() : Number(context.date);
  const categoryIds = productCategoryIds(product, context.categories);
  const rules = itemsForProduct(product, pricelist).filter((item) => isItemUsable(item, categoryIds, when));
  return rules.find((rule) => !rule.min_quantity || quantity >= rule.min_quantity) ?? null;
}

/**
 * Product.get_price: the unrounded unit price (the POS rounds it to the 'Product Price' digits when
 * it sets the line's price). `priceExtra` (attribute extras) adds to the list price, but not when
 * the price comes from a base pricelist: the POS asks that one with no extra.
 */
export function productPriceDetails(
  product: PricedProduct,
  pricelist: Pricelist | null | undefined,
  quantity: number,
  context: PriceContext,
  priceExtra = 0,
): PriceDetails {
  return priceFrom(product, pricelist ?? null, quantity, context, priceExtra, []);
}

export function productPrice(
  product: PricedProduct,
  pricelist: Pricelist | null | undefined,
  quantity: number,
  context: PriceContext,
  priceExtra = 0,
): number {
  return productPriceDetails(product, pricelist, quantity, context, priceExtra).price;
}

function priceFrom(
  product: PricedProduct,
  pricelist: Pricelist | null,
  quantity: number,
  context: PriceContext,
  priceExtra: number,
  visited: number[],
): PriceDetails {
  const chain = pricelist ? [...visited, pricelist.id] : visited;
  if (pricelist && visited.includes(pricelist.id)) throw new PricelistCycleError(chain);
  let price = product.lst_price + (priceExtra || 0);
  const rule = pricelist ? findRule(product, pricelist, quantity, context) : null;
  if (!rule) return { price, ruleId: null, pricelistChain: chain, missingBasePricelistId: null };

  let missingBasePricelistId: number | null = null;
  let pricelistChain = chain;
  if (rule.base === 'pricelist') {
    const basePricelistId = many2oneId(rule.base_pricelist_id);
    const basePricelist = context.pricelists.find((candidate) => candidate.id === basePricelistId);
    if (basePricelist) {
      const base = priceFrom(product, basePricelist, quantity, context, 0, chain);
      price = base.price;
      pricelistChain = base.pricelistChain;
      missingBasePricelistId = base.missingBasePricelistId;
    } else {
      missingBasePricelistId = basePricelistId;
    }
  } else if (rule.base === 'standard_price') {
    price = product.standard_price ?? 0;
  }

  if (rule.compute_price === 'fixed') {
    price = rule.fixed_price ?? 0;
  } else if (rule.compute_price === 'percentage') {
    price = price - price * ((rule.percent_price ?? 0) / 100);
  } else {
    const priceLimit = price;
    price -= price * ((rule.price_discount ?? 0) / 100);
    if (rule.price_round) price = roundPrecision(price, rule.price_round);
    if (rule.price_surcharge) price += rule.price_surcharge;
    if (rule.price_min_margin) price = Math.max(price, priceLimit + rule.price_min_margin);
    if (rule.price_max_margin) price = Math.min(price, priceLimit + rule.price_max_margin);
  }
  return { price, ruleId: rule.id, pricelistChain, missingBasePricelistId };
}
