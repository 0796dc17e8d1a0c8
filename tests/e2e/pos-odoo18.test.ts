// What the by-hand run against a real Odoo 18.0 showed, in Chromium against the fake 18 that now
// does what that server did (docs/real-odoo-runs.md): the opening difference is only noted on the
// session, a pos_hr cashier with a PIN is asked for it, and a cash move Odoo refuses is shown on
// the page (the status bar and the Sync screen) until it is sent again, instead of only
// "recorded".
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
  setup = await startPosInChromium({ version: '18.0', seed: 1, configs: [{ posHr: true }] });
  ({ odoo, pos, page, pageErrors } = setup);
});

afterAll(() => setup?.close());

describe('Fleet POS on Odoo 18 in Chromium', () => {
  it('says an opening difference is noted on the session, not booked', async () => {
    await page.goto(pos.server.launchUrl);
    await pairFromPage(page, odoo);
    await expect.poll(() => page.getByTestId('opening-cash').getAttribute('placeholder')).toBe('0.00 expected (the last closing count)');
    await page.getByTestId('opening-cash').fill('25');
    await expect.poll(() => page.getByTestId('opening-difference').textContent()).toContain('Odoo notes it on the session (no cash entry is booked).');
    expect(await page.getByTestId('opening-difference').textContent()).not.toContain('books');
    await page.getByTestId('opening-notes').fill('Float of 25 from the safe');
    await page.getByTestId('open-session-submit').click();
    await page.getByTestId('cashier-2').waitFor();
    expect(odoo.statementLines()).toEqual([]);
  });

  it('asks a cashier with a PIN for it (18 sends the hashes as _pin)', async () => {
    await page.getByTestId('cashier-2').click();
    await page.getByTestId('cashier-pin').fill('1111');
    await page.getByTestId('cashier-login').click();
    await expect.poll(() => page.getByText('Wrong PIN.').count()).toBe(1);
    await page.getByTestId('cashier-pin').fill('5678');
    await page.getByTestId('cashier-login').click();
    await page.getByTestId('product-grid').waitFor();
    expect(await page.getByTestId('cashier-name').textContent()).toContain('Marc Demo');
  });

  it('shows a cash move Odoo refused until it is sent again, then Odoo has it once', async () => {
    odoo.failNext('try_cash_in_out', 'The session is being closed');
    await page.getByTestId('nav-session').click();
    await page.getByTestId('cash-move-type').selectOption('out');
    await page.getByTestId('cash-move-amount').fill('12.40');
    await page.getByTestId('cash-move-reason').fill('Window cleaner');
    await page.getByTestId('cash-move-submit').click();
    await expect.poll(() => page.getByTestId('cash-moves-parked').getAttribute('data-count'), { timeout: 30_000 }).toBe('1');
    await page.getByTestId('nav-sync').click();
    const listed = page.getByTestId('parked-records');
    await expect.poll(() => listed.textContent()).toContain('The session is being closed');
    expect(await listed.textContent()).toMatch(/Cash out: Window cleaner \[[0-9a-f]{8}\].*12\.40/);
    expect(odoo.statementLines()).toEqual([]);

    await listed.getByRole('button', { name: 'Send again' }).click();
    await expect.poll(() => page.getByTestId('cash-moves-parked').count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => odoo.statementLines().length, { timeout: 30_000 }).toBe(1);
    expect(odoo.statementLines()[0]).toMatchObject({ amount: -12.4, payment_ref: expect.stringMatching(/-out-Window cleaner \[[0-9a-f]{8}\]$/) });
    expect(await page.getByTestId('parked-records').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
