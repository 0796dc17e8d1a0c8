// Fleet POS end to end, in Debian's Chromium: the built PWA served by the POS web server (real
// services, real SQLite outbox) selling against the fake Odoo 17 — online, with Odoo down, after a
// reload served by the service worker — and every order reaching Odoo exactly once.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOdoo, type FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { launchChromium } from '../support/browser.js';
import { POS_UI_DIR, startPosWeb, type PosWeb } from '../support/pos-web.js';
import { cashSale, pairedTerminal } from '../support/pos-terminal.js';

let odoo: FakeOdoo;
let pos: PosWeb;
let browser: Browser;
let page: Page;
/** A copy of the built UI, so that a test can publish a "new version" of it. */
let uiDir: string;
const pageErrors: string[] = [];

/** What the receipt showed for each sale, to compare with what Odoo stores. */
interface Shown {
  name: string;
  total: number;
  toPay: number;
  change: number;
}
const shown: Shown[] = [];

const amountOf = async (testId: string): Promise<number> => Number(await page.getByTestId(testId).getAttribute('data-amount'));
const countOf = async (testId: string): Promise<number> => Number(await page.getByTestId(testId).getAttribute('data-count'));

/** The receipt after "Paid": its name and amounts (the to-pay line shows only with cash rounding). */
async function readReceipt(): Promise<Shown> {
  await page.getByTestId('paid-banner').waitFor();
  const total = await amountOf('receipt-total');
  const toPay = (await page.getByTestId('receipt-to-pay').count()) ? await amountOf('receipt-to-pay') : total;
  const receipt: Shown = { name: (await page.getByTestId('receipt-name').textContent()) ?? '', total, toPay, change: await amountOf('receipt-change') };
  shown.push(receipt);
  return receipt;
}

/** In the Refund dialog: every line left, whole. */
async function refundAllLines(): Promise<void> {
  await page.getByTestId('refund-picker').waitFor();
  for (const box of await page.locator('[data-testid^="refund-pick-"]').all()) await box.check();
  await page.getByTestId('refund-picker-submit').click();
}

/** The natural width of the picture in a tile or chip once it has loaded (0 until then). */
async function pictureWidth(testId: string): Promise<number> {
  const img = page.getByTestId(testId).locator('img');
  if ((await img.count()) === 0) return 0;
  return img.evaluate((el: HTMLImageElement) => (el.complete ? el.naturalWidth : 0));
}

/** Cash, a 0.05 step, half-up: an amount on the step. */
const onCashStep = (amount: number) => Math.abs(amount * 20 - Math.round(amount * 20)) < 1e-6;

beforeAll(async () => {
  if (!fs.existsSync(path.join(POS_UI_DIR, 'sw.js'))) throw new Error('dist/pos-shell is missing or has no service worker: run `node scripts/build.mjs` (npm test does)');
  odoo = await startFakeOdoo({ version: '17.0', seed: 1, configs: [{ posHr: true, cashRounding: { rounding: 0.05, method: 'HALF-UP' } }] });
  uiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-pos-ui-'));
  fs.cpSync(POS_UI_DIR, uiDir, { recursive: true });
  pos = await startPosWeb({ staticDir: uiDir });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await pos?.close();
  await odoo?.close();
  if (uiDir) fs.rmSync(uiDir, { recursive: true, force: true });
});

