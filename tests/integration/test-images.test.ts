// The locally built test images (scripts/testbed/images): the managed-PostgreSQL image and the stand-in odoo
// image honouring the official image's contract, run for real on the testbed's daemons.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxRecipe } from '../../scripts/testbed/docker.js';
import { ensureTestImages, newTestImageStats, testImageRecipes, testImageTarballs } from '../../scripts/testbed/images/index.js';
import { LABEL } from '../../scripts/testbed/layout.js';
import { dockerJson, dockerRequest, sleep } from '../../scripts/testbed/util.js';
import { getTestbed } from '../support/testbed.js';

const tb = getTestbed();
const alpha = tb.alpha.dockerSocket;
const beta = tb.beta.dockerSocket;
const run = crypto.randomBytes(3).toString('hex');
const created: Array<{ socket: string; id: string }> = [];
const volumes: Array<{ socket: string; name: string }> = [];
let tmp: string;

// ---------------------------------------------------------------- Engine API helpers

/** A request whose body stays binary (exec and logs streams are multiplexed). */
function rawRequest(socket: string, method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {};
    const req = http.request({ socketPath: socket, method, path: urlPath, headers, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Splits Docker's multiplexed stream (8-byte frame headers) into stdout and stderr. */
function demux(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  for (let i = 0; i + 8 <= buf.length; ) {
    const size = buf.readUInt32BE(i + 4);
    (buf[i] === 2 ? err : out).push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

interface ContainerSpec {
  image: string;
  cmd?: string[];
  env?: Record<string, string>;
  binds?: string[];
  network?: string;
  publish8069?: boolean;
}

async function createContainer(socket: string, name: string, spec: ContainerSpec): Promise<string> {
  const res = await dockerJson<{ Id: string }>(`create ${name}`, socket, 'POST', `/containers/create?name=${name}-${run}`, {
    Image: spec.image,
    ...(spec.cmd ? { Cmd: spec.cmd } : {}),
    Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
    Labels: { [LABEL]: tb.dir, 'test.case': 'test-images' },
    HostConfig: {
      Binds: spec.binds ?? [],
      ...(spec.network ? { NetworkMode: spec.network } : {}),
      ...(spec.publish8069 ? { PortBindings: { '8069/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } } : {}),
    },
  });
  created.push({ socket, id: res.Id });
  return res.Id;
}

async function startContainer(socket: string, id: string): Promise<void> {
  await dockerJson('start', socket, 'POST', `/containers/${id}/start`);
}

/** Runs a container to completion; returns its exit code and output. */
async function runToEnd(socket: string, name: string, spec: ContainerSpec): Promise<{ code: number; stdout: string; stderr: string }> {
  const id = await createContainer(socket, name, spec);
  await startContainer(socket, id);
  const waited = await dockerJson<{ StatusCode: number }>('wait', socket, 'POST', `/containers/${id}/wait`);
  const logs = await rawRequest(socket, 'GET', `/containers/${id}/logs?stdout=true&stderr=true`);
  return { code: waited.StatusCode, ...demux(logs.body) };
}

async function exec(socket: string, id: string, cmd: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const ex = await dockerJson<{ Id: string }>('exec', socket, 'POST', `/containers/${id}/exec`, {
    Cmd: cmd,
    AttachStdout: true,
    AttachStderr: true,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
  });
  const res = await rawRequest(socket, 'POST', `/exec/${ex.Id}/start`, { Detach: false, Tty: false });
  const info = await dockerJson<{ ExitCode: number }>('exec inspect', socket, 'GET', `/exec/${ex.Id}/json`);
  return { code: info.ExitCode, ...demux(res.body) };
}

async function psql(socket: string, pgId: string, sql: string, db = 'postgres'): Promise<string> {
  const r = await exec(socket, pgId, ['psql', '-v', 'ON_ERROR_STOP=1', '-U', 'postgres', '-d', db, '-At', '-c', sql]);
  if (r.code !== 0) throw new Error(`psql ${sql}: ${r.stderr}`);
  return r.stdout.trim();
}

async function createVolume(socket: string, name: string): Promise<string> {
  const full = `${name}-${run}`;
  await dockerJson('volume', socket, 'POST', '/volumes/create', { Name: full, Labels: { [LABEL]: tb.dir } });
  volumes.push({ socket, name: full });
  return full;
}

/** Starts the managed PostgreSQL and waits until it accepts connections. */
async function startPostgres(socket: string, name: string, spec: Omit<ContainerSpec, 'image'>): Promise<string> {
  const id = await createContainer(socket, name, { image: tb.images.postgres, ...spec });
  await startContainer(socket, id);
  const deadline = Date.now() + 120_000;
  for (;;) {
    // pg_isready on the TCP port: the unix socket also answers during the init phase's temporary server.
    const r = await exec(socket, id, ['pg_isready', '-h', '127.0.0.1', '-p', '5432', '-U', 'postgres']);
    if (r.code === 0) return id;
    if (Date.now() > deadline) {
      const logs = demux((await rawRequest(socket, 'GET', `/containers/${id}/logs?stdout=true&stderr=true`)).body);
      throw new Error(`postgres did not start: ${logs.stdout}${logs.stderr}`);
    }
    await sleep(100);
  }
}

function secretFile(name: string, content: string, uid = 0): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content, { mode: 0o400 });
  fs.chownSync(file, uid, uid);
  return file;
}

const get = (port: number, route: string) => fetch(`http://127.0.0.1:${port}${route}`, { signal: AbortSignal.timeout(10_000) });

async function rpc(port: number, route: string, params: Record<string, unknown>): Promise<{ result?: unknown; error?: { data: { name: string } } }> {
  const res = await fetch(`http://127.0.0.1:${port}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params, id: 1 }),
    signal: AbortSignal.timeout(10_000),
  });
  return (await res.json()) as { result?: unknown; error?: { data: { name: string } } };
}

// ---------------------------------------------------------------- the scenario

const PG_PASSWORD = crypto.randomBytes(12).toString('hex');
const TENANT_PASSWORD = crypto.randomBytes(12).toString('hex');
const TENANT = `tenant_${run}`;
let pgId = '';
let dataVolume = '';

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-test-images-'));
});

afterAll(async () => {
  for (const c of created.reverse()) {
    await dockerRequest(c.socket, 'DELETE', `/containers/${c.id}?force=true&v=true`).catch(() => undefined);
  }
  for (const v of volumes) await dockerRequest(v.socket, 'DELETE', `/volumes/${v.name}`).catch(() => undefined);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('test images', () => {
  it('are on both daemons under their hash and alias tags, with the official images\' settings', async () => {
    expect(tb.images.odoo).toMatch(/^fleet-testbed\/odoo:[0-9a-f]{12}$/);
    expect(tb.images.postgres).toMatch(/^fleet-testbed\/postgres:[0-9a-f]{12}$/);
    expect(tb.images.nginx).toMatch(/^fleet-testbed\/nginx:[0-9a-f]{12}$/);
    for (const socket of [alpha, beta]) {
      type Inspect = { Id: string; RepoTags: string[]; Config: { User: string; Env: string[]; Entrypoint: string[]; Cmd: string[]; ExposedPorts: Record<string, unknown>; Volumes: Record<string, unknown> } };
      const odoo = await dockerJson<Inspect>('inspect', socket, 'GET', `/images/${encodeURIComponent(tb.images.odoo)}/json`);
      expect(odoo.RepoTags).toEqual(expect.arrayContaining([tb.images.odoo, 'fleet-testbed/odoo:17.0']));
      expect(odoo.Config.User).toBe('odoo');
      expect(odoo.Config.Env).toContain('ODOO_RC=/etc/odoo/odoo.conf');
      expect(odoo.Config.Entrypoint).toEqual(['/entrypoint.sh']);
      expect(odoo.Config.Cmd).toEqual(['odoo']);
      expect(Object.keys(odoo.Config.ExposedPorts).sort()).toEqual(['8069/tcp', '8071/tcp', '8072/tcp']);
      expect(Object.keys(odoo.Config.Volumes).sort()).toEqual(['/mnt/extra-addons', '/var/lib/odoo']);
      const pg = await dockerJson<Inspect>('inspect', socket, 'GET', `/images/${encodeURIComponent(tb.images.postgres)}/json`);
      expect(pg.RepoTags).toEqual(expect.arrayContaining([tb.images.postgres, 'fleet-testbed/postgres:15']));
      expect(Object.keys(pg.Config.Volumes)).toEqual(['/var/lib/postgresql/data']);
      const nginx = await dockerJson<Inspect>('inspect', socket, 'GET', `/images/${encodeURIComponent(tb.images.nginx)}/json`);
      expect(nginx.RepoTags).toEqual(expect.arrayContaining([tb.images.nginx, 'fleet-testbed/nginx:latest']));
      const caddy = await dockerJson<Inspect>('inspect', socket, 'GET', `/images/${encodeURIComponent(tb.images.caddy)}/json`);
      expect(caddy.RepoTags).toEqual(expect.arrayContaining([tb.images.caddy, 'fleet-testbed/caddy:latest']));
      expect(caddy.Config.Cmd).toEqual(['caddy', 'run', '--config', '/etc/caddy/Caddyfile', '--adapter', 'caddyfile']);
      expect(caddy.Config.Env).toEqual(expect.arrayContaining(['XDG_CONFIG_HOME=/config', 'XDG_DATA_HOME=/data']));
      expect(Object.keys(caddy.Config.Volumes).sort()).toEqual(['/config', '/data']);
      expect(Object.keys(caddy.Config.ExposedPorts).sort()).toEqual(['2019/tcp', '443/tcp', '80/tcp']);
    }
  });

  it("odoo: Debian's python3 and its standard library, run as the image's user", async () => {
    const res = await runToEnd(alpha, 'odoo-python', {
      image: tb.images.odoo,
      network: 'none',
      cmd: ['python3', '-c', 'import http.server, json, os, sqlite3, ssl, sys; print(os.getuid(), sys.version_info[0])'],
    });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim()).toBe('101 3');
  });

  it("caddy: Debian's caddy adapts the default Caddyfile, with busybox and a CA bundle beside it", async () => {
    const res = await runToEnd(alpha, 'caddy-check', {
      image: tb.images.caddy,
      network: 'none',
      cmd: ['sh', '-c', 'caddy adapt --config /etc/caddy/Caddyfile && test -s /etc/ssl/certs/ca-certificates.crt && caddy version'],
    });
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout.split('\n')[0]!)).toMatchObject({ apps: { http: { servers: expect.any(Object) } } });
    expect(res.stdout).toMatch(/^2\.\d+\.\d+/m);
  });

  it('postgres: password file, pg_isready and psql inside, a wrong password refused from another container', async () => {
    const pwFile = secretFile('pg_password', PG_PASSWORD);
    expect(fs.statSync(pwFile).mode & 0o777).toBe(0o400);
    pgId = await startPostgres(alpha, 'pg', {
      network: tb.dockerNetwork.name,
      env: { POSTGRES_PASSWORD_FILE: '/run/secrets/pg_password' },
      binds: [`${pwFile}:/run/secrets/pg_password:ro`],
    });
    expect((await exec(alpha, pgId, ['pg_isready'])).code).toBe(0);
    expect(await psql(alpha, pgId, 'select 1')).toBe('1');
    expect(await psql(alpha, pgId, 'show server_version')).toMatch(/^15\./);
    // pg_dump works inside (issue 4 runs it with docker exec).
    const dump = await exec(alpha, pgId, ['pg_dump', '-U', 'postgres', '--schema-only', 'postgres']);
    expect(dump.code).toBe(0);
    expect(dump.stdout).toContain('PostgreSQL database dump');

    const client = (password: string) =>
      runToEnd(alpha, `pgclient-${password === PG_PASSWORD ? 'ok' : 'bad'}`, {
        image: tb.images.postgres,
        network: tb.dockerNetwork.name,
        env: { PGPASSWORD: password },
        cmd: ['psql', '-h', `pg-${run}`, '-U', 'postgres', '-At', '-c', 'select current_user'],
      });
    const bad = await client('not-the-password');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('password authentication failed for user "postgres"');
    const good = await client(PG_PASSWORD);
    expect(good).toMatchObject({ code: 0 });
    expect(good.stdout.trim()).toBe('postgres');
  });

  it('odoo: `-d DB -i base,sale --stop-after-init` creates the tables, rows and filestore files', async () => {
    expect(pgId).not.toBe('');
    await psql(alpha, pgId, `CREATE ROLE ${TENANT} LOGIN NOSUPERUSER NOCREATEDB PASSWORD '${TENANT_PASSWORD}'`);
    await psql(alpha, pgId, `CREATE DATABASE ${TENANT} OWNER ${TENANT}`);
    const pwFile = secretFile('tenant_password', TENANT_PASSWORD, 101);
    dataVolume = await createVolume(alpha, 'odoo-data');
    const init = await runToEnd(alpha, 'odoo-init', {
      image: tb.images.odoo,
      network: tb.dockerNetwork.name,
      env: { HOST: `pg-${run}`, USER: TENANT, PASSWORD_FILE: '/run/secrets/db_password' },
      binds: [`${pwFile}:/run/secrets/db_password:ro`, `${dataVolume}:/var/lib/odoo`],
      cmd: ['odoo', '-d', TENANT, '-i', 'base,sale', '--stop-after-init'],
    });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).not.toContain(TENANT_PASSWORD);

    const installed = await psql(alpha, pgId, "SELECT name FROM ir_module_module WHERE state = 'installed' ORDER BY name", TENANT);
    expect(installed.split('\n')).toEqual(expect.arrayContaining(['base', 'sale']));
    expect(await psql(alpha, pgId, "SELECT login FROM res_users WHERE active ORDER BY id LIMIT 1", TENANT)).toBe('admin');
    expect(await psql(alpha, pgId, "SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'", TENANT)).toMatch(/^[0-9a-f-]{36}$/);
    expect(await psql(alpha, pgId, "SELECT count(*) > 0 FROM ir_config_parameter WHERE key = 'database.secret'", TENANT)).toBe('t');
    expect(Number(await psql(alpha, pgId, 'SELECT count(*) FROM ir_cron WHERE active', TENANT))).toBeGreaterThan(0);
    expect(Number(await psql(alpha, pgId, 'SELECT count(*) FROM ir_mail_server WHERE active', TENANT))).toBeGreaterThan(0);
    expect(await psql(alpha, pgId, `SELECT tableowner FROM pg_tables WHERE tablename = 'ir_module_module'`, TENANT)).toBe(TENANT);

    // Filestore: <data_dir>/filestore/<db>/<sha1[:2]>/<sha1>, one file per attachment, contents matching.
    const rows = (await psql(alpha, pgId, 'SELECT store_fname, checksum, file_size FROM ir_attachment ORDER BY id', TENANT)).split('\n').map((l) => l.split('|'));
    expect(rows.length).toBeGreaterThanOrEqual(3);
    const ls = await runToEnd(alpha, 'filestore-check', {
      image: tb.busyboxImage,
      binds: [`${dataVolume}:/data:ro`],
      cmd: ['sh', '-c', `cd /data/filestore/${TENANT} && for f in */*; do echo "$f $(sha1sum "$f" | cut -c1-40) $(stat -c %s "$f") $(stat -c %u "$f")"; done`],
    });
    expect(ls.code, ls.stderr).toBe(0);
    const files = new Map(ls.stdout.trim().split('\n').map((l) => [l.split(' ')[0]!, l.split(' ').slice(1)]));
    for (const [storeFname, checksum, size] of rows) {
      expect(storeFname).toBe(`${checksum!.slice(0, 2)}/${checksum}`);
      expect(files.get(storeFname!)).toEqual([checksum, size, '101']);
    }
  });

  it('odoo: wrong database credentials exit 1 with a clear message', async () => {
    const pwFile = secretFile('wrong_password', 'not-the-password', 101);
    const r = await runToEnd(alpha, 'odoo-badpw', {
      image: tb.images.odoo,
      network: tb.dockerNetwork.name,
      env: { HOST: `pg-${run}`, USER: TENANT, PASSWORD_FILE: '/run/secrets/db_password' },
      binds: [`${pwFile}:/run/secrets/db_password:ro`],
      cmd: ['odoo', '-d', TENANT, '-i', 'base', '--stop-after-init'],
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`password authentication failed for user "${TENANT}"`);
  });

  it('odoo server: /web/health, version_info, login, hidden database manager, authenticate; stops on SIGTERM', async () => {
    expect(dataVolume).not.toBe('');
    const pwFile = path.join(tmp, 'tenant_password');
    const conf = path.join(tmp, 'odoo.conf');
    fs.writeFileSync(conf, `[options]\nadmin_passwd = ${crypto.randomBytes(8).toString('hex')}\nlist_db = False\ndata_dir = /var/lib/odoo\n`, { mode: 0o644 });
    const id = await createContainer(alpha, 'odoo-web', {
      image: tb.images.odoo,
      network: tb.dockerNetwork.name,
      env: { HOST: `pg-${run}`, USER: TENANT, PASSWORD_FILE: '/run/secrets/db_password' },
      binds: [`${pwFile}:/run/secrets/db_password:ro`, `${dataVolume}:/var/lib/odoo`, `${conf}:/etc/odoo/odoo.conf:ro`],
      cmd: ['odoo', '-d', TENANT],
      publish8069: true,
    });
    await startContainer(alpha, id);
    const info = await dockerJson<{ NetworkSettings: { Ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null> } }>('inspect', alpha, 'GET', `/containers/${id}/json`);
    const binding = info.NetworkSettings.Ports['8069/tcp']![0]!;
    expect(binding.HostIp).toBe('127.0.0.1');
    const port = Number(binding.HostPort);

    const started = Date.now();
    let health: Response | undefined;
    while (Date.now() - started < 120_000) {
      // docker-proxy accepts before the server listens: bound every attempt.
      health = await fetch(`http://127.0.0.1:${port}/web/health`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
      if (health?.status === 200) break;
      await sleep(100);
    }
    expect(health?.status).toBe(200);
    expect(await health!.text()).toBe('{"status": "pass"}');

    const version = await rpc(port, '/web/webclient/version_info', {});
    expect(version).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: { server_version: '17.0', server_version_info: [17, 0, 0, 'final', 0, ''], server_serie: '17.0', protocol_version: 1 },
    });
    const login = await get(port, '/web/login');
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('<form');
    expect((await get(port, '/web/database/manager')).status).toBe(404);

    // admin/admin works until the lifecycle code changes it; then only the new password does.
    expect((await rpc(port, '/web/session/authenticate', { db: TENANT, login: 'admin', password: 'admin' })).result).toMatchObject({ uid: 2 });
    const newPassword = crypto.randomBytes(10).toString('hex');
    await psql(alpha, pgId, `UPDATE res_users SET password = '${newPassword}' WHERE login = 'admin'`, TENANT);
    const denied = await rpc(port, '/web/session/authenticate', { db: TENANT, login: 'admin', password: 'admin' });
    expect(denied.error?.data.name).toBe('odoo.exceptions.AccessDenied');
    expect((await rpc(port, '/web/session/authenticate', { db: TENANT, login: 'admin', password: newPassword })).result).toMatchObject({ uid: 2 });
    // As Odoo does, a plaintext password is replaced by its pbkdf2 hash on the first login.
    expect(await psql(alpha, pgId, "SELECT password FROM res_users WHERE login = 'admin'", TENANT)).toMatch(/^\$pbkdf2-sha512\$600000\$/);

    // A suspended tenant (role NOLOGIN) fails its health check; reactivation brings it back.
    await psql(alpha, pgId, `ALTER ROLE ${TENANT} NOLOGIN`);
    const down = await get(port, '/web/health');
    expect([down.status, await down.text()]).toEqual([503, '{"status": "fail"}']);
    await psql(alpha, pgId, `ALTER ROLE ${TENANT} LOGIN`);
    expect((await get(port, '/web/health')).status).toBe(200);

    // The password never shows on a command line.
    const top = await dockerJson<{ Processes: string[][] }>('top', alpha, 'GET', `/containers/${id}/top`);
    expect(JSON.stringify(top.Processes)).not.toContain(TENANT_PASSWORD);
    expect(JSON.stringify(top.Processes)).toContain('--db_user');

    // It ends itself on SIGTERM (exit 0) instead of being killed at the end of the grace (137),
    // however long a busy machine takes; how fast it stops is a figure of bench:fleet.
    await dockerJson('stop', alpha, 'POST', `/containers/${id}/stop?t=60`);
    const state = await dockerJson<{ State: { ExitCode: number } }>('inspect', alpha, 'GET', `/containers/${id}/json`);
    expect(state.State.ExitCode).toBe(0);
  });

  // Beta's daemon runs without iptables rules, so its bridge does not forward between containers while the
  // host's FORWARD policy is DROP: the odoo container joins the PostgreSQL container's network namespace.
  it('both images run on beta too (POSTGRES_USER/POSTGRES_DB; odoo in the database container\'s network namespace)', async () => {
    const pg = await startPostgres(beta, 'pg-beta', { env: { POSTGRES_PASSWORD: PG_PASSWORD, POSTGRES_USER: 'owner' } });
    const r = await exec(beta, pg, ['psql', '-U', 'owner', '-d', 'owner', '-At', '-c', 'select current_database()']);
    expect(r.stdout.trim()).toBe('owner');
    const init = await runToEnd(beta, 'odoo-beta', {
      image: 'fleet-testbed/odoo:17.0',
      network: `container:${pg}`,
      env: { HOST: '127.0.0.1', USER: 'owner', PASSWORD: PG_PASSWORD },
      cmd: ['odoo', '-d', 'owner', '-i', 'base', '--stop-after-init', '--without-demo=all'],
    });
    expect(init.code, init.stderr).toBe(0);
    expect((await exec(beta, pg, ['psql', '-U', 'owner', '-d', 'owner', '-At', '-c', "select string_agg(login, ',' order by id) from res_users"])).stdout.trim()).toBe(
      '__system__,admin',
    );
  });

  // How long that check takes is a figure of bench:fleet ("test images … checked on both daemons").
  it('a second run with the images in place builds and imports nothing', async () => {
    const recipes = await testImageRecipes(await busyboxRecipe());
    expect(recipes.odoo.tag).toBe(tb.images.odoo);
    expect(recipes.postgres.tag).toBe(tb.images.postgres);
    expect(recipes.nginx.tag).toBe(tb.images.nginx);
    expect(recipes.caddy.tag).toBe(tb.images.caddy);
    const stats = newTestImageStats();
    const tarballs = testImageTarballs(tmp, stats, () => undefined);
    await Promise.all([alpha, beta].map((socket) => ensureTestImages(socket, recipes, tarballs, stats, () => undefined)));
    expect(stats.built).toEqual([]);
    expect(stats.imported).toEqual({ [alpha]: [], [beta]: [] });
  });
});
