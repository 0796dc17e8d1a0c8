import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runContainer, removeContainer } from '../../scripts/testbed/control.js';
import { getTestbed } from '../support/testbed.js';

const testbed = getTestbed();
const cliPath = path.resolve('dist/node/cli.mjs');
let home: string;
let dataDir: string;

function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    env: { PATH: process.env.PATH, HOME: home, FLEET_DATA_DIR: dataDir, FLEET_PASSPHRASE: 'cli test passphrase', ...env },
    input: '',
    encoding: 'utf8',
    timeout: 180_000, // a hung CLI is killed (status null); a busy machine is not
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, json: () => JSON.parse(result.stdout) };
}

beforeAll(() => {
  if (!fs.existsSync(cliPath)) throw new Error('dist/node/cli.mjs is missing: run `npm run build` (npm test does)');
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-cli-home-'));
  dataDir = path.join(home, 'data');
  fs.mkdirSync(path.join(home, '.ssh', 'config.d'), { recursive: true, mode: 0o700 });
  // An OpenSSH setup to import: Include with a glob, wildcard defaults, first value wins, tokens, ProxyJump.
  fs.writeFileSync(
    path.join(home, '.ssh', 'config'),
    [
      'Include config.d/*.conf',
      '',
      'Host tb-alpha',
      '  HostName 127.0.0.1',
      `  Port ${testbed.alpha.sshPort}`,
      '',
      'Host tb-*',
      `  User ${testbed.admin.user}`,
      '  Port 2',
      `  IdentityFile ${testbed.admin.keyPath}`,
      '  IdentityFile ~/.ssh/id_missing_%h',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(home, '.ssh', 'config.d', 'beta.conf'), ['Host tb-beta-behind-alpha', '  HostName 127.0.0.1', `  Port ${testbed.beta.sshPort}`, '  ProxyJump tb-alpha', ''].join('\n'));
});
afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

describe('odoo-fleet CLI', () => {
  it('prints usage errors with exit code 2', () => {
    const result = cli(['hosts', 'add']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/missing required argument|error/i);
  });

  it('will not add a host without a confirmed fingerprint when nobody is at the terminal', () => {
    const result = cli(['hosts', 'add', 'alpha', '--address', '127.0.0.1', '--port', String(testbed.alpha.sshPort), '--user', testbed.admin.user, '--key', testbed.admin.keyPath, '--json']);
    expect(result.code).toBe(4);
    expect(result.json().error).toMatchObject({ code: 'HOST_KEY_UNTRUSTED', details: { fingerprint: testbed.alpha.hostKeyFingerprint } });
    expect(result.stderr).toContain(`--trust ${testbed.alpha.hostKeyFingerprint}`);
    expect(cli(['hosts', 'list', '--json']).json()).toEqual([]);
  });

  it('adds, lists, shows, checks and removes a host', async () => {
    const added = cli(['hosts', 'add', 'alpha', '--address', '127.0.0.1', '--port', String(testbed.alpha.sshPort), '--user', testbed.admin.user, '--key', testbed.admin.keyPath, '--trust', testbed.alpha.hostKeyFingerprint, '--json']);
    expect(added.code, added.stderr).toBe(0);
    expect(added.json()).toMatchObject({ name: 'alpha', hostKey: { fingerprint: testbed.alpha.hostKeyFingerprint } });

    const list = cli(['hosts', 'list', '--json']);
    expect(list.json().map((h: { name: string }) => h.name)).toEqual(['alpha']);
    expect(cli(['hosts', 'list']).stdout).toMatch(/alpha\s+127\.0\.0\.1:\d+\s+fleetadmin|alpha/);

    await runContainer(testbed, 'alpha', 'fleet-it-cli');
    const show = cli(['hosts', 'show', 'alpha', '--json']);
    expect(show.code, show.stderr).toBe(0);
    expect(show.json().containers.map((c: { name: string }) => c.name)).toContain('fleet-it-cli');
    await removeContainer(testbed, 'alpha', 'fleet-it-cli');

    const check = cli(['hosts', 'check', 'alpha']);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/\[ok {2}\] docker/);

    const wrongTrust = cli(['hosts', 'add', 'again', '--address', '127.0.0.1', '--port', String(testbed.beta.sshPort), '--user', testbed.admin.user, '--key', testbed.admin.keyPath, '--trust', testbed.alpha.hostKeyFingerprint]);
    expect(wrongTrust.code).toBe(4);
    expect(wrongTrust.stderr).toContain(testbed.beta.hostKeyFingerprint);

    expect(cli(['hosts', 'rm', 'alpha']).code).toBe(2); // no terminal to confirm on
    expect(cli(['hosts', 'rm', 'alpha', '--yes']).code).toBe(0);
    expect(cli(['hosts', 'rm', 'alpha', '--yes']).code).toBe(3);
  });

  it('exits 10 when a check fails, and 7 when Docker is not reachable', () => {
    const add = cli(['hosts', 'add', 'nodocker', '--address', '127.0.0.1', '--port', String(testbed.alpha.sshPort), '--user', testbed.admin.user, '--key', testbed.admin.keyPath, '--docker-socket', '/run/none.sock', '--trust', testbed.alpha.hostKeyFingerprint]);
    expect(add.code, add.stderr).toBe(0);
    expect(cli(['hosts', 'check', 'nodocker']).code).toBe(10);
    expect(cli(['hosts', 'show', 'nodocker']).code).toBe(7);
    expect(cli(['hosts', 'rm', 'nodocker', '--yes']).code).toBe(0);
  });

  it('lists ~/.ssh/config hosts as OpenSSH resolves them and imports one with its ProxyJump host', () => {
    const list = cli(['hosts', 'import', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const candidates = list.json() as Array<{ alias: string; port: number; user: string; identityFiles: string[]; proxyJump: Array<{ host: string }> }>;
    const alpha = candidates.find((c) => c.alias === 'tb-alpha')!;
    // First value wins: the Port under "Host tb-alpha" beats "Host tb-*"; %h expands in IdentityFile.
    expect(alpha).toMatchObject({ port: testbed.alpha.sshPort, user: testbed.admin.user, identityFiles: [testbed.admin.keyPath, path.join(home, '.ssh', 'id_missing_127.0.0.1')] });
    expect(candidates.find((c) => c.alias === 'tb-beta-behind-alpha')).toMatchObject({ port: testbed.beta.sshPort, proxyJump: [{ host: 'tb-alpha' }] });

    // The jump host's key is vouched for by known_hosts (-y accepts it); the target's is confirmed with --trust.
    fs.writeFileSync(path.join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${testbed.alpha.sshPort} ${testbed.alpha.hostKeyPublicLine}\n`);
    const imported = cli(['hosts', 'import', 'tb-beta-behind-alpha', '--trust', testbed.beta.hostKeyFingerprint, '--yes', '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    const hosts = cli(['hosts', 'list', '--json']).json() as Array<{ id: string; name: string; jumpHostId: string | null }>;
    const jump = hosts.find((h) => h.name === 'tb-alpha')!;
    expect(hosts.find((h) => h.name === 'tb-beta-behind-alpha')).toMatchObject({ jumpHostId: jump.id });
    const check = cli(['hosts', 'check', 'tb-beta-behind-alpha', '--json']);
    expect(check.code, check.stdout).toBe(0);
  });

  it('writes every change to the audit trail', () => {
    const audit = cli(['audit', '--json']).json() as Array<{ operation: string; outcome: string }>;
    expect(audit.filter((e) => e.operation === 'hosts.add' && e.outcome === 'ok').length).toBeGreaterThanOrEqual(3);
    expect(audit.some((e) => e.operation === 'hosts.remove')).toBe(true);
  });

  it('enforces roles from the command line too', () => {
    const result = cli(['hosts', 'rm', 'tb-alpha', '--yes', '--role', 'support']);
    expect(result.code).toBe(11);
    expect(result.stderr).toMatch(/admin role/);
  });
});
