import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestbed } from '../support/testbed.js';
import { consoleInBrowser } from '../support/web-console.js';

// The tenant page's backup schedule, verify (a restore drill) and restore, and the dashboard's
// overdue-backup flag, in Chromium against a web console on the testbed's alpha host.

const testbed = getTestbed();
const NAME = 'e2e-bkui';
let session: Awaited<ReturnType<typeof consoleInBrowser>>;
let web: typeof session.web;
let page: Page;
let hostId: string;

beforeAll(async () => {
  session = await consoleInBrowser(testbed, { tenant: NAME, viewport: { width: 1280, height: 900 } });
  ({ web, page, hostId } = session);
});

afterAll(async () => {
  await web?.console.call('backups.removePolicy', { hostId, name: NAME }).catch(() => {});
  await session?.close([NAME]);
});

async function open(hash: string): Promise<void> {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
}

/** Waits for a job panel in `scope` other than `previous` to finish, and returns its state. */
async function jobOutcome(scope: Locator, previous: string | null): Promise<{ id: string; state: string | null }> {
  const job = scope.getByTestId('job-view');
  await expect.poll(() => job.getAttribute('data-job-id').catch(() => null), { timeout: 30_000 }).not.toBe(previous);
  const id = (await job.getAttribute('data-job-id'))!;
  expect(id).toBeTruthy();
  await expect
    .poll(() => job.getByTestId('job-state').getAttribute('data-state'), { timeout: 300_000, interval: 500 })
    .toMatch(/^(succeeded|failed|cancelled|compensated)$/);
  return { id, state: await job.getByTestId('job-state').getAttribute('data-state') };
}

