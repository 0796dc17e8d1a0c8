import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPostgres } from '../../electron/postgres/pg-over-ssh.js';
import type { ReconcileItem } from '../../shared/reconcile.js';
import { addTestbedHostWithDb, createTestConsole, expectFleetError, removeTenant, type TestConsole } from '../support/console.js';
import { handMadeOdooDatabase as handMade } from '../support/hand-made-odoo.js';
import { getTestbed } from '../support/testbed.js';

// Reconcile and adopt on the testbed's alpha host (its tenants reach the testbed PostgreSQL at the
// Docker network's gateway): drift made by hand is reported, cleaned up to nothing, and Odoo
// containers and databases made by hand become labelled, healthy tenants.

const testbed = getTestbed();
let fleet: TestConsole;
let hostId: string;
const [image, tag] = testbed.images.odoo.split(':') as [string, string];
const HAND_PASSWORD = crypto.randomBytes(18).toString('base64url');

beforeAll(async () => {
  fleet = createTestConsole();
  hostId = await addTestbedHostWithDb(fleet, testbed);
});
afterAll(async () => {
  const d = docker();
  for (const name of ['it-rec-gone', 'it-rec-ok', 'it-rec-adopted', 'it-rec-db', 'it-foreign']) await removeTenant(fleet.services, hostId, name).catch(() => {});
  for (const c of ['it-hand-odoo', 'it-hand-init', 'it-hand2-init', 'it-hand-writer', 'it-foreign-odoo']) await d.getContainer(c).remove({ force: true }).catch(() => {});
  for (const v of ['it-hand-data', 'it-hand-secrets', 'it-hand2-data']) await d.getVolume(v).remove({ force: true }).catch(() => {});
  await admin(async (c) => {
    for (const db of ['it_hand_db', 'it_hand2_db']) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    for (const role of ['it_hand_role', 'it_hand2_role', 'odoo_it_rec_db', 'odoo_it_rec_adopted']) await c.query(`DROP ROLE IF EXISTS ${role}`);
  }).catch(() => {});
  await fleet.close();
});

function docker() {
  return fleet.services.docker.client(fleet.services.hosts.endpoint(hostId));
}

function admin<T>(fn: Parameters<typeof withPostgres<T>>[2], database?: string): Promise<T> {
  const target = fleet.services.hosts.dbTarget(hostId)!;
  return withPostgres(fleet.services.pool, database ? { ...target, database } : target, fn);
}

async function createTenant(name: string): Promise<void> {
  const { jobId } = await fleet.call('tenants.create', { name, hostId, domain: 'shops.test', image, tag });
  const job = await fleet.services.jobs.wait(jobId);
  expect(job.error ?? null).toBeNull();
}

async function finished(started: Promise<{ jobId: string }>) {
  const job = await fleet.services.jobs.wait((await started).jobId);
  expect(job.error ?? null).toBeNull();
  expect(job.state).toBe('succeeded');
  return job;
}

async function report(): Promise<ReconcileItem[]> {
  return (await fleet.call('tenants.reconcile', { hostId })).items;
}

async function leftovers(name: string, database: string, role: string) {
  const d = docker();
  const containers = (await d.listContainers({ all: true, filters: { label: [`fleet.tenant=${name}`] } })).map((c) => c.Names[0]);
  const volumes = ((await d.listVolumes({ filters: { label: [`fleet.tenant=${name}`] } })).Volumes ?? []).map((v) => v.Name);
  const pg = await admin((c) => c.query<{ name: string }>('SELECT datname AS name FROM pg_database WHERE datname = $1 UNION ALL SELECT rolname FROM pg_roles WHERE rolname = $2', [database, role]));
  return { containers, volumes, postgres: pg.rows.map((r) => r.name) };
}

/** A role and its database made by hand, initialised by Odoo's own `-i base --stop-after-init`, as create does. */
function handMadeOdooDatabase(prefix: string, role: string, database: string) {
  return handMade(fleet, testbed, hostId, { prefix, role, database, password: HAND_PASSWORD, secretsVolume: 'it-hand-secrets' });
}

