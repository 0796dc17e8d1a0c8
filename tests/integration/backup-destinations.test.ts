import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupCatalog } from '../../electron/backup/catalog.js';
import { withPostgres } from '../../electron/postgres/pg-over-ssh.js';
import type { BackupEntry } from '../../shared/backups.js';
import { addTestbedHost, addTestbedHostWithDb, createTestConsole, createTestTenant, removeTenant, type TestConsole } from '../support/console.js';
import { getTestbed } from '../support/testbed.js';

// Archives in three places at once — this console's folder, a folder on the tenant's host and a
// folder on another SSH host (SFTP) — encrypted with the user's key; a second console that holds
// no local copy verifies and restores over SFTP once the key is imported, and rebuilds a lost
// catalog from the sidecars.

const testbed = getTestbed();
let fleet: TestConsole;
let other: TestConsole;
let hostId: string;
let betaId: string;
let otherHostId: string;
let root: string;
let hostFolder: string;
let offsite: string;

beforeAll(async () => {
  fleet = createTestConsole();
  other = createTestConsole();
  hostId = await addTestbedHostWithDb(fleet, testbed);
  betaId = (await addTestbedHost(fleet, testbed, 'beta')).id;
  otherHostId = await addTestbedHostWithDb(other, testbed);
  await addTestbedHost(other, testbed, 'beta');
  // Folders the SSH user owns, as on a real host (the testbed's hosts share this machine's disk).
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-destinations-'));
  fs.chmodSync(root, 0o755);
  const uid = Number(execFileSync('id', ['-u', testbed.admin.user]).toString().trim());
  for (const dir of ['alpha-backups', 'offsite']) {
    fs.mkdirSync(path.join(root, dir));
    fs.chownSync(path.join(root, dir), uid, uid);
  }
  hostFolder = path.join(root, 'alpha-backups');
  offsite = path.join(root, 'offsite');
  await createTestTenant(fleet, testbed, hostId, 'it-dest');
});
afterAll(async () => {
  await removeTenant(fleet.services, hostId, 'it-dest').catch(() => {});
  await other.close();
  await fleet.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** SQL in the tenant's database, as its own role. */
const asTenant = (console: TestConsole, id: string, sql: string) =>
  withPostgres(console.services.pool, { ...console.services.hosts.dbTarget(id)!, database: 'it_dest' }, async (c) => {
    await c.query('SET ROLE odoo_it_dest');
    return c.query(sql);
  });

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(dir, f)).isFile());
}

