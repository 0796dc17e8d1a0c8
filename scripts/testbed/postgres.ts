// PostgreSQL for the testbed: a throw-away cluster in the temp root, run as the OS user postgres,
// listening on 127.0.0.1 and on the docker network's gateway.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { PG_ADMIN_USER, STATE_DIR, layout } from './layout.js';
import { killAndWait, pidFromFile, run, stepError, waitFor } from './util.js';

export function pgBinDir(): string {
  const fromEnv = process.env.FLEET_TESTBED_PG_BIN;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  let versions: string[] = [];
  try {
    versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'pg_ctl')));
  } catch {
    /* none */
  }
  versions.sort((a, b) => Number(b) - Number(a));
  const chosen = versions.includes('15') ? '15' : versions[0];
  if (!chosen) throw stepError('postgres', `no PostgreSQL under ${root} (Debian package postgresql-15)`);
  return path.join(root, chosen, 'bin');
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const uid = await run('id', ['-u', 'postgres'], { step: 'postgres OS user', allowFail: true });
  const gid = await run('id', ['-g', 'postgres'], { step: 'postgres OS user', allowFail: true });
  if (uid.code !== 0 || gid.code !== 0) throw stepError('postgres', 'OS user postgres is missing (Debian package postgresql-15 creates it)');
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

const asPostgres = (bin: string, args: string[]) => ['-u', 'postgres', '--', bin, ...args];

/**
 * A fresh cluster in <dir>/pg/data. initdb runs once per PostgreSQL build and initdb settings; later testbeds
 * copy that pristine cluster (kept under /tmp/odoo-fleet-testbed-state, holding no secret: roles and passwords
 * are created after start). Independent of the network: runs while the daemons start.
 */
export async function initPostgres(dir: string): Promise<void> {
  const l = layout(dir).pg;
  const { uid, gid } = await postgresIds();
  for (const d of [l.dir, l.run]) {
    fs.mkdirSync(d, { recursive: true, mode: 0o755 });
    fs.chownSync(d, uid, gid);
  }
  fs.writeFileSync(l.log, '');
  fs.chownSync(l.log, uid, gid);
  const initdb = path.join(pgBinDir(), 'initdb');
  if (!fs.existsSync(initdb)) throw stepError('postgres initdb', `${initdb} not found (Debian package postgresql-15)`);
  const initdbArgs = ['-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'];
  const stat = fs.statSync(initdb);
  const key = crypto
    .createHash('sha256')
    .update(`${initdb} ${stat.size} ${stat.mtimeMs} ${uid}:${gid} ${initdbArgs.join(' ')}`)
    .digest('hex')
    .slice(0, 12);
  const template = path.join(STATE_DIR, `pg-template-${key}`);
  if (fs.existsSync(path.join(template, '.complete'))) {
    await run('cp', ['-a', template, l.data], { step: 'postgres: copy the initdb template' });
    fs.rmSync(path.join(l.data, '.complete'), { force: true });
    return;
  }
  await run('runuser', asPostgres(initdb, ['-D', l.data, ...initdbArgs]), { step: 'postgres initdb', timeoutMs: 120_000 });
  // Keep a copy for the next testbeds (best effort; renamed into place so no reader sees half a copy).
  const tmp = `${template}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });
    await run('cp', ['-a', l.data, tmp], { step: 'postgres: save the initdb template' });
    fs.writeFileSync(path.join(tmp, '.complete'), '');
    fs.renameSync(tmp, template);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export async function startPostgres(
  dir: string,
  opts: { port: number; listen: string[]; hostCidrs: string[]; adminPassword: string },
): Promise<void> {
  const l = layout(dir).pg;
  const conf = `
# Fleet testbed (generated)
listen_addresses = '${opts.listen.join(',')}'
port = ${opts.port}
max_connections = 300
unix_socket_directories = '${l.run}'
unix_socket_permissions = 0770
password_encryption = 'scram-sha-256'
fsync = off
synchronous_commit = off
full_page_writes = off
log_connections = off
`;
  fs.appendFileSync(path.join(l.data, 'postgresql.conf'), conf);
  const hba = [
    '# Fleet testbed (generated)',
    'local all all trust',
    ...['127.0.0.1/32', ...opts.hostCidrs].map((cidr) => `host all all ${cidr} scram-sha-256`),
    '',
  ].join('\n');
  fs.writeFileSync(path.join(l.data, 'pg_hba.conf'), hba);
  // Own session (detached), so that the postmaster does not receive our terminal's Ctrl-C.
  await run('runuser', asPostgres(path.join(pgBinDir(), 'pg_ctl'), ['-D', l.data, '-l', l.log, '-w', '-t', '60', 'start']), {
    step: 'postgres start',
    logFile: l.log,
    detached: true,
    timeoutMs: 90_000,
  });
  for (const address of opts.listen) {
    const wanted = `listening on IPv4 address "${address}", port ${opts.port}`;
    await waitFor(() => fs.readFileSync(l.log, 'utf8').includes(wanted), {
      timeoutMs: 5000,
      onTimeout: () => stepError('postgres start', `postgres does not listen on ${address}:${opts.port}`, l.log),
    });
  }
  const client = new pg.Client({ host: l.run, port: opts.port, user: 'postgres', database: 'postgres' });
  try {
    await client.connect();
    await client.query(`CREATE ROLE ${PG_ADMIN_USER} LOGIN SUPERUSER PASSWORD '${opts.adminPassword.replace(/'/g, "''")}'`);
  } catch (err) {
    throw stepError('postgres: create role', (err as Error).message, l.log, err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function stopPostgres(dir: string): Promise<void> {
  const l = layout(dir).pg;
  const pidFile = path.join(l.data, 'postmaster.pid');
  const pid = pidFromFile(pidFile, l.data);
  if (!pid) return;
  const res = await run('runuser', asPostgres(path.join(pgBinDir(), 'pg_ctl'), ['-D', l.data, '-m', 'fast', '-w', '-t', '30', 'stop']), {
    step: 'postgres stop',
    allowFail: true,
    timeoutMs: 40_000,
  });
  if (res.code !== 0) await killAndWait([pid], 'SIGQUIT', 5000);
}
