import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPostgres } from '../../electron/postgres/pg-over-ssh.js';
import { addTestbedHostWithDb, createTestConsole, createTestTenant, removeTenant, type TestConsole } from '../support/console.js';
import { startCli, waitForJobStep } from '../support/cli-process.js';
import { getTestbed } from '../support/testbed.js';

// Safe updates for real: images built here from the test Odoo image — one that works under a new
// tag, one whose server exits at once, one that never answers — a backup first, a trial on a
// staging clone, and an automatic revert (previous image + restore) when the update fails or the
// console is killed during it.

const testbed = getTestbed();
const PASSPHRASE = 'update test passphrase';
const REPO = testbed.images.odoo.split(':')[0]!;
let fleet: TestConsole;
let hostId: string;

beforeAll(async () => {
  fleet = createTestConsole({ passphrase: PASSPHRASE });
  hostId = await addTestbedHostWithDb(fleet, testbed);
  // The default Docker daemon outlives testbeds: a run killed halfway may have left these.
  for (const name of ['it-upd', 'it-upd-trial']) await removeTenant(fleet.services, hostId, name).catch(() => {});
  const d = docker();
  await d.getImage(testbed.images.odoo).tag({ repo: REPO, tag: '17.0-next' });
  await derive('17.0-broken', 'printf "#!/bin/sh\\necho broken build >&2\\nexit 3\\n" > /usr/bin/odoo');
  await derive('17.0-hangs', 'printf "#!/bin/sh\\nexec sleep 3600\\n" > /usr/bin/odoo');
  await createTestTenant(fleet, testbed, hostId, 'it-upd');
  await asTenant("CREATE TABLE fleet_marker (v text); INSERT INTO fleet_marker VALUES ('before the update')");
});
afterAll(async () => {
  for (const name of ['it-upd', 'it-upd-trial']) await removeTenant(fleet.services, hostId, name).catch(() => {});
  for (const tag of ['17.0-next', '17.0-broken', '17.0-hangs']) await docker().getImage(`${REPO}:${tag}`).remove({ force: true }).catch(() => {});
  await fleet.close();
});

function docker() {
  return fleet.services.docker.client(fleet.services.hosts.endpoint(hostId));
}

/** A variant of the test Odoo image: the base image with `script` run in it, committed under a tag. */
async function derive(tag: string, script: string): Promise<void> {
  const c = await docker().createContainer({ Image: testbed.images.odoo, User: '0', Entrypoint: ['sh', '-c', script], HostConfig: { NetworkMode: 'none' } });
  await c.start();
  expect(((await c.wait()) as { StatusCode: number }).StatusCode).toBe(0);
  await c.commit({ repo: REPO, tag, changes: ['ENTRYPOINT ["/entrypoint.sh"]'] });
  await c.remove();
}

async function asTenant(sql: string): Promise<unknown[]> {
  return withPostgres(fleet.services.pool, { ...fleet.services.hosts.dbTarget(hostId)!, database: 'it_upd' }, async (c) => {
    await c.query('SET ROLE odoo_it_upd');
    const result = await c.query(sql);
    return (Array.isArray(result) ? result.at(-1)! : result).rows;
  });
}

async function serverImage(): Promise<string> {
  const detail = await fleet.call('tenants.show', { hostId, name: 'it-upd' });
  return `${detail.image}:${detail.tag}`;
}

async function healthy(): Promise<boolean> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
    if ((await fleet.call('tenants.show', { hostId, name: 'it-upd' })).health.ok) return true;
  }
  return false;
}

