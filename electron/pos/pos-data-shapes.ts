import { asRecords, idList, m2o, type OdooRecord } from '../../shared/pos/pos-data.js';

// How each Odoo version's POS data load looks, and how its cached records become the one shape
// the selling page and the price check read (PosCatalog, shared/pos/pos-data.ts). The cache keeps
// the records as Odoo sent them and they are turned into that shape as they are read, so a cache
// filled before an update reads like a new one. Each adapter (adapters.ts) names its shape.

type Models = Record<string, unknown[]>;

export interface PosDataShape {
  /** The answer of the version's load as the records the cache keeps, model by model (a picture kept apart: only whether there is one). */
  toCache(loaded: Record<string, unknown>): Models;
  /** Cached records of some models, as Odoo sent them, in PosCatalog's shape (what a model needs of another is folded in when both are given). */
  normalise(models: Models): Models;
}

/** 17's load_pos_data: a list, or one record, per key; `attributes_by_ptal_id` one dict of attribute lines by id. */
export const ODOO17_DATA: PosDataShape = {
  toCache: (loaded) => cacheEach(loaded, (value) => (Array.isArray(value) ? value : [value])),
  normalise: (models) => withAttributeLines(withNestedTaxChildren(models)),
};

/** 16: as 17, but a product has one POS category, pos_categ_id ([id, name] or false). */
export const ODOO16_DATA: PosDataShape = {
  toCache: ODOO17_DATA.toCache,
  normalise: (models) => {
    const normal = ODOO17_DATA.normalise(models);
    return mapModel(normal, 'product.product', (p) => {
      const category = m2o(p.pos_categ_id);
      return Array.isArray(p.pos_categ_ids) ? p : { ...p, pos_categ_ids: category === null ? [] : [category] };
    });
  },
};

/**
 * 18's load_data: `{data, fields, relations}` per model, many2one as bare ids, and apart what 17
 * nests (pricelist items, fiscal position mappings, the company's country, one record per
 * decimal precision); the POS role (the user's, and pos_hr's employees') is `_role`.
 */
export const ODOO18_DATA: PosDataShape = {
  toCache: (loaded) => cacheEach(loaded, (value) => (Array.isArray(value) ? value : isRecord(value) && Array.isArray(value.data) ? value.data : [value])),
  normalise: (models) => {
    let normal = withNestedTaxChildren(models);
    normal = foldIn(normal, 'product.pricelist', 'product.pricelist.item', (p, items) => (Array.isArray(p.items) ? p : { ...p, items: items.filter((item) => m2o(item.pricelist_id) === Number(p.id)) }));
    normal = foldIn(normal, 'account.fiscal.position', 'account.fiscal.position.tax', (f, mappings) =>
      isRecord(f.fiscal_position_taxes_by_id) ? f : { ...f, fiscal_position_taxes_by_id: Object.fromEntries(mappings.filter((m) => m2o(m.position_id) === Number(f.id)).map((m) => [Number(m.id), m])) },
    );
    normal = foldIn(normal, 'res.company', 'res.country', (c, countries) => (isRecord(c.country) ? c : { ...c, country: countries.find((country) => Number(country.id) === m2o(c.country_id)) ?? false }));
    const precisions = asRecords(models['decimal.precision']);
    if (precisions.some((p) => typeof p.name === 'string' && typeof p.digits === 'number')) {
      normal = { ...normal, 'decimal.precision': [Object.fromEntries(precisions.map((p) => [p.name, p.digits]))] };
    }
    normal = withAttributeLines18(normal);
    // The POS role is `_role` on both the employees (pos_hr) and the session's user.
    const withRole = ({ _role, ...record }: OdooRecord): OdooRecord => (record.role === undefined && _role !== undefined ? { ...record, role: _role } : record);
    return mapModel(mapModel(normal, 'hr.employee', (e) => withRole(withPinAndBadge18(e))), 'res.users', withRole);
  },
};

/**
 * pos_hr on 18 sends an employee's PIN and badge sha1s as `_pin` and `_barcode` (16/17: `pin` and
 * `barcode`); read under 17's names, or a cashier with a PIN would log in without it.
 */
