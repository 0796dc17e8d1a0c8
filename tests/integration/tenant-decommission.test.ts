import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPostgres } from '../../electron/postgres/pg-over-ssh.js';
import { addTestbedHostWithDb, createTestConsole, removeTenant, type TestConsole } from '../support/console.js';
import { startCli, waitForJobStep } from '../support/cli-process.js';
import { getTestbed } from '../support/testbed.js';

// Decommissioning for real: the final archive is Odoo's backup zip, checked with Python's
// zipfile and unzip; then nothing of the tenant remains. A console killed while archiving
// leaves the tenant as it was.

const testbed = getTestbed();
const PASSPHRASE = 'decommission test passphrase';
let fleet: TestConsole;
let hostId: string;

beforeAll(async () => {
  fleet = createTestConsole({ passphrase: PASSPHRASE });
  hostId = await addTestbedHostWithDb(fleet, testbed);
});
afterAll(async () => {
  for (const name of ['it-decom', 'it-decom-kill']) await removeTenant(fleet.services, hostId, name).catch(() => {});
  await fleet.close();
});

async function createTenant(name: string): Promise<string> {
  const [image, tag] = testbed.images.odoo.split(':') as [string, string];
  const { jobId } = await fleet.call('tenants.create', { name, hostId, domain: 'shops.test', image, tag, modules: ['sale'] });
  const job = await fleet.services.jobs.wait(jobId);
  expect(job.error ?? null).toBeNull();
  return jobId;
}

function docker() {
  return fleet.services.docker.client(fleet.services.hosts.endpoint(hostId));
}

async function leftovers(name: string, database: string, role: string) {
  const d = docker();
  const containers = (await d.listContainers({ all: true, filters: { label: [`fleet.tenant=${name}`] } })).map((c) => c.Names[0]);
  const volumes = ((await d.listVolumes({ filters: { label: [`fleet.tenant=${name}`] } })).Volumes ?? []).map((v) => v.Name);
  const pg = await withPostgres(fleet.services.pool, fleet.services.hosts.dbTarget(hostId)!, (c) =>
    c.query('SELECT datname AS name FROM pg_database WHERE datname = $1 UNION ALL SELECT rolname FROM pg_roles WHERE rolname = $2', [database, role]),
  );
  return { containers, volumes, postgres: pg.rows.map((r: { name: string }) => r.name) };
}

