import crypto from 'node:crypto';
import fs from 'node:fs';
import type pg from 'pg';
import { FleetError } from '../../shared/errors.js';
import { runOneOffWithInput } from '../docker/one-off-stream.js';
import { tarStream, type StreamedTarEntry } from '../docker/tar.js';
import type { HostCoordinators } from '../coordination/host-coordinators.js';
import type { JobDefinition, StepContext } from '../jobs/types.js';
import { withPostgres } from '../postgres/pg-over-ssh.js';
import { waitForTenantHealth } from '../tenants/health.js';
import { DATABASE_LABEL } from '../tenants/routing.js';
import { findTenantParts, type TenantParts } from '../tenants/tenant-parts.js';
import { pgClient } from './pg-client.js';
import type { ArchiveDeps } from './tenant-archive.js';
import { ZipReader } from './zip-reader.js';

export interface RestoreInput {
  hostId: string;
  name: string;
  /** An Odoo backup zip on this machine (ours or one Odoo's database manager wrote). */
  archivePath: string;
  /** The archive's recorded checksum, when the catalog knows it. */
  sha256: string | null;
  /** New database.uuid and database.secret (a copy must not pass for the original). */
  copy: boolean;
  /** Crons and outgoing mail servers off, as Odoo's neutralize does. */
  neutralize: boolean;
}

const FILESTORE = '/var/lib/odoo/filestore';
const scratch = (db: string) => `${db}__restore`;
const previous = (db: string) => `${db}__previous`;

/**
 * Restore into a new database and a new filestore folder first; both are swapped into place
 * only once everything succeeded. Until the swap a failure or a killed console leaves the
 * tenant serving its old data (the scratch copies are dropped); the swap itself converges when
 * resumed, and the tenant returns to its previous state (a stopped tenant stays stopped).
 */
