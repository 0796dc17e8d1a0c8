import type { BackupPolicyView } from '../../shared/backup-policies.js';
import type { DestinationSpec } from '../../shared/backups.js';
import { FleetTables } from '../coordination/fleet-tables.js';
import type { HostCoordinator } from '../coordination/host-coordinator.js';
import { claimLeases, type LeasedTable } from '../coordination/leases.js';
import type { RetentionPolicy } from './retention.js';

// Backup schedules live in the host's `fleet` database with their next-run time and a lease,
// so a run happens once however many consoles (desktop, web, headless) manage the host.

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS public.fleet_backup_policies (
     tenant text PRIMARY KEY,
     every_hours integer NOT NULL CHECK (every_hours > 0),
     jitter_minutes integer NOT NULL DEFAULT 10,
     keep_daily integer NOT NULL, keep_weekly integer NOT NULL, keep_monthly integer NOT NULL,
     next_run_at timestamptz NOT NULL,
     lease_holder text, lease_until timestamptz,
     last_run_at timestamptz, last_outcome text
   )`,
  `ALTER TABLE fleet_backup_policies ADD COLUMN IF NOT EXISTS destinations jsonb NOT NULL DEFAULT '[{"kind":"local"}]'::jsonb`,
  'ALTER TABLE fleet_backup_policies ADD COLUMN IF NOT EXISTS key_id text',
];

export interface StoredPolicy extends RetentionPolicy {
  tenant: string;
  everyHours: number;
  jitterMinutes: number;
  nextRunAt: string;
  /** Where its archives go (every copy gets the same bytes). */
  destinations: DestinationSpec[];
  /** The id of the user's key that encrypts them, or null. */
  keyId: string | null;
}

/** How long a claimed run may take before another console may take it over. */
const LEASE_MINUTES = 120;
/** A policy's run is due at next_run_at; its lease marks the console running it. */
const POLICY_RUNS: LeasedTable = { table: 'fleet_backup_policies', key: 'tenant', due: 'next_run_at <= now()', holderColumn: 'lease_holder', untilColumn: 'lease_until' };

export class ScheduleStore extends FleetTables {
  constructor(coordinator: HostCoordinator) {
    super(coordinator, 'backup-policies', SCHEMA);
  }

  /** Sets a tenant's policy; the first run is due one jittered interval from now. */
  async set(policy: Omit<StoredPolicy, 'nextRunAt'>): Promise<void> {
    await this.run((c) =>
      c.query(
        `INSERT INTO fleet_backup_policies (tenant, every_hours, jitter_minutes, keep_daily, keep_weekly, keep_monthly, destinations, key_id, next_run_at)
         VALUES ($1, $2::int, $3::int, $4::int, $5::int, $6::int, $7, $8, now() + make_interval(hours => $2::int) + make_interval(secs => random() * $3::int * 60))
         ON CONFLICT (tenant) DO UPDATE SET every_hours = excluded.every_hours, jitter_minutes = excluded.jitter_minutes,
           keep_daily = excluded.keep_daily, keep_weekly = excluded.keep_weekly, keep_monthly = excluded.keep_monthly,
           destinations = excluded.destinations, key_id = excluded.key_id,
           next_run_at = LEAST(fleet_backup_policies.next_run_at, excluded.next_run_at)`,
        [policy.tenant, policy.everyHours, policy.jitterMinutes, policy.keepDaily, policy.keepWeekly, policy.keepMonthly, JSON.stringify(policy.destinations), policy.keyId],
      ),
    );
  }

  async remove(tenant: string): Promise<void> {
    await this.run((c) => c.query('DELETE FROM fleet_backup_policies WHERE tenant = $1', [tenant]));
  }

  async list(): Promise<Array<StoredPolicy & Pick<BackupPolicyView, 'lastRunAt' | 'lastOutcome' | 'lease'>>> {
    return this.run(async (c) => (await c.query('SELECT * FROM fleet_backup_policies ORDER BY tenant')).rows.map(toPolicy));
  }

  /**
   * Claims every due run for `holder`, atomically: a due policy whose lease is free or expired
   * gets this holder's lease; rows another console is claiming at the same moment are skipped.
   */
  async claimDue(holder: string): Promise<StoredPolicy[]> {
    return this.run(async (c) => (await claimLeases(c, POLICY_RUNS, holder, LEASE_MINUTES)).map(toPolicy));
  }

  /**
   * Ends a claimed run: the next one is due one interval after the missed slots (a run missed
   * while every console was off happens once, not once per missed slot), plus jitter.
   */
  async finish(tenant: string, holder: string, outcome: string): Promise<void> {
    await this.run((c) =>
      c.query(
        `UPDATE fleet_backup_policies
            SET last_run_at = now(), last_outcome = $3, lease_holder = NULL, lease_until = NULL,
                next_run_at = GREATEST(next_run_at + make_interval(hours => every_hours), now() + make_interval(hours => every_hours))
                              + make_interval(secs => random() * jitter_minutes * 60)
          WHERE tenant = $1 AND lease_holder = $2`,
        [tenant, holder, outcome.slice(0, 500)],
      ),
    );
  }
}

function toPolicy(row: Record<string, unknown>): StoredPolicy & Pick<BackupPolicyView, 'lastRunAt' | 'lastOutcome' | 'lease'> {
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return {
    tenant: row.tenant as string,
    everyHours: row.every_hours as number,
    jitterMinutes: row.jitter_minutes as number,
    keepDaily: row.keep_daily as number,
    keepWeekly: row.keep_weekly as number,
    keepMonthly: row.keep_monthly as number,
    nextRunAt: iso(row.next_run_at)!,
    destinations: (row.destinations as DestinationSpec[] | null) ?? [{ kind: 'local' }],
    keyId: (row.key_id as string | null) ?? null,
    lastRunAt: iso(row.last_run_at),
    lastOutcome: (row.last_outcome as string | null) ?? null,
    lease: row.lease_holder ? { holder: row.lease_holder as string, until: iso(row.lease_until)! } : null,
  };
}
