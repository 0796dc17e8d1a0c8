// The till's promises in Debian's Chromium, against the real POS services and web server (as a
// cashier's page): whatever happens between a sale and its receipt — a second tab, the browser
// killed, the page restored from the back-forward cache, the terminal's server killed before it
// answered — every sale paid is stored once, and every receipt names an order stored exactly so.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserServer, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../electron/common/log.js';
import { createPosServices, type PosServices } from '../../electron/pos/pos-services.js';
import { startPosWebServer } from '../../electron/pos/pos-web-server.js';
import type { WebServer } from '../../electron/api/web-server.js';
import { startFakeOdoo, type FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { CHROMIUM_PATH } from '../support/browser.js';
import { FAST_KDF } from '../support/console.js';
import { freePort, POS_UI_DIR } from '../support/pos-web.js';
import { newPosDir, openPos, pairedTerminal } from '../support/pos-terminal.js';

const ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu', '--disable-sync', '--no-first-run', '--disable-quic'];

let odoo: FakeOdoo;
let dir: string;
let port: number;
let services: PosServices;
let server: WebServer;
let browserServer: BrowserServer;
let browser: Browser;
let context: BrowserContext;
/** Every receipt a page showed: its order's name and total. */
const receipts: Array<{ name: string; total: number }> = [];
const pageErrors: string[] = [];

async function startTerminal(existing?: PosServices): Promise<void> {
  services = existing ?? openPos(dir, { backoffBaseMs: 50, backoffMaxMs: 400 });
  server = await startPosWebServer(services, { staticDir: POS_UI_DIR, port, actor: 'till@pos', role: 'cashier' });
  services.startBackgroundWork();
}

/** A browser of its own process (so that a test can kill it) and a signed-in context. */
async function openBrowser(): Promise<void> {
  // Playwright turns the back-forward cache off by default; a shop's browser has it on.
  browserServer = await chromium.launchServer({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS, ignoreDefaultArgs: ['--disable-back-forward-cache'] });
  browser = await chromium.connect(browserServer.wsEndpoint());
  context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const page = await newPage();
  await page.goto(server.newLaunchUrl());
  await page.close();
}

async function newPage(): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return page;
}

async function sellingPage(): Promise<Page> {
  const page = await newPage();
  await page.goto(`${server.origin}/`);
  await page.getByTestId('product-grid').waitFor();
  return page;
}

const amountOf = async (page: Page, testId: string) => Number(await page.getByTestId(testId).getAttribute('data-amount'));

/** Taps products into the page's cart and goes to the payment screen, paying the whole due in cash. */
async function ringUp(page: Page, products: number[]): Promise<number> {
  for (const id of products) await page.getByTestId(`product-${id}`).click();
  await page.getByTestId(`cart-line-${products[products.length - 1]}`).waitFor();
  const total = await amountOf(page, 'cart-total');
  await page.getByTestId('pay-button').click();
  await page.getByTestId('pay-method-1').click();
  await expect.poll(() => amountOf(page, 'pay-remaining')).toBe(0);
  return total;
}

async function readReceipt(page: Page): Promise<{ name: string; total: number }> {
  await page.getByTestId('paid-banner').waitFor();
  const receipt = { name: (await page.getByTestId('receipt-name').textContent()) ?? '', total: await amountOf(page, 'receipt-total') };
  receipts.push(receipt);
  return receipt;
}

async function sell(page: Page, products: number[]): Promise<{ name: string; total: number }> {
  const total = await ringUp(page, products);
  await page.getByTestId('validate-payment').click();
  const receipt = await readReceipt(page);
  expect(receipt.total).toBe(total);
  await page.getByTestId('new-order').click();
  return receipt;
}

/** What the terminal stored: every order once, each receipt's name an order with the receipt's total. */
function expectReceiptsMatchStoredOrders(): void {
  const stored = services.outbox.list();
  expect(new Set(stored.map((o) => o.name)).size).toBe(stored.length);
  expect(new Set(receipts.map((r) => r.name)).size).toBe(receipts.length);
  for (const receipt of receipts) expect(stored.find((o) => o.name === receipt.name)?.amountTotal, receipt.name).toBe(receipt.total);
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(POS_UI_DIR, 'sw.js'))) throw new Error('dist/pos-shell is missing: run `node scripts/build.mjs` (npm test does)');
  odoo = await startFakeOdoo({ version: '17.0', seed: 3, configs: [{ posHr: true, cashControl: false }] });
  dir = newPosDir();
  port = await freePort();
  await startTerminal(await pairedTerminal(odoo, dir, { backoffBaseMs: 50, backoffMaxMs: 400 }));
  await services.dispatcher.invoke('pos.cashierLogin', { employeeId: 2, pin: '5678' }, { actor: 'till@pos', role: 'cashier', transport: 'internal' });
  await openBrowser();
});

