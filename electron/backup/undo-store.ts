import { FleetTables } from '../coordination/fleet-tables.js';
import type { HostCoordinator } from '../coordination/host-coordinator.js';

// What a restore kept of the data it replaced, recorded in the host's `fleet` database so every
// console managing the host can show it, undo it, and drop it when its window ends.

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS public.fleet_restore_undo (
     tenant text PRIMARY KEY,
     database text NOT NULL,
     job_id text NOT NULL,
     restored_at timestamptz NOT NULL DEFAULT now(),
     kept_until timestamptz NOT NULL,
     database_bytes bigint,
     filestore_bytes bigint
   )`,
];

export interface KeptCopy {
  tenant: string;
  database: string;
  jobId: string;
  restoredAt: string;
  keptUntil: string;
  databaseBytes: number | null;
  filestoreBytes: number | null;
}

interface KeptCopyRow {
  tenant: string;
  database: string;
  job_id: string;
  restored_at: Date;
  kept_until: Date;
  database_bytes: string | null;
  filestore_bytes: string | null;
}

const asKeptCopy = (row: KeptCopyRow): KeptCopy => ({
  tenant: row.tenant,
  database: row.database,
  jobId: row.job_id,
  restoredAt: row.restored_at.toISOString(),
  keptUntil: row.kept_until.toISOString(),
  databaseBytes: row.database_bytes === null ? null : Number(row.database_bytes),
  filestoreBytes: row.filestore_bytes === null ? null : Number(row.filestore_bytes),
});

export class UndoStore extends FleetTables {
  constructor(coordinator: HostCoordinator) {
    super(coordinator, 'restore-undo', SCHEMA);
  }

  /** One kept copy per tenant: a newer restore's copy replaces the record of an older one. */
  async record(copy: Omit<KeptCopy, 'restoredAt'>): Promise<void> {
    await this.run((c) =>
      c.query(
        `INSERT INTO fleet_restore_undo (tenant, database, job_id, kept_until, database_bytes, filestore_bytes) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tenant) DO UPDATE SET database = EXCLUDED.database, job_id = EXCLUDED.job_id, restored_at = now(), kept_until = EXCLUDED.kept_until,
           database_bytes = EXCLUDED.database_bytes, filestore_bytes = EXCLUDED.filestore_bytes`,
        [copy.tenant, copy.database, copy.jobId, copy.keptUntil, copy.databaseBytes, copy.filestoreBytes],
      ),
    );
  }

  /** After an undo the kept copy holds the data the restore had brought; its window stays. */
  async swapped(tenant: string, sizes: { databaseBytes: number | null; filestoreBytes: number | null }): Promise<void> {
    await this.run((c) => c.query('UPDATE fleet_restore_undo SET database_bytes = $2, filestore_bytes = $3 WHERE tenant = $1', [tenant, sizes.databaseBytes, sizes.filestoreBytes]));
  }

  async get(tenant: string): Promise<KeptCopy | null> {
    const { rows } = await this.run((c) => c.query<KeptCopyRow>('SELECT * FROM fleet_restore_undo WHERE tenant = $1', [tenant]));
    return rows[0] ? asKeptCopy(rows[0]) : null;
  }

  async list(): Promise<KeptCopy[]> {
    const { rows } = await this.run((c) => c.query<KeptCopyRow>('SELECT * FROM fleet_restore_undo ORDER BY tenant'));
    return rows.map(asKeptCopy);
  }

  async remove(tenant: string): Promise<void> {
    await this.run((c) => c.query('DELETE FROM fleet_restore_undo WHERE tenant = $1', [tenant]));
  }
}
