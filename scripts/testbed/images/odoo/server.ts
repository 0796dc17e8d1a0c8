// The stand-in `odoo` server of the fleet-testbed/odoo image (bundled with `pg` into one CommonJS file by
// scripts/testbed/images/index.ts; runs on the Node binary copied into the image). It honours the part of
// Odoo 17.0's command line, config file, database layout, filestore and HTTP surface that the fleet's
// lifecycle and backup code relies on (see scripts/testbed/images/README.md); nothing of Odoo's code.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import pg from 'pg';

const SERIE = '17.0';
const VERSION_INFO = {
  server_version: SERIE,
  server_version_info: [17, 0, 0, 'final', 0, ''],
  server_serie: SERIE,
  protocol_version: 1,
};
const PBKDF2_ROUNDS = 600_000;

// ---------------------------------------------------------------- logging (Odoo's format)

let logDb = '?';
function log(level: 'INFO' | 'WARNING' | 'ERROR', logger: string, message: string): void {
  const now = new Date().toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
  process.stderr.write(`${now} ${process.pid} ${level} ${logDb} ${logger}: ${message}\n`);
}

class UsageError extends Error {}
class FatalError extends Error {}

// ---------------------------------------------------------------- options

interface Config {
  db_name: string | false;
  db_host: string | false;
  db_port: number | false;
  db_user: string | false;
  db_password: string | false;
  admin_passwd: string;
  list_db: boolean;
  http_port: number;
  http_interface: string;
  http_enable: boolean;
  gevent_port: number;
  workers: number;
  data_dir: string;
  without_demo: string | false;
  init: string[];
  update: string[];
  stop_after_init: boolean;
  dbfilter: string;
}

/** Options taking a value: [short, long, config key]. */
const VALUE_OPTIONS: Array<[string | undefined, string, keyof Config | string]> = [
  ['-c', '--config', 'config'],
  ['-d', '--database', 'db_name'],
  ['-i', '--init', 'init'],
  ['-u', '--update', 'update'],
  ['-r', '--db_user', 'db_user'],
  ['-w', '--db_password', 'db_password'],
  [undefined, '--db_host', 'db_host'],
  [undefined, '--db_port', 'db_port'],
  ['-p', '--http-port', 'http_port'],
  [undefined, '--http-interface', 'http_interface'],
  [undefined, '--gevent-port', 'gevent_port'],
  [undefined, '--longpolling-port', 'gevent_port'],
  ['-D', '--data-dir', 'data_dir'],
  [undefined, '--without-demo', 'without_demo'],
  [undefined, '--workers', 'workers'],
  [undefined, '--db-filter', 'dbfilter'],
  [undefined, '--addons-path', 'addons_path'],
  [undefined, '--upgrade-path', 'upgrade_path'],
  [undefined, '--load', 'server_wide_modules'],
  [undefined, '--pidfile', 'pidfile'],
  [undefined, '--logfile', 'logfile'],
  [undefined, '--log-level', 'log_level'],
  [undefined, '--log-handler', 'log_handler'],
  [undefined, '--log-db', 'log_db'],
  [undefined, '--log-db-level', 'log_db_level'],
  [undefined, '--email-from', 'email_from'],
  [undefined, '--from-filter', 'from_filter'],
  [undefined, '--smtp', 'smtp_server'],
  [undefined, '--smtp-port', 'smtp_port'],
  [undefined, '--smtp-user', 'smtp_user'],
  [undefined, '--smtp-password', 'smtp_password'],
  [undefined, '--smtp-ssl-certfile', 'smtp_ssl_certificate_filename'],
  [undefined, '--smtp-ssl-keyfile', 'smtp_ssl_private_key_filename'],
  [undefined, '--db_sslmode', 'db_sslmode'],
  [undefined, '--db_maxconn', 'db_maxconn'],
  [undefined, '--db-template', 'db_template'],
  [undefined, '--pg_path', 'pg_path'],
  ['-l', '--language', 'language'],
  [undefined, '--load-language', 'load_language'],
  [undefined, '--max-cron-threads', 'max_cron_threads'],
  [undefined, '--limit-memory-soft', 'limit_memory_soft'],
  [undefined, '--limit-memory-hard', 'limit_memory_hard'],
  [undefined, '--limit-time-cpu', 'limit_time_cpu'],
  [undefined, '--limit-time-real', 'limit_time_real'],
  [undefined, '--limit-time-real-cron', 'limit_time_real_cron'],
  [undefined, '--limit-request', 'limit_request'],
  [undefined, '--osv-memory-count-limit', 'osv_memory_count_limit'],
  [undefined, '--transient-age-limit', 'transient_age_limit'],
  [undefined, '--dev', 'dev_mode'],
  [undefined, '--test-tags', 'test_tags'],
  [undefined, '--test-file', 'test_file'],
  [undefined, '--geoip-city-db', 'geoip_city_db'],
  [undefined, '--geoip-country-db', 'geoip_country_db'],
];
const FLAG_OPTIONS: Array<[string | undefined, string, string]> = [
  [undefined, '--stop-after-init', 'stop_after_init'],
  [undefined, '--no-http', 'no_http'],
  [undefined, '--no-database-list', 'no_database_list'],
  [undefined, '--proxy-mode', 'proxy_mode'],
  [undefined, '--x-sendfile', 'x_sendfile'],
  [undefined, '--syslog', 'syslog'],
  [undefined, '--log-web', 'log_web'],
  [undefined, '--log-sql', 'log_sql'],
  [undefined, '--smtp-ssl', 'smtp_ssl'],
  [undefined, '--unaccent', 'unaccent'],
  [undefined, '--test-enable', 'test_enable'],
  ['-s', '--save', 'save'],
];

