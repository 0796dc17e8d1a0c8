import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../electron/store/database.js';
import { LATEST_SCHEMA_VERSION, migrate, MIGRATIONS } from '../../electron/store/migrations.js';

const dirs: string[] = [];
function tempFile(name: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-store-'));
  dirs.push(dir);
  return path.join(dir, name);
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('local store', () => {
  it('opens in WAL mode with synchronous=FULL and foreign keys on', () => {
    const db = openStore(tempFile('a.sqlite'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    db.close();
  });

  it('upgrades a version-1 database and keeps its rows', () => {
    const file = tempFile('old.sqlite');
    const old = new Database(file);
    migrate(old, MIGRATIONS.filter((m) => m.version === 1));
    expect(old.pragma('user_version', { simple: true })).toBe(1);
    old.prepare("INSERT INTO hosts (id, name, address, port, user, auth_kind, host_key_type, host_key_fingerprint, created_at, updated_at) VALUES ('h1', 'alpha', '10.0.0.1', 22, 'root', 'agent', 'ssh-ed25519', 'SHA256:x', 'now', 'now')").run();
    old.close();

    const db = openStore(file);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(db.prepare('SELECT name, address FROM hosts').all()).toEqual([{ name: 'alpha', address: '10.0.0.1' }]);
    // Tables of later migrations exist and work with the old rows.
    db.prepare("INSERT INTO host_db_servers (host_id, address, port, admin_user) VALUES ('h1', '127.0.0.1', 5432, 'postgres')").run();
    db.prepare("INSERT INTO audit (at, actor, role, operation, outcome, input_json) VALUES ('now', 'a', 'admin', 'x', 'ok', '{}')").run();
    expect(() => db.prepare("INSERT INTO host_db_servers (host_id, address, port, admin_user) VALUES ('nope', 'x', 1, 'y')").run()).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('refuses a database written by a newer version instead of damaging it', () => {
    const file = tempFile('new.sqlite');
    const future = new Database(file);
    future.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    future.close();
    expect(() => openStore(file)).toThrow(/newer version/);
  });

  it('rolls a failing migration back whole', () => {
    const file = tempFile('fail.sqlite');
    const broken = [...MIGRATIONS, { version: LATEST_SCHEMA_VERSION + 1, name: 'broken', up: (db: Database.Database) => db.exec('CREATE TABLE t (x); SELECT * FROM missing_table;') }];
    expect(() => openStore(file, broken)).toThrow();
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 't'").get()).toEqual({ n: 0 });
    db.close();
  });
});