describe('backup schedule, verify and restore in the web console (Chromium)', () => {
  const section = () => page.getByTestId('tenant-backups');
  const schedule = () => page.getByTestId('backup-schedule');

  it('sets a schedule through the form: it shows every, keep, next run and that no backup exists yet (overdue)', async () => {
    await open(`#/host/${hostId}/tenants/${NAME}`);
    await schedule().getByTestId('schedule-none').waitFor({ timeout: 30_000 });
    await schedule().getByTestId('schedule-edit').click();
    const form = schedule().getByTestId('schedule-form');
    await form.getByTestId('schedule-everyHours').fill('12');
    await form.getByTestId('schedule-jitterMinutes').fill('0');
    await form.getByTestId('schedule-keepDaily').fill('3');
    await form.getByTestId('schedule-keepWeekly').fill('2');
    await form.getByTestId('schedule-keepMonthly').fill('1');
    await form.getByTestId('schedule-save').click();

    await schedule().getByTestId('schedule-policy').waitFor({ timeout: 30_000 });
    expect(await schedule().getByTestId('schedule-every').textContent()).toBe('12 h');
    expect(await schedule().getByTestId('schedule-keep').textContent()).toBe('3 daily · 2 weekly · 1 monthly');
    const next = await schedule().getByTestId('schedule-next').getAttribute('title');
    const inHours = (Date.parse(next!) - Date.now()) / 3_600_000;
    expect(inHours).toBeGreaterThan(11.5);
    expect(inHours).toBeLessThan(12.5);
    expect(await schedule().getByTestId('schedule-newest').textContent()).toContain('none');
    await schedule().getByTestId('schedule-overdue').waitFor();
    const [policy] = (await web.console.call('backups.policies', { hostId })).filter((p) => p.tenant === NAME);
    expect(policy).toMatchObject({ everyHours: 12, jitterMinutes: 0, keepDaily: 3, keepWeekly: 2, keepMonthly: 1, overdue: true });
  });

  it('flags the tenant on the dashboard: a badge in the tenants table and a count in the host summary', async () => {
    await open('#/');
    const row = page.locator(`[data-testid^="dashboard-tenant-row-"][data-testid$="/${NAME}"]`);
    await row.getByTestId('cell-backup-overdue').waitFor({ timeout: 30_000 });
    const host = page.locator('[data-testid^="dashboard-host-row-"]', { has: page.getByTestId('host-backups-overdue') }).first();
    await expect.poll(() => host.getByTestId('host-backups-overdue').getAttribute('data-count'), { timeout: 30_000 }).toMatch(/^[1-9]\d*$/);
    expect(await host.getByTestId('host-backups-overdue').textContent()).toMatch(/^[1-9]\d* backups overdue$/);
  });

  it('backs up, then verifies with a restore drill: the verdict says restore ok with its detail', async () => {
    await open(`#/host/${hostId}/tenants/${NAME}`);
    await section().getByTestId('backup-now').click();
    const backup = await jobOutcome(section(), null);
    expect(backup.state).toBe('succeeded');
    const row = section().locator('[data-testid^="backup-row-"]').first();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 30_000 }).toBe('succeeded');
    // The schedule reloads: a fresh backup, no longer overdue.
    await expect.poll(() => schedule().getByTestId('schedule-overdue').count(), { timeout: 30_000 }).toBe(0);
    expect(await schedule().getByTestId('schedule-newest').textContent()).not.toContain('none');

    await row.getByTestId('backup-verify').click();
    const verify = await jobOutcome(section(), backup.id);
    expect(verify.state).toBe('succeeded');
    const verdict = row.getByTestId('backup-verdict');
    await expect.poll(() => verdict.getAttribute('data-method'), { timeout: 30_000 }).toBe('restore');
    expect(await verdict.getAttribute('data-ok')).toBe('true');
    expect(await verdict.textContent()).toBe('✓ restore ok');
    const id = (await row.getAttribute('data-testid'))!.slice('backup-row-'.length);
    expect(await section().getByTestId(`backup-detail-${id}`).getByTestId('backup-verdict-detail').textContent()).toMatch(/^Restore drill .+: .+/);
  });

  it('prunes nothing while the only backup is the newest', async () => {
    await schedule().getByTestId('schedule-prune').click();
    const pruned = schedule().getByTestId('schedule-pruned');
    await pruned.waitFor({ timeout: 60_000 });
    expect(await pruned.getAttribute('data-count')).toBe('0');
    expect(await pruned.textContent()).toBe('Pruned 0 backups.');
  });

  it('restores the backup through the dialog after the name is typed: the job succeeds and the tenant runs', async () => {
    const row = section().locator('[data-testid^="backup-row-"]').first();
    const previous = await section().getByTestId('job-view').getAttribute('data-job-id');
    await row.getByTestId('backup-restore').click();
    const dialog = page.getByRole('dialog', { name: `Restore ${NAME}` });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('current database and filestore replaced');
    expect(await dialog.getByTestId('restore-submit').isDisabled()).toBe(true);
    await dialog.getByTestId('restore-neutralize').check();
    await dialog.getByTestId('restore-confirm-input').fill(NAME.slice(0, -1));
    expect(await dialog.getByTestId('restore-submit').isDisabled()).toBe(true);
    await dialog.getByTestId('restore-confirm-input').fill(NAME);
    await dialog.getByTestId('restore-submit').click();
    await dialog.waitFor({ state: 'detached' });

    const restore = await jobOutcome(section(), previous);
    expect(restore.state).toBe('succeeded');
    const job = await web.console.call('jobs.get', { id: restore.id });
    expect(job.kind).toMatch(/restore/);
    await expect.poll(() => page.getByTestId('tenant-state').getAttribute('data-state'), { timeout: 60_000 }).toBe('running');
    expect((await web.console.call('tenants.show', { hostId, name: NAME })).state).toBe('running');
  });

  it('shows the data the restore replaced with the disk it holds, and undoes the restore after the name is typed', async () => {
    const kept = section().getByTestId('kept-copy');
    await kept.waitFor({ timeout: 30_000 });
    expect(await kept.getByTestId('kept-copy-database').textContent()).toMatch(/^[\d,]+ MiB$/);
    expect(await kept.getByTestId('kept-copy-filestore').textContent()).toMatch(/^[\d,]+ MiB$/);
    const previous = await section().getByTestId('job-view').getAttribute('data-job-id');
    await kept.getByTestId('kept-copy-undo').click();
    const dialog = page.getByTestId('kept-copy-dialog');
    expect(await dialog.getByTestId('kept-copy-submit').isDisabled()).toBe(true);
    await dialog.getByTestId('kept-copy-confirm-input').fill(NAME);
    await dialog.getByTestId('kept-copy-submit').click();
    await dialog.waitFor({ state: 'detached' });
    const undo = await jobOutcome(section(), previous);
    expect(undo.state).toBe('succeeded');
    expect((await web.console.call('jobs.get', { id: undo.id })).kind).toBe('tenant.undo-restore');
    await expect.poll(() => page.getByTestId('tenant-state').getAttribute('data-state'), { timeout: 60_000 }).toBe('running');
  });

  it('stops the schedule', async () => {
    await schedule().getByTestId('schedule-remove').click();
    await schedule().getByTestId('schedule-none').waitFor({ timeout: 30_000 });
    expect((await web.console.call('backups.policies', { hostId })).some((p) => p.tenant === NAME)).toBe(false);
  });
});
