// A cash move Odoo refuses, as a real Odoo 16 refused them all before the terminal sent the amount
// it formats for its chatter: the Sync page lists it with Odoo's reason, and "Send again" sends it
// once the cause is gone. Before, the page said "recorded" and nothing showed it was parked.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { pairFromPage, startPosInChromium, type PosInChromium, type PosWeb } from '../support/pos-web.js';

let odoo: FakeOdoo;
let pos: PosWeb;
let page: Page;
let pageErrors: string[] = [];
let setup: PosInChromium | undefined;

beforeAll(async () => {
  setup = await startPosInChromium({ version: '16.0', seed: 1, configs: [{ cashControl: true }] });
  ({ odoo, pos, page, pageErrors } = setup);
});

afterAll(() => setup?.close());

describe('parked cash moves in Chromium', () => {
  it('lists a refused cash move with its reason and sends it again', async () => {
    await page.goto(pos.server.launchUrl);
    await pairFromPage(page, odoo);
    await expect.poll(() => page.getByTestId('opening-cash').getAttribute('placeholder')).toContain('expected');
    await page.getByTestId('opening-cash').fill('0');
    await page.getByTestId('open-session-submit').click();
    await page.getByTestId('cashier-start').click();
    await page.getByTestId('product-grid').waitFor();

    odoo.failNext('try_cash_in_out', { name: 'builtins.KeyError', message: "'formattedAmount'" });
    await page.getByTestId('nav-session').click();
    await page.getByTestId('cash-move-type').selectOption('out');
    await page.getByTestId('cash-move-amount').fill('12.40');
    await page.getByTestId('cash-move-reason').fill('Window cleaner');
    await page.getByTestId('cash-move-submit').click();
    await expect.poll(() => pos.services.db.prepare("SELECT count(*) AS n FROM cash_moves WHERE state = 'parked'").get()).toEqual({ n: 1 });

    await page.getByTestId('nav-sync').click();
    const row = page.getByTestId('parked-record-cashMove');
    await expect.poll(() => row.textContent()).toMatch(/Cash out: Window cleaner \[[0-9a-f]{8}\].*12\.40.*formattedAmount/);
    expect(odoo.statementLines()).toEqual([]);

    await row.getByRole('button', { name: 'Send again' }).click();
    await expect.poll(() => odoo.statementLines().map((l) => l.amount)).toEqual([-12.4]);
    await expect.poll(() => page.getByTestId('parked-records').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
