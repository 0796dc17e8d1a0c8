import crypto from 'node:crypto';
import { FleetError } from '../../shared/errors.js';
import type { VaultStatus } from '../../shared/contract.js';
import type { Store } from '../store/database.js';

/** The subset of Electron's safeStorage the vault uses (injected by electron/app only). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(cipher: Buffer): string;
}

export interface KdfParams {
  salt: string;
  N: number;
  r: number;
  p: number;
}

const DEFAULT_KDF = { N: 2 ** 17, r: 8, p: 1 };
const RECORD_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Secrets at rest: one random data key encrypts every secret with AES-256-GCM (the secret's id
 * is the associated data, so ciphertexts cannot be swapped between rows). The data key itself is
 * wrapped either by Electron's safeStorage or by a key derived with scrypt from the user's
 * passphrase. There is no built-in default passphrase: until one is set or given, the vault is
 * locked and every operation that needs a secret fails with VAULT_LOCKED.
 */
export class Vault {
  private dataKey: Buffer | null = null;
  private readonly warning: string | undefined;

  constructor(
    private readonly db: Store,
    private readonly options: { safeStorage?: SafeStorageLike; warning?: string; kdf?: { N: number; r: number; p: number } } = {},
  ) {
    this.warning = options.warning;
    if (this.backend() === 'safeStorage' || (!this.initialised() && options.safeStorage?.isEncryptionAvailable())) {
      this.openWithSafeStorage();
    }
  }

  status(): VaultStatus {
    const state = !this.initialised() ? 'uninitialised' : this.dataKey ? 'unlocked' : 'locked';
    return this.warning ? { state, backend: this.backend(), warning: this.warning } : { state, backend: this.backend() };
  }

  isUnlocked(): boolean {
    return this.dataKey !== null;
  }

  /** First start: choose the passphrase. Refused once a vault exists (use unlock). */
  setup(passphrase: string): VaultStatus {
    if (this.initialised()) throw new FleetError('CONFLICT', 'A passphrase is already set; unlock the vault with it instead.');
    const params = this.options.kdf ?? DEFAULT_KDF;
    const kdf: KdfParams = { salt: crypto.randomBytes(16).toString('base64'), ...params };
    const dataKey = crypto.randomBytes(32);
    const wrapped = seal(deriveKey(passphrase, kdf), dataKey, Buffer.from('vault-data-key'));
    this.db.transaction(() => {
      this.setMeta('vault.backend', 'passphrase');
      this.setMeta('vault.kdf', JSON.stringify(kdf));
      this.setMeta('vault.wrapped_key', wrapped.toString('base64'));
    })();
    this.dataKey = dataKey;
    return this.status();
  }

  unlock(passphrase: string): VaultStatus {
    if (!this.initialised()) throw new FleetError('VAULT_LOCKED', 'No passphrase has been set yet; set one first.');
    if (this.backend() !== 'passphrase') return this.status();
    const kdf = JSON.parse(this.getMeta('vault.kdf')!) as KdfParams;
    const wrapped = Buffer.from(this.getMeta('vault.wrapped_key')!, 'base64');
    try {
      this.dataKey = open(deriveKey(passphrase, kdf), wrapped, Buffer.from('vault-data-key'));
    } catch {
      throw new FleetError('VAULT_BAD_PASSPHRASE', 'That passphrase does not unlock this store.');
    }
    return this.status();
  }

  /** Setup on first use, unlock afterwards: for FLEET_PASSPHRASE and the CLI prompt. */
  setupOrUnlock(passphrase: string): VaultStatus {
    return this.initialised() ? this.unlock(passphrase) : this.setup(passphrase);
  }

  lock(): void {
    if (this.backend() === 'passphrase') this.dataKey = null;
  }

  /** Stores a secret and returns its id. Runs inside the caller's transaction if there is one. */
  put(purpose: string, value: string): string {
    const key = this.requireKey();
    const id = crypto.randomUUID();
    const ciphertext = seal(key, Buffer.from(value, 'utf8'), Buffer.from(id));
    this.db.prepare('INSERT INTO secrets (id, purpose, ciphertext, created_at) VALUES (?, ?, ?, ?)').run(id, purpose, ciphertext, new Date().toISOString());
    return id;
  }

  get(id: string): string {
    const key = this.requireKey();
    const row = this.db.prepare('SELECT ciphertext FROM secrets WHERE id = ?').get(id) as { ciphertext: Buffer } | undefined;
    if (!row) throw new FleetError('NOT_FOUND', 'A stored secret is missing from the store.');
    try {
      return open(key, row.ciphertext, Buffer.from(id)).toString('utf8');
    } catch {
      throw new FleetError('INTERNAL', 'A stored secret failed its integrity check (the store was altered or damaged).');
    }
  }

  remove(id: string | null | undefined): void {
    if (id) this.db.prepare('DELETE FROM secrets WHERE id = ?').run(id);
  }

  private requireKey(): Buffer {
    if (!this.dataKey) {
      throw new FleetError(
        'VAULT_LOCKED',
        this.initialised()
          ? 'Stored secrets are locked: unlock with your passphrase (or set FLEET_PASSPHRASE).'
          : 'No passphrase is set to protect secrets: set one first (or set FLEET_PASSPHRASE).',
      );
    }
    return this.dataKey;
  }

  private openWithSafeStorage(): void {
    const safe = this.options.safeStorage;
    if (!safe?.isEncryptionAvailable()) return;
    const wrapped = this.getMeta('vault.wrapped_key');
    if (wrapped) {
      this.dataKey = Buffer.from(safe.decryptString(Buffer.from(wrapped, 'base64')), 'base64');
      return;
    }
    const dataKey = crypto.randomBytes(32);
    this.db.transaction(() => {
      this.setMeta('vault.backend', 'safeStorage');
      this.setMeta('vault.wrapped_key', safe.encryptString(dataKey.toString('base64')).toString('base64'));
    })();
    this.dataKey = dataKey;
  }

  private initialised(): boolean {
    return this.getMeta('vault.wrapped_key') !== undefined;
  }

  private backend(): 'passphrase' | 'safeStorage' {
    const stored = this.getMeta('vault.backend');
    if (stored === 'safeStorage' || stored === 'passphrase') return stored;
    return this.options.safeStorage?.isEncryptionAvailable() ? 'safeStorage' : 'passphrase';
  }

  private getMeta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  private setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}

function deriveKey(passphrase: string, kdf: KdfParams): Buffer {
  return crypto.scryptSync(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 32, {
    N: kdf.N,
    r: kdf.r,
    p: kdf.p,
    maxmem: 256 * kdf.N * kdf.r,
  });
}

function seal(key: Buffer, plain: Buffer, aad: Buffer): Buffer {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([Buffer.from([RECORD_VERSION]), iv, cipher.getAuthTag(), body]);
}

function open(key: Buffer, record: Buffer, aad: Buffer): Buffer {
  if (record[0] !== RECORD_VERSION || record.length < 1 + IV_BYTES + TAG_BYTES) throw new Error('unknown record format');
  const iv = record.subarray(1, 1 + IV_BYTES);
  const tag = record.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(record.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
}
