import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ODOO16_DATA, ODOO17_DATA, ODOO18_DATA } from '../../electron/pos/pos-data-shapes.js';
import type { PosServices } from '../../electron/pos/pos-services.js';
import { readPosData } from '../../pos-shell/src/lib/catalog.js';
import { cashierAuthority } from '../../shared/pos/sale-check.js';
import { startFakeOdoo, type FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { cashSale, newPosDir, pairedTerminal } from '../support/pos-terminal.js';

// Odoo 16, 17 and 18 load their POS data in different shapes; the version's adapter turns the
// cache into one (PosCatalog), so the selling page and the terminal's price check read the same
// data from the same catalogue whatever the version.

const VERSIONS = ['16.0', '17.0', '18.0'] as const;
const terminals = new Map<string, { odoo: FakeOdoo; pos: PosServices; dir: string }>();

beforeAll(async () => {
  for (const version of VERSIONS) {
    const odoo = await startFakeOdoo({ version, seed: 7, data: { products: 12, categories: 4, nestedCategories: true }, configs: [{ posHr: true, usePricelist: true }], employees: [{ name: 'Ann', pin: '1234' }] });
    const dir = newPosDir();
    terminals.set(version, { odoo, pos: await pairedTerminal(odoo, dir), dir });
  }
});
afterAll(async () => {
  for (const { odoo, pos, dir } of terminals.values()) {
    await pos.close();
    await odoo.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const each = <T>(read: (pos: PosServices) => T): T[] => VERSIONS.map((version) => read(terminals.get(version)!.pos));

describe('the POS data of Odoo 16, 17 and 18, as the page and the cache see it', () => {
  it('gives the selling page the same prices, taxes, pricelists, fiscal positions and settings', () => {
    const seen = each((pos) => {
      const data = readPosData(pos.terminal.catalog());
      return {
        settings: data.settings,
        taxes: data.taxes.map((t) => ({ id: t.id, amount: t.amount, priceInclude: t.price_include, children: (t.children_tax_ids ?? []).map((c) => c.id) })),
        pricelists: data.pricelists.map((p) => ({ id: p.id, items: p.items.map((i) => i.id) })),
        defaultPricelist: data.defaultPricelist?.id,
        fiscalPositions: data.fiscalPositions.map((f) => ({ id: f.id, mapped: Object.keys(f.fiscal_position_taxes_by_id) })),
        paymentMethods: data.paymentMethods,
        lineEdits: data.lineEdits,
        // (in Odoo's order: 18 loads their sequence, 16 and 17 do not)
        categories: data.categories.map((c) => ({ id: c.id, parentId: c.parentId })).sort((a, b) => a.id - b.id),
        employees: data.employees?.map((e) => ({ id: e.id, manager: e.manager, hasPin: e.hasPin })),
        uomDigits: data.uomDigits,
      };
    });
    expect(seen[0]!.pricelists[0]!.items.length).toBeGreaterThan(0);
    expect(seen[0]!.fiscalPositions[0]!.mapped.length).toBeGreaterThan(0);
    expect(seen[0]!.settings.companyCountryCode).toBe('US');
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
  });

  it("keeps each model's records in one shape: nested items and mappings, one decimal precision record, the company's country", () => {
    const shapes = each((pos) => {
      const { models } = pos.terminal.catalog();
      const first = (model: string) => (models[model]?.[0] ?? {}) as Record<string, unknown>;
      return {
        precisions: models['decimal.precision']!.length,
        productPrice: first('decimal.precision')['Product Price'],
        country: (first('res.company').country as { code?: string } | undefined)?.code,
        pricelistItems: Array.isArray(first('product.pricelist').items),
        fiscalMappings: typeof first('account.fiscal.position').fiscal_position_taxes_by_id,
      };
    });
    expect(shapes).toEqual(VERSIONS.map(() => ({ precisions: 1, productPrice: 2, country: 'US', pricelistItems: true, fiscalMappings: 'object' })));
  });

  it('finds the same products by POS category (16 names one category per product, 17 and 18 a list)', () => {
    const byCategory = each((pos) => [1, 2, 3, 4].map((categoryId) => pos.terminal.products({ categoryId, offset: 0, limit: 100 }).map((p) => p.id)));
    expect(byCategory[0]!.flat().length).toBeGreaterThan(0);
    expect(byCategory[1]).toEqual(byCategory[0]);
    expect(byCategory[2]).toEqual(byCategory[0]);
  });

  it("prints the same receipt and day's report from each version's frozen payload", () => {
    const printed = each((pos) => {
      const order = pos.terminal.commitSale(cashSale(pos, 3, 2));
      const { header, lines, total, tax, payments, change } = pos.terminal.receipt(order.uid);
      const { byPaymentMethod, byTax, total: dayTotal } = pos.terminal.sessionFigures(order.sessionId).figures;
      return { header, lines, total, tax, payments, change, byPaymentMethod, byTax, dayTotal };
    });
    expect(printed[0]!.lines).toHaveLength(1);
    expect(printed[1]).toEqual(printed[0]);
    expect(printed[2]).toEqual(printed[0]);
  });
});

describe("the configurator's and combos' data (Odoo 17's attributes_by_ptal_id, pos.combo, pos.combo.line)", () => {
  it('keeps 17\'s one dict of attribute lines as one record per line, read again the same from the cache', () => {
    const line = (id: number) => ({ id, name: `Line ${id}`, display_type: 'radio', sequence: id, values: [{ id: id * 10, name: 'A', is_custom: false, price_extra: 1 }] });
    const cached = ODOO17_DATA.toCache({ attributes_by_ptal_id: { '4': line(4), '7': line(7) }, 'pos.combo': [{ id: 1, combo_line_ids: [2] }] });
    expect(cached.attributes_by_ptal_id).toHaveLength(1); // as Odoo sent it
    const normal = ODOO17_DATA.normalise(cached);
    expect(normal.attributes_by_ptal_id).toEqual([line(4), line(7)]);
    // Read twice (a cache already normalised, or a load without attribute lines) it stays the same.
    expect(ODOO17_DATA.normalise(normal).attributes_by_ptal_id).toEqual([line(4), line(7)]);
    expect(ODOO17_DATA.normalise(ODOO17_DATA.toCache({ attributes_by_ptal_id: {} })).attributes_by_ptal_id).toEqual([]);
  });

  it('gives the page and the price check the attribute lines on 16, 17 and 18, the combos on 17 (16 has none; 18\'s are not read)', async () => {
    const seen: Array<{ attributes: number[]; combos: number[] }> = [];
    const lines: unknown[] = [];
    for (const version of ['16.0', '17.0', '18.0'] as const) {
      const odoo = await startFakeOdoo({ version, seed: 7, data: { products: 5, productOptions: true } });
      const dir = newPosDir();
      const pos = await pairedTerminal(odoo, dir);
      const data = readPosData(pos.terminal.catalog());
      seen.push({ attributes: [...data.attributes.keys()], combos: [...data.combos.values()].map((c) => c.lines.length) });
      // (18 does not load an attribute's sequence; nothing reads it)
      lines.push([...data.attributes.values()].map(({ sequence: _sequence, ...line }) => line));
      await pos.close();
      await odoo.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(seen).toEqual([
      { attributes: [1, 2, 3], combos: [] },
      { attributes: [1, 2, 3], combos: [3, 2, 3, 1] },
      { attributes: [1, 2, 3], combos: [] },
    ]);
    // 18's records read as 17's dict: the same values, extras, custom values and colours.
    expect(lines[2]).toEqual(lines[1]);
    expect(JSON.stringify(lines[1])).toContain('"priceExtra":1');
  });
});

describe("18's data turned into the one shape", () => {
  it("reads pos_hr's _role as role, and folds in what 18 loads apart", () => {
    const normal = ODOO18_DATA.normalise({
      'hr.employee': [{ id: 3, _role: 'manager' }],
      'res.users': [{ id: 2, _role: 'manager' }],
      'res.company': [{ id: 1, country_id: 75 }],
      'res.country': [{ id: 75, code: 'FR' }],
      'decimal.precision': [{ id: 1, name: 'Product Price', digits: 3 }],
      'account.tax': [{ id: 1, amount: 0, children_tax_ids: [2] }, { id: 2, amount: 10, children_tax_ids: [] }],
    });
    expect(cashierAuthority({ userId: 2, employeeId: 3 }, { employees: normal['hr.employee'] as never, users: [] }).isManager).toBe(true);
    // Without pos_hr the session's user is the cashier, and 18 gives its role as _role too.
    expect(cashierAuthority({ userId: 2, employeeId: null }, { employees: [], users: normal['res.users'] as never }).isManager).toBe(true);
    expect(normal['res.company']).toEqual([{ id: 1, country_id: 75, country: { id: 75, code: 'FR' } }]);
    expect(normal['decimal.precision']).toEqual([{ 'Product Price': 3 }]);
    expect(normal['account.tax']![0]).toEqual({ id: 1, amount: 0, children_tax_ids: [{ id: 2, amount: 10, children_tax_ids: [] }] });
  });
});

describe("16's data turned into the one shape", () => {
  it('gives a product its one pos_categ_id as pos_categ_ids, also when pos_categ_ids is false', () => {
    const normal = ODOO16_DATA.normalise({
      'product.product': [{ id: 1, pos_categ_id: [4, 'Desks'] }, { id: 2, pos_categ_id: [5, 'Chairs'], pos_categ_ids: false }, { id: 3, pos_categ_id: false }, { id: 4, pos_categ_ids: [6, 7] }],
    });
    expect((normal['product.product'] as Array<{ pos_categ_ids: unknown }>).map((p) => p.pos_categ_ids)).toEqual([[4], [5], [], [6, 7]]);
  });
});
