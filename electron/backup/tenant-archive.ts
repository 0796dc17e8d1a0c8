import { FleetError } from '../../shared/errors.js';
import type { DockerService } from '../docker/docker-service.js';
import type pg from 'pg';
import { DATABASE_LABEL, ROLE_LABEL } from '../docker/labels.js';
import { runOneOffStream, type OneOffStream } from '../docker/one-off-stream.js';
import type { HostService } from '../hosts/host-service.js';
import { openTenantSession, withTenantSession, type TenantSession } from '../postgres/tenant-session.js';
import type { SshPool } from '../ssh/pool.js';
import { odooPgVersion, type ArchiveParts, type OdooManifest } from './odoo-archive.js';
import { pgClient } from './pg-client.js';

// Where an Odoo archive's bytes come from: everything runs on the tenant's host and streams over
// the SSH connection, so the admin's machine needs no PostgreSQL tools.
// - dump.sql: `pg_dump --no-owner` in a one-off container of a PostgreSQL client image of the
//   server's own major version (the managed server's image, or the host's client image setting);
// - filestore/: tar in a one-off container of the tenant's own image, its volume read-only.

export interface ArchiveDeps {
  pool: SshPool;
  docker: DockerService;
  hosts: HostService;
}

export interface TenantStorage {
  hostId: string;
  /** The tenant's name: its one-off containers join its network. */
  tenant: string;
  database: string;
  /** The tenant's role: everything inside its database runs with that role's rights alone. */
  role: string;
  /** The tenant's Odoo image (always on its host). */
  image: string;
  /** The volume mounted at /var/lib/odoo. */
  dataVolume: string;
}

/** Odoo's manifest, from the database itself (read as the tenant): installed modules and the series of `base`. */
export async function readManifest(deps: ArchiveDeps, storage: TenantStorage): Promise<{ manifest: OdooManifest; serverVersionNum: number }> {
  return withTenantSession(deps.pool, adminOf(deps, storage), storage, (client) => manifestOf(client, storage.database));
}

function adminOf(deps: ArchiveDeps, storage: TenantStorage) {
  const admin = deps.hosts.dbTarget(storage.hostId);
  if (!admin) throw new FleetError('VALIDATION', 'The host has no database server set.');
  return admin;
}

async function manifestOf(client: pg.Client, database: string): Promise<{ manifest: OdooManifest; serverVersionNum: number }> {
  const num = Number((await client.query<{ server_version_num: string }>('SHOW server_version_num')).rows[0]!.server_version_num);
  const modules = await client.query<{ name: string; latest_version: string | null }>("SELECT name, latest_version FROM ir_module_module WHERE state = 'installed' ORDER BY name");
  const base = modules.rows.find((m) => m.name === 'base')?.latest_version;
  const series = /^(\d+)\.(\d+)/.exec(base ?? '');
  if (!series) throw new FleetError('COMMAND_FAILED', `Database ${database} has no installed "base" module with a version: is it an Odoo database?`);
  const [major, minor] = [Number(series[1]), Number(series[2])];
  return {
    serverVersionNum: num,
    manifest: {
      odoo_dump: '1',
      db_name: database,
      version: `${major}.${minor}`,
      version_info: [major, minor, 0, 'final', 0, ''],
      major_version: `${major}.${minor}`,
      pg_version: odooPgVersion(num),
      modules: Object.fromEntries(modules.rows.map((m) => [m.name, m.latest_version ?? ''])),
    },
  };
}

/**
 * The three parts of a tenant's Odoo archive, produced on its host. The manifest is read in one
 * session, the counts and pg_dump share another (one snapshot), each as a throw-away member of the
 * tenant's role: a database's views, triggers and functions run while it is read, and they must
 * find nothing but the tenant's own rights.
 */
