// The cached POS data (pos.catalog: Odoo's records as loaded, 16/17 or 18 shapes) turned into
// what the selling screen and the pricing engine need. 16/17 nest taxes' children, pricelist
// items and fiscal position mappings and give many2one as [id, name]; 18 gives bare ids and
// separate models for items and mappings. Both are read here, nowhere else.

import { many2oneId, type Many2one } from '../../../shared/pos/odoo-values.js';
import type { FiscalPosition, FiscalPositionTax } from '../../../shared/pos/fiscal-position.js';
import type { CashRounding, PosPricingSettings } from '../../../shared/pos/order-totals.js';
import type { PriceContext, Pricelist, PricelistItem, ProductCategory } from '../../../shared/pos/pricelist.js';
import type { Tax, TaxRoundingMethod } from '../../../shared/pos/taxes.js';
import { nomenclatureFrom, type Nomenclature } from './barcode.js';

export type OdooRecord = Record<string, unknown>;

export interface PaymentMethod {
  id: number;
  name: string;
  isCash: boolean;
  /** "Identify Customer" (split_transactions, e.g. Customer Account): Odoo needs a customer on the order. */
  needsCustomer: boolean;
}

export interface PosCategory {
  id: number;
  name: string;
  parentId: number | null;
  sequence: number;
  /** The picture the terminal keeps for it (same-origin), if any. */
  imageUrl: string | null;
}

/** Only the terminal's own picture URLs are shown (never a remote address from the data). */
function pictureUrl(value: unknown): string | null {
  return typeof value === 'string' && value.startsWith('/pos-images/') ? value : null;
}

/** The categories to offer under `selected` (null: the top level), and the path from the top to it. */
export function categoryLevel(categories: readonly PosCategory[], selected: number | null): { path: PosCategory[]; children: PosCategory[] } {
  const byId = new Map(categories.map((c) => [c.id, c]));
  const path: PosCategory[] = [];
  for (let at = selected === null ? undefined : byId.get(selected); at && !path.includes(at); at = at.parentId === null ? undefined : byId.get(at.parentId)) path.unshift(at);
  // A category whose parent is not loaded counts as a top one.
  const isTop = (c: PosCategory) => c.parentId === null || !byId.has(c.parentId);
  return { path, children: categories.filter((c) => (selected === null ? isTop(c) : c.parentId === selected)) };
}

export interface Employee {
  id: number;
  name: string;
  hasPin: boolean;
  /** pos_hr's manager role: may lift a cashier's lock with their own PIN. */
  manager: boolean;
}

export interface CurrencyFormat {
  symbol: string;
  position: 'before' | 'after';
  decimalPlaces: number;
  rounding: number;
}

export interface CompanyInfo {
  name: string;
  lines: string[];
}

export interface PosData {
  series: string | null;
  configName: string;
  company: CompanyInfo;
  currency: CurrencyFormat;
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
  paymentMethods: PaymentMethod[];
  categories: PosCategory[];
  /** pos_hr's cashiers, or null when the config does not use employees. */
  employees: Employee[] | null;
  nomenclature: Nomenclature;
  uoms: Map<number, { name: string; rounding: number }>;
  uomDigits: number;
  /** pos.bill values, for quick cash amounts. */
  bills: number[];
  /** The POS picking type creates or uses lots: tracked products ask for their lot or serial numbers. */
  lotsRequired: boolean;
}

const asRecords = (value: unknown): OdooRecord[] => (Array.isArray(value) ? value.filter((v): v is OdooRecord => !!v && typeof v === 'object') : []);
const num = (value: unknown, fallback = 0): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const m2o = (value: unknown): number | null => (Array.isArray(value) || typeof value === 'number' || value === false || value === null || value === undefined ? many2oneId(value as Many2one) : null);
const m2oName = (value: unknown): string => (Array.isArray(value) && typeof value[1] === 'string' ? value[1] : '');
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

function readDigits(models: Record<string, unknown[]>, name: string, fallback: number): number {
  for (const record of asRecords(models['decimal.precision'])) {
    if (typeof record[name] === 'number') return record[name] as number; // 16/17: one {name: digits} map
    if (record.name === name && typeof record.digits === 'number') return record.digits; // 18: one record per precision
  }
  return fallback;
}

