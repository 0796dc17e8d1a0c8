import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres } from '../../electron/postgres/pg-over-ssh.js';
import { removeContainer, restartSshd, runContainer } from '../../scripts/testbed/control.js';
import { addTestbedHost, createTestConsole, expectFleetError, type TestConsole } from '../support/console.js';
import { getTestbed } from '../support/testbed.js';

const testbed = getTestbed();
let fleet: TestConsole;

beforeAll(() => {
  fleet = createTestConsole();
});
afterAll(async () => {
  await fleet.close();
});

/**
 * Logins the host's sshd accepted for the testbed's admin user, whom the tests' hosts log in as.
 * Other users' logins are not counted: the pool reconnects their hosts in the background (after
 * an sshd restart, the "support" host on alpha comes back a second or more later).
 */
function acceptedLogins(which: 'alpha' | 'beta'): number {
  const line = new RegExp(`Accepted (publickey|password) for ${testbed.admin.user} from`, 'g');
  return (fs.readFileSync(testbed[which].sshdLogPath, 'utf8').match(line) ?? []).length;
}

/**
 * Waits until sshd has logged the login of the host's pooled connection. sshd writes that line
 * from its privileged process, which may do so after the client is already in: on a busy machine
 * a count taken right after a login can miss it, and the next count then sees one login too many.
 */