describe('backup destinations and encryption', () => {
  let entry: BackupEntry;
  let exported: string;

  it('writes one encrypted archive to this machine, the host and an SFTP target at once', async () => {
    const key = await fleet.call('keys.create', { name: 'office' });
    expect(key).toMatchObject({ name: 'office', id: expect.stringMatching(/^[0-9a-f]{16}$/) });
    exported = (await fleet.call('keys.export', { name: 'office' })).secret;
    expect(exported).toMatch(/^odoo-fleet-backup-key-v1:/);
    // The key's material is in no plain column or audit record.
    const raw = exported.split(':')[1]!;
    expect(fs.readFileSync(path.join(fleet.services.dataDir, 'console.sqlite')).includes(Buffer.from(raw))).toBe(false);
    expect(JSON.stringify(fleet.services.audit.list(50))).not.toContain(raw);

    await asTenant(fleet, hostId, "CREATE TABLE fleet_marker (v text) ; INSERT INTO fleet_marker VALUES ('Before the backup')");
    const { jobId, backupId } = await fleet.call('backups.create', {
      hostId,
      name: 'it-dest',
      key: 'office',
      destinations: [{ kind: 'local' }, { kind: 'host', folder: hostFolder }, { kind: 'sftp', hostId: betaId, folder: offsite }],
    });
    const job = await fleet.services.jobs.wait(jobId);
    expect(job.error ?? null).toBeNull();
    entry = (await fleet.call('backups.list', { hostId, name: 'it-dest' })).find((b) => b.id === backupId)!;
    expect(entry).toMatchObject({ state: 'succeeded', encrypted: true, keyId: key.id, verification: { ok: true } });
    expect(entry.destinations.map((d) => d.kind)).toEqual(['local', 'host', 'sftp']);
    expect(entry.destinations[1]).toMatchObject({ hostId, path: expect.stringMatching(new RegExp(`^${hostFolder}/alpha/it-dest/it-dest-\\d{8}T\\d{6}Z\\.zip\\.enc$`)) });
    expect(entry.destinations[2]).toMatchObject({ hostId: betaId, path: expect.stringMatching(new RegExp(`^${offsite}/alpha/it-dest/`)) });

    // The same bytes everywhere, nothing readable in them, a sidecar beside each, no leftovers.
    const copies = entry.destinations.map((d) => fs.readFileSync(d.path));
    for (const bytes of copies) {
      expect(bytes.length).toBe(entry.bytes);
      expect(crypto.createHash('sha256').update(bytes).digest('hex')).toBe(entry.sha256);
      expect(bytes.includes(Buffer.from('CREATE TABLE'))).toBe(false);
      expect(bytes.includes(Buffer.from('Before the backup'))).toBe(false);
    }
    for (const d of entry.destinations) expect(JSON.parse(fs.readFileSync(`${d.path}.json`, 'utf8'))).toMatchObject({ sha256: entry.sha256, encrypted: true, keyId: key.id, tenant: 'it-dest', backupId });
    for (const dir of [hostFolder, offsite]) expect(filesUnder(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
    // Written by the SSH user on each host, readable by no one else.
    expect(fs.statSync(entry.destinations[2]!.path).mode & 0o777).toBe(0o600);
  });

  it('another console cannot read it without the key, then verifies and restores over SFTP once the key is imported', async () => {
    // Console "other" has no local copy: it reads the host's copy over SFTP.
    const { jobId } = await other.call('backups.verify', { hostId: otherHostId, name: 'it-dest', backupId: entry.id });
    const failed = await other.services.jobs.wait(jobId);
    expect(failed.error).toMatchObject({ code: 'BACKUP_KEY_MISSING', message: expect.stringMatching(/import/) });

    await expect(other.call('keys.import', { name: 'office', secret: exported.slice(0, -3) + 'zzz' })).rejects.toMatchObject({ code: 'VALIDATION' });
    await other.call('keys.import', { name: 'office', secret: exported });
    const verifyJobId = (await other.call('backups.verify', { hostId: otherHostId, name: 'it-dest', backupId: entry.id })).jobId;
    expect((await other.services.jobs.wait(verifyJobId)).error ?? null).toBeNull();
    expect(((await other.call('jobs.get', { id: verifyJobId })).result as { verdict: { ok: boolean; detail: string } }).verdict).toMatchObject({ ok: true, detail: expect.stringMatching(/recorded row counts/) });

    await asTenant(other, otherHostId, "UPDATE fleet_marker SET v = 'Broken after the backup'");
    const restore = await other.services.jobs.wait((await other.call('backups.restore', { hostId: otherHostId, name: 'it-dest', confirm: 'it-dest', backupId: entry.id })).jobId);
    expect(restore.error ?? null).toBeNull();
    expect((await asTenant(other, otherHostId, 'SELECT v FROM fleet_marker')).rows).toEqual([{ v: 'Before the backup' }]);
  });

  it('rebuilds a lost catalog from the sidecars of any destination', async () => {
    const catalog = BackupCatalog.of(other.services.coordinators, otherHostId);
    await catalog.remove(entry.id);
    expect((await other.call('backups.list', { hostId: otherHostId, name: 'it-dest' })).map((b) => b.id)).not.toContain(entry.id);

    const fromOffsite = await other.call('backups.rebuildCatalog', { hostId: otherHostId, destination: { kind: 'sftp', hostId: (await other.call('hosts.list', {})).find((h) => h.name === 'beta')!.id, folder: offsite } });
    expect(fromOffsite).toMatchObject({ added: 1, updated: 0 });
    const fromHost = await other.call('backups.rebuildCatalog', { hostId: otherHostId, destination: { kind: 'host', folder: hostFolder } });
    expect(fromHost).toMatchObject({ added: 0, updated: 1 });
    const rebuilt = (await other.call('backups.list', { hostId: otherHostId, name: 'it-dest' })).find((b) => b.id === entry.id)!;
    expect(rebuilt).toMatchObject({ state: 'succeeded', sha256: entry.sha256, bytes: entry.bytes, keyId: entry.keyId, rowCounts: entry.rowCounts, filestore: entry.filestore, verification: null });
    expect(rebuilt.destinations.map((d) => d.path).sort()).toEqual([entry.destinations[1]!.path, entry.destinations[2]!.path].sort());
    // Rebuilding twice adds nothing.
    expect(await other.call('backups.rebuildCatalog', { hostId: otherHostId, destination: { kind: 'host', folder: hostFolder } })).toMatchObject({ added: 0, updated: 0 });
  });

  it('refuses bad destinations before a job, and a destination failing midway leaves no copy anywhere', async () => {
    await expect(fleet.call('backups.create', { hostId, name: 'it-dest', destinations: [{ kind: 'host', folder: 'relative/path' }] })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(fleet.call('backups.create', { hostId, name: 'it-dest', destinations: [{ kind: 'host', folder: '/srv/../etc' }] })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(fleet.call('backups.create', { hostId, name: 'it-dest', destinations: [{ kind: 'sftp', hostId: crypto.randomUUID(), folder: '/tmp' }] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(fleet.call('backups.create', { hostId, name: 'it-dest', key: 'nobody' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/office/) });

    const before = { host: filesUnder(hostFolder).length, offsite: filesUnder(offsite).length, local: filesUnder(path.join(fleet.services.dataDir, 'backups')).length };
    // The SSH user may not write under /root: that copy fails, and so does the whole backup.
    const { jobId, backupId } = await fleet.call('backups.create', { hostId, name: 'it-dest', destinations: [{ kind: 'local' }, { kind: 'sftp', hostId: betaId, folder: offsite }, { kind: 'host', folder: '/root/fleet-backups' }] });
    const job = await fleet.services.jobs.wait(jobId);
    expect(job.state).toBe('failed');
    expect(job.steps.filter((s) => s.compensationError !== null)).toEqual([]);
    expect(job.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/alpha:\/root\/fleet-backups/) });
    expect((await fleet.call('backups.list', { hostId, name: 'it-dest' })).find((b) => b.id === backupId)).toMatchObject({ state: 'failed', sha256: null });
    expect({ host: filesUnder(hostFolder).length, offsite: filesUnder(offsite).length, local: filesUnder(path.join(fleet.services.dataDir, 'backups')).length }).toEqual(before);
  });
});
