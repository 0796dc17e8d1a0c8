import crypto from 'node:crypto';
import type { BackupEntry } from '../../shared/backups.js';
import { FleetError } from '../../shared/errors.js';
import type { HostCoordinators } from '../coordination/host-coordinators.js';
import type { JobRegistry, JobRunner } from '../jobs/index.js';
import { findTenantParts } from '../tenants/tenant-parts.js';
import { backupJob } from './backup-job.js';
import { BackupCatalog } from './catalog.js';
import type { ArchiveDeps } from './tenant-archive.js';

/** Backups of tenants: taken as jobs, catalogued in each host's `fleet` database. */
export class BackupService {
  readonly job;

  constructor(private readonly deps: ArchiveDeps & { coordinators: HostCoordinators; jobs: () => JobRunner; /** Where local archives go. */ dir: string }) {
    this.job = backupJob(deps);
  }

  registerJobs(registry: JobRegistry): void {
    registry.register(this.job);
  }

  async create(hostId: string, name: string, actor: string): Promise<{ jobId: string; backupId: string }> {
    await findTenantParts(this.deps, hostId, name); // NOT_FOUND before a job is journaled
    const backupId = crypto.randomUUID();
    return { jobId: this.deps.jobs().runJob(this.job, { hostId, name, backupId, dir: this.deps.dir }, { actor }), backupId };
  }

  async list(hostId: string, tenant?: string, limit = 200): Promise<BackupEntry[]> {
    const coordinator = this.deps.coordinators.of(hostId);
    if (!coordinator) throw new FleetError('VALIDATION', 'The host has no database server set: backups are catalogued there.');
    return new BackupCatalog(coordinator).list({ ...(tenant ? { tenant } : {}), limit });
  }
}
