import { FleetError } from '../../shared/errors.js';
import { ODOO_VERSIONS, resolveTenantSpec, splitImage, TenantName, TenantSpecInput } from '../../shared/tenants.js';
import type { BackupService } from '../backup/backup-service.js';
import type { Logger } from '../common/log.js';
import type { JobRegistry } from '../jobs/index.js';
import { cloneJob, removeStagingJob, stagingStore, type CloneInput, type StagingJobDeps } from './staging-jobs.js';
import type { StagingClone } from './staging-store.js';
import type { TenantService } from './tenant-service.js';

export interface CloneRequest {
  hostId: string;
  source: string;
  name?: string | undefined;
  ttlHours: number;
  backupId?: string | undefined;
  domain?: string | undefined;
}

/** Staging clones: made from a tenant's newest backup, removed when they expire. */
export class StagingService {
  readonly cloneJob;
  readonly removeJob;

  constructor(private readonly deps: StagingJobDeps & { tenants: TenantService; backups: BackupService; log: Logger }) {
    this.removeJob = removeStagingJob(deps);
    this.cloneJob = cloneJob(deps, { create: deps.tenants.createJob, restore: deps.backups.restoreJob, remove: this.removeJob });
  }

  private timer: NodeJS.Timeout | null = null;

  /** Removes expired clones every `intervalMs` (and at once). */
  start(intervalMs = 60_000): void {
    if (this.timer) return;
    const sweep = () => void this.sweep().catch((error: Error) => this.deps.log.warn('staging sweep failed', { error: error.message }));
    this.timer = setInterval(sweep, intervalMs);
    this.timer.unref();
    sweep();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  registerJobs(registry: JobRegistry): void {
    registry.register(this.cloneJob);
    registry.register(this.removeJob);
  }

  /**
   * Clones a tenant to a staging tenant from its newest complete backup (or the one named): same
   * image and limits, the backup restored as a neutralized copy, removed after `ttlHours`.
   */
  async clone(input: CloneRequest, actor: string): Promise<{ jobId: string; name: string; expiresAt: string }> {
    const prepared = await this.prepareClone(input);
    return { jobId: this.deps.jobs.runJob(this.cloneJob, prepared, { actor }), name: prepared.name, expiresAt: prepared.expiresAt };
  }

  /** The clone job's input: the staging tenant's spec (the source's image and limits) and the backup's copy to restore. */
  async prepareClone(input: CloneRequest): Promise<CloneInput> {
    const name = TenantName.parse(input.name ?? `${input.source}-staging`.slice(0, 63));
    const detail = await this.deps.tenants.show(input.hostId, input.source);
    if (await this.exists(input.hostId, name)) throw new FleetError('CONFLICT', `A tenant named "${name}" exists on this host: choose another name (--as).`, { field: 'name' });
    const entry = input.backupId ? (await this.deps.backups.list(input.hostId, input.source, 1000)).find((b) => b.id === input.backupId) : await this.deps.backups.newest(input.hostId, input.source);
    if (!entry || entry.state !== 'succeeded' || !entry.sha256) {
      throw new FleetError('NOT_FOUND', input.backupId ? `No complete backup ${input.backupId} of ${input.source}.` : `${input.source} has no complete backup to clone from: back it up first.`);
    }
    const archive = this.deps.backups.reachableCopy(entry);
    const domain = input.domain ?? (detail.publicHost?.startsWith(`${input.source}.`) ? detail.publicHost.slice(input.source.length + 1) : null);
    if (!domain) throw new FleetError('VALIDATION', `The domain of ${input.source} is unknown: give the clone's domain.`, { field: 'domain' });
    const series = ODOO_VERSIONS.find((v) => entry.odooVersion?.startsWith(v)) ?? '17.0';
    const image = splitImage(detail.image)[0];
    const tag = detail.tag;
    const spec = resolveTenantSpec(
      TenantSpecInput.parse({
        name,
        hostId: input.hostId,
        odooVersion: series,
        image,
        tag,
        domain,
        ...(detail.cpus ? { cpus: detail.cpus } : {}),
        ...(detail.memoryLimitBytes ? { memoryMb: Math.round(detail.memoryLimitBytes / 2 ** 20) } : {}),
        modules: ['base'], // the restored database brings its own modules
      }),
    );
    const expiresAt = new Date(Date.now() + input.ttlHours * 3_600_000).toISOString();
    return { hostId: input.hostId, source: input.source, name, spec, backupId: entry.id, archive, sha256: entry.sha256, expiresAt };
  }

  async list(hostId: string): Promise<StagingClone[]> {
    return stagingStore(this.deps, hostId).list();
  }

  /** Removes a staging clone now (only a recorded clone: never a production tenant). */
  async remove(hostId: string, name: string, actor: string): Promise<{ jobId: string }> {
    if (!(await stagingStore(this.deps, hostId).get(name))) throw new FleetError('NOT_FOUND', `${name} is not a staging clone on this host.`);
    return { jobId: this.deps.jobs.runJob(this.removeJob, { hostId, name }, { actor }) };
  }

  /** Starts the removal of every expired clone (claimed, so once across consoles); a tick of the background work. */
  async sweep(): Promise<string[]> {
    const started: string[] = [];
    for (const host of this.deps.hosts.list()) {
      const coordinator = this.deps.coordinators.of(host.id);
      if (!coordinator || host.connection.state === 'failed' || host.connection.state === 'backoff') continue;
      try {
        for (const clone of await stagingStore(this.deps, host.id).claimExpired(this.deps.coordinators.consoleId)) {
          try {
            started.push(this.deps.jobs.runJob(this.removeJob, { hostId: host.id, name: clone.tenant }, { actor: 'staging-expiry' }));
          } catch (error) {
            this.deps.log.warn('could not start removing an expired staging clone', { hostId: host.id, tenant: clone.tenant, error: (error as Error).message });
          }
        }
      } catch (error) {
        this.deps.log.warn('could not read staging clones', { hostId: host.id, error: (error as Error).message });
      }
    }
    return started;
  }

  private async exists(hostId: string, name: string): Promise<boolean> {
    return (await this.deps.tenants.list(hostId)).some((t) => t.name === name);
  }
}
