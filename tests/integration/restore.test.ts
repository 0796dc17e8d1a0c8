import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logLines } from '../../electron/docker/log-stream.js';
import { storedPasswordIs } from '../../electron/backup/restore-checks.js';
import { withPostgres } from '../../electron/postgres/pg-over-ssh.js';
import { odooPasswordHash } from '../../electron/tenants/odoo-password.js';
import { addTestbedHostWithDb, createTestConsole, createTestTenant, removeTenant, type TestConsole } from '../support/console.js';
import { startCli, waitForJobStep } from '../support/cli-process.js';
import { getTestbed } from '../support/testbed.js';

// Restores for real: psql on the host fed through a hijacked attach, the filestore unpacked by
// the tenant's own image, both swapped in only at the end.

const testbed = getTestbed();
const PASSPHRASE = 'restore test passphrase';
const CLI = { actor: 'operator', role: 'admin' as const, transport: 'cli' as const };
let fleet: TestConsole;
let hostId: string;
let backupId: string;
let archive: string;

beforeAll(async () => {
  fleet = createTestConsole({ passphrase: PASSPHRASE });
  hostId = await addTestbedHostWithDb(fleet, testbed);
  await createTestTenant(fleet, testbed, hostId, 'it-restore');
  // Data of the tenant's own (a table its role owns, bulky enough that loading takes a while)
  // and a file in its filestore, then the backup.
  await asTenant("CREATE TABLE fleet_marker (v text); INSERT INTO fleet_marker VALUES ('before'); CREATE TABLE fleet_bulk AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 300000) g");
  await filestore('mkdir -p ab && echo original > ab/abcdef');
  const started = await fleet.call('backups.create', { hostId, name: 'it-restore' });
  expect((await fleet.services.jobs.wait(started.jobId)).error ?? null).toBeNull();
  backupId = started.backupId;
  archive = (await fleet.call('backups.list', { hostId, name: 'it-restore' })).find((b) => b.id === backupId)!.destinations[0]!.path;
}, 300_000);
afterAll(async () => {
  await removeTenant(fleet.services, hostId, 'it-restore').catch(() => {});
  await fleet.close();
});

async function asTenant(sql: string): Promise<unknown[]> {
  return withPostgres(fleet.services.pool, { ...fleet.services.hosts.dbTarget(hostId)!, database: 'it_restore' }, async (c) => {
    await c.query('SET ROLE odoo_it_restore');
    const result = await c.query(sql);
    return (Array.isArray(result) ? result.at(-1)! : result).rows;
  });
}

/** Runs a shell in the tenant's filestore folder (its own image, its volume). */
async function filestore(script: string): Promise<string> {
  const d = fleet.services.docker.client(fleet.services.hosts.endpoint(hostId));
  const { dataVolume } = await fleet.call('tenants.show', { hostId, name: 'it-restore' });
  const c = await d.createContainer({
    Image: testbed.images.odoo,
    User: '0',
    Entrypoint: ['sh', '-c', `mkdir -p /var/lib/odoo/filestore/it_restore && cd /var/lib/odoo/filestore/it_restore && ${script}`],
    HostConfig: { Mounts: [{ Type: 'volume', Source: dataVolume!, Target: '/var/lib/odoo' }], NetworkMode: 'none' },
  });
  await c.start();
  const { StatusCode } = (await c.wait()) as { StatusCode: number };
  const out = logLines((await c.logs({ stdout: true, stderr: true })) as unknown as Buffer).join('\n');
  await c.remove();
  if (StatusCode !== 0) throw new Error(`filestore script failed: ${out}`);
  return out;
}

async function leftovers() {
  const dbs = await withPostgres(fleet.services.pool, fleet.services.hosts.dbTarget(hostId)!, (c) => c.query("SELECT datname FROM pg_database WHERE datname LIKE 'it_restore%' ORDER BY 1"));
  return { databases: dbs.rows.map((r: { datname: string }) => r.datname), folders: (await filestore('ls -a ..')).split(/\s+/).filter((f) => f.includes('it_restore')).sort() };
}

