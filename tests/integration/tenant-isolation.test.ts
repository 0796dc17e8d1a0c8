// Tenants that cannot reach each other (issue 18): each tenant on a bridge network of its own with a
// /28 the console allocates from 10.213.0.0/16 (Docker's default pools hold about 31 networks);
// the database server and the proxy join every one. Forty tenants are created through
// tenants.create with the stand-in Odoo image (five at a time: one to two minutes on the 2-core test
// machine), on a managed database server, and probed from inside with python3.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinTenantNetworks } from '../../electron/docker/networks.js';
import { ensureTenantNetwork, parseIpv4Cidr, removeTenantNetwork, TENANT_SUBNET_RANGE, tenantNetworkName } from '../../electron/tenant-parts/tenant-network.js';
import { MANAGED_DB_CONTAINER } from '../../shared/hosts.js';
import { addTestbedHost, createTestConsole, removeTenant, type TestConsole } from '../support/console.js';
import { getTestbed } from '../support/testbed.js';

const testbed = getTestbed();
const run = promisify(execFile);
const TENANTS = Array.from({ length: 40 }, (_, i) => `it-iso-t${String(i).padStart(2, '0')}`);
/** A tenant whose network exists before the database server is set up (a light container as its server). */
const EARLIER = 'it-iso-early';
const DB_NETWORK = 'fleet-it-iso-db';
const DB_VOLUME = 'fleet-it-iso-db-data';
const PROXY = 'it-iso-proxy';
const TEST_LABEL = 'fleet-it.isolation';
let fleet: TestConsole;
let hostId: string;

const docker = (): Docker => fleet.services.docker.client(fleet.services.hosts.endpoint(hostId));

/** Runs python3 in a container of alpha (docker exec, the machine's CLI on alpha's socket); its stdout. */
async function python(container: string, script: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('docker', ['-H', `unix://${testbed.alpha.dockerSocket}`, 'exec', container, 'python3', '-c', script, ...args], { timeout: 60_000 });
  return stdout.trim();
}

/** open, no-name (DNS does not know it) or closed:<why> for a TCP connection from `container`. */
const CONNECT = [
  'import socket, sys',
  'try:',
  '    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3).close(); print("open")',
  'except socket.gaierror: print("no-name")',
  'except Exception as e: print("closed:" + type(e).__name__)',
].join('\n');
const reach = (from: string, host: string, port: number) => python(from, CONNECT, host, String(port));

/** Every host:port at once (threads), as {target: result}, with CONNECT's results. */
const CONNECT_ALL = [
  'import json, socket, sys, concurrent.futures as f',
  'def probe(t):',
  '    host, port = t.rsplit(":", 1)',
  '    try:',
  '        socket.create_connection((host, int(port)), timeout=3).close(); return "open"',
  '    except socket.gaierror: return "no-name"',
  '    except Exception as e: return "closed:" + type(e).__name__',
  'targets = sys.argv[1:]',
  'with f.ThreadPoolExecutor(32) as pool: print(json.dumps(dict(zip(targets, pool.map(probe, targets)))))',
].join('\n');
const reachAll = async (from: string, targets: string[]) => JSON.parse(await python(from, CONNECT_ALL, ...targets)) as Record<string, string>;

/** The HTTP status of /web/health through the proxy, asking for a tenant's public name. */
const THROUGH_PROXY = [
  'import http.client, sys',
  'c = http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]), timeout=15)',
  'c.request("GET", "/web/health", headers={"Host": sys.argv[3]}); print(c.getresponse().status)',
].join('\n');

async function ipOn(container: string, network: string): Promise<string> {
  return (await docker().getContainer(container).inspect()).NetworkSettings.Networks[network]!.IPAddress;
}