export function restoreJob(deps: ArchiveDeps & { coordinators: HostCoordinators }): JobDefinition<RestoreInput> {
  const parts = (ctx: StepContext<RestoreInput>) => ctx.output<TenantParts>('preflight')!;
  const admin = (hostId: string) => {
    const target = deps.hosts.dbTarget(hostId);
    if (!target) throw new FleetError('VALIDATION', 'The host has no database server set.');
    return target;
  };
  const docker = (hostId: string) => deps.docker.client(deps.hosts.endpoint(hostId));
  /** A one-off shell in the tenant's image with its data volume mounted read-write. */
  const filestoreShell = (ctx: StepContext<RestoreInput>, script: string, what: string, input: AsyncIterable<Buffer> = (async function* () {})()) =>
    runOneOffWithInput(
      docker(ctx.input.hostId),
      {
        Image: parts(ctx).image,
        User: '0',
        Entrypoint: ['sh', '-c', script, 'sh', parts(ctx).database],
        Labels: { 'fleet.role': 'archive', [DATABASE_LABEL]: parts(ctx).database },
        HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'volume', Source: parts(ctx).dataVolume, Target: '/var/lib/odoo' }] },
      },
      input,
      what,
    );
  const dropDatabase = async (client: pg.Client, name: string) => {
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)}`);
  };

  return {
    kind: 'tenant.restore',
    target: (input) => `tenant:${input.hostId}/${input.name}`,
    steps: [
      {
        // Before anything is touched: the bytes are the recorded ones, the layout is Odoo's, and
        // no member could land outside the restore folders.
        name: 'check-archive',
        title: 'Check the archive (checksum, layout, every member)',
        onCrash: 'compensate',
        async run(ctx) {
          if (ctx.input.sha256) {
            const hash = crypto.createHash('sha256');
            for await (const chunk of fs.createReadStream(ctx.input.archivePath)) hash.update(chunk as Buffer);
            if (hash.digest('hex') !== ctx.input.sha256) throw new FleetError('ARCHIVE_INVALID', `${ctx.input.archivePath} does not match its recorded sha256: it changed or is corrupt. The tenant was not touched.`);
          }
          const zip = await ZipReader.open(ctx.input.archivePath);
          try {
            if (!zip.member('dump.sql')) throw new FleetError('ARCHIVE_INVALID', `${ctx.input.archivePath} has no dump.sql: not an Odoo backup zip.`);
            await zip.test();
            return { members: zip.members.length, filestoreFiles: zip.members.filter((m) => m.name.startsWith('filestore/')).length };
          } finally {
            await zip.close();
          }
        },
      },
      {
        name: 'preflight',
        title: 'Find the tenant',
        onCrash: 'compensate',
        async run(ctx) {
          const found = await findTenantParts(deps, ctx.input.hostId, ctx.input.name);
          if (scratch(found.database).length > 63) throw new FleetError('VALIDATION', `The database name ${found.database} is too long to restore beside it.`);
          return found;
        },
      },
      {
        name: 'scratch-database',
        title: 'Create an empty database beside the tenant’s',
        onCrash: 'compensate',
        async run(ctx) {
          const { database, role } = parts(ctx);
          await withPostgres(deps.pool, admin(ctx.input.hostId), async (c) => {
            await dropDatabase(c, scratch(database)); // a leftover of an interrupted restore
            // As Odoo's restore creates it: unicode, template0 with C collation.
            await c.query(`CREATE DATABASE ${c.escapeIdentifier(scratch(database))} OWNER ${c.escapeIdentifier(role)} ENCODING 'UTF8' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'`);
            await c.query(`REVOKE ALL ON DATABASE ${c.escapeIdentifier(scratch(database))} FROM PUBLIC`);
            await c.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${c.escapeIdentifier(scratch(database))} TO ${c.escapeIdentifier(role)}`);
          });
        },
        async compensate(ctx) {
          const found = ctx.output<TenantParts>('preflight');
          if (!found) return;
          // A killed console leaves its psql or filestore writer behind on the host.
          await deps.docker.call(deps.hosts.endpoint(ctx.input.hostId), async (d) => {
            const helpers = await d.listContainers({ all: true, filters: { label: ['fleet.role=archive'] } });
            const ours = [found.database, scratch(found.database)];
            for (const c of helpers.filter((h) => ours.includes(h.Labels?.[DATABASE_LABEL] ?? ''))) await d.getContainer(c.Id).remove({ force: true }).catch(() => {});
          });
          await withPostgres(deps.pool, admin(ctx.input.hostId), (c) => dropDatabase(c, scratch(found.database)));
        },
      },
      {
        name: 'load-dump',
        title: 'Load dump.sql into it (psql on the host, as the tenant’s role)',
        onCrash: 'compensate',
        async run(ctx) {
          const { database, role } = parts(ctx);
          const client = await pgClient(deps, ctx.input.hostId);
          // Every object is created as the tenant's role, so ownership and grants are right.
          const psql = client.container('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1'], scratch(database), [`PGOPTIONS=-c role=${role}`]);
          const zip = await ZipReader.open(ctx.input.archivePath);
          try {
            const dump = await zip.stream(zip.member('dump.sql')!);
            await runOneOffWithInput(docker(ctx.input.hostId), psql.options, dump, 'psql loading dump.sql', psql.files);
          } finally {
            await zip.close();
          }
          const { copy, neutralize } = ctx.input;
          if (copy || neutralize) {
            await withPostgres(deps.pool, { ...admin(ctx.input.hostId), database: scratch(database) }, async (c) => {
              await c.query(`SET ROLE ${c.escapeIdentifier(role)}`);
              if (copy) await regenerateIdentity(c);
              if (neutralize) await neutralizeDatabase(c);
            });
          }
        },
      },
      {
        name: 'stage-filestore',
        title: 'Unpack the filestore beside the tenant’s',
        onCrash: 'compensate',
        async run(ctx) {
          const zip = await ZipReader.open(ctx.input.archivePath);
          try {
            const members = zip.members.filter((m) => m.name.startsWith('filestore/') && m.name.length > 'filestore/'.length);
            async function* entries(): AsyncGenerator<StreamedTarEntry> {
              for (const m of members) yield { name: m.name.slice('filestore/'.length), size: m.size, mode: 0o644, uid: 0, gid: 0, body: await zip.stream(m) };
            }
            // Owned like the filestore folder itself (Odoo's user), whatever the image calls it.
            await filestoreShell(
              ctx,
              'set -e; base=/var/lib/odoo/filestore; mkdir -p "$base"; owner=$(stat -c %u:%g /var/lib/odoo); rm -rf "$base/.restore-$1"; mkdir "$base/.restore-$1"; cd "$base/.restore-$1"; tar -xf -; chown -R "$owner" "$base/.restore-$1"',
              'the filestore writer',
              tarStream(entries()),
            );
          } finally {
            await zip.close();
          }
        },
        async compensate(ctx) {
          if (!ctx.output<TenantParts>('preflight')) return;
          await filestoreShell(ctx, `rm -rf "${FILESTORE}/.restore-$1"`, 'the filestore cleaner');
        },
      },
      {
        name: 'stop',
        title: 'Stop the Odoo server',
        onCrash: 'compensate',
        async run(ctx) {
          const server = docker(ctx.input.hostId).getContainer(parts(ctx).serverId);
          await deps.docker.call(deps.hosts.endpoint(ctx.input.hostId), async () => {
            if ((await server.inspect()).State.Running) await server.stop({ t: 20 });
          }, 60_000);
        },
        async compensate(ctx) {
          const found = ctx.output<TenantParts>('preflight');
          if (!found?.wasRunning) return;
          const server = docker(ctx.input.hostId).getContainer(found.serverId);
          await deps.docker.call(deps.hosts.endpoint(ctx.input.hostId), async () => {
            if (!(await server.inspect()).State.Running) await server.start();
          });
        },
      },
      {
        // The point of no return, and idempotent: each half checks what is already done.
        name: 'swap',
        title: 'Swap the restored database and filestore into place',
        onCrash: 'resume',
        async run(ctx) {
          const { database } = parts(ctx);
          await withPostgres(deps.pool, admin(ctx.input.hostId), async (c) => {
            const exists = async (name: string) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount! > 0;
            if (!(await exists(scratch(database)))) return; // swapped already
            await dropDatabase(c, previous(database));
            await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()', [[database, scratch(database)]]);
            await c.query('BEGIN');
            try {
              if (await exists(database)) await c.query(`ALTER DATABASE ${c.escapeIdentifier(database)} RENAME TO ${c.escapeIdentifier(previous(database))}`);
              await c.query(`ALTER DATABASE ${c.escapeIdentifier(scratch(database))} RENAME TO ${c.escapeIdentifier(database)}`);
              await c.query('COMMIT');
            } catch (error) {
              await c.query('ROLLBACK').catch(() => {});
              throw error;
            }
          });
          await filestoreShell(
            ctx,
            'set -e; cd /var/lib/odoo/filestore; if [ -d ".restore-$1" ]; then rm -rf ".previous-$1"; if [ -e "$1" ]; then mv "$1" ".previous-$1"; fi; mv ".restore-$1" "$1"; fi',
            'the filestore swap',
          );
        },
      },
      {
        name: 'start',
        title: 'Start the Odoo server again (if it was running) and wait for /web/health',
        onCrash: 'resume',
        async run(ctx) {
          const found = parts(ctx);
          if (!found.wasRunning) return;
          const endpoint = deps.hosts.endpoint(ctx.input.hostId);
          const server = docker(ctx.input.hostId).getContainer(found.serverId);
          await deps.docker.call(endpoint, async () => {
            if (!(await server.inspect()).State.Running) await server.start();
          });
          await waitForTenantHealth(deps, endpoint, ctx.input.hostId, found.serverId, ctx.signal);
        },
      },
      {
        name: 'drop-previous',
        title: 'Drop the previous database and filestore',
        onCrash: 'resume',
        async run(ctx) {
          const { database } = parts(ctx);
          await withPostgres(deps.pool, admin(ctx.input.hostId), (c) => dropDatabase(c, previous(database)));
          await filestoreShell(ctx, `rm -rf "${FILESTORE}/.previous-$1"`, 'the filestore cleaner');
        },
      },
    ],
  };
}

/** As Odoo's restore with copy=True: a new database.uuid and database.secret. */
async function regenerateIdentity(c: pg.Client): Promise<void> {
  if (!(await tableExists(c, 'ir_config_parameter'))) return;
  for (const key of ['database.uuid', 'database.secret']) {
    await c.query('UPDATE ir_config_parameter SET value = $2 WHERE key = $1', [key, crypto.randomUUID()]);
  }
}

/** As Odoo's neutralize: crons off (but the autovacuum), outgoing mail servers off, flagged. */
async function neutralizeDatabase(c: pg.Client): Promise<void> {
  if (await tableExists(c, 'ir_cron')) {
    const keep = (await tableExists(c, 'ir_model_data'))
      ? "id NOT IN (SELECT res_id FROM ir_model_data WHERE model = 'ir.cron' AND module = 'base' AND name = 'autovacuum_job')"
      : 'true';
    await c.query(`UPDATE ir_cron SET active = false WHERE ${keep}`);
  }
  if (await tableExists(c, 'ir_mail_server')) await c.query('UPDATE ir_mail_server SET active = false');
  if (await tableExists(c, 'ir_config_parameter')) {
    const updated = await c.query("UPDATE ir_config_parameter SET value = 'True' WHERE key = 'database.is_neutralized'");
    if (updated.rowCount === 0) await c.query("INSERT INTO ir_config_parameter (key, value) VALUES ('database.is_neutralized', 'True')");
  }
}

async function tableExists(c: pg.Client, table: string): Promise<boolean> {
  return (await c.query('SELECT to_regclass($1) IS NOT NULL AS found', [`public.${table}`])).rows[0].found === true;
}