/** Parses argv (optparse-like: `-d DB`, `-dDB`, `--database DB`, `--database=DB`). */
function parseArgs(argv: string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') throw new UsageError(`unexpected argument: ${arg}`);
    let name = arg;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq > 0) [name, inline] = [arg.slice(0, eq), arg.slice(eq + 1)];
    } else if (arg.length > 2) {
      [name, inline] = [arg.slice(0, 2), arg.slice(2)];
    }
    const valued = VALUE_OPTIONS.find(([s, l]) => name === s || name === l);
    if (valued) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${name} option requires 1 argument`);
      out.set(valued[2], value);
      continue;
    }
    const flag = FLAG_OPTIONS.find(([s, l]) => name === s || name === l);
    if (flag && inline === undefined) {
      out.set(flag[2], true);
      continue;
    }
    throw new UsageError(`no such option: ${name}`);
  }
  return out;
}

/** odoo.conf: an INI file whose [options] section holds `key = value` lines. */
function readConfigFile(file: string): Map<string, string> {
  const out = new Map<string, string>();
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw new FatalError(`cannot read the configuration file ${file}: ${(err as Error).message}`);
  }
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      section = sec[1]!.trim();
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || section !== 'options') continue;
    out.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return out;
}

const falsy = (v: string | undefined) => v === undefined || v === '' || v === 'False' || v === 'None';
const bool = (v: string | undefined, dflt: boolean) => (v === undefined ? dflt : !['False', 'false', '0', ''].includes(v));
function int(v: string | undefined, dflt: number, what: string): number {
  if (falsy(v)) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError(`option ${what}: invalid integer value: '${v}'`);
  return n;
}
const list = (v: string | undefined) =>
  falsy(v)
    ? []
    : v!
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

function buildConfig(argv: string[]): Config {
  const cli = parseArgs(argv);
  const configFile = (cli.get('config') as string | undefined) ?? process.env.ODOO_RC ?? path.join(process.env.HOME ?? '/', '.odoorc');
  const file = readConfigFile(configFile);
  const get = (key: string): string | undefined => {
    const v = cli.get(key);
    if (typeof v === 'string') return v;
    return file.get(key);
  };
  const str = (key: string): string | false => (falsy(get(key)) ? false : get(key)!);
  for (const mod of list(get('init'))) if (!/^[a-z0-9_]+$/.test(mod)) throw new UsageError(`invalid module name: ${mod}`);
  return {
    db_name: str('db_name'),
    db_host: str('db_host'),
    db_port: falsy(get('db_port')) ? false : int(get('db_port'), 5432, '--db_port'),
    db_user: str('db_user'),
    db_password: str('db_password'),
    admin_passwd: get('admin_passwd') ?? 'admin',
    list_db: cli.has('no_database_list') ? false : bool(file.get('list_db'), true),
    http_port: int(get('http_port') ?? file.get('xmlrpc_port'), 8069, '--http-port'),
    http_interface: falsy(get('http_interface')) ? '0.0.0.0' : get('http_interface')!,
    http_enable: cli.has('no_http') ? false : bool(file.get('http_enable'), true),
    gevent_port: int(get('gevent_port') ?? file.get('longpolling_port'), 8072, '--gevent-port'),
    workers: int(get('workers'), 0, '--workers'),
    data_dir: falsy(get('data_dir')) ? '/var/lib/odoo' : get('data_dir')!,
    // As in Odoo 17: any non-empty string on the command line (even 'False') turns demo data off.
    without_demo: typeof cli.get('without_demo') === 'string' ? (cli.get('without_demo') as string) || false : str('without_demo'),
    init: list(typeof cli.get('init') === 'string' ? (cli.get('init') as string) : undefined),
    update: list(typeof cli.get('update') === 'string' ? (cli.get('update') as string) : undefined),
    stop_after_init: cli.has('stop_after_init'),
    dbfilter: get('dbfilter') ?? '',
  };
}

// ---------------------------------------------------------------- database access

/** Connection settings as psycopg2/libpq would use them: options first, then PG* environment variables. */
function connectionConfig(cfg: Config, database: string): pg.ClientConfig {
  return {
    host: cfg.db_host || process.env.PGHOST || '/var/run/postgresql',
    port: cfg.db_port || Number(process.env.PGPORT || 5432),
    user: cfg.db_user || process.env.PGUSER || 'odoo',
    password: cfg.db_password || process.env.PGPASSWORD || undefined,
    database,
    connectionTimeoutMillis: 5000,
    application_name: `odoo-${process.pid}`,
  };
}

async function withClient<T>(cfg: Config, database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(connectionConfig(cfg, database));
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const pgCode = (err: unknown) => (err as { code?: string }).code;
/** Errors that mean "PostgreSQL is not there (yet)", worth retrying while waiting for it. */
function isTransient(err: unknown): boolean {
  const code = pgCode(err);
  if (code && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', 'ENOENT', '57P03'].includes(code)) return true;
  return /timeout|terminated unexpectedly|Connection terminated/i.test((err as Error).message ?? '');
}

function describeTarget(cfg: Config): string {
  const c = connectionConfig(cfg, 'postgres');
  return `PostgreSQL at ${String(c.host)}:${String(c.port)} as ${String(c.user)}`;
}

/** The entrypoint's wait: retries while the server is unreachable, fails at once when the login is refused. */
async function waitForPsql(cfg: Config, timeoutS: number): Promise<void> {
  const deadline = Date.now() + timeoutS * 1000;
  let last: unknown;
  for (;;) {
    try {
      await withClient(cfg, 'postgres', async (c) => c.query('SELECT 1'));
      return;
    } catch (err) {
      last = err;
      // The login succeeded when the server refuses the database itself (no CONNECT on `postgres`).
      if (pgCode(err) === '42501' || pgCode(err) === '3D000') return;
      if (!isTransient(err) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new FatalError(`Unable to connect to the database (${describeTarget(cfg)}): ${(last as Error).message}`);
}

// ---------------------------------------------------------------- passwords (passlib's pbkdf2_sha512 format)

const ab64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '').replace(/\+/g, '.');
const unab64 = (s: string) => Buffer.from(s.replace(/\./g, '+'), 'base64');

async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await new Promise<Buffer>((resolve, reject) =>
    crypto.pbkdf2(password, salt, PBKDF2_ROUNDS, 64, 'sha512', (err, k) => (err ? reject(err) : resolve(k))),
  );
  return `$pbkdf2-sha512$${PBKDF2_ROUNDS}$${ab64(salt)}$${ab64(key)}`;
}

/** Odoo accepts its pbkdf2 hashes and (deprecated) plaintext, which it rehashes on the next login. */
async function verifyPassword(password: string, stored: string | null): Promise<{ ok: boolean; rehash: boolean }> {
  if (!stored) return { ok: false, rehash: false };
  const m = /^\$pbkdf2-sha512\$(\d+)\$([^$]+)\$([^$]+)$/.exec(stored);
  if (!m) {
    const a = Buffer.from(password);
    const b = Buffer.from(stored);
    const ok = a.length === b.length && crypto.timingSafeEqual(a, b);
    return { ok, rehash: ok };
  }
  const expected = unab64(m[3]!);
  const key = await new Promise<Buffer>((resolve, reject) =>
    crypto.pbkdf2(password, unab64(m[2]!), Number(m[1]), expected.length, 'sha512', (err, k) => (err ? reject(err) : resolve(k))),
  );
  return { ok: key.length === expected.length && crypto.timingSafeEqual(key, expected), rehash: false };
}

// ---------------------------------------------------------------- database initialisation

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ir_module_module (
  id serial PRIMARY KEY, name varchar NOT NULL UNIQUE, state varchar(16), latest_version varchar,
  demo boolean DEFAULT false, create_date timestamp DEFAULT (now() at time zone 'UTC'), write_date timestamp DEFAULT (now() at time zone 'UTC'));
CREATE TABLE IF NOT EXISTS res_users (
  id serial PRIMARY KEY, login varchar NOT NULL UNIQUE, password varchar, active boolean DEFAULT true,
  create_date timestamp DEFAULT (now() at time zone 'UTC'), write_date timestamp DEFAULT (now() at time zone 'UTC'));
CREATE TABLE IF NOT EXISTS ir_config_parameter (
  id serial PRIMARY KEY, key varchar NOT NULL UNIQUE, value text NOT NULL);
CREATE TABLE IF NOT EXISTS ir_attachment (
  id serial PRIMARY KEY, name varchar NOT NULL, res_model varchar, res_id integer, type varchar DEFAULT 'binary',
  store_fname varchar, checksum varchar(40), file_size integer, mimetype varchar, db_datas bytea,
  create_date timestamp DEFAULT (now() at time zone 'UTC'));
CREATE TABLE IF NOT EXISTS ir_cron (
  id serial PRIMARY KEY, name varchar NOT NULL UNIQUE, active boolean DEFAULT true, interval_number integer DEFAULT 1,
  interval_type varchar DEFAULT 'days', nextcall timestamp DEFAULT (now() at time zone 'UTC'));
CREATE TABLE IF NOT EXISTS ir_mail_server (
  id serial PRIMARY KEY, name varchar NOT NULL UNIQUE, smtp_host varchar, smtp_port integer DEFAULT 25, active boolean DEFAULT true);
CREATE TABLE IF NOT EXISTS res_groups (id serial PRIMARY KEY, name varchar NOT NULL);
CREATE TABLE IF NOT EXISTS res_groups_users_rel (gid integer NOT NULL, uid integer NOT NULL, PRIMARY KEY (gid, uid));
CREATE TABLE IF NOT EXISTS ir_model_data (
  id serial PRIMARY KEY, module varchar NOT NULL, name varchar NOT NULL, model varchar NOT NULL, res_id integer, UNIQUE (module, name));
`;

