import type { BackupPolicyView } from '../../shared/backup-policies.js';
import { FleetError } from '../../shared/errors.js';
import type { Logger } from '../common/log.js';
import type { HostCoordinators } from '../coordination/host-coordinators.js';
import type { HostService } from '../hosts/host-service.js';
import type { JobRunner } from '../jobs/index.js';
import { removeCopy } from './archive-steps.js';
import { reachableHere, storeOfCopy, type StoreDeps } from './archive-stores.js';
import type { BackupService } from './backup-service.js';
import { BackupCatalog } from './catalog.js';
import { backupsToKeep, type RetentionPolicy } from './retention.js';
import { ScheduleStore, type StoredPolicy } from './schedule-store.js';

/**
 * Runs scheduled backups and applies retention. Every long-running console ticks; a run is
 * claimed through a lease in the host's `fleet` database, so it happens once across consoles.
 */
export class BackupScheduler {
  private timer: NodeJS.Timeout | null = null;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly deps: { hosts: HostService; coordinators: HostCoordinators; backups: BackupService; jobs: JobRunner; log: Logger; /** Where prune may delete (a local copy only inside this console's folder). */ stores: StoreDeps },
  ) {}

  start(intervalMs = 60_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick().catch((error: Error) => this.deps.log.warn('backup scheduler tick failed', { error: error.message })), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.running]);
  }

  private store(hostId: string): ScheduleStore | null {
    const coordinator = this.deps.coordinators.of(hostId);
    return coordinator ? new ScheduleStore(coordinator) : null;
  }

  /** Claims and starts every due run on every host; resolves once they are started. */
  async tick(): Promise<Array<{ hostId: string; tenant: string; jobId: string | null }>> {
    const started: Array<{ hostId: string; tenant: string; jobId: string | null }> = [];
    const holder = this.deps.coordinators.consoleId;
    for (const host of this.deps.hosts.list()) {
      const store = this.store(host.id);
      if (!store || host.connection.state === 'failed' || host.connection.state === 'backoff') continue; // unreachable now: its runs wait
      // Kept copies of replaced data whose undo window ended give their disk back.
      await this.deps.backups.discardExpired(host.id).catch((error: Error) => this.deps.log.warn('could not drop expired kept copies', { hostId: host.id, error: error.message }));
      let due;
      try {
        due = await store.claimDue(holder);
      } catch (error) {
        this.deps.log.warn('could not read backup schedules', { hostId: host.id, error: (error as Error).message });
        continue;
      }
      for (const policy of due) {
        let jobId: string | null = null;
        try {
          jobId = (await this.deps.backups.create(host.id, policy.tenant, 'scheduler')).jobId;
        } catch (error) {
          await store.finish(policy.tenant, holder, `not started: ${(error as Error).message}`).catch(() => {});
        }
        started.push({ hostId: host.id, tenant: policy.tenant, jobId });
        if (jobId) this.follow(host.id, policy, store, holder, jobId);
      }
    }
    return started;
  }

  private follow(hostId: string, policy: RetentionPolicy & { tenant: string }, store: ScheduleStore, holder: string, jobId: string): void {
    const done = (async () => {
      const job = await this.deps.jobs.wait(jobId);
      let outcome: string = job.state;
      if (job.state === 'succeeded') {
        // Every scheduled backup is drilled: restored into scratch copies and compared.
        const backupId = (job.input as { backupId?: string }).backupId;
        let drill = 'not drilled';
        if (backupId) {
          try {
            const verify = await this.deps.jobs.wait((await this.deps.backups.verify(hostId, policy.tenant, backupId, 'scheduler')).jobId);
            drill = verify.state === 'succeeded' ? 'verified' : `verification ${verify.state}: ${verify.error?.message ?? ''}`;
          } catch (error) {
            drill = `verification not started: ${(error as Error).message}`;
          }
        }
        const { pruned } = await this.prune(hostId, policy.tenant, policy).catch(() => ({ pruned: [] as string[] }));
        outcome = `succeeded, ${drill}; pruned ${pruned.length}`;
      } else if (job.error) outcome = `${job.state}: ${job.error.message}`;
      await store.finish(policy.tenant, holder, outcome);
    })()
      .catch((error: Error) => this.deps.log.warn('a scheduled backup did not finish cleanly', { hostId, tenant: policy.tenant, error: error.message }))
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /** Resolves when the runs this console started have finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /**
   * Applies a retention policy: archives the policy does not keep are deleted from every
   * destination, with their catalog entries.
   */
  async prune(hostId: string, tenant: string, policy: RetentionPolicy): Promise<{ pruned: string[] }> {
    const coordinator = this.deps.coordinators.of(hostId);
    if (!coordinator) return { pruned: [] };
    const catalog = new BackupCatalog(coordinator);
    const entries = await catalog.list({ tenant, limit: 10_000 });
    const keep = backupsToKeep(entries, policy);
    const pruned: string[] = [];
    for (const entry of entries) {
      if (entry.kind !== 'backup' || entry.state !== 'succeeded' || keep.has(entry.id)) continue;
      // The catalog is shared: an entry goes only when this console can remove every copy (a
      // local path is trusted only inside its own folder, any path only as this tenant's archive
      // of this host); otherwise another console prunes it, or a person looks at it.
      const owner = { hostName: this.deps.hosts.get(hostId).name, tenant };
      const removable = (d: (typeof entry.destinations)[number]) => {
        try {
          storeOfCopy(this.deps.stores, d, owner);
          return reachableHere(this.deps.stores, d);
        } catch {
          return false;
        }
      };
      if (entry.destinations.length === 0 || !entry.destinations.every(removable)) continue;
      for (const copy of entry.destinations) await removeCopy(this.deps.stores, copy, owner);
      await catalog.remove(entry.id);
      pruned.push(entry.id);
    }
    return { pruned };
  }

  /** The host's policies, each with its newest backup and whether that is overdue. */
  async policies(hostId: string): Promise<BackupPolicyView[]> {
    const store = this.store(hostId);
    if (!store) return [];
    const coordinator = this.deps.coordinators.of(hostId)!;
    const [policies, entries] = await Promise.all([store.list(), new BackupCatalog(coordinator).list({ limit: 10_000 })]);
    return policies.map((p) => {
      const newest = entries.find((e) => e.tenant === p.tenant && e.kind === 'backup' && e.state === 'succeeded');
      // Overdue: no complete backup within one interval plus its jitter and an hour's grace.
      const allowedMs = (p.everyHours * 60 + p.jitterMinutes + 60) * 60_000;
      return {
        ...p,
        newestBackupAt: newest?.startedAt ?? null,
        overdue: !newest || Date.now() - Date.parse(newest.startedAt) > allowedMs,
      };
    });
  }

  async setPolicy(hostId: string, policy: Omit<StoredPolicy, 'nextRunAt'>): Promise<void> {
    const store = this.store(hostId);
    if (!store) throw new FleetError('VALIDATION', 'The host has no database server set: schedules are kept there.');
    await store.set(policy);
  }

  /** Prunes a tenant's backups by its stored policy. */
  async pruneByPolicy(hostId: string, tenant: string): Promise<{ pruned: string[] }> {
    const policy = (await this.store(hostId)?.list())?.find((p) => p.tenant === tenant);
    if (!policy) throw new FleetError('VALIDATION', `${tenant} has no backup policy: set one first (schedule).`);
    return this.prune(hostId, tenant, policy);
  }

  async removePolicy(hostId: string, tenant: string): Promise<void> {
    await this.store(hostId)?.remove(tenant);
  }
}
