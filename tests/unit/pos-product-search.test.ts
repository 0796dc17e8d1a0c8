import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { POS_MIGRATIONS } from '../../electron/pos/pos-migrations.js';
import type { PosServices } from '../../electron/pos/pos-services.js';
import { openStore } from '../../electron/store/database.js';
import { startFakeOdoo, type FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { newPosDir, openPos, pairedTerminal } from '../support/pos-terminal.js';

// The terminal's product search (pos.searchProducts): exact barcode, exact internal reference
// (ASCII case-insensitive), or a name containing every word of the query (LIKE's rule: ASCII
// case-insensitive, every other character as it is), in id order, `limit` at most. Words of three
// characters or more are looked up through the names' trigram index; these tests check what is
// found, not how fast.

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Names given to the first products, before the terminal loads them. */
const NAMES = [
  '100% Cotton Shirt',
  'snake_case Mug',
  'Back\\slash Lamp',
  "Mom's \"Best\" Cookie",
  'Café Crème',
  'CAFÉ NOIR',
  'Ab',
  'Tea 🍵 Pot',
  'Ünïcode Ümlaut',
];

async function terminalWith(names: readonly string[], products = 300): Promise<{ odoo: FakeOdoo; pos: PosServices }> {
  const odoo = await startFakeOdoo({ version: '17.0', data: { products } });
  cleanups.push(() => odoo.close());
  names.forEach((name, i) => odoo.renameProduct(i + 1, name));
  const dir = newPosDir();
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const pos = await pairedTerminal(odoo, dir);
  cleanups.push(() => pos.close());
  return { odoo, pos };
}

/** What the search found before the names had an index: every product read in id order, LIKE on the name. */
function scanned(pos: PosServices, query: string, limit = 50): number[] {
  const q = query.trim();
  if (!q) return [];
  const words = [...new Set(q.split(/\s+/))].slice(0, 8);
  const likes = Object.fromEntries(words.map((word, i) => [`like${i}`, `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]));
  const every = words.map((_, i) => `name LIKE @like${i} ESCAPE '\\' COLLATE NOCASE`).join(' AND ');
  const rows = pos.db
    .prepare(
      `SELECT product_id FROM product_search WHERE barcode = @q
       UNION SELECT product_id FROM product_search WHERE default_code = @q COLLATE NOCASE
       UNION SELECT product_id FROM (SELECT * FROM product_search WHERE ${every} ORDER BY product_id LIMIT @limit)
       ORDER BY product_id LIMIT @limit`,
    )
    .all({ q, limit, ...likes }) as Array<{ product_id: number }>;
  return rows.map((r) => r.product_id);
}

const ids = (pos: PosServices, query: string, limit?: number) => pos.terminal.searchProducts(query, limit).map((p) => p.productId);

describe('product search', () => {
  it('finds a name containing the query whatever its ASCII case, an exact barcode and an internal reference, in id order', async () => {
    const { odoo, pos } = await terminalWith([]);
    const all = odoo.catalog.products() as Array<{ id: number; display_name: string; barcode: string; default_code: string }>;
    const chairs = all.filter((p) => p.display_name.toLowerCase().includes('chair')).map((p) => p.id);
    expect(chairs.length).toBeGreaterThan(3);
    expect(ids(pos, 'chair')).toEqual(chairs.slice(0, 50));
    expect(ids(pos, 'CHAIR')).toEqual(ids(pos, 'chair'));
    expect(ids(pos, '  cHaIr  ')).toEqual(ids(pos, 'chair'));
    expect(ids(pos, 'chair', 3)).toEqual(chairs.slice(0, 3));
    const product = all[41]!;
    expect(pos.terminal.searchProducts(product.barcode)).toEqual([{ productId: product.id, name: product.display_name, barcode: product.barcode, defaultCode: product.default_code }]);
    expect(ids(pos, product.barcode.slice(0, 12))).toEqual([]); // a barcode is exact
    expect(ids(pos, product.default_code.toLowerCase())).toEqual([product.id]);
    expect(ids(pos, '')).toEqual([]);
    expect(ids(pos, 'no such product')).toEqual([]);
  });

  it('takes %, _, \\ and quotes as themselves', async () => {
    const { pos } = await terminalWith(NAMES);
    expect(ids(pos, '100%')).toEqual([1]);
    expect(ids(pos, '0% C')).toEqual([1]);
    expect(ids(pos, '%')).toEqual([1]);
    expect(ids(pos, 'e_c')).toEqual([2]);
    expect(ids(pos, '_')).toEqual([2]);
    expect(ids(pos, 'k\\s')).toEqual([3]);
    expect(ids(pos, '\\')).toEqual([3]);
    expect(ids(pos, "Mom's")).toEqual([4]);
    expect(ids(pos, '"Best"')).toEqual([4]);
    expect(ids(pos, '"')).toEqual([4]);
    expect(ids(pos, 's "B')).toEqual([4]);
    // Not patterns: nothing but the names holding these characters.
    expect(ids(pos, '%%%')).toEqual([]);
    expect(ids(pos, '___')).toEqual([]);
    expect(ids(pos, 'Cotton*')).toEqual([]);
    expect(ids(pos, 'Best OR Mug')).toEqual([]);
  });

  it('finds names by one or two characters too', async () => {
    const { pos } = await terminalWith(NAMES);
    expect(ids(pos, 'Ab')).toEqual(scanned(pos, 'Ab'));
    expect(ids(pos, 'Ab')).toContain(7);
    expect(ids(pos, 'aB')).toEqual(ids(pos, 'Ab'));
    expect(ids(pos, 'q')).toEqual(scanned(pos, 'q'));
    expect(ids(pos, 'e', 5)).toEqual(scanned(pos, 'e', 5));
    expect(ids(pos, '🍵')).toEqual([8]);
  });

  it("keeps LIKE's rule for other letters: é matches é only, É only É", async () => {
    const { pos } = await terminalWith(NAMES);
    expect(ids(pos, 'café')).toEqual([5]);
    expect(ids(pos, 'CAFÉ')).toEqual([6]);
    expect(ids(pos, 'caf')).toEqual([5, 6]);
    expect(ids(pos, 'crème')).toEqual([5]);
    expect(ids(pos, 'CRÈME')).toEqual([]);
    expect(ids(pos, 'é')).toEqual([5]);
    expect(ids(pos, 'É')).toEqual([6]);
    expect(ids(pos, 'ünï')).toEqual([]);
    expect(ids(pos, 'Ünï')).toEqual([9]);
    expect(ids(pos, 'ÜnïCODE')).toEqual([9]);
    expect(ids(pos, 'Tea 🍵')).toEqual([8]);
  });

  it('finds what reading every name finds, for any piece of any name', async () => {
    const { odoo, pos } = await terminalWith(NAMES, 2_000);
    const names = (odoo.catalog.products() as Array<{ display_name: string }>).map((p) => p.display_name);
    for (let i = 0; i < 400; i++) {
      const name = names[(i * 7919) % names.length]!;
      const start = (i * 13) % name.length;
      const query = name.slice(start, start + 1 + (i % 9));
      expect(ids(pos, query), query).toEqual(scanned(pos, query));
      expect(ids(pos, query.toUpperCase(), 7), query).toEqual(scanned(pos, query.toUpperCase(), 7));
    }
  });

  it('finds a variant by its attribute values, in any order ("desk white")', async () => {
    const { pos } = await terminalWith(['Customizable Desk (Steel, White)', 'Customizable Desk (Steel, Black)', 'Customizable Desk (Aluminium, White)', 'Whiteboard']);
    expect(ids(pos, 'desk white')).toEqual([1, 3]);
    expect(ids(pos, 'WHITE  steel desk')).toEqual([1]);
    expect(ids(pos, 'desk wh')).toEqual([1, 3]);
    expect(ids(pos, 'white').slice(0, 3)).toEqual([1, 3, 4]);
  });

  it('finds the names a refresh brought, and no longer those it replaced', async () => {
    const { odoo, pos } = await terminalWith(NAMES);
    expect(ids(pos, 'Cotton Shirt')).toEqual([1]);
    odoo.renameProduct(1, 'Linen Trousers');
    await pos.terminal.refresh();
    expect(ids(pos, 'Cotton Shirt')).toEqual([]);
    expect(ids(pos, 'linen trou')).toEqual([1]);
    // The index holds exactly the cached names (FTS5 compares it with its content table).
    expect(() => pos.db.prepare("INSERT INTO product_name_trigrams (product_name_trigrams, rank) VALUES ('integrity-check', 1)").run()).not.toThrow();
  });

  it("indexes the names an existing terminal's cache holds when its store is upgraded", async () => {
    const dir = newPosDir();
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    // A store as version 10 left it, with its search table filled by a refresh of that version.
    const old = openStore(path.join(dir, 'pos.sqlite'), POS_MIGRATIONS.filter((m) => m.version <= 10));
    const insert = old.prepare('INSERT INTO product_search (product_id, name, barcode, default_code, pos_categ_ids) VALUES (?, ?, ?, ?, ?)');
    NAMES.forEach((name, i) => insert.run(i + 1, name, `590000000000${i}`, `REF${i + 1}`, ','));
    old.close();

    const pos = openPos(dir);
    cleanups.push(() => pos.close());
    expect(pos.db.pragma('user_version', { simple: true })).toBe(POS_MIGRATIONS.at(-1)!.version);
    expect(ids(pos, 'cotton')).toEqual([1]);
    expect(ids(pos, 'Crème')).toEqual([5]);
    expect(ids(pos, 'ref4')).toEqual([4]);
    expect(ids(pos, '5900000000002')).toEqual([3]);
    expect(pos.db.prepare("SELECT rowid FROM product_name_trigrams WHERE product_name_trigrams MATCH '\"ümlaut\"'").all()).toEqual([{ rowid: 9 }]);
  });
});
