import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ArchiveCopy, BackupEntry, DestinationSpec } from '../../shared/backups.js';
import { FleetError } from '../../shared/errors.js';
import type { HostCoordinators } from '../coordination/host-coordinators.js';
import type { JobRegistry, JobRunner } from '../jobs/index.js';
import { UNFINISHED_JOB_STATES } from '../jobs/types.js';
import { findTenantParts } from '../tenant-parts/tenant-parts.js';
import { reachableHere, storeFor } from './archive-stores.js';
import type { BackupDeps } from './archive-steps.js';
import { backupJob } from './backup-job.js';
import type { BackupKeys } from './backup-keys.js';
import { BackupCatalog } from './catalog.js';
import { rebuildCatalog } from './catalog-rebuild.js';
import { undoWindowHours } from './kept-copy.js';
import { restoreJob } from './restore-job.js';
import { ScheduleStore } from './schedule-store.js';
import { discardKeptCopyJob, undoRestoreJob } from './undo-restore-job.js';
import { UndoStore, type KeptCopy } from './undo-store.js';
import { verifyJob } from './verify-job.js';

/** Where a tenant's archives go and the key that encrypts them. */
export interface ArchiveTargets {
  destinations: DestinationSpec[];
  keyId: string | null;
}

/** Backups of tenants: taken as jobs, catalogued in each host's `fleet` database. */
export class BackupService {
  readonly job;
  readonly restoreJob;
  readonly verifyJob;
  readonly undoRestoreJob;
  readonly discardKeptCopyJob;

  constructor(private readonly deps: BackupDeps & { coordinators: HostCoordinators; jobs: JobRunner; keys: BackupKeys }) {
    this.job = backupJob(deps);
    this.restoreJob = restoreJob(deps);
    this.verifyJob = verifyJob(deps);
    this.undoRestoreJob = undoRestoreJob(deps);
    this.discardKeptCopyJob = discardKeptCopyJob(deps);
  }

  registerJobs(registry: JobRegistry): void {
    for (const job of [this.job, this.restoreJob, this.verifyJob, this.undoRestoreJob, this.discardKeptCopyJob]) registry.register(job as never);
  }

  /**
   * Where a tenant's archives go unless the caller says: its policy's destinations and key, or
   * this console's own folder, unencrypted.
   */
  async archiveTargets(hostId: string, name: string): Promise<ArchiveTargets> {
    const coordinator = this.deps.coordinators.of(hostId);
    const policy = coordinator ? (await new ScheduleStore(coordinator).list()).find((p) => p.tenant === name) : undefined;
    return policy ? { destinations: policy.destinations, keyId: policy.keyId } : { destinations: [{ kind: 'local' }], keyId: null };
  }

  /** A key name as the id the archives record (NOT_FOUND names the keys there are). */
  keyIdOf(keyName: string | null | undefined): string | null {
    if (!keyName) return null;
    const key = this.deps.keys.byName(keyName);
    if (!key) throw new FleetError('NOT_FOUND', `No backup key named "${keyName}" in this console (${this.deps.keys.list().map((k) => k.name).join(', ') || 'none yet: create or import one'}).`, { field: 'key' });
    return key.id;
  }

  /** Checks destinations before a job is journaled: folders are plain and absolute, SFTP hosts known. */
  checkDestinations(hostId: string, destinations: readonly DestinationSpec[]): void {
    if (destinations.length === 0) throw new FleetError('VALIDATION', 'Choose at least one destination.', { field: 'destinations' });
    for (const d of destinations) storeFor(this.deps, d, hostId);
  }

  async create(hostId: string, name: string, actor: string, choice: { destinations?: DestinationSpec[] | undefined; key?: string | null | undefined } = {}): Promise<{ jobId: string; backupId: string }> {
    await findTenantParts(this.deps, hostId, name); // NOT_FOUND before a job is journaled
    const defaults = await this.archiveTargets(hostId, name);
    const destinations = choice.destinations ?? defaults.destinations;
    const keyId = choice.key === undefined ? defaults.keyId : this.keyIdOf(choice.key);
    this.checkDestinations(hostId, destinations);
    const backupId = crypto.randomUUID();
    return { jobId: this.deps.jobs.runJob(this.job, { hostId, name, backupId, destinations, keyId }, { actor }), backupId };
  }

  /** A restore drill of a catalogued backup into scratch copies; the verdict goes into the catalog. */
  async verify(hostId: string, name: string, backupId: string, actor: string): Promise<{ jobId: string }> {
    const entry = await this.entry(hostId, name, backupId);
    if (entry.state !== 'succeeded' || !entry.sha256 || !entry.rowCounts || !entry.filestore) throw new FleetError('CONFLICT', `Backup ${backupId} is ${entry.state} or lacks its recorded figures: there is nothing to verify against.`);
    const archive = this.reachableCopy(entry);
    await findTenantParts(this.deps, hostId, name);
    return {
      jobId: this.deps.jobs.runJob(this.verifyJob, { hostId, name, archive, file: null, sha256: entry.sha256, backupId, expected: { rowCounts: entry.rowCounts, filestore: entry.filestore } }, { actor }),
    };
  }