afterAll(async () => {
  await browser?.close().catch(() => {});
  await browserServer?.close().catch(() => {});
  await server?.close();
  await services?.close();
  await odoo?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the till in Chromium', () => {
  it('two tabs share the carts: a cart paid in one closes in the other, which then sells a sale of its own', async () => {
    await services.dispatcher.invoke('pos.cashierLogout', {}, { actor: 'till@pos', role: 'cashier', transport: 'internal' });
    const a = await newPage();
    await a.goto(`${server.origin}/`);
    await a.getByTestId('cashier-2').click();
    await a.getByTestId('cashier-pin').fill('5678');
    await a.getByTestId('cashier-login').click();
    await a.getByTestId('product-grid').waitFor();
    const b = await sellingPage(); // the terminal's cashier: no login in the second tab
    expect(await b.getByTestId('cashier-name').textContent()).toContain('Marc Demo');

    // Both tabs show the same cart; both go to its payment; tab A is paid first.
    await a.getByTestId('product-2').click();
    await b.getByTestId('cart-line-2').waitFor();
    await ringUp(a, [3]);
    await b.getByTestId('pay-button').click();
    await b.getByTestId('pay-method-1').click();
    await a.getByTestId('validate-payment').click();
    const first = await readReceipt(a);
    // Tab B leaves the payment of a cart that is paid, and says why.
    await expect.poll(() => b.getByTestId('carts-notice').textContent()).toContain(`${first.name} was paid in another window`);
    expect(await b.getByTestId('validate-payment').count()).toBe(0);
    // Tab A, which took the payment, says nothing of "another window" (the terminal announced the sale before answering it).
    await a.getByTestId('new-order').waitFor();
    expect(await a.getByTestId('carts-notice').count()).toBe(0);
    expect(await b.getByTestId('cart-lines').locator('[data-testid^="cart-line-"]').count()).toBe(0);
    const second = await sell(b, [4]);
    expect(second.name).not.toBe(first.name);
    await a.getByTestId('new-order').click();
    await a.close();
    await b.close();
    expectReceiptsMatchStoredOrders();
  });

  it('the browser killed right after a sale: reopened, the sold cart is gone and the next sales are stored each once', async () => {
    const page = await sellingPage();
    await ringUp(page, [5, 5]);
    await page.getByTestId('validate-payment').click();
    await readReceipt(page);
    await browserServer.kill();
    // A cart being rung up when the browser dies is kept by the terminal.
    await openBrowser();
    const again = await sellingPage();
    expect(await again.getByTestId('cart-lines').locator('[data-testid^="cart-line-"]').count()).toBe(0);
    await again.getByTestId('product-6').click();
    await again.getByTestId('cart-line-6').waitFor();
    await expect.poll(() => services.db.prepare('SELECT count(*) AS n FROM open_carts WHERE data LIKE \'%"productId":6%\'').get()).toEqual({ n: 1 });
    await browserServer.kill();
    await openBrowser();
    const third = await sellingPage();
    await third.getByTestId('cart-line-6').waitFor();
    await ringUp(third, [7]);
    await third.getByTestId('validate-payment').click();
    await readReceipt(third);
    await third.getByTestId('new-order').click();
    await sell(third, [8]);
    await third.close();
    expectReceiptsMatchStoredOrders();
  });

  it('a page restored from the back-forward cache does not bring back a cart paid meanwhile', async () => {
    const page = await sellingPage();
    await page.evaluate(() => window.addEventListener('pageshow', (e) => ((window as unknown as { restored: boolean }).restored = e.persisted)));
    await ringUp(page, [9]);
    await page.goto('data:text/html,<p>elsewhere</p>');
    // Meanwhile another page of the terminal sells that very cart.
    const other = await sellingPage();
    await other.getByTestId('cart-line-9').waitFor();
    await ringUp(other, [10]);
    await other.getByTestId('validate-payment').click();
    const paid = await readReceipt(other);
    await other.close();
    const cdp = await context.newCDPSession(page);
    const notCached: string[] = [];
    cdp.on('Page.backForwardCacheNotUsed', (event) => notCached.push(...event.notRestoredExplanations.map((r) => r.reason)));
    await cdp.send('Page.enable');
    await page.goBack({ waitUntil: 'commit' });
    await page.getByTestId('product-grid').waitFor();
    const restored = await page.evaluate(() => (window as unknown as { restored?: boolean }).restored === true);
    // The page itself comes back (its state, its payment screen), not a fresh load of it.
    expect(restored, `not restored from the back-forward cache: ${notCached.join(', ')}`).toBe(true);
    await expect.poll(() => page.getByTestId('cart-line-9').count()).toBe(0);
    expect(await page.getByTestId('carts-notice').textContent()).toContain('paid or dropped in another window');
    expect(paid.name).not.toBe('');
    await sell(page, [11]);
    await page.close();
    expectReceiptsMatchStoredOrders();
  });

  it('the server killed between storing a sale and answering: the page sends it again and shows the order it is, once', async () => {
    const page = await sellingPage();
    const total = await ringUp(page, [12]);
    const before = services.outbox.list().length;
    // The terminal dies right after the sale is stored, before its answer leaves; then starts again.
    const dying = services;
    const invoke = dying.dispatcher.invoke.bind(dying.dispatcher);
    let restarted: Promise<void> | null = null;
    dying.dispatcher.invoke = (async (op, input, ctx) => {
      const result = await invoke(op, input, ctx);
      if (op !== 'pos.sell' || restarted) return result;
      restarted = (async () => {
        await server.close();
        await dying.close();
        await startTerminal();
      })();
      return new Promise(() => {});
    }) as typeof dying.dispatcher.invoke;
    await page.getByTestId('validate-payment').click();
    const receipt = await readReceipt(page);
    await restarted;
    expect(receipt.total).toBe(total);
    expect(services.outbox.list().length).toBe(before + 1);
    expectReceiptsMatchStoredOrders();
    expect(pageErrors).toEqual([]);
  });

  it('a fresh terminal is set up at its own till (a cashier\'s page), and after a restart with nobody there it sells and syncs', async () => {
    const freshDir = newPosDir();
    const keyFile = path.join(newPosDir(), 'key', 'terminal.key');
    const open = () => createPosServices({ dataDir: freshDir, keyFile, kdf: FAST_KDF, log: silentLogger, sync: { backoffBaseMs: 50, backoffMaxMs: 400 } });
    const freshPort = await freePort();
    let fresh = open();
    let freshServer = await startPosWebServer(fresh, { staticDir: POS_UI_DIR, port: freshPort, actor: 'till@pos', role: 'cashier' });
    try {
      const page = await newPage();
      await page.goto(freshServer.launchUrl);
      await page.getByTestId('pair-url').fill(odoo.url);
      await page.getByTestId('pair-db').fill(odoo.db);
      await page.getByTestId('pair-login').fill(odoo.admin.login);
      await page.getByTestId('pair-secret').fill(odoo.admin.apiKey);
      await page.getByTestId('pair-submit').click();
      await page.getByTestId('open-session-submit').click();
      await page.getByTestId('cashier-3').click();
      await page.getByTestId('cashier-pin').fill('0000');
      await page.getByTestId('cashier-login').click();
      await page.getByTestId('product-grid').waitFor();
      expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
      await page.close();

      // A power cut: the terminal starts again with no passphrase given, nobody at it.
      await freshServer.close();
      await fresh.close();
      await odoo.down('refuse');
      fresh = open();
      fresh.startBackgroundWork();
      freshServer = await startPosWebServer(fresh, { staticDir: POS_UI_DIR, port: freshPort, actor: 'till@pos', role: 'cashier' });
      expect(fresh.vault.status()).toMatchObject({ state: 'unlocked', backend: 'keyFile' });
      const again = await newPage();
      await again.goto(`${freshServer.origin}/`);
      await again.getByTestId('product-grid').waitFor();
      const total = await ringUp(again, [13]);
      await again.getByTestId('validate-payment').click();
      const receipt = await readReceipt(again);
      expect(receipt.total).toBe(total);
      await odoo.up();
      await expect.poll(() => odoo.orders().some((o) => o.pos_reference === receipt.name)).toBe(true);
      expect(odoo.orders().find((o) => o.pos_reference === receipt.name)?.amount_total).toBe(total);
      await again.close();
    } finally {
      await odoo.up();
      await freshServer.close();
      await fresh.close();
      fs.rmSync(freshDir, { recursive: true, force: true });
      fs.rmSync(path.dirname(path.dirname(keyFile)), { recursive: true, force: true });
    }
  });
});
