import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestbed } from '../support/testbed.js';

// A tenant's whole life through the built CLI, as an operator runs it: the host added with its
// database server, create, show, suspend, reactivate, back up, decommission, the host's trail.

const testbed = getTestbed();
const cliPath = path.resolve('dist/node/cli.mjs');
let home: string;

function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    env: { PATH: process.env.PATH, HOME: home, FLEET_DATA_DIR: path.join(home, 'data'), FLEET_PASSPHRASE: 'cli tenants passphrase', ...env },
    input: '',
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, json: () => JSON.parse(result.stdout) };
}

beforeAll(() => {
  if (!fs.existsSync(cliPath)) throw new Error('dist/node/cli.mjs is missing: run `npm run build` (npm test does)');
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-cli-tenants-'));
});
afterAll(() => {
  // The tenant is decommissioned by the test; if a step failed, remove what is left.
  cli(['tenants', 'decommission', 'it-cli', '--host', 'alpha', '--confirm', 'it-cli']);
  fs.rmSync(home, { recursive: true, force: true });
});

describe('a tenant through the CLI', () => {
  it('is created, shown, suspended, reactivated, backed up and decommissioned', () => {
    const testStarted = Date.now() - 1000;
    const added = cli(
      [
        'hosts', 'add', 'alpha', '--address', '127.0.0.1', '--port', String(testbed.alpha.sshPort), '--user', testbed.admin.user, '--key', testbed.admin.keyPath,
        '--trust', testbed.alpha.hostKeyFingerprint,
        '--db-address', '127.0.0.1', '--db-port', String(testbed.postgres.port), '--db-user', testbed.postgres.adminUser, '--db-password-env', 'PG_ADMIN_PASSWORD',
        '--db-tenant-address', testbed.dockerNetwork.gateway, '--db-tenant-network', testbed.dockerNetwork.name, '--db-client-image', 'fleet-testbed/postgres:{major}', '--json',
      ],
      { PG_ADMIN_PASSWORD: testbed.postgres.adminPassword },
    );
    expect(added.code, added.stderr).toBe(0);
    const db = cli(['hosts', 'db-server', 'alpha', '--json']).json();
    expect(db).toMatchObject({ managed: false, tenantAddress: testbed.dockerNetwork.gateway, tenantNetwork: testbed.dockerNetwork.name, clientImage: 'fleet-testbed/postgres:{major}', hasPassword: true });

    const [image, tag] = testbed.images.odoo.split(':') as [string, string];
    const created = cli(['tenants', 'create', 'it-cli', '--host', 'alpha', '--domain', 'shops.test', '--image', image, '--tag', tag, '--modules', 'sale']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/password: \S{12,}/);
    // Steps followed on stderr, off a terminal as plain lines: one per change, with the time taken.
    expect(created.stderr).toMatch(/^step \d+\/\d+ Initialise the database \(odoo -i … --stop-after-init\): done in \d/m);
    expect(created.stderr).not.toContain(String.fromCharCode(27));

    const shown = cli(['tenants', 'show', 'it-cli', '--host', 'alpha', '--json']);
    expect(shown.json()).toMatchObject({ name: 'it-cli', database: 'it_cli', publicHost: 'it-cli.shops.test', health: { ok: true }, suspended: false });
    expect(cli(['tenants', 'show', 'it-cli', '--host', 'alpha']).stdout).toMatch(/Health\s+ok/);

    // Suspending a running tenant stops it: without a terminal to ask on, --yes is needed.
    const unasked = cli(['tenants', 'suspend', 'it-cli', '--host', 'alpha']);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toMatch(/running: suspending stops it\. Pass --yes/);
    expect(cli(['tenants', 'list', '--host', 'alpha', '--json']).json()).toEqual([expect.objectContaining({ name: 'it-cli', state: 'running', suspended: false })]);
    expect(cli(['tenants', 'suspend', 'it-cli', '--host', 'alpha', '--yes']).code).toBe(0);
    expect(cli(['tenants', 'list', '--host', 'alpha', '--json']).json()).toEqual([expect.objectContaining({ name: 'it-cli', suspended: true })]);
    const refused = cli(['tenants', 'start', 'it-cli', '--host', 'alpha', '--json']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr + refused.stdout).toMatch(/suspended/);
    expect(cli(['tenants', 'reactivate', 'it-cli', '--host', 'alpha']).code).toBe(0);

    const backup = cli(['backup', 'it-cli', '--host', 'alpha', '--json']);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stderr).not.toMatch(/^step /m); // --json: no progress unless --progress asks for it
    expect(backup.json()).toMatchObject({ tenant: 'it-cli', state: 'succeeded', verification: { ok: true } });
    expect(cli(['backups', '--host', 'alpha', '--tenant', 'it-cli']).stdout).toMatch(/it-cli\s+backup\s+succeeded/);

    // A restore confirms as the UI does, keeps the replaced data, and is undone in one step.
    const backupId = backup.json().id as string;
    const unconfirmedRestore = cli(['restore', 'it-cli', '--host', 'alpha', '--backup', backupId]);
    expect(unconfirmedRestore.code).toBe(2);
    expect(unconfirmedRestore.stderr).toMatch(/--confirm it-cli/);
    expect(cli(['restore', 'it-cli', '--host', 'alpha', '--backup', backupId, '--confirm', 'it-clj']).code).toBe(2);
    expect(cli(['jobs', 'list', '--json']).json().filter((j: { kind: string }) => j.kind === 'tenant.restore')).toEqual([]);
    const restored = cli(['restore', 'it-cli', '--host', 'alpha', '--backup', backupId, '--confirm', 'it-cli']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/it-cli is restored\.\nThe replaced data is kept until .+: 'odoo-fleet undo-restore it-cli' puts it back\./);
    expect(cli(['kept-copy', 'it-cli', '--host', 'alpha']).stdout).toMatch(/^Kept from the restore of .+ until .+: database \d+ MiB, filestore \d+ MiB\./);
    expect(cli(['undo-restore', 'it-cli', '--host', 'alpha']).code).toBe(2);
    const undone = cli(['undo-restore', 'it-cli', '--host', 'alpha', '--confirm', 'it-cli']);
    expect(undone.code, undone.stderr).toBe(0);
    expect(undone.stdout).toMatch(/it-cli is back to its data from before the restore/);
    const dropped = cli(['kept-copy', 'it-cli', '--host', 'alpha', '--drop', '--confirm', 'it-cli']);
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(cli(['kept-copy', 'it-cli', '--host', 'alpha', '--json']).stdout.trim()).toBe('null');

    // Without a terminal the typed confirmation must be given; a wrong one is refused.
    const unconfirmed = cli(['tenants', 'decommission', 'it-cli', '--host', 'alpha']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/--confirm it-cli/);
    expect(cli(['tenants', 'decommission', 'it-cli', '--host', 'alpha', '--confirm', 'it-clj']).code).toBe(2);
    const gone = cli(['tenants', 'decommission', 'it-cli', '--host', 'alpha', '--confirm', 'it-cli', '--json']);
    expect(gone.code, gone.stderr).toBe(0);
    const archive = gone.json().archive as { path: string; sha256: string };
    expect(fs.existsSync(archive.path)).toBe(true);
    expect(cli(['tenants', 'list', '--host', 'alpha', '--json']).json()).toEqual([]);
    // The host's catalog outlives this test's console (an earlier run on the same testbed left its own): this run's entries.
    const catalog = cli(['backups', '--host', 'alpha', '--tenant', 'it-cli', '--json']).json() as Array<{ kind: string; startedAt: string }>;
    expect(catalog.filter((b) => Date.parse(b.startedAt) >= testStarted).map((b) => b.kind).sort()).toEqual(['backup', 'final']);

    // The host's shared trail names what this console did.
    const trail = cli(['audit', '--host', 'alpha', '--json']).json() as Array<{ operation: string; outcome: string }>;
    expect(trail.map((e) => e.operation)).toEqual(
      expect.arrayContaining(['tenants.create', 'tenants.suspend', 'tenants.reactivate', 'backups.create', 'backups.restore', 'backups.undoRestore', 'backups.discardKeptCopy', 'tenants.decommission']),
    );
    expect(JSON.stringify(trail)).not.toContain(testbed.postgres.adminPassword);
  });
});
