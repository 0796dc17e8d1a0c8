import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPostgres } from '../../electron/postgres/pg-over-ssh.js';
import { addTestbedHostWithDb, createTestConsole, createTestTenant, removeTenant, testbedDbServer, type TestConsole } from '../support/console.js';
import { getTestbed } from '../support/testbed.js';

// Backups of a running tenant, for real: pg_dump in the testbed's PostgreSQL image, the filestore
// read from the tenant's own image, the catalog in the host's fleet database.

const testbed = getTestbed();
let fleet: TestConsole;
let other: TestConsole;
let hostId: string;

beforeAll(async () => {
  fleet = createTestConsole();
  other = createTestConsole();
  hostId = await addTestbedHostWithDb(fleet, testbed);
  await addTestbedHostWithDb(other, testbed);
  await createTestTenant(fleet, testbed, hostId, 'it-backup');
});
afterAll(async () => {
  await removeTenant(fleet.services, hostId, 'it-backup').catch(() => {});
  await other.close();
  await fleet.close();
});

const PY_DIGEST = `
import zipfile, sys, hashlib, json
z = zipfile.ZipFile(sys.argv[1])
lines = sorted("%s\\t%d\\t%s\\n" % (i.filename[len("filestore/"):], i.file_size, hashlib.sha256(z.read(i)).hexdigest()) for i in z.infolist() if i.filename.startswith("filestore/"))
print(json.dumps({"files": len(lines), "sha256": hashlib.sha256("".join(lines).encode()).hexdigest(), "names": z.namelist()[:1]}))
`;

describe('backing up a tenant', () => {
  it('writes a verified Odoo archive and catalogues it on the host with exact figures', async () => {
    const { jobId, backupId } = await fleet.call('backups.create', { hostId, name: 'it-backup' });
    const job = await fleet.services.jobs.wait(jobId);
    expect(job.error ?? null).toBeNull();

    const [entry] = (await fleet.call('backups.list', { hostId, name: 'it-backup' })).filter((b) => b.id === backupId);
    expect(entry).toMatchObject({ tenant: 'it-backup', database: 'it_backup', kind: 'backup', state: 'succeeded', odooVersion: '17.0', pgVersion: '15.0', encrypted: false, verification: { ok: true } });
    const file = entry!.destinations[0]!.path;
    expect(file.startsWith(path.join(fleet.services.dataDir, 'backups'))).toBe(true);
    expect(fs.statSync(file).size).toBe(entry!.bytes);
    expect(crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe(entry!.sha256);
    expect(execFileSync('unzip', ['-t', file]).toString()).toMatch(/No errors detected/);

    // Row counts are exact: the same as count(*) now (nothing wrote to the tenant since).
    const live = await withPostgres(fleet.services.pool, { ...fleet.services.hosts.dbTarget(hostId)!, database: 'it_backup' }, async (c) => ({
      modules: Number((await c.query('SELECT count(*) AS n FROM ir_module_module')).rows[0].n),
      users: Number((await c.query('SELECT count(*) AS n FROM res_users')).rows[0].n),
      attachments: Number((await c.query('SELECT count(*) AS n FROM ir_attachment')).rows[0].n),
    }));
    expect(entry!.rowCounts).toMatchObject({ 'public.ir_module_module': live.modules, 'public.res_users': live.users, 'public.ir_attachment': live.attachments });

    // The filestore digest matches one computed by Python from the archive itself.
    const python = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY_DIGEST, file]).toString()) as { files: number; sha256: string; names: string[] };
    expect(python.names).toEqual(['dump.sql']);
    expect(entry!.filestore).toMatchObject({ files: python.files, sha256: python.sha256 });
    expect(python.files).toBeGreaterThan(0);

    // Another console managing the host sees the same catalog.
    const [otherHost] = await other.call('hosts.list', {});
    expect((await other.call('backups.list', { hostId: otherHost!.id, name: 'it-backup' })).map((b) => b.id)).toContain(backupId);
  });

  it('records a failed backup as failed and leaves no file that looks valid', async () => {
    const settings = testbedDbServer(testbed);
    await fleet.call('hosts.update', { id: hostId, dbServer: { ...settings, clientImage: 'fleet-testbed/no-such-postgres:{major}' } });
    try {
      const { jobId, backupId } = await fleet.call('backups.create', { hostId, name: 'it-backup' });
      const job = await fleet.services.jobs.wait(jobId);
      expect(job.state).toBe('failed');
      expect(job.steps.filter((s) => s.name === 'preflight' || s.name === 'archive').map((s) => s.state)).toEqual(['compensated', 'compensated']);
      expect(job.error).toMatchObject({ code: 'NOT_FOUND', step: 'archive', message: expect.stringContaining('fleet-testbed/no-such-postgres:15') });
      const [entry] = (await fleet.call('backups.list', { hostId, name: 'it-backup' })).filter((b) => b.id === backupId);
      expect(entry).toMatchObject({ state: 'failed', sha256: null, error: expect.stringMatching(/failed or was interrupted/) });
      const dir = path.join(fleet.services.dataDir, 'backups');
      const valid = fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.zip') || f.endsWith('.partial'));
      expect(valid.length).toBe(1); // only the first, verified backup
    } finally {
      await fleet.call('hosts.update', { id: hostId, dbServer: settings });
    }
  });

  it('fails, rather than succeed empty, when the filestore the database names is gone', async () => {
    // Someone removed the tenant's filestore folder on the host: the attachments still name files.
    const { dataVolume } = await fleet.call('tenants.show', { hostId, name: 'it-backup' });
    const d = fleet.services.docker.client(fleet.services.hosts.endpoint(hostId));
    const wiper = await d.createContainer({
      Image: testbed.images.odoo,
      User: '0',
      Entrypoint: ['rm', '-rf', '/var/lib/odoo/filestore/it_backup'],
      HostConfig: { Mounts: [{ Type: 'volume', Source: dataVolume!, Target: '/var/lib/odoo' }], NetworkMode: 'none' },
    });
    await wiper.start();
    await wiper.wait();
    await wiper.remove({ v: true });
    const { jobId, backupId } = await fleet.call('backups.create', { hostId, name: 'it-backup' });
    const job = await fleet.services.jobs.wait(jobId);
    expect(job.error).toMatchObject({ step: 'archive', message: expect.stringMatching(/name \d+ file\(s\) in the filestore, but its filestore folder is missing or empty/) });
    const [entry] = (await fleet.call('backups.list', { hostId, name: 'it-backup' })).filter((b) => b.id === backupId);
    expect(entry).toMatchObject({ state: 'failed', sha256: null });
  });
});
