// The testbed itself: what other integration tests rely on (two SSH hosts fronting two Docker daemons,
// users with and without docker access, PostgreSQL reachable locally, through SSH and from containers).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Duplex } from 'node:stream';
import pg from 'pg';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';
import {
  removeContainer,
  restartSshd,
  restoreHostKey,
  rotateHostKey,
  runContainer,
  startSshd,
  stopSshd,
} from '../../scripts/testbed/control.js';
import { dockerJson, dockerRequest } from '../../scripts/testbed/util.js';
import { getTestbed, type TestbedDescriptor } from '../support/testbed.js';

type HostName = 'alpha' | 'beta';
const tb: TestbedDescriptor = getTestbed();

function fingerprintOf(key: Buffer): string {
  return `SHA256:${crypto.createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** Connects with a hostVerifier that accepts only `expectedFingerprint` (the host's current one by default). */
function connect(
  host: HostName,
  auth: Partial<ConnectConfig> & { username: string },
  expectedFingerprint = tb[host].hostKeyFingerprint,
): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('ready', () => resolve(client));
    client.once('error', (err) => reject(err));
    client.connect({
      host: '127.0.0.1',
      port: tb[host].sshPort,
      readyTimeout: 60_000,
      hostVerifier: (key: Buffer) => fingerprintOf(key) === expectedFingerprint,
      ...auth,
    });
  });
}

const adminKey = () => ({ username: tb.admin.user, privateKey: fs.readFileSync(tb.admin.keyPath) });

function exec(client: Client, command: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, channel) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      channel.on('data', (d: Buffer) => (stdout += d.toString()));
      channel.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      channel.on('exit', (c: number | null) => (code = c));
      channel.on('close', () => resolve({ code, stdout, stderr }));
    });
  });
}

/** GET <path> from a Docker socket on the far side of the SSH connection (direct-streamlocal). */
function remoteDockerGet(client: Client, socketPath: string, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    client.openssh_forwardOutStreamLocal(socketPath, (err, channel) => {
      if (err) return reject(err);
      let raw = '';
      channel.on('data', (d: Buffer) => (raw += d.toString()));
      channel.on('close', () => {
        const [head = '', ...rest] = raw.split('\r\n\r\n');
        resolve({ status: Number(head.split(' ')[1]), body: rest.join('\r\n\r\n') });
      });
      channel.end(`GET ${urlPath} HTTP/1.0\r\nHost: docker\r\n\r\n`);
    });
  });
}

function localDockerGet(socketPath: string, urlPath: string) {
  return dockerRequest(socketPath, 'GET', urlPath);
}

const clients: Client[] = [];
const track = (c: Client) => (clients.push(c), c);
afterAll(() => {
  for (const c of clients) c.end();
});

describe('testbed descriptor', () => {
  it('carries fingerprints exactly as ssh-keygen -lf prints them', () => {
    for (const host of ['alpha', 'beta'] as const) {
      const out = execFileSync('ssh-keygen', ['-lf', `${tb[host].hostKeyPath}.pub`], { encoding: 'utf8' });
      expect(out.split(' ')[1]).toBe(tb[host].hostKeyFingerprint);
      expect(tb[host].hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(tb[host].hostKeyType).toBe('ssh-ed25519');
      expect(tb[host].hostKeyPublicLine.startsWith('ssh-ed25519 AAAA')).toBe(true);
    }
    expect(tb.alpha.sshPort).not.toBe(tb.beta.sshPort);
    expect(tb.alpha.dockerSocket).toBe('/var/run/docker.sock');
  });
});

describe.each(['alpha', 'beta'] as const)('sshd %s', (host) => {
  it('accepts the admin key, and the admin is in the docker group', async () => {
    const client = track(await connect(host, adminKey()));
    const res = await exec(client, 'id -un; id -Gn; echo "$HOME"; test -d "$HOME" && echo home-ok');
    const [user, groups, , homeOk] = res.stdout.trim().split('\n');
    expect(user).toBe(tb.admin.user);
    expect(groups!.split(' ')).toContain('docker');
    expect(homeOk).toBe('home-ok');
  });

  it('accepts the passphrase-protected key, the RSA key, the agent and the password', async () => {
    const auths: Array<Partial<ConnectConfig> & { username: string }> = [
      { username: tb.admin.user, privateKey: fs.readFileSync(tb.admin.encryptedKeyPath), passphrase: tb.admin.keyPassphrase },
      { username: tb.admin.user, privateKey: fs.readFileSync(tb.admin.rsaKeyPath) },
      { username: tb.admin.user, agent: tb.admin.agentSocket },
      { username: tb.admin.user, password: tb.admin.password },
    ];
    for (const auth of auths) {
      const client = await connect(host, auth);
      expect((await exec(client, 'id -un')).stdout.trim()).toBe(tb.admin.user);
      client.end();
    }
  });

  it('is refused by a hostVerifier expecting another fingerprint', async () => {
    await expect(connect(host, adminKey(), 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).rejects.toThrow();
  });

  it('forwards to the docker socket for the admin, which answers /_ping', async () => {
    const client = track(await connect(host, adminKey()));
    const res = await remoteDockerGet(client, tb[host].dockerSocket, '/_ping');
    expect(res.status).toBe(200);
    expect(res.body).toBe('OK');
  });

  it('denies the docker socket to fleetsupport', async () => {
    const client = track(
      await connect(host, { username: tb.support.user, privateKey: fs.readFileSync(tb.support.keyPath) }),
    );
    const res = await exec(client, `id -Gn; test -w ${tb[host].dockerSocket} && echo yes || echo no`);
    const [groups, writable] = res.stdout.trim().split('\n');
    expect(groups!.split(' ')).not.toContain('docker');
    expect(writable).toBe('no');
    await expect(remoteDockerGet(client, tb[host].dockerSocket, '/_ping')).rejects.toThrow();
  });
});

describe.each(['alpha', 'beta'] as const)('docker on %s', (host) => {
  const name = `testbed-selftest-${host}`;
  afterAll(() => removeContainer(tb, host, name));

  it('answers /_ping and lists a busybox container started with runContainer', async () => {
    const ping = await localDockerGet(tb[host].dockerSocket, '/_ping');
    expect(ping.status).toBe(200);
    const id = await runContainer(tb, host, name, { labels: { 'odoo-fleet.test': 'selftest' } });
    const filters = encodeURIComponent(JSON.stringify({ label: ['odoo-fleet.test=selftest'] }));
    const list = await dockerJson<Array<{ Id: string; Image: string; State: string; Labels: Record<string, string> }>>(
      'list',
      tb[host].dockerSocket,
      'GET',
      `/containers/json?filters=${filters}`,
    );
    const mine = list.find((c) => c.Id === id);
    expect(mine?.State).toBe('running');
    expect(mine?.Image).toBe(tb.busyboxImage);
    expect(mine?.Labels['odoo-fleet.testbed']).toBe(tb.dir);
    // Replaced when started again under the same name.
    const again = await runContainer(tb, host, name);
    expect(again).not.toBe(id);
    await removeContainer(tb, host, name);
    expect((await localDockerGet(tb[host].dockerSocket, `/containers/${again}/json`)).status).toBe(404);
  });
});

describe('postgres', () => {
  it('answers select 1 on 127.0.0.1 with the admin password', async () => {
    const client = new pg.Client({
      host: tb.postgres.host,
      port: tb.postgres.port,
      user: tb.postgres.adminUser,
      password: tb.postgres.adminPassword,
      database: 'postgres',
    });
    await client.connect();
    try {
      const res = await client.query<{ one: number; superuser: string; max: string }>(
        "select 1 as one, current_setting('is_superuser') as superuser, current_setting('max_connections') as max",
      );
      expect(res.rows[0]).toEqual({ one: 1, superuser: 'on', max: '300' });
    } finally {
      await client.end();
    }
  });

  it('refuses a wrong password', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: tb.postgres.port, user: tb.postgres.adminUser, password: 'wrong', database: 'postgres' });
    await expect(client.connect()).rejects.toThrow(/password authentication failed/);
    await client.end().catch(() => undefined);
  });

  it('is reachable through an SSH tunnel (direct-tcpip)', async () => {
    const ssh = track(await connect('alpha', adminKey()));
    const channel = await new Promise<ClientChannel>((resolve, reject) =>
      ssh.forwardOut('127.0.0.1', 0, '127.0.0.1', tb.postgres.port, (err, ch) => (err ? reject(err) : resolve(ch))),
    );
    // pg drives net.Socket's API; give the channel the few methods it calls.
    const socketLike = Object.assign(channel, {
      setNoDelay: () => socketLike,
      setKeepAlive: () => socketLike,
      connect: () => {
        process.nextTick(() => channel.emit('connect'));
        return socketLike;
      },
    }) as unknown as Duplex;
    const client = new pg.Client({
      user: tb.postgres.adminUser,
      password: tb.postgres.adminPassword,
      database: 'postgres',
      stream: () => socketLike,
    });
    await client.connect();
    try {
      expect((await client.query<{ n: number }>('select 41 + 1 as n')).rows[0]!.n).toBe(42);
    } finally {
      await client.end();
    }
  });

  it('is reachable from a container on the testbed network (gateway address)', async () => {
    const [gateway] = tb.postgres.listen.filter((a) => a !== '127.0.0.1');
    expect(gateway).toBe(tb.dockerNetwork.gateway);
    const name = 'testbed-selftest-pg-probe';
    const id = await runContainer(tb, 'alpha', name, {
      network: tb.dockerNetwork.name,
      cmd: ['sh', '-c', `nc -w 3 ${gateway} ${tb.postgres.port} </dev/null && echo reachable`],
    });
    try {
      const waited = await dockerJson<{ StatusCode: number }>('wait', tb.alpha.dockerSocket, 'POST', `/containers/${id}/wait`);
      const logs = await localDockerGet(tb.alpha.dockerSocket, `/containers/${id}/logs?stdout=true&stderr=true`);
      expect(logs.body).toContain('reachable');
      expect(waited.StatusCode).toBe(0);
    } finally {
      await removeContainer(tb, 'alpha', name);
    }
  });
});

describe('control', () => {
  it('restartSshd drops sessions and accepts again on the same port with the same key', async () => {
    const client = await connect('beta', adminKey());
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await restartSshd(tb, 'beta');
    await closed;
    const again = track(await connect('beta', adminKey()));
    expect((await exec(again, 'echo ok')).stdout.trim()).toBe('ok');
  });

  it('restartSshd with keepSessions leaves established connections alone', async () => {
    const client = track(await connect('beta', adminKey()));
    await restartSshd(tb, 'beta', { keepSessions: true });
    expect((await exec(client, 'echo still-here')).stdout.trim()).toBe('still-here');
  });

  it('stopSshd refuses connections until startSshd', async () => {
    await stopSshd(tb, 'beta');
    await expect(connect('beta', adminKey())).rejects.toThrow(/ECONNREFUSED/);
    await startSshd(tb, 'beta');
    track(await connect('beta', adminKey()));
  });

  it('rotateHostKey changes the fingerprint', async () => {
    const before = tb.alpha.hostKeyFingerprint;
    const after = await rotateHostKey(tb, 'alpha');
    expect(after).not.toBe(before);
    expect(after).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(tb.alpha.hostKeyFingerprint).toBe(after);
    await expect(connect('alpha', adminKey(), before)).rejects.toThrow();
    track(await connect('alpha', adminKey(), after));
    const onDisk = JSON.parse(fs.readFileSync(`${tb.dir}/descriptor.json`, 'utf8')) as TestbedDescriptor;
    expect(onDisk.alpha.hostKeyFingerprint).toBe(after);
    const keygen = execFileSync('ssh-keygen', ['-lf', `${tb.alpha.hostKeyPath}.pub`], { encoding: 'utf8' });
    expect(keygen.split(' ')[1]).toBe(after);
    // Later test files expect the host they were told about.
    expect(await restoreHostKey(tb, 'alpha')).toBe(before);
    expect(tb.alpha.hostKeyFingerprint).toBe(before);
    track(await connect('alpha', adminKey(), before));
  });
});
