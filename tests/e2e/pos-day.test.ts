// A till's whole day in Debian's Chromium, as the issue that asked for it puts it: the cashier
// opens with a counted difference explained, sells a configured variant and a combo, refunds one
// line of an earlier order, and closes with each payment method's difference and a printed Z
// report — against the fake Odoo 17, whose books must then agree with the report.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOdoo, type FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { launchChromium } from '../support/browser.js';
import { collectPageErrors, pairFromPage, POS_UI_DIR, startFakePrinter, startPosWeb, type FakePrinter, type PosWeb } from '../support/pos-web.js';

// The generated products are 1..30; Odoo's configurator and combo products follow (product-options.ts).
const GENERATED = 30;
const CHAIR = GENERATED + 1;
const OFFICE_COMBO = GENERATED + 13;
const CASH = 1;
const BANK = 2;

let odoo: FakeOdoo;
let pos: PosWeb;
let browser: Browser;
let page: Page;
let printer: FakePrinter;
let pageErrors: string[] = [];
/** The receipts' names and totals, in the order they were rung up. */
const sold: Array<{ name: string; total: number }> = [];

const t = (testId: string) => page.getByTestId(testId);
const amountOf = async (testId: string): Promise<number> => Number(await t(testId).getAttribute('data-amount'));
const cents = (n: number) => Math.round(n * 100) / 100;

beforeAll(async () => {
  if (!fs.existsSync(path.join(POS_UI_DIR, 'sw.js'))) throw new Error('dist/pos-shell is missing: run `node scripts/build.mjs` (npm test does)');
  odoo = await startFakeOdoo({ version: '17.0', seed: 7, data: { products: GENERATED, productOptions: true }, configs: [{ posHr: false }] });
  pos = await startPosWeb();
  printer = await startFakePrinter();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  pageErrors = collectPageErrors(page);
});

afterAll(async () => {
  await browser?.close();
  await pos?.close();
  printer?.close();
  await odoo?.close();
});

/** Pays the cart with one method (the exact amount), keeps what its receipt showed. */
async function pay(methodId: number): Promise<{ name: string; total: number }> {
  await t('pay-button').click();
  await t(`pay-method-${methodId}`).click();
  await expect.poll(() => amountOf('pay-remaining')).toBe(0);
  await t('validate-payment').click();
  await t('paid-banner').waitFor();
  const receipt = { name: (await t('receipt-name').textContent()) ?? '', total: await amountOf('receipt-total') };
  sold.push(receipt);
  await t('new-order').click();
  return receipt;
}

async function search(query: string): Promise<void> {
  await t('product-search').fill(query);
}

