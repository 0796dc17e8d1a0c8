// The status bar's warning after a long outage, in Debian's Chromium against the real POS
// services and web server: none while Odoo has been out of reach for less than the terminal's
// threshold; once an admin lowers the threshold below the outage, the warning shows (since when,
// the orders waiting and their total) without a reload; it goes once Odoo answers again.
// Needs the built UI (node scripts/build.mjs) and Chromium; no testbed.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOdoo, type FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { launchChromium } from '../support/browser.js';
import { openSellingPage, POS_UI_DIR, startPosWeb, type PosWeb } from '../support/pos-web.js';
import { cashSale, newPosDir, pairedTerminal, saleInputOf } from '../support/pos-terminal.js';

let odoo: FakeOdoo;
let pos: PosWeb;
let browser: Browser;
let page: Page;
let dataDir: string;
const pageErrors: string[] = [];
const admin = { actor: 'e2e', role: 'admin' as const, transport: 'internal' as const };
const till = { ...admin, role: 'cashier' as const };

beforeAll(async () => {
  if (!fs.existsSync(path.join(POS_UI_DIR, 'sw.js'))) throw new Error('dist/pos-shell is missing: run `node scripts/build.mjs`');
  odoo = await startFakeOdoo({ version: '17.0' });
  dataDir = newPosDir();
  await (await pairedTerminal(odoo, dataDir)).close();
  await odoo.down('refuse');
  pos = await startPosWeb({ dataDir });
  browser = await launchChromium();
  page = await openSellingPage(browser, pos, pageErrors);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await pos?.close();
  await odoo?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the offline warning', () => {
  it('shows once Odoo has been out of reach past the threshold, with the orders waiting and their total, and goes when Odoo answers', async () => {
    const { services } = pos;
    let total = 0;
    for (const [product, qty] of [[10, 2], [11, 1]] as const) {
      const sale = cashSale(services, product, qty);
      total += sale.amountTotal;
      const sold = await services.dispatcher.invoke('pos.sell', { sale: saleInputOf(sale) }, till);
      expect(sold.ok).toBe(true);
    }
    await expect.poll(() => page.getByTestId('sync-status').getAttribute('data-state')).toBe('offline');
    await expect.poll(() => page.getByTestId('outbox-pending').getAttribute('data-count')).toBe('2');
    // Under the default 24 hours: nothing but the offline pill.
    expect(services.db.prepare('SELECT since FROM odoo_outage').get()).toBeTruthy();
    expect(await page.getByTestId('offline-warning').count()).toBe(0);

    // An admin lowers the threshold to 2 seconds: the page learns it at once and warns when it passes.
    const outageBegan = Date.parse((services.db.prepare('SELECT since FROM odoo_outage').get() as { since: string }).since);
    expect(await services.dispatcher.invoke('pos.setOfflineWarning', { hours: 2 / 3600 }, admin)).toMatchObject({ ok: true });
    const warning = page.getByTestId('offline-warning');
    await warning.waitFor({ timeout: 15_000 });
    expect(Date.now()).toBeGreaterThanOrEqual(outageBegan + 2000);
    expect(await warning.getAttribute('role')).toBe('alert');
    expect(await page.getByTestId('offline-warning-orders').textContent()).toBe('2');
    expect(await page.getByTestId('offline-warning-total').textContent()).toContain(total.toFixed(2));
    expect(await warning.textContent()).toContain('Odoo out of reach since');

    // Odoo back: the next round syncs both orders and the warning goes.
    await odoo.up();
    await services.dispatcher.invoke('pos.sync', {}, till);
    await expect.poll(() => page.getByTestId('outbox-pending').getAttribute('data-count')).toBe('0');
    await warning.waitFor({ state: 'detached', timeout: 15_000 });
    expect(services.db.prepare('SELECT since FROM odoo_outage').get()).toBeUndefined();
    expect(odoo.orders()).toHaveLength(2);
    expect(pageErrors).toEqual([]);
  });
});
