import type { PricelistItem } from '../../shared/pos/pricelist.js';

// A POS data cache made by hand, in the shape Odoo 17's load_pos_data gives it (taxes' children
// and pricelist items nested, many2one as [id, name]): the records the selling page and the
// terminal's price check both read through shared/pos/pos-data.ts.

export type Row = Record<string, unknown>;

export interface CacheSpec {
  config?: Row;
  currency?: { rounding: number; decimal_places: number };
  taxRoundingMethod?: 'round_per_line' | 'round_globally';
  taxes?: Row[];
  /** Pricelists with their items nested. */
  pricelists?: Array<{ id: number; name: string; items: PricelistItem[] }>;
  /** Fiscal positions as [id, [[source tax, destination tax or false], …]]. */
  fiscalPositions?: Array<[number, Array<[number, number | false]>]>;
  categories?: Array<{ id: number; parentId: number | null }>;
  cashRounding?: { rounding: number; rounding_method: 'UP' | 'DOWN' | 'HALF-UP'; onlyCash?: boolean };
  users?: Row[];
  employees?: Row[];
}

export function taxRow(id: number, amount: number, fields: Row = {}): Row {
  return { id, name: `tax ${id}`, amount, amount_type: 'percent', price_include: false, include_base_amount: false, is_base_affected: true, children_tax_ids: [], ...fields };
}

export function productRow(id: number, lstPrice: number, taxIds: number[], fields: Row = {}): Row {
  return { id, display_name: `Product ${id}`, lst_price: lstPrice, standard_price: lstPrice / 2, taxes_id: taxIds, product_tmpl_id: [id + 1000, `Product ${id}`], categ_id: [1, 'All'], uom_id: [1, 'Units'], tracking: 'none', ...fields };
}

export function itemRow(id: number, fields: Partial<PricelistItem>): PricelistItem {
  return { id, compute_price: 'fixed', min_quantity: 0, base: 'list_price', product_id: false, product_tmpl_id: false, categ_id: false, date_start: false, date_end: false, ...fields };
}

/** Cash (1) and Bank (2) payment methods; pricelist 1 is the config's unless told otherwise. */
export function posModels(spec: CacheSpec = {}): Record<string, unknown[]> {
  const pricelists = spec.pricelists ?? [{ id: 1, name: 'Public Pricelist', items: [] }];
  const config = {
    id: 1,
    name: 'Shop',
    use_pricelist: true,
    pricelist_id: [pricelists[0]?.id ?? false, 'Public Pricelist'],
    payment_method_ids: [1, 2],
    manual_discount: true,
    restrict_price_control: false,
    cash_rounding: !!spec.cashRounding,
    rounding_method: spec.cashRounding ? [1, 'Cash rounding'] : false,
    only_round_cash_method: spec.cashRounding?.onlyCash ?? false,
    default_fiscal_position_id: false,
    ...spec.config,
  };
  return {
    'pos.config': [config],
    'res.currency': [{ id: 1, name: 'USD', symbol: '$', position: 'before', ...(spec.currency ?? { rounding: 0.01, decimal_places: 2 }) }],
    'res.company': [{ id: 1, name: 'Company', country: { code: 'US' }, tax_calculation_rounding_method: spec.taxRoundingMethod ?? 'round_per_line' }],
    'decimal.precision': [{ 'Product Price': 2, 'Product Unit of Measure': 3 }],
    'account.tax': spec.taxes ?? [],
    'product.pricelist': pricelists.map((p) => ({ ...p, display_name: p.name })),
    'product.category': (spec.categories ?? [{ id: 1, parentId: null }]).map((c) => ({ id: c.id, name: `Category ${c.id}`, parent_id: c.parentId === null ? false : [c.parentId, ''] })),
    'account.fiscal.position': (spec.fiscalPositions ?? []).map(([id, mappings]) => ({
      id,
      name: `Position ${id}`,
      fiscal_position_taxes_by_id: Object.fromEntries(mappings.map(([source, destination], i) => [id * 100 + i, { id: id * 100 + i, tax_src_id: [source, ''], tax_dest_id: destination === false ? false : [destination, ''] }])),
    })),
    'pos.payment.method': [
      { id: 1, name: 'Cash', is_cash_count: true, split_transactions: false, sequence: 1 },
      { id: 2, name: 'Bank', is_cash_count: false, split_transactions: false, sequence: 2 },
    ],
    'account.cash.rounding': spec.cashRounding ? [{ id: 1, name: 'Cash rounding', rounding: spec.cashRounding.rounding, rounding_method: spec.cashRounding.rounding_method }] : [],
    'uom.uom': [{ id: 1, name: 'Units', rounding: 0.01 }],
    'res.users': spec.users ?? [{ id: 2, name: 'Mitchell Admin', role: 'manager' }],
    ...(spec.employees ? { 'hr.employee': spec.employees } : {}),
  };
}
