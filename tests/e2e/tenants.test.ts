import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { addTestbedHost, removeTenant, testbedDbServer } from '../support/console.js';
import { getTestbed } from '../support/testbed.js';
import { startWebConsole } from '../support/web-console.js';

const testbed = getTestbed();
let browser: Browser;
let web: Awaited<ReturnType<typeof startWebConsole>>;
let page: Page;
let hostId: string;

beforeAll(async () => {
  web = await startWebConsole();
  hostId = (await addTestbedHost(web.console, testbed, 'alpha', { dbServer: testbedDbServer(testbed) })).id;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  await page.goto(web.server.launchUrl);
});

afterAll(async () => {
  await browser?.close();
  await removeTenant(web.console.services, hostId, 'e2e-shop');
  await web.close();
});

describe('tenants in the web console (Chromium)', () => {
  it('creates a tenant and follows its job to the end', async () => {
    const [image, tag] = testbed.images.odoo.split(':') as [string, string];
    await page.getByTestId('host-search').fill('alpha');
    await page.getByTestId('host-row-alpha').click();
    await page.getByTestId('create-tenant-button').click();
    await page.getByTestId('tenant-form-name').fill('e2e-shop');
    await page.getByTestId('tenant-form-domain').fill('shops.test');
    await page.getByTestId('tenant-form-image').fill(image);
    await page.getByTestId('tenant-form-tag').fill(tag);
    await page.getByTestId('create-tenant-submit').click();
    await expect.poll(() => page.getByTestId('job-state').getAttribute('data-state'), { timeout: 90_000 }).toBe('succeeded');
    expect(await page.getByTestId('job-step-health').getAttribute('data-state')).toBe('done');
    await page.getByTestId('reveal-credentials').click();
    expect(await page.getByTestId('tenant-admin-password').textContent()).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('suspends and reactivates it from the host page', async () => {
    await page.getByTestId('back-to-host').click();
    await page.getByTestId('tenant-row-e2e-shop').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('tenant-row-e2e-shop').getAttribute('data-state')).toBe('running');
    await page.getByTestId('tenant-action-suspend-e2e-shop').click();
    await expect.poll(() => page.getByTestId('tenant-row-e2e-shop').getAttribute('data-state'), { timeout: 60_000 }).toBe('exited');
    await expect.poll(() => page.getByTestId('tenant-row-e2e-shop').getAttribute('data-suspended'), { timeout: 30_000 }).toBe('true');
    expect(await page.getByTestId('tenant-action-start-e2e-shop').isDisabled()).toBe(true); // only reactivate brings it back
    await page.getByTestId('tenant-action-reactivate-e2e-shop').click();
    await expect.poll(() => page.getByTestId('tenant-row-e2e-shop').getAttribute('data-state'), { timeout: 60_000 }).toBe('running');
    expect(await page.getByTestId('tenant-row-e2e-shop').getAttribute('data-suspended')).toBe('false');
  });
});
