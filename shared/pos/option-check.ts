// The price check's part for configured products and combos (sale-check.ts calls it): the page is
// untrusted, so a line's chosen attribute values must be the product's, their extra the one they
// add, and a combo's lines must be the combo's own picks at the prices Odoo 17 splits them to.

import { FleetError } from '../errors.js';
import { comboChildUnitPrices, isCombo, productCombos, type ComboLine } from './combo-pricing.js';
import { str, type OdooRecord, type PricingData, type SaleTerms } from './pos-data.js';
import { saleLineName } from './bounds.js';
import { checkChoice, configuredName, productAttributes } from './product-config.js';
import { floatCompare } from './rounding.js';
import type { CheckedSaleLine } from './sale-check.js';

function refuse(field: string, message: string, details: Record<string, unknown> = {}): never {
  throw new FleetError('VALIDATION', message, { field, ...details });
}

const label = (index: number, record: OdooRecord) => `Line ${index + 1} (${str(record.display_name) || str(record.name) || 'product'})`;

/**
 * The price extra a line's chosen values add (0 for a product without attributes to choose),
 * after checking the choice: every attribute line chosen as Odoo's configurator allows, and the
 * extra the page sent equal to what the values add.
 */
export function checkedPriceExtra(line: CheckedSaleLine, index: number, record: OdooRecord, data: PricingData): number {
  const where = `lines.${index}`;
  const attributes = productAttributes(record, data.attributes);
  const sent = { valueIds: line.attributeValueIds ?? [], customValues: line.customAttributeValues ?? [] };
  if (attributes.length === 0) {
    if (sent.valueIds.length || sent.customValues.length) refuse(`${where}.attributeValueIds`, `${label(index, record)}: has no attributes to choose, but the line names some.`);
    if (line.priceExtra) refuse(`${where}.priceExtra`, `${label(index, record)}: a price extra of ${line.priceExtra} without attributes.`, { expected: 0, received: line.priceExtra });
    return 0;
  }
  const checked = checkChoice(attributes, sent);
  if ('problem' in checked) refuse(`${where}.attributeValueIds`, `${label(index, record)}: ${checked.problem} (choose its attributes again).`);
  if (floatCompare(checked.priceExtra, line.priceExtra ?? 0, { digits: data.settings.productPriceDigits }) !== 0) {
    refuse(`${where}.priceExtra`, `${label(index, record)}: a price extra of ${line.priceExtra ?? 0}, but the chosen values add ${checked.priceExtra}.`, { expected: checked.priceExtra, received: line.priceExtra ?? 0 });
  }
  // The receipt and Odoo show the values by the line's name: it must be the one they give.
  const name = saleLineName(configuredName(str(record.display_name) || str(record.name), checked.label));
  if (line.fullProductName !== undefined && line.fullProductName !== name) refuse(`${where}.fullProductName`, `${label(index, record)}: named "${line.fullProductName}", but its values name it "${name}".`, { expected: name, received: line.fullProductName });
  return checked.priceExtra;
}

/** Whether the line's price is a combo's (its own line at 0, or a child's share): checked by checkCombos, not by the pricelist. */
export function isComboLine(line: CheckedSaleLine, record: OdooRecord): boolean {
  return isCombo(record) || line.comboParentUuid !== undefined || line.comboLineId !== undefined;
}

interface ComboContext {
  data: PricingData;
  products: ReadonlyMap<number, OdooRecord>;
  terms: SaleTerms;
  date: number;
}

/**
 * Every combo of the sale: its own line at price 0 and no discount, one child per combo it is
 * made of (the pick a pos.combo.line of that combo, its product that line's), each child at the
 * parent's quantity and at the price compute_child_lines gives, with no discount; and no child
 * without its combo.
 */
