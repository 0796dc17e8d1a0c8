// npm run bench:backup [-- --quick] [-- --json] [-- --verbose]
// Backups and restores of two tenants on the testbed's alpha host, one with about 1 GB of database
// and 1 GB of filestore, one 4× smaller (--quick: 64 MB + 64 MB and 16 MB + 16 MB), through the
// product's own jobs (backups.create, then backups.restore of that backup over the tenant): the
// wall time of each job and the console's peak RSS during it. Baseline in the same run, through
// OpenSSH on the host: `pg_dump | gzip` and `tar | gzip` of the filestore into local files, then
// the reverse (`gunzip | psql` into a scratch database, `gunzip | tar -x` into a scratch folder).
// Self-contained: brings up the testbed, and removes all it made.
//
// The data is generated on the host: database rows server-side (INSERT … SELECT FROM
// generate_series, as the tenant's role), filestore files by a one-off container of the tenant's
// image with its volume mounted (1 MB files named like Odoo's, 3 in 4 random bytes as attachments
// mostly are — images, PDFs — and 1 in 4 base64 text).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type pg from 'pg';
import { silentLogger } from '../electron/common/log.js';
import { logLines } from '../electron/docker/log-stream.js';
import { withPostgres } from '../electron/postgres/pg-over-ssh.js';
import { startTestbed, stopTestbed, type TestbedDescriptor } from '../scripts/testbed/index.js';
import { addTestbedHostWithDb, createTestConsole, removeTenant, type TestConsole } from '../tests/support/console.js';
import { openSshClient, type OpenSshClient } from './openssh.js';
import { args, cleanupOnce, json, quick, report, round, runBench } from './stats.js';

const MB = 2 ** 20;
/** Database and filestore size of each tenant, in MB (the second is 4× smaller). */
const SIZES_MB = quick ? [64, 16] : [1024, 256];
const FILE_KB = 1024;
const DOMAIN = 'bench.test';
const BASELINE_LABEL = 'fleet.bench=backup-baseline';
const verbose = args.has('--verbose');

const label = (mb: number) => (mb >= 1024 ? `${mb / 1024}GB` : `${mb}MB`);
const shq = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * The console's RSS while fn runs: before, and the peak (sampled every 50 ms, with the kernel's
 * high-water mark reset before and read after), with the heap, external and array-buffer figures
 * of the sample that saw the largest RSS.
 */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ value: T; beforeMb: number; peakMb: number; atPeak: NodeJS.MemoryUsage }> {
  // What the filling and the previous operation left is not counted: collect, let the freed
  // pages go back, collect again.
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 500));
  collectGarbage();
  const before = process.memoryUsage.rss();
  // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0), so the kernel's own
  // high-water mark covers exactly this operation, between samples too.
  let hwm = false;
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    hwm = true;
  } catch {
    /* sampling only */
  }
  let atPeak = process.memoryUsage();
  const sample = () => {
    const now = process.memoryUsage();
    if (now.rss > atPeak.rss) atPeak = now;
  };
  const timer = setInterval(sample, 50);
  try {
    const value = await fn();
    sample();
    let peak = atPeak.rss;
    if (hwm) {
      const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
      if (kb) peak = Math.max(peak, Number(kb) * 1024);
    }
    return { value, beforeMb: before / MB, peakMb: peak / MB, atPeak };
  } finally {
    clearInterval(timer);
  }
}

/** A full garbage collection (the flag set at run time, gc taken from a fresh context). */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const memory = (m: NodeJS.MemoryUsage) => `heap ${round(m.heapUsed / MB, 0)}/${round(m.heapTotal / MB, 0)}, external ${round(m.external / MB, 0)}, array buffers ${round(m.arrayBuffers / MB, 0)} MB`;

