import type { HostCoordinators } from '../coordination/host-coordinators.js';
import type { JobDefinition } from '../jobs/types.js';
import { findTenantParts, type TenantParts } from '../tenant-parts/tenant-parts.js';
import { archivePublicResult, archiveStep, catalogOutcome, verifyArchiveStep, type ArchiveInput, type ArchiveOutput, type BackupDeps } from './archive-steps.js';
import { BackupCatalog } from './catalog.js';

export interface BackupInput extends ArchiveInput {
  /** The catalog id, chosen when the job is asked for (the archive's sidecar names it too). */
  backupId: string;
}

/**
 * A backup of a running tenant: catalog entry (running) → Odoo archive (database in one
 * snapshot with its exact row counts, filestore with its digest) → verify → catalog entry
 * (succeeded, with every figure). A failure or a killed console removes the files and leaves the
 * catalog entry marked failed: nothing that looks like a valid backup.
 */
export function backupJob(deps: BackupDeps & { coordinators: HostCoordinators }): JobDefinition<BackupInput> {
  const catalog = (hostId: string) => BackupCatalog.of(deps.coordinators, hostId);
  return {
    kind: 'tenant.backup',
    target: (input) => `tenant:${input.hostId}/${input.name}`,
    publicResult: archivePublicResult,
    steps: [
      {
        name: 'preflight',
        title: 'Find the tenant and open its catalog entry',
        onCrash: 'compensate',
        async run(ctx) {
          const parts = await findTenantParts(deps, ctx.input.hostId, ctx.input.name);
          await catalog(ctx.input.hostId).start({ id: ctx.input.backupId, tenant: ctx.input.name, database: parts.database, kind: 'backup', consoleId: deps.coordinators.consoleId });
          return parts;
        },
        async compensate(ctx) {
          if (!ctx.output<TenantParts>('preflight')) return;
          await catalog(ctx.input.hostId).failed(ctx.input.backupId, `The backup failed or was interrupted (job ${ctx.jobId}); its files were removed.`);
        },
      },
      archiveStep<BackupInput>(deps, {
        title: "Write the archive (Odoo's backup zip)",
        partsStep: 'preflight',
        extra: (ctx) => ({ kind: 'backup', backupId: ctx.input.backupId }),
      }),
      { ...verifyArchiveStep<BackupInput>(deps), onCrash: 'compensate' },
      {
        name: 'catalog',
        title: 'Record the verified backup in the host’s catalog',
        onCrash: 'resume',
        async run(ctx) {
          await catalog(ctx.input.hostId).succeeded(ctx.input.backupId, catalogOutcome(ctx.output<ArchiveOutput>('archive')!, ctx.output<{ members: number; at: string }>('verify')!));
        },
      },
    ],
  };
}
