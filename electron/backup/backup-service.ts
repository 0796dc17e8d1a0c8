import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BackupEntry } from '../../shared/backups.js';
import { FleetError } from '../../shared/errors.js';
import { insideFolder } from '../common/paths.js';
import type { HostCoordinators } from '../coordination/host-coordinators.js';
import type { JobRegistry, JobRunner } from '../jobs/index.js';
import { findTenantParts } from '../tenants/tenant-parts.js';
import { backupJob } from './backup-job.js';
import { BackupCatalog } from './catalog.js';
import { restoreJob } from './restore-job.js';
import { verifyJob } from './verify-job.js';
import type { ArchiveDeps } from './tenant-archive.js';

/** Backups of tenants: taken as jobs, catalogued in each host's `fleet` database. */
export class BackupService {
  readonly job;
  readonly restoreJob;
  readonly verifyJob;

  constructor(private readonly deps: ArchiveDeps & { coordinators: HostCoordinators; jobs: () => JobRunner; /** Where local archives go. */ dir: string }) {
    this.job = backupJob(deps);
    this.restoreJob = restoreJob(deps);
    this.verifyJob = verifyJob(deps);
  }

  registerJobs(registry: JobRegistry): void {
    registry.register(this.job);
    registry.register(this.restoreJob);
    registry.register(this.verifyJob);
  }

  /** A restore drill of a catalogued backup into scratch copies; the verdict goes into the catalog. */
  async verify(hostId: string, name: string, backupId: string, actor: string): Promise<{ jobId: string }> {
    const entry = (await this.list(hostId, name, 1000)).find((b) => b.id === backupId);
    if (!entry) throw new FleetError('NOT_FOUND', `No backup ${backupId} of ${name} in the host's catalog.`);
    if (entry.state !== 'succeeded' || !entry.sha256 || !entry.rowCounts || !entry.filestore) throw new FleetError('CONFLICT', `Backup ${backupId} is ${entry.state} or lacks its recorded figures: there is nothing to verify against.`);
    const local = this.localCopy(entry);
    if (!local) throw new FleetError('NOT_FOUND', `Backup ${backupId} has no copy on this machine.`);
    await findTenantParts(this.deps, hostId, name);
    return {
      jobId: this.deps.jobs().runJob(this.verifyJob, { hostId, name, archivePath: local.path, sha256: entry.sha256, backupId, expected: { rowCounts: entry.rowCounts, filestore: entry.filestore } }, { actor }),
    };
  }

  /**
   * Restores a tenant from a catalogued backup whose archive is on this machine, or from an
   * Odoo backup zip given by path (the CLI only: a path is the operator's own file).
   */
  async restore(hostId: string, name: string, source: { backupId?: string | undefined; file?: string | undefined }, options: { copy: boolean; neutralize: boolean }, actor: string): Promise<{ jobId: string }> {
    await findTenantParts(this.deps, hostId, name); // NOT_FOUND before a job is journaled
    let archivePath: string;
    let sha256: string | null = null;
    if (source.backupId) {
      const entry = (await this.list(hostId, name, 1000)).find((b) => b.id === source.backupId);
      if (!entry) throw new FleetError('NOT_FOUND', `No backup ${source.backupId} of ${name} in the host's catalog.`);
      if (entry.state !== 'succeeded' || !entry.sha256) throw new FleetError('CONFLICT', `Backup ${source.backupId} is ${entry.state}: only a complete, verified backup can be restored.`);
      const local = this.localCopy(entry);
      if (!local) throw new FleetError('NOT_FOUND', `Backup ${source.backupId} has no copy on this machine (${entry.destinations.map((d) => d.path).join(', ') || 'no destinations'}).`);
      archivePath = local.path;
      sha256 = entry.sha256;
    } else if (source.file) {
      archivePath = path.resolve(source.file);
      if (!fs.existsSync(archivePath)) throw new FleetError('NOT_FOUND', `No file ${archivePath}.`);
    } else {
      throw new FleetError('VALIDATION', 'Name a backup or an archive file to restore.');
    }
    return { jobId: this.deps.jobs().runJob(this.restoreJob, { hostId, name, archivePath, sha256, ...options }, { actor }) };
  }

  async create(hostId: string, name: string, actor: string): Promise<{ jobId: string; backupId: string }> {
    await findTenantParts(this.deps, hostId, name); // NOT_FOUND before a job is journaled
    const backupId = crypto.randomUUID();
    return { jobId: this.deps.jobs().runJob(this.job, { hostId, name, backupId, dir: this.deps.dir }, { actor }), backupId };
  }

  /** The backup's copy in this console's own folder: a path from the shared catalog is trusted nowhere else. */
  private localCopy(entry: BackupEntry) {
    return entry.destinations.find((d) => d.kind === 'local' && insideFolder(d.path, this.deps.dir) && fs.existsSync(d.path));
  }

  async list(hostId: string, tenant?: string, limit = 200): Promise<BackupEntry[]> {
    return BackupCatalog.of(this.deps.coordinators, hostId).list({ ...(tenant ? { tenant } : {}), limit });
  }
}
