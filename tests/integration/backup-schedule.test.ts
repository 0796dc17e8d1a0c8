import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTestbedHostWithDb, createTestConsole, createTestTenant, removeTenant, type TestConsole } from '../support/console.js';
import { getTestbed } from '../support/testbed.js';

// Scheduled backups with two consoles managing the same host: a due run happens once, missed
// runs are caught up once, and retention prunes what the policy does not keep.

const testbed = getTestbed();
let a: TestConsole;
let b: TestConsole;
let hostA: string;
let hostB: string;

beforeAll(async () => {
  a = createTestConsole();
  b = createTestConsole();
  hostA = await addTestbedHostWithDb(a, testbed);
  hostB = await addTestbedHostWithDb(b, testbed);
  await createTestTenant(a, testbed, hostA, 'it-sched');
});
afterAll(async () => {
  await a.call('backups.removePolicy', { hostId: hostA, name: 'it-sched' }).catch(() => {});
  await removeTenant(a.services, hostA, 'it-sched').catch(() => {});
  await b.close();
  await a.close();
});

const fleetDb = <T>(fn: (c: import('pg').Client) => Promise<T>) => a.services.coordinators.of(hostA)!.withFleet(fn);

describe('scheduled backups', () => {
  it('run once across two consoles, catching up missed runs once', async () => {
    const policies = await a.call('backups.setPolicy', { hostId: hostA, name: 'it-sched', everyHours: 24, jitterMinutes: 0, keepDaily: 1, keepWeekly: 1, keepMonthly: 1 });
    expect(policies).toEqual([expect.objectContaining({ tenant: 'it-sched', everyHours: 24, overdue: true, newestBackupAt: null })]);
    // Console B sees the same schedule (it lives on the host).
    expect((await b.call('backups.policies', { hostId: hostB })).map((p) => p.tenant)).toEqual(['it-sched']);

    // Three runs were missed while no console was open.
    await fleetDb((c) => c.query("UPDATE fleet_backup_policies SET next_run_at = now() - interval '3 days' WHERE tenant = 'it-sched'"));
    const [startedA, startedB] = await Promise.all([a.services.scheduler.tick(), b.services.scheduler.tick()]);
    expect([...startedA, ...startedB]).toEqual([expect.objectContaining({ tenant: 'it-sched', jobId: expect.any(String) })]);
    await Promise.all([a.services.scheduler.idle(), b.services.scheduler.idle()]);

    const backups = (await a.call('backups.list', { hostId: hostA, name: 'it-sched' })).filter((e) => e.kind === 'backup');
    expect(backups.map((e) => e.state)).toEqual(['succeeded']);
    expect(backups[0]!.verification).toMatchObject({ ok: true, method: 'restore' }); // drilled
    const [policy] = await a.call('backups.policies', { hostId: hostA });
    expect(policy).toMatchObject({ lease: null, overdue: false, lastOutcome: expect.stringMatching(/^succeeded, verified/) });
    const next = Date.parse(policy!.nextRunAt) - Date.now();
    expect(next).toBeGreaterThan(23 * 3600_000); // caught up once, next one interval from now
    expect(next).toBeLessThan(25 * 3600_000);
    expect([...(await a.services.scheduler.tick()), ...(await b.services.scheduler.tick())]).toEqual([]); // nothing due
  });

  it('prunes what the policy does not keep, never the newest', async () => {
    for (let i = 0; i < 2; i++) {
      const { jobId } = await a.call('backups.create', { hostId: hostA, name: 'it-sched' });
      expect((await a.services.jobs.wait(jobId)).error ?? null).toBeNull();
    }
    const before = (await a.call('backups.list', { hostId: hostA, name: 'it-sched' })).filter((e) => e.kind === 'backup');
    expect(before).toHaveLength(3);
    const newest = before[0]!;
    const onA = (e: (typeof before)[number]) => fs.existsSync(e.destinations[0]!.path);

    // Same day, week and month: the newest is kept, and the drilled (scheduled) one as the newest
    // verified; console A deletes the other copies it holds.
    const drilled = before.find((e) => e.verification?.method === 'restore')!;
    const expectedPruned = before.slice(1).filter((e) => e.id !== drilled.id && onA(e)).map((e) => e.id);
    const { pruned } = await a.call('backups.prune', { hostId: hostA, name: 'it-sched' });
    expect(pruned.sort()).toEqual(expectedPruned.sort());
    expect(expectedPruned.length).toBeGreaterThanOrEqual(1);
    for (const e of before.slice(1).filter((x) => expectedPruned.includes(x.id))) expect(fs.existsSync(e.destinations[0]!.path)).toBe(false);
    expect(fs.existsSync(newest.destinations[0]!.path)).toBe(true);
    const after = (await a.call('backups.list', { hostId: hostA, name: 'it-sched' })).map((e) => e.id);
    expect(after).toContain(newest.id);
    expect(after).toContain(drilled.id);
    expect(after.filter((id) => expectedPruned.includes(id))).toEqual([]);

    // A newest backup older than the schedule allows is flagged.
    await fleetDb((c) => c.query("UPDATE fleet_backups SET started_at = now() - interval '3 days' WHERE tenant = 'it-sched'"));
    expect((await b.call('backups.policies', { hostId: hostB }))[0]).toMatchObject({ overdue: true });
  });
});
