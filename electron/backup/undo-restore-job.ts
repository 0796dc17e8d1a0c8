import { FleetError } from '../../shared/errors.js';
import type { HostCoordinators } from '../coordination/host-coordinators.js';
import type { JobDefinition, StepDefinition } from '../jobs/types.js';
import { withAdmin } from '../postgres/admin-session.js';
import { findTenantParts } from '../tenant-parts/tenant-parts.js';
import type { BackupDeps } from './archive-steps.js';
import { exists, keptCopySizes, previous, renames, scratch, swapSteps } from './restore-job.js';
import { archiveLoadSteps, dropDatabase } from './restore-steps.js';
import { UndoStore } from './undo-store.js';

export interface KeptCopyInput {
  hostId: string;
  name: string;
}

type Deps = BackupDeps & { coordinators: HostCoordinators };

const undoStore = (deps: Deps, hostId: string) => {
  const coordinator = deps.coordinators.of(hostId);
  if (!coordinator) throw new FleetError('VALIDATION', 'The host has no database server set.');
  return new UndoStore(coordinator);
};

/** Finds the tenant and its kept copy (both the record and the database), or fails with NOT_FOUND. */
function preflightStep(deps: Deps, load: ReturnType<typeof archiveLoadSteps<KeptCopyInput>>): StepDefinition<KeptCopyInput> {
  return {
    name: 'preflight',
    title: 'Find the tenant and the data its last restore replaced',
    onCrash: 'compensate',
    async run(ctx) {
      const found = await findTenantParts(deps, ctx.input.hostId, ctx.input.name);
      const kept = await undoStore(deps, ctx.input.hostId).get(ctx.input.name);
      const present = await withAdmin(deps.pool, load.admin(ctx.input.hostId), (c) => exists(c, previous(found.database)));
      if (!kept || kept.database !== found.database || !present) throw new FleetError('NOT_FOUND', `${ctx.input.name} has no kept copy of replaced data to go back to.`);
      return found;
    },
  };
}

/**
 * Undo of the last restore: the kept copy becomes the scratch copy, then the restore's own swap
 * puts it in place — and keeps the data it replaces as the new kept copy, so an undo is undone
 * the same way. The window does not move.
 */
export function undoRestoreJob(deps: Deps): JobDefinition<KeptCopyInput> {
  const load = archiveLoadSteps<KeptCopyInput>(deps, { scratchOf: scratch, folder: 'restore' });
  return {
    kind: 'tenant.undo-restore',
    target: (input) => `tenant:${input.hostId}/${input.name}`,
    steps: [
      preflightStep(deps, load),
      {
        name: 'stage-kept-copy',
        title: 'Make the kept copy the one to swap in',
        onCrash: 'compensate',
        async run(ctx) {
          const { database, role } = load.parts(ctx);
          await withAdmin(deps.pool, load.admin(ctx.input.hostId), async (c) => {
            if (!(await exists(c, previous(database)))) return; // staged already
            await dropDatabase(c, scratch(database), role); // a leftover of an interrupted restore
            await renames(c, [[previous(database), scratch(database)]]);
          });
          await load.filestoreShell(ctx, 'set -e; cd /var/lib/odoo/filestore; if [ -d ".previous-$1" ]; then rm -rf ".restore-$1"; mv ".previous-$1" ".restore-$1"; fi', 'the filestore stager');
        },
        async compensate(ctx) {
          const found = ctx.output<{ database: string }>('preflight');
          if (!found) return;
          await load.filestoreShell(ctx, 'set -e; cd /var/lib/odoo/filestore; if [ -d ".restore-$1" ] && [ ! -e ".previous-$1" ]; then mv ".restore-$1" ".previous-$1"; fi', 'the filestore stager');
          await withAdmin(deps.pool, load.admin(ctx.input.hostId), async (c) => {
            if ((await exists(c, scratch(found.database))) && !(await exists(c, previous(found.database)))) await renames(c, [[scratch(found.database), previous(found.database)]]);
          });
        },
      },
      ...swapSteps(deps, load),
      {
        name: 'keep-replaced',
        title: 'Keep the data the undo replaced, until the same window ends',
        onCrash: 'resume',
        async run(ctx) {
          const { database } = load.parts(ctx);
          await withAdmin(deps.pool, load.admin(ctx.input.hostId), (c) => c.query(`ALTER DATABASE ${c.escapeIdentifier(previous(database))} WITH ALLOW_CONNECTIONS false`));
          await undoStore(deps, ctx.input.hostId).swapped(ctx.input.name, await keptCopySizes(deps, load, ctx));
        },
      },
    ],
  };
}

/** Drops a tenant's kept copy: asked for, or at the end of its window. */
export function discardKeptCopyJob(deps: Deps): JobDefinition<KeptCopyInput> {
  const load = archiveLoadSteps<KeptCopyInput>(deps, { scratchOf: scratch, folder: 'restore' });
  return {
    kind: 'tenant.discard-kept-copy',
    target: (input) => `tenant:${input.hostId}/${input.name}`,
    steps: [
      {
        name: 'preflight',
        title: 'Find the tenant',
        onCrash: 'compensate',
        run: async (ctx) => findTenantParts(deps, ctx.input.hostId, ctx.input.name),
      },
      {
        name: 'drop',
        title: 'Drop the kept database and filestore folder',
        onCrash: 'resume',
        async run(ctx) {
          const { database, role } = load.parts(ctx);
          await withAdmin(deps.pool, load.admin(ctx.input.hostId), (c) => dropDatabase(c, previous(database), role));
          await load.filestoreShell(ctx, 'rm -rf "/var/lib/odoo/filestore/.previous-$1"', 'the filestore cleaner');
          await undoStore(deps, ctx.input.hostId).remove(ctx.input.name);
        },
      },
    ],
  };
}