export function checkCombos(lines: readonly CheckedSaleLine[], ctx: ComboContext): void {
  if (!lines.some((line) => line.comboParentUuid !== undefined || line.comboLineId !== undefined || isCombo(ctx.products.get(line.productId) ?? {}))) return;
  // Combo links go by uuid (Odoo links them so too): one line per uuid.
  const byUuid = new Map(lines.map((line, i) => [line.uuid, { line, i }]));
  if (byUuid.size !== lines.length) refuse('lines', 'Two lines of the sale share a uuid.');
  lines.forEach((line, i) => {
    if (line.comboParentUuid === undefined && line.comboLineId === undefined) return;
    const parent = line.comboParentUuid === undefined ? undefined : byUuid.get(line.comboParentUuid);
    // A pick's price is checked with its combo's: a combo that goes unchecked (a refund naming its line) has no picks sold.
    if (!parent || parent.i === i || !isCombo(ctx.products.get(parent.line.productId) ?? {}) || line.comboLineId === undefined || (isNamedRefund(parent.line) && !isNamedRefund(line))) {
      refuse(`lines.${i}.comboParentUuid`, `Line ${i + 1}: part of a combo that is not in the sale.`);
    }
  });
  lines.forEach((line, i) => {
    const record = ctx.products.get(line.productId);
    // A refund naming the line it gives back keeps that line's price (sale-check's named refunds).
    if (record && isCombo(record) && !isNamedRefund(line)) checkCombo(line, i, record, lines, ctx);
  });
}

/** A line giving back a line sold before, named by Odoo's id or the uuid sold here: priced as that line was. */
export function isNamedRefund(line: CheckedSaleLine): boolean {
  return line.qty < 0 && (line.refundedOrderlineId != null || line.refundedLineUuid !== undefined);
}

function checkCombo(parent: CheckedSaleLine, index: number, record: OdooRecord, lines: readonly CheckedSaleLine[], ctx: ComboContext): void {
  const where = `lines.${index}`;
  const name = label(index, record);
  const combos = productCombos(record, ctx.data.combos) ?? refuse(`${where}.productId`, `${name}: a combo this terminal's data does not describe (Odoo 17's combos only; refresh the POS data?).`);
  if (parent.priceUnit !== 0 || parent.discount !== 0) refuse(`${where}.priceUnit`, `${name}: a combo's own line is sold at 0, its price carried by its products.`, { expected: 0, received: parent.priceUnit });
  const children = lines.map((line, i) => ({ line, i })).filter(({ line }) => line.comboParentUuid === parent.uuid);
  const picks = combos.map((combo) => {
    const chosen = children.filter(({ line }) => combo.lines.some((l) => l.id === line.comboLineId));
    if (chosen.length !== 1) refuse(`${where}.comboLineId`, `${name}: ${chosen.length === 0 ? 'nothing' : 'more than one product'} chosen for ${combo.name}.`);
    return { ...chosen[0]!, pick: combo.lines.find((l) => l.id === chosen[0]!.line.comboLineId)! };
  });
  if (picks.length !== children.length) refuse(`${where}.comboLineId`, `${name}: a product chosen from a combo it is not made of.`);
  for (const { line, i, pick } of picks) checkChild(line, i, pick, parent, ctx);
  // A pick's attribute extra was checked with its line (checkedPriceExtra): it adds to its share.
  const expected = comboChildUnitPrices(ctx.data, record, picks.map(({ line, pick }) => ({ pick, product: ctx.products.get(line.productId)!, priceExtra: line.priceExtra })), combos, ctx.terms, ctx.date);
  picks.forEach(({ line, i }, k) => {
    if (floatCompare(expected[k]!, line.priceUnit, { digits: ctx.data.settings.productPriceDigits }) !== 0) {
      refuse(`lines.${i}.priceUnit`, `Line ${i + 1}: ${name}'s product at ${line.priceUnit}, but the combo's price gives it ${expected[k]}.`, { expected: expected[k], received: line.priceUnit });
    }
  });
}

function checkChild(line: CheckedSaleLine, i: number, pick: ComboLine, parent: CheckedSaleLine, ctx: ComboContext): void {
  if (line.productId !== pick.productId) refuse(`lines.${i}.productId`, `Line ${i + 1}: product ${line.productId}, but the combo's pick is product ${pick.productId}.`, { expected: pick.productId, received: line.productId });
  if (!ctx.products.has(line.productId)) refuse(`lines.${i}.productId`, `Line ${i + 1}: no product ${line.productId} on this terminal (refresh the POS data?).`);
  if (line.qty !== parent.qty) refuse(`lines.${i}.qty`, `Line ${i + 1}: a combo's products are sold at the combo's quantity (${parent.qty}).`, { expected: parent.qty, received: line.qty });
  if (line.discount !== 0) refuse(`lines.${i}.discount`, `Line ${i + 1}: a combo's products are sold at the combo's price, without a discount.`);
}
