import crypto from 'node:crypto';
import type pg from 'pg';
import type { RestoreFindings } from '../../shared/backups.js';
import { FleetError } from '../../shared/errors.js';
import { settleAll } from '../common/settle-all.js';
import type { HostCoordinators } from '../coordination/host-coordinators.js';
import type { Json, JobDefinition, StepContext, StepDefinition } from '../jobs/types.js';
import { withAdmin } from '../postgres/admin-session.js';
import { withTenantSession } from '../postgres/tenant-session.js';
import { waitForTenantHealth } from '../tenant-parts/health.js';
import type { TenantParts } from '../tenant-parts/tenant-parts.js';
import type { BackupDeps } from './archive-steps.js';
import { keptUntil } from './kept-copy.js';
import { adminsOnDefaultPassword, baseUrlIsStale, storedBaseUrl } from './restore-checks.js';
import { archiveLoadSteps, dropDatabase, type ArchiveLoadInput } from './restore-steps.js';
import { UndoStore } from './undo-store.js';
import { newestPosRecords, posRecordsAfter } from '../tenant-parts/pos-activity.js';
import { freezeBaseUrl } from '../tenant-parts/base-url.js';
import { tenantAddress } from '../proxy/tenant-routes.js';

export interface RestoreInput extends ArchiveLoadInput {
  /** New database.uuid and database.secret (a copy must not pass for the original). */
  copy: boolean;
  /** Crons and outgoing mail servers off, as Odoo's neutralize does. */
  neutralize: boolean;
  /** Hours the replaced data is kept for a one-step undo; 0 drops it once the restore succeeded. */
  keepHours?: number;
}

export const scratch = (db: string) => `${db}__restore`;
export const previous = (db: string) => `${db}__previous`;

/** What a restore found after it: for the UIs to say, and to offer a new admin password. */
type Findings = RestoreFindings & { [key: string]: Json };
type CredentialFindings = Pick<RestoreFindings, 'adminsOnDefaultPassword' | 'baseUrl'>;

/**
 * Restore into a new database and a new filestore folder first; both are swapped into place
 * only once everything succeeded. Until the swap a failure or a killed console leaves the
 * tenant serving its old data (the scratch copies are dropped); the swap itself converges when
 * resumed, and the tenant returns to its previous state (a stopped tenant stays stopped). The
 * replaced data is kept for the undo window (kept-copy.ts), then dropped.
 */
export function restoreJob(deps: BackupDeps & { coordinators: HostCoordinators }): JobDefinition<RestoreInput> {
  const load = archiveLoadSteps<RestoreInput>(deps, { scratchOf: scratch, folder: 'restore' });
  return {
    kind: 'tenant.restore',
    target: (input) => `tenant:${input.hostId}/${input.name}`,
    publicResult: (output) => ({ findings: (output('check-credentials') as Findings | undefined) ?? null, pos: (output('pos-orders') as Json | undefined) ?? null }),
    steps: [
      load.checkArchive,
      load.preflight,
      load.room((ctx) => (ctx.input.keepHours ?? 0) > 0),
      load.scratchDatabase,
      load.loadDump(async (c, ctx) => {
        // The backup names the address it was made at (a staging clone's source, a name since switched): the proxy's now.
        const address = await tenantAddress(deps, ctx.input.hostId, ctx.input.name, load.parts(ctx).publicHost);
        if (address) await freezeBaseUrl(c, address);
        if (ctx.input.copy) await regenerateIdentity(c);
        if (ctx.input.neutralize) await neutralizeDatabase(c);
        // Checked here, while the filestore may still unpack, rather than after the restart.
        // Never fails the restore: check-credentials tries again (and says why) when this could not.
        const credentials = (await credentialFindings(c, load.parts(ctx)).catch(() => null)) as Json;
        return { credentials, newestPos: (await newestPosRecords(c).catch(() => null)) as Json };
      }),
      load.stageFilestore,
      posOrdersAfterBackupStep(deps, load),
      ...swapSteps(deps, load),
      keepOrDropPreviousStep(deps, load),
      checkCredentialsStep(deps, load),
    ],
  };
}