/** Modules every database lists (uninstalled until asked for), as Odoo lists the addons it finds. */
const KNOWN_MODULES = ['base', 'web', 'mail', 'contacts', 'product', 'account', 'sale', 'purchase', 'stock', 'crm', 'point_of_sale', 'website', 'hr'];
const CRONS = ['Base: Auto-vacuum internal data', 'Base: Portal Users Deletion', 'Mail: Email Queue Manager', 'Notification: Send scheduled message notifications'];

/** Writes a file into the filestore the way Odoo does: <data_dir>/filestore/<db>/<sha1[:2]>/<sha1>. */
function storeFile(cfg: Config, db: string, content: Buffer): { storeFname: string; checksum: string } {
  const checksum = crypto.createHash('sha1').update(content).digest('hex');
  const storeFname = `${checksum.slice(0, 2)}/${checksum}`;
  const full = path.join(cfg.data_dir, 'filestore', db, storeFname);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  if (!fs.existsSync(full)) fs.writeFileSync(full, content);
  return { storeFname, checksum };
}

async function addAttachment(c: pg.Client, cfg: Config, db: string, name: string, mimetype: string, content: Buffer): Promise<void> {
  const exists = await c.query('SELECT 1 FROM ir_attachment WHERE name = $1', [name]);
  if (exists.rowCount) return;
  const { storeFname, checksum } = storeFile(cfg, db, content);
  await c.query(
    'INSERT INTO ir_attachment (name, res_model, res_id, store_fname, checksum, file_size, mimetype) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [name, 'ir.ui.view', 0, storeFname, checksum, content.length, mimetype],
  );
}

