import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestbed } from '../support/testbed.js';
import { consoleInBrowser } from '../support/web-console.js';

// The backup keys page (create, export, a refused import), a backup with options (a key, this
// console and a folder on the tenant's host) and its catalog row, and a staging clone made,
// listed with its expiry and removed, in Chromium against a web console on the testbed's alpha host.

const testbed = getTestbed();
const NAME = 'e2e-bkx';
const CLONE = `${NAME}-staging`;
const KEY = 'e2e-office';
let session: Awaited<ReturnType<typeof consoleInBrowser>>;
let web: typeof session.web;
let page: Page;
let hostId: string;
let root: string;
let hostFolder: string;

beforeAll(async () => {
  // A folder the SSH user owns, as on a real host (the testbed's hosts share this machine's disk).
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-e2e-destinations-'));
  fs.chmodSync(root, 0o755);
  hostFolder = path.join(root, 'alpha-backups');
  fs.mkdirSync(hostFolder);
  const uid = Number(execFileSync('id', ['-u', testbed.admin.user]).toString().trim());
  fs.chownSync(hostFolder, uid, uid);
  session = await consoleInBrowser(testbed, { tenant: NAME, viewport: { width: 1280, height: 900 } });
  ({ web, page, hostId } = session);
});

afterAll(async () => {
  await session?.close([CLONE, NAME]);
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

async function open(hash: string): Promise<void> {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
}

/** Waits for the job panel in `scope` to reach a final state, and returns its id and state. */
async function jobOutcome(scope: Locator, timeout: number): Promise<{ id: string; state: string | null }> {
  const job = scope.getByTestId('job-view');
  await job.waitFor({ timeout: 30_000 });
  await expect.poll(() => job.getByTestId('job-state').getAttribute('data-state'), { timeout, interval: 500 }).toMatch(/^(succeeded|failed|cancelled|compensated)$/);
  return { id: (await job.getAttribute('data-job-id'))!, state: await job.getByTestId('job-state').getAttribute('data-state') };
}

describe('backup keys, backup destinations and staging clones in the web console (Chromium)', () => {
  let keyId: string;
  const section = () => page.getByTestId('tenant-backups');
  const staging = () => page.getByTestId('staging-clones');

  it('creates a key on the keys page and exports it as one line; a cut line is refused on import', async () => {
    await page.getByTestId('nav-keys').click();
    await page.getByTestId('keys-empty').waitFor({ timeout: 30_000 });
    await page.getByTestId('key-create-name').fill(KEY);
    await page.getByTestId('key-create-submit').click();
    const row = page.getByTestId(`key-row-${KEY}`);
    await row.waitFor({ timeout: 30_000 });
    keyId = (await row.getAttribute('data-key-id'))!;
    expect(keyId).toMatch(/^[0-9a-f]{16}$/);
    expect((await web.console.call('keys.list', {})).map((k) => [k.name, k.id])).toEqual([[KEY, keyId]]);

    await row.getByTestId('key-export').click();
    const exported = page.getByTestId('key-exported');
    await exported.waitFor({ timeout: 30_000 });
    const line = await exported.getByTestId('key-secret').inputValue();
    expect(line).toMatch(/^odoo-fleet-backup-key-v1:\S+$/);
    expect(line).toBe((await web.console.call('keys.export', { name: KEY })).secret);
    expect(await exported.getByTestId('key-secret').getAttribute('readonly')).not.toBeNull();
    expect(await exported.textContent()).toContain('Store this line offline');

    // The same key cut short: the checksum refuses it and the page says so.
    await page.getByTestId('key-import-name').fill('e2e-cut');
    await page.getByTestId('key-import-secret').fill(line.slice(0, -4));
    await page.getByTestId('key-import-submit').click();
    const refused = page.getByTestId('key-import-error');
    await refused.waitFor({ timeout: 30_000 });
    expect(await refused.getAttribute('data-code')).toBe('VALIDATION');
    expect(await refused.textContent()).toMatch(/checksum|not an Odoo Fleet backup key/);
    expect((await web.console.call('keys.list', {})).map((k) => k.name)).toEqual([KEY]);

    await exported.getByTestId('key-secret-hide').click();
    await exported.waitFor({ state: 'detached' });
  });

  it('backs up with the key to this console and a folder on the host: the catalog row shows it encrypted with two copies', async () => {
    await open(`#/host/${hostId}/tenants/${NAME}`);
    await section().getByTestId('backups-empty').waitFor({ timeout: 30_000 });
    await section().getByTestId('backup-options-toggle').click();
    const options = section().getByTestId('backup-options');
    await options.getByTestId('backup-dest-local').check();
    await options.getByTestId('backup-dest-host').check();
    // No folder yet: the button waits for one.
    await options.getByTestId('backup-dest-problem-hostFolder').waitFor();
    expect(await section().getByTestId('backup-now').isDisabled()).toBe(true);
    await options.getByTestId('backup-dest-host-folder').fill(hostFolder);
    await options.getByTestId('backup-key').selectOption(KEY);
    await section().getByTestId('backup-now').click();
    expect((await jobOutcome(section(), 300_000)).state).toBe('succeeded');

    const row = section().locator('[data-testid^="backup-row-"]').first();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 30_000 }).toBe('succeeded');
    expect(await row.getAttribute('data-encrypted')).toBe('true');
    expect(await row.getByTestId('backup-encrypted').getAttribute('data-key-id')).toBe(keyId);
    expect(await row.getByTestId('backup-encrypted').textContent()).toBe(`encrypted · ${KEY}`);
    expect(await row.getByTestId('backup-copies-count').getAttribute('data-count')).toBe('2');
    expect(await row.getByTestId('backup-verdict').getAttribute('data-ok')).toBe('true');
    expect(await row.getByTestId('backup-verdict').getAttribute('data-method')).toBeTruthy();

    const id = (await row.getAttribute('data-testid'))!.slice('backup-row-'.length);
    const copies = section().getByTestId(`backup-detail-${id}`).getByTestId('backup-copy');
    expect(await copies.evaluateAll((els) => els.map((e) => [e.getAttribute('data-kind'), e.getAttribute('data-host')]))).toEqual([
      ['local', ''],
      ['host', 'alpha'],
    ]);
    const hostCopy = (await copies.nth(1).getByTestId('backup-path').textContent())!;
    expect(hostCopy).toMatch(new RegExp(`^${hostFolder}/alpha/${NAME}/${NAME}-\\d{8}T\\d{6}Z\\.zip\\.enc$`));
    expect(await copies.nth(1).textContent()).toContain('Folder on alpha');
    expect(fs.existsSync(hostCopy)).toBe(true);

    const [entry] = await web.console.call('backups.list', { hostId, name: NAME });
    expect(entry).toMatchObject({ id, state: 'succeeded', encrypted: true, keyId });
    expect(entry!.destinations.map((d) => d.path)).toEqual([await copies.nth(0).getByTestId('backup-path').textContent(), hostCopy]);
  });

  it('clones the tenant to staging from the dialog, lists the clone with its expiry, then removes it', async () => {
    // The testbed is shared: other files' clones may be listed; this tenant has none yet.
    await expect.poll(() => staging().getByTestId('staging-count').textContent(), { timeout: 30_000 }).toMatch(/^\d+$/);
    expect(await staging().getByTestId(`staging-row-${CLONE}`).count()).toBe(0);
    await staging().getByTestId('clone-open').click();
    const dialog = page.getByRole('dialog', { name: `Clone ${NAME} to staging` });
    await dialog.waitFor();
    expect(await dialog.getByTestId('clone-name').inputValue()).toBe(CLONE);
    expect(await dialog.getByTestId('clone-ttl').inputValue()).toBe('48');
    expect(await dialog.getByTestId('clone-backup').inputValue()).toBe('');
    await dialog.getByTestId('clone-submit').click();

    const started = dialog.getByTestId('clone-started');
    await started.waitFor({ timeout: 30_000 });
    expect(await started.getAttribute('data-name')).toBe(CLONE);
    const expiresAt = (await started.getAttribute('data-expires-at'))!;
    const inHours = (Date.parse(expiresAt) - Date.now()) / 3_600_000;
    expect(inHours).toBeGreaterThan(47.5);
    expect(inHours).toBeLessThanOrEqual(48);
    const clone = await jobOutcome(dialog, 300_000);
    expect(clone.state).toBe('succeeded');
    expect((await web.console.call('jobs.get', { id: clone.id })).kind).toBe('tenant.clone');
    await dialog.getByTestId('clone-close').click();
    await dialog.waitFor({ state: 'detached' });

    const row = staging().getByTestId(`staging-row-${CLONE}`);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.getAttribute('data-source')).toBe(NAME);
    expect(await row.getByTestId('staging-expires').getAttribute('data-expires-at')).toBe(expiresAt);
    expect(await row.getByTestId('staging-expires').textContent()).toMatch(/\((in 4[78] h)\)$/);
    expect((await web.console.call('tenants.staging', { hostId })).filter((c) => c.source === NAME)).toEqual([expect.objectContaining({ tenant: CLONE, expiresAt })]);
    expect((await web.console.call('tenants.show', { hostId, name: CLONE })).state).toBe('running');

    await row.getByTestId('staging-remove').click();
    await row.waitFor({ state: 'detached', timeout: 300_000 });
    expect((await web.console.call('tenants.staging', { hostId })).filter((c) => c.source === NAME)).toEqual([]);
    const left = (await web.console.call('tenants.list', { hostId })).map((t) => t.name);
    expect(left).toContain(NAME);
    expect(left).not.toContain(CLONE);
  });
});
