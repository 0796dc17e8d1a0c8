import crypto from 'node:crypto';
import type pg from 'pg';
import type { HostCoordinators } from '../coordination/host-coordinators.js';
import type { JobDefinition } from '../jobs/types.js';
import { withAdmin } from '../postgres/admin-session.js';
import { waitForTenantHealth } from '../tenants/health.js';
import type { TenantParts } from '../tenants/tenant-parts.js';
import { archiveLoadSteps, dropDatabase, type ArchiveLoadInput } from './restore-steps.js';
import type { BackupDeps } from './archive-steps.js';

export interface RestoreInput extends ArchiveLoadInput {
  /** New database.uuid and database.secret (a copy must not pass for the original). */
  copy: boolean;
  /** Crons and outgoing mail servers off, as Odoo's neutralize does. */
  neutralize: boolean;
}

const scratch = (db: string) => `${db}__restore`;
const previous = (db: string) => `${db}__previous`;

/**
 * Restore into a new database and a new filestore folder first; both are swapped into place
 * only once everything succeeded. Until the swap a failure or a killed console leaves the
 * tenant serving its old data (the scratch copies are dropped); the swap itself converges when
 * resumed, and the tenant returns to its previous state (a stopped tenant stays stopped).
 */
export function restoreJob(deps: BackupDeps & { coordinators: HostCoordinators }): JobDefinition<RestoreInput> {
  const load = archiveLoadSteps<RestoreInput>(deps, { scratchOf: scratch, folder: 'restore' });
  const { parts, admin, docker, filestoreShell } = load;
  return {
    kind: 'tenant.restore',
    target: (input) => `tenant:${input.hostId}/${input.name}`,
    steps: [
      load.checkArchive,
      load.preflight,
      load.scratchDatabase,
      load.loadDump(async (c, ctx) => {
        if (ctx.input.copy) await regenerateIdentity(c);
        if (ctx.input.neutralize) await neutralizeDatabase(c);
      }),
      load.stageFilestore,
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
        // The point of no return once done, and idempotent: each half checks what is already
        // done. A failure halfway is undone by its compensation, back to the old data.
        name: 'swap',
        title: 'Swap the restored database and filestore into place',
        onCrash: 'resume',
        async run(ctx) {
          const { database, role } = parts(ctx);
          await withAdmin(deps.pool, admin(ctx.input.hostId), async (c) => {
            if (!(await exists(c, scratch(database)))) return; // swapped already
            await dropDatabase(c, previous(database), role);
            await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()', [[database, scratch(database)]]);
            await renames(c, (await exists(c, database)) ? [[database, previous(database)]] : [], [[scratch(database), database]]);
          });
          await filestoreShell(
            ctx,
            'set -e; cd /var/lib/odoo/filestore; if [ -d ".restore-$1" ]; then rm -rf ".previous-$1"; if [ -e "$1" ]; then mv "$1" ".previous-$1"; fi; mv ".restore-$1" "$1"; fi',
            'the filestore swap',
          );
        },
        async compensate(ctx) {
          const found = ctx.output<TenantParts>('preflight');
          if (!found) return;
          const { database } = found;
          await filestoreShell(
            ctx,
            // Whole swap done (no staged folder left): swap back. Half done (the live folder moved
            // aside, the restored one not yet in): move it back. Otherwise a leftover .previous
            // folder of an older restore is not this job's, and stays.
            'set -e; cd /var/lib/odoo/filestore; if [ -d ".previous-$1" ] && [ ! -d ".restore-$1" ]; then if [ -e "$1" ]; then mv "$1" ".restore-$1"; fi; mv ".previous-$1" "$1"; elif [ -d ".previous-$1" ] && [ ! -e "$1" ]; then mv ".previous-$1" "$1"; fi',
            'the filestore swap back',
          );
          await withAdmin(deps.pool, admin(ctx.input.hostId), async (c) => {
            // Undo only this job's renames: they left no scratch copy and a previous copy that is
            // the tenant's (a database of that name that is someone else's is never touched).
            if ((await exists(c, scratch(database))) || !(await exists(c, previous(database)))) return;
            const owner = (await c.query<{ owner: string }>('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [previous(database)])).rows[0]?.owner;
            if (owner !== found.role) return;
            await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()', [[database, previous(database)]]);
            await renames(c, (await exists(c, database)) ? [[database, scratch(database)]] : [], [[previous(database), database]]);
          });
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
          const { database, role } = parts(ctx);
          await withAdmin(deps.pool, admin(ctx.input.hostId), (c) => dropDatabase(c, previous(database), role));
          await filestoreShell(ctx, `rm -rf "/var/lib/odoo/filestore/.previous-$1"`, 'the filestore cleaner');
        },
      },
    ],
  };
}

async function exists(c: pg.Client, name: string): Promise<boolean> {
  return (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount! > 0;
}

/** Database renames in one transaction: all of them happen, or none. */
async function renames(c: pg.Client, ...groups: Array<Array<[string, string]>>): Promise<void> {
  await c.query('BEGIN');
  try {
    for (const [from, to] of groups.flat()) await c.query(`ALTER DATABASE ${c.escapeIdentifier(from)} RENAME TO ${c.escapeIdentifier(to)}`);
    await c.query('COMMIT');
  } catch (error) {
    await c.query('ROLLBACK').catch(() => {});
    throw error;
  }
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
  // Incoming mail too (Odoo's mail neutralize): a copy must not read production mailboxes.
  if (await tableExists(c, 'fetchmail_server')) await c.query('UPDATE fetchmail_server SET active = false');
  if (await tableExists(c, 'ir_config_parameter')) {
    const updated = await c.query("UPDATE ir_config_parameter SET value = 'True' WHERE key = 'database.is_neutralized'");
    if (updated.rowCount === 0) await c.query("INSERT INTO ir_config_parameter (key, value) VALUES ('database.is_neutralized', 'True')");
  }
}

async function tableExists(c: pg.Client, table: string): Promise<boolean> {
  return (await c.query('SELECT to_regclass($1) IS NOT NULL AS found', [`public.${table}`])).rows[0].found === true;
}
