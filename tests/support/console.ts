// Test helpers: a console (its real services) in a temporary data directory, and adding
// testbed hosts through the dispatcher exactly as the UIs do.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OperationName, OpInput, OpOutput } from '../../shared/contract.js';
import { FleetError } from '../../shared/errors.js';
import type { HostView } from '../../shared/hosts.js';
import { createConsoleServices, type ConsoleOptions, type ConsoleServices } from '../../electron/console-services.js';
import type { CallContext } from '../../electron/api/dispatcher.js';
import { silentLogger } from '../../electron/common/log.js';
import { withPostgres } from '../../electron/postgres/pg-over-ssh.js';
import { dropKeptDatabase } from '../../electron/backup/restore-job.js';
import { removeTenantNetwork } from '../../electron/tenant-parts/tenant-network.js';
import { dropTenantDatabase } from '../../electron/tenants/tenant-database.js';
import type { TestbedDescriptor } from './testbed.js';

export const FAST_KDF = { N: 2 ** 12, r: 8, p: 1 };
export const ADMIN: CallContext = { actor: 'test-admin', role: 'admin', transport: 'internal' };

export interface TestConsole {
  dir: string;
  services: ConsoleServices;
  call<N extends OperationName>(op: N, input: OpInput<N>, ctx?: CallContext): Promise<OpOutput<N>>;
  close(): Promise<void>;
}

export function createTestConsole(options: Partial<ConsoleOptions> = {}): TestConsole {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-console-'));
  fs.mkdirSync(path.join(dir, 'home', '.ssh'), { recursive: true });
  const services = createConsoleServices({
    dataDir: path.join(dir, 'data'),
    passphrase: 'test passphrase for the vault',
    kdf: FAST_KDF,
    homeDir: path.join(dir, 'home'),
    localUser: 'tester',
    ...options,
  });
  return {
    dir,
    services,
    async call(op, input, ctx = ADMIN) {
      const result = await services.dispatcher.invoke(op, input, ctx);
      if (!result.ok) throw new FleetError(result.error.code as never, result.error.message, result.error.details);
      return result.value as never;
    },
    async close() {
      await services.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A console's bare services for unit tests: a fresh folder as data and home, no passphrase, no log. */
export function openBareConsole(prefix: string): { dir: string; services: ConsoleServices } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, services: createConsoleServices({ dataDir: dir, kdf: FAST_KDF, homeDir: dir, log: silentLogger }) };
}

/** Closes what openBareConsole opened and removes its folder. */
export async function closeBareConsole({ dir, services }: { dir: string; services: ConsoleServices }): Promise<void> {
  await services.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Removes a tenant a test created (until decommission exists): every container labelled with it
 * (server, maintenance page of a suspended tenant, one-off helpers), its volumes and network, then the
 * copy a restore kept, its database and role with the product's own idempotent drops.
 */
export async function removeTenant(services: ConsoleServices, hostId: string, name: string): Promise<void> {
  const docker = services.docker.client(services.hosts.endpoint(hostId));
  const label = [`fleet.tenant=${name}`];
  for (const c of await docker.listContainers({ all: true, filters: { label } })) await docker.getContainer(c.Id).remove({ force: true });
  for (const v of (await docker.listVolumes({ filters: { label } })).Volumes ?? []) await docker.getVolume(v.Name).remove({ force: true });
  await removeTenantNetwork(services, hostId, name);
  const stem = name.replace(/-/g, '_');
  await withPostgres(services.pool, services.hosts.dbTarget(hostId)!, async (admin) => {
    await dropKeptDatabase(admin, stem, `odoo_${stem}`); // what a restore kept for its undo window
    await dropTenantDatabase(admin, { database: stem, role: `odoo_${stem}` });
  });
}

/** The testbed's PostgreSQL as a host's database server, reachable by tenants' containers too. */
export function testbedDbServer(testbed: TestbedDescriptor) {
  return {
    address: '127.0.0.1',
    port: testbed.postgres.port,
    adminUser: testbed.postgres.adminUser,
    password: testbed.postgres.adminPassword,
    tenantAddress: testbed.dockerNetwork.gateway,
    tenantNetwork: testbed.dockerNetwork.name,
    // pg_dump for archives: the testbed's PostgreSQL image, of the server's major version.
    clientImage: 'fleet-testbed/postgres:{major}',
  };
}

/** Probes, checks the fingerprint against the testbed's, and adds the host with the admin key. */
export async function addTestbedHost(
  console: TestConsole,
  testbed: TestbedDescriptor,
  which: 'alpha' | 'beta',
  overrides: Partial<OpInput<'hosts.add'>> = {},
): Promise<HostView> {
  const host = testbed[which];
  const probe = await console.call('hosts.probe', { address: '127.0.0.1', port: host.sshPort });
  if (probe.fingerprint !== host.hostKeyFingerprint) throw new Error(`probe saw ${probe.fingerprint}, testbed says ${host.hostKeyFingerprint}`);
  return console.call('hosts.add', {
    name: which,
    address: '127.0.0.1',
    port: host.sshPort,
    user: testbed.admin.user,
    auth: { kind: 'key', keyPaths: [testbed.admin.keyPath] },
    dockerSocket: host.dockerSocket,
    trustedFingerprint: probe.fingerprint,
    ...overrides,
  });
}

/** Adds the testbed's host with the testbed's PostgreSQL as its database server; the host's id. */
export async function addTestbedHostWithDb(console: TestConsole, testbed: TestbedDescriptor, which: 'alpha' | 'beta' = 'alpha'): Promise<string> {
  return (await addTestbedHost(console, testbed, which, { dbServer: testbedDbServer(testbed) })).id;
}

/** Creates a tenant of the testbed's Odoo image, with the sale module, and waits until its job succeeded. */
export async function createTestTenant(console: TestConsole, testbed: TestbedDescriptor, hostId: string, name: string): Promise<void> {
  const [image, tag] = testbed.images.odoo.split(':') as [string, string];
  const { jobId } = await console.call('tenants.create', { name, hostId, domain: 'shops.test', image, tag, modules: ['sale'] });
  const { error } = await console.services.jobs.wait(jobId);
  if (error) throw new Error(`Creating the tenant ${name} failed: ${error.code}: ${error.message}`);
}

export async function expectFleetError(promise: Promise<unknown>, code: string): Promise<FleetError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FleetError && error.code === code) return error;
    throw new Error(`expected ${code}, got ${error instanceof FleetError ? `${error.code}: ${error.message}` : String(error)}`);
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}

/** The FleetError a synchronous call throws; anything else it throws is thrown on, and no error fails. */
export function thrownFleetError(run: () => unknown): FleetError {
  try {
    run();
  } catch (error) {
    if (error instanceof FleetError) return error;
    throw error;
  }
  throw new Error('expected a FleetError, but the call succeeded');
}