  /**
   * Restores a tenant from a catalogued backup (from any copy this console can reach), or from
   * an Odoo backup zip given by path (the CLI only: a path is the operator's own file). The
   * replaced data is kept for the undo window unless the user gave up the way back by name.
   */
  async restore(
    hostId: string,
    name: string,
    source: { backupId?: string | undefined; file?: string | undefined },
    options: { copy: boolean; neutralize: boolean; withoutUndo?: boolean },
    actor: string,
  ): Promise<{ jobId: string }> {
    await findTenantParts(this.deps, hostId, name); // NOT_FOUND before a job is journaled
    const settings = { copy: options.copy, neutralize: options.neutralize, keepHours: options.withoutUndo ? 0 : undoWindowHours() };
    if (source.backupId) {
      const entry = await this.entry(hostId, name, source.backupId);
      if (entry.state !== 'succeeded' || !entry.sha256) throw new FleetError('CONFLICT', `Backup ${source.backupId} is ${entry.state}: only a complete, verified backup can be restored.`);
      const archive = this.reachableCopy(entry);
      return { jobId: this.deps.jobs.runJob(this.restoreJob, { hostId, name, archive, file: null, sha256: entry.sha256, ...settings }, { actor }) };
    }
    if (source.file) {
      const file = path.resolve(source.file);
      if (!fs.existsSync(file)) throw new FleetError('NOT_FOUND', `No file ${file}.`);
      return { jobId: this.deps.jobs.runJob(this.restoreJob, { hostId, name, archive: null, file, sha256: null, ...settings }, { actor }) };
    }
    throw new FleetError('VALIDATION', 'Name a backup or an archive file to restore.');
  }

  /** What the tenant's last restore kept of the data it replaced, if anything is still kept. */
  async keptCopy(hostId: string, name: string): Promise<KeptCopy | null> {
    const coordinator = this.deps.coordinators.of(hostId);
    return coordinator ? new UndoStore(coordinator).get(name) : null;
  }

  /** Puts the kept copy back in place (and keeps what it replaces, for the rest of the window). */
  async undoRestore(hostId: string, name: string, actor: string): Promise<{ jobId: string }> {
    if (!(await this.keptCopy(hostId, name))) throw new FleetError('NOT_FOUND', `${name} has no kept copy of replaced data to go back to.`);
    return { jobId: this.deps.jobs.runJob(this.undoRestoreJob, { hostId, name }, { actor }) };
  }

  /** Drops the kept copy now, freeing its disk: the way back is gone. */
  async discardKeptCopy(hostId: string, name: string, actor: string): Promise<{ jobId: string }> {
    if (!(await this.keptCopy(hostId, name))) throw new FleetError('NOT_FOUND', `${name} has no kept copy to drop.`);
    return { jobId: this.deps.jobs.runJob(this.discardKeptCopyJob, { hostId, name }, { actor }) };
  }

  /** Starts dropping every kept copy whose window has ended on the host (the scheduler's sweep). */
  async discardExpired(hostId: string, now = Date.now()): Promise<string[]> {
    const coordinator = this.deps.coordinators.of(hostId);
    if (!coordinator) return [];
    const undo = new UndoStore(coordinator);
    const started: string[] = [];
    for (const kept of (await undo.list()).filter((k) => Date.parse(k.keptUntil) <= now)) {
      const tenantGone = await findTenantParts(this.deps, hostId, kept.tenant).then(
        () => false,
        (error: unknown) => error instanceof FleetError && error.code === 'NOT_FOUND',
      );
      if (tenantGone) await undo.remove(kept.tenant); // its database went with it
      else if (!this.busy(hostId, kept.tenant)) started.push(this.deps.jobs.runJob(this.discardKeptCopyJob, { hostId, name: kept.tenant }, { actor: 'scheduler' }));
    }
    return started;
  }

  private busy(hostId: string, tenant: string): boolean {
    return this.deps.jobs.listJobs({ target: `tenant:${hostId}/${tenant}`, state: UNFINISHED_JOB_STATES, limit: 1 }).length > 0;
  }

  /** The newest complete backup of a tenant (clone and safe updates start from it). */
  async newest(hostId: string, name: string): Promise<BackupEntry | null> {
    return (await this.list(hostId, name, 1000)).find((b) => b.kind === 'backup' && b.state === 'succeeded' && b.sha256 !== null) ?? null;
  }

  /**
   * Reads the sidecars in a destination and records every archive of this host the catalog
   * lacks (or adds the copy to an entry that has it elsewhere): the catalog after a lost `fleet`
   * database, or another console's archives.
   */
  async rebuildCatalog(hostId: string, destination: DestinationSpec): Promise<{ added: number; updated: number; skipped: string[] }> {
    const host = this.deps.hosts.get(hostId);
    return rebuildCatalog(BackupCatalog.of(this.deps.coordinators, hostId), storeFor(this.deps, destination, hostId), host.name, this.deps.coordinators.consoleId);
  }

  private async entry(hostId: string, name: string, backupId: string): Promise<BackupEntry> {
    const entry = await BackupCatalog.of(this.deps.coordinators, hostId).get(backupId);
    if (!entry || entry.tenant !== name) throw new FleetError('NOT_FOUND', `No backup ${backupId} of ${name} in the host's catalog.`);
    return entry;
  }

  /** The first copy this console can read: its own folder's, then host folders and SFTP targets it knows. */
  reachableCopy(entry: BackupEntry): ArchiveCopy {
    const copy = entry.destinations.find((d) => reachableHere(this.deps, d));
    if (!copy) throw new FleetError('NOT_FOUND', `Backup ${entry.id} has no copy this console can reach (${entry.destinations.map((d) => `${d.kind}:${d.path}`).join(', ') || 'no destinations'}).`);
    return copy;
  }

  async list(hostId: string, tenant?: string, limit = 200): Promise<BackupEntry[]> {
    return BackupCatalog.of(this.deps.coordinators, hostId).list({ ...(tenant ? { tenant } : {}), limit });
  }
}