async function removeLeftovers(): Promise<void> {
  const d = docker();
  for (const c of await d.listContainers({ all: true, filters: { label: [TEST_LABEL] } })) await d.getContainer(c.Id).remove({ force: true });
  for (const name of [EARLIER, ...TENANTS]) await removeTenantNetwork(fleet.services, hostId, name);
  await d.getContainer(MANAGED_DB_CONTAINER).remove({ force: true, v: false }).catch(() => {});
  for (const v of [DB_VOLUME, `${MANAGED_DB_CONTAINER}-secrets`]) await d.getVolume(v).remove({ force: true }).catch(() => {});
  await d.getNetwork(DB_NETWORK).remove().catch(() => {});
}

beforeAll(async () => {
  fleet = createTestConsole();
  hostId = (await addTestbedHost(fleet, testbed, 'alpha')).id;
  const clash = await docker().listContainers({ all: true, filters: { name: [`^/${MANAGED_DB_CONTAINER}$`] } });
  if (clash.length > 0) throw new Error(`${MANAGED_DB_CONTAINER} already runs on alpha (another test?); this test sets up its own.`);
  await removeLeftovers();
});

afterAll(async () => {
  if (fleet.services.hosts.get(hostId).dbServer) for (const name of TENANTS) await removeTenant(fleet.services, hostId, name).catch(() => {});
  await removeLeftovers();
  await fleet.close();
});

