import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelHttpClient } from '../../electron/docker/channel-http.js';
import { launchChromium } from '../support/browser.js';
import { addTestbedHostWithDb, removeTenant } from '../support/console.js';
import { getTestbed } from '../support/testbed.js';
import { startWebConsole } from '../support/web-console.js';

const testbed = getTestbed();
let browser: Browser;
let web: Awaited<ReturnType<typeof startWebConsole>>;
let page: Page;
let hostId: string;

beforeAll(async () => {
  web = await startWebConsole();
  hostId = await addTestbedHostWithDb(web.console, testbed);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  await page.goto(web.server.launchUrl);
});

afterAll(async () => {
  await browser?.close();
  await removeTenant(web.console.services, hostId, 'e2e-shop');
  await web.close();
});

/** Asks the tenant's server for a path from its host (through the SSH connection): the server logs the request. */
async function requestTenantPath(name: string, urlPath: string): Promise<number> {
  const services = web.console.services;
  const info = await services.docker.client(services.hosts.endpoint(hostId)).getContainer(`fleet-${name}`).inspect();
  const ip = Object.values(info.NetworkSettings.Networks).find((n) => n.IPAddress)!.IPAddress;
  const http = new ChannelHttpClient(async () => (await services.pool.session(hostId)).forwardTcp(ip, 8069), { maxIdle: 0 });
  try {
    return (await http.request({ method: 'GET', path: urlPath, timeoutMs: 10_000 })).statusCode;
  } finally {
    http.close();
  }
}

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
    // Running: it asks first, and Cancel leaves it running.
    await page.getByTestId('suspend-cancel').click();
    expect(await page.getByTestId('tenant-row-e2e-shop').getAttribute('data-state')).toBe('running');
    await page.getByTestId('tenant-action-suspend-e2e-shop').click();
    await page.getByTestId('suspend-confirm').click();
    await expect.poll(() => page.getByTestId('tenant-row-e2e-shop').getAttribute('data-state'), { timeout: 60_000 }).toBe('exited');
    await expect.poll(() => page.getByTestId('tenant-row-e2e-shop').getAttribute('data-suspended'), { timeout: 30_000 }).toBe('true');
    expect(await page.getByTestId('tenant-action-start-e2e-shop').isDisabled()).toBe(true); // only reactivate brings it back
    await page.getByTestId('tenant-action-reactivate-e2e-shop').click();
    await expect.poll(() => page.getByTestId('tenant-row-e2e-shop').getAttribute('data-state'), { timeout: 60_000 }).toBe('running');
    expect(await page.getByTestId('tenant-row-e2e-shop').getAttribute('data-suspended')).toBe('false');
  });

  it('lists the tenant on the dashboard with its host and state, and filters it', async () => {
    await page.getByTestId('nav-dashboard').click();
    const table = page.getByTestId('dashboard-tenants-table');
    const row = page.getByTestId('dashboard-tenant-row-alpha/e2e-shop');
    await row.waitFor({ timeout: 30_000 });
    expect(await row.getByTestId('cell-host').textContent()).toBe('alpha');
    expect(await row.getByTestId('cell-state').getAttribute('data-state')).toBe('running');
    // The host's summary counts it, and its disk and memory arrive.
    const hostRow = page.getByTestId('dashboard-host-row-alpha');
    expect(Number(await hostRow.getByTestId('host-count-running').textContent())).toBeGreaterThanOrEqual(1);
    await hostRow.getByTestId('host-disk').waitFor({ timeout: 30_000 });
    await hostRow.getByTestId('host-memory').waitFor({ timeout: 30_000 });
    expect(Number(await page.getByTestId('dashboard-count-running').locator('.stat-value').textContent())).toBeGreaterThanOrEqual(1);

    const search = page.getByLabel('Search tenants');
    await search.fill('no-such-tenant-anywhere');
    await expect.poll(() => table.getAttribute('data-count')).toBe('0');
    await search.fill('e2e-shop.shops.test'); // its public host
    await row.waitFor({ timeout: 30_000 });
    await search.fill(testbed.images.odoo.split(':')[0]!); // its image
    await row.waitFor({ timeout: 30_000 });
    await search.fill('E2E-SH'); // its name, any case
    await row.waitFor({ timeout: 30_000 });
    await search.fill('');

    const state = page.getByLabel('Filter tenants by state');
    await state.selectOption('stopped');
    await expect.poll(() => row.count()).toBe(0);
    await state.selectOption('suspended');
    await expect.poll(() => row.count()).toBe(0);
    await state.selectOption('running');
    await row.waitFor({ timeout: 30_000 });
    await page.getByLabel('Filter tenants by host').selectOption({ label: 'alpha' });
    await row.waitFor({ timeout: 30_000 });
    await state.selectOption('all');
  });

  it('opens the tenant page: spec, health, figures, jobs and a live log', async () => {
    await page.getByTestId('dashboard-tenant-row-alpha/e2e-shop').click();
    await page.getByTestId('tenant-page').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('page-title').textContent()).toBe('e2e-shop · alpha');
    expect(await page.getByTestId('tenant-state').getAttribute('data-state')).toBe('running');
    await expect.poll(() => page.getByTestId('tenant-health').getAttribute('data-ok'), { timeout: 30_000 }).toBe('true');
    expect(await page.getByTestId('tenant-health-detail').textContent()).toContain('/web/health answered 200');
    expect(await page.getByTestId('tenant-image').textContent()).toBe(testbed.images.odoo);
    expect(await page.getByTestId('tenant-database').textContent()).toBe('e2e_shop');

    // Figures: sizes of the database and filestore, CPU and memory of the running server.
    const size = /^\d+(\.\d)? (B|KiB|MiB|GiB)$/;
    await expect.poll(() => page.getByTestId('figure-database').textContent(), { timeout: 60_000 }).toMatch(size);
    expect(await page.getByTestId('figure-filestore').textContent()).toMatch(size);
    expect(await page.getByTestId('figure-cpu').textContent()).toMatch(/^\d+(\.\d)? %$/);
    await page.getByTestId('figure-memory').waitFor();
    const measured = await page.getByTestId('figures-measured').textContent();
    await page.getByRole('button', { name: 'Refresh figures' }).click();
    await expect.poll(() => page.getByTestId('figures-measured').textContent(), { timeout: 60_000 }).not.toBe(measured);

    // The jobs that made it what it is, newest first, each linking to its details.
    const jobsTable = page.getByTestId('tenant-jobs-table');
    await jobsTable.waitFor({ timeout: 30_000 });
    const kinds = await jobsTable.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')));
    expect(kinds.slice(0, 3)).toEqual(['tenant.reactivate', 'tenant.suspend', 'tenant.create']);

    // The live log: the last lines at once, then a line the server writes after the page opened.
    const log = page.getByTestId('log-view');
    await expect.poll(async () => Number(await log.getAttribute('data-count')), { timeout: 30_000 }).toBeGreaterThan(0);
    const marker = `/e2e-log-${crypto.randomBytes(6).toString('hex')}`;
    expect(await requestTenantPath('e2e-shop', marker)).toBe(404);
    await log.getByText(marker).waitFor({ timeout: 30_000 });

    // Paused, it stops following; resumed, it catches up.
    await page.getByRole('button', { name: 'Pause' }).click();
    expect(await page.getByTestId('log-status').textContent()).toBe('paused');
    const later = `/e2e-log-${crypto.randomBytes(6).toString('hex')}`;
    await requestTenantPath('e2e-shop', later);
    await page.waitForTimeout(3_500);
    expect(await log.getByText(later).count()).toBe(0);
    await page.getByRole('button', { name: 'Resume' }).click();
    await log.getByText(later).waitFor({ timeout: 30_000 });
  });

  it('decommissions it through the typed-name dialog, then it is gone from the dashboard', async () => {
    await page.getByRole('button', { name: 'Decommission…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Decommission e2e-shop' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('final archive in Odoo’s backup format');
    const confirm = dialog.getByLabel(/to confirm/);
    const submit = dialog.getByRole('button', { name: 'Decommission e2e-shop' });
    for (const wrong of ['', 'e2e-sho', 'e2e-shop ', 'E2E-SHOP', 'e2e-shopp']) {
      await confirm.fill(wrong);
      expect(await submit.isDisabled(), `"${wrong}" must not enable the button`).toBe(true);
    }
    await confirm.fill('e2e-shop');
    expect(await submit.isEnabled()).toBe(true);
    await submit.click();
    await dialog.getByTestId('job-view').waitFor({ timeout: 30_000 });

    // Done: back on the host page, which says where the final archive is.
    await page.getByTestId('host-page').waitFor({ timeout: 180_000 });
    const archive = (await page.getByTestId('decommission-archive-path').textContent()) ?? '';
    expect(archive).toMatch(/e2e-shop\/e2e-shop-\d{8}T\d{6}Z\.zip$/);
    expect(fs.statSync(archive).size).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('tenant-row-e2e-shop').count(), { timeout: 30_000 }).toBe(0);

    await page.getByTestId('nav-dashboard').click();
    await page.getByTestId('dashboard-host-row-alpha').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('dashboard-tenant-row-alpha/e2e-shop').count(), { timeout: 30_000 }).toBe(0);
  });
});
