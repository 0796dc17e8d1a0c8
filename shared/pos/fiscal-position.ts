// Fiscal positions as the Odoo 17 POS applies them (pos_store.js get_taxes_after_fp and
// computePriceAfterFp). The order payload still carries the product's own taxes in tax_ids: the
// server maps them again (pos.order.line.tax_ids_after_fiscal_position).

import { many2oneId, type Many2one } from './odoo-values.js';
import { computeAll, type ComputeAllOptions, type Currency, type Tax } from './taxes.js';

export interface FiscalPositionTax {
  id?: number;
  tax_src_id: Many2one;
  /** false: the source tax is removed. */
  tax_dest_id: Many2one;
}

/** account.fiscal.position with the fiscal_position_taxes_by_id that load_pos_data adds. */
export interface FiscalPosition {
  id: number;
  name?: string;
  fiscal_position_taxes_by_id: Readonly<Record<number, FiscalPositionTax>>;
}

export type TaxesById = Readonly<Record<number, Tax | undefined>> | ReadonlyMap<number, Tax>;

function lookupTax(taxesById: TaxesById, id: number): Tax | undefined {
  return taxesById instanceof Map ? taxesById.get(id) : (taxesById as Readonly<Record<number, Tax | undefined>>)[id];
}

/**
 * get_taxes_after_fp: each tax replaced by the destinations of every mapping whose source it is
 * (mappings in key order, i.e. by fiscal.position.tax id), removed when a mapping has no
 * destination or its destination is not loaded (the server would ignore an inactive
 * destination instead); unmapped taxes kept; duplicates dropped. Unknown ids are skipped.
 */
export function mapTaxes(taxIds: readonly number[], fiscalPosition: FiscalPosition | null | undefined, taxesById: TaxesById): Tax[] {
  const known = taxIds.map((id) => lookupTax(taxesById, id)).filter((tax): tax is Tax => tax !== undefined);
  if (!fiscalPosition) return known;
  const mapped: Tax[] = [];
  const mappings = Object.values(fiscalPosition.fiscal_position_taxes_by_id);
  for (const tax of known) {
    const taxMaps = mappings.filter((mapping) => many2oneId(mapping.tax_src_id) === tax.id);
    if (!taxMaps.length) {
      mapped.push(tax);
      continue;
    }
    for (const taxMap of taxMaps) {
      const destinationId = many2oneId(taxMap.tax_dest_id);
      const destination = destinationId === null ? undefined : lookupTax(taxesById, destinationId);
      if (destination) mapped.push(destination);
    }
  }
  const unique = new Map<number, Tax>();
  for (const tax of mapped) if (!unique.has(tax.id)) unique.set(tax.id, tax);
  return [...unique.values()];
}

/**
 * computePriceAfterFp: when the position replaces a price-included tax and none of the new taxes
 * is price-included, the price loses that tax (compute_all's total_excluded, rounded to the
 * currency); if a new tax is price-included too, the shelf price stays and only the tax changes.
 * The caller rounds the result to the 'Product Price' digits, as set_unit_price does.
 */
export function priceAfterFiscalPosition(
  price: number,
  productTaxes: readonly Tax[],
  fiscalPosition: FiscalPosition | null | undefined,
  taxesById: TaxesById,
  currency: Currency,
  options: Pick<ComputeAllOptions, 'roundingMethod' | 'companyCountryCode'> = {},
): number {
  if (!fiscalPosition) return price;
  const mappedIncludedTaxes: Tax[] = [];
  let newIncludedTaxes: Tax[] = [];
  for (const tax of productTaxes) {
    const lineTaxes = mapTaxes([tax.id], fiscalPosition, taxesById);
    if (lineTaxes[0]?.price_include) newIncludedTaxes = newIncludedTaxes.concat(lineTaxes);
    if (tax.price_include && !lineTaxes.some((lineTax) => lineTax.id === tax.id)) mappedIncludedTaxes.push(tax);
  }
  if (!mappedIncludedTaxes.length || newIncludedTaxes.length) return price;
  return computeAll(mappedIncludedTaxes, price, currency, 1, undefined, undefined, { ...options, handlePriceInclude: true }).total_excluded;
}
