import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

// The vault's secrets and the audit trail: the same tables in the console's store and in the POS
// terminal's (electron/pos/pos-migrations.ts). Indented as in the migrations that run them, so the
// SQL text SQLite keeps for each table stays byte for byte what released migrations wrote. Part
// of released migrations, so never edited: a change to either table is a new migration.
export const SECRETS_TABLE = `CREATE TABLE secrets (
          id TEXT PRIMARY KEY,
          purpose TEXT NOT NULL,
          ciphertext BLOB NOT NULL,
          created_at TEXT NOT NULL
        );`;
export const AUDIT_TABLE = `CREATE TABLE audit (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          at TEXT NOT NULL,
          actor TEXT NOT NULL,
          role TEXT NOT NULL,
          operation TEXT NOT NULL,
          target TEXT,
          outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'forbidden')),
          error_code TEXT,
          input_json TEXT NOT NULL
        );
        CREATE INDEX audit_at ON audit(at);`;

// Append only: a released migration never changes, so every old database upgrades the same way.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'hosts, pinned keys and encrypted secrets',
    up(db) {
      db.exec(`
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        ${SECRETS_TABLE}
        CREATE TABLE hosts (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL UNIQUE COLLATE NOCASE,
          address TEXT NOT NULL,
          port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
          user TEXT NOT NULL,
          auth_kind TEXT NOT NULL CHECK (auth_kind IN ('key', 'agent', 'password')),
          key_paths TEXT NOT NULL DEFAULT '[]',
          passphrase_secret_id TEXT REFERENCES secrets(id),
          password_secret_id TEXT REFERENCES secrets(id),
          agent_socket TEXT,
          jump_host_id TEXT REFERENCES hosts(id) ON DELETE RESTRICT,
          docker_socket TEXT NOT NULL DEFAULT '/var/run/docker.sock',
          host_key_type TEXT NOT NULL,
          host_key_fingerprint TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );
      `);
    },
  },
  {
    version: 2,
    name: 'local audit trail',
    up(db) {
      db.exec(`
        ${AUDIT_TABLE}
      `);
    },
  },
  {
    version: 3,
    name: "hosts' database-server settings",
    up(db) {
      db.exec(`
        CREATE TABLE host_db_servers (
          host_id TEXT PRIMARY KEY REFERENCES hosts(id) ON DELETE CASCADE,
          address TEXT NOT NULL,
          port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
          admin_user TEXT NOT NULL,
          database TEXT NOT NULL DEFAULT 'postgres',
          password_secret_id TEXT REFERENCES secrets(id)
        );
      `);
    },
  },
  {
    version: 4,
    name: 'durable job journal',
    up(db) {
      // owner_token names the owning process (boot id, pid, process start time) so a restarted
      // console can tell a dead owner from a live one. The partial unique index makes "one
      // unfinished job per target" hold for every process sharing this store.
      db.exec(`
        CREATE TABLE jobs (
          id TEXT PRIMARY KEY,
          kind TEXT NOT NULL,
          target TEXT NOT NULL,
          input_json TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'compensating', 'succeeded', 'failed', 'compensated', 'cancelled')),
          actor TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          started_at TEXT,
          finished_at TEXT,
          cancel_requested INTEGER NOT NULL DEFAULT 0,
          owner_pid INTEGER,
          owner_token TEXT,
          resume_count INTEGER NOT NULL DEFAULT 0,
          error_code TEXT,
          error_message TEXT,
          error_step TEXT,
          error_details_json TEXT
        );
        CREATE INDEX jobs_target ON jobs(target, created_at);
        CREATE INDEX jobs_state ON jobs(state, created_at);
        CREATE UNIQUE INDEX jobs_one_unfinished_per_target ON jobs(target) WHERE state IN ('queued', 'running', 'compensating');
        CREATE TABLE job_steps (
          job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
          idx INTEGER NOT NULL,
          name TEXT NOT NULL,
          title TEXT NOT NULL,
          on_crash TEXT NOT NULL CHECK (on_crash IN ('resume', 'compensate')),
          state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed', 'compensating', 'compensated', 'skipped')),
          attempts INTEGER NOT NULL DEFAULT 0,
          compensate_attempts INTEGER NOT NULL DEFAULT 0,
          started_at TEXT,
          finished_at TEXT,
          output_json TEXT,
          error_code TEXT,
          error_message TEXT,
          compensation_error_code TEXT,
          compensation_error_message TEXT,
          PRIMARY KEY (job_id, idx),
          UNIQUE (job_id, name)
        );
      `);
    },
  },
  {
    version: 5,
    name: "how tenants' containers reach the host's database server",
    up(db) {
      db.exec(`
        ALTER TABLE host_db_servers ADD COLUMN tenant_address TEXT;
        ALTER TABLE host_db_servers ADD COLUMN tenant_network TEXT;
      `);
    },
  },
  {
    version: 6,
    name: 'managed database servers (a PostgreSQL container the console set up)',
    up(db) {
      db.exec(`
        ALTER TABLE host_db_servers ADD COLUMN managed INTEGER NOT NULL DEFAULT 0 CHECK (managed IN (0, 1));
        ALTER TABLE host_db_servers ADD COLUMN managed_image TEXT;
        ALTER TABLE host_db_servers ADD COLUMN managed_volume TEXT;
      `);
    },
  },
  {
    version: 7,
    name: "an existing database server's PostgreSQL client image (pg_dump) template",
    up(db) {
      db.exec('ALTER TABLE host_db_servers ADD COLUMN client_image TEXT;');
    },
  },
  {
    version: 8,
    name: 'backup encryption keys (the key itself is a vault secret)',
    up(db) {
      // id is the key's fingerprint, the one encrypted archives name in their header.
      db.exec(`
        CREATE TABLE backup_keys (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL UNIQUE COLLATE NOCASE,
          secret_id TEXT NOT NULL REFERENCES secrets(id),
          created_at TEXT NOT NULL
        );
      `);
    },
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Runs every migration above the database's user_version, each in its own transaction. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  const from = db.pragma('user_version', { simple: true }) as number;
  const newest = migrations[migrations.length - 1]?.version ?? 0;
  if (from > newest) {
    throw new Error(`This store was written by a newer version (schema ${from}, this build knows ${newest}); update the program before opening it.`);
  }
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return { from, to: Math.max(from, newest) };
}
