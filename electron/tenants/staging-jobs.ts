import type { ArchiveCopy } from '../../shared/backups.js';
import { FleetError } from '../../shared/errors.js';
import type { TenantSpec } from '../../shared/tenants.js';
import type { RestoreInput } from '../backup/restore-job.js';
import type { HostCoordinators } from '../coordination/host-coordinators.js';
import { STAGING_LABEL, TENANT_LABEL, roleFilter } from '../docker/labels.js';
import { runChildJob } from '../jobs/child-jobs.js';
import type { JobRunner } from '../jobs/runner.js';
import type { JobDefinition } from '../jobs/types.js';
import type { TenantJobDeps } from '../tenant-parts/job-deps.js';
import { findTenantParts } from '../tenant-parts/tenant-parts.js';
import type { CreateTenantInput } from './create-job.js';
import { tenantRemovalSteps } from './removal-steps.js';
import { StagingStore } from './staging-store.js';

export interface CloneInput {
  hostId: string;
  /** The tenant cloned. */
  source: string;
  /** The staging tenant made. */
  name: string;
  spec: TenantSpec;
  backupId: string;
  archive: ArchiveCopy;
  sha256: string;
  expiresAt: string;
}

export interface RemoveStagingInput {
  hostId: string;
  name: string;
}

export interface StagingJobDeps extends TenantJobDeps {
  coordinators: HostCoordinators;
  jobs: JobRunner;
}

export function stagingStore(deps: Pick<StagingJobDeps, 'coordinators'>, hostId: string): StagingStore {
  const coordinator = deps.coordinators.of(hostId);
  if (!coordinator) throw new FleetError('VALIDATION', 'The host has no database server set: staging clones are recorded there.');
  return new StagingStore(coordinator);
}

/**
 * Removing a staging clone: everything it owns, then its record. Refused for any tenant not
 * recorded as a staging clone, so it can never take a production tenant with it.
 */
export function removeStagingJob(deps: StagingJobDeps): JobDefinition<RemoveStagingInput> {
  return {
    kind: 'tenant.remove-staging',
    target: (input) => `tenant:${input.hostId}/${input.name}`,
    steps: [
      {
        name: 'preflight',
        title: 'Check that it is a staging clone, and find its parts',
        onCrash: 'compensate',
        async run(ctx) {
          const store = stagingStore(deps, ctx.input.hostId);
          const clone = await store.get(ctx.input.name);
          if (!clone) throw new FleetError('VALIDATION', `${ctx.input.name} is not a staging clone: only clones are removed this way (decommission a tenant instead).`);
          // Only the tenant the clone job made — its server carries that job's id. Anything else
          // of that name (a tenant made later, the record left behind) is never touched.
          const servers = await deps.docker.call(deps.hosts.endpoint(ctx.input.hostId), (d) => d.listContainers({ all: true, filters: { label: [`${TENANT_LABEL}=${ctx.input.name}`, roleFilter('server')] } }));
          const made = servers.find((s) => clone.cloneJobId !== null && s.Labels?.[STAGING_LABEL] === clone.cloneJobId);
          if (!made) {
            await store.remove(ctx.input.name);
            if (servers.length) throw new FleetError('CONFLICT', `${ctx.input.name} is not the staging clone that was recorded (a tenant of that name was made since): it is left alone and the stale record forgotten.`);
            throw new FleetError('NOT_FOUND', `No staging clone ${ctx.input.name} is left on the host (its creation was undone): its record is forgotten.`);
          }
          return await findTenantParts(deps, ctx.input.hostId, ctx.input.name);
        },
      },
      ...tenantRemovalSteps<RemoveStagingInput>(deps),
      {
        name: 'forget',
        title: 'Forget the staging record',
        onCrash: 'resume',
        async run(ctx) {
          await stagingStore(deps, ctx.input.hostId).remove(ctx.input.name);
        },
      },
    ],
  };
}

/**
 * A staging clone of a tenant: recorded with its expiry first (so an interrupted clone is
 * still cleaned up), a new tenant of the same image, then the backup restored into it as a
 * neutralized copy (new database identity, crons and mail off). A failure removes the clone.
 */
export function cloneJob(deps: StagingJobDeps, children: { create: JobDefinition<CreateTenantInput>; restore: JobDefinition<RestoreInput>; remove: JobDefinition<RemoveStagingInput> }): JobDefinition<CloneInput> {
  return {
    kind: 'tenant.clone',
    target: (input) => `staging:${input.hostId}/${input.name}`,
    publicResult: (output) => ({ clone: (output('record') as { name?: string } | undefined)?.name ?? null }),
    steps: [
      {
        name: 'record',
        title: 'Record the staging clone and when it expires',
        onCrash: 'compensate',
        async run(ctx) {
          const { hostId, name, source, backupId, spec, expiresAt } = ctx.input;
          // Never record a name that is taken: its removal would take someone's tenant with it.
          const taken = await findTenantParts(deps, hostId, name).then(
            () => true,
            (error: unknown) => {
              if (error instanceof FleetError && error.code === 'NOT_FOUND') return false;
              throw error;
            },
          );
          if (taken && ctx.attempt === 1) throw new FleetError('CONFLICT', `A tenant named "${name}" exists on this host: choose another name for the clone.`, { field: 'name' });
          await stagingStore(deps, hostId).add({ tenant: name, source, backupId, database: spec.database, role: spec.role, expiresAt, createdBy: ctx.actor, cloneJobId: ctx.jobId });
          return { name };
        },
        async compensate(ctx) {
          await stagingStore(deps, ctx.input.hostId).remove(ctx.input.name);
        },
      },
      {
        name: 'create',
        title: 'Create the staging tenant (same image)',
        onCrash: 'compensate',
        async run(ctx) {
          await runChildJob(ctx, deps.jobs, children.create, { spec: ctx.input.spec, labels: { [STAGING_LABEL]: ctx.jobId } });
        },
        async compensate(ctx) {
          // Only a tenant this job's create child made is removed: a create that failed undid itself.
          const childJobId = ctx.output<{ childJobId?: string }>('create')?.childJobId;
          const runner = deps.jobs;
          if (!childJobId || (await runner.wait(childJobId)).state !== 'succeeded') return;
          const target = children.remove.target({ hostId: ctx.input.hostId, name: ctx.input.name });
          const running = runner.listJobs({ target, kind: children.remove.kind, state: ['queued', 'running', 'compensating'], limit: 1 })[0];
          const jobId = running?.id ?? runner.runJob(children.remove, { hostId: ctx.input.hostId, name: ctx.input.name }, { actor: ctx.actor });
          const removed = await runner.wait(jobId);
          if (removed.state !== 'succeeded') throw new FleetError('COMMAND_FAILED', `Removing the half-made clone failed: ${removed.error?.message ?? removed.state}`);
        },
      },
      {
        name: 'restore',
        title: 'Restore the backup into it as a neutralized copy',
        onCrash: 'compensate',
        async run(ctx) {
          const { hostId, name, archive, sha256 } = ctx.input;
          await runChildJob(ctx, deps.jobs, children.restore, { hostId, name, archive, file: null, sha256, copy: true, neutralize: true });
        },
      },
    ],
  };
}
