import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

// Append only: a released migration never changes, so every old database upgrades the same way.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'hosts, pinned keys and encrypted secrets',
    up(db) {
      db.exec(`
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE secrets (
          id TEXT PRIMARY KEY,
          purpose TEXT NOT NULL,
          ciphertext BLOB NOT NULL,
          created_at TEXT NOT NULL
        );
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
        CREATE TABLE audit (
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
        CREATE INDEX audit_at ON audit(at);
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