function withPinAndBadge18({ _pin, _barcode, ...employee }: OdooRecord): OdooRecord {
  return { ...employee, ...(employee.pin === undefined && _pin !== undefined ? { pin: _pin } : {}), ...(employee.barcode === undefined && _barcode !== undefined ? { barcode: _barcode } : {}) };
}

const isRecord = (value: unknown): value is OdooRecord => !!value && typeof value === 'object' && !Array.isArray(value);

/** Every key of the load as a model's records, a product's picture reduced to whether it has one (the picture is stored apart). */
function cacheEach(loaded: Record<string, unknown>, records: (value: unknown) => unknown[]): Models {
  const models: Models = {};
  for (const [model, value] of Object.entries(loaded)) {
    const list = records(value);
    models[model] = model === 'product.product' ? list.map((p) => (isRecord(p) && typeof p.image_128 === 'string' ? { ...p, image_128: true } : p)) : list;
  }
  return models;
}

function mapModel(models: Models, model: string, change: (record: OdooRecord) => OdooRecord): Models {
  const records = models[model];
  return records ? { ...models, [model]: records.map((r) => (isRecord(r) ? change(r) : r)) } : models;
}

/** The records of `source` folded into each of `model`'s (when both are given). */
function foldIn(models: Models, model: string, source: string, change: (record: OdooRecord, sources: OdooRecord[]) => OdooRecord): Models {
  if (models[source] === undefined) return models;
  const sources = asRecords(models[source]);
  return mapModel(models, model, (record) => change(record, sources));
}

/** `attributes_by_ptal_id` (cached as the one dict Odoo sends) as one record per attribute line. */
function withAttributeLines(models: Models): Models {
  const cached = models.attributes_by_ptal_id;
  if (!cached) return models;
  const lines = asRecords(cached).flatMap((record) => (record.id !== undefined && Array.isArray(record.values) ? [record] : asRecords(Object.values(record))));
  return { ...models, attributes_by_ptal_id: lines.filter((line) => Array.isArray(line.values)) };
}

/**
 * 18 loads every attribute line of the loaded products as records apart: those whose attribute
 * makes no variant become 17's `attributes_by_ptal_id` records (variants are products of their own).
 */
function withAttributeLines18(models: Models): Models {
  const lines = models['product.template.attribute.line'];
  if (asRecords(models.attributes_by_ptal_id).length > 0 || lines === undefined) return models;
  const attributes = new Map(asRecords(models['product.attribute']).map((a) => [Number(a.id), a]));
  const values = asRecords(models['product.template.attribute.value']);
  const records = asRecords(lines).flatMap((line) => {
    const attribute = attributes.get(m2o(line.attribute_id) ?? NaN);
    if (attribute?.create_variant !== 'no_variant') return [];
    const own = idList(line.product_template_value_ids);
    const lineValues = values.filter((v) => own.includes(Number(v.id))).sort((a, b) => own.indexOf(Number(a.id)) - own.indexOf(Number(b.id)));
    return [{ id: Number(line.id), name: attribute.name, display_type: attribute.display_type, sequence: attribute.sequence ?? 0, values: lineValues.map((v) => ({ id: v.id, name: v.name, is_custom: v.is_custom === true, html_color: v.html_color ?? false, price_extra: v.price_extra ?? 0 })) }];
  });
  return { ...models, attributes_by_ptal_id: records };
}

/** A tax group's children as nested tax records, whether Odoo nested them or gave their ids. */
function withNestedTaxChildren(models: Models): Models {
  const taxes = asRecords(models['account.tax']);
  const byId = new Map(taxes.map((t) => [Number(t.id), t]));
  const nest = (tax: OdooRecord, depth: number): OdooRecord => {
    if (!Array.isArray(tax.children_tax_ids) || tax.children_tax_ids.length === 0) return tax;
    const children = depth > 5 ? [] : tax.children_tax_ids.flatMap((child) => {
      const record = isRecord(child) ? child : byId.get(idList([child])[0] ?? NaN);
      return record ? [nest(record, depth + 1)] : [];
    });
    return { ...tax, children_tax_ids: children };
  };
  return mapModel(models, 'account.tax', (tax) => nest(tax, 0));
}
