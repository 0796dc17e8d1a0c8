import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { connectPostgres, type DbServerTarget } from '../../electron/postgres/pg-over-ssh.js';
import { generatePassword } from '../../electron/postgres/scram.js';
import { createTenantDatabase, dropTenantDatabase, setTenantLogin } from '../../electron/tenants/tenant-database.js';
import { addTestbedHost, testbedDbServer, createTestConsole, expectFleetError, type TestConsole } from '../support/console.js';
import { getTestbed } from '../support/testbed.js';

const testbed = getTestbed();
let fleet: TestConsole;
let admin: pg.Client;
let target: DbServerTarget;
const a = { database: 'it_tenant_a', role: 'odoo_it_tenant_a', password: generatePassword() };
const b = { database: 'it_tenant_b', role: 'odoo_it_tenant_b', password: generatePassword() };

beforeAll(async () => {
  fleet = createTestConsole();
  const host = await addTestbedHost(fleet, testbed, 'alpha', {
    dbServer: testbedDbServer(testbed),
  });
  target = fleet.services.hosts.dbTarget(host.id)!;
  admin = await connectPostgres(fleet.services.pool, target);
});
afterAll(async () => {
  for (const t of [a, b]) await dropTenantDatabase(admin, t);
  await admin.end();
  await fleet.close();
});

const as = (tenant: typeof a, database: string) => connectPostgres(fleet.services.pool, { ...target, user: tenant.role, password: tenant.password, database });

describe("a tenant's database", () => {
  it('is owned by its own role, which can use it', async () => {
    await createTenantDatabase(admin, a, a.password);
    await createTenantDatabase(admin, a, a.password); // a re-run after a crash converges
    await createTenantDatabase(admin, b, b.password);
    const client = await as(a, a.database);
    await client.query('CREATE TABLE t (x int)');
    const { rows } = await client.query<{ owner: string; superuser: boolean; createdb: boolean }>(
      "SELECT pg_get_userbyid(datdba) AS owner, r.rolsuper AS superuser, r.rolcreatedb AS createdb FROM pg_database, pg_roles r WHERE datname = current_database() AND r.rolname = current_user",
    );
    expect(rows[0]).toEqual({ owner: a.role, superuser: false, createdb: false });
    await client.end();
  });

  it("refuses tenant A's role on tenant B's database", async () => {
    const error = await expectFleetError(as(a, b.database), 'POSTGRES_AUTH_FAILED');
    expect(error.message).toMatch(/permission denied|not permitted|CONNECT/i);
  });

  it('never sends the plain password to the server', async () => {
    const { rows } = await admin.query<{ rolpassword: string }>('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [a.role]);
    expect(rows[0]!.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(rows[0]!.rolpassword).not.toContain(a.password);
  });

  it('blocks logins while suspended and allows them again', async () => {
    await setTenantLogin(admin, a.role, false);
    await expectFleetError(as(a, a.database), 'POSTGRES_AUTH_FAILED');
    await setTenantLogin(admin, a.role, true);
    await (await as(a, a.database)).end();
  });

  it('drops database and role even with sessions open, idempotently', async () => {
    const open = await as(b, b.database);
    await dropTenantDatabase(admin, b);
    await dropTenantDatabase(admin, b);
    await open.end().catch(() => {});
    const { rowCount } = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [b.role]);
    expect(rowCount).toBe(0);
  });

  it("takes over nothing someone else made between a job's preflight and its creation", async () => {
    // Another actor creates the role (and a database) first; the job's creation refuses them,
    // and its compensation leaves them alone.
    await admin.query(`CREATE ROLE ${admin.escapeIdentifier(b.role)} LOGIN`);
    await expect(createTenantDatabase(admin, b, b.password, 'tenant.create job-1')).rejects.toMatchObject({ code: 'CONFLICT', details: { field: 'role' } });
    await dropTenantDatabase(admin, b, 'tenant.create job-1');
    expect((await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [b.role])).rowCount).toBe(1);
    await admin.query(`DROP ROLE ${admin.escapeIdentifier(b.role)}`);

    // What the job made is marked in the same transaction, so its own re-run converges and its
    // compensation removes it; a database owned by another role is refused.
    await createTenantDatabase(admin, b, b.password, 'tenant.create job-2');
    await createTenantDatabase(admin, b, b.password, 'tenant.create job-2');
    await expect(createTenantDatabase(admin, b, b.password, 'tenant.create job-3')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(createTenantDatabase(admin, { database: b.database, role: a.role }, a.password)).rejects.toMatchObject({ code: 'CONFLICT', details: { field: 'database' } });
    await dropTenantDatabase(admin, b, 'tenant.create job-3'); // not its owner: nothing happens
    expect((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [b.database])).rowCount).toBe(1);
    await dropTenantDatabase(admin, b, 'tenant.create job-2');
    expect((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1 UNION ALL SELECT 1 FROM pg_roles WHERE rolname = $2', [b.database, b.role])).rowCount).toBe(0);
  });
});
