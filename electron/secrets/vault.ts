import crypto from 'node:crypto';
import { FleetError } from '../../shared/errors.js';
import type { VaultStatus } from '../../shared/contract.js';
import type { Store } from '../store/database.js';
import { ownerOnlyKey, readOwnerOnlyKey } from './key-file.js';

/** The subset of Electron's safeStorage the vault uses (injected by electron/app only). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(cipher: Buffer): string;
}

export interface VaultOptions {
  /** Electron's safeStorage, when the desktop app can use it (injected by electron/app only). */
  safeStorage?: SafeStorageLike;
  /**
   * A key file readable by this OS user only, outside the data folder: the POS's choice for
   * terminals that must start unattended (createPosServices passes it). The console never does,
   * so its secrets stay behind its passphrase or the OS keychain.
   */
  keyFile?: string;
  warning?: string;
  kdf?: { N: number; r: number; p: number };
}

type Backend = VaultStatus['backend'];

export interface KdfParams {
  salt: string;
  N: number;
  r: number;
  p: number;
}

const DEFAULT_KDF = { N: 2 ** 17, r: 8, p: 1 };
const MIN_PASSPHRASE = 8;
const RECORD_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Secrets at rest: one random data key encrypts every secret with AES-256-GCM (the secret's id
 * is the associated data, so ciphertexts cannot be swapped between rows). The data key itself is
 * wrapped by Electron's safeStorage, by a key file (the POS only: see VaultOptions.keyFile) or by
 * a key derived with scrypt from the user's passphrase. There is no built-in default passphrase:
 * until one is set or given, the vault is locked and every operation that needs a secret fails
 * with VAULT_LOCKED.
 */
export class Vault {
  private dataKey: Buffer | null = null;
  private readonly warning: string | undefined;
  /** Why a vault that opens by itself (safeStorage, key file) did not: told in status().warning. */
  private notOpened: string | null = null;

  constructor(
    private readonly db: Store,
    private readonly options: VaultOptions = {},
  ) {
    this.warning = options.warning;
    if (this.initialised() || options.safeStorage?.isEncryptionAvailable()) this.openByItself();
  }

  status(): VaultStatus {
    const state = !this.initialised() ? 'uninitialised' : this.dataKey ? 'unlocked' : 'locked';
    const warning = (this.dataKey ? null : this.notOpened) ?? this.warning;
    return warning ? { state, backend: this.backend(), warning } : { state, backend: this.backend() };
  }

  /** Opens a vault wrapped by safeStorage or a key file (a new one with safeStorage when it is usable); a passphrase's waits. */
  private openByItself(): void {
    const backend = this.backend();
    if (backend === 'safeStorage') this.openWithSafeStorage();
    else if (backend === 'keyFile') this.openWithKeyFile();
  }

  /**
   * First start of a terminal that must start unattended: a new data key wrapped by the key file
   * (made if absent, owner-only). On failure the vault stays uninitialised and status() says why.
   */
  setupWithKeyFile(): VaultStatus {
    if (this.initialised()) throw new FleetError('CONFLICT', 'This store already has its secrets set up.');
    const file = this.options.keyFile;
    if (!file) throw new FleetError('VALIDATION', 'No key file is configured for this program.');
    let key: Buffer;
    try {
      key = ownerOnlyKey(file, { replaceShort: false });
    } catch (error) {
      this.notOpened = `The key file ${file} could not be used (${(error as Error).message}): set a passphrase instead, or fix it and start again.`;
      return this.status();
    }
    this.notOpened = null;
    return this.storeWrappedKey({ backend: 'keyFile' }, key.subarray(0, 32));
  }