/** Drops the kept copy a restore left, if any (tests below want the tenant's data alone). */
async function discardKeptCopy(): Promise<void> {
  if (!(await fleet.call('backups.keptCopy', { hostId, name: 'it-restore' }))) return;
  const job = await fleet.services.jobs.wait((await fleet.call('backups.discardKeptCopy', { hostId, name: 'it-restore', confirm: 'it-restore' })).jobId);
  expect(job.error ?? null).toBeNull();
}

async function state(): Promise<string> {
  return (await fleet.call('tenants.show', { hostId, name: 'it-restore' })).state;
}

describe('restoring a tenant', () => {
  it('puts the backup’s database and filestore back, owned by the tenant, and leaves it running', async () => {
    await asTenant("INSERT INTO fleet_marker VALUES ('after')");
    await filestore('echo changed > ab/abcdef && echo new > ab/added');
    const { jobId } = await fleet.call('backups.restore', { hostId, name: 'it-restore', confirm: 'it-restore', backupId });
    const job = await fleet.services.jobs.wait(jobId);
    expect(job.error ?? null).toBeNull();
    expect(await asTenant('SELECT v FROM fleet_marker ORDER BY v')).toEqual([{ v: 'before' }]);
    expect(await asTenant('SELECT count(*)::int AS n FROM fleet_bulk')).toEqual([{ n: 300000 }]);
    expect(await asTenant("SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace = 'public'::regnamespace")).toEqual([{ owner: 'odoo_it_restore' }]);
    expect((await filestore('cat ab/abcdef; ls ab')).split(/\s+/).filter(Boolean)).toEqual(['original', 'abcdef']);
    // The replaced data is kept for the undo window, inert (no connections), its disk measured.
    expect(await leftovers()).toEqual({ databases: ['it_restore', 'it_restore__previous'], folders: ['.previous-it_restore', 'it_restore'] });
    const kept = await fleet.call('backups.keptCopy', { hostId, name: 'it-restore' });
    expect(kept).toMatchObject({ tenant: 'it-restore', database: 'it_restore', jobId });
    expect(kept!.databaseBytes).toBeGreaterThan(1_000_000);
    expect(kept!.filestoreBytes).toBeGreaterThan(0);
    expect(Date.parse(kept!.keptUntil) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect(job.result).toMatchObject({ findings: { keptUntil: kept!.keptUntil } });
    const detail = await fleet.call('tenants.show', { hostId, name: 'it-restore' });
    expect(detail).toMatchObject({ state: 'running', health: { ok: true } });
  });

  it('undoes the restore in one step, and the undo itself the same way', async () => {
    const markers = async () => ((await asTenant('SELECT v FROM fleet_marker ORDER BY v')) as Array<{ v: string }>).map((r) => r.v);
    await expect(fleet.call('backups.undoRestore', { hostId, name: 'it-restore', confirm: 'it-restor' })).rejects.toMatchObject({ code: 'VALIDATION' });
    const undo = await fleet.services.jobs.wait((await fleet.call('backups.undoRestore', { hostId, name: 'it-restore', confirm: 'it-restore' })).jobId);
    expect(undo.error ?? null).toBeNull();
    expect(await markers()).toEqual(['after', 'before']);
    expect((await filestore('cat ab/abcdef; ls ab')).split(/\s+/).filter(Boolean)).toEqual(['changed', 'abcdef', 'added']);
    expect(await state()).toBe('running');
    const redo = await fleet.services.jobs.wait((await fleet.call('backups.undoRestore', { hostId, name: 'it-restore', confirm: 'it-restore' })).jobId);
    expect(redo.error ?? null).toBeNull();
    expect(await markers()).toEqual(['before']);
    expect(await leftovers()).toEqual({ databases: ['it_restore', 'it_restore__previous'], folders: ['.previous-it_restore', 'it_restore'] });
  });

  it('drops the kept copy when asked (or when its window ended), and then has no way back', async () => {
    await discardKeptCopy();
    expect(await leftovers()).toEqual({ databases: ['it_restore'], folders: ['it_restore'] });
    expect(await fleet.call('backups.keptCopy', { hostId, name: 'it-restore' })).toBeNull();
    await expect(fleet.call('backups.undoRestore', { hostId, name: 'it-restore', confirm: 'it-restore' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // The scheduler's sweep drops copies whose window ended.
    const restored = await fleet.services.jobs.wait((await fleet.call('backups.restore', { hostId, name: 'it-restore', confirm: 'it-restore', backupId })).jobId);
    expect(restored.error ?? null).toBeNull();
    const [sweep] = await fleet.services.backups.discardExpired(hostId, Date.now() + 25 * 3_600_000);
    expect((await fleet.services.jobs.wait(sweep!)).error ?? null).toBeNull();
    expect(await leftovers()).toEqual({ databases: ['it_restore'], folders: ['it_restore'] });
  });

  it('refuses to keep the replaced data without room for it, unless the way back is given up by name', async () => {
    const reserve = process.env.FLEET_RESTORE_RESERVE_MIB;
    process.env.FLEET_RESTORE_RESERVE_MIB = String(2 ** 40); // more than any disk here
    try {
      await asTenant("INSERT INTO fleet_marker VALUES ('kept')");
      const refused = await fleet.services.jobs.wait((await fleet.call('backups.restore', { hostId, name: 'it-restore', confirm: 'it-restore', backupId })).jobId);
      expect(refused.error).toMatchObject({ code: 'CONFLICT', step: 'room', message: expect.stringMatching(/--without-undo it-restore/) });
      expect(await asTenant("SELECT count(*)::int AS n FROM fleet_marker WHERE v = 'kept'")).toEqual([{ n: 1 }]);
      await expect(fleet.call('backups.restore', { hostId, name: 'it-restore', confirm: 'it-restore', withoutUndo: 'other', backupId })).rejects.toMatchObject({ code: 'VALIDATION' });
      const done = await fleet.services.jobs.wait((await fleet.call('backups.restore', { hostId, name: 'it-restore', confirm: 'it-restore', withoutUndo: 'it-restore', backupId })).jobId);
      expect(done.error ?? null).toBeNull();
      expect(await leftovers()).toEqual({ databases: ['it_restore'], folders: ['it_restore'] });
      expect(await fleet.call('backups.keptCopy', { hostId, name: 'it-restore' })).toBeNull();
    } finally {
      if (reserve === undefined) delete process.env.FLEET_RESTORE_RESERVE_MIB;
      else process.env.FLEET_RESTORE_RESERVE_MIB = reserve;
    }
  });

  it("says when the restored administrators are back on Odoo's default password or web.base.url names another host, and sets a new password", async () => {
    // A database "made elsewhere": admin/admin, and its old address.
    await asTenant(`UPDATE res_users SET password = '${odooPasswordHash('admin', 1000)}' WHERE login = 'admin'`);
    await asTenant("UPDATE ir_config_parameter SET value = 'https://old-shop.example.org' WHERE key = 'web.base.url'");
    const elsewhere = await fleet.call('backups.create', { hostId, name: 'it-restore' });
    expect((await fleet.services.jobs.wait(elsewhere.jobId)).error ?? null).toBeNull();
    const job = await fleet.services.jobs.wait((await fleet.call('backups.restore', { hostId, name: 'it-restore', confirm: 'it-restore', backupId: elsewhere.backupId })).jobId);
    expect(job.error ?? null).toBeNull();
    expect(job.result).toMatchObject({
      findings: { adminsOnDefaultPassword: ['admin'], baseUrl: { stored: 'https://old-shop.example.org', servedAt: 'it-restore.shops.test', stale: true } },
    });
    await expect(fleet.call('tenants.resetAdminPassword', { hostId, name: 'it-restore', login: 'nobody' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const reset = await fleet.call('tenants.resetAdminPassword', { hostId, name: 'it-restore', login: 'admin' });
    expect(reset.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const stored = ((await asTenant("SELECT password FROM res_users WHERE login = 'admin'")) as Array<{ password: string }>)[0]!.password;
    expect(await storedPasswordIs(stored, reset.password)).toBe(true);
    expect(await storedPasswordIs(stored, 'admin')).toBe(false);
    expect(JSON.stringify(fleet.services.audit.list(5))).not.toContain(reset.password);
    await asTenant("UPDATE ir_config_parameter SET value = 'http://localhost:8069' WHERE key = 'web.base.url'");
    await discardKeptCopy();
  });

  it('keeps a stopped tenant stopped, and can restore as a neutralized copy', async () => {
    const uuid = async () => (await asTenant("SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'")) as Array<{ value: string }>;
    const before = (await uuid())[0]!.value;
    await fleet.services.jobs.wait((await fleet.call('tenants.stop', { hostId, name: 'it-restore' })).jobId);
    const { jobId } = await fleet.call('backups.restore', { hostId, name: 'it-restore', confirm: 'it-restore', backupId, copy: true, neutralize: true });
    expect((await fleet.services.jobs.wait(jobId)).error ?? null).toBeNull();
    expect(await state()).toBe('exited');
    expect((await uuid())[0]!.value).not.toBe(before);
    expect(await asTenant('SELECT count(*)::int AS n FROM ir_cron WHERE active')).toEqual([{ n: 0 }]);
    expect(await asTenant('SELECT count(*)::int AS n FROM ir_mail_server WHERE active')).toEqual([{ n: 0 }]);
    expect(await asTenant("SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'")).toEqual([{ value: 'True' }]);
    await fleet.services.jobs.wait((await fleet.call('tenants.start', { hostId, name: 'it-restore' })).jobId);
  });

  it("restores a zip written the way Odoo's database manager writes it", async () => {
    // Odoo zips with Python's zipfile (deflate, sizes in the local headers, dump.sql first).
    const odooZip = path.join(path.dirname(archive), 'odoo-written.zip');
    execFileSync('/usr/bin/python3', ['-c', [
      'import zipfile, sys',
      'src = zipfile.ZipFile(sys.argv[1])',
      'names = sorted(src.namelist(), key=lambda n: n != "dump.sql")',
      'with zipfile.ZipFile(sys.argv[2], "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as out:',
      '    for n in names: out.writestr(n, src.read(n))',
    ].join('\n'), archive, odooZip]);
    await asTenant("INSERT INTO fleet_marker VALUES ('odoo')");
    await expect(fleet.call('backups.restore', { hostId, name: 'it-restore', confirm: 'it-restore', file: odooZip })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const { jobId } = await fleet.call('backups.restore', { hostId, name: 'it-restore', confirm: 'it-restore', file: odooZip }, CLI);
    expect((await fleet.services.jobs.wait(jobId)).error ?? null).toBeNull();
    expect(await asTenant('SELECT v FROM fleet_marker ORDER BY v')).toEqual([{ v: 'before' }]);
  });

  it('refuses a flipped bit, a path escaping the archive and a truncated zip before touching the tenant', async () => {
    await asTenant("INSERT INTO fleet_marker VALUES ('untouched')");
    const original = fs.readFileSync(archive);
    const bad = async (file: string, message: RegExp, options: { catalogued?: boolean } = {}) => {
      const started = options.catalogued
        ? await fleet.call('backups.restore', { hostId, name: 'it-restore', confirm: 'it-restore', backupId })
        : await fleet.call('backups.restore', { hostId, name: 'it-restore', confirm: 'it-restore', file }, CLI);
      const job = await fleet.services.jobs.wait(started.jobId);
      if (options.catalogued) {
        // The recorded checksum is checked beside the load, into scratch copies that then go.
        expect(job.error).toMatchObject({ code: 'ARCHIVE_INVALID', step: 'load-dump', message: expect.stringMatching(message) });
        expect(job.error!.message).toMatch(/The tenant was not touched/);
        expect(job.steps.find((s) => s.name === 'stop')!.state).toBe('skipped');
        const left = await leftovers();
        expect(left.databases).not.toContain('it_restore__restore');
        expect(left.folders).not.toContain('.restore-it_restore');
      } else {
        expect(job.error).toMatchObject({ code: 'ARCHIVE_INVALID', step: 'check-archive', message: expect.stringMatching(message) });
        expect(job.steps.find((s) => s.name === 'preflight')!.state).toBe('skipped'); // never reached
      }
    };
    try {
      const flipped = Buffer.from(original);
      const at = Math.floor(flipped.length / 2);
      flipped.writeUInt8(flipped.readUInt8(at) ^ 0x10, at);
      fs.writeFileSync(archive, flipped);
      await bad(archive, /sha256/, { catalogued: true });
    } finally {
      fs.writeFileSync(archive, original);
    }
    const slip = path.join(path.dirname(archive), 'slip.zip');
    execFileSync('/usr/bin/python3', ['-c', 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],"w"); z.writestr("dump.sql","SELECT 1;"); z.writestr("filestore/../../etc/cron.d/x","boom"); z.close()', slip]);
    await bad(slip, /outside the restore folder/);
    const truncated = path.join(path.dirname(archive), 'truncated.zip');
    fs.writeFileSync(truncated, original.subarray(0, Math.floor(original.length * 0.6)));
    await bad(truncated, /truncated/);
    expect(await asTenant("SELECT count(*)::int AS n FROM fleet_marker WHERE v = 'untouched'")).toEqual([{ n: 1 }]);
    expect(await state()).toBe('running');
  });

  it('refuses an archive of another Odoo series before touching the tenant', async () => {
    const other = path.join(path.dirname(archive), 'odoo-16.zip');
    const script = [
      'import zipfile, sys, json',
      'src = zipfile.ZipFile(sys.argv[1])',
      'with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as out:',
      '    for n in src.namelist():',
      '        data = src.read(n)',
      '        if n == "manifest.json":',
      '            m = json.loads(data); m["version"] = m["major_version"] = "16.0"; data = json.dumps(m)',
      '        out.writestr(n, data)',
    ].join('\n');
    execFileSync('/usr/bin/python3', ['-c', script, archive, other]);
    const job = await fleet.services.jobs.wait((await fleet.call('backups.restore', { hostId, name: 'it-restore', confirm: 'it-restore', file: other }, CLI)).jobId);
    expect(job.error).toMatchObject({ code: 'VALIDATION', step: 'preflight', message: expect.stringMatching(/Odoo 16\.0 database; the tenant runs Odoo 17\.0/) });
    expect(job.steps.find((s) => s.name === 'scratch-database')!.state).toBe('skipped');
    expect(await state()).toBe('running');
  });

  it('stops at the first SQL error of a dump, leaving the tenant as it was', async () => {
    await discardKeptCopy(); // the tests before kept what their restores replaced
    // psql exits at the error while megabytes of the dump are still to come: the feed stops,
    // its error is reported, and the scratch database goes.
    const broken = path.join(path.dirname(archive), 'broken-dump.zip');
    const script = 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],"w",zipfile.ZIP_DEFLATED); z.writestr("dump.sql", "SELECT no_such_function();" + chr(10) + ("-- filler line to keep psql fed" + chr(10)) * 400000); z.writestr("manifest.json","{}"); z.close()';
    execFileSync('/usr/bin/python3', ['-c', script, broken]);
    await asTenant("INSERT INTO fleet_marker VALUES ('kept')");
    const { jobId } = await fleet.call('backups.restore', { hostId, name: 'it-restore', confirm: 'it-restore', file: broken }, CLI);
    const job = await fleet.services.jobs.wait(jobId);
    expect(job.error).toMatchObject({ code: 'COMMAND_FAILED', step: 'load-dump', message: expect.stringMatching(/no_such_function/) });
    expect(await asTenant("SELECT count(*)::int AS n FROM fleet_marker WHERE v = 'kept'")).toEqual([{ n: 1 }]);
    expect(await leftovers()).toEqual({ databases: ['it_restore'], folders: ['it_restore'] });
    expect(await state()).toBe('running');
  });

  it("runs a dump with no more rights than the tenant's own role", async () => {
    // An archive is untrusted: a dump that drops back from the tenant's role must not find an
    // administrator behind it, nor the administrator's password beside it.
    const evil = path.join(path.dirname(archive), 'evil.zip');
    const script = 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],"w"); z.writestr("dump.sql", "RESET ROLE;" + chr(10) + "\\\\! cat /tmp/.fleet-pgpass" + chr(10) + "CREATE ROLE fleet_evil_superuser SUPERUSER;" + chr(10)); z.writestr("manifest.json","{}"); z.close()';
    execFileSync('/usr/bin/python3', ['-c', script, evil]);
    const { jobId } = await fleet.call('backups.restore', { hostId, name: 'it-restore', confirm: 'it-restore', file: evil }, CLI);
    const job = await fleet.services.jobs.wait(jobId);
    // The shell escape is refused before psql sees a byte of the dump.
    expect(job.error).toMatchObject({ code: 'ARCHIVE_INVALID', step: 'load-dump', message: expect.stringMatching(/line 2 .*\\!/) });
    expect(job.error!.message).not.toContain(testbed.postgres.adminPassword);
    const roles = await withPostgres(fleet.services.pool, fleet.services.hosts.dbTarget(hostId)!, (c) => c.query("SELECT rolname FROM pg_roles WHERE rolname = 'fleet_evil_superuser' OR rolname LIKE 'fleet\\_tmp\\_%'"));
    expect(roles.rows).toEqual([]); // nothing created, and the throw-away loader role is gone
    expect(await leftovers()).toEqual({ databases: ['it_restore'], folders: ['it_restore'] });
  });

  it('verifies a backup by a restore drill beside the tenant, and records the verdict', async () => {
    await asTenant("INSERT INTO fleet_marker VALUES ('live data is not the backup')");
    const { jobId } = await fleet.call('backups.verify', { hostId, name: 'it-restore', backupId });
    const job = await fleet.services.jobs.wait(jobId);
    expect(job.error ?? null).toBeNull();
    expect((await fleet.call('jobs.get', { id: jobId })).result).toMatchObject({ verdict: { ok: true, detail: expect.stringMatching(/tables with the recorded row counts/) } });
    const entry = () => fleet.call('backups.list', { hostId, name: 'it-restore' }).then((list) => list.find((b) => b.id === backupId)!);
    expect((await entry()).verification).toMatchObject({ ok: true, method: 'restore' });
    expect(await leftovers()).toEqual({ databases: ['it_restore'], folders: ['it_restore'] });

    // A recorded figure the restore does not reproduce is a failed verdict naming the table.
    const coordinator = fleet.services.coordinators.of(hostId)!;
    await coordinator.withFleet((c) => c.query(`UPDATE fleet_backups SET row_counts = jsonb_set(row_counts, '{public.fleet_marker}', '7') WHERE id = $1`, [backupId]));
    const mismatch = await fleet.services.jobs.wait((await fleet.call('backups.verify', { hostId, name: 'it-restore', backupId })).jobId);
    expect(mismatch.error).toMatchObject({ code: 'ARCHIVE_INVALID', step: 'record', message: expect.stringMatching(/public\.fleet_marker: 1 restored vs 7 recorded/) });
    expect((await entry()).verification).toMatchObject({ ok: false, method: 'restore' });
    expect(await leftovers()).toEqual({ databases: ['it_restore'], folders: ['it_restore'] });

    // A damaged archive fails the drill (its checksum, checked beside the load), says so in the
    // catalog, and leaves no scratch copy.
    const original = fs.readFileSync(archive);
    try {
      const damaged = Buffer.from(original);
      damaged.writeUInt8(damaged.readUInt8(100) ^ 0x01, 100);
      fs.writeFileSync(archive, damaged);
      const failed = await fleet.services.jobs.wait((await fleet.call('backups.verify', { hostId, name: 'it-restore', backupId })).jobId);
      expect(failed.error).toMatchObject({ code: 'ARCHIVE_INVALID', step: 'load-dump', message: expect.stringMatching(/sha256/) });
      expect((await entry()).verification).toMatchObject({ ok: false, method: 'archive', detail: expect.stringMatching(/sha256/) });
      expect(await leftovers()).toEqual({ databases: ['it_restore'], folders: ['it_restore'] });
    } finally {
      fs.writeFileSync(archive, original);
    }
  });

  it("never drops a database of the scratch copy's name that is not the tenant's", async () => {
    // A tenant named "it-restore--verify" would own it_restore__verify: here, the admin does.
    const admin = fleet.services.hosts.dbTarget(hostId)!;
    await withPostgres(fleet.services.pool, admin, (c) => c.query('CREATE DATABASE it_restore__verify'));
    try {
      const job = await fleet.services.jobs.wait((await fleet.call('backups.verify', { hostId, name: 'it-restore', backupId })).jobId);
      expect(job.error).toMatchObject({ code: 'CONFLICT', step: 'scratch-database', message: expect.stringMatching(/left alone/) });
      const still = await withPostgres(fleet.services.pool, admin, (c) => c.query("SELECT 1 FROM pg_database WHERE datname = 'it_restore__verify'"));
      expect(still.rowCount).toBe(1);
    } finally {
      await withPostgres(fleet.services.pool, admin, (c) => c.query('DROP DATABASE IF EXISTS it_restore__verify'));
    }
  });

  it("a swap that fails undoes only its own work, and leaves another's database alone", async () => {
    await discardKeptCopy();
    const admin = fleet.services.hosts.dbTarget(hostId)!;
    await asTenant("INSERT INTO fleet_marker VALUES ('served')");
    await withPostgres(fleet.services.pool, admin, (c) => c.query('CREATE DATABASE it_restore__previous'));
    try {
      const job = await fleet.services.jobs.wait((await fleet.call('backups.restore', { hostId, name: 'it-restore', confirm: 'it-restore', backupId })).jobId);
      expect(job.error).toMatchObject({ code: 'CONFLICT', step: 'swap' });
      expect(await asTenant("SELECT count(*)::int AS n FROM fleet_marker WHERE v = 'served'")).toEqual([{ n: 1 }]);
      const dbs = await withPostgres(fleet.services.pool, admin, (c) => c.query("SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname LIKE 'it_restore%' ORDER BY 1"));
      expect(dbs.rows).toEqual([{ datname: 'it_restore', owner: 'odoo_it_restore' }, { datname: 'it_restore__previous', owner: admin.user }]);
      expect(await state()).toBe('running');
    } finally {
      await withPostgres(fleet.services.pool, admin, (c) => c.query('DROP DATABASE IF EXISTS it_restore__previous'));
    }
  });

  it('after a console is killed while loading the dump, the tenant serves its old data', async () => {
    await discardKeptCopy();
    const dataDir = fleet.services.dataDir;
    await fleet.services.close();
    const cli = startCli(dataDir, PASSPHRASE, ['restore', 'it-restore', '--host', 'alpha', '--backup', backupId, '--confirm', 'it-restore']);
    await waitForJobStep(dataDir, 'tenant.restore', 'load-dump', 'running');
    await new Promise((r) => setTimeout(r, 700)); // into the load
    await cli.kill();

    fleet = createTestConsole({ dataDir, passphrase: PASSPHRASE });
    const report = fleet.services.jobs.resumeInterrupted();
    expect(report.resumed).toEqual([expect.objectContaining({ kind: 'tenant.restore', direction: 'backward' })]);
    const job = await fleet.services.jobs.wait(report.resumed[0]!.jobId);
    expect(job.state).toBe('compensated');
    expect(await asTenant("SELECT count(*)::int AS n FROM fleet_marker WHERE v = 'untouched'")).toEqual([{ n: 1 }]);
    expect(await leftovers()).toEqual({ databases: ['it_restore'], folders: ['it_restore'] });
    expect(await state()).toBe('running');
  });
});
