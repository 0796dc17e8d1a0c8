// The cached POS data turned into the pricing engine's inputs. The selling page prices with these
// and the terminal's server reprices every sale with the same ones, so both read the cache here,
// nowhere else. They read one shape whatever the Odoo version (PosCatalog): the version's adapter
// (electron/pos/adapters.ts) turns what its Odoo loads into it.

import { readCombos, type CombosById } from './combo-pricing.js';
import type { FiscalPosition, FiscalPositionTax } from './fiscal-position.js';
import { many2oneId, type Many2one } from './odoo-values.js';
import { lineUnitPrice, type CashRounding, type PosPricingSettings } from './order-totals.js';
import type { PriceContext, PricedProduct, Pricelist, PricelistItem, ProductCategory } from './pricelist.js';
import { readAttributes, type AttributesByLine } from './product-config.js';
import type { Tax, TaxRoundingMethod } from './taxes.js';

export type OdooRecord = Record<string, unknown>;

/**
 * The cached POS data as the selling page and the terminal's price check see it, the same for
 * Odoo 16, 17 and 18 (the shape of 17's load_pos_data): one list of records per model; an
 * account.tax's group children nested as tax records; a product.pricelist's items nested in
 * `items`; an account.fiscal.position's tax mappings in `fiscal_position_taxes_by_id`;
 * decimal.precision one `{name: digits}` record; the company's country nested (`country.code`);
 * a product's POS categories in `pos_categ_ids`; a pos_hr employee's role in `role`. A many2one is
 * [id, name] or a bare id: read it with `m2o` (many2many with `idList`).
 */
export interface PosCatalog {
  /** The paired Odoo's series ("16", "17", "18"), to show: nothing reading the data depends on it. */
  series: string | null;
  models: Record<string, unknown[]>;
}

/** The cached models the engine's inputs come from, with those a version's adapter folds into them (products are looked up apart). */
export const PRICING_MODELS = [
  'pos.config',
  'res.currency',
  'res.company',
  'res.country',
  'decimal.precision',
  'account.tax',
  'product.pricelist',
  'product.pricelist.item',
  'default_pricelist',
  'product.category',
  'account.fiscal.position',
  'account.fiscal.position.tax',
  'pos.payment.method',
  'account.cash.rounding',
  // What the configurator and combos read (product-config.ts, combo-pricing.ts); 18's attribute records become 17's attributes_by_ptal_id.
  'attributes_by_ptal_id',
  'product.template.attribute.line',
  'product.attribute',
  'product.template.attribute.value',
  'pos.combo',
  'pos.combo.line',
] as const;

export interface PaymentMethod {
  id: number;
  name: string;
  isCash: boolean;
  /** "Identify Customer" (split_transactions, e.g. Customer Account): Odoo needs a customer on the order. */
  needsCustomer: boolean;
}

/** What the configuration lets any cashier do to a line's price (pos.config, as Odoo's numpad). */
export interface LineEditRules {
  /** manual_discount ("Line Discounts", Odoo's default on): the % Disc key works. */
  manualDiscount: boolean;
  /** restrict_price_control: only a manager may change a line's price. */
  restrictPriceControl: boolean;
}

export interface PricingData {
  settings: PosPricingSettings;
  /** Every loaded tax, in load order (payload tax ids follow it). */
  taxes: Tax[];
  taxesById: Map<number, Tax>;
  pricelists: Pricelist[];
  /** The config's pricelist (or Odoo's default one), null when none is loaded. */
  defaultPricelist: Pricelist | null;
  usePricelist: boolean;
  /** tax_regime_selection: the cashier may choose the fiscal position (Odoo's Tax button). */
  taxRegimeSelection: boolean;
  fiscalPositions: FiscalPosition[];
  defaultFiscalPositionId: number | null;
  priceContextBase: Omit<PriceContext, 'date'>;
  /** The config's active methods, in Odoo's order. */
  paymentMethods: PaymentMethod[];
  lineEdits: LineEditRules;
  /** The attribute lines the cashier chooses values of, and the combos (Odoo 17). */
  attributes: AttributesByLine;
  combos: CombosById;
}

export const asRecords = (value: unknown): OdooRecord[] => (Array.isArray(value) ? value.filter((v): v is OdooRecord => !!v && typeof v === 'object') : []);
export const num = (value: unknown, fallback = 0): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
export const str = (value: unknown): string => (typeof value === 'string' ? value : '');
export const m2o = (value: unknown): number | null => (Array.isArray(value) || typeof value === 'number' || value === false || value === null || value === undefined ? many2oneId(value as Many2one) : null);
/** A many2many as ids, whether Odoo sent ids or [id, name] pairs. */
export const idList = (value: unknown): number[] => (Array.isArray(value) ? value.map((v) => (Array.isArray(v) ? Number(v[0]) : Number(v))).filter((v) => Number.isInteger(v)) : []);

/** Taxes with their group children (nested tax records). */
function readTaxes(records: OdooRecord[]): Tax[] {
  const build = (record: OdooRecord, depth: number): Tax => {
    return {
      ...(record as unknown as Tax),
      id: Number(record.id),
      amount: num(record.amount),
      price_include: record.price_include === true,
      include_base_amount: record.include_base_amount === true,
      is_base_affected: record.is_base_affected !== false,
      children_tax_ids: depth > 5 ? [] : asRecords(record.children_tax_ids).map((child) => build(child, depth + 1)),
    };
  };
  return records.map((r) => build(r, 0));
}

function readPricelists(records: OdooRecord[]): Pricelist[] {
  return records.map((record) => ({ id: Number(record.id), name: str(record.display_name) || str(record.name), items: asRecords(record.items) as unknown as PricelistItem[] }));
}