describe("a till's day in Chromium", () => {
  it('opens 20.00 over what Odoo expects, booked only with the note saying why', async () => {
    await page.goto(pos.server.launchUrl);
    await pairFromPage(page, odoo);
    await expect.poll(() => t('opening-cash').getAttribute('placeholder')).toBe('0.00 expected (the last closing count)');
    await t('opening-cash').fill('20');
    await expect.poll(() => t('opening-difference').textContent()).toContain('+20.00');
    await t('open-session-submit').click();
    await expect.poll(() => t('form-error').textContent()).toContain('say why in the note');
    await t('opening-notes').fill('Change float of 20.00 added from the safe');
    await t('open-session-submit').click();
    await t('cashier-start').click();
    await t('product-grid').waitFor();
    expect(odoo.sessions().find((s) => s.state === 'opened')).toMatchObject({ cash_register_balance_start: 20, opening_notes: 'Change float of 20.00 added from the safe' });
  });

  it('sells a configured chair in cash and the office combo by bank', async () => {
    await search('Configurable Chair');
    await t(`product-${CHAIR}`).click();
    await t('configurator').waitFor();
    await t('value-11').click(); // Red, + 1.00
    await t('attribute-select-2').selectOption('21'); // Metal
    await t('value-33').check(); // Other: a custom text
    await t('custom-value-33').fill('Cork');
    await t('configurator-submit').click();
    await expect.poll(() => t(`cart-line-${CHAIR}`).locator('.line-name').textContent()).toBe('Configurable Chair (Red, Metal, Other: Cork)');
    expect((await pay(CASH)).total).toBe(11);

    await search('Office Combo');
    await t(`product-${OFFICE_COMBO}`).click();
    await t('combo-chooser').waitFor();
    for (const comboLine of [3, 5, 8]) await t(`combo-line-${comboLine}`).click();
    await t('combo-submit').click();
    await expect.poll(() => amountOf('cart-total')).toBeCloseTo(62.1, 9);
    await pay(BANK);
  });

  it('refunds one line of an earlier two-line order from its detail', async () => {
    await search('');
    await t('product-2').click();
    await t('product-3').click();
    const twoLines = await pay(CASH);
    await t('nav-orders').click();
    await t('orders-source-terminal').click();
    await t(`order-${twoLines.name}`).click();
    await t('order-detail').waitFor();
    await t('refund').click();
    await t('refund-picker').waitFor();
    await t('refund-pick-1').check();
    await t('refund-picker-submit').click();
    await t('cart-line-3').waitFor();
    expect(await t('cart-line-2').count()).toBe(0);
    const refund = await pay(CASH);
    expect(refund.total).toBeLessThan(0);
    await expect.poll(() => odoo.orders().length, { timeout: 30_000 }).toBe(4);
    const inOdoo = (name: string) => odoo.orders().find((o) => o.pos_reference === name)!;
    expect(inOdoo(refund.name).lines.map((l) => [l.product_id, l.qty, l.refunded_orderline_id])).toEqual([[3, -1, inOdoo(twoLines.name).lines[1]!.id]]);
    // Each order once, in the order it was sold (Odoo names them as they arrive).
    expect([...odoo.orders()].sort((a, b) => a.id - b.id).map((o) => o.pos_reference)).toEqual(sold.map((s) => s.name));
  });

  it('closes with each method’s difference and a note, and prints a Z report that agrees with Odoo', async () => {
    await t('nav-session').click();
    await t('closing-reload').click();
    const cashTaken = cents(sold.filter((_, i) => i !== 1).reduce((sum, s) => sum + s.total, 0));
    const bankTaken = sold[1]!.total;
    await expect.poll(() => t('closing-method-1').textContent()).toContain(cents(20 + cashTaken).toFixed(2));
    await t('closing-cash').fill(cents(20 + cashTaken - 1.5).toFixed(2));
    await t('closing-count-2').fill(cents(bankTaken - 0.1).toFixed(2));
    await expect.poll(() => t('closing-difference-1').textContent()).toContain('1.50');
    expect(await t('closing-difference-2').textContent()).toContain('0.10');
    await t('close-session').click();
    await expect.poll(() => t('close-error').textContent()).toContain('say why in the note');

    // The shop's 80 mm printer (48 columns), as the admin sets it on this page.
    await t('printer-host').fill('127.0.0.1');
    await t('printer-port').fill(String(printer.port));
    await t('printer-width').selectOption('48');
    await t('printer-save').click();
    await t('printer-saved').waitFor();
    await t('closing-notes').fill('1.50 short in the drawer; the card batch is 0.10 short');
    page.once('dialog', (dialog) => void dialog.accept());
    await t('close-session').click();
    await t('z-report').waitFor();

    const session = odoo.sessions().find((s) => s.opening_notes === 'Change float of 20.00 added from the safe')!;
    expect(session).toMatchObject({ state: 'closed', cash_register_balance_end_real: cents(20 + cashTaken - 1.5), bank_payment_method_diffs: { [BANK]: -0.1 } });
    // The report's figures are Odoo's books for the day: totals, payments per method, taxes.
    const orders = odoo.orders();
    const zResult = await pos.services.dispatcher.invoke('pos.zReport', {}, { actor: 'e2e@pos', role: 'cashier', transport: 'internal' });
    if (!zResult.ok) throw new Error(zResult.error.message);
    const z = zResult.value as { orders: number; total: number; byPaymentMethod: Array<{ id: number; amount: number; difference: number | null }>; byTax: Array<{ amount: number }>; refunds: { count: number; total: number } };
    expect(z.orders).toBe(4);
    expect(z.total).toBe(cents(orders.reduce((sum, o) => sum + o.amount_total, 0)));
    expect(cents(z.byTax.reduce((sum, tax) => sum + tax.amount, 0))).toBe(cents(orders.reduce((sum, o) => sum + o.amount_tax, 0)));
    expect(z.byPaymentMethod.find((m) => m.id === CASH)).toMatchObject({ amount: cashTaken, difference: -1.5 });
    expect(z.byPaymentMethod.find((m) => m.id === BANK)).toMatchObject({ amount: bankTaken, difference: -0.1 });
    expect(z.refunds).toEqual({ count: 1, total: sold[3]!.total });
    expect(await t('z-orders').textContent()).toBe('4');
    expect(await t('z-report').textContent()).toContain('Change float of 20.00 added from the safe');

    // On paper at 80 mm: no line longer than the printer's 48 columns.
    await t('print-z-network').click();
    await expect.poll(() => t('z-print-status').textContent()).toContain('Sent to 127.0.0.1');
    const paper = printer.text().replace('\x1b@', '').replace('\x1bd\x04\x1dV\x01', '');
    expect(paper).toContain('Z REPORT');
    for (const line of paper.split('\n')) expect(line.length, line).toBeLessThanOrEqual(48);
    // In the browser: printing shows the report alone.
    await page.emulateMedia({ media: 'print' });
    expect(await t('z-report').isVisible()).toBe(true);
    for (const control of ['close-done', 'print-z-network', 'nav-sell']) expect(await t(control).evaluate((el) => getComputedStyle(el).visibility), control).toBe('hidden');
    await page.emulateMedia({ media: 'screen' });
    expect(pageErrors).toEqual([]);
  });
});
