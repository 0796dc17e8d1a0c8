import crypto from 'node:crypto';
import { FleetError } from '../../shared/errors.js';
import type { AuditRecord } from '../audit/audit-log.js';
import type { Logger } from '../common/log.js';
import type { HostService } from '../hosts/host-service.js';
import type { SshPool } from '../ssh/pool.js';
import type { Store } from '../store/database.js';
import { HostCoordinator } from './host-coordinator.js';

/**
 * One HostCoordinator per host (its `fleet` database), rebuilt when the host's database-server
 * settings change; and the host-side audit trail, written after each audited call on a host.
 */
export class HostCoordinators {
  private readonly byHost = new Map<string, { key: string; coordinator: HostCoordinator }>();
  private readonly pending = new Set<Promise<void>>();
  readonly consoleId: string;

  constructor(private readonly deps: { pool: SshPool; hosts: HostService; store: Store; log: Logger }) {
    this.consoleId = consoleIdOf(deps.store);
  }

  /** The host's coordinator, or null when it has no database server set. */
  of(hostId: string): HostCoordinator | null {
    const admin = this.deps.hosts.dbTarget(hostId);
    if (!admin) return null;
    const key = JSON.stringify([admin.address, admin.port, admin.user, admin.database]);
    const cached = this.byHost.get(hostId);
    if (cached?.key === key) return cached.coordinator;
    const coordinator = new HostCoordinator(this.deps.pool, admin);
    this.byHost.set(hostId, { key, coordinator });
    return coordinator;
  }

  /**
   * The runner's cross-console exclusion: an advisory lock in the host's `fleet` database, held
   * for the whole job. The key is the tenant's name alone: the host id in a job's target is this
   * console's own, and another console knows the same host by another id.
   */
  acquireTenantLock = async (target: string, meta: { jobId: string; kind: string }): Promise<() => Promise<void>> => {
    const match = /^tenant:([0-9a-f-]{36})\/(.+)$/.exec(target);
    if (!match) return async () => {};
    const coordinator = this.of(match[1]!);
    if (!coordinator) throw new FleetError('VALIDATION', "The host has no database server set: tenants need one (host settings).");
    const lock = await coordinator.lock(`tenant:${match[2]!}`, `${meta.kind} ${meta.jobId.slice(0, 8)}`);
    return lock.release;
  };

  /**
   * Copies an audited call on a host into the host's own trail, so every console managing it
   * sees who did what. Best effort and in the background: the local trail already holds the
   * record, and an unreachable host must not fail or slow the call.
   */
  recordAudit(hostId: string, record: AuditRecord): void {
    let coordinator: HostCoordinator | null;
    try {
      coordinator = this.of(hostId);
    } catch {
      return; // the host was just removed
    }
    if (!coordinator) return;
    const write = coordinator
      .recordAudit({ ...record, consoleId: this.consoleId })
      .catch((error: Error) => this.deps.log.warn('could not copy an audit record to the host', { hostId, operation: record.operation, error: error.message }))
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  /** Waits for the audit copies still in flight (before the process exits). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

/** A random id naming this console installation in hosts' shared trails. */
function consoleIdOf(store: Store): string {
  const existing = store.prepare("SELECT value FROM meta WHERE key = 'console-id'").get() as { value: string } | undefined;
  if (existing) return existing.value;
  store.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('console-id', ?)").run(crypto.randomUUID());
  return (store.prepare("SELECT value FROM meta WHERE key = 'console-id'").get() as { value: string }).value;
}
