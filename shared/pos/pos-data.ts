// The cached POS data (Odoo's records as loaded, 16/17 or 18 shapes) turned into the pricing
// engine's inputs. The selling page prices with these and the terminal's server reprices every
// sale with the same ones, so both read the cache here, nowhere else. 16/17 nest taxes' children,
// pricelist items and fiscal position mappings and give many2one as [id, name]; 18 gives bare ids
// and separate models for items and mappings.

import type { FiscalPosition, FiscalPositionTax } from './fiscal-position.js';
import { many2oneId, type Many2one } from './odoo-values.js';
import { lineUnitPrice, type CashRounding, type PosPricingSettings } from './order-totals.js';
import type { PriceContext, PricedProduct, Pricelist, PricelistItem, ProductCategory } from './pricelist.js';
import type { Tax, TaxRoundingMethod } from './taxes.js';

export type OdooRecord = Record<string, unknown>;

/** The cached models the engine's inputs come from (products are looked up apart). */
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
}

export const asRecords = (value: unknown): OdooRecord[] => (Array.isArray(value) ? value.filter((v): v is OdooRecord => !!v && typeof v === 'object') : []);
export const num = (value: unknown, fallback = 0): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
export const str = (value: unknown): string => (typeof value === 'string' ? value : '');
export const m2o = (value: unknown): number | null => (Array.isArray(value) || typeof value === 'number' || value === false || value === null || value === undefined ? many2oneId(value as Many2one) : null);
/** A many2many as ids, whether Odoo sent ids or [id, name] pairs. */
export const idList = (value: unknown): number[] => (Array.isArray(value) ? value.map((v) => (Array.isArray(v) ? Number(v[0]) : Number(v))).filter((v) => Number.isInteger(v)) : []);

/** Taxes with their group children as tax objects (18 sends children as ids). */
function readTaxes(records: OdooRecord[]): Tax[] {
  const raw = new Map(records.map((r) => [Number(r.id), r]));
  const build = (record: OdooRecord, depth: number): Tax => {
    const children = Array.isArray(record.children_tax_ids) ? record.children_tax_ids : [];
    return {
      ...(record as unknown as Tax),
      id: Number(record.id),
      amount: num(record.amount),
      price_include: record.price_include === true,
      include_base_amount: record.include_base_amount === true,
      is_base_affected: record.is_base_affected !== false,
      children_tax_ids:
        depth > 5
          ? []
          : children.flatMap((child) => {
              if (child && typeof child === 'object' && !Array.isArray(child)) return [build(child as OdooRecord, depth + 1)];
              const childRecord = raw.get(Array.isArray(child) ? Number(child[0]) : Number(child));
              return childRecord ? [build(childRecord, depth + 1)] : [];
            }),
    };
  };
  return records.map((r) => build(r, 0));
}

function readPricelists(records: OdooRecord[], items: OdooRecord[]): Pricelist[] {
  return records.map((record) => {
    const nested = asRecords(record.items);
    const own = nested.length || Array.isArray(record.items) ? nested : items.filter((item) => m2o(item.pricelist_id) === Number(record.id));
    return { id: Number(record.id), name: str(record.display_name) || str(record.name), items: own as unknown as PricelistItem[] };
  });
}

function readFiscalPositions(records: OdooRecord[], mappings: OdooRecord[]): FiscalPosition[] {
  return records.map((record) => {
    let byId = record.fiscal_position_taxes_by_id as Record<number, FiscalPositionTax> | undefined;
    if (!byId || typeof byId !== 'object') {
      byId = {};
      for (const mapping of mappings.filter((m) => m2o(m.position_id) === Number(record.id))) byId[Number(mapping.id)] = mapping as unknown as FiscalPositionTax;
    }
    return { id: Number(record.id), name: str(record.name), fiscal_position_taxes_by_id: byId };
  });
}

export function readDigits(models: Record<string, unknown[]>, name: string, fallback: number): number {
  for (const record of asRecords(models['decimal.precision'])) {
    if (typeof record[name] === 'number') return record[name] as number; // 16/17: one {name: digits} map
    if (record.name === name && typeof record.digits === 'number') return record.digits; // 18: one record per precision
  }
  return fallback;
}

/** The company's country code (16/17 nest the country, 18 names it by id). */
function companyCountryCode(company: OdooRecord | undefined, countries: OdooRecord[]): string | null {
  if (!company) return null;
  const nested = company.country as OdooRecord | undefined;
  const countryId = m2o(company.country_id);
  return str(nested?.code) || str(countries.find((c) => Number(c.id) === countryId)?.code) || null;
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
    companyCountryCode: companyCountryCode(company, asRecords(models['res.country'])),
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
  const pricelists = readPricelists(asRecords(models['product.pricelist']), asRecords(models['product.pricelist.item']));
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
    fiscalPositions: readFiscalPositions(asRecords(models['account.fiscal.position']), asRecords(models['account.fiscal.position.tax'])),
    defaultFiscalPositionId: m2o(config.default_fiscal_position_id),
    priceContextBase: { pricelists, categories },
    paymentMethods: readPaymentMethods(config, asRecords(models['pos.payment.method'])),
    // Odoo's defaults when a cache predates these fields: discounts on, prices open to all.
    lineEdits: { manualDiscount: config.manual_discount !== false, restrictPriceControl: config.restrict_price_control === true },
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
export function listedUnitPrice(data: PricingData, product: EngineProduct, quantity: number, terms: SaleTerms, date: number): number {
  return lineUnitPrice(
    {
      product,
      pricelist: terms.pricelist,
      quantity,
      fiscalPosition: data.fiscalPositions.find((f) => f.id === terms.fiscalPositionId) ?? null,
      taxesById: data.taxesById,
      priceContext: { ...data.priceContextBase, date },
    },
    data.settings,
  );
}
