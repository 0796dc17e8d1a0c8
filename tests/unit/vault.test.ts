import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Vault, type SafeStorageLike } from '../../electron/secrets/vault.js';
import { openStore } from '../../electron/store/database.js';

const FAST_KDF = { N: 2 ** 12, r: 8, p: 1 };
const dirs: string[] = [];
function store() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-vault-'));
  dirs.push(dir);
  const file = path.join(dir, 'v.sqlite');
  return { file, db: openStore(file) };
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('vault', () => {
  it('has no default key: locked until a passphrase is set', () => {
    const { db } = store();
    const vault = new Vault(db, { kdf: FAST_KDF });
    expect(vault.status().state).toBe('uninitialised');
    expect(() => vault.put('x', 'secret')).toThrow(/passphrase/);
  });

  it('encrypts with AES-256-GCM under a scrypt-derived key and never stores the plaintext', () => {
    const { db, file } = store();
    const vault = new Vault(db, { kdf: FAST_KDF });
    vault.setup('correct horse battery');
    const id = vault.put('ssh-password', 'Hunter2-plaintext-marker');
    expect(vault.get(id)).toBe('Hunter2-plaintext-marker');
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = Buffer.concat([fs.readFileSync(file), ...['-wal', '-shm'].filter((s) => fs.existsSync(file + s)).map((s) => fs.readFileSync(file + s))]);
    expect(bytes.includes(Buffer.from('Hunter2-plaintext-marker'))).toBe(false);
    expect(bytes.includes(Buffer.from('correct horse battery'))).toBe(false);
  });

  it('unlocks with the right passphrase only', () => {
    const { db } = store();
    const first = new Vault(db, { kdf: FAST_KDF });
    first.setup('correct horse battery');
    const id = first.put('p', 'value');
    const again = new Vault(db, { kdf: FAST_KDF });
    expect(again.status().state).toBe('locked');
    expect(() => again.get(id)).toThrow(/locked/);
    expect(() => again.unlock('wrong passphrase')).toThrow(/does not unlock/);
    again.unlock('correct horse battery');
    expect(again.get(id)).toBe('value');
  });

  it('detects a tampered or swapped ciphertext', () => {
    const { db } = store();
    const vault = new Vault(db, { kdf: FAST_KDF });
    vault.setup('correct horse battery');
    const a = vault.put('p', 'first');
    const b = vault.put('p', 'second');
    const cipherB = (db.prepare('SELECT ciphertext FROM secrets WHERE id = ?').get(b) as { ciphertext: Buffer }).ciphertext;
    db.prepare('UPDATE secrets SET ciphertext = ? WHERE id = ?').run(cipherB, a);
    expect(() => vault.get(a)).toThrow(/integrity/);
  });

  it('wraps its data key with safeStorage when the OS keychain is available', () => {
    const { db } = store();
    const calls: string[] = [];
    const fakeKeychain: SafeStorageLike = {
      isEncryptionAvailable: () => true,
      encryptString: (plain) => {
        calls.push('encrypt');
        return Buffer.from(plain.split('').reverse().join(''));
      },
      decryptString: (cipher) => {
        calls.push('decrypt');
        return cipher.toString().split('').reverse().join('');
      },
    };
    const vault = new Vault(db, { safeStorage: fakeKeychain });
    expect(vault.status()).toEqual({ state: 'unlocked', backend: 'safeStorage' });
    const id = vault.put('p', 'kept');
    const reopened = new Vault(db, { safeStorage: fakeKeychain });
    expect(reopened.get(id)).toBe('kept');
    expect(calls).toEqual(['encrypt', 'decrypt']);
  });
});

describe('vault unlocking in a server', () => {
  it('derives the key off the event loop, one attempt at a time, slower after each wrong guess', async () => {
    const { db } = store();
    const vault = new Vault(db, { kdf: { N: 2 ** 15, r: 8, p: 1 } });
    await vault.setupWithoutBlocking('correct horse battery');
    vault.lock();
    const guesses = ['guess one', 'guess two', 'guess three'].map((g) => vault.unlockWithoutBlocking(g).then(() => 'unlocked', (e: { code?: string }) => e.code));
    const answered: number[] = [];
    guesses.forEach((g, i) => void g.then(() => answered.push(i)));
    expect(await Promise.all(guesses)).toEqual(['VAULT_BAD_PASSPHRASE', 'VAULT_BAD_PASSPHRASE', 'VAULT_BAD_PASSPHRASE']);
    expect(answered).toEqual([0, 1, 2]); // in turn, never side by side
    // Three wrong guesses in a row: the next wrong one would wait 4 s (counted, not timed).
    expect((vault as unknown as { failedUnlocks: number }).failedUnlocks).toBe(3);
    // The event loop keeps turning while the key is derived: a derivation on it would let no
    // immediate run until it ended.
    let turns = 0;
    const spin = () => {
      turns++;
      if (!done) setImmediate(spin);
    };
    let done = false;
    setImmediate(spin);
    const status = await vault.unlockWithoutBlocking('correct horse battery');
    done = true;
    expect(status.state).toBe('unlocked');
    expect(turns).toBeGreaterThan(2);
    expect((vault as unknown as { failedUnlocks: number }).failedUnlocks).toBe(0);
  }, 30_000);

  it('refuses a passphrase shorter than the UIs allow, however it is given', async () => {
    const { db } = store();
    const vault = new Vault(db, { kdf: FAST_KDF });
    expect(() => vault.setupOrUnlock('x')).toThrow(/at least 8 characters/);
    await expect(vault.setupWithoutBlocking('short')).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(vault.status().state).toBe('uninitialised');
  });
});