/** Creates the database when missing (as odoo-bin does for -d), when the role may. */
async function createDatabaseIfMissing(cfg: Config, db: string): Promise<void> {
  try {
    await withClient(cfg, 'postgres', async (c) => {
      const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
      if (found.rowCount) return;
      log('INFO', 'odoo.service.db', `Create database \`${db}\`.`);
      await c.query(`CREATE DATABASE "${db.replace(/"/g, '""')}" ENCODING 'unicode' LC_COLLATE 'C' TEMPLATE template0`);
    });
  } catch (err) {
    if (pgCode(err) === '42501' || pgCode(err) === '3D000') {
      log('INFO', 'odoo.service.server', `Could not determine if database ${db} exists, skipping auto-creation: ${(err as Error).message}`);
      return;
    }
    throw err;
  }
}

async function isInitialized(c: pg.Client): Promise<boolean> {
  const r = await c.query("SELECT 1 FROM pg_class WHERE relname = 'ir_module_module' AND relkind = 'r'");
  return !!r.rowCount;
}

/** Installs base (on a new database) and the requested modules: tables, rows and filestore files. */
async function initDatabase(cfg: Config, db: string, modules: string[]): Promise<void> {
  await withClient(cfg, db, async (c) => {
    const fresh = !(await isInitialized(c));
    const requested = modules.filter((m) => m !== 'all');
    const toInstall = [...new Set([...(fresh || requested.includes('base') ? ['base', 'web'] : []), ...requested])];
    const demo = !cfg.without_demo;
    log('INFO', 'odoo.modules.loading', `loading ${toInstall.length} modules...`);
    await c.query('BEGIN');
    try {
      await c.query(SCHEMA);
      for (const m of KNOWN_MODULES) {
        await c.query("INSERT INTO ir_module_module (name, state, latest_version) VALUES ($1, 'uninstalled', NULL) ON CONFLICT (name) DO NOTHING", [m]);
      }
      for (const m of toInstall) {
        await c.query(
          `INSERT INTO ir_module_module (name, state, latest_version, demo) VALUES ($1, 'installed', $2, $3)
           ON CONFLICT (name) DO UPDATE SET state = 'installed', latest_version = EXCLUDED.latest_version, write_date = now() at time zone 'UTC'`,
          [m, `${SERIE}.1.0`, demo],
        );
        await addAttachment(c, cfg, db, `${m}/static/description/icon.png`, 'image/png', Buffer.from(`PNG stand-in icon of ${m} (${db})\n`));
      }
      if (fresh) {
        await c.query("INSERT INTO res_users (id, login, password, active) VALUES (1, '__system__', NULL, false)");
        await c.query("INSERT INTO res_users (id, login, password, active) VALUES (2, 'admin', $1, true)", [await hashPassword('admin')]);
        await c.query("SELECT setval('res_users_id_seq', (SELECT max(id) FROM res_users))");
        if (demo) await c.query("INSERT INTO res_users (login, password, active) VALUES ('demo', $1, true)", [await hashPassword('demo')]);
        // Odoo's Settings group (base.group_system), with __system__ and admin in it.
        const settings = await c.query<{ id: number }>("INSERT INTO res_groups (name) VALUES ('Settings') RETURNING id");
        await c.query("INSERT INTO ir_model_data (module, name, model, res_id) VALUES ('base', 'group_system', 'res.groups', $1)", [settings.rows[0]!.id]);
        await c.query('INSERT INTO res_groups_users_rel (gid, uid) VALUES ($1, 1), ($1, 2)', [settings.rows[0]!.id]);
        const params: Array<[string, string]> = [
          ['database.uuid', crypto.randomUUID()],
          ['database.secret', crypto.randomUUID()],
          ['database.create_date', new Date().toISOString().replace('T', ' ').slice(0, 19)],
          ['web.base.url', `http://localhost:${cfg.http_port}`],
        ];
        for (const [k, v] of params) await c.query('INSERT INTO ir_config_parameter (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [k, v]);
        for (const name of CRONS) await c.query('INSERT INTO ir_cron (name, active) VALUES ($1, true) ON CONFLICT (name) DO NOTHING', [name]);
        await c.query("INSERT INTO ir_mail_server (name, smtp_host, smtp_port, active) VALUES ('localhost', 'localhost', 25, true) ON CONFLICT (name) DO NOTHING");
        await addAttachment(c, cfg, db, 'web.assets_web.min.js', 'application/javascript', Buffer.from(`/* assets of ${db} */\n${crypto.randomBytes(2048).toString('hex')}\n`));
        await addAttachment(c, cfg, db, 'web.assets_web.min.css', 'text/css', Buffer.from(`/* styles of ${db} */\nbody { margin: 0 }\n`));
        await addAttachment(c, cfg, db, 'res.company.logo.png', 'image/png', crypto.randomBytes(4096));
      }
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    log('INFO', 'odoo.modules.loading', `Modules loaded (installed: ${toInstall.join(', ') || 'none'}).`);
  });
}

// ---------------------------------------------------------------- HTTP

interface RpcRequest {
  id?: unknown;
  params?: Record<string, unknown>;
}

function send(res: http.ServerResponse, status: number, body: string, type: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

const rpcResult = (id: unknown, result: unknown) => JSON.stringify({ jsonrpc: '2.0', id: id ?? null, result });
function rpcError(id: unknown, name: string, message: string): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: id ?? null,
    error: { code: 200, message: 'Odoo Server Error', data: { name, debug: `Traceback (most recent call last):\n${name}: ${message}\n`, message, arguments: [message], context: {} } },
  });
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"/><title>${title} | Odoo</title></head><body>${body}</body></html>\n`;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > 1 << 20) req.destroy(new Error('request too large'));
      else chunks.push(d);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function databaseList(cfg: Config): Promise<string[]> {
  if (cfg.db_name) return [cfg.db_name];
  return withClient(cfg, 'postgres', async (c) => {
    const user = connectionConfig(cfg, 'postgres').user!;
    const r = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba
       WHERE NOT datistemplate AND datallowconn AND datname <> 'postgres' AND r.rolname = $1 ORDER BY datname`,
      [user],
    );
    return r.rows.map((row) => row.datname);
  });
}

async function authenticate(cfg: Config, db: string, login: string, password: string): Promise<number | false> {
  const allowed = await databaseList(cfg).catch(() => [] as string[]);
  if (!allowed.includes(db)) return false;
  return withClient(cfg, db, async (c) => {
    const r = await c.query<{ id: number; password: string | null }>('SELECT id, password FROM res_users WHERE login = $1 AND active', [login]);
    const user = r.rows[0];
    if (!user) return false;
    const { ok, rehash } = await verifyPassword(password, user.password);
    if (!ok) return false;
    if (rehash) await c.query('UPDATE res_users SET password = $1 WHERE id = $2', [await hashPassword(password), user.id]);
    return user.id;
  });
}

async function healthy(cfg: Config): Promise<boolean> {
  try {
    await withClient(cfg, cfg.db_name || 'postgres', async (c) => c.query('SELECT 1'));
    return true;
  } catch (err) {
    return !cfg.db_name && (pgCode(err) === '42501' || pgCode(err) === '3D000');
  }
}

function handler(cfg: Config): http.RequestListener {
  return (req, res) => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://odoo');
    const method = req.method ?? 'GET';
    res.on('finish', () => {
      log('INFO', 'werkzeug', `${req.socket.remoteAddress ?? '-'} - - "${method} ${url.pathname} HTTP/${req.httpVersion}" ${res.statusCode} - ${Date.now() - started} ms`);
    });
    void route(cfg, method, url, req, res).catch((err: unknown) => {
      log('ERROR', 'odoo.http', `Exception during request handling: ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) send(res, 500, page('Internal Server Error', '<h1>Internal Server Error</h1>'), 'text/html; charset=utf-8');
      else res.destroy();
    });
  };
}

