import { FleetError } from '../../shared/errors.js';
import { dropKeptDatabase } from '../backup/restore-job.js';
import { UndoStore } from '../backup/undo-store.js';
import type { HostCoordinators } from '../coordination/host-coordinators.js';
import { TENANT_LABEL } from '../docker/labels.js';
import type { JobRunner } from '../jobs/runner.js';
import type { StepContext, StepDefinition } from '../jobs/types.js';
import { withAdmin } from '../postgres/admin-session.js';
import { forgetNames, removeTenantRoutes } from '../proxy/tenant-routes.js';
import { removeContainerIfPresent, removeVolumeIfPresent } from '../tenant-parts/containers.js';
import type { TenantJobDeps } from '../tenant-parts/job-deps.js';
import { removeTenantNetwork } from '../tenant-parts/tenant-network.js';
import type { TenantParts } from '../tenant-parts/tenant-parts.js';
import { dropTenantDatabase } from './tenant-database.js';

/** Journal kinds whose step outputs name the vault entries they stored for a tenant. */
const SECRET_STORING_KINDS = ['tenant.create', 'tenant.adopt-database'];

/** The vault entries this console stored for the tenant (named in its create and database-adoption jobs' outputs). */
export function tenantSecretIds(jobs: JobRunner, hostId: string, name: string): string[] {
  const ids = new Set<string>();
  const found = SECRET_STORING_KINDS.flatMap((kind) => jobs.listJobs({ target: `tenant:${hostId}/${name}`, kind, limit: 500 }));
  for (const summary of found) {
    for (const step of jobs.getJob(summary.id)?.steps ?? []) {
      const output = step.output;
      if (!output || typeof output !== 'object' || Array.isArray(output)) continue;
      for (const [key, value] of Object.entries(output)) if (/Id$/.test(key) && typeof value === 'string') ids.add(value);
    }
  }
  return [...ids];
}

interface TenantInput {
  hostId: string;
  name: string;
}

/**
 * Removing everything a tenant owns, once nothing is to be kept: its containers, database and
 * role, volumes, network and stored secrets (parts found by a step named `preflight`). Every step goes
 * only forward: a crash never leaves a half-removed tenant.
 */
export function tenantRemovalSteps<I extends TenantInput>(deps: TenantJobDeps & { jobs: JobRunner; coordinators?: HostCoordinators }): StepDefinition<I>[] {
  const endpoint = (input: I) => deps.hosts.endpoint(input.hostId);
  const parts = (ctx: StepContext<I>) => {
    const found = ctx.output<TenantParts>('preflight');
    if (!found) throw new FleetError('INTERNAL', 'The preflight step recorded no tenant parts.');
    return found;
  };
  const admin = (input: I) => {
    const target = deps.hosts.dbTarget(input.hostId);
    if (!target) throw new FleetError('VALIDATION', 'The host has no database server set.');
    return target;
  };
  return [
    {
      name: 'remove-routes',
      title: "Remove the tenant's routes from the proxy",
      onCrash: 'resume',
      async run(ctx) {
        await removeTenantRoutes(deps, ctx.input.hostId, ctx.input.name);
        await forgetNames(deps, ctx.input.hostId, ctx.input.name);
      },
    },
    {
      name: 'remove-containers',
      title: "Remove the tenant's containers",
      onCrash: 'resume',
      async run(ctx) {
        await deps.docker.call(endpoint(ctx.input), async (d) => {
          const all = await d.listContainers({ all: true, filters: { label: [`${TENANT_LABEL}=${ctx.input.name}`] } });
          for (const c of all) await removeContainerIfPresent(d, c.Id);
        }, 120_000);
      },
    },
    {
      // A restore's kept copy is owned by the tenant's role: it goes first, or the role could not.
      name: 'drop-kept-copy',
      title: 'Drop the data a restore kept for its undo window',
      onCrash: 'resume',
      async run(ctx) {
        const { database, role } = parts(ctx);
        await withAdmin(deps.pool, admin(ctx.input), (client) => dropKeptDatabase(client, database, role));
        const coordinator = deps.coordinators?.of(ctx.input.hostId);
        if (coordinator) await new UndoStore(coordinator).remove(ctx.input.name);
      },
    },
    {
      name: 'drop-database',
      title: 'Drop the database and its role',
      onCrash: 'resume',
      async run(ctx) {
        const { database, role } = parts(ctx);
        try {
          await withAdmin(deps.pool, admin(ctx.input), (client) => dropTenantDatabase(client, { database, role }));
        } catch (error) {
          // An adopted tenant's role may own things elsewhere (another database): PostgreSQL
          // refuses to drop it. The tenant's database is gone; the role stays, and the job says so.
          if ((error as { code?: string }).code !== '2BP01') throw error;
          ctx.log.warn('the role owns objects elsewhere and was kept', { role });
          return { roleKept: `${role} owns objects outside the tenant's database and was kept: ${(error as Error).message}` };
        }
      },
    },
    {
      name: 'remove-volumes',
      title: 'Remove the filestore and secrets volumes',
      onCrash: 'resume',
      async run(ctx) {
        const { dataVolume, secretsVolume } = parts(ctx);
        await deps.docker.call(endpoint(ctx.input), async (d) => {
          const labelled = ((await d.listVolumes({ filters: { label: [`${TENANT_LABEL}=${ctx.input.name}`] } })).Volumes ?? []).map((v) => v.Name);
          for (const name of new Set([dataVolume, ...(secretsVolume ? [secretsVolume] : []), ...labelled])) await removeVolumeIfPresent(d, name);
        }, 120_000);
      },
    },
    {
      name: 'remove-network',
      title: "Remove the tenant's network",
      onCrash: 'resume',
      async run(ctx) {
        await removeTenantNetwork(deps, ctx.input.hostId, ctx.input.name);
      },
    },
    {
      name: 'forget-secrets',
      title: "Forget the tenant's stored passwords",
      onCrash: 'resume',
      async run(ctx) {
        const ids = tenantSecretIds(deps.jobs, ctx.input.hostId, ctx.input.name);
        for (const id of ids) deps.vault.remove(id);
        return { forgotten: ids.length };
      },
    },
  ];
}
