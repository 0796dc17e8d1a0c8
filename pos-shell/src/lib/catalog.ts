// The cached POS data (pos.catalog: one shape whatever the Odoo version, PosCatalog) turned into
// what the selling screen needs. The pricing engine's inputs are read by shared/pos/pos-data.ts,
// which the terminal's server also reprices every sale with; this adds what only the screen shows.

import { asRecords, idList, m2o, num, readDigits, readPricingData, str, type OdooRecord, type PosCatalog, type PricingData } from '../../../shared/pos/pos-data.js';
import { nomenclatureFrom, type Nomenclature } from './barcode.js';

export { idList, type OdooRecord, type PaymentMethod } from '../../../shared/pos/pos-data.js';

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

export interface PosData extends PricingData {
  configName: string;
  company: CompanyInfo;
  currency: CurrencyFormat;
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

const m2oName = (value: unknown): string => (Array.isArray(value) && typeof value[1] === 'string' ? value[1] : '');

function readCompany(company: OdooRecord | undefined): CompanyInfo {
  if (!company) return { name: '', lines: [] };
  const lines = [str(company.street), [str(company.zip), str(company.city)].filter(Boolean).join(' '), str(company.phone), str(company.email), company.vat ? `Tax ID: ${str(company.vat)}` : ''].filter(Boolean);
  return { name: str(company.name), lines };
}

/** The selling UI's view of the catalog; throws when the cache lacks what selling needs. */
export function readPosData(catalog: PosCatalog): PosData {
  const models = catalog.models;
  const pricing = readPricingData(models);
  const first = (model: string) => asRecords(models[model])[0];
  const config = first('pos.config')!;
  const currencyRecord = first('res.currency')!;
  const employeesLoaded = models['hr.employee'] !== undefined && config.module_pos_hr !== false;
  const nomenclatureRecord = first('barcode.nomenclature');
  const companyNomenclatureId = m2o(first('res.company')?.nomenclature_id);
  const rules = asRecords(models['barcode.rule']).filter((r) => companyNomenclatureId === null || m2o(r.barcode_nomenclature_id) === null || m2o(r.barcode_nomenclature_id) === companyNomenclatureId);
  const { decimal_places: decimalPlaces, rounding } = pricing.settings.currency;

  return {
    ...pricing,
    configName: str(config.name),
    company: readCompany(first('res.company')),
    currency: { symbol: str(currencyRecord.symbol) || str(currencyRecord.name), position: currencyRecord.position === 'after' ? 'after' : 'before', decimalPlaces, rounding },
    categories: asRecords(models['pos.category'])
      .map((c) => ({ id: Number(c.id), name: str(c.name), parentId: m2o(c.parent_id), sequence: num(c.sequence), imageUrl: pictureUrl(c.image_url) }))
      .sort((a, b) => a.sequence - b.sequence || a.name.localeCompare(b.name)),
    employees: employeesLoaded ? asRecords(models['hr.employee']).map((e) => ({ id: Number(e.id), name: str(e.name), hasPin: e.has_pin === true, manager: e.role === 'manager' })) : null,
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
