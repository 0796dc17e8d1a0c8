import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPostgres } from '../../electron/postgres/pg-over-ssh.js';
import type { PosOrdersAfterBackup } from '../../shared/tenants-pos.js';
import { addTestbedHostWithDb, createTestConsole, createTestTenant, removeTenant, type TestConsole } from '../support/console.js';
import { getTestbed } from '../support/testbed.js';

// A tenant with a point of sale, restored to an earlier backup: the console names the sessions
// open on its tills before, and after the restore the orders it lost (which Fleet POS terminals
// send again) and the names Odoo will give out again. The POS tables are Odoo's, made by hand in
// the tenant's database as the tenant (the stand-in image has no point of sale).

const testbed = getTestbed();
const TENANT = 'it-restore-pos';
let fleet: TestConsole;
let hostId: string;

async function asTenant(sql: string): Promise<void> {
  await withPostgres(fleet.services.pool, { ...fleet.services.hosts.dbTarget(hostId)!, database: 'it_restore_pos' }, async (c) => {
    await c.query('SET ROLE odoo_it_restore_pos');
    await c.query(sql);
  });
}

/** `count` paid orders in session `sessionId`, numbered from `first`, each created a moment after the last. */
function orders(sessionId: number, first: number, count: number): string {
  return `INSERT INTO pos_order (name, pos_reference, session_id, state, date_order, create_date)
    SELECT 'Shop/' || lpad(g::text, 4, '0'), 'Order 0000${sessionId}-001-' || lpad(g::text, 4, '0'), ${sessionId}, 'paid',
           (now() AT TIME ZONE 'UTC') + g * interval '1 millisecond', (now() AT TIME ZONE 'UTC') + g * interval '1 millisecond'
      FROM generate_series(${first}, ${first + count - 1}) g`;
}

beforeAll(async () => {
  fleet = createTestConsole({ passphrase: 'restore pos test passphrase' });
  hostId = await addTestbedHostWithDb(fleet, testbed);
  await createTestTenant(fleet, testbed, hostId, TENANT);
  await asTenant(`
    CREATE TABLE pos_config (id serial PRIMARY KEY, name varchar);
    CREATE TABLE pos_session (id serial PRIMARY KEY, name varchar, config_id integer, state varchar, start_at timestamp, create_date timestamp);
    CREATE TABLE pos_order (id serial PRIMARY KEY, name varchar, pos_reference varchar, session_id integer, state varchar, date_order timestamp, create_date timestamp);
    INSERT INTO pos_config (name) VALUES ('Shop');
    INSERT INTO pos_session (name, config_id, state, start_at, create_date) VALUES ('POS/00001', 1, 'opened', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC');
    ${orders(1, 1, 20)};
  `);
}, 300_000);
afterAll(async () => {
  await removeTenant(fleet.services, hostId, TENANT).catch(() => {});
  await fleet.close();
});

describe('restoring a tenant with a point of sale', () => {
  it('names the open sessions before, and after the restore the orders it lost and the names Odoo gives out again', async () => {
    const backup = await fleet.call('backups.create', { hostId, name: TENANT });
    expect((await fleet.services.jobs.wait(backup.jobId)).error ?? null).toBeNull();
    // After the backup: a second session and 30 more orders, 10 in the first session and 20 in the second.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await asTenant(`
      INSERT INTO pos_session (name, config_id, state, start_at, create_date) VALUES ('POS/00002', 1, 'opened', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC');
      ${orders(1, 21, 10)};
      ${orders(2, 31, 20)};
    `);

    const before = await fleet.call('tenants.posActivity', { hostId, name: TENANT });
    expect(before).toMatchObject({ installed: true, openSessions: [{ name: 'POS/00001', config: 'Shop', state: 'opened', orders: 30 }, { name: 'POS/00002', orders: 20 }] });
    expect(Date.parse(before.lastOrderAt!)).toBeGreaterThan(Date.now() - 600_000);

    const restored = await fleet.services.jobs.wait((await fleet.call('backups.restore', { hostId, name: TENANT, confirm: TENANT, withoutUndo: TENANT, backupId: backup.backupId })).jobId);
    expect(restored.error ?? null).toBeNull();
    const pos = (restored as { result?: { pos?: PosOrdersAfterBackup } }).result?.pos;
    expect(pos).toMatchObject({ count: 30, lostSessions: ['POS/00002'] });
    expect(pos!.orders.map((o) => o.reference)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `Order 00001-001-${String(21 + i).padStart(4, '0')}`),
      ...Array.from({ length: 20 }, (_, i) => `Order 00002-001-${String(31 + i).padStart(4, '0')}`),
    ]);
    expect(pos!.reissuedNames).toEqual(Array.from({ length: 30 }, (_, i) => `Shop/${String(21 + i).padStart(4, '0')}`));

    const after = await fleet.call('tenants.posActivity', { hostId, name: TENANT });
    expect(after.openSessions).toEqual([expect.objectContaining({ name: 'POS/00001', orders: 20 })]);
  });

  it('says nothing of a point of sale for a tenant without one', async () => {
    await asTenant('DROP TABLE pos_order; DROP TABLE pos_session;');
    expect(await fleet.call('tenants.posActivity', { hostId, name: TENANT })).toEqual({ installed: false, openSessions: [], lastOrderAt: null });
  });
});
