import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate, MIGRATIONS, type Migration } from './migrations.js';

export type Store = Database.Database;

/**
 * Opens (creating if needed) a store: WAL so readers never block the writer, synchronous=FULL
 * so a committed transaction survives power loss, foreign keys enforced.
 */
export function openStore(file: string, migrations: readonly Migration[] = MIGRATIONS): Store {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  try {
    fs.chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
