import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BackupKeys } from '../../electron/backup/backup-keys.js';
import { localFileSink, localFileSource } from '../../electron/backup/byte-io.js';
import { decryptingSource, encryptingSink } from '../../electron/backup/encryption.js';
import { Vault } from '../../electron/secrets/vault.js';
import { openStore } from '../../electron/store/database.js';
import { thrownFleetError } from '../support/console.js';

const FAST_KDF = { N: 2 ** 12, r: 8, p: 1 };
const dirs: string[] = [];
function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-keys-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** One console: its own store, vault and keys. */
function newConsole() {
  const file = path.join(tempDir(), 'fleet.sqlite');
  const db = openStore(file);
  const vault = new Vault(db, { kdf: FAST_KDF });
  vault.setup('correct horse battery');
  return { file, db, vault, keys: new BackupKeys(db, vault) };
}

describe('backup keys', () => {
  it('moves a key to another console, which then decrypts the first one’s archive', async () => {
    const office = newConsole();
    const info = office.keys.create('office-2025');
    expect(info).toMatchObject({ name: 'office-2025', id: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(office.keys.list()).toEqual([info]);

    const archive = path.join(tempDir(), 'backup.zip.enc');
    const plain = crypto.randomBytes(200_000);
    const sink = encryptingSink(await localFileSink(archive), office.keys.byName('office-2025')!);
    await sink.write(plain);
    await sink.commit();

    const exported = office.keys.export('office-2025');
    expect(exported).toMatch(/^odoo-fleet-backup-key-v1:[A-Za-z0-9_-]{43}:[0-9a-f]{16}$/);

    const laptop = newConsole();
    await expect(decryptingSource(await localFileSource(archive), (id) => laptop.keys.get(id))).rejects.toMatchObject({ code: 'BACKUP_KEY_MISSING' });
    const imported = laptop.keys.import('from-office', `  ${exported}\n`);
    expect(imported.id).toBe(info.id);
    expect(laptop.keys.list().map((k) => k.name)).toEqual(['from-office']);

    const source = await decryptingSource(await localFileSource(archive), (id) => laptop.keys.get(id));
    expect((await source.read(0, plain.length)).equals(plain)).toBe(true);
    await source.close();
  });

  it('refuses a mistyped, cut or foreign key line without quoting it', () => {
    const { keys } = newConsole();
    keys.create('main');
    const line = keys.export('main');
    const [prefix, encoded, checksum] = line.split(':') as [string, string, string];
    const typo = `${prefix}:${encoded.slice(0, 10)}${encoded[10] === 'A' ? 'B' : 'A'}${encoded.slice(11)}:${checksum}`;
    const other = newConsole().keys;
    for (const bad of [typo, line.slice(0, -1), `${prefix}:${encoded.slice(0, 40)}:${checksum}`, `${prefix}:${encoded}x:${checksum}`]) {
      const error = thrownFleetError(() => other.import('copy', bad));
      expect(error.code).toBe('VALIDATION');
      expect(error.message).toMatch(/fails its checksum: it was mistyped or cut short/);
      expect(error.message).not.toContain(encoded.slice(0, 20));
    }
    expect(thrownFleetError(() => other.import('copy', 'AGE-SECRET-KEY-1XYZ')).message).toMatch(/not an Odoo Fleet backup key/);
    expect(other.list()).toEqual([]);
  });

  it('refuses a name clash, and a key already present under another name (naming it)', () => {
    const { keys } = newConsole();
    keys.create('main');
    expect(thrownFleetError(() => keys.create('MAIN')).code).toBe('CONFLICT');
    const line = keys.export('main');
    const sameKey = thrownFleetError(() => keys.import('again', line));
    expect(sameKey.code).toBe('CONFLICT');
    expect(sameKey.message).toContain("'main'");

    const other = newConsole().keys;
    other.create('main');
    expect(thrownFleetError(() => other.import('main', line)).message).toMatch(/named 'main' already exists/);
  });

  it('validates names', () => {
    const { keys } = newConsole();
    for (const bad of ['', '-lead', 'has space', 'a/b', 'x'.repeat(64)]) expect(thrownFleetError(() => keys.create(bad)).code).toBe('VALIDATION');
    expect(keys.create('a.b_c-1').name).toBe('a.b_c-1');
  });

  it('keeps the key material only in the vault, never in clear in the SQLite file', () => {
    const { db, file, keys } = newConsole();
    keys.create('main');
    const key = keys.byName('main')!.key;
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = Buffer.concat([fs.readFileSync(file), ...['-wal', '-shm'].filter((s) => fs.existsSync(file + s)).map((s) => fs.readFileSync(file + s))]);
    expect(bytes.includes(key)).toBe(false);
    for (const encoding of ['base64', 'base64url', 'hex'] as const) expect(bytes.includes(Buffer.from(key.toString(encoding)))).toBe(false);
  });

  it('needs the unlocked vault for the key material, not for the list', () => {
    const { db, vault, keys } = newConsole();
    const info = keys.create('main');
    vault.lock();
    expect(keys.list()).toEqual([info]);
    expect(thrownFleetError(() => keys.get(info.id)).code).toBe('VAULT_LOCKED');
    expect(thrownFleetError(() => keys.export('main')).code).toBe('VAULT_LOCKED');
    expect(thrownFleetError(() => keys.create('second')).code).toBe('VAULT_LOCKED');
    expect(keys.list()).toEqual([info]);
    expect(keys.get('0000000000000000')).toBeUndefined();
    db.close();
  });

  it('removes a key with its vault secret', () => {
    const { db, keys } = newConsole();
    const info = keys.create('main');
    keys.remove('main');
    expect(keys.list()).toEqual([]);
    expect(keys.get(info.id)).toBeUndefined();
    expect(db.prepare("SELECT count(*) AS n FROM secrets WHERE purpose = 'backup-key'").get()).toEqual({ n: 0 });
    expect(thrownFleetError(() => keys.remove('main')).code).toBe('NOT_FOUND');
    expect(thrownFleetError(() => keys.export('main')).code).toBe('NOT_FOUND');
  });
});
