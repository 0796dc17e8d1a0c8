import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelHttpClient } from '../../electron/docker/channel-http.js';
import { JobRegistry, JobRunner } from '../../electron/jobs/index.js';
import { withPostgres } from '../../electron/postgres/pg-over-ssh.js';
import { names } from '../../electron/tenant-parts/containers.js';
import { createTenantJob } from '../../electron/tenants/create-job.js';
import { resolveTenantSpec, TenantSpecInput, type TenantSpec } from '../../shared/tenants.js';
import { addTestbedHost, createTestConsole, removeTenant, testbedDbServer, type TestConsole } from '../support/console.js';
import { getTestbed } from '../support/testbed.js';

const testbed = getTestbed();
let fleet: TestConsole;
let runner: JobRunner;
let hostId: string;
let job: ReturnType<typeof createTenantJob>;

beforeAll(async () => {
  fleet = createTestConsole();
  const host = await addTestbedHost(fleet, testbed, 'alpha', {
    dbServer: testbedDbServer(testbed),
  });
  hostId = host.id;
  const { pool, docker, hosts, vault, db } = fleet.services;
  job = createTenantJob({ pool, docker, hosts, vault });
  const registry = new JobRegistry();
  registry.register(job);
  runner = new JobRunner({ store: db, registry });
});
afterAll(async () => {
  await removeTenant(fleet.services, hostId, 'it-acme');
  await fleet.close();
});

function spec(name: string, overrides: Partial<TenantSpecInput> = {}): TenantSpec {
  const [repository, tag] = testbed.images.odoo.split(':');
  return resolveTenantSpec(TenantSpecInput.parse({ name, hostId, domain: 'shops.test', image: repository, tag, modules: ['sale'], ...overrides }));
}

async function docker() {
  return fleet.services.docker.client(fleet.services.hosts.endpoint(hostId));
}

async function authenticate(tenant: TenantSpec, password: string): Promise<boolean> {
  const info = await (await docker()).getContainer(names(tenant).server).inspect();
  const ip = Object.values(info.NetworkSettings.Networks)[0]!.IPAddress;
  const http = new ChannelHttpClient(async () => (await fleet.services.pool.session(hostId)).forwardTcp(ip, 8069), { maxIdle: 0 });
  const body = JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 1, params: { db: tenant.database, login: 'admin', password } });
  const response = await http.request({ method: 'POST', path: '/web/session/authenticate', headers: { 'Content-Type': 'application/json' }, body });
  return !('error' in JSON.parse(response.body.toString()));
}

async function serverRunning(name: string): Promise<boolean> {
  return (await (await docker()).getContainer(`fleet-${name}`).inspect()).State.Running;
}

async function finished(jobId: Promise<{ jobId: string }>) {
  return fleet.services.jobs.wait((await jobId).jobId);
}

