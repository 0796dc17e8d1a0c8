import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchiveLoader } from '../../electron/postgres/archive-loader.js';
import { dropThrowawayRole } from '../../electron/postgres/throwaway-roles.js';
import { connectPostgres, withPostgres } from '../../electron/postgres/pg-over-ssh.js';
import { addTestbedHostWithDb, createTestConsole, removeTenant, type TestConsole } from '../support/console.js';
import { handMadeOdooDatabase } from '../support/hand-made-odoo.js';
import { getTestbed } from '../support/testbed.js';

// A tenant that attacks the console: its database hides code everywhere the console reads or
// writes — a view in front of ir_module_module and a shadowed to_regclass() (reached through the
// database's own search_path), triggers on ir_cron and ir_config_parameter — code that drops
// back from any role it was given, then tries to become superuser and to run a program on the
// database host. Every job of the console then runs against it, and archives carrying psql
// meta-commands and role changes are restored into it. Afterwards nobody gained anything.

const testbed = getTestbed();
const CLI = { actor: 'operator', role: 'admin' as const, transport: 'cli' as const };
const TENANT = 'it-hostile';
const DB = 'it_hostile';
const ROLE = 'odoo_it_hostile';
const LOOSE = { prefix: 'it-loose', role: 'it_loose_owner', database: 'it_loose_db', password: crypto.randomBytes(18).toString('base64url') };
// Where a program run by the database server would leave its mark (the testbed's server runs here).
const MARKER = path.join(os.tmpdir(), `fleet-hostile-${crypto.randomBytes(6).toString('hex')}`);
const [image, tag] = testbed.images.odoo.split(':') as [string, string];
let fleet: TestConsole;
let hostId: string;
let scratchDir: string;

/** The trap: whatever role runs it drops back to its session's user and reaches for more. */
const TRAP = (role: string) => `
  CREATE SCHEMA trap;
  CREATE TABLE trap.sprung (at timestamptz DEFAULT now(), by_user text, session_user_name text, superuser boolean);
  GRANT ALL ON SCHEMA trap TO PUBLIC;
  GRANT ALL ON trap.sprung TO PUBLIC;
  CREATE FUNCTION trap.spring() RETURNS boolean LANGUAGE plpgsql AS $f$
  BEGIN
    BEGIN EXECUTE 'RESET ROLE'; EXCEPTION WHEN OTHERS THEN NULL; END;
    BEGIN EXECUTE 'ALTER ROLE ${role} SUPERUSER'; EXCEPTION WHEN OTHERS THEN NULL; END;
    BEGIN EXECUTE 'GRANT pg_execute_server_program TO ${role}'; EXCEPTION WHEN OTHERS THEN NULL; END;
    BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch ${MARKER}'''; EXCEPTION WHEN OTHERS THEN NULL; END;
    BEGIN
      INSERT INTO trap.sprung (by_user, session_user_name, superuser) VALUES (current_user, session_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user));
    EXCEPTION WHEN OTHERS THEN NULL; END;
    RETURN true;
  END $f$;
  CREATE FUNCTION trap.on_write() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN PERFORM trap.spring(); RETURN NEW; END $f$;
  CREATE TRIGGER trap BEFORE INSERT OR UPDATE ON public.ir_cron FOR EACH ROW EXECUTE FUNCTION trap.on_write();
  CREATE TRIGGER trap BEFORE INSERT OR UPDATE ON public.ir_config_parameter FOR EACH ROW EXECUTE FUNCTION trap.on_write();
  CREATE VIEW trap.ir_module_module AS SELECT * FROM public.ir_module_module WHERE trap.spring();
  CREATE FUNCTION trap.to_regclass(text) RETURNS regclass LANGUAGE plpgsql AS $f$ BEGIN PERFORM trap.spring(); RETURN pg_catalog.to_regclass($1); END $f$;
`;