async function route(cfg: Config, method: string, url: URL, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const p = url.pathname;
  const json = 'application/json';
  const html = 'text/html; charset=utf-8';
  const rpc = async (): Promise<RpcRequest> => {
    try {
      return JSON.parse((await readBody(req)) || '{}') as RpcRequest;
    } catch {
      return {};
    }
  };
  if (p === '/web/health') {
    const ok = await healthy(cfg);
    send(res, ok ? 200 : 503, JSON.stringify({ status: ok ? 'pass' : 'fail' }).replace(':', ': '), json, { 'Cache-Control': 'no-store' });
    return;
  }
  if (p === '/web/webclient/version_info' && method === 'POST') {
    const body = await rpc();
    send(res, 200, rpcResult(body.id, VERSION_INFO), json);
    return;
  }
  if (p === '/web/session/authenticate' && method === 'POST') {
    const body = await rpc();
    const { db, login, password } = (body.params ?? {}) as { db?: string; login?: string; password?: string };
    const uid = db && login && password ? await authenticate(cfg, db, login, password) : false;
    if (!uid) {
      send(res, 200, rpcError(body.id, 'odoo.exceptions.AccessDenied', 'Access Denied'), json);
      return;
    }
    const result = { uid, is_system: uid === 2, is_admin: uid === 2, db, username: login, name: login, user_context: { lang: 'en_US', tz: 'UTC', uid }, ...VERSION_INFO };
    send(res, 200, rpcResult(body.id, result), json, { 'Set-Cookie': `session_id=${crypto.randomBytes(20).toString('hex')}; HttpOnly; Path=/; SameSite=Lax` });
    return;
  }
  if (p === '/jsonrpc' && method === 'POST') {
    const body = await rpc();
    const { service, method: m, args = [] } = (body.params ?? {}) as { service?: string; method?: string; args?: unknown[] };
    if (service === 'common' && m === 'version') return send(res, 200, rpcResult(body.id, VERSION_INFO), json);
    if (service === 'common' && (m === 'login' || m === 'authenticate')) {
      const [db, login, password] = args as [string?, string?, string?];
      const uid = db && login && password ? await authenticate(cfg, db, login, password) : false;
      return send(res, 200, rpcResult(body.id, uid), json);
    }
    if (service === 'db' && m === 'server_version') return send(res, 200, rpcResult(body.id, SERIE), json);
    if (service === 'db' && m === 'list') {
      if (!cfg.list_db) return send(res, 200, rpcError(body.id, 'odoo.exceptions.AccessDenied', 'Access Denied'), json);
      return send(res, 200, rpcResult(body.id, await databaseList(cfg)), json);
    }
    return send(res, 200, rpcError(body.id, 'builtins.NotImplementedError', `${String(service)}.${String(m)} is not available`), json);
  }
  if (p.startsWith('/web/database/')) {
    if (!cfg.list_db) return send(res, 404, page('404: Page not found', '<h1>404: Page not found</h1>'), html);
    if (p === '/web/database/list' && method === 'POST') {
      const body = await rpc();
      return send(res, 200, rpcResult(body.id, await databaseList(cfg)), json);
    }
    const dbs = await databaseList(cfg).catch(() => [] as string[]);
    return send(res, 200, page('Database manager', `<h1>Databases</h1><ul>${dbs.map((d) => `<li>${d}</li>`).join('')}</ul>`), html);
  }
  if (p === '/web/login') {
    return send(
      res,
      200,
      page(
        'Login',
        `<form class="oe_login_form" method="post" action="/web/login"><input type="hidden" name="csrf_token" value="${crypto.randomBytes(20).toString('hex')}"/>` +
          `<input type="text" name="login" id="login"/><input type="password" name="password" id="password"/><button type="submit">Log in</button></form>`,
      ),
      html,
    );
  }
  if (p === '/' || p === '/web' || p === '/odoo') return send(res, 303, '', html, { Location: '/web/login' });
  send(res, 404, page('404: Page not found', '<h1>404: Page not found</h1>'), html);
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

// ---------------------------------------------------------------- main

function stopOnSignals(): void {
  // Node as PID 1 gets no default signal handling: stop at once, as Odoo does.
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      log('INFO', 'odoo.service.server', `Initiating shutdown (${sig})`);
      process.exit(0);
    });
  }
}