type LoadSteps<I extends { hostId: string; name: string }> = Pick<ReturnType<typeof archiveLoadSteps<I>>, 'parts' | 'admin' | 'docker' | 'filestoreShell' | 'volumeOutput'>;

/** Stop, swap `<db>__restore` (and `.restore-<db>`) into place, start: restore's and undo's. */
export function swapSteps<I extends { hostId: string; name: string }>(deps: BackupDeps, load: LoadSteps<I>): Array<StepDefinition<I>> {
  const { parts, admin, docker, filestoreShell } = load;
  return [
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
        // The two halves are independent (each checks what it already did): both at once.
        await settleAll([
          withAdmin(deps.pool, admin(ctx.input.hostId), async (c) => {
            if (!(await exists(c, scratch(database)))) return; // swapped already
            await dropDatabase(c, previous(database), role); // an older restore's kept copy: this one replaces it
            await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()', [[database, scratch(database)]]);
            await c.query(`ALTER DATABASE ${c.escapeIdentifier(scratch(database))} WITH ALLOW_CONNECTIONS true`);
            await renames(c, (await exists(c, database)) ? [[database, previous(database)]] : [], [[scratch(database), database]]);
          }),
          filestoreShell(
            ctx,
            'set -e; cd /var/lib/odoo/filestore; if [ -d ".restore-$1" ]; then rm -rf ".previous-$1"; if [ -e "$1" ]; then mv "$1" ".previous-$1"; fi; mv ".restore-$1" "$1"; fi',
            'the filestore swap',
          ),
        ]);
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
          await c.query(`ALTER DATABASE ${c.escapeIdentifier(previous(database))} WITH ALLOW_CONNECTIONS true`);
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
  ];
}

/** The database and filestore sizes of the kept copy, as the UIs show what the undo window holds. */
export async function keptCopySizes<I extends { hostId: string; name: string }>(deps: BackupDeps, load: LoadSteps<I>, ctx: StepContext<I>) {
  const { database } = load.parts(ctx);
  const [databaseBytes, du] = await Promise.all([
    withAdmin(deps.pool, load.admin(ctx.input.hostId), async (c) =>
      Number((await c.query<{ size: string | null }>('SELECT pg_database_size(datname)::text AS size FROM pg_database WHERE datname = $1', [previous(database)])).rows[0]?.size ?? NaN),
    ).catch(() => NaN),
    load.volumeOutput(ctx, 'du -sk "/var/lib/odoo/filestore/.previous-$1" 2>/dev/null || echo 0', 'the kept copy measure').catch(() => ''),
  ]);
  const filestoreKib = Number.parseInt(du.trim().split(/\s+/)[0] ?? '', 10);
  return { databaseBytes: Number.isFinite(databaseBytes) ? databaseBytes : null, filestoreBytes: Number.isFinite(filestoreKib) ? filestoreKib * 1024 : null };
}

/** Keeps the replaced data for the undo window (inert: no connections), or drops it. */
function keepOrDropPreviousStep(deps: BackupDeps & { coordinators: HostCoordinators }, load: LoadSteps<RestoreInput>): StepDefinition<RestoreInput> {
  return {
    name: 'drop-previous',
    title: 'Keep the replaced data for the undo window (or drop it)',
    onCrash: 'resume',
    async run(ctx) {
      const { database, role } = load.parts(ctx);
      const undo = new UndoStore(deps.coordinators.of(ctx.input.hostId)!);
      const keepHours = ctx.input.keepHours ?? 0;
      const kept =
        keepHours > 0 &&
        (await withAdmin(deps.pool, load.admin(ctx.input.hostId), async (c) => {
          if (!(await exists(c, previous(database)))) return false; // the tenant had no database to keep
          await c.query(`ALTER DATABASE ${c.escapeIdentifier(previous(database))} WITH ALLOW_CONNECTIONS false`);
          return true;
        }));
      if (!kept) {
        await undo.remove(ctx.input.name);
        await withAdmin(deps.pool, load.admin(ctx.input.hostId), (c) => dropDatabase(c, previous(database), role));
        await load.filestoreShell(ctx, `rm -rf "/var/lib/odoo/filestore/.previous-$1"`, 'the filestore cleaner');
        return { keptUntil: null };
      }
      const until = ctx.output<{ keptUntil?: string }>('drop-previous')?.keptUntil ?? keptUntil(keepHours);
      ctx.setOutput({ keptUntil: until });
      await undo.record({ tenant: ctx.input.name, database, jobId: ctx.jobId, keptUntil: until, ...(await keptCopySizes(deps, load, ctx)) });
      return { keptUntil: until };
    },
  };
}