describe('safe updates', () => {
  it('refuses an image the host does not have, before any job', async () => {
    await expect(fleet.call('tenants.update', { hostId, name: 'it-upd', tag: '17.0-nowhere' })).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/not on the host/) });
    await expect(fleet.call('tenants.update', { hostId, name: 'it-upd' } as never)).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('backs up, tries the update on a clone, then updates the tenant and its modules', async () => {
    const { jobId } = await fleet.call('tenants.update', { hostId, name: 'it-upd', tag: '17.0-next', modules: ['sale'] });
    const job = await fleet.services.jobs.wait(jobId);
    expect(job.error ?? null).toBeNull();
    expect(job.steps.map((s) => [s.name, s.state])).toEqual([
      ['backup', 'done'],
      ['trial-clone', 'done'],
      ['trial-update', 'done'],
      ['trial-remove', 'done'],
      ['apply', 'done'],
      ['finish', 'done'],
    ]);
    expect(await serverImage()).toBe(`${REPO}:17.0-next`);
    expect(await healthy()).toBe(true);
    expect(await asTenant('SELECT v FROM fleet_marker')).toEqual([{ v: 'before the update' }]);
    // The backup it took is catalogued; the trial clone is gone.
    const backupId = (job.result as { backupId: string }).backupId;
    expect((await fleet.call('backups.list', { hostId, name: 'it-upd' })).find((b) => b.id === backupId)).toMatchObject({ state: 'succeeded' });
    expect((await fleet.call('tenants.list', { hostId })).map((t) => t.name)).toEqual(['it-upd']);
    expect(await fleet.call('tenants.staging', { hostId })).toEqual([]);
  });

  it('an update that fails on the trial clone never touches the tenant', async () => {
    const { jobId } = await fleet.call('tenants.update', { hostId, name: 'it-upd', tag: '17.0-broken' });
    const job = await fleet.services.jobs.wait(jobId);
    expect(job.state).toBe('failed');
    expect(job.error).toMatchObject({ step: 'trial-update', message: expect.stringMatching(/staging clone, so the tenant was not touched/) });
    expect(job.steps.find((s) => s.name === 'apply')?.state).toBe('skipped');
    expect(await serverImage()).toBe(`${REPO}:17.0-next`);
    expect((await fleet.call('tenants.list', { hostId })).map((t) => t.name)).toEqual(['it-upd']);
    expect(await fleet.call('tenants.staging', { hostId })).toEqual([]);
  });

  it('reverts to the previous image and the backup when the tenant’s own update fails', async () => {
    await asTenant("UPDATE fleet_marker SET v = 'state at the update'");
    const { jobId } = await fleet.call('tenants.update', { hostId, name: 'it-upd', tag: '17.0-broken', trial: false });
    const job = await fleet.services.jobs.wait(jobId);
    expect(job.state).toBe('failed');
    expect(job.error).toMatchObject({ step: 'apply' });
    expect(job.steps.filter((s) => s.compensationError !== null)).toEqual([]);
    // The revert restored the backup taken once the tenant was stopped, not the first one.
    expect((await fleet.call('backups.list', { hostId, name: 'it-upd' })).filter((b) => b.state === 'succeeded').length).toBeGreaterThanOrEqual(3);
    expect(await serverImage()).toBe(`${REPO}:17.0-next`);
    expect(await healthy()).toBe(true);
    expect(await asTenant('SELECT v FROM fleet_marker')).toEqual([{ v: 'state at the update' }]);
  });

  it('after a console is killed during the update, a restarted one reverts it', async () => {
    const dataDir = fleet.services.dataDir;
    await fleet.services.close(); // the CLI process owns the store now
    // The kill must land while the console waits for the new server's health: 20 s of it, so that
    // a busy machine noticing the new server late still kills the console inside that wait.
    const cli = startCli(dataDir, PASSPHRASE, ['update', 'it-upd', '--host', 'alpha', '--tag', '17.0-hangs', '--no-trial', '--health-timeout', '20']);
    await waitForJobStep(dataDir, 'tenant.update', 'apply', 'running', 120_000).catch((error: Error) => {
      throw new Error(`${error.message}; the CLI said: ${cli.stderr()}`);
    });
    // The new server is up (and never answers): kill the console mid-update.
    const local = new Docker({ socketPath: testbed.alpha.dockerSocket });
    for (const deadline = Date.now() + 120_000; !(await local.listContainers({ filters: { ancestor: [`${REPO}:17.0-hangs`] } })).length; ) {
      if (Date.now() > deadline) throw new Error(`the new server never ran; the CLI said: ${cli.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await cli.kill();

    fleet = createTestConsole({ dataDir, passphrase: PASSPHRASE });
    const report = fleet.services.jobs.resumeInterrupted();
    // Resumed where it was: the new server still does not answer, so the update is reverted.
    expect(report.resumed).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'tenant.update', direction: 'forward' })]));
    const resumed = report.resumed.find((r) => r.kind === 'tenant.update')!;
    const job = await fleet.services.jobs.wait(resumed.jobId);
    expect(job.state).toBe('failed');
    expect(job.error).toMatchObject({ step: 'apply', code: 'TIMEOUT' });
    expect(job.steps.filter((s) => s.compensationError !== null)).toEqual([]);
    expect(await serverImage()).toBe(`${REPO}:17.0-next`);
    expect(await healthy()).toBe(true);
    expect(await asTenant('SELECT v FROM fleet_marker')).toEqual([{ v: 'state at the update' }]);
  });
});