describe('decommissioning a tenant', () => {
  it('asks for the typed name, archives in Odoo’s format, then removes everything', async () => {
    const volumesBefore = new Set(((await docker().listVolumes()).Volumes ?? []).map((v) => v.Name));
    await createTenant('it-decom');
    const detail = await fleet.call('tenants.show', { hostId, name: 'it-decom' });
    expect(detail).toMatchObject({ database: 'it_decom', role: 'odoo_it_decom', suspended: false, health: { ok: true } });
    const secretsBefore = (fleet.services.db.prepare("SELECT count(*) AS n FROM secrets WHERE purpose LIKE 'tenant-%'").get() as { n: number }).n;
    expect(secretsBefore).toBeGreaterThanOrEqual(3);

    await expect(fleet.call('tenants.decommission', { hostId, name: 'it-decom', confirm: 'it-deco' })).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/^confirm:/) });
    await expect(fleet.call('tenants.decommission', { hostId, name: 'it-nobody', confirm: 'it-nobody' })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const { jobId } = await fleet.call('tenants.decommission', { hostId, name: 'it-decom', confirm: 'it-decom' });
    const job = await fleet.services.jobs.wait(jobId);
    expect(job.error ?? null).toBeNull();
    expect(job.state).toBe('succeeded');
    const view = await fleet.call('jobs.get', { id: jobId });
    const archive = (view.result as { archive: { path: string; sha256: string; bytes: number } }).archive;
    expect(archive.path.startsWith(path.join(fleet.services.dataDir, 'backups'))).toBe(true);
    expect(fs.statSync(archive.path).size).toBe(archive.bytes);

    // The archive is what Odoo's database manager writes, readable by the usual tools.
    expect(execFileSync('unzip', ['-t', archive.path]).toString()).toMatch(/No errors detected/);
    const listing = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', 'import zipfile,sys,json; z=zipfile.ZipFile(sys.argv[1]); print(json.dumps({"names": z.namelist(), "manifest": json.loads(z.read("manifest.json")), "dump": z.read("dump.sql").decode()[:2000000]}))', archive.path]).toString(),
    ) as { names: string[]; manifest: Record<string, unknown>; dump: string };
    expect(listing.names[0]).toBe('dump.sql');
    expect(listing.manifest).toMatchObject({ odoo_dump: '1', db_name: 'it_decom', version: '17.0', major_version: '17.0', pg_version: '15.0', version_info: [17, 0, 0, 'final', 0, ''] });
    expect(listing.manifest.modules).toMatchObject({ base: expect.any(String), sale: expect.any(String) });
    expect(listing.dump).toMatch(/CREATE TABLE public\.ir_module_module/);
    expect(listing.dump).not.toMatch(/OWNER TO/); // --no-owner, as Odoo dumps
    const filestore = listing.names.filter((n) => n.startsWith('filestore/'));
    expect(filestore.length).toBeGreaterThan(0);
    expect(filestore.every((n) => /^filestore\/[0-9a-f]{2}\/[0-9a-f]{40}$/.test(n))).toBe(true);
    const sidecar = JSON.parse(fs.readFileSync(`${archive.path}.json`, 'utf8')) as { sha256: string; kind: string; rowCounts: Record<string, number>; filestore: { files: number } };
    expect(sidecar).toMatchObject({ sha256: archive.sha256, kind: 'final' });
    // Exact row counts from the dump's own snapshot: the dump holds as many module rows.
    const moduleRows = /COPY public\.ir_module_module [^\n]*\n([\s\S]*?)\n\\\.\n/.exec(listing.dump)?.[1]?.split('\n').length;
    expect(sidecar.rowCounts['public.ir_module_module']).toBe(moduleRows);
    expect(sidecar.filestore.files).toBe(filestore.length);
    // The host's backup catalog records the final archive, proven by a restore drill before anything was removed.
    expect(await fleet.call('backups.list', { hostId, name: 'it-decom' })).toEqual([
      expect.objectContaining({
        id: jobId,
        kind: 'final',
        state: 'succeeded',
        sha256: archive.sha256,
        bytes: archive.bytes,
        destinations: [{ kind: 'local', path: archive.path }],
        verification: expect.objectContaining({ ok: true, method: 'restore', detail: expect.stringMatching(/recorded row counts/) }),
      }),
    ]);
    const order = view.steps.map((s) => s.name);
    expect(order.indexOf('compare')).toBeLessThan(order.indexOf('remove-containers'));
    expect(view.steps.find((s) => s.name === 'compare')?.state).toBe('done');

    expect(await leftovers('it-decom', 'it_decom', 'odoo_it_decom')).toEqual({ containers: [], volumes: [], postgres: [] });
    // Not even the anonymous volumes an image declares (the official image's /mnt/extra-addons)
    // are left by the tenant's containers or the one-off helpers.
    expect(((await docker().listVolumes()).Volumes ?? []).map((v) => v.Name).filter((n) => !volumesBefore.has(n))).toEqual([]);
    expect(fleet.services.db.prepare("SELECT count(*) AS n FROM secrets WHERE purpose LIKE 'tenant-%'").get()).toEqual({ n: 0 });
    expect((await fleet.call('tenants.list', { hostId })).map((t) => t.name)).not.toContain('it-decom');
    // Nothing secret went into the audit trail or the job's public result.
    expect(JSON.stringify(fleet.services.audit.list(50))).not.toContain(testbed.postgres.adminPassword);
  });

  it('after a console is killed while archiving, a restarted one puts the tenant back as it was', async () => {
    await createTenant('it-decom-kill');
    // A filestore big enough (random, so incompressible) that archiving takes a few seconds.
    const { dataVolume } = await fleet.call('tenants.show', { hostId, name: 'it-decom-kill' });
    const filler = await docker().createContainer({
      Image: testbed.images.odoo,
      User: '0',
      Entrypoint: ['sh', '-c', 'mkdir -p /var/lib/odoo/filestore/it_decom_kill/ff && head -c 300000000 /dev/urandom > /var/lib/odoo/filestore/it_decom_kill/ff/big'],
      HostConfig: { Mounts: [{ Type: 'volume', Source: dataVolume!, Target: '/var/lib/odoo' }], NetworkMode: 'none' },
    });
    await filler.start();
    expect(((await filler.wait()) as { StatusCode: number }).StatusCode).toBe(0);
    await filler.remove();
    const dataDir = fleet.services.dataDir;
    await fleet.services.close(); // the CLI process owns the store now
    const cli = startCli(dataDir, PASSPHRASE, ['tenants', 'decommission', 'it-decom-kill', '--host', 'alpha', '--confirm', 'it-decom-kill']);
    await waitForJobStep(dataDir, 'tenant.decommission', 'archive', 'running').catch((error: Error) => {
      const log = path.join(dataDir, 'logs', 'console.log');
      throw new Error(`${error.message}; the CLI said: ${cli.stderr()}; its log: ${fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-3000) : '(none)'}`);
    });
    // Into the dump or the filestore: once a helper container reading the database runs.
    const local = new Docker({ socketPath: testbed.alpha.dockerSocket });
    for (const deadline = Date.now() + 120_000; !(await local.listContainers({ filters: { label: ['fleet.role=archive', 'fleet.database=it_decom_kill'] } })).length; ) {
      if (Date.now() > deadline) throw new Error(`no archive helper ever ran; the CLI said: ${cli.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await cli.kill();

    fleet = createTestConsole({ dataDir, passphrase: PASSPHRASE });
    const report = fleet.services.jobs.resumeInterrupted();
    expect(report.resumed).toEqual([expect.objectContaining({ kind: 'tenant.decommission', direction: 'backward' })]);
    const job = await fleet.services.jobs.wait(report.resumed[0]!.jobId);
    expect(job.state).toBe('compensated');
    expect(job.steps.filter((s) => s.compensationError !== null)).toEqual([]);

    // Running and healthy again, its data intact, and no half-written archive anywhere.
    let detail = await fleet.call('tenants.show', { hostId, name: 'it-decom-kill' });
    for (const deadline = Date.now() + 60_000; !detail.health.ok && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 500)); // the server was just started again
      detail = await fleet.call('tenants.show', { hostId, name: 'it-decom-kill' });
    }
    expect(detail).toMatchObject({ state: 'running', health: { ok: true } });
    const left = await leftovers('it-decom-kill', 'it_decom_kill', 'odoo_it_decom_kill');
    expect(left.postgres.sort()).toEqual(['it_decom_kill', 'odoo_it_decom_kill']);
    expect(left.volumes.length).toBe(2);
    const archives = path.join(dataDir, 'backups');
    const files = fs.existsSync(archives) ? fs.readdirSync(archives, { recursive: true }).map(String).filter((f) => f.includes('it-decom-kill') && fs.statSync(path.join(archives, f)).isFile()) : [];
    expect(files).toEqual([]);
    // No helper container left running the dump.
    expect(await docker().listContainers({ all: true, filters: { label: ['fleet.role=archive', 'fleet.database=it_decom_kill'] } })).toEqual([]);
  });
});
