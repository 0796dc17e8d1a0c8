// Configured products and combos end to end, in Debian's Chromium: the built selling page on the
// real POS services and web server, against the fake Odoo 17 serving Odoo's own configurator and
// combo test products (tests/fixtures/fake-odoo/product-options.ts). Tiles show whole names, the
// search finds a variant by its values, the configurator and the combo chooser ring up what Odoo's
// tours ring up, and Odoo stores the lines with their values, custom text and combo links.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPosWebServer } from '../../electron/pos/pos-web-server.js';
import type { PosServices } from '../../electron/pos/pos-services.js';
import type { WebServer } from '../../electron/api/web-server.js';
import { startFakeOdoo, type FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { launchChromium } from '../support/browser.js';
import { freePort, POS_UI_DIR } from '../support/pos-web.js';
import { newPosDir, pairedTerminal } from '../support/pos-terminal.js';

// The generated products are 1..30; the option products follow in product-options.ts's order.
const GENERATED = 30;
const CHAIR = GENERATED + 1;
const DESK_STEEL_WHITE = GENERATED + 2;
const DESK_STEEL_BLACK = GENERATED + 3;
const DESK_ALUMINIUM_WHITE = GENERATED + 4;
const COMBO_PRODUCT = (n: number) => GENERATED + 4 + n;
const OFFICE_COMBO = GENERATED + 13;
const SEAT_COMBO = GENERATED + 14;

let odoo: FakeOdoo;
let dir: string;
let services: PosServices;
let server: WebServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const amountOf = async (testId: string) => Number(await page.getByTestId(testId).getAttribute('data-amount'));

async function search(query: string): Promise<void> {
  await page.getByTestId('product-search').fill(query);
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(POS_UI_DIR, 'sw.js'))) throw new Error('dist/pos-shell is missing: run `node scripts/build.mjs` (npm test does)');
  odoo = await startFakeOdoo({ version: '17.0', seed: 5, data: { products: GENERATED, productOptions: true }, configs: [{ posHr: true, cashControl: false }] });
  dir = newPosDir();
  services = await pairedTerminal(odoo, dir);
  server = await startPosWebServer(services, { staticDir: POS_UI_DIR, port: await freePort(), actor: 'till@pos', role: 'cashier' });
  services.startBackgroundWork();
  await services.dispatcher.invoke('pos.cashierLogin', { employeeId: 2, pin: '5678' }, { actor: 'till@pos', role: 'cashier', transport: 'internal' });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(server.newLaunchUrl());
  await page.goto(`${server.origin}/`);
  await page.getByTestId('product-grid').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await services?.close();
  await odoo?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('configured products and combos in Chromium', () => {
  it('shows whole names on tiles at 1024×768, and "desk white" finds the two white desks', async () => {
    await search('desk white');
    await page.getByTestId(`product-${DESK_ALUMINIUM_WHITE}`).waitFor();
    expect(await page.getByTestId(`product-${DESK_STEEL_BLACK}`).count()).toBe(0);
    const tile = page.getByTestId(`product-${DESK_STEEL_WHITE}`);
    expect(await tile.locator('.tile-name').textContent()).toBe('Customizable Desk (Steel, White)');
    // Nothing of the name is cut: it fits its box, and the box fits the tile.
    const fits = await tile.evaluate((el) => {
      const name = el.querySelector('.tile-name')!;
      const [box, own] = [el.getBoundingClientRect(), name.getBoundingClientRect()];
      return name.scrollHeight <= name.clientHeight + 1 && name.scrollWidth <= name.clientWidth + 1 && own.bottom <= box.bottom + 0.5 && own.right <= box.right + 0.5;
    });
    expect(fits).toBe(true);
  });

  it('configures the chair as Odoo\'s ProductConfiguratorTour does: Red, Metal, Other "Custom Fabric" at 11.00', async () => {
    await search('Configurable Chair');
    await page.getByTestId(`product-${CHAIR}`).click();
    await page.getByTestId('configurator').waitFor();
    await page.getByTestId('value-11').click(); // Red, + 1.00
    await page.getByTestId('attribute-select-2').selectOption('21'); // Metal
    await page.getByTestId('value-33').check(); // Other (custom)
    await page.getByTestId('custom-value-33').fill('Custom Fabric');
    await page.getByTestId('configurator-submit').click();
    const line = page.getByTestId(`cart-line-${CHAIR}`);
    await line.waitFor();
    expect(await line.locator('.line-name').textContent()).toBe('Configurable Chair (Red, Metal, Other: Custom Fabric)');
    expect(Number(await line.getByTestId('line-total').getAttribute('data-amount'))).toBe(11);
  });

  it("picks the office combo as Odoo's PosComboPriceTaxIncludedTour does: 13.43 + 18.67 + 30.00", async () => {
    await search('Office Combo');
    await page.getByTestId(`product-${OFFICE_COMBO}`).click();
    await page.getByTestId('combo-chooser').waitFor();
    for (const comboLine of [3, 5, 8]) await page.getByTestId(`combo-line-${comboLine}`).click();
    await page.getByTestId('combo-submit').click();
    await page.getByTestId(`cart-line-${COMBO_PRODUCT(8)}`).waitFor();
    const totalOf = async (productId: number) => Number(await page.getByTestId(`cart-line-${productId}`).getByTestId('line-total').getAttribute('data-amount'));
    expect([await totalOf(OFFICE_COMBO), await totalOf(COMBO_PRODUCT(3)), await totalOf(COMBO_PRODUCT(5)), await totalOf(COMBO_PRODUCT(8))]).toEqual([0, 13.43, 18.67, 30]);
    expect(await amountOf('cart-total')).toBeCloseTo(73.1, 9);
  });

  it('pays, and Odoo stores the configured line and the combo with their values, custom text, links and prices', async () => {
    await page.getByTestId('pay-button').click();
    await page.getByTestId('pay-method-1').click();
    await expect.poll(() => amountOf('pay-remaining')).toBe(0);
    await page.getByTestId('validate-payment').click();
    await page.getByTestId('paid-banner').waitFor();
    expect(await amountOf('receipt-total')).toBeCloseTo(73.1, 9);
    await expect.poll(() => odoo.orders().length, { timeout: 20_000 }).toBe(1);
    const order = odoo.orders()[0]!;
    expect(order.state).toBe('paid');
    expect(order.amount_total).toBeCloseTo(73.1, 9);
    const byProduct = new Map(order.lines.map((l) => [l.product_id, l]));
    expect(byProduct.get(CHAIR)).toMatchObject({
      full_product_name: 'Configurable Chair (Red, Metal, Other: Custom Fabric)',
      price_unit: 11,
      price_extra: 1,
      attribute_value_ids: [11, 21, 33],
      custom_attribute_values: [{ custom_product_template_attribute_value_id: 33, custom_value: 'Custom Fabric' }],
      combo_parent_id: false,
    });
    const parent = byProduct.get(OFFICE_COMBO)!;
    expect(parent).toMatchObject({ price_unit: 0, price_subtotal_incl: 0, combo_parent_id: false });
    expect([3, 5, 8].map((n) => byProduct.get(COMBO_PRODUCT(n))).map((l) => [l?.price_subtotal_incl, l?.combo_parent_id])).toEqual([
      [13.43, parent.id],
      [18.67, parent.id],
      [30, parent.id],
    ]);
    expect(pageErrors).toEqual([]);
  });

  it('configures a combo pick in the chooser: the chair in Red at its share 12 + 0.50 + 1.00 = 13.50', async () => {
    await page.getByTestId('new-order').click();
    await search('Seat Combo');
    await page.getByTestId(`product-${SEAT_COMBO}`).click();
    await page.getByTestId('combo-line-9').click();
    await page.getByTestId('configurator').waitFor();
    await page.getByTestId('value-11').click();
    await page.getByTestId('configurator-submit').click();
    await page.getByTestId('combo-submit').click();
    const pick = page.getByTestId(`cart-line-${CHAIR}`);
    await pick.waitFor();
    expect(await pick.locator('.line-name').textContent()).toBe('Configurable Chair (Red, Metal, Leather)');
    expect(Number(await pick.getByTestId('line-total').getAttribute('data-amount'))).toBe(13.5);
    expect(pageErrors).toEqual([]);
  });
});