/**
 * The POS orders (and sessions) the tenant's database has beyond the backup's newest, read before
 * the swap: lost by the restore. Fleet POS terminals send them again by themselves; Odoo gives
 * their names out again. Orders synced after this step and before the stop are sent again too,
 * but not listed. Never fails the restore.
 */
function posOrdersAfterBackupStep(deps: BackupDeps, load: LoadSteps<RestoreInput>): StepDefinition<RestoreInput> {
  return {
    name: 'pos-orders',
    title: 'Name the POS orders the backup lacks (their terminals send them again)',
    // Before the swap: a failure after it still undoes the load (a done 'resume' step would be a floor).
    onCrash: 'compensate',
    async run(ctx): Promise<Json> {
      const newest = ctx.output<{ afterDump?: { newestPos?: { order: string | null; session: string | null } | null } | null }>('load-dump')?.afterDump?.newestPos;
      if (!newest) return null;
      try {
        // Inside the tenant's database: as the tenant, never as the admin.
        return ((await withTenantSession(deps.pool, load.admin(ctx.input.hostId), load.parts(ctx), (c) => posRecordsAfter(c, newest))) ?? null) as Json;
      } catch (error) {
        ctx.log.warn("the tenant's POS orders could not be read", { error: (error as Error).message });
        return null;
      }
    },
  };
}

/** What the restored administrators' passwords and web.base.url mean for the tenant. */
async function credentialFindings(c: pg.Client, found: TenantParts): Promise<CredentialFindings> {
  const stored = await storedBaseUrl(c).catch(() => null);
  const servedAt = found.publicHost ?? null;
  return { adminsOnDefaultPassword: await adminsOnDefaultPassword(c), baseUrl: { stored, servedAt, stale: baseUrlIsStale(stored, servedAt) } };
}

/** Says what the restored users and settings mean for the tenant; never fails the restore. */
function checkCredentialsStep(deps: BackupDeps, load: LoadSteps<RestoreInput>): StepDefinition<RestoreInput> {
  return {
    name: 'check-credentials',
    title: "Check the restored administrators' passwords and web.base.url",
    onCrash: 'resume',
    async run(ctx): Promise<Findings> {
      const found = load.parts(ctx);
      const keptUntil = ctx.output<{ keptUntil?: string | null }>('drop-previous')?.keptUntil ?? null;
      // Found while loading (a job journaled before that checks the tenant's database now).
      const loaded = ctx.output<{ afterDump?: { credentials?: CredentialFindings } | null }>('load-dump')?.afterDump?.credentials;
      if (loaded) return { ...loaded, keptUntil };
      try {
        // Inside the tenant's database: as the tenant, never as the admin.
        return { ...(await withTenantSession(deps.pool, load.admin(ctx.input.hostId), found, (c) => credentialFindings(c, found))), keptUntil };
      } catch (error) {
        ctx.log.warn('the restored database could not be checked', { error: (error as Error).message });
        return { adminsOnDefaultPassword: [], baseUrl: null, keptUntil };
      }
    },
  };
}

/** Drops a tenant's kept copy (`<db>__previous`) if its role owns it; another's of that name stays. */
export async function dropKeptDatabase(c: pg.Client, database: string, role: string): Promise<void> {
  try {
    await dropDatabase(c, previous(database), role);
  } catch (error) {
    if (!(error instanceof FleetError && error.code === 'CONFLICT')) throw error;
  }
}

export async function exists(c: pg.Client, name: string): Promise<boolean> {
  return (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount! > 0;
}

/** Database renames in one transaction: all of them happen, or none. */
export async function renames(c: pg.Client, ...groups: Array<Array<[string, string]>>): Promise<void> {
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
