import { FleetError } from '../../shared/errors.js';
import type { ReconcileItem } from '../../shared/reconcile.js';
import type { JobDefinition, Json, StepContext } from '../jobs/types.js';
import { withAdmin } from '../postgres/admin-session.js';
import { removeContainerIfPresent, removeEachPresent, removeVolumeIfPresent } from '../tenant-parts/containers.js';
import { removeTenantNetwork } from '../tenant-parts/tenant-network.js';
import { tenantSecretIds } from './removal-steps.js';
import { reconcileHost, type ReconcileDeps } from './reconcile.js';

export interface CleanupInput {
  hostId: string;
  /** The report item's id and the fingerprint it had when the cleanup was asked for. */
  item: string;
  fingerprint: string;
  /** The tenant it concerns (the job's lock), if any. */
  tenant: string | null;
}

/** What the re-check found and the removal steps remove: names and ids only. */
interface CleanupPlan {
  [key: string]: Json;
  kind: string;
  containers: string[];
  volumes: string[];
  database: string | null;
  role: string | null;
  forgetSecrets: boolean;
  /** The tenant whose network goes too: the item is the tenant's remains, or the network itself. */
  networkOf: string | null;
}

export const CLEANABLE_KINDS: readonly ReconcileItem['kind'][] = ['server-missing', 'database-missing', 'orphan-helper', 'orphan-network'];

/** The job's target: the tenant's, so it never runs beside another job on that tenant. */
export function cleanupTarget(input: { hostId: string; item: string; tenant: string | null }): string {
  return input.tenant ? `tenant:${input.hostId}/${input.tenant}` : `reconcile:${input.hostId}/${input.item}`;
}

/**
 * Removes exactly what a reconcile report item names. The first step reconciles the host again
 * and refuses when the item is gone or its fingerprint changed (a server came back, a helper
 * started running, a database reappeared); from then on removal only goes forward.
 */
export function cleanupJob(deps: ReconcileDeps): JobDefinition<CleanupInput> {
  const plan = (ctx: StepContext<CleanupInput>) => {
    const found = ctx.output<CleanupPlan>('recheck');
    if (!found) throw new FleetError('INTERNAL', 'The re-check recorded no plan.');
    return found;
  };
  return {
    kind: 'tenant.cleanup',
    target: cleanupTarget,
    steps: [
      {
        name: 'recheck',
        title: 'Check the host again: remove only what the report named, unchanged',
        onCrash: 'compensate',
        async run(ctx) {
          const { input } = ctx;
          const report = await reconcileHost(deps, input.hostId, { ignoreJobId: ctx.jobId });
          const item = report.items.find((i) => i.id === input.item);
          if (!item) throw new FleetError('CONFLICT', `The host no longer shows "${input.item}": nothing was removed. Reconcile again.`, { item: input.item });
          if (item.fingerprint !== input.fingerprint) throw new FleetError('CONFLICT', `"${input.item}" changed since the report: nothing was removed. Reconcile again.`, { item: input.item });
          if (!CLEANABLE_KINDS.includes(item.kind)) throw new FleetError('VALIDATION', `A ${item.kind} item is not cleaned up (${item.actions.join(', ')}).`, { item: input.item });
          const tenantRemains = item.kind === 'server-missing' || item.kind === 'database-missing';
          return {
            kind: item.kind,
            containers: item.containers.map((c) => c.id),
            volumes: item.volumes,
            database: item.kind === 'server-missing' && item.databaseExists ? item.database : null,
            role: tenantRemains ? item.role : null,
            forgetSecrets: tenantRemains && item.tenant !== null,
            networkOf: (tenantRemains || item.kind === 'orphan-network') && item.tenant !== null ? item.tenant : null,
          } satisfies CleanupPlan;
        },
      },
      {
        name: 'remove-containers',
        title: 'Remove the containers',
        onCrash: 'resume',
        async run(ctx) {
          await removeEachPresent(deps, ctx.input.hostId, plan(ctx).containers, removeContainerIfPresent);
        },
      },
      {
        name: 'drop-database',
        title: 'Drop the database and its role',
        onCrash: 'resume',
        async run(ctx) {
          const { database, role } = plan(ctx);
          if (!database && !role) return;
          const admin = deps.hosts.dbTarget(ctx.input.hostId);
          if (!admin) throw new FleetError('VALIDATION', 'The host has no database server set.');
          await withAdmin(deps.pool, admin, async (client) => {
            if (database) {
              await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
              await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(database)}`);
            }
            if (role) await client.query(`DROP ROLE IF EXISTS ${client.escapeIdentifier(role)}`);
          });
        },
      },
      {
        name: 'remove-volumes',
        title: 'Remove the volumes',
        onCrash: 'resume',
        async run(ctx) {
          await removeEachPresent(deps, ctx.input.hostId, plan(ctx).volumes, removeVolumeIfPresent);
        },
      },
      {
        name: 'remove-network',
        title: "Remove the tenant's network",
        onCrash: 'resume',
        async run(ctx) {
          const { networkOf } = plan(ctx);
          if (networkOf) await removeTenantNetwork(deps, ctx.input.hostId, networkOf);
        },
      },
      {
        name: 'forget-secrets',
        title: "Forget the tenant's stored passwords",
        onCrash: 'resume',
        async run(ctx) {
          const { forgetSecrets } = plan(ctx);
          if (!forgetSecrets || !ctx.input.tenant) return { forgotten: 0 };
          const ids = tenantSecretIds(deps.jobs, ctx.input.hostId, ctx.input.tenant);
          for (const id of ids) deps.vault.remove(id);
          return { forgotten: ids.length };
        },
      },
    ],
  };
}