beforeAll(async () => {
  scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-hostile-archives-'));
  fleet = createTestConsole();
  hostId = await addTestbedHostWithDb(fleet, testbed);
  await succeeded(fleet.call('tenants.create', { name: TENANT, hostId, domain: 'shops.test', image, tag, modules: ['sale'] }));
  await plantTraps(DB, ROLE);
}, 300_000);

afterAll(async () => {
  for (const name of [TENANT, `${TENANT}-staging`, 'it-loose']) await removeTenant(fleet.services, hostId, name).catch(() => {});
  const d = fleet.services.docker.client(fleet.services.hosts.endpoint(hostId));
  for (const v of ['it-loose-data', 'it-loose-secrets']) await d.getVolume(v).remove({ force: true }).catch(() => {});
  await asAdmin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${LOOSE.database} WITH (FORCE)`);
    for (const role of [LOOSE.role, 'odoo_it_loose']) await c.query(`DROP ROLE IF EXISTS ${role}`);
  }).catch(() => {});
  fs.rmSync(MARKER, { force: true });
  fs.rmSync(scratchDir, { recursive: true, force: true });
  await fleet.close();
});

function asAdmin<T>(fn: Parameters<typeof withPostgres<T>>[2], database?: string): Promise<T> {
  const target = fleet.services.hosts.dbTarget(hostId)!;
  return withPostgres(fleet.services.pool, database ? { ...target, database } : target, fn);
}

async function succeeded(started: Promise<{ jobId: string }>) {
  const job = await fleet.services.jobs.wait((await started).jobId);
  expect(job.error ?? null).toBeNull();
  return job;
}

/**
 * Plants the traps as the database's owner (the tenant's own rights), puts them in front of
 * pg_catalog through the database's search_path, then proves they are armed: an admin session
 * that trusted the database's settings would become the tenant's way up.
 */
async function plantTraps(database: string, role: string): Promise<void> {
  await asAdmin(async (c) => {
    await c.query(`SET ROLE ${role}`);
    await c.query(TRAP(role));
    await c.query(`ALTER DATABASE ${database} SET search_path = trap, pg_catalog, public`);
  }, database);
  await asAdmin((c) => c.query("SELECT to_regclass('public.ir_cron')"), database); // an admin falling into it
  expect(fs.existsSync(MARKER)).toBe(true);
  expect(await roleRights(role)).toMatchObject({ superuser: true });
  fs.rmSync(MARKER);
  await asAdmin(async (c) => {
    await c.query(`ALTER ROLE ${role} NOSUPERUSER`);
    await c.query(`REVOKE pg_execute_server_program FROM ${role}`);
  });
  await asAdmin((c) => c.query('TRUNCATE trap.sprung'), database);
}

async function roleRights(role: string) {
  return asAdmin(async (c) => {
    const { rows } = await c.query(
      `SELECT rolsuper AS superuser, rolcreaterole AS createrole, rolcreatedb AS createdb, rolreplication AS replication, rolbypassrls AS bypassrls,
              (SELECT count(*)::int FROM pg_auth_members m WHERE m.member = r.oid) AS memberships, rolpassword AS verifier
         FROM pg_authid r WHERE rolname = $1`,
      [role],
    );
    return rows[0] as { superuser: boolean; createrole: boolean; createdb: boolean; replication: boolean; bypassrls: boolean; memberships: number; verifier: string };
  });
}

/** Nobody gained a right, no program ran on the database host, no throw-away role of the tenant's is left. */
async function expectNothingGained(role = ROLE): Promise<void> {
  expect(fs.existsSync(MARKER)).toBe(false);
  expect(await roleRights(role)).toMatchObject({ superuser: false, createrole: false, createdb: false, replication: false, bypassrls: false, memberships: 0 });
  const leftovers = await asAdmin((c) =>
    c.query(
      `SELECT rolname FROM pg_roles r WHERE rolname LIKE 'fleet\\_tmp\\_%'
          AND (pg_has_role(r.oid, $1, 'MEMBER') OR shobj_description(r.oid, 'pg_authid') LIKE '%' || to_json($1::text)::text || '%')`,
      [role],
    ),
  );
  expect(leftovers.rows).toEqual([]);
}

const tenantSql = (sql: string, database = DB) => asAdmin(async (c) => (await c.query(sql)).rows, database);

describe('a hostile tenant', () => {
  it('is backed up, verified and restored as a neutralized copy without gaining anything', async () => {
    const backup = await fleet.call('backups.create', { hostId, name: TENANT });
    await succeeded(Promise.resolve(backup));
    await expectNothingGained();

    const verify = await fleet.call('backups.verify', { hostId, name: TENANT, backupId: backup.backupId });
    await succeeded(Promise.resolve(verify));
    expect((await fleet.call('jobs.get', { id: verify.jobId })).result).toMatchObject({ verdict: { ok: true } });
    await expectNothingGained();

    await succeeded(fleet.call('backups.restore', { hostId, name: TENANT, confirm: TENANT, backupId: backup.backupId, copy: true, neutralize: true }));
    await expectNothingGained();
    // The traps did fire — during copy and neutralize, in the restored copy — with no more than
    // the tenant's rights: the session was a throw-away member of the tenant's role.
    const sprung = (await tenantSql('SELECT DISTINCT session_user_name, superuser FROM trap.sprung')) as Array<{ session_user_name: string; superuser: boolean }>;
    expect(sprung.length).toBeGreaterThan(0);
    for (const s of sprung) expect(s).toMatchObject({ session_user_name: expect.stringMatching(/^fleet_tmp_/), superuser: false });
    expect(await tenantSql('SELECT count(*)::int AS n FROM ir_cron WHERE active')).toEqual([{ n: 0 }]);
  });

  it('is cloned to staging and updated with a trial without gaining anything', async () => {
    await succeeded(fleet.call('tenants.clone', { hostId, name: TENANT, ttlHours: 1 }));
    await expectNothingGained();
    await expectNothingGained(`${ROLE}_staging`);
    await succeeded(fleet.call('tenants.removeStaging', { hostId, name: `${TENANT}-staging` }));
    await succeeded(fleet.call('tenants.update', { hostId, name: TENANT, modules: ['sale'] }));
    await expectNothingGained();
    expect(await fleet.call('tenants.show', { hostId, name: TENANT })).toMatchObject({ state: 'running', health: { ok: true } });
  });

  it('confines an archive loader to its scratch database: the live database and fleet refuse it', async () => {
    const server = fleet.services.hosts.dbTarget(hostId)!;
    const scratch = { database: `${DB}__probe`, role: ROLE };
    await asAdmin((c) => c.query(`CREATE DATABASE ${scratch.database} OWNER ${ROLE}`));
    try {
      const loader = await openArchiveLoader(fleet.services.pool, server, scratch);
      const as = (database: string) => connectPostgres(fleet.services.pool, { ...server, user: loader.login.user, password: loader.login.password, database });
      for (const database of [DB, 'fleet']) await expect(as(database)).rejects.toMatchObject({ code: 'POSTGRES_AUTH_FAILED' });
      const inside = await as(scratch.database);
      await inside.query('CREATE TABLE made_by_the_loader (v int)');
      await inside.end();
      await loader.finish();
      const owners = await asAdmin((c) => c.query("SELECT pg_get_userbyid(d.datdba) AS db, (SELECT tableowner FROM pg_tables WHERE tablename = 'made_by_the_loader') AS t FROM pg_database d WHERE datname = current_database()"), scratch.database);
      expect(owners.rows[0]).toEqual({ db: ROLE, t: ROLE });
      await expectNothingGained();
    } finally {
      await asAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${scratch.database} WITH (FORCE)`));
    }
  });

  it("lets no other role connect to a tenant's database or to fleet", async () => {
    const server = fleet.services.hosts.dbTarget(hostId)!;
    const other = { user: 'it_hostile_neighbour', password: crypto.randomBytes(12).toString('hex') };
    await asAdmin((c) => c.query(`CREATE ROLE ${other.user} LOGIN PASSWORD ${c.escapeLiteral(other.password)}`));
    try {
      const as = (database: string) => connectPostgres(fleet.services.pool, { ...server, ...other, database });
      for (const database of [DB, 'fleet']) await expect(as(database)).rejects.toMatchObject({ code: 'POSTGRES_AUTH_FAILED', message: expect.stringMatching(/may not connect/) });
      // Nor create anything in the maintenance database.
      const maintenance = await as('postgres');
      await expect(maintenance.query('CREATE TABLE public.planted (v int)')).rejects.toMatchObject({ code: '42501' });
      await maintenance.end();
    } finally {
      await asAdmin((c) => c.query(`DROP ROLE IF EXISTS ${other.user}`));
    }
  });

  it('refuses archives that carry psql meta-commands, and role changes get nowhere', async () => {
    const before = { verifier: (await roleRights(ROLE)).verifier, params: await tenantSql('SELECT key, value FROM ir_config_parameter ORDER BY key') };
    const dumps: Array<[string, string, RegExp]> = [
      ['shell', `SELECT 1;\n\\! touch ${MARKER}\n`, /ARCHIVE_INVALID/],
      ['shell mid-line', `SELECT 1; \\! touch ${MARKER}\n`, /ARCHIVE_INVALID/],
      ['connect to the live database', `\\connect ${DB}\nUPDATE ir_config_parameter SET value = 'pwned';\n`, /ARCHIVE_INVALID/],
      ['connect to fleet', "\\connect fleet\nDELETE FROM fleet_audit;\n", /ARCHIVE_INVALID/],
      ['copy to a program', `\\copy (SELECT 1) to program 'touch ${MARKER}'\n`, /ARCHIVE_INVALID/],
      ['set role', `SET ROLE ${ROLE};\nUPDATE ir_config_parameter SET value = 'pwned';\n`, /COMMAND_FAILED/],
      ['reset role and take the password', `RESET ROLE;\nALTER ROLE ${ROLE} PASSWORD 'pwned';\n`, /COMMAND_FAILED/],
      // As the scratch copy's owner: settings that would bind the admin's sessions there, a
      // template flag that would make it undroppable, no connections, then a failure.
      ['owner settings', `ALTER DATABASE ${DB}__restore IS_TEMPLATE true;\nALTER DATABASE ${DB}__restore SET default_transaction_read_only = on;\nALTER DATABASE ${DB}__restore SET role = ${ROLE};\nALTER DATABASE ${DB}__restore CONNECTION LIMIT 0;\nGRANT CONNECT ON DATABASE ${DB}__restore TO PUBLIC;\nSELECT 1/0;\n`, /COMMAND_FAILED/],
    ];
    for (const [what, dump, expected] of dumps) {
      const file = path.join(scratchDir, `${what.replace(/\W+/g, '-')}.zip`);
      execFileSync('/usr/bin/python3', ['-c', 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],"w"); z.writestr("dump.sql", sys.argv[2]); z.writestr("manifest.json","{}"); z.close()', file, dump]);
      const job = await fleet.services.jobs.wait((await fleet.call('backups.restore', { hostId, name: TENANT, confirm: TENANT, file }, CLI)).jobId);
      expect(`${what}: ${job.error?.code}`).toMatch(new RegExp(`${what}: ${expected.source}`));
      expect(job.error).toMatchObject({ step: 'load-dump' });
    }
    await expectNothingGained();
    expect((await roleRights(ROLE)).verifier).toBe(before.verifier);
    expect(await tenantSql('SELECT key, value FROM ir_config_parameter ORDER BY key')).toEqual(before.params);
    // No scratch copy left; the first test's restore kept the data it replaced, refusing logins.
    expect(await tenantSql("SELECT datname, datallowconn FROM pg_database WHERE datname LIKE 'it\\_hostile\\_\\_%'", 'postgres')).toEqual([{ datname: `${DB}__previous`, datallowconn: false }]);
    expect(await fleet.call('tenants.show', { hostId, name: TENANT })).toMatchObject({ state: 'running', health: { ok: true } });
  });

  it('holds up no job by keeping the throw-away roles made for it from being dropped', async () => {
    // The tenant, in a transaction it never commits, grants something to every throw-away role
    // that appears: dropping one then waits for that transaction.
    const attacker = await connectPostgres(fleet.services.pool, { ...fleet.services.hosts.dbTarget(hostId)!, database: DB });
    const granted = new Set<string>();
    let attacking = true;
    await attacker.query(`SET ROLE ${ROLE}`);
    await attacker.query('BEGIN');
    const loop = (async () => {
      while (attacking) {
        const { rows } = await attacker.query<{ rolname: string }>("SELECT rolname FROM pg_catalog.pg_roles WHERE rolname LIKE 'fleet\\_tmp\\_%'");
        for (const { rolname } of rows) {
          if (granted.has(rolname)) continue;
          granted.add(rolname);
          await attacker.query(`GRANT SELECT ON public.ir_cron TO ${attacker.escapeIdentifier(rolname)}`).catch(() => {});
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      await succeeded(fleet.call('backups.create', { hostId, name: TENANT }));
      expect(granted.size).toBeGreaterThan(0); // the attack did reach the job's roles
    } finally {
      attacking = false;
      await loop;
      await attacker.query('ROLLBACK').catch(() => {});
      await attacker.end();
    }
    // What was left behind goes once the tenant lets go (as the sweep would after its expiry).
    for (const role of granted) await dropThrowawayRole(fleet.services.pool, fleet.services.hosts.dbTarget(hostId)!, role, ROLE);
    await expectNothingGained();
  });

  it('is decommissioned with a drilled final archive without gaining anything', async () => {
    await succeeded(fleet.call('tenants.decommission', { hostId, name: TENANT, confirm: TENANT }));
    expect(fs.existsSync(MARKER)).toBe(false);
    expect(await asAdmin((c) => c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [ROLE]))).toMatchObject({ rowCount: 0 });
  });
});

