import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../electron/common/log.js';
import { startWebServer } from '../../electron/api/web-server.js';
import { getTestbed } from '../support/testbed.js';
import { consoleInBrowser, UI_DIR } from '../support/web-console.js';

// The tenant page's backups, the host page's drift (reconcile, clean up) and its shared audit
// trail, in Chromium against a web console on the testbed's alpha host.

const testbed = getTestbed();
const NAME = 'e2e-drift';
let session: Awaited<ReturnType<typeof consoleInBrowser>>;
let web: typeof session.web;
let page: Page;
let hostId: string;

beforeAll(async () => {
  session = await consoleInBrowser(testbed, { tenant: NAME, viewport: { width: 1024, height: 768 } });
  ({ web, page, hostId } = session);
});

afterAll(async () => {
  await session?.close([NAME]);
});

async function open(hash: string): Promise<void> {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
}

describe('backups, drift and the shared audit trail in the web console (Chromium)', () => {
  it('backs a tenant up from its page: the catalog shows it succeeded and verified', async () => {
    await open(`#/host/${hostId}/tenants/${NAME}`);
    const section = page.getByTestId('tenant-backups');
    await section.waitFor({ timeout: 30_000 });
    const count = section.getByTestId('backups-count');
    await expect.poll(() => count.textContent(), { timeout: 30_000 }).toMatch(/^\d+$/);
    const before = Number(await count.textContent());

    await section.getByTestId('backup-now').click();
    const job = section.getByTestId('job-view');
    await job.waitFor({ timeout: 30_000 });
    await expect.poll(() => job.getByTestId('job-state').getAttribute('data-state'), { timeout: 120_000 }).toBe('succeeded');

    const row = section.locator('[data-testid^="backup-row-"]').first();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 30_000 }).toBe('succeeded');
    expect(await row.getAttribute('data-kind')).toBe('backup');
    expect(await row.getByTestId('backup-verdict').getAttribute('data-ok')).toBe('true');
    expect(await row.getByTestId('backup-sha').getAttribute('data-sha')).toMatch(/^[0-9a-f]{64}$/);
    expect(await row.getByTestId('backup-sha').textContent()).toHaveLength(12);
    expect(await row.getByTestId('backup-size').textContent()).toMatch(/^\d+(\.\d)? (B|KiB|MiB|GiB)$/);
    expect(await row.getByTestId('backup-state').textContent()).toBe('succeeded');
    // Its second line: what was counted and where the archive is, on this machine.
    const id = (await row.getAttribute('data-testid'))!.slice('backup-row-'.length);
    const detail = section.getByTestId(`backup-detail-${id}`);
    expect(await detail.getByTestId('backup-contents').textContent()).toMatch(/^[1-9]\d* tables counted · \d+ filestore files$/);
    expect(await detail.getByTestId('backup-path').textContent()).toMatch(new RegExp(`/${NAME}/[^/]*\\.zip$`));
    expect(Number(await count.textContent())).toBe(before + 1);
  });

  it('shows support staff that checking for drift is an admin’s, and lets them back up', async () => {
    const services = web.console.services;
    const support = await startWebServer({
      dispatcher: services.dispatcher,
      events: services.events,
      staticDir: UI_DIR,
      context: { actor: 'helpdesk@web', role: 'support' },
      log: silentLogger,
    });
    const other = await session.browser.newPage({ viewport: { width: 1024, height: 768 } });
    try {
      await other.goto(support.launchUrl);
      await other.evaluate((h) => {
        window.location.hash = h;
      }, `#/host/${hostId}`);
      const section = other.getByTestId('reconcile-section');
      await section.getByTestId('reconcile-role-note').waitFor({ timeout: 30_000 });
      expect(await section.getByTestId('reconcile-check').count()).toBe(0);
      await other.evaluate((h) => {
        window.location.hash = h;
      }, `#/host/${hostId}/tenants/${NAME}`);
      await other.getByTestId('backup-now').waitFor({ timeout: 30_000 });
    } finally {
      await other.close();
      await support.close();
    }
  });

  it('reports a server container removed by hand as server-missing, and cleans it up to nothing', async () => {
    const services = web.console.services;
    await services.docker.client(services.hosts.endpoint(hostId)).getContainer(`fleet-${NAME}`).remove({ force: true });

    await open(`#/host/${hostId}`);
    const section = page.getByTestId('reconcile-section');
    await section.waitFor({ timeout: 30_000 });
    await section.getByTestId('reconcile-check').click();
    const item = section.getByTestId(`reconcile-item-server-missing:${NAME}`);
    await item.waitFor({ timeout: 60_000 });
    expect(await item.getAttribute('data-kind')).toBe('server-missing');
    expect(await item.getByTestId('reconcile-kind').textContent()).toBe('server missing');
    expect(await item.getByTestId('reconcile-tenant').textContent()).toBe(NAME);
    expect(await item.getByTestId('reconcile-journal').textContent()).toMatch(/^created here \d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(await item.textContent()).toContain(`fleet-${NAME}-secrets`);
    expect(await item.getByRole('button', { name: 'Adopt…' }).count()).toBe(0); // its actions: cleanup only

    await item.getByRole('button', { name: 'Clean up…' }).click();
    const dialog = page.getByRole('dialog', { name: `Clean up ${NAME}` });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`odoo_${NAME.replace(/-/g, '_')}`);
    await dialog.getByRole('button', { name: 'Clean up', exact: true }).click();

    const job = section.getByTestId('reconcile-job');
    await job.waitFor({ timeout: 30_000 });
    await expect.poll(() => job.getByTestId('job-state').getAttribute('data-state'), { timeout: 120_000 }).toBe('succeeded');
    // The report is checked again afterwards: nothing of the tenant is left (the shared testbed host
    // may still hold other tests' leftovers, reported as items of their own), and the tenants list is empty.
    await expect.poll(() => section.locator('[data-testid^="reconcile-item-"]').filter({ hasText: NAME }).count(), { timeout: 60_000 }).toBe(0);
    expect(await section.getByTestId(`reconcile-item-server-missing:${NAME}`).count()).toBe(0);
    await expect.poll(() => page.getByTestId('tenants-count').textContent(), { timeout: 30_000 }).toBe('0');
    expect(await page.getByTestId(`tenant-row-${NAME}`).count()).toBe(0);
  });

  it("shows the clean-up in the host's shared audit trail", async () => {
    const section = page.getByTestId('host-audit-section');
    await section.getByTestId('host-audit-refresh').click();
    const table = section.getByTestId('host-audit-table');
    const cleanup = table.locator('[data-testid^="host-audit-row-"]', { hasText: 'tenants.cleanup' }).first();
    await cleanup.waitFor({ timeout: 30_000 });
    expect(await cleanup.textContent()).toContain('e2e@web');
    expect(await cleanup.textContent()).toContain(`server-missing:${NAME}`); // the item cleaned up
    expect(await cleanup.getByTestId('host-audit-outcome').getAttribute('data-outcome')).toBe('ok');
    // The check that found the drift is there too (audited as well).
    await table.locator('[data-testid^="host-audit-row-"]', { hasText: 'tenants.reconcile' }).first().waitFor({ timeout: 30_000 });
  });
});
