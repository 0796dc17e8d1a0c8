import type { z } from 'zod';
import { FleetError } from '../../shared/errors.js';
import type { AdoptInput, ReconcileReport } from '../../shared/reconcile.js';
import { resolveTenantSpec, TenantSpecInput } from '../../shared/tenants.js';
import type { JobRegistry } from '../jobs/index.js';
import { adoptContainerJob } from './adopt-container-job.js';
import { adoptDatabaseJob } from './adopt-database-job.js';
import { CLEANABLE_KINDS, cleanupJob } from './cleanup-job.js';
import { reconcileHost, type ReconcileDeps } from './reconcile.js';

/** Drift between a host and its labels, and the two ways out: clean up, or adopt. */
export class ReconcileService {
  readonly cleanupJob;
  readonly adoptContainerJob;
  readonly adoptDatabaseJob;

  constructor(private readonly deps: ReconcileDeps) {
    this.cleanupJob = cleanupJob(deps);
    this.adoptContainerJob = adoptContainerJob(deps);
    this.adoptDatabaseJob = adoptDatabaseJob(deps);
  }

  registerJobs(registry: JobRegistry): void {
    registry.register(this.cleanupJob);
    registry.register(this.adoptContainerJob);
    registry.register(this.adoptDatabaseJob);
  }

  report(hostId: string): Promise<ReconcileReport> {
    return reconcileHost(this.deps, hostId);
  }

  /**
   * Cleans up one report item as a job. The host is reconciled again now (and once more inside
   * the job): an item that is gone, or whose fingerprint differs from the one the caller saw, is
   * refused before anything is removed.
   */
  async cleanup(hostId: string, itemId: string, fingerprint: string | undefined, actor: string): Promise<{ jobId: string }> {
    const item = (await this.report(hostId)).items.find((i) => i.id === itemId);
    if (!item) throw new FleetError('NOT_FOUND', `The host's report has no item "${itemId}" (any more). Reconcile again.`, { item: itemId });
    if (fingerprint !== undefined && fingerprint !== item.fingerprint) throw new FleetError('CONFLICT', `"${itemId}" changed since the report: nothing was removed. Reconcile again.`, { item: itemId });
    if (!CLEANABLE_KINDS.includes(item.kind)) throw new FleetError('VALIDATION', `A ${item.kind} item is not cleaned up (${item.actions.join(', ')}).`, { item: itemId });
    return { jobId: this.deps.jobs.runJob(this.cleanupJob, { hostId, item: itemId, fingerprint: item.fingerprint, tenant: item.tenant }, { actor }) };
  }

  adopt(input: z.output<typeof AdoptInput>, actor: string): { jobId: string } {
    this.deps.hosts.get(input.hostId); // NOT_FOUND before a job is journaled
    if (input.kind === 'container') {
      return {
        jobId: this.deps.jobs.runJob(
          this.adoptContainerJob,
          { hostId: input.hostId, name: input.name, container: input.container, domain: input.domain ?? null, database: input.database ?? null },
          { actor },
        ),
      };
    }
    const spec = resolveTenantSpec(
      TenantSpecInput.parse({
        name: input.name,
        hostId: input.hostId,
        odooVersion: input.odooVersion,
        image: input.image,
        tag: input.tag,
        domain: input.domain,
        workers: input.workers,
        ...(input.memoryMb ? { memoryMb: input.memoryMb } : {}),
        ...(input.cpus ? { cpus: input.cpus } : {}),
      }),
    );
    return { jobId: this.deps.jobs.runJob(this.adoptDatabaseJob, { spec: { ...spec, database: input.database, modules: [] } }, { actor }) };
  }
}