describe('tenants on networks of their own', () => {
  it('sets up the database server after a tenant network exists: it joins it', async () => {
    const network = await ensureTenantNetwork(fleet.services, hostId, EARLIER);
    expect(network).toMatchObject({ name: tenantNetworkName(EARLIER), created: true });
    expect(await ensureTenantNetwork(fleet.services, hostId, EARLIER)).toEqual({ ...network, created: false });
    const light = await docker().createContainer({
      name: `fleet-${EARLIER}`,
      Image: testbed.busyboxImage,
      Labels: { 'fleet.tenant': EARLIER, 'fleet.host': hostId, 'fleet.role': 'server', [TEST_LABEL]: '1' },
      HostConfig: { NetworkMode: network.name },
    });
    await light.start();

    const { jobId } = await fleet.call('hosts.provisionDbServer', { hostId, image: testbed.images.postgres, network: DB_NETWORK, volume: DB_VOLUME });
    expect((await fleet.services.jobs.wait(jobId)).error ?? null).toBeNull();
    const joined = Object.keys((await docker().getContainer(MANAGED_DB_CONTAINER).inspect()).NetworkSettings.Networks);
    expect(joined.sort()).toEqual([DB_NETWORK, network.name].sort());
    expect((await fleet.call('hosts.get', { id: hostId })).isolation).toBe('per-tenant');
  });

  it('gives forty tenants made by tenants.create distinct /28s inside the range, the database server on each', async () => {
    const [image, tag] = testbed.images.odoo.split(':') as [string, string];
    const started = Date.now();
    for (let i = 0; i < TENANTS.length; i += 5) {
      const batch = await Promise.all(TENANTS.slice(i, i + 5).map((name) => fleet.call('tenants.create', { name, hostId, domain: 'shops.test', image, tag, modules: ['sale'] })));
      for (const { jobId } of batch) expect((await fleet.services.jobs.wait(jobId)).error ?? null).toBeNull();
    }
    console.log(`[isolation] ${TENANTS.length} tenants created in ${Math.round((Date.now() - started) / 1000)} s`);

    const networks = await docker().listNetworks({ filters: { label: ['fleet.role=tenant-network', `fleet.host=${hostId}`] } });
    const ours = networks.filter((n) => TENANTS.includes(n.Labels?.['fleet.tenant'] ?? ''));
    expect(ours.map((n) => n.Name).sort()).toEqual(TENANTS.map(tenantNetworkName));
    const subnets = ours.map((n) => n.IPAM?.Config?.[0]?.Subnet ?? '');
    expect(new Set(subnets).size).toBe(40);
    const range = parseIpv4Cidr(TENANT_SUBNET_RANGE)!;
    for (const block of subnets.map((s) => parseIpv4Cidr(s)!)) {
      expect(block.prefix).toBe(28);
      expect(block.base - range.base).toBeGreaterThanOrEqual(0);
      expect(block.base - range.base).toBeLessThan(2 ** 16);
    }
    for (const name of TENANTS) expect(Object.keys((await docker().getContainer(`fleet-${name}`).inspect()).NetworkSettings.Networks)).toEqual([tenantNetworkName(name)]);
    const db = Object.keys((await docker().getContainer(MANAGED_DB_CONTAINER).inspect()).NetworkSettings.Networks);
    expect(db).toEqual(expect.arrayContaining(TENANTS.map(tenantNetworkName)));
  });

  it('keeps every tenant from every other, while each reaches the database server and the proxy reaches each', async () => {
    const [a, b] = TENANTS.map((name) => `fleet-${name}`) as [string, string];
    // A proxy started later joins every tenant network (as the managed proxy does when recreated).
    const proxy = await docker().createContainer({ name: PROXY, Image: testbed.images.nginx, Labels: { 'fleet.role': 'proxy', 'fleet.host': hostId, [TEST_LABEL]: '1' } });
    expect(await joinTenantNetworks(docker(), hostId, proxy.id)).toEqual(expect.arrayContaining([EARLIER, ...TENANTS].map(tenantNetworkName)));
    await proxy.start();

    // From tenant A: none of the 39 others by name or by address, nor the earlier one by address.
    const others = TENANTS.slice(1);
    const addresses = await Promise.all(others.map((name) => ipOn(`fleet-${name}`, tenantNetworkName(name))));
    const byName = await reachAll(a, others.map((name) => `fleet-${name}:8069`));
    const byAddress = await reachAll(a, [...addresses.map((ip) => `${ip}:8069`), `${await ipOn(`fleet-${EARLIER}`, tenantNetworkName(EARLIER))}:8069`]);
    expect(Object.values(byName).filter((r) => r !== 'no-name')).toEqual([]);
    expect(Object.values(byAddress).filter((r) => !r.startsWith('closed:'))).toEqual([]);
    expect(Object.keys(byAddress)).toHaveLength(40);
    // The probe tells open from closed: its own server answers, and so do the shared ones.
    expect(await reach(a, a, 8069)).toBe('open');
    expect(await reach(a, MANAGED_DB_CONTAINER, 5432)).toBe('open');
    expect(await reach(a, PROXY, 8080)).toBe('open');
    // And back: B cannot reach A by address either.
    expect(await reach(b, await ipOn(a, tenantNetworkName(TENANTS[0]!)), 8069)).toMatch(/^closed:/);
    // Through the proxy B is served to A: the proxy reaches every tenant.
    expect(await python(a, THROUGH_PROXY, PROXY, '8080', `${TENANTS[1]}.shops.test`)).toBe('200');
    expect(await python(a, THROUGH_PROXY, PROXY, '8080', `${TENANTS[39]}.shops.test`)).toBe('200');

    const report = await fleet.call('tenants.reconcile', { hostId });
    expect(report.items.filter((i) => i.kind === 'not-isolated' && TENANTS.includes(i.tenant ?? ''))).toEqual([]);
  });

  it('removes the network with the tenant (decommission)', async () => {
    const name = TENANTS[39]!;
    const { jobId } = await fleet.call('tenants.decommission', { hostId, name, confirm: name });
    expect((await fleet.services.jobs.wait(jobId)).error ?? null).toBeNull();
    expect((await docker().listNetworks({ filters: { name: [tenantNetworkName(name)] } })).filter((n) => n.Name === tenantNetworkName(name))).toEqual([]);
    expect(Object.keys((await docker().getContainer(MANAGED_DB_CONTAINER).inspect()).NetworkSettings.Networks)).not.toContain(tenantNetworkName(name));
  });
});