export async function tenantArchiveParts(deps: ArchiveDeps, storage: TenantStorage): Promise<ArchiveParts> {
  const { manifest } = await readManifest(deps, storage);
  const client = await pgClient(deps, storage.hostId, storage.tenant);
  const docker = deps.docker.client(deps.hosts.endpoint(storage.hostId));

  let rowCounts: Record<string, number> | null = null;
  let filestoreFiles: number | null = null;
  return {
    manifest,
    filestoreFilesExpected: () => filestoreFiles,
    rowCounts: () => {
      if (!rowCounts) throw new FleetError('INTERNAL', 'Row counts are known only once the dump has started.');
      return rowCounts;
    },
    dump: async () => {
      // One snapshot for the counts and the dump: a transaction exports it, counts every table
      // in it, and stays open while pg_dump reads the same snapshot (--snapshot).
      const session: TenantSession = await openTenantSession(deps.pool, adminOf(deps, storage), storage);
      const snapshotHolder = await session.connect().catch(async (error) => {
        await session.close();
        throw error;
      });
      const release = () =>
        snapshotHolder
          .query('ROLLBACK')
          .catch(() => {})
          .finally(() => snapshotHolder.end().catch(() => {}))
          .finally(() => session.close());
      let stream: OneOffStream;
      try {
        await snapshotHolder.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const snapshot = (await snapshotHolder.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]!.id;
        rowCounts = await countRows(snapshotHolder);
        filestoreFiles = await countStoredFiles(snapshotHolder);
        const dump = client.container('pg_dump', ['--no-owner', '--format=p', `--snapshot=${snapshot}`], storage.database, session.login);
        stream = await runOneOffStream(docker, dump.options, dump.files, 'pg_dump');
      } catch (error) {
        await release();
        throw error;
      }
      const done = stream.done.finally(release);
      done.catch(() => {});
      return {
        stdout: stream.stdout,
        done,
        abort: async () => {
          await stream.abort();
          await release();
        },
      };
    },
    filestore: async () =>
      runOneOffStream(
        docker,
        {
          Image: storage.image,
          User: '0',
          Entrypoint: ['sh', '-c', 'cd "/var/lib/odoo/filestore/$1" 2>/dev/null || exit 0; exec tar -cf - .', 'sh', storage.database],
          Labels: { [ROLE_LABEL]: 'archive', [DATABASE_LABEL]: storage.database },
          HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'volume', Source: storage.dataVolume, Target: '/var/lib/odoo', ReadOnly: true }] },
        },
        undefined,
        'the filestore reader',
      ),
  };
}

/** Distinct filestore files Odoo's attachments name (null where there is no ir_attachment). */
async function countStoredFiles(client: pg.Client): Promise<number | null> {
  const table = (await client.query<{ found: boolean }>("SELECT to_regclass('public.ir_attachment') IS NOT NULL AS found")).rows[0]?.found;
  if (!table) return null;
  return Number((await client.query<{ n: string }>('SELECT count(DISTINCT store_fname) AS n FROM ir_attachment WHERE store_fname IS NOT NULL')).rows[0]!.n);
}

/** Exact `count(*)` of every table outside PostgreSQL's own schemas, keyed `schema.table`. */
export async function countRows(client: pg.Client): Promise<Record<string, number>> {
  const { rows: tables } = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1, 2`,
  );
  const counts: Record<string, number> = {};
  // Batched: an Odoo database has hundreds of tables, each count a round trip otherwise.
  for (let i = 0; i < tables.length; i += 200) {
    const batch = tables.slice(i, i + 200);
    const sql = batch.map((t, j) => `SELECT ${j} AS i, count(*)::bigint AS n FROM ${client.escapeIdentifier(t.schema)}.${client.escapeIdentifier(t.name)}`).join(' UNION ALL ');
    const { rows } = await client.query<{ i: number; n: string }>(sql);
    for (const row of rows) counts[`${batch[row.i]!.schema}.${batch[row.i]!.name}`] = Number(row.n);
  }
  return counts;
}
