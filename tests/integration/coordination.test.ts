import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostCoordinator } from '../../electron/coordination/host-coordinator.js';
import { withPostgres } from '../../electron/postgres/pg-over-ssh.js';
import { addTestbedHost, testbedDbServer, createTestConsole, expectFleetError, type TestConsole } from '../support/console.js';
import { getTestbed } from '../support/testbed.js';

const testbed = getTestbed();
const consoles: TestConsole[] = [];
const coordinators: HostCoordinator[] = [];

async function consoleWithCoordinator(): Promise<HostCoordinator> {
  const fleet = createTestConsole();
  consoles.push(fleet);
  const host = await addTestbedHost(fleet, testbed, 'alpha', {
    dbServer: testbedDbServer(testbed),
  });
  const coordinator = new HostCoordinator(fleet.services.pool, fleet.services.hosts.dbTarget(host.id)!);
  coordinators.push(coordinator);
  return coordinator;
}

beforeAll(async () => {
  // Two consoles, each with its own SSH connection and database sessions, set up at once.
  await Promise.all([consoleWithCoordinator(), consoleWithCoordinator()]);
});
afterAll(async () => {
  for (const fleet of consoles) await fleet.close();
});

describe('coordination on the host', () => {
  it('creates the fleet database once, even when consoles race', async () => {
    await Promise.all(coordinators.map((c) => c.ensure()));
    await coordinators[0]!.ensure();
    const fleet = consoles[0]!;
    const [host] = await fleet.call('hosts.list', {});
    const count = await withPostgres(fleet.services.pool, fleet.services.hosts.dbTarget(host!.id)!, async (client) => {
      const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_database WHERE datname = 'fleet'");
      return rows[0]!.n;
    });
    expect(count).toBe(1);
  });

  it('lets one console at a time hold a tenant lock, naming the holder', async () => {
    const [a, b] = coordinators as [HostCoordinator, HostCoordinator];
    const held = await a.lock('tenant:acme', 'console A');
    const conflict = await expectFleetError(b.lock('tenant:acme', 'console B'), 'CONFLICT');
    expect(conflict.message).toContain('console A');
    const other = await b.lock('tenant:other', 'console B'); // other tenants are not blocked
    await held.release();
    const now = await b.lock('tenant:acme', 'console B');
    await now.release();
    await other.release();
  });

  it('frees the lock when the holding console process is killed', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/coordination/hold-lock.ts', 'tenant:killed'], {
      env: { ...process.env, FLEET_TESTBED_DESCRIPTOR: JSON.stringify(testbed) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('LOCKED') && resolve());
      child.once('exit', (code) => reject(new Error(`the child console exited (${code}) before locking`)));
    });
    await expectFleetError(coordinators[0]!.lock('tenant:killed', 'console A'), 'CONFLICT');
    child.kill('SIGKILL');
    let lock = null;
    const deadline = Date.now() + 90_000;
    while (!lock && Date.now() < deadline) {
      lock = await coordinators[0]!.lock('tenant:killed', 'console A').catch(() => null);
      if (!lock) await new Promise((r) => setTimeout(r, 200));
    }
    expect(lock).not.toBeNull();
    await lock!.release();
  });

  it('keeps the host audit trail every console can read, without secrets', async () => {
    const [a, b] = coordinators as [HostCoordinator, HostCoordinator];
    await a.recordAudit({ consoleId: 'console-a', actor: 'alice', role: 'admin', operation: 'tenants.create', target: 'acme', outcome: 'ok', errorCode: null, input: { name: 'acme', mail: { password: 'smtp-secret' } } });
    const entries = await b.audit(10);
    expect(entries[0]).toMatchObject({ consoleId: 'console-a', actor: 'alice', operation: 'tenants.create', target: 'acme', input: { name: 'acme', mail: { password: '[redacted]' } } });
    expect(JSON.stringify(entries)).not.toContain('smtp-secret');
  });

  it("copies every console's audited calls on a host into the host's trail", async () => {
    const [a, b] = consoles as [TestConsole, TestConsole];
    const [hostA] = await a.call('hosts.list', {});
    const [hostB] = await b.call('hosts.list', {});
    // Console A checks the host; console B, which knows the host by another id, sees it.
    await a.call('hosts.check', { id: hostA!.id }, { actor: 'alice@console-a', role: 'admin', transport: 'internal' });
    await a.services.coordinators.flush();
    const seen = await b.call('hosts.audit', { id: hostB!.id, limit: 20 });
    const check = seen.find((e) => e.operation === 'hosts.check' && e.actor === 'alice@console-a');
    expect(check).toMatchObject({ role: 'admin', outcome: 'ok', consoleId: a.services.coordinators.consoleId });
    expect(a.services.coordinators.consoleId).not.toBe(b.services.coordinators.consoleId);
    expect(JSON.stringify(seen)).not.toContain(testbed.postgres.adminPassword);
    // A viewer may read the trail; unaudited reads leave no record.
    const before = seen.length;
    await b.call('hosts.overview', { id: hostB!.id }, { actor: 'viewer', role: 'viewer', transport: 'internal' });
    await b.services.coordinators.flush();
    expect((await b.call('hosts.audit', { id: hostB!.id, limit: 20 }, { actor: 'viewer', role: 'viewer', transport: 'internal' })).length).toBe(before);
  });
});