  /**
   * The wrap of a vault that opens by itself is gone (the key file lost or replaced, safeStorage
   * unavailable or changed): its secrets can never be read again. Wraps a new data key as a new
   * store would be (safeStorage when usable, else the key file), so the one who re-pairs can
   * store the secret again; the unreadable ones stay until their owners replace them (get() says
   * they fail their check). Nothing but the vault's own keys is touched.
   */
  startOver(): VaultStatus {
    if (!this.initialised() || this.dataKey) return this.status();
    if (this.backend() === 'passphrase') throw new FleetError('VAULT_LOCKED', 'Stored secrets are locked: unlock with your passphrase (or set FLEET_PASSPHRASE).');
    this.db.prepare("DELETE FROM meta WHERE key IN ('vault.backend', 'vault.kdf', 'vault.wrapped_key')").run();
    this.notOpened = null;
    if (this.options.safeStorage?.isEncryptionAvailable()) this.openWithSafeStorage();
    else if (this.options.keyFile) this.setupWithKeyFile();
    return this.status();
  }

  isUnlocked(): boolean {
    return this.dataKey !== null;
  }

  /** First start: choose the passphrase. Refused once a vault exists (use unlock). */
  setup(passphrase: string): VaultStatus {
    const kdf = this.newKdf(passphrase);
    return this.storeWrappedKey({ backend: 'passphrase', kdf }, deriveKey(passphrase, kdf));
  }

  /** setup, deriving the key off the event loop: for servers, which must keep answering. */
  async setupWithoutBlocking(passphrase: string): Promise<VaultStatus> {
    const kdf = this.newKdf(passphrase);
    return this.storeWrappedKey({ backend: 'passphrase', kdf }, await deriveKeyAsync(passphrase, kdf));
  }

  private newKdf(passphrase: string): KdfParams {
    if (this.initialised()) throw new FleetError('CONFLICT', 'A passphrase is already set; unlock the vault with it instead.');
    // The UIs' minimum, for FLEET_PASSPHRASE and the CLI's prompt too.
    if (passphrase.length < MIN_PASSPHRASE) throw new FleetError('VALIDATION', `The passphrase must have at least ${MIN_PASSPHRASE} characters.`, { field: 'passphrase' });
    return { salt: crypto.randomBytes(16).toString('base64'), ...(this.options.kdf ?? DEFAULT_KDF) };
  }

  private storeWrappedKey(how: { backend: 'passphrase'; kdf: KdfParams } | { backend: 'keyFile' }, wrappingKey: Buffer): VaultStatus {
    if (this.initialised()) throw new FleetError('CONFLICT', 'A passphrase is already set; unlock the vault with it instead.');
    const dataKey = crypto.randomBytes(32);
    const wrapped = seal(wrappingKey, dataKey, Buffer.from('vault-data-key'));
    this.db.transaction(() => {
      this.setMeta('vault.backend', how.backend);
      if (how.backend === 'passphrase') this.setMeta('vault.kdf', JSON.stringify(how.kdf));
      this.setMeta('vault.wrapped_key', wrapped.toString('base64'));
    })();
    this.dataKey = dataKey;
    return this.status();
  }

  unlock(passphrase: string): VaultStatus {
    const kdf = this.storedKdf();
    return kdf ? this.openWith(deriveKey(passphrase, kdf)) : this.retryOpening();
  }

  /**
   * unlock for servers: the key is derived off the event loop (scrypt takes a few hundred
   * milliseconds), attempts run one at a time, and each wrong passphrase in a row waits longer
   * before it is answered (0.5 s, doubling to 8 s), so guessing gains nothing from asking often.
   */
  unlockWithoutBlocking(passphrase: string): Promise<VaultStatus> {
    const attempt = this.unlocking.then(async () => {
      const kdf = this.storedKdf();
      if (!kdf) return this.retryOpening();
      const key = await deriveKeyAsync(passphrase, kdf);
      try {
        const status = this.openWith(key);
        this.failedUnlocks = 0;
        return status;
      } catch (error) {
        this.failedUnlocks++;
        await new Promise((resolve) => setTimeout(resolve, Math.min(8000, 500 * 2 ** (this.failedUnlocks - 1))));
        throw error;
      }
    });
    this.unlocking = attempt.catch(() => undefined);
    return attempt;
  }

