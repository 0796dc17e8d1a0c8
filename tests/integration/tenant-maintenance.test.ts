// Suspend routes a tenant to a maintenance page, verified through a real proxy: Debian's nginx
// (the testbed's nginx image) on the tenant network, passing `Host: <name>.<domain>` to
// `fleet-<name>:8069` with Docker's DNS, as a DNS-based proxy in front of tenants does.
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelHttpClient, type RawResponse } from '../../electron/docker/channel-http.js';
import { withPostgres } from '../../electron/postgres/pg-over-ssh.js';
import { maintenanceName } from '../../electron/tenants/maintenance.js';
import { addTestbedHostWithDb, createTestConsole, removeTenant, type TestConsole } from '../support/console.js';
import { getTestbed } from '../support/testbed.js';

const testbed = getTestbed();
const NAME = 'it-maint';
const PUBLIC_HOST = `${NAME}.shops.test`;
const PROXY = 'fleet-testbed-proxy-it-maint';
/** A second network the server is on, as a proxy's own network would be (internal: no way out). */
const EDGE = 'fleet-testbed-edge-it-maint';
let fleet: TestConsole;
let hostId: string;
let docker: Docker;
let proxy: ChannelHttpClient;

beforeAll(async () => {
  fleet = createTestConsole();
  // Alpha: its tenants reach the testbed's PostgreSQL on the testbed network.
  hostId = await addTestbedHostWithDb(fleet, testbed);
  docker = fleet.services.docker.client(fleet.services.hosts.endpoint(hostId));
  await docker.getContainer(PROXY).remove({ force: true }).catch(() => {});
  const container = await docker.createContainer({
    name: PROXY,
    Image: testbed.images.nginx,
    Labels: { 'odoo-fleet.testbed': testbed.dir }, // removed with the testbed, whatever happens here
    HostConfig: { NetworkMode: testbed.dockerNetwork.name },
  });
  await container.start();
  const ip = (await container.inspect()).NetworkSettings.Networks[testbed.dockerNetwork.name]!.IPAddress;
  // The proxy is asked from the host itself, through the SSH connection: no port is published.
  proxy = new ChannelHttpClient(async () => (await fleet.services.pool.session(hostId)).forwardTcp(ip, 8080), { maxIdle: 0 });
});

afterAll(async () => {
  await docker?.getContainer(PROXY).remove({ force: true }).catch(() => {});
  if (fleet) {
    await removeTenant(fleet.services, hostId, NAME);
    await docker?.getNetwork(EDGE).remove().catch(() => {});
    await fleet.close();
  }
});

const through = (path: string, method = 'GET'): Promise<RawResponse> => proxy.request({ method, path, headers: { Host: PUBLIC_HOST }, timeoutMs: 30_000 });

