import path from 'node:path';
import { FleetError } from '../../shared/errors.js';
import { archivePublicResult, archiveStep, catalogOutcome, fileStamp, safeSegment, verifyArchiveStep, type ArchiveOutput } from '../backup/archive-steps.js';
import { BackupCatalog } from '../backup/catalog.js';
import type { HostCoordinators } from '../coordination/host-coordinators.js';
import type { JobDefinition, StepContext } from '../jobs/types.js';
import { withPostgres } from '../postgres/pg-over-ssh.js';
import type { TenantJobDeps } from './create-job.js';
import { TENANT_LABEL } from './routing.js';
import { findTenantParts, type TenantParts } from './tenant-parts.js';
import { dropTenantDatabase } from './tenant-database.js';

export interface DecommissionInput {
  hostId: string;
  name: string;
  /** The folder on this machine where the final archive goes (one subfolder per host). */
  archiveDir: string;
}

/** Vault entries a tenant owns, named in its create job's step outputs. */
export type TenantSecretIds = (hostId: string, name: string) => string[];

/**
 * Decommissioning: stop → final archive in Odoo's format → verify it → remove containers, drop
 * database and role, remove volumes and forget the tenant's secrets. Until the archive is
 * verified a failure or a crash undoes everything (the tenant runs again as before); from then
 * on the job only goes forward, so a crash never leaves a half-removed tenant.
 */
export function decommissionTenantJob(deps: TenantJobDeps & { secretIds: TenantSecretIds; coordinators: HostCoordinators }): JobDefinition<DecommissionInput> {
  const endpoint = (input: DecommissionInput) => deps.hosts.endpoint(input.hostId);
  const parts = (ctx: StepContext<DecommissionInput>) => {
    const found = ctx.output<TenantParts>('preflight');
    if (!found) throw new FleetError('INTERNAL', 'The preflight step recorded no tenant parts.');
    return found;
  };
  const admin = (input: DecommissionInput) => {
    const target = deps.hosts.dbTarget(input.hostId);
    if (!target) throw new FleetError('VALIDATION', 'The host has no database server set.');
    return target;
  };

  return {
    kind: 'tenant.decommission',
    target: (input) => `tenant:${input.hostId}/${input.name}`,
    publicResult: archivePublicResult,
    steps: [
      {
        name: 'preflight',
        title: "Find the tenant's container, database, role and volumes",
        onCrash: 'compensate',
        run: async (ctx) => findTenantParts(deps, ctx.input.hostId, ctx.input.name),
      },
      {
        name: 'stop',
        title: 'Stop the Odoo server (a consistent archive)',
        onCrash: 'compensate',
        async run(ctx) {
          const { serverId } = parts(ctx);
          await deps.docker.call(endpoint(ctx.input), async (d) => {
            const server = d.getContainer(serverId);
            if ((await server.inspect()).State.Running) await server.stop({ t: 20 });
          }, 60_000);
        },
        async compensate(ctx) {
          const found = ctx.output<TenantParts>('preflight');
          if (!found?.wasRunning) return;
          await deps.docker.call(endpoint(ctx.input), async (d) => {
            const server = d.getContainer(found.serverId);
            if (!(await server.inspect()).State.Running) await server.start();
          });
        },
      },
      archiveStep<DecommissionInput>(deps, {
        title: "Write the final archive (Odoo's backup zip)",
        partsStep: 'preflight',
        file: (ctx, hostName) => path.join(ctx.input.archiveDir, safeSegment(hostName), `${ctx.input.name}-${fileStamp()}-final.zip`),
        extra: () => ({ kind: 'final' }),
      }),
      // The point of no return: once the archive is proven readable, removal only goes forward.
      verifyArchiveStep<DecommissionInput>(),
      {
        name: 'remove-containers',
        title: "Remove the tenant's containers",
        onCrash: 'resume',
        async run(ctx) {
          await deps.docker.call(endpoint(ctx.input), async (d) => {
            const all = await d.listContainers({ all: true, filters: { label: [`${TENANT_LABEL}=${ctx.input.name}`] } });
            for (const c of all) {
              try {
                await d.getContainer(c.Id).remove({ force: true, v: true });
              } catch (error) {
                if ((error as { statusCode?: number }).statusCode !== 404) throw error;
              }
            }
          }, 120_000);
        },
      },
      {
        name: 'drop-database',
        title: 'Drop the database and its role',
        onCrash: 'resume',
        async run(ctx) {
          const { database, role } = parts(ctx);
          try {
            await withPostgres(deps.pool, admin(ctx.input), (client) => dropTenantDatabase(client, { database, role }));
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
            for (const name of new Set([dataVolume, ...(secretsVolume ? [secretsVolume] : []), ...labelled])) {
              try {
                await d.getVolume(name).remove({ force: true });
              } catch (error) {
                if ((error as { statusCode?: number }).statusCode !== 404) throw error;
              }
            }
          }, 120_000);
        },
      },
      {
        name: 'forget-secrets',
        title: "Forget the tenant's stored passwords",
        onCrash: 'resume',
        async run(ctx) {
          const ids = deps.secretIds(ctx.input.hostId, ctx.input.name);
          for (const id of ids) deps.vault.remove(id);
          return { forgotten: ids.length };
        },
      },
      {
        // Best effort: the tenant is gone by now, and its archive and sidecar are on this machine
        // whatever happens here; a host whose catalog cannot be written only logs it.
        name: 'catalog',
        title: "Record the final archive in the host's backup catalog",
        onCrash: 'resume',
        async run(ctx) {
          const coordinator = deps.coordinators.of(ctx.input.hostId);
          if (!coordinator) return { recorded: false };
          try {
            const catalog = new BackupCatalog(coordinator);
            await catalog.start({ id: ctx.jobId, tenant: ctx.input.name, database: parts(ctx).database, kind: 'final', consoleId: deps.coordinators.consoleId });
            await catalog.succeeded(ctx.jobId, catalogOutcome(ctx.output<ArchiveOutput>('archive')!, ctx.output<{ members: number; at: string }>('verify')!));
            return { recorded: true };
          } catch (error) {
            ctx.log.warn('could not record the final archive in the host catalog', { error: (error as Error).message });
            return { recorded: false };
          }
        },
      },
    ],
  };
}