function readCompany(company: OdooRecord | undefined, countries: OdooRecord[]): { info: CompanyInfo; countryCode: string | null } {
  if (!company) return { info: { name: '', lines: [] }, countryCode: null };
  const nested = company.country as OdooRecord | undefined;
  const countryId = m2o(company.country_id);
  const countryCode = str(nested?.code) || str(countries.find((c) => Number(c.id) === countryId)?.code) || null;
  const lines = [str(company.street), [str(company.zip), str(company.city)].filter(Boolean).join(' '), str(company.phone), str(company.email), company.vat ? `Tax ID: ${str(company.vat)}` : ''].filter(Boolean);
  return { info: { name: str(company.name), lines }, countryCode };
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

/** The selling UI's view of the catalog; throws when the cache lacks what selling needs. */
export function readPosData(catalog: { series: string | null; models: Record<string, unknown[]> }): PosData {
  const models = catalog.models;
  const first = (model: string) => asRecords(models[model])[0];
  const config = first('pos.config');
  const currencyRecord = first('res.currency');
  if (!config || !currencyRecord) throw new Error('The POS data is not loaded yet: refresh it from Odoo.');
  const company = readCompany(first('res.company'), asRecords(models['res.country']));
  const decimalPlaces = num(currencyRecord.decimal_places, 2);
  const rounding = num(currencyRecord.rounding, 0.01);
  const taxes = readTaxes(asRecords(models['account.tax']));
  const pricelists = readPricelists(asRecords(models['product.pricelist']), asRecords(models['product.pricelist.item']));
  const configPricelistId = m2o(config.pricelist_id);
  const defaultPricelistRecord = first('default_pricelist');
  const defaultPricelist = pricelists.find((p) => p.id === configPricelistId) ?? pricelists.find((p) => p.id === Number(defaultPricelistRecord?.id)) ?? pricelists[0] ?? null;
  const categoriesForPricing = asRecords(models['product.category']).map((c) => ({ id: Number(c.id), parent_id: c.parent_id as Many2one }) satisfies ProductCategory);
  const employeesLoaded = models['hr.employee'] !== undefined && config.module_pos_hr !== false;
  const nomenclatureRecord = first('barcode.nomenclature');
  const companyNomenclatureId = m2o(first('res.company')?.nomenclature_id);
  const rules = asRecords(models['barcode.rule']).filter((r) => companyNomenclatureId === null || m2o(r.barcode_nomenclature_id) === null || m2o(r.barcode_nomenclature_id) === companyNomenclatureId);

  return {
    series: catalog.series,
    configName: str(config.name),
    company: company.info,
    currency: { symbol: str(currencyRecord.symbol) || str(currencyRecord.name), position: currencyRecord.position === 'after' ? 'after' : 'before', decimalPlaces, rounding },
    settings: {
      currency: { rounding, decimal_places: decimalPlaces },
      productPriceDigits: readDigits(models, 'Product Price', decimalPlaces),
      taxRoundingMethod: (str(first('res.company')?.tax_calculation_rounding_method) || 'round_per_line') as TaxRoundingMethod,
      companyCountryCode: company.countryCode,
      cashRounding: readCashRounding(config, asRecords(models['account.cash.rounding'])),
    },
    taxes,
    taxesById: new Map(taxes.map((t) => [t.id, t])),
    pricelists,
    defaultPricelist,
    usePricelist: config.use_pricelist === true,
    taxRegimeSelection: config.tax_regime_selection === true,
    fiscalPositions: readFiscalPositions(asRecords(models['account.fiscal.position']), asRecords(models['account.fiscal.position.tax'])),
    defaultFiscalPositionId: m2o(config.default_fiscal_position_id),
    priceContextBase: { pricelists, categories: categoriesForPricing },
    paymentMethods: asRecords(models['pos.payment.method'])
      .filter((m) => m.active !== false)
      .filter((m) => !Array.isArray(config.payment_method_ids) || idList(config.payment_method_ids).includes(Number(m.id)))
      .sort((a, b) => num(a.sequence) - num(b.sequence) || Number(a.id) - Number(b.id))
      .map((m) => ({ id: Number(m.id), name: str(m.name), isCash: m.is_cash_count === true, needsCustomer: m.split_transactions === true })),
    categories: asRecords(models['pos.category'])
      .map((c) => ({ id: Number(c.id), name: str(c.name), parentId: m2o(c.parent_id), sequence: num(c.sequence), imageUrl: pictureUrl(c.image_url) }))
      .sort((a, b) => a.sequence - b.sequence || a.name.localeCompare(b.name)),
    employees: employeesLoaded ? asRecords(models['hr.employee']).map((e) => ({ id: Number(e.id), name: str(e.name), hasPin: e.has_pin === true, manager: e.role === 'manager' || e._role === 'manager' })) : null,
    nomenclature: nomenclatureFrom(nomenclatureRecord, rules),
    uoms: new Map(asRecords(models['uom.uom']).map((u) => [Number(u.id), { name: str(u.name), rounding: num(u.rounding, 0.01) }])),
    uomDigits: readDigits(models, 'Product Unit of Measure', 3),
    bills: asRecords(models['pos.bill'])
      .map((b) => num(b.value))
      .filter((v) => v > 0)
      .sort((a, b) => a - b),
    lotsRequired: asRecords(models['stock.picking.type']).some((t) => t.use_create_lots === true || t.use_existing_lots === true),
  };
}

/** A cached product.product as the cart needs it (the record itself is kept for the pricing engine). */
export interface Product {
  id: number;
  name: string;
  barcode: string | null;
  defaultCode: string | null;
  taxIds: number[];
  uomId: number | null;
  uomName: string;
  toWeight: boolean;
  tracking: 'none' | 'lot' | 'serial';
  /** The picture the terminal keeps for it (same-origin), if any. */
  imageUrl: string | null;
  record: OdooRecord;
}

export function readProduct(record: OdooRecord): Product {
  return {
    id: Number(record.id),
    name: str(record.display_name) || str(record.name),
    barcode: str(record.barcode) || null,
    defaultCode: str(record.default_code) || null,
    taxIds: idList(record.taxes_id),
    uomId: m2o(record.uom_id),
    uomName: m2oName(record.uom_id),
    toWeight: record.to_weight === true,
    tracking: record.tracking === 'lot' || record.tracking === 'serial' ? record.tracking : 'none',
    imageUrl: pictureUrl(record.image_url),
    record,
  };
}

/** A cached res.partner as the cart needs it. */
export interface Customer {
  id: number;
  name: string;
  detail: string;
  barcode: string | null;
  fiscalPositionId: number | null;
  pricelistId: number | null;
}

export function readCustomer(record: OdooRecord): Customer {
  return {
    id: Number(record.id),
    name: str(record.name),
    detail: [str(record.email), str(record.phone) || str(record.mobile), str(record.city)].filter(Boolean).join(' · '),
    barcode: str(record.barcode) || null,
    fiscalPositionId: m2o(record.property_account_position_id),
    pricelistId: m2o(record.property_product_pricelist),
  };
}