describe('Fleet POS in Chromium', () => {
  it('pairs with Odoo, opens the session and loads its data from the admin screens', async () => {
    await page.goto(pos.server.launchUrl);
    expect(page.url()).not.toContain('token=');
    await page.getByTestId('pair-url').fill(odoo.url);
    await page.getByTestId('pair-db').fill(odoo.db);
    await page.getByTestId('pair-login').fill(odoo.admin.login);
    await page.getByTestId('pair-secret').fill(odoo.admin.apiKey);
    await page.getByTestId('pair-submit').click();
    // Odoo's expected amount is shown (the last closing count: 0 for the demo's closed sessions); 150 is counted.
    await expect.poll(() => page.getByTestId('opening-cash').getAttribute('placeholder')).toBe('0.00 expected (the last closing count)');
    await page.getByTestId('opening-cash').fill('150');
    // 150 against 0 expected: the difference is shown and booked only with a note.
    await page.getByTestId('opening-notes').fill('New float from the safe');
    await page.getByTestId('open-session-submit').click();
    await page.getByTestId('cashier-1').waitFor();
    expect(pos.services.terminal.pairing()).toMatchObject({ configName: 'Shop', serverVersion: '17.0' });
    expect(pos.services.terminal.session()).toMatchObject({ name: 'POS/00003' });
    expect(odoo.sessions().find((s) => s.name === 'POS/00003')).toMatchObject({ state: 'opened', cash_register_balance_start: 150 });
  });

  it('logs the cashier in with the employee PIN (a wrong one is refused)', async () => {
    // A badge scanned at the picker asks for its employee's PIN.
    await page.getByTestId('cashier-1').waitFor();
    await page.keyboard.type('0410000000017');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('heading').first().textContent()).toBe('PIN for Pieter Cashier');
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByTestId('cashier-1').click();
    await page.getByTestId('cashier-pin').fill('9999');
    await page.getByTestId('cashier-login').click();
    await expect.poll(() => page.getByTestId('form-error').textContent()).toContain('Wrong PIN');
    await page.getByTestId('cashier-pin').fill('1234');
    await page.getByTestId('cashier-login').click();
    await page.getByTestId('product-grid').waitFor();
    expect(await page.getByTestId('cashier-name').textContent()).toContain('Mitchell Admin');
    expect(await page.getByTestId('session-name').textContent()).toBe('POS/00003');
    // The pictures come after the data (fetched in the background): product 1 and category 1 have one, product 2 none.
    await expect.poll(() => pictureWidth('product-1'), { timeout: 60_000 }).toBe(8);
    await expect.poll(() => pictureWidth('category-1')).toBe(8);
    expect(await page.getByTestId('product-2').locator('img').count()).toBe(0);
  });

  it('sells a tapped product and a scanned one, paid in cash with change, and shows the receipt', async () => {
    await page.getByTestId('product-2').click();
    // The scanner types into the page (focus is on the tile just tapped) and ends with Enter.
    await page.keyboard.type(odoo.catalog.product(5)!.barcode as string);
    await page.keyboard.press('Enter');
    await page.getByTestId('cart-line-5').waitFor();
    // The scan's Enter did not press the focused tile again.
    expect(await page.getByTestId('cart-line-2').getByTestId('line-qty').textContent()).toBe('1');
    expect(await page.getByTestId('cart-lines').locator('li').count()).toBe(2);
    const total = await amountOf('cart-total');

    await page.getByTestId('pay-button').click();
    await page.getByTestId('pay-method-1').click();
    const due = await amountOf('pay-total-due');
    expect(onCashStep(due)).toBe(true);
    const tendered = Math.ceil(due / 50) * 50 + 50;
    await page.getByTestId('payment-amount-0').fill(String(tendered));
    await page.getByTestId('payment-amount-0').press('Enter');
    await expect.poll(() => amountOf('pay-change')).toBeCloseTo(tendered - due, 9);
    await page.getByTestId('validate-payment').click();

    const receipt = await readReceipt();
    expect(receipt).toMatchObject({ name: 'Order 00003-001-0001', total });
    expect(receipt.change).toBeCloseTo(tendered - due, 9);
    expect(await page.getByTestId('receipt').textContent()).toContain(odoo.catalog.productName(5));
    await expect.poll(() => page.getByTestId('sync-status').getAttribute('data-state')).toBe('online');
    await page.getByTestId('new-order').click();
  });

  it('sells with Odoo down: paid at once, the order waits on the terminal', async () => {
    await odoo.down('refuse');
    await page.getByTestId('product-1').click();
    await page.getByTestId('pay-button').click();
    await page.getByTestId('pay-method-1').click();
    // Cash rounding applies to the amount due (the total itself is sent unrounded, as Odoo does).
    const due = await amountOf('pay-total-due');
    expect(onCashStep(due)).toBe(true);
    expect(await amountOf('pay-remaining')).toBe(0);
    await page.getByTestId('validate-payment').click();
    const receipt = await readReceipt();
    expect(receipt.name).toBe('Order 00003-001-0002');
    expect(receipt.toPay).toBe(due);
    await page.getByTestId('new-order').click();
    await expect.poll(() => page.getByTestId('sync-status').getAttribute('data-state')).toBe('offline');
    expect(await countOf('outbox-pending')).toBe(1);
    expect(odoo.orders()).toHaveLength(1);
  });

  it('reloads from the service worker while Odoo is down and sells once more', async () => {
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const response = await page.reload();
    expect(response?.fromServiceWorker()).toBe(true);
    // Same cashier, same waiting order after the reload.
    await page.getByTestId('product-search').waitFor();
    await expect.poll(() => countOf('outbox-pending')).toBe(1);
    // Pictures show with Odoo down, and the service worker keeps them.
    await expect.poll(() => pictureWidth('product-1')).toBe(8);
    const pictureUrl = await page.getByTestId('product-1').locator('img').getAttribute('src');
    const cached = await page.evaluate(async () => (await (await caches.open('fleet-pos-images')).keys()).map((r) => new URL(r.url).pathname + new URL(r.url).search));
    expect(cached).toContain(pictureUrl);

    // Keyboard only: search by internal reference, Enter adds it, F9 pays.
    await page.getByTestId('product-search').fill('P00008');
    await page.getByTestId('product-search').press('Enter');
    await page.getByTestId('cart-line-8').waitFor();
    await page.keyboard.press('F9');
    await page.getByTestId('pay-method-1').click();
    await page.getByTestId('bill-20').click();
    const due = await amountOf('pay-total-due');
    await expect.poll(() => amountOf('pay-change')).toBeCloseTo(20 - due, 9);
    await page.getByTestId('validate-payment').click();
    const receipt = await readReceipt();
    expect(receipt.name).toBe('Order 00003-001-0003');
    await page.getByTestId('new-order').click();
    await expect.poll(() => countOf('outbox-pending')).toBe(2);
    expect(odoo.orders()).toHaveLength(1);
  });

  it('sends the waiting orders once Odoo is back: each order once, with the totals the receipts showed', async () => {
    await odoo.up();
    await page.getByTestId('nav-sync').click();
    await page.getByTestId('sync-now').click();
    await expect.poll(() => countOf('outbox-pending'), { timeout: 60_000 }).toBe(0);
    await expect.poll(() => page.getByTestId('sync-status').getAttribute('data-state')).toBe('online');
    expect(await page.getByTestId('outbox-parked').count()).toBe(0);

    const orders = odoo.orders();
    expect(orders.map((o) => o.pos_reference).sort()).toEqual(shown.map((s) => s.name).sort());
    for (const sale of shown) {
      const order = orders.find((o) => o.pos_reference === sale.name)!;
      expect(order.state).toBe('paid');
      expect(order.amount_total).toBe(sale.total);
      expect(order.amount_paid).toBeCloseTo(sale.toPay, 9);
      expect(order.amount_return).toBeCloseTo(sale.change, 9);
    }
    expect(odoo.serverLog().filter((line) => line.includes('not fully paid'))).toEqual([]);

    // The order history shows them in Odoo, and reprints one from the receipt kept here.
    await page.getByTestId('nav-orders').click();
    await page.getByTestId(`order-${shown[0]!.name}`).click();
    expect(await page.getByTestId(`order-${shown[0]!.name}`).getByTestId('order-state').getAttribute('data-state')).toBe('synced');
    await page.getByTestId('reprint').click();
    expect(await amountOf('receipt-total')).toBe(shown[0]!.total);
    await page.getByTestId('back-to-orders').click();
  });

  it('offers a new version only between sales, and reloads into it when asked', async () => {
    await page.getByTestId('nav-sell').click();
    await page.getByTestId('product-3').click();
    // A new build is published while a sale is under way; the terminal looks for updates.
    fs.appendFileSync(path.join(uiDir, 'sw.js'), '\n// next version\n');
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((registration) => registration?.update()));
    await page.waitForFunction(() => navigator.serviceWorker.getRegistration().then((registration) => registration?.waiting?.state === 'installed'));
    // Not in the middle of a sale: neither with lines in the cart nor on the payment screen.
    await page.getByTestId('pay-button').click();
    await page.getByTestId('pay-method-1').waitFor();
    expect(await page.getByTestId('update-prompt').count()).toBe(0);
    await page.getByTestId('pay-back').click();
    expect(await page.getByTestId('update-prompt').count()).toBe(0);
    await page.getByTestId('remove-line').click();
    await page.getByTestId('update-prompt').waitFor();

    await page.evaluate(() => ((window as unknown as { beforeUpdate?: boolean }).beforeUpdate = true));
    await Promise.all([page.waitForEvent('load'), page.getByTestId('update-reload').click()]);
    await page.getByTestId('product-grid').waitFor();
    expect(await page.evaluate(() => (window as unknown as { beforeUpdate?: boolean }).beforeUpdate)).toBeUndefined();
    expect(await page.evaluate(() => navigator.serviceWorker.getRegistration().then((registration) => registration?.waiting ?? null))).toBeNull();
    expect(await page.getByTestId('update-prompt').count()).toBe(0);
  });

  it('refunds a sale from the history; Odoo refuses it, it is parked with the reason, exported, and sent again', async () => {
    const original = shown[0]!;
    await page.getByTestId('nav-orders').click();
    await page.getByTestId(`order-${original.name}`).click();
    await page.getByTestId('refund').click();
    await refundAllLines();
    await page.getByTestId('cart-line-2').waitFor();
    expect(await amountOf('cart-total')).toBe(-original.total);
    await page.getByTestId('pay-button').click();
    await page.getByTestId('pay-method-1').click();
    await expect.poll(() => amountOf('pay-remaining')).toBe(0);
    odoo.failNext('create_from_ui', 'This refund needs a manager');
    await page.getByTestId('validate-payment').click();
    const refund = await readReceipt();
    expect(refund.total).toBe(-original.total);
    await page.getByTestId('new-order').click();

    await expect.poll(() => page.getByTestId('outbox-parked').getAttribute('data-count')).toBe('1');
    await page.getByTestId('nav-sync').click();
    await expect.poll(() => page.getByTestId('parked-list').textContent()).toContain('This refund needs a manager');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-orders').click()]);
    const exported = JSON.parse(fs.readFileSync((await download.path())!, 'utf8')) as { format: string; orders: Array<{ name: string; state: string }> };
    expect(exported.format).toBe('fleet-pos-outbox/1');
    expect(exported.orders.map((o) => [o.name, o.state])).toEqual([[refund.name, 'parked']]);
    // The same file imported here again adds nothing.
    const file = path.join(uiDir, 'exported.json');
    fs.writeFileSync(file, JSON.stringify(exported));
    await page.getByTestId('import-file').setInputFiles(file);
    await expect.poll(() => page.getByTestId('sync-result').textContent()).toContain('Imported 0 order(s); 1 were already here');

    await page.getByTestId(`requeue-${refund.name}`).click();
    await expect.poll(() => page.getByTestId('outbox-parked').count(), { timeout: 60_000 }).toBe(0);
    await expect.poll(() => countOf('outbox-pending'), { timeout: 60_000 }).toBe(0);
    const stored = odoo.orders().filter((o) => o.pos_reference === refund.name);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ state: 'paid', amount_total: refund.total });
    // The original was in Odoo: the refund's lines name the lines they give back, as Odoo's POS does.
    const originalLines = odoo.orders().find((o) => o.pos_reference === original.name)!.lines.map((l) => l.id);
    expect(stored[0]!.lines.map((l) => l.refunded_orderline_id).sort()).toEqual(originalLines.sort());
  });

  it('finds an order rung up on another terminal in Odoo and refunds it, linked to its line, once', async () => {
    const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-pos-other-'));
    const other = await pairedTerminal(odoo, otherDir);
    try {
      other.terminal.commitSale(cashSale(other, 4, 2));
      expect((await other.sync.sync()).synced).toBe(1);
    } finally {
      await other.close();
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
    const elsewhere = odoo.orders().at(-1)!;

    await page.getByTestId('nav-orders').click();
    await page.getByTestId('orders-source-odoo').click();
    await page.getByTestId('odoo-order-search').fill(elsewhere.pos_reference as string);
    await page.getByTestId('odoo-order-search-submit').click();
    await page.getByTestId(`odoo-order-${elsewhere.pos_reference}`).click();
    await page.getByTestId('refund').click();
    await refundAllLines();
    await page.getByTestId('cart-line-4').waitFor();
    // Both units given back at the sale's own price and taxes.
    expect(await amountOf('cart-total')).toBe(-(elsewhere.amount_total as number));
    await page.getByTestId('pay-button').click();
    await page.getByTestId('pay-method-1').click();
    await expect.poll(() => amountOf('pay-remaining')).toBe(0);
    await page.getByTestId('validate-payment').click();
    const refund = await readReceipt();
    expect(refund.total).toBe(-(elsewhere.amount_total as number));
    await page.getByTestId('new-order').click();
    await expect.poll(() => countOf('outbox-pending'), { timeout: 60_000 }).toBe(0);

    const stored = odoo.orders().filter((o) => o.pos_reference === refund.name);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.lines).toEqual([expect.objectContaining({ qty: -2, refunded_orderline_id: elsewhere.lines[0]!.id })]);
    // Found again: given back in full, nothing left to refund.
    await page.getByTestId('nav-orders').click();
    await page.getByTestId('orders-source-odoo').click();
    await page.getByTestId('odoo-order-search').fill(elsewhere.pos_reference as string);
    await page.getByTestId('odoo-order-search-submit').click();
    await page.getByTestId(`odoo-order-${elsewhere.pos_reference}`).click();
    await expect.poll(() => page.getByTestId('detail-line-0').textContent()).toContain('2 given back');
    expect(await page.getByTestId('refund').count()).toBe(0);
    await page.getByTestId('orders-source-terminal').click();
  });

  it('prints a reprint on a network receipt printer, then closes the session with its report', async () => {
    const received: Buffer[] = [];
    const printer = net.createServer((socket) => socket.on('data', (chunk) => received.push(chunk)));
    await new Promise<void>((resolve) => printer.listen(0, '127.0.0.1', resolve));
    try {
      await page.getByTestId('nav-session').click();
      await page.getByTestId('printer-host').fill('127.0.0.1');
      await page.getByTestId('printer-port').fill(String((printer.address() as net.AddressInfo).port));
      await page.getByTestId('printer-save').click();
      // The printer is the terminal's setting now: saved by the service before any receipt asks for it.
      expect(await page.getByTestId('printer-saved').textContent()).toContain('127.0.0.1');
      await page.getByTestId('nav-orders').click();
      await page.getByTestId(`order-${shown[2]!.name}`).click();
      await page.getByTestId('reprint').click();
      await page.getByTestId('print-network').click();
      await expect.poll(() => Buffer.concat(received).toString('latin1')).toContain(shown[2]!.name);
    } finally {
      printer.close();
    }

    await page.getByTestId('back-to-orders').click();
    await page.getByTestId('nav-session').click();
    await page.getByTestId('closing-cash').fill('500');
    await page.getByTestId('closing-notes').fill('Counted once, end of the test day');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('close-session').click();
    await page.getByTestId('close-report').waitFor();
    expect(await page.getByTestId('close-report').textContent()).toContain('Orders5');
    expect(odoo.sessions().find((s) => s.name === 'POS/00003')?.state).toBe('closed');
    await page.getByTestId('close-done').click();
    await page.getByTestId('opening-cash').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
