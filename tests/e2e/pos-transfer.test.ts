// Fleet POS in Debian's Chromium: a file of 500 waiting orders from another terminal imported on
// the Sync page (read and checked in the page, sent in pieces with the count shown), imported again
// (all known), exported back page by page into one file; and a cart refusing a line past the
// bound. Needs the built UI (node scripts/build.mjs) and Chromium; no testbed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SALE_MAX_LINES, SaleInput, type OutboxFile } from '../../shared/pos.js';
import { startFakeOdoo, type FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { launchChromium } from '../support/browser.js';
import { admitLargestSale, largestSale } from '../support/pos-largest-sale.js';
import { openSellingPage, POS_UI_DIR, startPosWeb, type PosWeb } from '../support/pos-web.js';
import { cashSale, newPosDir, pairedTerminal } from '../support/pos-terminal.js';

let odoo: FakeOdoo;
let pos: PosWeb;
let browser: Browser;
let page: Page;
let exported: OutboxFile;
const dirs: string[] = [];
const pageErrors: string[] = [];

/** 500 orders waiting on another terminal (three of them the largest a sale may be, two for a customer made there), as its export. */
async function ordersOfAnotherTerminal(): Promise<OutboxFile> {
  const dir = newPosDir();
  dirs.push(dir);
  const other = await pairedTerminal(odoo, dir);
  try {
    const customer = other.terminal.createPartner({ name: 'Made offline' });
    for (let i = 0; i < 497; i++) other.terminal.commitSale({ ...cashSale(other, 10 + (i % 5), 1), partnerId: i < 2 ? customer.id : null });
    admitLargestSale(other);
    for (const char of ['"', '€', '"'] as const) other.terminal.commitSale({ ...SaleInput.parse(largestSale(char, { partnerId: null })), userId: 2, dateOrder: new Date() });
    return other.outbox.exportUnsynced();
  } finally {
    await other.close();
  }
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(POS_UI_DIR, 'sw.js'))) throw new Error('dist/pos-shell is missing: run `node scripts/build.mjs`');
  odoo = await startFakeOdoo({ version: '17.0' });
  exported = await ordersOfAnotherTerminal();
  const dataDir = newPosDir();
  dirs.push(dataDir);
  await (await pairedTerminal(odoo, dataDir)).close();
  // Odoo out of reach, as when orders are moved by file: they keep waiting on this terminal too.
  await odoo.down('refuse');
  pos = await startPosWeb({ dataDir });
  browser = await launchChromium();
  page = await openSellingPage(browser, pos, pageErrors, { acceptDownloads: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await pos?.close();
  await odoo?.close();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('moving 500 orders by file in the selling UI', () => {
  it('imports them in pieces, showing the count, then again with all of them known', async () => {
    const file = path.join(dirs[0]!, 'waiting.json');
    fs.writeFileSync(file, JSON.stringify(exported, null, 2));
    expect(fs.statSync(file).size).toBeGreaterThan(1024 * 1024); // more than one message could ever carry
    await page.getByTestId('nav-sync').click();
    // Every count the page shows while it sends.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { progressSeen: string[] }).progressSeen = seen;
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid="sync-progress"]')?.textContent;
        if (text && seen.at(-1) !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByTestId('import-file').setInputFiles(file);
    await expect.poll(() => page.getByTestId('sync-result').textContent(), { timeout: 60_000 }).toBe('Imported 500 order(s); 0 were already here.');
    const progress = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
    expect(progress.length).toBeGreaterThanOrEqual(4);
    expect(progress.every((p) => /^Importing… \d+ of 500 order\(s\)$/.test(p))).toBe(true);
    expect(pos.services.outbox.counts().pending).toBe(500);
    expect(new Set(pos.services.outbox.list('pending', 10_000).map((o) => o.uid))).toEqual(new Set(exported.orders.map((o) => o.uid)));

    await page.getByTestId('import-file').setInputFiles(file);
    await expect.poll(() => page.getByTestId('sync-result').textContent(), { timeout: 60_000 }).toBe('Imported 0 order(s); 500 were already here.');
    expect(pos.services.db.prepare('SELECT count(*) AS n FROM partner_outbox').get()).toEqual({ n: 1 });
  }, 120_000);

  it('exports them back page by page into one file of the same format', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-orders').click()]);
    const file = JSON.parse(fs.readFileSync((await download.path())!, 'utf8')) as OutboxFile;
    expect(file.format).toBe('fleet-pos-outbox/1');
    expect(file.orders.map((o) => [o.uid, o.payload])).toEqual(exported.orders.map((o) => [o.uid, o.payload]));
    expect(file.customers!.map((c) => c.ref)).toEqual(exported.customers!.map((c) => c.ref));
    await expect.poll(() => page.getByTestId('sync-result').textContent()).toBe('Exported 500 order(s).');
  }, 60_000);

  it('refuses a file larger than a file of orders may be, before reading it', async () => {
    const file = path.join(dirs[0]!, 'huge.json');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, 129 * 1024 * 1024);
    await page.getByTestId('import-file').setInputFiles(file);
    await expect.poll(() => page.getByTestId('sync-error').textContent()).toBe('huge.json is 129 MiB; a file of orders may be at most 128 MiB.');
  });
});

describe('a long cart', () => {
  it(`refuses a line past ${SALE_MAX_LINES} with a message naming the bound`, async () => {
    await page.getByTestId('nav-sell').click();
    await page.getByTestId('product-1').click();
    // A cart of the most lines a sale may have, each its own (as typed prices make them), written
    // where the terminal keeps its open carts.
    await page.getByTestId('cart-line-1').waitFor();
    const activeId = await page.evaluate(() => sessionStorage.getItem('fleet-pos.active-cart.v1'));
    const stored = () => pos.services.db.prepare('SELECT data FROM open_carts WHERE id = ?').get(activeId) as { data: string } | undefined;
    await expect.poll(() => stored()?.data ?? '').toContain('"productId":1');
    const cart = JSON.parse(stored()!.data) as { lines: Array<Record<string, unknown>> };
    cart.lines = Array.from({ length: SALE_MAX_LINES }, () => ({ ...cart.lines[0]!, uuid: crypto.randomUUID(), manualPrice: 1 }));
    pos.services.db.prepare('UPDATE open_carts SET data = ?, revision = revision + 1 WHERE id = ?').run(JSON.stringify(cart), activeId);
    await page.reload();
    await page.getByTestId('product-grid').or(page.getByTestId('cashier-start')).waitFor();
    if (await page.getByTestId('cashier-start').count()) await page.getByTestId('cashier-start').click();
    await page.getByTestId('product-grid').waitFor();
    await page.getByTestId('product-2').click();
    await expect.poll(() => page.getByTestId('sell-notice').textContent()).toBe(`A sale holds at most ${SALE_MAX_LINES} lines: pay this one and ring the rest up as a new order.`);
    expect(await page.getByTestId('cart-line-2').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
