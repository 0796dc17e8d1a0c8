import { FleetError } from '../../shared/errors.js';
import { archivePublicResult, archiveStep, catalogOutcome, verifyArchiveStep, type ArchiveInput, type ArchiveOutput, type BackupDeps } from '../backup/archive-steps.js';
import { BackupCatalog } from '../backup/catalog.js';
import { archiveLoadSteps } from '../backup/restore-steps.js';
import { drillSteps, type Verdict } from '../backup/verify-job.js';
import type { HostCoordinators } from '../coordination/host-coordinators.js';
import type { JobRunner } from '../jobs/runner.js';
import type { JobDefinition, StepContext, StepDefinition } from '../jobs/types.js';
import type { TenantJobDeps } from '../tenant-parts/job-deps.js';
import { findTenantParts, type TenantParts } from '../tenant-parts/tenant-parts.js';
import { tenantRemovalSteps } from './removal-steps.js';
import { StagingStore } from './staging-store.js';

/** Where the final archive goes (the tenant's backup destinations) and its key, if encrypted. */
export type DecommissionInput = ArchiveInput;

const drillScratch = (db: string) => `${db}__verify`;

/**
 * Decommissioning: stop → final archive in Odoo's format → verify every copy → a restore drill
 * of it (loaded into scratch copies, exact row counts and filestore digest compared) → remove
 * containers, drop database and role, remove volumes and forget the tenant's secrets. Until the
 * drill has passed, a failure or a crash undoes everything (the tenant runs again as before);
 * from then on the job only goes forward, so a crash never leaves a half-removed tenant.
 */
export function decommissionTenantJob(deps: TenantJobDeps & BackupDeps & { jobs: JobRunner; coordinators: HostCoordinators }): JobDefinition<DecommissionInput> {
  const written = (ctx: StepContext<DecommissionInput>) => {
    const archive = ctx.output<ArchiveOutput>('archive');
    if (!archive?.sha256 || !archive.rowCounts || !archive.filestore) throw new FleetError('INTERNAL', 'The archive step recorded no figures.');
    return { ...archive, rowCounts: archive.rowCounts, filestore: archive.filestore };
  };
  const drill = archiveLoadSteps<DecommissionInput>(deps, { scratchOf: drillScratch, folder: 'verify' }, (ctx) => ({ archive: written(ctx).copies[0]!, file: null, sha256: written(ctx).sha256 }));
  // Before the point of no return, every drill step is undone by a failure or a crash.
  const undoable = (step: StepDefinition<DecommissionInput>): StepDefinition<DecommissionInput> => ({ ...step, onCrash: 'compensate', compensate: step.compensate ?? (async (ctx) => void (await step.run(ctx))) });
  const endpoint = (input: DecommissionInput) => deps.hosts.endpoint(input.hostId);
  const parts = (ctx: StepContext<DecommissionInput>) => {
    const found = ctx.output<TenantParts>('preflight');
    if (!found) throw new FleetError('INTERNAL', 'The preflight step recorded no tenant parts.');
    return found;
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
        extra: (ctx) => ({ kind: 'final', backupId: ctx.jobId }),
      }),
      undoable(verifyArchiveStep<DecommissionInput>(deps)),
      drill.scratchDatabase,
      drill.loadDump(),
      drill.stageFilestore,
      ...drillSteps<DecommissionInput>(deps, drill, { scratchOf: drillScratch, folder: 'verify', expected: (ctx) => written(ctx) }).map(undoable),
      {
        // The point of no return: once the archive is proven to restore, removal only goes forward.
        name: 'drill-verdict',
        title: 'The final archive restores to what was recorded',
        onCrash: 'resume',
        async run(ctx) {
          const verdict = ctx.output<Verdict>('compare')!;
          if (!verdict.ok) throw new FleetError('ARCHIVE_INVALID', `The final archive does not restore to what was recorded (${verdict.detail}); the tenant was left running.`);
          return { at: new Date().toISOString(), ...verdict };
        },
      },
      ...tenantRemovalSteps<DecommissionInput>(deps),
      {
        // Best effort: the tenant is gone by now, and its archive and sidecar are on this machine
        // whatever happens here; a host whose catalog cannot be written only logs it.
        name: 'catalog',
        title: "Record the final archive in the host's backup catalog",
        onCrash: 'resume',
        async run(ctx) {
          const coordinator = deps.coordinators.of(ctx.input.hostId);
          if (!coordinator) return { recorded: false };
          // A decommissioned staging clone is not one any more: its record goes with it.
          await new StagingStore(coordinator).remove(ctx.input.name).catch(() => {});
          try {
            const catalog = new BackupCatalog(coordinator);
            await catalog.start({ id: ctx.jobId, tenant: ctx.input.name, database: parts(ctx).database, kind: 'final', consoleId: deps.coordinators.consoleId });
            const drilled = ctx.output<Verdict & { at: string }>('drill-verdict')!;
            await catalog.succeeded(ctx.jobId, {
              ...catalogOutcome(ctx.output<ArchiveOutput>('archive')!, ctx.output<{ members: number; at: string }>('verify')!),
              verification: { at: drilled.at, ok: true, method: 'restore', detail: drilled.detail },
            });
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
