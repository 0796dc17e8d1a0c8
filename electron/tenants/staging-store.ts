import { FleetTables } from '../coordination/fleet-tables.js';
import type { HostCoordinator } from '../coordination/host-coordinator.js';
import { claimLeases, type LeasedTable } from '../coordination/leases.js';

// Staging clones live in the host's `fleet` database with their expiry, so any console (desktop,
// web, headless) removes an expired one, once: removal is claimed through a lease. Only tenants
// recorded here are ever removed as staging clones.

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS public.fleet_staging (
     tenant text PRIMARY KEY,
     source text NOT NULL,
     backup_id text,
     database text NOT NULL,
     role text NOT NULL,
     expires_at timestamptz NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     created_by text NOT NULL,
     removal_holder text,
     removal_until timestamptz
   )`,
  'ALTER TABLE fleet_staging ADD COLUMN IF NOT EXISTS clone_job_id text',
];

export interface StagingClone {
  tenant: string;
  source: string;
  backupId: string | null;
  database: string;
  role: string;
  expiresAt: string;
  createdAt: string;
  createdBy: string;
  /** The clone job: its server carries it as the label fleet.staging, so removal knows it is this clone. */
  cloneJobId: string | null;
}

/** How long a console may take to remove an expired clone before another one may. */
const REMOVAL_LEASE_MINUTES = 30;
/** A clone is due for removal once expired; its lease marks the console removing it. */
const EXPIRED_CLONES: LeasedTable = { table: 'fleet_staging', key: 'tenant', due: 'expires_at <= now()', holderColumn: 'removal_holder', untilColumn: 'removal_until' };

export class StagingStore extends FleetTables {
  constructor(coordinator: HostCoordinator) {
    super(coordinator, 'staging', SCHEMA);
  }

  /** Records a clone (idempotent: a resumed job records it once). */
  async add(clone: Omit<StagingClone, 'createdAt'>): Promise<void> {
    await this.run((c) =>
      c.query(
        `INSERT INTO fleet_staging (tenant, source, backup_id, database, role, expires_at, created_by, clone_job_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tenant) DO UPDATE SET source = excluded.source, backup_id = excluded.backup_id, database = excluded.database, role = excluded.role,
           expires_at = excluded.expires_at, created_by = excluded.created_by, clone_job_id = excluded.clone_job_id, created_at = now(),
           removal_holder = NULL, removal_until = NULL`,
        [clone.tenant, clone.source, clone.backupId, clone.database, clone.role, clone.expiresAt, clone.createdBy, clone.cloneJobId],
      ),
    );
  }

  async get(tenant: string): Promise<StagingClone | null> {
    return this.run(async (c) => {
      const { rows } = await c.query('SELECT * FROM fleet_staging WHERE tenant = $1', [tenant]);
      return rows[0] ? toClone(rows[0]) : null;
    });
  }

  async list(): Promise<StagingClone[]> {
    return this.run(async (c) => (await c.query('SELECT * FROM fleet_staging ORDER BY expires_at')).rows.map(toClone));
  }

  async setExpiry(tenant: string, expiresAt: string): Promise<boolean> {
    return this.run(async (c) => ((await c.query('UPDATE fleet_staging SET expires_at = $2 WHERE tenant = $1', [tenant, expiresAt])).rowCount ?? 0) > 0);
  }

  async remove(tenant: string): Promise<void> {
    await this.run((c) => c.query('DELETE FROM fleet_staging WHERE tenant = $1', [tenant]));
  }

  /** Claims the expired clones no other console is removing; rows being claimed elsewhere are skipped. */
  async claimExpired(holder: string): Promise<StagingClone[]> {
    return this.run(async (c) => (await claimLeases(c, EXPIRED_CLONES, holder, REMOVAL_LEASE_MINUTES)).map(toClone));
  }
}

function toClone(row: Record<string, unknown>): StagingClone {
  return {
    tenant: row.tenant as string,
    source: row.source as string,
    backupId: (row.backup_id as string | null) ?? null,
    database: row.database as string,
    role: row.role as string,
    expiresAt: new Date(row.expires_at as string).toISOString(),
    createdAt: new Date(row.created_at as string).toISOString(),
    createdBy: row.created_by as string,
    cloneJobId: (row.clone_job_id as string | null) ?? null,
  };
}
