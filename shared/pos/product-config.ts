// Odoo 17's product configurator, on plain data: the attributes a cashier chooses when a product
// is added (those that make no variant, `create_variant = 'no_variant'`, which Odoo's POS loads as
// `attributes_by_ptal_id`), the price extra the chosen values add, the custom texts of `is_custom`
// values, and the line's name ("Chair (Red, Metal, Other: Custom Fabric)"). Variants made by
// "always"/"dynamic" attributes are products of their own in 17's load (display_name carries their
// values), so they are sold as such. The selling page and the terminal's price check both use this.

import { asRecords, idList, num, str, type OdooRecord } from './pos-data.js';

/** One value of an attribute line: a product.template.attribute.value (its id is the ptav's). */
export interface AttributeValue {
  id: number;
  name: string;
  isCustom: boolean;
  priceExtra: number;
  htmlColor: string | null;
}

export type AttributeDisplay = 'radio' | 'pills' | 'select' | 'color' | 'multi';

/** An attribute line (product.template.attribute.line) the cashier chooses values of. */
export interface ProductAttribute {
  /** The attribute line's id (a product's attribute_line_ids). */
  id: number;
  name: string;
  display: AttributeDisplay;
  sequence: number;
  values: AttributeValue[];
}

export type AttributesByLine = ReadonlyMap<number, ProductAttribute>;

/** The values chosen on a line, and the custom texts typed for custom values (by value id). */
export interface AttributeChoice {
  valueIds: readonly number[];
  customValues: ReadonlyArray<{ valueId: number; text: string }>;
}

/** A choice checked against the product's attributes: what the line carries. */
export interface CheckedChoice extends AttributeChoice {
  /** Sum of the chosen values' price_extra (added to the list price before the pricelist). */
  priceExtra: number;
  /** The values' part of the line's name: "Red, Metal, Other: Custom Fabric". */
  label: string;
}

const DISPLAYS: readonly AttributeDisplay[] = ['radio', 'pills', 'select', 'color', 'multi'];

function readAttribute(record: OdooRecord): ProductAttribute {
  const display = str(record.display_type) as AttributeDisplay;
  return {
    id: Number(record.id),
    name: str(record.name),
    display: DISPLAYS.includes(display) ? display : 'radio',
    sequence: num(record.sequence),
    values: asRecords(record.values).map((v) => ({ id: Number(v.id), name: str(v.name), isCustom: v.is_custom === true, priceExtra: num(v.price_extra), htmlColor: str(v.html_color) || null })),
  };
}

/** The cached `attributes_by_ptal_id` records (PosCatalog's shape: one record per attribute line). */
export function readAttributes(records: readonly unknown[] | undefined): AttributesByLine {
  return new Map(asRecords(records ?? []).filter((r) => Number.isInteger(Number(r.id))).map((r) => [Number(r.id), readAttribute(r)]));
}

/** The attribute lines of a product the cashier configures, in the product's order (17's openConfigurator). */
export function productAttributes(product: OdooRecord, attributes: AttributesByLine): ProductAttribute[] {
  return idList(product.attribute_line_ids).flatMap((id) => {
    const attribute = attributes.get(id);
    return attribute && attribute.values.length > 0 ? [attribute] : [];
  });
}

/** Whether adding the product asks the cashier (some line has a choice, or a custom text to type); otherwise the first values are taken. */
export function needsConfigurator(attributes: readonly ProductAttribute[]): boolean {
  return attributes.some((a) => a.values.length > 1 || a.values[0]!.isCustom);
}

/** What the configurator starts with, and what is taken without asking: each line's first value (none for a multi line). */
export function defaultChoice(attributes: readonly ProductAttribute[]): AttributeChoice {
  return { valueIds: attributes.flatMap((a) => (a.display === 'multi' ? [] : [a.values[0]!.id])), customValues: [] };
}

/**
 * A choice as Odoo's configurator makes it, or why not: one value per line (any number for a
 * multi line), values of the product's lines only, and a custom text only on a chosen custom value.
 * The value ids are put in the lines' order; empty custom texts are dropped (as Odoo does).
 */
export function checkChoice(attributes: readonly ProductAttribute[], choice: AttributeChoice): CheckedChoice | { problem: string } {
  const chosen = new Set(choice.valueIds);
  if (chosen.size !== choice.valueIds.length) return { problem: 'a value is chosen twice' };
  const valueIds: number[] = [];
  const names: string[] = [];
  let priceExtra = 0;
  const customs = new Map<number, string>();
  for (const custom of choice.customValues) {
    if (customs.has(custom.valueId)) return { problem: 'a custom value is given twice' };
    customs.set(custom.valueId, custom.text);
  }
  for (const attribute of attributes) {
    const picked = attribute.values.filter((v) => chosen.has(v.id));
    if (attribute.display !== 'multi' && picked.length !== 1) return { problem: `choose one ${attribute.name}` };
    for (const value of picked) {
      valueIds.push(value.id);
      priceExtra += value.priceExtra;
      const text = customs.get(value.id);
      names.push(value.isCustom && text ? `${value.name}: ${text}` : value.name);
    }
  }
  if (valueIds.length !== chosen.size) return { problem: 'a value does not belong to this product' };
  for (const [valueId] of customs) {
    const value = attributes.flatMap((a) => a.values).find((v) => v.id === valueId);
    if (!value?.isCustom || !chosen.has(valueId)) return { problem: 'a custom text is given for a value that takes none' };
  }
  const customValues = valueIds.flatMap((valueId) => (customs.get(valueId) ? [{ valueId, text: customs.get(valueId)! }] : []));
  return { valueIds, customValues, priceExtra, label: names.join(', ') };
}

/** constructFullProductName: the product's name, then its chosen values in parentheses. */
export function configuredName(productName: string, label: string): string {
  return label ? `${productName} (${label})` : productName;
}
