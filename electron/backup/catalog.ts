import type { BackupEntry } from '../../shared/backups.js';
import { FleetError } from '../../shared/errors.js';
import { FleetTables } from '../coordination/fleet-tables.js';
import type { HostCoordinator } from '../coordination/host-coordinator.js';
import type { HostCoordinators } from '../coordination/host-coordinators.js';

// The backup catalog lives in the host's `fleet` database, so every console managing the host
// sees the same archives; a sidecar JSON beside each archive holds the same facts.

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS public.fleet_backups (
     id uuid PRIMARY KEY,
     tenant text NOT NULL,
     database text NOT NULL,
     kind text NOT NULL CHECK (kind IN ('backup', 'final')),
     state text NOT NULL CHECK (state IN ('running', 'succeeded', 'failed')),
     started_at timestamptz NOT NULL DEFAULT now(),
     finished_at timestamptz,
     duration_ms bigint,
     bytes bigint,
     sha256 text,
     odoo_version text,
     pg_version text,
     encrypted boolean NOT NULL DEFAULT false,
     destinations jsonb NOT NULL DEFAULT '[]'::jsonb,
     row_counts jsonb,
     filestore jsonb,
     verification jsonb,
     console_id text NOT NULL,
     error text
   )`,
  'CREATE INDEX IF NOT EXISTS fleet_backups_tenant ON fleet_backups (tenant, started_at DESC)',
  'ALTER TABLE fleet_backups ADD COLUMN IF NOT EXISTS key_id text',
];

export interface BackupStart {
  id: string;
  tenant: string;
  database: string;
  kind: BackupEntry['kind'];
  consoleId: string;
}

export interface BackupOutcome {
  bytes: number;
  sha256: string;
  odooVersion: string;
  pgVersion: string;
  destinations: BackupEntry['destinations'];
  keyId: string | null;
  rowCounts: Record<string, number> | null;
  filestore: BackupEntry['filestore'];
  verification: NonNullable<BackupEntry['verification']>;
}

export class BackupCatalog extends FleetTables {
  constructor(coordinator: HostCoordinator) {
    super(coordinator, 'backups', SCHEMA);
  }

  /** The host's catalog, or VALIDATION when the host has no database server to keep it. */
  static of(coordinators: HostCoordinators, hostId: string): BackupCatalog {
    const coordinator = coordinators.of(hostId);
    if (!coordinator) throw new FleetError('VALIDATION', 'The host has no database server set: backups are catalogued there.');
    return new BackupCatalog(coordinator);
  }

  /** Records a backup as running; idempotent (a resumed job records it once). */
  async start(entry: BackupStart): Promise<void> {
    await this.run((c) =>
      c.query("INSERT INTO fleet_backups (id, tenant, database, kind, state, console_id) VALUES ($1, $2, $3, $4, 'running', $5) ON CONFLICT (id) DO NOTHING", [
        entry.id,
        entry.tenant,
        entry.database,
        entry.kind,
        entry.consoleId,
      ]),
    );
  }

  async succeeded(id: string, outcome: BackupOutcome): Promise<void> {
    await this.run((c) =>
      c.query(
        `UPDATE fleet_backups SET state = 'succeeded', finished_at = now(), duration_ms = (extract(epoch FROM now() - started_at) * 1000)::bigint,
           bytes = $2, sha256 = $3, odoo_version = $4, pg_version = $5, destinations = $6, row_counts = $7, filestore = $8, verification = $9, error = NULL,
           encrypted = $10::text IS NOT NULL, key_id = $10::text
         WHERE id = $1`,
        [id, outcome.bytes, outcome.sha256, outcome.odooVersion, outcome.pgVersion, JSON.stringify(outcome.destinations), JSON.stringify(outcome.rowCounts), JSON.stringify(outcome.filestore), JSON.stringify(outcome.verification), outcome.keyId],
      ),
    );
  }

  /** A failed or interrupted backup stays in the catalog as failed, never as a valid archive. */
  async failed(id: string, error: string): Promise<void> {
    await this.run((c) =>
      c.query("UPDATE fleet_backups SET state = 'failed', finished_at = now(), duration_ms = (extract(epoch FROM now() - started_at) * 1000)::bigint, error = $2, sha256 = NULL WHERE id = $1 AND state <> 'succeeded'", [
        id,
        error.slice(0, 2000),
      ]),
    );
  }

  /** Records the latest verification verdict of a backup. */
  async recordVerification(id: string, verification: NonNullable<BackupEntry['verification']>): Promise<void> {
    await this.run((c) => c.query('UPDATE fleet_backups SET verification = $2 WHERE id = $1', [id, JSON.stringify(verification)]));
  }

  async get(id: string): Promise<BackupEntry | null> {
    return this.run(async (c) => {
      const { rows } = await c.query('SELECT * FROM fleet_backups WHERE id = $1', [id]);
      return rows[0] ? toEntry(rows[0]) : null;
    });
  }

  /** Records a complete archive found in a destination (its sidecar's facts), not yet verified here. */
  async recordFound(entry: Omit<BackupEntry, 'state' | 'verification' | 'error' | 'durationMs' | 'encrypted'>): Promise<void> {
    await this.run((c) =>
      c.query(
        `INSERT INTO fleet_backups (id, tenant, database, kind, state, started_at, finished_at, bytes, sha256, odoo_version, pg_version, encrypted, key_id, destinations, row_counts, filestore, console_id)
         VALUES ($1, $2, $3, $4, 'succeeded', $5, $6, $7, $8, $9, $10, $11::text IS NOT NULL, $11::text, $12, $13, $14, $15)
         ON CONFLICT (id) DO NOTHING`,
        [entry.id, entry.tenant, entry.database, entry.kind, entry.startedAt, entry.finishedAt, entry.bytes, entry.sha256, entry.odooVersion, entry.pgVersion, entry.keyId, JSON.stringify(entry.destinations), JSON.stringify(entry.rowCounts), JSON.stringify(entry.filestore), entry.consoleId],
      ),
    );
  }

  /** Sets the copies of a backup (one found in another destination is added). */
  async setDestinations(id: string, destinations: BackupEntry['destinations']): Promise<void> {
    await this.run((c) => c.query('UPDATE fleet_backups SET destinations = $2 WHERE id = $1', [id, JSON.stringify(destinations)]));
  }

  /** Forgets a pruned backup (its archive was deleted). */
  async remove(id: string): Promise<void> {
    await this.run((c) => c.query('DELETE FROM fleet_backups WHERE id = $1', [id]));
  }

  async list(filter: { tenant?: string; limit?: number } = {}): Promise<BackupEntry[]> {
    return this.run(async (c) => {
      const { rows } = await c.query(
        `SELECT * FROM fleet_backups WHERE ($1::text IS NULL OR tenant = $1) ORDER BY started_at DESC LIMIT $2`,
        [filter.tenant ?? null, filter.limit ?? 200],
      );
      return rows.map(toEntry);
    });
  }
}

function toEntry(row: Record<string, unknown>): BackupEntry {
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return {
    id: row.id as string,
    tenant: row.tenant as string,
    database: row.database as string,
    kind: row.kind as BackupEntry['kind'],
    state: row.state as BackupEntry['state'],
    startedAt: iso(row.started_at)!,
    finishedAt: iso(row.finished_at),
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    bytes: row.bytes === null ? null : Number(row.bytes),
    sha256: (row.sha256 as string | null) ?? null,
    odooVersion: (row.odoo_version as string | null) ?? null,
    pgVersion: (row.pg_version as string | null) ?? null,
    encrypted: row.encrypted as boolean,
    destinations: (row.destinations as BackupEntry['destinations']) ?? [],
    keyId: (row.key_id as string | null) ?? null,
    rowCounts: (row.row_counts as BackupEntry['rowCounts']) ?? null,
    filestore: (row.filestore as BackupEntry['filestore']) ?? null,
    verification: (row.verification as BackupEntry['verification']) ?? null,
    consoleId: row.console_id as string,
    error: (row.error as string | null) ?? null,
  };
}