describe('reconciling a host', () => {
  it('reports a tenant whose server was removed by hand, and cleans it up to nothing', async () => {
    const secretsBefore = (fleet.services.db.prepare("SELECT count(*) AS n FROM secrets WHERE purpose LIKE 'tenant-%'").get() as { n: number }).n;
    await createTenant('it-rec-gone');
    await docker().getContainer('fleet-it-rec-gone').remove({ force: true });

    const item = (await report()).find((i) => i.id === 'server-missing:it-rec-gone');
    expect(item).toMatchObject({
      kind: 'server-missing',
      tenant: 'it-rec-gone',
      actions: ['cleanup'],
      configPresent: true,
      database: 'it_rec_gone',
      databaseExists: true,
      role: 'odoo_it_rec_gone',
      volumes: expect.arrayContaining(['fleet-it-rec-gone-data', 'fleet-it-rec-gone-secrets']),
      createdHere: expect.any(String),
    });
    expect(item!.suggestion).toMatch(/recreated/);
    // A fingerprint from an older report is refused before anything is removed.
    await expectFleetError(fleet.call('tenants.cleanup', { hostId, item: item!.id, fingerprint: 'not-the-current-one' }), 'CONFLICT');
    // Support staff may not clean up (an admin's action).
    await expectFleetError(fleet.call('tenants.cleanup', { hostId, item: item!.id }, { actor: 'helpdesk', role: 'support', transport: 'internal' }), 'FORBIDDEN');

    await finished(fleet.call('tenants.cleanup', { hostId, item: item!.id, fingerprint: item!.fingerprint }));
    expect(await leftovers('it-rec-gone', 'it_rec_gone', 'odoo_it_rec_gone')).toEqual({ containers: [], volumes: [], postgres: [] });
    expect((fleet.services.db.prepare("SELECT count(*) AS n FROM secrets WHERE purpose LIKE 'tenant-%'").get() as { n: number }).n).toBe(secretsBefore);
    expect((await report()).some((i) => i.tenant === 'it-rec-gone')).toBe(false);
    expect(fleet.services.audit.list(20).map((e) => e.operation)).toEqual(expect.arrayContaining(['tenants.reconcile', 'tenants.cleanup']));
  });

  it('reports a leftover helper container and removes only it; then a tenant whose database was dropped by hand', async () => {
    await createTenant('it-rec-ok');
    const d = docker();
    await d.createContainer({
      name: 'fleet-it-rec-ok-init',
      Image: testbed.images.odoo,
      Entrypoint: ['true'],
      Labels: { 'fleet.tenant': 'it-rec-ok', 'fleet.host': hostId, 'fleet.role': 'init' },
    });
    const helper = (await report()).find((i) => i.id === 'orphan-helper:container:fleet-it-rec-ok-init');
    expect(helper).toMatchObject({ kind: 'orphan-helper', tenant: 'it-rec-ok', actions: ['cleanup'], containers: [expect.objectContaining({ role: 'init' })] });
    await finished(fleet.call('tenants.cleanup', { hostId, item: helper!.id }));
    await expect(d.getContainer('fleet-it-rec-ok-init').inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await fleet.call('tenants.show', { hostId, name: 'it-rec-ok' })).toMatchObject({ state: 'running', health: { ok: true } });

    await admin((c) => c.query('DROP DATABASE it_rec_ok WITH (FORCE)'));
    const missing = (await report()).find((i) => i.id === 'database-missing:it-rec-ok');
    expect(missing).toMatchObject({ kind: 'database-missing', database: 'it_rec_ok', databaseExists: false, role: 'odoo_it_rec_ok' });
    await finished(fleet.call('tenants.cleanup', { hostId, item: missing!.id, fingerprint: missing!.fingerprint }));
    expect(await leftovers('it-rec-ok', 'it_rec_ok', 'odoo_it_rec_ok')).toEqual({ containers: [], volumes: [], postgres: [] });
  });

  it('adopts an unlabelled Odoo container run by hand: recreated with the labels, healthy, the old one gone', async () => {
    const { env, mounts } = await handMadeOdooDatabase('it-hand', 'it_hand_role', 'it_hand_db');
    const d = docker();
    const old = await d.createContainer({
      name: 'it-hand-odoo',
      Image: testbed.images.odoo,
      Cmd: ['odoo', '-d', 'it_hand_db'],
      Env: env,
      HostConfig: { Mounts: mounts, NetworkMode: testbed.dockerNetwork.name, RestartPolicy: { Name: 'unless-stopped' }, Memory: 512 * 2 ** 20 },
    });
    await old.start();
    // The image's own VOLUME gives it an anonymous volume too: the adopted server must keep it.
    const oldMounts = (await old.inspect()).Mounts.map((m) => m.Name).sort();
    expect(oldMounts).toEqual(expect.arrayContaining(['it-hand-data', 'it-hand-secrets']));

    const items = await report();
    const item = items.find((i) => i.id === 'adoptable-container:it-hand-odoo');
    expect(item).toMatchObject({ kind: 'adoptable-container', actions: ['adopt'], database: 'it_hand_db', databaseExists: true, role: 'it_hand_role', evidence: expect.arrayContaining(['port 8069']) });
    // Its database is the container's, not offered separately.
    expect(items.some((i) => i.id === 'adoptable-database:it_hand_db')).toBe(false);
    // Nothing of the environment's values reaches the report.
    expect(JSON.stringify(items)).not.toContain(HAND_PASSWORD);

    await finished(fleet.call('tenants.adopt', { kind: 'container', hostId, name: 'it-rec-adopted', container: 'it-hand-odoo', domain: 'shops.test' }));
    expect(await fleet.call('tenants.list', { hostId })).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'it-rec-adopted', state: 'running', publicHost: 'it-rec-adopted.shops.test' })]));
    const info = await d.getContainer('fleet-it-rec-adopted').inspect();
    expect(info.Config.Labels).toMatchObject({ 'fleet.tenant': 'it-rec-adopted', 'fleet.host': hostId, 'fleet.database': 'it_hand_db', 'fleet.role': 'server', 'traefik.http.routers.fleet-it-rec-adopted.rule': 'Host(`it-rec-adopted.shops.test`)' });
    expect(info.HostConfig).toMatchObject({ RestartPolicy: { Name: 'unless-stopped' }, Memory: 512 * 2 ** 20, NetworkMode: testbed.dockerNetwork.name });
    expect(info.Config.Env).toEqual(expect.arrayContaining(env));
    expect(info.Mounts.map((m) => m.Name).sort()).toEqual(oldMounts);
    expect(await fleet.call('tenants.show', { hostId, name: 'it-rec-adopted' })).toMatchObject({ health: { ok: true }, database: 'it_hand_db', role: 'it_hand_role' });
    await expect(d.getContainer('it-hand-odoo').inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect((await report()).some((i) => i.kind === 'adoptable-container' && i.containers[0]?.name === 'it-hand-odoo')).toBe(false);
  });

  it('adopts a database initialised by hand into a tenant of its own that comes up healthy', async () => {
    await handMadeOdooDatabase('it-hand2', 'it_hand2_role', 'it_hand2_db');
    const item = (await report()).find((i) => i.id === 'adoptable-database:it_hand2_db');
    expect(item).toMatchObject({ kind: 'adoptable-database', actions: ['adopt'], database: 'it_hand2_db', role: 'it_hand2_role' });

    await finished(fleet.call('tenants.adopt', { kind: 'database', hostId, name: 'it-rec-db', database: 'it_hand2_db', image, tag, domain: 'shops.test' }));
    expect(await fleet.call('tenants.show', { hostId, name: 'it-rec-db' })).toMatchObject({ state: 'running', health: { ok: true }, database: 'it_hand2_db', role: 'odoo_it_rec_db' });
    const owners = await admin(
      (c) => c.query<{ db: string; table: string }>("SELECT pg_get_userbyid(d.datdba) AS db, (SELECT tableowner FROM pg_tables WHERE tablename = 'ir_module_module') AS table FROM pg_database d WHERE datname = current_database()"),
      'it_hand2_db',
    );
    expect(owners.rows[0]).toEqual({ db: 'odoo_it_rec_db', table: 'odoo_it_rec_db' });
    expect((await report()).some((i) => i.database === 'it_hand2_db')).toBe(false);
  });

  it("reports another console's labelled container and leaves it alone", async () => {
    const other = crypto.randomUUID();
    const d = docker();
    await d.createContainer({ name: 'it-foreign-odoo', Image: testbed.images.odoo, Entrypoint: ['true'], Labels: { 'fleet.tenant': 'it-foreign', 'fleet.host': other, 'fleet.role': 'server' } });
    const item = (await report()).find((i) => i.kind === 'foreign-host' && i.tenant === 'it-foreign');
    expect(item).toMatchObject({ foreignHostId: other, actions: ['report-only'], containers: [expect.objectContaining({ name: 'it-foreign-odoo' })] });
    await expectFleetError(fleet.call('tenants.cleanup', { hostId, item: item!.id }), 'VALIDATION');
    expect((await d.getContainer('it-foreign-odoo').inspect()).Config.Labels['fleet.host']).toBe(other);
  });
});
