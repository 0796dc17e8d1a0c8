import crypto from 'node:crypto';
import { FleetError } from '../../shared/errors.js';
import { splitImage, TenantName } from '../../shared/tenants.js';
import type { BackupService } from '../backup/backup-service.js';
import { BackupCatalog } from '../backup/catalog.js';
import type { JobRegistry } from '../jobs/index.js';
import type { StagingJobDeps } from './staging-jobs.js';
import type { StagingService } from './staging-service.js';
import type { TenantService } from './tenant-service.js';
import { updateJob } from './update-job.js';

/** Safe updates of a tenant's image tag or modules (backup, trial on a clone, apply, revert on failure). */
export class UpdateService {
  readonly job;

  constructor(private readonly deps: StagingJobDeps & { tenants: TenantService; backups: BackupService; staging: StagingService }) {
    this.job = updateJob(
      {
        ...deps,
        prepareClone: (input) => deps.staging.prepareClone(input),
        reachableCopy: async (hostId, backupId) => {
          const entry = await BackupCatalog.of(deps.coordinators, hostId).get(backupId);
          if (!entry?.sha256) throw new FleetError('NOT_FOUND', `Backup ${backupId} is not in the host's catalog.`);
          return { archive: deps.backups.reachableCopy(entry), sha256: entry.sha256 };
        },
      },
      { backup: deps.backups.job, clone: deps.staging.cloneJob, removeStaging: deps.staging.removeJob, restore: deps.backups.restoreJob },
    );
  }

  registerJobs(registry: JobRegistry): void {
    registry.register(this.job);
  }

  async update(input: { hostId: string; name: string; tag?: string | undefined; modules?: string[] | undefined; trial: boolean; healthTimeoutSeconds: number }, actor: string): Promise<{ jobId: string }> {
    const detail = await this.deps.tenants.show(input.hostId, input.name);
    const fromImage = detail.image.includes(':') ? detail.image : `${detail.image}:${detail.tag}`;
    const toImage = input.tag ? `${splitImage(fromImage)[0]}:${input.tag}` : fromImage;
    if (toImage === fromImage && !input.modules) throw new FleetError('VALIDATION', `${input.name} already runs ${fromImage}: name another tag or modules to update.`, { field: 'tag' });
    // The image must be on the host already: no registry is assumed reachable from it.
    const present = await this.deps.docker.call(this.deps.hosts.endpoint(input.hostId), (d) => d.getImage(toImage).inspect().then(() => true, () => false));
    if (!present) throw new FleetError('VALIDATION', `The image ${toImage} is not on the host; pull or load it there first.`, { field: 'tag' });
    const trialName = TenantName.parse(`${input.name}-trial`.slice(0, 63));
    if (input.trial && (await this.deps.tenants.list(input.hostId)).some((t) => t.name === trialName)) {
      throw new FleetError('CONFLICT', `A tenant named ${trialName} exists: remove it (an earlier trial?) before updating.`);
    }
    const targets = await this.deps.backups.archiveTargets(input.hostId, input.name);
    return {
      jobId: this.deps.jobs.runJob(
        this.job,
        { hostId: input.hostId, name: input.name, fromImage, toImage, modules: input.modules ?? null, trial: input.trial, trialName, backupId: crypto.randomUUID(), healthTimeoutSeconds: input.healthTimeoutSeconds, ...targets },
        { actor },
      ),
    };
  }
}
