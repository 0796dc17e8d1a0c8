// Configured products and combos in a cart (Odoo 17's configurator and combo chooser): what a line
// carries of them, the combo lines' prices (shared/pos/combo-pricing.ts, as the server checks
// them), and how a combo stays whole when lines change. Pure functions, as cart.ts.

import { SALE_LINE_MAX_ATTRIBUTE_VALUES, SALE_MAX_ATTRIBUTE_VALUES, SALE_MAX_CUSTOM_VALUES } from '../../../shared/pos/bounds.js';
import { comboChildUnitPrices, isCombo, productCombos, type Combo, type ComboLine } from '../../../shared/pos/combo-pricing.js';
import type { SaleTerms } from '../../../shared/pos/pos-data.js';
import { checkChoice, defaultChoice, needsConfigurator, productAttributes, type AttributeChoice, type CheckedChoice, type ProductAttribute } from '../../../shared/pos/product-config.js';
import type { Cart, CartLine } from './cart.js';
import type { PosData, Product } from './catalog.js';

/** The configurator's choice a line keeps. */
export type LineConfig = CheckedChoice;

/** A combo's child line: its combo's own line and the pos.combo.line picked. */
export interface ComboLink {
  parentUuid: string;
  comboLineId: number;
}

/** What adding this product asks first: nothing, the configurator (with its attributes), or the combo chooser. */
export type AddStep = { kind: 'plain'; config?: LineConfig } | { kind: 'configure'; attributes: ProductAttribute[] } | { kind: 'combo'; combos: Combo[] };

export function addStep(product: Product, data: PosData): AddStep {
  if (isCombo(product.record)) {
    const combos = productCombos(product.record, data.combos);
    return combos ? { kind: 'combo', combos } : { kind: 'plain' };
  }
  const attributes = productAttributes(product.record, data.attributes);
  if (attributes.length === 0) return { kind: 'plain' };
  if (needsConfigurator(attributes)) return { kind: 'configure', attributes };
  // Nothing to choose: Odoo takes the only values (and their extras) without asking.
  const taken = checkChoice(attributes, defaultChoice(attributes));
  return 'problem' in taken ? { kind: 'configure', attributes } : { kind: 'plain', config: taken };
}

/** Why this terminal will not sell a product (null: it will): a combo its data does not describe (16 has none, 18's are not read yet). */
export function comboRefusal(product: Product, data: PosData): string | null {
  if (isCombo(product.record) && !productCombos(product.record, data.combos)) return `${product.name} is a combo, and this terminal sells only Odoo 17's combos (refresh the POS data if this is Odoo 17).`;
  return null;
}

/** The configurator's answer checked as the server will; a problem to show otherwise. */
export function configure(attributes: readonly ProductAttribute[], choice: AttributeChoice): LineConfig | { problem: string } {
  return checkChoice(attributes, choice);
}

/** Why these choices cannot join the cart (the sale's bounds), or null. */
export function configProblem(cart: Cart, config: LineConfig | undefined): string | null {
  if (!config) return null;
  if (config.valueIds.length > SALE_LINE_MAX_ATTRIBUTE_VALUES) return `A line holds at most ${SALE_LINE_MAX_ATTRIBUTE_VALUES} attribute values.`;
  const values = cart.lines.reduce((n, l) => n + (l.config?.valueIds.length ?? 0), 0) + config.valueIds.length;
  if (values > SALE_MAX_ATTRIBUTE_VALUES) return `A sale holds at most ${SALE_MAX_ATTRIBUTE_VALUES} attribute values: pay this one and ring the rest up as a new order.`;
  const customs = cart.lines.reduce((n, l) => n + (l.config?.customValues.length ?? 0), 0) + config.customValues.length;
  if (customs > SALE_MAX_CUSTOM_VALUES) return `A sale holds at most ${SALE_MAX_CUSTOM_VALUES} custom values: pay this one and ring the rest up as a new order.`;
  return null;
}

export const sameConfig = (a: LineConfig | undefined, b: LineConfig | undefined): boolean => JSON.stringify([a?.valueIds ?? [], a?.customValues ?? []]) === JSON.stringify([b?.valueIds ?? [], b?.customValues ?? []]);

/** Whether the line belongs to a combo (its own line or a pick). */
export function inCombo(line: CartLine): boolean {
  return line.combo !== undefined || isCombo(line.product.record);
}

/** The uuids of the whole combo a line belongs to (just the line when it is in none). */
export function comboUuids(cart: Cart, line: CartLine): Set<string> {
  const parentUuid = line.combo?.parentUuid ?? (isCombo(line.product.record) ? line.uuid : null);
  if (parentUuid === null) return new Set([line.uuid]);
  return new Set([parentUuid, ...cart.lines.filter((l) => l.combo?.parentUuid === parentUuid).map((l) => l.uuid)]);
}

/** A combo's pick, as the chooser answers it: the pos.combo.line, its product and, for a product with attributes, their choice. */
export interface ComboPick {
  pick: ComboLine;
  product: Product;
  config?: LineConfig | undefined;
}

/** The combo's lines: its own, then one per pick (in the combos' pricing order), all at `qty`. */
export function comboLines(parent: Product, picks: readonly ComboPick[], qty: number): CartLine[] {
  const parentLine: CartLine = { uuid: crypto.randomUUID(), product: parent, qty, discount: 0, manualPrice: null };
  return [
    parentLine,
    ...picks.map(({ pick, product, config }) => ({ uuid: crypto.randomUUID(), product, qty, discount: 0, manualPrice: null, combo: { parentUuid: parentLine.uuid, comboLineId: pick.id }, ...(config ? { config } : {}) })),
  ];
}

/** A combo line's unit price: 0 for its own line, a pick's share of the combo's price otherwise (null: not a combo line). */
export function comboUnitPrice(line: CartLine, cart: Cart, data: PosData, terms: SaleTerms, now: number): number | null {
  if (isCombo(line.product.record)) return 0;
  if (!line.combo) return null;
  const parent = cart.lines.find((l) => l.uuid === line.combo!.parentUuid);
  const combos = parent ? productCombos(parent.product.record, data.combos) : null;
  if (!parent || !combos) return 0;
  const picks = combos.flatMap((combo) => {
    const child = cart.lines.find((l) => l.combo?.parentUuid === parent.uuid && combo.lines.some((c) => c.id === l.combo!.comboLineId));
    const pick = child && combo.lines.find((c) => c.id === child.combo!.comboLineId);
    return child && pick ? [{ child, pick }] : [];
  });
  const prices = comboChildUnitPrices(data, parent.product.record, picks.map(({ child, pick }) => ({ pick, product: child.product.record, priceExtra: child.config?.priceExtra })), combos, terms, now);
  return prices[picks.findIndex(({ child }) => child.uuid === line.uuid)] ?? 0;
}
