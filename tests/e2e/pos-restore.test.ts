// The Sync page after the tenant's database went back to an earlier backup: the terminal's check
// finds the orders Odoo lost, sends them again, once, and the page lists them.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { pairFromPage, startPosInChromium, type PosInChromium, type PosWeb } from '../support/pos-web.js';
import { cashSale } from '../support/pos-terminal.js';

let odoo: FakeOdoo;
let pos: PosWeb;
let page: Page;
let pageErrors: string[] = [];
let setup: PosInChromium | undefined;

beforeAll(async () => {
  setup = await startPosInChromium({ version: '17.0', seed: 3, data: { products: 12 } });
  ({ odoo, pos, page, pageErrors } = setup);
});

afterAll(() => setup?.close());

describe('the Sync page after a restore', () => {
  it('lists the orders Odoo lost, sent again once after Check now', async () => {
    await page.goto(pos.server.launchUrl);
    await pairFromPage(page, odoo);
    await page.getByTestId('open-session-submit').click();
    await page.getByTestId('cashier-start').click();
    await page.getByTestId('product-grid').waitFor();

    const sell = () => pos.services.terminal.commitSale(cashSale(pos.services, 10, 1)).name;
    sell();
    await pos.services.sync.sync();
    const backup = odoo.backup();
    const lost = [sell(), sell()];
    await pos.services.sync.sync();
    expect(odoo.orders()).toHaveLength(3);
    odoo.restore(backup);

    await page.getByTestId('nav-sync').click();
    await page.getByTestId('restore-check-now').click();
    await expect.poll(() => page.getByTestId('resent-list').textContent(), { timeout: 30_000 }).toContain(lost[1]!);
    expect(await page.getByTestId('restore-check-resent').textContent()).toContain('2 order(s) synced earlier were missing from Odoo');
    await expect.poll(() => odoo.orders().map((o) => o.pos_reference).sort()).toEqual(expect.arrayContaining(lost));
    expect(odoo.orders()).toHaveLength(3);
    await expect.poll(() => page.getByTestId('resent-list').textContent(), { timeout: 30_000 }).toContain('in Odoo again');
    expect(pageErrors).toEqual([]);
  });
});