/** `ssh alpha <command>`, stdin from a file and/or stdout into one; rejects with stderr on failure. */
function ssh(client: OpenSshClient, command: string, io: { stdinFile?: string; stdoutFile?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = io.stdinFile ? fs.openSync(io.stdinFile, 'r') : 'ignore';
    const stdout = io.stdoutFile ? fs.openSync(io.stdoutFile, 'w') : 'pipe';
    // The login shell is dash: the pipelines run in bash, so a failing producer fails them.
    const child = spawn('ssh', ['alpha', `exec bash -o pipefail -c ${shq(command)}`], { env: client.env, stdio: [stdin, stdout, 'pipe'] });
    for (const fd of [stdin, stdout]) if (typeof fd === 'number') fs.closeSync(fd);
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`ssh alpha exited with ${code}: ${err.trim().slice(-2000)}`))));
  });
}

interface Tenant {
  name: string;
  mb: number;
  database: string;
  role: string;
  dataVolume: string;
}

async function main() {
  const log = (line: string) => (json ? undefined : process.stderr.write(`${line}\n`));
  const testbed: TestbedDescriptor = await startTestbed({ log: verbose ? log : () => {} });
  const fleet: TestConsole = createTestConsole({ log: silentLogger });
  const [repository, tag] = testbed.images.odoo.split(':') as [string, string];
  const tenants: Tenant[] = [];
  const scratchDatabases: string[] = [];
  let hostId = '';

  const admin = () => fleet.services.hosts.dbTarget(hostId)!;
  const docker = () => fleet.services.docker.client(fleet.services.hosts.endpoint(hostId));
  const sock = testbed.alpha.dockerSocket;

  /** A shell in a one-off container of the tenant's image, its volume mounted at /var/lib/odoo; its output. */
  const inVolume = async (t: Tenant, script: string, scriptArgs: string[] = []): Promise<string> => {
    const c = await docker().createContainer({
      Image: testbed.images.odoo,
      User: '0',
      Entrypoint: ['sh', '-c', script, 'sh', ...scriptArgs],
      Labels: { 'fleet.bench': 'backup-baseline' },
      HostConfig: { Mounts: [{ Type: 'volume', Source: t.dataVolume, Target: '/var/lib/odoo' }], NetworkMode: 'none' },
    });
    try {
      await c.start();
      const { StatusCode } = (await c.wait()) as { StatusCode: number };
      const out = logLines((await c.logs({ stdout: true, stderr: true })) as unknown as Buffer).join('\n');
      if (StatusCode !== 0) throw new Error(`script in ${t.name}'s volume failed (${StatusCode}): ${out.slice(-2000)}`);
      return out;
    } finally {
      await c.remove({ force: true }).catch(() => {});
    }
  };

  const cleanup = cleanupOnce('backup', async () => {
    if (hostId) {
      for (const c of await docker().listContainers({ all: true, filters: { label: [BASELINE_LABEL] } }).catch(() => [])) {
        await docker().getContainer(c.Id).remove({ force: true }).catch(() => {});
      }
      for (const db of scratchDatabases) {
        await withPostgres(fleet.services.pool, admin(), (c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(db)} WITH (FORCE)`)).catch(() => {});
      }
      for (const t of tenants) {
        await removeTenant(fleet.services, hostId, t.name).catch((error: Error) => process.stderr.write(`bench:backup: could not remove tenant ${t.name}: ${error.message}\n`));
      }
    }
    await fleet.close(); // the console's folder: its archives and the baseline's files
    await stopTestbed(testbed);
  });

  try {
    hostId = await addTestbedHostWithDb(fleet, testbed);
    const client = openSshClient(path.join(fleet.dir, 'openssh'), testbed, ['alpha']);
    const baselineDir = path.join(fleet.dir, 'baseline');
    fs.mkdirSync(baselineDir, { recursive: true });
    await ssh(client, `docker -H unix://${sock} version --format '{{.Server.Version}}'`);

    // 1. The tenants, created through the product, then filled.
    const createStarted = performance.now();
    await Promise.all(
      SIZES_MB.map(async (mb, i) => {
        const name = `bench-backup-${i === 0 ? 'large' : 'small'}`;
        const stem = name.replace(/-/g, '_');
        const t: Tenant = { name, mb, database: stem, role: `odoo_${stem}`, dataVolume: '' };
        tenants.push(t);
        const { jobId } = await fleet.call('tenants.create', { name, hostId, domain: DOMAIN, image: repository, tag });
        const done = await fleet.services.jobs.wait(jobId);
        if (done.state !== 'succeeded') throw new Error(`creating ${name} failed: ${done.error?.message ?? done.state}`);
        const shown = await fleet.call('tenants.show', { hostId, name });
        if (shown.database) t.database = shown.database;
        t.dataVolume = shown.dataVolume!;
      }),
    );
    tenants.sort((a, b) => a.mb - b.mb); // the smaller first: any warm-up falls on it
    log(`created ${tenants.length} tenants in ${round((performance.now() - createStarted) / 1000, 1)} s`);

    const asTenant = <T>(t: Tenant, database: string, fn: (c: pg.Client) => Promise<T>) =>
      withPostgres(fleet.services.pool, { ...admin(), database }, async (c) => {
        await c.query(`SET ROLE ${c.escapeIdentifier(t.role)}`);
        return fn(c);
      });
    const databaseBytes = (database: string) =>
      withPostgres(fleet.services.pool, admin(), async (c) => Number((await c.query<{ n: string }>('SELECT pg_database_size($1) AS n', [database])).rows[0]!.n));
    const rowCount = (t: Tenant, database: string) =>
      withPostgres(fleet.services.pool, { ...admin(), database }, async (c) => Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM bench_data')).rows[0]!.n));

    const fill = async (t: Tenant) => {
      const started = performance.now();
      const target = t.mb * MB;
      // Rows of 32 random and 256 repeated hex characters: a sample gives the bytes per row,
      // then the rest in statements of at most a million rows.
      const rows = await asTenant(t, t.database, async (c) => {
        const insert = (from: number, to: number) => c.query('INSERT INTO bench_data SELECT g, md5(random()::text) || repeat(md5(g::text), 8) FROM generate_series($1::bigint, $2::bigint) g', [from, to]);
        const size = async () => Number((await c.query<{ n: string }>('SELECT pg_database_size(current_database()) AS n')).rows[0]!.n);
        await c.query('CREATE TABLE bench_data (g bigint, v text)');
        const empty = await size();
        const sample = 20_000;
        await insert(1, sample);
        const perRow = (await size() - empty) / sample;
        const total = Math.max(sample, Math.round((target - empty) / perRow));
        for (let from = sample + 1; from <= total; from += 1_000_000) await insert(from, Math.min(total, from + 999_999));
        return total;
      });
      const files = Math.round((t.mb * 1024) / FILE_KB);
      const script = [
        'set -e',
        'd="/var/lib/odoo/filestore/$1"; n="$2"; kb="$3"',
        'mkdir -p "$d"; cd "$d"; i=0',
        'while [ "$i" -lt "$n" ]; do',
        '  h=$(echo "bench $i" | sha1sum | cut -c1-40); p=$(echo "$h" | cut -c1-2); mkdir -p "$p"',
        '  if [ $((i % 4)) -eq 3 ]; then head -c $((kb * 768)) /dev/urandom | base64 > "$p/$h"; else head -c $((kb * 1024)) /dev/urandom > "$p/$h"; fi',
        '  i=$((i + 1))',
        'done',
        'chown -R "$(stat -c %u:%g /var/lib/odoo)" /var/lib/odoo/filestore',
        'du -sk "$d" | cut -f1',
      ].join('\n');
      const kb = Number((await inVolume(t, script, [t.database, String(files), String(FILE_KB)])).trim().split(/\s+/).at(-1));
      const dbBytes = await databaseBytes(t.database);
      log(`${t.name}: database ${round(dbBytes / MB)} MB (${rows} rows of bench_data), filestore ${round(kb / 1024)} MB (${files} files) in ${round((performance.now() - started) / 1000, 1)} s`);
      return { rows, dbMb: dbBytes / MB, filestoreMb: kb / 1024 };
    };

    /** Waits for a job; `started` is when its call was made. */
    const job = async (jobId: string, started: number) => {
      const done = await fleet.services.jobs.wait(jobId);
      if (done.state !== 'succeeded') throw new Error(`job ${jobId} ${done.state}: ${done.error?.message ?? ''}`);
      const steps = done.steps
        .filter((s) => s.startedAt && s.finishedAt)
        .map((s) => `${s.name} ${round((Date.parse(s.finishedAt!) - Date.parse(s.startedAt!)) / 1000, 1)} s`)
        .join(', ');
      // What the job runner spends around the steps (journal, lease, events).
      const inSteps = done.steps.filter((s) => s.startedAt && s.finishedAt).reduce((sum, s) => sum + Date.parse(s.finishedAt!) - Date.parse(s.startedAt!), 0);
      const jobMs = Date.parse(done.finishedAt!) - Date.parse(done.createdAt);
      return { ms: performance.now() - started, steps: `${steps}; around the steps ${round((jobMs - inSteps) / 1000, 1)} s` };
    };

    interface Row {
      tenant: Tenant;
      data: { rows: number; dbMb: number; filestoreMb: number };
      backupS: number;
      restoreS: number;
      verifyS: number;
      baselineBackupS: number;
      baselineRestoreS: number;
      rssBeforeMb: { backup: number; restore: number };
      peakRssMb: { backup: number; restore: number };
      archiveMb: number;
      baselineMb: { dump: number; filestore: number };
      steps: { backup: string; restore: string; verify: string };
    }
    const results: Row[] = [];
    for (const t of tenants) {
      const data = await fill(t);

      // 2. Ours: the backup job (archive, verify, catalog), wall time and peak RSS.
      // Timed from the call (withPeakRss first settles the heap, which is not the job's time).
      const backup = await withPeakRss(async () => {
        const started = performance.now();
        const { jobId, backupId } = await fleet.call('backups.create', { hostId, name: t.name });
        return { backupId, ...(await job(jobId, started)) };
      });
      const backupS = backup.value.ms / 1000;
      const entry = (await fleet.call('backups.list', { hostId, name: t.name })).find((b) => b.id === backup.value.backupId)!;
      const archiveMb = fs.statSync(entry.destinations[0]!.path).size / MB;
      log(`${t.name}: backup ${round(backupS, 1)} s (${backup.value.steps}), archive ${round(archiveMb)} MB, RSS ${round(backup.beforeMb)} → peak ${round(backup.peakMb)} MB (at the peak sample: ${memory(backup.atPeak)})`);

      // 3. Baseline backup: pg_dump | gzip, then tar | gzip, through OpenSSH, into local files.
      const dumpFile = path.join(baselineDir, `${t.database}.sql.gz`);
      const tarFile = path.join(baselineDir, `${t.database}.tar.gz`);
      const pg = testbed.postgres;
      const pgRun = (extra: string) =>
        `docker -H unix://${sock} run --rm ${extra} --label ${BASELINE_LABEL} --network ${testbed.dockerNetwork.name} -e PGPASSWORD=${shq(pg.adminPassword)} ${testbed.images.postgres}`;
      const pgArgs = `--host=${testbed.dockerNetwork.gateway} --port=${pg.port} --username=${shq(pg.adminUser)} --no-password`;
      const odooRun = (extra: string, mode: 'ro' | 'rw') => `docker -H unix://${sock} run --rm ${extra} --label ${BASELINE_LABEL} --network none -u 0 -v ${t.dataVolume}:/var/lib/odoo:${mode} ${testbed.images.odoo}`;
      const baselineBackupStarted = performance.now();
      await ssh(client, `${pgRun('')} pg_dump ${pgArgs} --no-owner --format=p ${t.database} | gzip -c`, { stdoutFile: dumpFile });
      await ssh(client, `${odooRun('', 'ro')} tar -C /var/lib/odoo/filestore/${t.database} -cf - . | gzip -c`, { stdoutFile: tarFile });
      const baselineBackupS = (performance.now() - baselineBackupStarted) / 1000;
      const baselineMb = { dump: fs.statSync(dumpFile).size / MB, filestore: fs.statSync(tarFile).size / MB };
      log(`${t.name}: baseline backup ${round(baselineBackupS, 1)} s, ${round(baselineMb.dump)} + ${round(baselineMb.filestore)} MB`);

      // 4. Ours: the restore job, of that backup, over the tenant.
      const restore = await withPeakRss(async () => {
        const started = performance.now();
        const { jobId } = await fleet.call('backups.restore', { hostId, name: t.name, confirm: t.name, backupId: backup.value.backupId });
        return job(jobId, started);
      });
      const restoreS = restore.value.ms / 1000;
      const restoredRows = await rowCount(t, t.database);
      if (restoredRows !== data.rows) throw new Error(`${t.name}: restored bench_data has ${restoredRows} rows, expected ${data.rows}`);
      log(`${t.name}: restore ${round(restoreS, 1)} s (${restore.value.steps}), RSS ${round(restore.beforeMb)} → peak ${round(restore.peakMb)} MB (at the peak sample: ${memory(restore.atPeak)})`);

      // 5. Baseline restore: gunzip | psql into a scratch database, gunzip | tar -x into a scratch
      // folder beside the tenant's filestore (owned as the filestore is).
      const scratch = `${t.database}_baseline`;
      scratchDatabases.push(scratch);
      const baselineRestoreStarted = performance.now();
      await ssh(
        client,
        `set -e; ${pgRun('')} psql ${pgArgs} -X -q --dbname=postgres -c ${shq(`CREATE DATABASE ${scratch}`)}; gunzip -c | ${pgRun('-i')} psql ${pgArgs} -X -q -v ON_ERROR_STOP=1 --dbname=${scratch} >/dev/null`,
        { stdinFile: dumpFile },
      );
      await ssh(
        client,
        `gunzip -c | ${odooRun('-i', 'rw')} sh -c ${shq(`set -e; d=/var/lib/odoo/filestore/${scratch}; rm -rf "$d"; mkdir -p "$d"; tar -xf - -C "$d"; chown -R "$(stat -c %u:%g /var/lib/odoo)" "$d"`)}`,
        { stdinFile: tarFile },
      );
      const baselineRestoreS = (performance.now() - baselineRestoreStarted) / 1000;
      const scratchRows = await rowCount(t, scratch);
      if (scratchRows !== data.rows) throw new Error(`${t.name}: the baseline's scratch bench_data has ${scratchRows} rows, expected ${data.rows}`);
      log(`${t.name}: baseline restore ${round(baselineRestoreS, 1)} s`);

      // 6. Ours: a verify drill of the same backup (loaded beside the tenant, compared, dropped).
      const verifyStarted = performance.now();
      const verify = await job((await fleet.call('backups.verify', { hostId, name: t.name, backupId: backup.value.backupId })).jobId, verifyStarted);
      const verifyS = verify.ms / 1000;
      log(`${t.name}: verify ${round(verifyS, 1)} s (${verify.steps})`);

      // Free the space before the next tenant.
      await withPostgres(fleet.services.pool, admin(), (c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(scratch)} WITH (FORCE)`));
      await inVolume(t, 'rm -rf "/var/lib/odoo/filestore/$1"', [scratch]);
      for (const f of [dumpFile, tarFile, entry.destinations[0]!.path]) fs.rmSync(f, { force: true });

      results.push({
        tenant: t,
        data,
        backupS,
        restoreS,
        verifyS,
        baselineBackupS,
        baselineRestoreS,
        rssBeforeMb: { backup: backup.beforeMb, restore: restore.beforeMb },
        peakRssMb: { backup: backup.peakMb, restore: restore.peakMb },
        archiveMb,
        baselineMb,
        steps: { backup: backup.value.steps, restore: restore.value.steps, verify: verify.steps },
      });
    }

    const by = <V>(fn: (r: Row) => V) => Object.fromEntries(results.map((r) => [label(r.tenant.mb), fn(r)]));
    const result = {
      backup_s: by((r) => round(r.backupS, 2)),
      restore_s: by((r) => round(r.restoreS, 2)),
      verify_s: by((r) => round(r.verifyS, 2)),
      verify_vs_restore: by((r) => round(r.verifyS / r.restoreS, 2)),
      baseline_backup_s: by((r) => round(r.baselineBackupS, 2)),
      baseline_restore_s: by((r) => round(r.baselineRestoreS, 2)),
      peak_rss_mb: by((r) => round(Math.max(r.peakRssMb.backup, r.peakRssMb.restore), 1)),
      archive_mb: by((r) => round(r.archiveMb, 1)),
      baseline_archive_mb: by((r) => round(r.baselineMb.dump + r.baselineMb.filestore, 1)),
      peak_rss_mb_backup: by((r) => round(r.peakRssMb.backup, 1)),
      peak_rss_mb_restore: by((r) => round(r.peakRssMb.restore, 1)),
      rss_before_mb: by((r) => round(Math.min(r.rssBeforeMb.backup, r.rssBeforeMb.restore), 1)),
      database_mb: by((r) => round(r.data.dbMb, 1)),
      filestore_mb: by((r) => round(r.data.filestoreMb, 1)),
    };
    const pad = (s: string | number, n: number) => String(s).padStart(n);
    const ratio = (a: number, b: number) => `${round(a / b, 2)}×`;
    report(
      [
        `tenants on alpha (the stand-in Odoo image), data generated on the host: database rows of 32 random + 256 repeated hex characters,`,
        `  filestore files of ${FILE_KB / 1024} MB (3 in 4 random bytes, 1 in 4 base64 text)`,
        `ours: backups.create (pg_dump and tar in one-off containers on the host, streamed over SSH into an Odoo zip in the console's`,
        `  data folder, then verified and catalogued) and backups.restore of that backup over the tenant; job wall time`,
        `baseline: through OpenSSH, \`ssh alpha 'docker run … pg_dump … | gzip'\` then \`… tar -cf - . | gzip\` into local files; restore:`,
        `  \`gunzip | docker run -i … psql\` into a scratch database, \`gunzip | docker run -i … tar -x\` into a scratch folder`,
        `  (only the baseline passes the PostgreSQL password on a command line, as PGPASSWORD)`,
        `tenant (db + filestore MB)   backup s  baseline   ratio   restore s  baseline   ratio   peak RSS MB (before)   archive MB  baseline MB`,
        ...results.map(
          (r) =>
            `${(`${label(r.tenant.mb)} (${round(r.data.dbMb, 0)} + ${round(r.data.filestoreMb, 0)})`).padEnd(26)} ${pad(round(r.backupS, 1), 9)} ${pad(round(r.baselineBackupS, 1), 9)} ${pad(ratio(r.backupS, r.baselineBackupS), 7)} ${pad(round(r.restoreS, 1), 10)} ${pad(round(r.baselineRestoreS, 1), 9)} ${pad(ratio(r.restoreS, r.baselineRestoreS), 7)}   ${pad(`${round(Math.max(r.peakRssMb.backup, r.peakRssMb.restore), 0)} (${round(Math.min(r.rssBeforeMb.backup, r.rssBeforeMb.restore), 0)})`, 18)}   ${pad(round(r.archiveMb, 1), 10)} ${pad(round(r.baselineMb.dump + r.baselineMb.filestore, 1), 12)}`,
        ),
        ...results.map((r) => `  ${label(r.tenant.mb)} verify drill of the same backup: ${round(r.verifyS, 1)} s, ${ratio(r.verifyS, r.restoreS)} the restore   (goal ≤ 2×)`),
        ...results.map((r) => `  ${label(r.tenant.mb)} steps: backup ${r.steps.backup}; restore ${r.steps.restore}; verify ${r.steps.verify}`),
        ...results.map((r) => `  ${label(r.tenant.mb)} peak RSS: backup ${round(r.peakRssMb.backup, 0)} MB (from ${round(r.rssBeforeMb.backup, 0)}), restore ${round(r.peakRssMb.restore, 0)} MB (from ${round(r.rssBeforeMb.restore, 0)})`),
      ],
      result,
    );
  } finally {
    await cleanup();
  }
}

runBench('backup', main);