  private unlocking: Promise<unknown> = Promise.resolve();
  private failedUnlocks = 0;

  /** A vault that opens by itself has no passphrase: asking to unlock it tries its wrap again (a key file put back). */
  private retryOpening(): VaultStatus {
    if (!this.dataKey) this.openByItself();
    return this.status();
  }

  /** The stored KDF parameters, or null when the vault is not passphrase-wrapped. */
  private storedKdf(): KdfParams | null {
    if (!this.initialised()) throw new FleetError('VAULT_LOCKED', 'No passphrase has been set yet; set one first.');
    if (this.backend() !== 'passphrase') return null;
    return JSON.parse(this.getMeta('vault.kdf')!) as KdfParams;
  }

  private openWith(wrappingKey: Buffer): VaultStatus {
    const wrapped = Buffer.from(this.getMeta('vault.wrapped_key')!, 'base64');
    try {
      this.dataKey = open(wrappingKey, wrapped, Buffer.from('vault-data-key'));
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
        this.notOpened ??
          (this.initialised()
            ? 'Stored secrets are locked: unlock with your passphrase (or set FLEET_PASSPHRASE).'
            : 'No passphrase is set to protect secrets: set one first (or set FLEET_PASSPHRASE).'),
      );
    }
    return this.dataKey;
  }

  private openWithSafeStorage(): void {
    const safe = this.options.safeStorage;
    const wrapped = this.getMeta('vault.wrapped_key');
    if (!safe?.isEncryptionAvailable()) {
      this.notOpened = "This store's secrets are wrapped by the desktop keyring (Electron safeStorage), which is not available now: it stays locked until someone logs in, and only the desktop app can use it.";
      return;
    }
    if (wrapped) {
      try {
        this.dataKey = Buffer.from(safe.decryptString(Buffer.from(wrapped, 'base64')), 'base64');
        this.notOpened = null;
      } catch (error) {
        this.notOpened = `The desktop keyring (Electron safeStorage) could not unwrap this store's key (${(error as Error).message}).`;
      }
      return;
    }
    const dataKey = crypto.randomBytes(32);
    this.db.transaction(() => {
      this.setMeta('vault.backend', 'safeStorage');
      this.setMeta('vault.wrapped_key', safe.encryptString(dataKey.toString('base64')).toString('base64'));
    })();
    this.dataKey = dataKey;
  }

  private openWithKeyFile(): void {
    const file = this.options.keyFile;
    if (!file) {
      this.notOpened = "This store's secrets are wrapped by a key file, which this program does not use.";
      return;
    }
    let key: Buffer | null;
    try {
      key = readOwnerOnlyKey(file);
    } catch (error) {
      this.notOpened = `The key file is refused: ${(error as Error).message}`;
      return;
    }
    if (!key) {
      this.notOpened = `The key file ${file} is missing (or empty): the secrets stored here cannot be read without it.`;
      return;
    }
    try {
      this.dataKey = open(key.subarray(0, 32), Buffer.from(this.getMeta('vault.wrapped_key')!, 'base64'), Buffer.from('vault-data-key'));
      this.notOpened = null;
    } catch {
      this.notOpened = `The key file ${file} does not unlock this store (another store's key?).`;
    }
  }

  private initialised(): boolean {
    return this.getMeta('vault.wrapped_key') !== undefined;
  }

  private backend(): Backend {
    const stored = this.getMeta('vault.backend');
    if (stored === 'safeStorage' || stored === 'passphrase' || stored === 'keyFile') return stored;
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
  return crypto.scryptSync(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 32, scryptOptions(kdf));
}

function deriveKeyAsync(passphrase: string, kdf: KdfParams): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    crypto.scrypt(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 32, scryptOptions(kdf), (error, key) => (error ? reject(error) : resolve(key))),
  );
}

function scryptOptions(kdf: KdfParams): crypto.ScryptOptions {
  return { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r };
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