describe('creating a tenant', () => {
  it('runs every step for real and leaves a healthy, labelled, secured Odoo', async () => {
    const tenant = spec('it-acme');
    const id = runner.runJob(job, { spec: tenant }, { actor: 'test' });
    const done = await runner.wait(id);
    expect(done.error ?? null).toBeNull();
    expect(done.state).toBe('succeeded');
    expect(done.steps.map((s) => s.state)).toEqual(done.steps.map(() => 'done'));

    const info = await (await docker()).getContainer(names(tenant).server).inspect();
    expect(info.State.Running).toBe(true);
    expect(info.Config.Labels).toMatchObject({ 'fleet.tenant': 'it-acme', 'fleet.host': hostId, 'traefik.http.routers.fleet-it-acme.rule': 'Host(`it-acme.shops.test`)' });
    expect(info.HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
    expect(info.HostConfig.PortBindings ?? {}).toEqual({});
    // Its own network first; the testbed's server lives on a network of its own, which tenants join too (not isolated).
    expect(info.HostConfig.NetworkMode).toBe('fleet-it-acme-net');
    expect(Object.keys(info.NetworkSettings.Networks).sort()).toEqual(['fleet-it-acme-net', testbed.dockerNetwork.name].sort());
    expect((await fleet.call('hosts.get', { id: hostId })).isolation).toBe('shared-network');
    // No password in the environment or on the command line.
    expect(JSON.stringify([info.Config.Env, info.Config.Cmd, info.Args])).not.toMatch(/PASSWORD=/);
    // Odoo runs directly, reading its 0400 config: the official image's entrypoint script would
    // turn the password into a --db_password argument in the host's process list.
    expect(info.Config.Entrypoint).toEqual(['odoo']);
    const processes = JSON.stringify((await (await docker()).getContainer(names(tenant).server).top()).Processes);
    expect(processes).toMatch(/odoo/);
    expect(processes).not.toMatch(/db_password|PASSWORD/);

    // The generated admin password is shown once, and works; Odoo's default admin/admin never did.
    const { password: adminPassword } = await fleet.call('tenants.credentials', { jobId: id });
    await expect(fleet.call('tenants.credentials', { jobId: id })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(JSON.stringify(fleet.services.audit.list(50))).not.toContain(adminPassword);
    expect(await authenticate(tenant, 'admin')).toBe(false);
    expect(await authenticate(tenant, adminPassword)).toBe(true);

    const modules = await withPostgres(fleet.services.pool, { ...fleet.services.hosts.dbTarget(hostId)!, database: tenant.database }, (client) =>
      client.query<{ name: string }>("SELECT name FROM ir_module_module WHERE state = 'installed' ORDER BY name"),
    );
    expect(modules.rows.map((r) => r.name)).toEqual(expect.arrayContaining(['base', 'sale']));
  });

  it('lists it from the host, and stops, starts, restarts, suspends and reactivates it', async () => {
    const tenant = spec('it-acme');
    expect(await fleet.call('tenants.list', { hostId })).toEqual([expect.objectContaining({ name: 'it-acme', state: 'running', publicHost: 'it-acme.shops.test' })]);
    const ref = { hostId, name: 'it-acme' };
    expect((await finished(fleet.call('tenants.stop', ref))).state).toBe('succeeded');
    expect(await serverRunning('it-acme')).toBe(false);
    expect((await finished(fleet.call('tenants.start', ref))).state).toBe('succeeded');
    expect(await serverRunning('it-acme')).toBe(true);
    const before = (await (await docker()).getContainer('fleet-it-acme').inspect()).State.StartedAt;
    expect((await finished(fleet.call('tenants.restart', ref))).state).toBe('succeeded');
    expect((await (await docker()).getContainer('fleet-it-acme').inspect()).State.StartedAt).not.toBe(before);

    expect((await finished(fleet.call('tenants.suspend', ref))).state).toBe('succeeded');
    expect(await serverRunning('it-acme')).toBe(false);
    const canLogin = async () =>
      withPostgres(fleet.services.pool, fleet.services.hosts.dbTarget(hostId)!, async (c) => (await c.query<{ ok: boolean }>('SELECT rolcanlogin AS ok FROM pg_roles WHERE rolname = $1', [tenant.role])).rows[0]!.ok);
    expect(await canLogin()).toBe(false);
    expect((await finished(fleet.call('tenants.reactivate', ref))).state).toBe('succeeded');
    expect(await canLogin()).toBe(true);
    expect(await serverRunning('it-acme')).toBe(true);
    // Support staff may restart, but not suspend.
    await expect(fleet.call('tenants.suspend', ref, { actor: 'helpdesk', role: 'support', transport: 'internal' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('measures its database, filestore, CPU and memory', async () => {
    const figures = await fleet.call('tenants.figures', { hostId, name: 'it-acme' });
    expect(figures.databaseBytes).toBeGreaterThan(1_000_000); // an initialised PostgreSQL database
    expect(figures.filestoreBytes).toBeGreaterThan(0); // the stand-in writes attachments there
    expect(figures.memoryBytes).toBeGreaterThan(0);
    expect(figures.cpuPercent).toBeGreaterThanOrEqual(0);
  });

  it("shows and follows the tenant's log", async () => {
    const { lines } = await fleet.call('tenants.logs', { hostId, name: 'it-acme', tail: 50 });
    expect(lines.join('\n')).toMatch(/GET \/web\/health/);
    // Followed as the UIs and the CLI follow it: the lines after the newest timestamp seen.
    const since = lines.at(-1)!.split(' ')[0]!;
    await authenticate(spec('it-acme'), 'not the password'); // a request the server logs
    const seen: string[] = [];
    const deadline = Date.now() + 30_000;
    while (!seen.some((line) => line.includes('/web/session/authenticate')) && Date.now() < deadline) {
      seen.push(...(await fleet.call('tenants.logs', { hostId, name: 'it-acme', since, tail: 500 })).lines);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(seen.some((line) => line.includes('/web/session/authenticate'))).toBe(true);
  });

  it('refuses a second tenant with the same name before touching anything', async () => {
    const id = runner.runJob(job, { spec: spec('it-acme') }, { actor: 'test' });
    const done = await runner.wait(id);
    expect(done.state).toBe('failed');
    expect(done.error).toMatchObject({ code: 'CONFLICT' });
    expect(done.error?.message).toMatch(/Check the host, the name and the image/);
  });

  it('fails cleanly when the image is missing', async () => {
    const id = runner.runJob(job, { spec: spec('it-noimage', { image: 'odoo', tag: 'not-on-this-host' }) }, { actor: 'test' });
    const done = await runner.wait(id);
    expect(done.state).toBe('failed');
    expect(done.error?.message).toMatch(/not on the host/);
    const volumes = await (await docker()).listVolumes({ filters: { label: ['fleet.tenant=it-noimage'] } });
    expect(volumes.Volumes ?? []).toEqual([]);
  });

  it('names the cause when the database server or the host is down', async () => {
    const { port } = fleet.services.hosts.dbTarget(hostId)!;
    fleet.services.db.prepare('UPDATE host_db_servers SET port = 1 WHERE host_id = ?').run(hostId);
    const dbDown = await runner.wait(runner.runJob(job, { spec: spec('it-dbdown') }, { actor: 'test' }));
    fleet.services.db.prepare('UPDATE host_db_servers SET port = ? WHERE host_id = ?').run(port, hostId);
    expect(dbDown).toMatchObject({ state: 'failed', error: { code: 'POSTGRES_UNAVAILABLE' } });

    const sshPort = fleet.services.hosts.get(hostId).port;
    fleet.services.db.prepare('UPDATE hosts SET port = 1 WHERE id = ?').run(hostId);
    fleet.services.pool.invalidate(hostId);
    fleet.services.docker.forget(hostId);
    const hostDown = await runner.wait(runner.runJob(job, { spec: spec('it-hostdown') }, { actor: 'test' }));
    fleet.services.db.prepare('UPDATE hosts SET port = ? WHERE id = ?').run(sshPort, hostId);
    fleet.services.pool.invalidate(hostId);
    fleet.services.docker.forget(hostId);
    expect(hostDown).toMatchObject({ state: 'failed', error: { code: 'CONNECTION_REFUSED' } });
    expect(hostDown.error?.message).toMatch(/Check the host, the name and the image/);
  });

  it('removes everything it made when a later step fails', async () => {
    // An init that cannot log in (a module name Odoo's stand-in rejects is not needed: a wrong
    // tenant network address makes the initialisation fail after database, volumes and secrets exist).
    fleet.services.db.prepare('UPDATE host_db_servers SET tenant_address = ? WHERE host_id = ?').run('127.0.0.1', hostId);
    const tenant = spec('it-broken');
    const done = await runner.wait(runner.runJob(job, { spec: tenant }, { actor: 'test' }));
    fleet.services.db.prepare('UPDATE host_db_servers SET tenant_address = ? WHERE host_id = ?').run(testbed.dockerNetwork.gateway, hostId);
    expect(done.state).toBe('failed');
    expect(done.error?.message).toMatch(/Initialise the database/);
    const d = await docker();
    expect((await d.listContainers({ all: true, filters: { label: ['fleet.tenant=it-broken'] } })).length).toBe(0);
    expect((await d.listVolumes({ filters: { label: ['fleet.tenant=it-broken'] } })).Volumes ?? []).toEqual([]);
    expect(await d.listNetworks({ filters: { label: ['fleet.tenant=it-broken'] } })).toEqual([]);
    expect(done.steps.find((step) => step.name === 'network')?.state).toBe('compensated');
    const leftovers = await withPostgres(fleet.services.pool, fleet.services.hosts.dbTarget(hostId)!, (c) =>
      c.query("SELECT 1 FROM pg_database WHERE datname = 'it_broken' UNION ALL SELECT 1 FROM pg_roles WHERE rolname = 'odoo_it_broken'"),
    );
    expect(leftovers.rowCount).toBe(0);
    expect(fleet.services.db.prepare("SELECT count(*) AS n FROM secrets WHERE purpose LIKE 'tenant-%'").get()).toEqual({ n: 3 }); // it-acme's three only
  });
});
