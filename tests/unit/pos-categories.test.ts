import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PosServices } from '../../electron/pos/pos-services.js';
import { categoryLevel, type PosCategory } from '../../pos-shell/src/lib/catalog.js';
import type { FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { startOdooAndTerminal, stopOdooAndTerminal } from '../support/pos-terminal.js';

// POS categories as a tree (parent_id): a category's products include its subcategories' (as in
// Odoo's POS), and the selling UI offers the path to the chosen category and its children.

let odoo: FakeOdoo;
let pos: PosServices;
let dir: string;
// Four categories: 3 and 4 are children of 1 and 2. Product n is in category ((n - 1) % 4) + 1.
beforeAll(async () => {
  ({ odoo, dir, pos } = await startOdooAndTerminal({ version: '17.0', data: { products: 12, categories: 4, nestedCategories: true } }));
});
afterAll(() => stopOdooAndTerminal({ odoo, dir, pos }));

const ids = (categoryId: number) => pos.terminal.products({ categoryId, offset: 0, limit: 100 }).map((p) => p.id);

describe('POS category tree', () => {
  it("lists a category's products with its subcategories', and a leaf's alone", () => {
    expect(ids(1)).toEqual([1, 3, 5, 7, 9, 11]);
    expect(ids(3)).toEqual([3, 7, 11]);
    expect(ids(2)).toEqual([2, 4, 6, 8, 10, 12]);
    expect(pos.terminal.products({ categoryId: 1, offset: 2, limit: 2 }).map((p) => p.id)).toEqual([5, 7]);
  });

  it('offers the top level, then the path to the chosen category and its children', () => {
    const category = (id: number, parentId: number | null): PosCategory => ({ id, name: `C${id}`, parentId, sequence: id, imageUrl: null });
    const tree = [category(1, null), category(2, null), category(3, 1), category(4, 3), category(5, 99)];
    const view = (selected: number | null) => {
      const level = categoryLevel(tree, selected);
      return { path: level.path.map((c) => c.id), children: level.children.map((c) => c.id) };
    };
    // 5's parent is not loaded: it shows at the top.
    expect(view(null)).toEqual({ path: [], children: [1, 2, 5] });
    expect(view(1)).toEqual({ path: [1], children: [3] });
    expect(view(4)).toEqual({ path: [1, 3, 4], children: [] });
    // A loop in the data (refused by Odoo, but never trusted) ends the path.
    const looped = [category(1, 2), category(2, 1)];
    expect(categoryLevel(looped, 1).path.map((c) => c.id)).toEqual([2, 1]);
  });
});