function readFiscalPositions(records: OdooRecord[]): FiscalPosition[] {
  return records.map((record) => {
    const byId = record.fiscal_position_taxes_by_id;
    return { id: Number(record.id), name: str(record.name), fiscal_position_taxes_by_id: (byId && typeof byId === 'object' ? byId : {}) as Record<number, FiscalPositionTax> };
  });
}

/** A decimal.precision's digits (its one `{name: digits}` record), or the fallback. */
export function readDigits(models: Record<string, unknown[]>, name: string, fallback: number): number {
  const digits = asRecords(models['decimal.precision'])[0]?.[name];
  return typeof digits === 'number' ? digits : fallback;
}

function readCashRounding(config: OdooRecord, roundings: OdooRecord[]): CashRounding | null {
  if (config.cash_rounding !== true) return null;
  const id = m2o(config.rounding_method);
  const record = roundings.find((r) => Number(r.id) === id) ?? roundings[0];
  if (!record) return null;
  const method = str(record.rounding_method);
  return {
    rounding: num(record.rounding, 0.01),
    rounding_method: method === 'UP' || method === 'DOWN' ? method : 'HALF-UP',
    onlyRoundCashMethod: config.only_round_cash_method === true,
  };
}

function readSettings(models: Record<string, unknown[]>, config: OdooRecord, currency: OdooRecord): PosPricingSettings {
  const company = asRecords(models['res.company'])[0];
  const decimalPlaces = num(currency.decimal_places, 2);
  return {
    currency: { rounding: num(currency.rounding, 0.01), decimal_places: decimalPlaces },
    productPriceDigits: readDigits(models, 'Product Price', decimalPlaces),
    taxRoundingMethod: (str(company?.tax_calculation_rounding_method) || 'round_per_line') as TaxRoundingMethod,
    companyCountryCode: str((company?.country as OdooRecord | undefined)?.code) || null,
    cashRounding: readCashRounding(config, asRecords(models['account.cash.rounding'])),
  };
}

function readPaymentMethods(config: OdooRecord, records: OdooRecord[]): PaymentMethod[] {
  return records
    .filter((m) => m.active !== false)
    .filter((m) => !Array.isArray(config.payment_method_ids) || idList(config.payment_method_ids).includes(Number(m.id)))
    .sort((a, b) => num(a.sequence) - num(b.sequence) || Number(a.id) - Number(b.id))
    .map((m) => ({ id: Number(m.id), name: str(m.name), isCash: m.is_cash_count === true, needsCustomer: m.split_transactions === true }));
}

/** The engine's inputs from the cached models; throws when the cache lacks what selling needs. */
export function readPricingData(models: Record<string, unknown[]>): PricingData {
  const first = (model: string) => asRecords(models[model])[0];
  const config = first('pos.config');
  const currency = first('res.currency');
  if (!config || !currency) throw new Error('The POS data is not loaded yet: refresh it from Odoo.');
  const taxes = readTaxes(asRecords(models['account.tax']));
  const pricelists = readPricelists(asRecords(models['product.pricelist']));
  const configPricelistId = m2o(config.pricelist_id);
  const defaultPricelistId = Number(first('default_pricelist')?.id);
  const categories = asRecords(models['product.category']).map((c) => ({ id: Number(c.id), parent_id: c.parent_id as Many2one }) satisfies ProductCategory);
  return {
    settings: readSettings(models, config, currency),
    taxes,
    taxesById: new Map(taxes.map((t) => [t.id, t])),
    pricelists,
    defaultPricelist: pricelists.find((p) => p.id === configPricelistId) ?? pricelists.find((p) => p.id === defaultPricelistId) ?? pricelists[0] ?? null,
    usePricelist: config.use_pricelist === true,
    taxRegimeSelection: config.tax_regime_selection === true,
    fiscalPositions: readFiscalPositions(asRecords(models['account.fiscal.position'])),
    defaultFiscalPositionId: m2o(config.default_fiscal_position_id),
    priceContextBase: { pricelists, categories },
    paymentMethods: readPaymentMethods(config, asRecords(models['pos.payment.method'])),
    // Odoo's defaults when a cache predates these fields: discounts on, prices open to all.
    lineEdits: { manualDiscount: config.manual_discount !== false, restrictPriceControl: config.restrict_price_control === true },
    attributes: readAttributes(models['attributes_by_ptal_id']),
    combos: readCombos(models['pos.combo'], models['pos.combo.line']),
  };
}

/** A product record as the engine prices it; `taxIds` replaces its own taxes (a refund keeps the sold line's). */
export type EngineProduct = PricedProduct & { taxes_id: number[] };

export function engineProduct(record: OdooRecord, taxIds: number[] = idList(record.taxes_id)): EngineProduct {
  return { ...(record as unknown as PricedProduct), taxes_id: taxIds };
}

/** The pricelist and fiscal position a sale is priced under. */
export interface SaleTerms {
  pricelist: Pricelist | null;
  fiscalPositionId: number | null;
}

/** The unit price a line gets unless the cashier changes it: the pricelist's for its quantity, after the fiscal position. */
export function listedUnitPrice(data: PricingData, product: EngineProduct, quantity: number, terms: SaleTerms, date: number, priceExtra = 0): number {
  return lineUnitPrice(
    {
      product,
      pricelist: terms.pricelist,
      quantity,
      priceExtra,
      fiscalPosition: data.fiscalPositions.find((f) => f.id === terms.fiscalPositionId) ?? null,
      taxesById: data.taxesById,
      priceContext: { ...data.priceContextBase, date },
    },
    data.settings,
  );
}
