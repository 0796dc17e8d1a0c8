import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StagingStore } from '../../electron/tenants/staging-store.js';
import { withPostgres } from '../../electron/postgres/pg-over-ssh.js';
import { addTestbedHostWithDb, createTestConsole, createTestTenant, removeTenant, type TestConsole } from '../support/console.js';
import { getTestbed } from '../support/testbed.js';

// Cloning a tenant to staging from its newest backup: a real second tenant on the host, its
// database a neutralized copy, removed when its time to live ends — by whichever console
// sweeps first, once.

const testbed = getTestbed();
let fleet: TestConsole;
let other: TestConsole;
let hostId: string;
let otherHostId: string;

beforeAll(async () => {
  fleet = createTestConsole();
  other = createTestConsole();
  hostId = await addTestbedHostWithDb(fleet, testbed);
  otherHostId = await addTestbedHostWithDb(other, testbed);
  await createTestTenant(fleet, testbed, hostId, 'it-prod');
});
afterAll(async () => {
  for (const name of ['it-prod', 'it-prod-staging', 'it-trial']) await removeTenant(fleet.services, hostId, name).catch(() => {});
  await other.close();
  await fleet.close();
});

const sql = (name: string, query: string) =>
  withPostgres(fleet.services.pool, { ...fleet.services.hosts.dbTarget(hostId)!, database: name.replace(/-/g, '_') }, async (c) => (await c.query(query)).rows);

describe('cloning a tenant to staging', () => {
  it('refuses without a backup, then clones the newest one as a neutralized copy with an expiry', async () => {
    await expect(fleet.call('tenants.clone', { hostId, name: 'it-prod' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/back it up first/) });
    await sql('it-prod', "UPDATE ir_cron SET active = true; INSERT INTO ir_config_parameter (key, value) VALUES ('fleet.marker', 'production') ON CONFLICT DO NOTHING");
    const backup = await fleet.call('backups.create', { hostId, name: 'it-prod' });
    expect((await fleet.services.jobs.wait(backup.jobId)).error ?? null).toBeNull();
    // The source's name is taken, so is any existing tenant's.
    await expect(fleet.call('tenants.clone', { hostId, name: 'it-prod', as: 'it-prod' })).rejects.toMatchObject({ code: 'CONFLICT' });

    const started = await fleet.call('tenants.clone', { hostId, name: 'it-prod', ttlHours: 2 });
    expect(started).toMatchObject({ name: 'it-prod-staging' });
    const job = await fleet.services.jobs.wait(started.jobId);
    expect(job.error ?? null).toBeNull();
    expect(Date.parse(started.expiresAt) - Date.now()).toBeGreaterThan(1.9 * 3_600_000);

    const clone = await fleet.call('tenants.show', { hostId, name: 'it-prod-staging' });
    expect(clone).toMatchObject({ state: 'running', publicHost: 'it-prod-staging.shops.test', health: { ok: true } });
    // The production data, under a new identity, with crons and mail off.
    expect(await sql('it-prod-staging', "SELECT value FROM ir_config_parameter WHERE key = 'fleet.marker'")).toEqual([{ value: 'production' }]);
    const uuid = async (name: string) => (await sql(name, "SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'"))[0];
    expect(await uuid('it-prod-staging')).not.toEqual(await uuid('it-prod'));
    expect(await sql('it-prod-staging', 'SELECT count(*)::int AS n FROM ir_cron WHERE active')).toEqual([{ n: 0 }]);
    expect(await sql('it-prod', 'SELECT count(*)::int AS n FROM ir_cron WHERE active')).not.toEqual([{ n: 0 }]);

    const listed = await other.call('tenants.staging', { hostId: otherHostId });
    expect(listed).toEqual([expect.objectContaining({ tenant: 'it-prod-staging', source: 'it-prod', expiresAt: started.expiresAt })]);
  });

  it('is removed once expired, by one console of two, and only staging clones are', async () => {
    await expect(fleet.call('tenants.removeStaging', { hostId, name: 'it-prod' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/not a staging clone/) });
    await new StagingStore(fleet.services.coordinators.of(hostId)!).setExpiry('it-prod-staging', new Date(Date.now() - 1000).toISOString());
    const [a, b] = await Promise.all([fleet.services.staging.sweep(), other.services.staging.sweep()]);
    expect(a.length + b.length).toBe(1);
    const [jobId] = [...a, ...b];
    const runner = a.length ? fleet.services.jobs : other.services.jobs;
    expect((await runner.wait(jobId!)).error ?? null).toBeNull();
    expect((await fleet.call('tenants.list', { hostId })).map((t) => t.name)).toEqual(['it-prod']);
    expect(await fleet.call('tenants.staging', { hostId })).toEqual([]);
    expect(await withPostgres(fleet.services.pool, fleet.services.hosts.dbTarget(hostId)!, async (c) => (await c.query("SELECT datname FROM pg_database WHERE datname LIKE 'it_prod%' ORDER BY 1")).rows)).toEqual([{ datname: 'it_prod' }]);
    // The production tenant is untouched.
    expect(await fleet.call('tenants.show', { hostId, name: 'it-prod' })).toMatchObject({ state: 'running', health: { ok: true } });
  });

  it('never removes a tenant a stale staging record names', async () => {
    // A record left behind for a name a real tenant has now (made by another job, not a clone).
    const store = new StagingStore(fleet.services.coordinators.of(hostId)!);
    await store.add({ tenant: 'it-prod', source: 'it-other', backupId: null, database: 'it_prod', role: 'odoo_it_prod', expiresAt: new Date(Date.now() - 1000).toISOString(), createdBy: 'test', cloneJobId: crypto.randomUUID() });
    const [jobId] = await fleet.services.staging.sweep();
    const job = await fleet.services.jobs.wait(jobId!);
    expect(job.error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/not the staging clone that was recorded/) });
    expect(await fleet.call('tenants.show', { hostId, name: 'it-prod' })).toMatchObject({ state: 'running', health: { ok: true } });
    expect(await sql('it-prod', "SELECT value FROM ir_config_parameter WHERE key = 'fleet.marker'")).toEqual([{ value: 'production' }]);
    expect(await fleet.call('tenants.staging', { hostId })).toEqual([]);
  });
});