/** Polls through the proxy until it answers `status` (nginx re-resolves the name every second). */
async function eventually(path: string, status: number): Promise<RawResponse> {
  const deadline = Date.now() + 90_000;
  let last: RawResponse | Error | undefined;
  while (Date.now() < deadline) {
    last = await through(path).catch((error: Error) => error);
    if (!(last instanceof Error) && last.statusCode === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`expected ${status} for ${path} through nginx, last: ${last instanceof Error ? last.message : `${last?.statusCode} ${last?.body.toString().slice(0, 200)}`}`);
}

async function finished(started: Promise<{ jobId: string }>) {
  const job = await fleet.services.jobs.wait((await started).jobId);
  expect(job.error ?? null).toBeNull();
  return job;
}

const canLogin = async (role: string) =>
  withPostgres(fleet.services.pool, fleet.services.hosts.dbTarget(hostId)!, async (c) => (await c.query<{ ok: boolean }>('SELECT rolcanlogin AS ok FROM pg_roles WHERE rolname = $1', [role])).rows[0]!.ok);

const maintenanceContainers = async () => docker.listContainers({ all: true, filters: { label: [`fleet.tenant=${NAME}`, 'fleet.role=maintenance'] } });
const routing = (labels: Record<string, string> | undefined) => Object.fromEntries(Object.entries(labels ?? {}).filter(([key]) => key.startsWith('traefik.')));

describe('suspend routes a tenant to a maintenance page (through nginx)', () => {
  it('serves the tenant through the proxy while it is active', async () => {
    const [image, tag] = testbed.images.odoo.split(':') as [string, string];
    await finished(fleet.call('tenants.create', { name: NAME, hostId, domain: 'shops.test', image, tag, modules: ['sale'] }));
    const health = await eventually('/web/health', 200);
    expect(JSON.parse(health.body.toString())).toEqual({ status: 'pass' });
    // Another Host is not this tenant's.
    expect((await proxy.request({ method: 'GET', path: '/web/health', headers: { Host: 'localhost' } })).statusCode).toBe(404);
    expect(await fleet.call('tenants.list', { hostId })).toEqual([expect.objectContaining({ name: NAME, state: 'running', suspended: false })]);
  });

  it('suspend: 503 with the maintenance page and Retry-After on both ports, the role NOLOGIN', async () => {
    await docker.getNetwork(EDGE).remove().catch(() => {});
    await docker.createNetwork({ Name: EDGE, Internal: true, Labels: { 'odoo-fleet.testbed': testbed.dir } });
    await docker.getNetwork(EDGE).connect({ Container: `fleet-${NAME}` });
    const job = await finished(fleet.call('tenants.suspend', { hostId, name: NAME }));
    expect(job.steps.map((s) => [s.name, s.state])).toEqual([
      ['route-maintenance', 'done'], // (no managed proxy on this host: nothing to switch)
      ['stop', 'done'],
      ['maintenance', 'done'],
      ['block-logins', 'done'],
    ]);
    const page = await eventually('/web/login', 503);
    expect(page.headers['retry-after']).toMatch(/^\d+$/);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body.toString()).toMatch(/temporarily unavailable/i);
    expect(page.body.toString()).toMatch(/maintenance/i);
    expect((await through('/web/dataset/call_kw', 'POST')).statusCode).toBe(503);
    expect((await through('/websocket')).statusCode).toBe(503); // nginx passes /websocket to 8072
    expect(await canLogin(`odoo_${NAME.replace(/-/g, '_')}`)).toBe(false);

    const server = await docker.getContainer(`fleet-${NAME}`).inspect();
    expect(server.State.Running).toBe(false);
    const maintenance = await docker.getContainer(maintenanceName(NAME)).inspect();
    expect(maintenance.State.Running).toBe(true);
    expect(maintenance.Image).toBe(server.Image); // the tenant's own image
    expect(maintenance.Config.Labels).toMatchObject({ 'fleet.tenant': NAME, 'fleet.host': hostId, 'fleet.role': 'maintenance' });
    expect(routing(maintenance.Config.Labels)).toEqual(routing(server.Config.Labels));
    expect(Object.keys(routing(server.Config.Labels))).toContain(`traefik.http.routers.fleet-${NAME}.rule`);
    expect(maintenance.NetworkSettings.Networks[testbed.dockerNetwork.name]?.Aliases).toContain(`fleet-${NAME}`);
    expect(maintenance.NetworkSettings.Networks[EDGE]?.Aliases).toContain(`fleet-${NAME}`);
    expect(maintenance.HostConfig.PortBindings ?? {}).toEqual({});
    expect(maintenance.HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
    expect(maintenance.HostConfig.ReadonlyRootfs).toBe(true);
    expect(maintenance.HostConfig.Memory).toBeGreaterThan(0);
    expect(maintenance.Config.User).toBe(server.Config.User); // the image's user
    expect(await fleet.call('tenants.list', { hostId })).toEqual([expect.objectContaining({ name: NAME, state: 'exited', suspended: true })]);
  });

  it('converges when run again, and a suspended tenant is not started behind the maintenance page', async () => {
    // As if a console died between creating the maintenance container and starting it.
    await docker.getContainer(maintenanceName(NAME)).stop({ t: 1 });
    await finished(fleet.call('tenants.suspend', { hostId, name: NAME }));
    expect(await maintenanceContainers()).toEqual([expect.objectContaining({ State: 'running' })]);
    const start = await fleet.services.jobs.wait((await fleet.call('tenants.start', { hostId, name: NAME })).jobId);
    expect(start).toMatchObject({ state: 'failed', error: { code: 'CONFLICT' } });
    expect(start.error?.message).toMatch(/suspended/);
    expect((await docker.getContainer(`fleet-${NAME}`).inspect()).State.Running).toBe(false);
    expect((await through('/web/health')).statusCode).toBe(503);
  });

  it('reactivate: 200 again through the proxy, no maintenance container left', async () => {
    const job = await finished(fleet.call('tenants.reactivate', { hostId, name: NAME }));
    expect(job.steps.map((s) => s.name)).toEqual(['allow-logins', 'remove-maintenance', 'start', 'route-server']);
    expect(await maintenanceContainers()).toEqual([]);
    const health = await eventually('/web/health', 200);
    expect(JSON.parse(health.body.toString())).toEqual({ status: 'pass' });
    expect(await canLogin(`odoo_${NAME.replace(/-/g, '_')}`)).toBe(true);
    expect(await fleet.call('tenants.list', { hostId })).toEqual([expect.objectContaining({ name: NAME, state: 'running', suspended: false })]);
    // Reactivating an active tenant changes nothing.
    await finished(fleet.call('tenants.reactivate', { hostId, name: NAME }));
    expect((await through('/web/health')).statusCode).toBe(200);
  });

  it('removing the tenant removes its maintenance container too', async () => {
    await finished(fleet.call('tenants.suspend', { hostId, name: NAME }));
    expect(await maintenanceContainers()).toHaveLength(1);
    await removeTenant(fleet.services, hostId, NAME);
    expect(await docker.listContainers({ all: true, filters: { label: [`fleet.tenant=${NAME}`] } })).toEqual([]);
    await eventually('/web/health', 502); // nothing answers to fleet-<name> any more
  });
});