describe('a hostile database nobody adopted yet', () => {
  it('is found by reading the catalogs only, and adopted without running its code', async () => {
    await handMadeOdooDatabase(fleet, testbed, hostId, LOOSE);
    await plantTraps(LOOSE.database, LOOSE.role);
    const item = (await fleet.call('tenants.reconcile', { hostId })).items.find((i) => i.id === `adoptable-database:${LOOSE.database}`);
    expect(item).toMatchObject({ kind: 'adoptable-database', role: LOOSE.role });
    await expectNothingGained(LOOSE.role);

    // A table someone else owns would stay theirs: the tenant could not read or back it up.
    await asAdmin((c) => c.query('CREATE TABLE public.not_the_owners (v int)'), LOOSE.database);
    const refused = await fleet.services.jobs.wait((await fleet.call('tenants.adopt', { kind: 'database', hostId, name: 'it-loose', database: LOOSE.database, image, tag, domain: 'shops.test' })).jobId);
    expect(refused.error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/owned by roles other than its owner/) });
    await asAdmin((c) => c.query('DROP TABLE public.not_the_owners'), LOOSE.database);
    await succeeded(fleet.call('tenants.adopt', { kind: 'database', hostId, name: 'it-loose', database: LOOSE.database, image, tag, domain: 'shops.test' }));
    await expectNothingGained('odoo_it_loose');
    expect(await asAdmin((c) => c.query('SELECT count(*)::int AS n FROM trap.sprung WHERE superuser'), LOOSE.database)).toMatchObject({ rows: [{ n: 0 }] });
    expect(await fleet.call('tenants.show', { hostId, name: 'it-loose' })).toMatchObject({ state: 'running', health: { ok: true } });
  });
});