async function main(argv: string[]): Promise<number> {
  stopOnSignals();
  let args = argv;
  let command = 'server';
  if (args[0] && !args[0].startsWith('-')) [command, ...args] = args;
  if (args.includes('--version') || args.includes('-v')) {
    process.stdout.write(`Odoo Server ${SERIE}\n`);
    return 0;
  }
  if (command === 'wait-for-psql') {
    // Internal: the entrypoint's wait for PostgreSQL (the official image's wait-for-psql.py).
    const timeout = args.find((a) => a.startsWith('--timeout='));
    const cfg = buildConfig(args.filter((a) => !a.startsWith('--timeout=')));
    await waitForPsql(cfg, timeout ? Number(timeout.slice('--timeout='.length)) : 30);
    return 0;
  }
  if (command !== 'server') throw new UsageError(`unknown command: ${command} (this stand-in knows only "server")`);

  const cfg = buildConfig(args);
  logDb = cfg.db_name || '?';
  const user = connectionConfig(cfg, 'postgres').user;
  if (user === 'postgres') throw new FatalError("Using the database user 'postgres' is a security risk, aborting.");
  log('INFO', 'odoo', `Odoo version ${SERIE} (stand-in)`);
  log('INFO', 'odoo', `addons paths: ['/mnt/extra-addons']`);
  log('INFO', 'odoo', `database: ${String(user)}@${String(connectionConfig(cfg, 'postgres').host)}:${String(connectionConfig(cfg, 'postgres').port)}`);
  for (const d of ['filestore', 'sessions', `addons/${SERIE}`]) {
    try {
      fs.mkdirSync(path.join(cfg.data_dir, d), { recursive: true });
    } catch (err) {
      log('WARNING', 'odoo.tools.config', `cannot create ${path.join(cfg.data_dir, d)}: ${(err as Error).message}`);
    }
  }
  for (const db of cfg.db_name ? cfg.db_name.split(',') : []) {
    try {
      await createDatabaseIfMissing(cfg, db);
      const needsInit = cfg.init.length > 0 || !(await withClient(cfg, db, isInitialized));
      if (needsInit || cfg.update.length) await initDatabase(cfg, db, cfg.init);
    } catch (err) {
      if (err instanceof FatalError) throw err;
      throw new FatalError(`Failed to initialize database \`${db}\` (${describeTarget(cfg)}): ${(err as Error).message}`);
    }
  }
  if (cfg.stop_after_init) {
    log('INFO', 'odoo.service.server', 'Stopping gracefully (--stop-after-init)');
    return 0;
  }
  if (!cfg.http_enable) {
    log('INFO', 'odoo.service.server', 'HTTP service disabled (--no-http); running the cron workers only');
    await new Promise<never>(() => undefined);
  }
  const server = http.createServer(handler(cfg));
  server.keepAliveTimeout = 5000;
  await listen(server, cfg.http_port, cfg.http_interface);
  log('INFO', 'odoo.service.server', `HTTP service (werkzeug) running on ${cfg.http_interface}:${cfg.http_port}`);
  if (cfg.workers > 0) {
    const gevent = http.createServer(handler(cfg));
    await listen(gevent, cfg.gevent_port, cfg.http_interface);
    log('INFO', 'odoo.service.server', `Evented service (websocket) running on ${cfg.http_interface}:${cfg.gevent_port}`);
  }
  return new Promise<number>(() => undefined);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`Usage: odoo server [options]\n\nodoo: error: ${err.message}\n`);
      process.exit(2);
    }
    const message = err instanceof FatalError ? err.message : ((err as Error).stack ?? String(err));
    log('ERROR', 'odoo', message);
    process.stderr.write(`odoo: error: ${message.split('\n')[0]}\n`);
    process.exit(1);
  },
);