async function pooledLoginLogged(hostId: string, which: 'alpha' | 'beta'): Promise<void> {
  const session = await fleet.services.pool.session(hostId);
  const port = (session.client as unknown as { _sock?: { localPort?: number } })._sock?.localPort;
  if (!port) throw new Error('the pooled connection has no local port');
  const line = new RegExp(`Accepted (publickey|password) for \\S+ from 127\\.0\\.0\\.1 port ${port} `);
  for (const deadline = Date.now() + 60_000; !line.test(fs.readFileSync(testbed[which].sshdLogPath, 'utf8')); ) {
    if (Date.now() > deadline) throw new Error(`sshd never logged the login from port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('adding a host', () => {
  it('shows the fingerprint the host presents, and what known_hosts says of it', async () => {
    const probe = await fleet.call('hosts.probe', { address: '127.0.0.1', port: testbed.alpha.sshPort });
    expect(probe.fingerprint).toBe(testbed.alpha.hostKeyFingerprint);
    expect(probe.keyType).toBe(testbed.alpha.hostKeyType);
    expect(probe.knownHosts).toBe('absent');
    // Once OpenSSH knows the key, the console says so.
    fs.writeFileSync(`${fleet.dir}/home/.ssh/known_hosts`, `[127.0.0.1]:${testbed.alpha.sshPort} ${testbed.alpha.hostKeyPublicLine}\n`);
    expect((await fleet.call('hosts.probe', { address: '127.0.0.1', port: testbed.alpha.sshPort })).knownHosts).toBe('match');
    fs.writeFileSync(`${fleet.dir}/home/.ssh/known_hosts`, `[127.0.0.1]:${testbed.alpha.sshPort} ${testbed.beta.hostKeyPublicLine}\n`);
    const mismatch = await fleet.call('hosts.probe', { address: '127.0.0.1', port: testbed.alpha.sshPort });
    expect(mismatch).toMatchObject({ knownHosts: 'mismatch', knownHostsFingerprint: testbed.beta.hostKeyFingerprint });
    fs.rmSync(`${fleet.dir}/home/.ssh/known_hosts`);
  });

  it('refuses a host whose key is not the confirmed one, naming both fingerprints, and stores nothing', async () => {
    const error = await expectFleetError(addTestbedHost(fleet, testbed, 'alpha', { trustedFingerprint: testbed.beta.hostKeyFingerprint }), 'HOST_KEY_CHANGED');
    expect(error.message).toContain(testbed.beta.hostKeyFingerprint);
    expect(error.message).toContain(testbed.alpha.hostKeyFingerprint);
    expect(await fleet.call('hosts.list', {})).toEqual([]);
  });

  it('adds a host with a key file, pins its key and lists its containers through one pooled connection', async () => {
    await runContainer(testbed, 'alpha', 'fleet-it-hosts-a', { labels: { 'test.case': 'hosts' } });
    const host = await addTestbedHost(fleet, testbed, 'alpha');
    expect(host.hostKey).toEqual({ type: testbed.alpha.hostKeyType, fingerprint: testbed.alpha.hostKeyFingerprint });
    const before = acceptedLogins('alpha');
    const lists = await Promise.all(Array.from({ length: 25 }, () => fleet.call('hosts.containers', { id: host.id })));
    for (let i = 0; i < 25; i++) await fleet.call('hosts.containers', { id: host.id });
    const container = lists[0]!.find((c) => c.name === 'fleet-it-hosts-a');
    expect(container).toMatchObject({ image: testbed.busyboxImage, state: 'running', labels: { 'test.case': 'hosts' } });
    // 50 listings, one SSH login.
    await pooledLoginLogged(host.id, 'alpha');
    expect(acceptedLogins('alpha') - before).toBe(1);
    expect((await fleet.call('hosts.get', { id: host.id })).connection.state).toBe('connected');
    await removeContainer(testbed, 'alpha', 'fleet-it-hosts-a');
  });

  it('refuses a second host with the same name', async () => {
    await expectFleetError(addTestbedHost(fleet, testbed, 'beta', { name: 'ALPHA' }), 'CONFLICT');
  });

  it('shows Docker info, disk and memory', async () => {
    const [alpha] = await fleet.call('hosts.list', {});
    const overview = await fleet.call('hosts.overview', { id: alpha!.id });
    expect(overview.docker.version).toMatch(/^\d+\.\d+/);
    expect(overview.docker.cpus).toBeGreaterThan(0);
    expect(overview.disk.totalBytes).toBeGreaterThan(overview.disk.availableBytes);
    expect(overview.memory.totalBytes).toBeGreaterThan(0);
  });

  it('logs in with an encrypted key and its passphrase; a wrong or missing passphrase is a clear error', async () => {
    const encrypted = { kind: 'key' as const, keyPaths: [testbed.admin.encryptedKeyPath] };
    const noPassphrase = await expectFleetError(addTestbedHost(fleet, testbed, 'beta', { name: 'enc', auth: encrypted }), 'KEY_FILE');
    expect(noPassphrase.message).toMatch(/encrypted/);
    const wrong = await expectFleetError(addTestbedHost(fleet, testbed, 'beta', { name: 'enc', auth: { ...encrypted, passphrase: 'not it' } }), 'KEY_FILE');
    expect(wrong.message).toMatch(/passphrase/);
    const host = await addTestbedHost(fleet, testbed, 'beta', { name: 'enc', auth: { ...encrypted, passphrase: testbed.admin.keyPassphrase } });
    expect(Array.isArray(await fleet.call('hosts.containers', { id: host.id }))).toBe(true);
    await fleet.call('hosts.remove', { id: host.id });
  });

  it('logs in with ssh-agent, with an RSA key, and with a password', async () => {
    const agent = await addTestbedHost(fleet, testbed, 'beta', { name: 'agent', auth: { kind: 'agent', socketPath: testbed.admin.agentSocket } });
    const rsa = await addTestbedHost(fleet, testbed, 'beta', { name: 'rsa', auth: { kind: 'key', keyPaths: ['/nonexistent/id_ed25519', testbed.admin.rsaKeyPath] } });
    const password = await addTestbedHost(fleet, testbed, 'beta', { name: 'pw', auth: { kind: 'password', password: testbed.admin.password } });
    for (const host of [agent, rsa, password]) {
      expect((await fleet.call('hosts.check', { id: host.id })).steps[0]).toMatchObject({ step: 'connect', status: 'ok' });
      await fleet.call('hosts.remove', { id: host.id });
    }
  });

  it('reports refused credentials as AUTH_FAILED', async () => {
    const error = await expectFleetError(addTestbedHost(fleet, testbed, 'beta', { name: 'bad', auth: { kind: 'password', password: 'wrong password' } }), 'AUTH_FAILED');
    expect(error.message).toContain(testbed.admin.user);
    await expectFleetError(addTestbedHost(fleet, testbed, 'beta', { name: 'bad', user: 'nosuchuser', auth: { kind: 'key', keyPaths: [testbed.admin.keyPath] } }), 'AUTH_FAILED');
  });

  it('reports an unreachable host and a wrong port clearly', async () => {
    const refused = await expectFleetError(fleet.call('hosts.probe', { address: '127.0.0.1', port: await closedPort() }), 'CONNECTION_REFUSED');
    expect(refused.message).toMatch(/connection refused/);
    // PostgreSQL's port answers, but not in SSH.
    const wrongPort = await expectFleetError(fleet.call('hosts.probe', { address: '127.0.0.1', port: testbed.postgres.port }), 'HOST_UNREACHABLE');
    expect(wrongPort.message).toMatch(/SSH/);
    await expectFleetError(fleet.call('hosts.probe', { address: 'no-such-host.invalid', port: 22 }), 'HOST_UNREACHABLE');
  });
});

describe('host check', () => {
  it('passes every step on a healthy host with a database server, through the SSH tunnel', async () => {
    const host = await addTestbedHost(fleet, testbed, 'beta', {
      name: 'checked',
      dbServer: { address: '127.0.0.1', port: testbed.postgres.port, adminUser: testbed.postgres.adminUser, password: testbed.postgres.adminPassword, database: 'postgres' },
    });
    const check = await fleet.call('hosts.check', { id: host.id });
    expect(check.steps.map((s) => s.step)).toEqual(['connect', 'os', 'docker', 'postgres', 'resources']);
    for (const step of check.steps) expect(['ok', 'warn'], `${step.step}: ${step.detail}`).toContain(step.status);
    expect(check.steps.find((s) => s.step === 'postgres')!.detail).toMatch(/PostgreSQL 1\d/);
    expect(check.ok).toBe(true);
  });

  it('runs SQL through the tunnel', async () => {
    const host = (await fleet.call('hosts.list', {})).find((h) => h.name === 'checked')!;
    const target = fleet.services.hosts.dbTarget(host.id)!;
    const client = await connectPostgres(fleet.services.pool, target);
    const { rows } = await client.query<{ who: string; sum: number }>('SELECT current_user AS who, $1::int + 1 AS sum', [41]);
    expect(rows).toEqual([{ who: testbed.postgres.adminUser, sum: 42 }]);
    await client.end();
  });

  it('names a wrong database password, and a missing database server', async () => {
    const host = (await fleet.call('hosts.list', {})).find((h) => h.name === 'checked')!;
    await fleet.call('hosts.update', { id: host.id, dbServer: { address: '127.0.0.1', port: testbed.postgres.port, adminUser: testbed.postgres.adminUser, password: 'wrong', database: 'postgres' } });
    const wrong = await fleet.call('hosts.check', { id: host.id });
    expect(wrong.steps.find((s) => s.step === 'postgres')).toMatchObject({ status: 'fail', hint: expect.stringMatching(/password/) });
    expect(wrong.ok).toBe(false);
    await fleet.call('hosts.update', { id: host.id, dbServer: { address: '127.0.0.1', port: await closedPort(), adminUser: 'postgres', database: 'postgres' } });
    const down = await fleet.call('hosts.check', { id: host.id });
    expect(down.steps.find((s) => s.step === 'postgres')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/Nothing answers/) });
  });

  it('says when Docker is missing, with a fix hint', async () => {
    const host = await addTestbedHost(fleet, testbed, 'beta', { name: 'nodocker', dockerSocket: '/run/no-docker-here.sock' });
    const check = await fleet.call('hosts.check', { id: host.id });
    expect(check.steps.find((s) => s.step === 'docker')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/No Docker socket/), hint: expect.stringMatching(/Install/) });
    await expectFleetError(fleet.call('hosts.containers', { id: host.id }), 'DOCKER_UNAVAILABLE');
  });

  it('says when the SSH user may not use the Docker socket', async () => {
    const host = await addTestbedHost(fleet, testbed, 'alpha', { name: 'support', user: testbed.support.user, auth: { kind: 'key', keyPaths: [testbed.support.keyPath] } });
    const error = await expectFleetError(fleet.call('hosts.containers', { id: host.id }), 'DOCKER_PERMISSION_DENIED');
    expect(error.message).toContain(testbed.support.user);
    const check = await fleet.call('hosts.check', { id: host.id });
    expect(check.steps.find((s) => s.step === 'docker')).toMatchObject({ status: 'fail', hint: expect.stringMatching(/usermod -aG docker/) });
  });

  it('reports a stopped sshd without trying further steps', async () => {
    const host = (await fleet.call('hosts.list', {})).find((h) => h.name === 'nodocker')!;
    await fleet.call('hosts.update', { id: host.id, name: 'nodocker' }); // drops the pooled connection
    const port = await closedPort();
    fleet.services.db.prepare('UPDATE hosts SET port = ? WHERE id = ?').run(port, host.id);
    const check = await fleet.call('hosts.check', { id: host.id });
    expect(check.steps[0]).toMatchObject({ step: 'connect', status: 'fail', hint: expect.stringMatching(/sshd/) });
    expect(check.steps.slice(1).every((s) => s.status === 'skipped')).toBe(true);
  });
});

describe('connection pool', () => {
  it('recovers after the host\'s sshd restarts', async () => {
    const alpha = (await fleet.call('hosts.list', {})).find((h) => h.name === 'alpha')!;
    await fleet.call('hosts.containers', { id: alpha.id });
    const states: string[] = [];
    const off = fleet.services.events.on('hosts.connection', (event) => {
      if (event.hostId === alpha.id) states.push(event.state);
    });
    await restartSshd(testbed, 'alpha');
    const deadline = Date.now() + 90_000;
    let listed = false;
    while (!listed && Date.now() < deadline) {
      try {
        await fleet.call('hosts.containers', { id: alpha.id });
        listed = true;
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    off();
    expect(listed).toBe(true);
    expect(states).toContain('connected');
    expect(fleet.services.pool.state(alpha.id).state).toBe('connected');
  });

  it('reaches a host through a ProxyJump host over the same pool', async () => {
    const alpha = (await fleet.call('hosts.list', {})).find((h) => h.name === 'alpha')!;
    await runContainer(testbed, 'beta', 'fleet-it-behind-jump');
    const behind = await addTestbedHost(fleet, testbed, 'beta', { name: 'behind', jumpHostId: alpha.id });
    const jump = await fleet.services.pool.session(alpha.id);
    await pooledLoginLogged(alpha.id, 'alpha');
    const before = acceptedLogins('alpha');
    const containers = await fleet.call('hosts.containers', { id: behind.id });
    expect(containers.map((c) => c.name)).toContain('fleet-it-behind-jump');
    // The jump reused alpha's pooled connection instead of logging in again.
    expect(await fleet.services.pool.session(alpha.id)).toBe(jump);
    expect(acceptedLogins('alpha') - before).toBe(0);
    await removeContainer(testbed, 'beta', 'fleet-it-behind-jump');
    await expectFleetError(fleet.call('hosts.remove', { id: alpha.id }), 'CONFLICT');
    await fleet.call('hosts.remove', { id: behind.id });
  });
});
