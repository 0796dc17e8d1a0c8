import crypto from 'node:crypto';
import { FleetError } from '../../shared/errors.js';
import type { Vault } from '../secrets/vault.js';
import type { Store } from '../store/database.js';
import { BACKUP_KEY_BYTES, backupKeyId, type BackupKey } from './encryption.js';

export type { BackupKey } from './encryption.js';

// The user's backup keys. The key itself is a vault secret; the store keeps only its name, its
// fingerprint (the id archives name) and the secret's id. A key leaves the console only through
// export(), as one line the user keeps elsewhere: archives are unreadable without it.

export interface BackupKeyInfo {
  id: string;
  name: string;
  createdAt: string;
}

interface Row {
  id: string;
  name: string;
  secret_id: string;
  created_at: string;
}

const EXPORT_PREFIX = 'odoo-fleet-backup-key-v1';
// The key id doubles as the checksum: a mistyped or cut line fails it, and it names the key.
const EXPORT_FORMAT = new RegExp(`^${EXPORT_PREFIX}:([^:]*):([^:]*)$`);
const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/i;
const SECRET_PURPOSE = 'backup-key';

export class BackupKeys {
  constructor(
    private readonly db: Store,
    private readonly vault: Vault,
  ) {}

  /** A new random key under `name`. */
  create(name: string): BackupKeyInfo {
    checkName(name);
    this.refuseNameClash(name);
    return this.insert(name, crypto.randomBytes(BACKUP_KEY_BYTES));
  }

  list(): BackupKeyInfo[] {
    return (this.db.prepare('SELECT * FROM backup_keys ORDER BY name').all() as Row[]).map(toInfo);
  }

  /** The key as one line of text, for import() in another console. */
  export(name: string): string {
    const key = this.requireByName(name);
    return `${EXPORT_PREFIX}:${key.key.toString('base64url')}:${key.id}`;
  }

  import(name: string, text: string): BackupKeyInfo {
    checkName(name);
    const key = parseExport(text);
    this.refuseNameClash(name);
    const existing = this.row(backupKeyId(key));
    if (existing) throw new FleetError('CONFLICT', `This backup key is already here, named '${existing.name}'.`, { name: existing.name, keyId: existing.id });
    return this.insert(name, key);
  }

  /** Forgets the key: archives encrypted with it can no longer be read here. */
  remove(name: string): void {
    const row = this.rowByName(name);
    if (!row) throw notFound(name);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM backup_keys WHERE id = ?').run(row.id);
      this.vault.remove(row.secret_id);
    })();
  }

  /** The key an archive names by its id; fails with VAULT_LOCKED while the vault is locked. */
  get(keyId: string): BackupKey | undefined {
    const row = this.row(keyId);
    return row && this.load(row);
  }

  byName(name: string): BackupKey | undefined {
    const row = this.rowByName(name);
    return row && this.load(row);
  }

  private requireByName(name: string): BackupKey {
    const key = this.byName(name);
    if (!key) throw notFound(name);
    return key;
  }

  private insert(name: string, key: Buffer): BackupKeyInfo {
    const row: Row = { id: backupKeyId(key), name, secret_id: '', created_at: new Date().toISOString() };
    this.db.transaction(() => {
      row.secret_id = this.vault.put(SECRET_PURPOSE, key.toString('base64'));
      this.db.prepare('INSERT INTO backup_keys (id, name, secret_id, created_at) VALUES (@id, @name, @secret_id, @created_at)').run(row);
    })();
    return toInfo(row);
  }

  private load(row: Row): BackupKey {
    const key = Buffer.from(this.vault.get(row.secret_id), 'base64');
    if (key.length !== BACKUP_KEY_BYTES || backupKeyId(key) !== row.id) {
      throw new FleetError('INTERNAL', `Backup key '${row.name}' in the vault does not match its fingerprint ${row.id} (the store was altered or damaged).`);
    }
    return { id: row.id, name: row.name, key };
  }

  private refuseNameClash(name: string): void {
    const existing = this.rowByName(name);
    if (existing) throw new FleetError('CONFLICT', `A backup key named '${existing.name}' already exists.`, { name: existing.name });
  }

  private row(keyId: string): Row | undefined {
    return this.db.prepare('SELECT * FROM backup_keys WHERE id = ?').get(keyId) as Row | undefined;
  }

  private rowByName(name: string): Row | undefined {
    return this.db.prepare('SELECT * FROM backup_keys WHERE name = ?').get(name) as Row | undefined;
  }
}

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new FleetError('VALIDATION', "A backup key's name is 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit.", { name });
  }
}

/** The key in an exported line. Errors never quote the line: it is the key. */
function parseExport(text: string): Buffer {
  const match = EXPORT_FORMAT.exec(text.trim());
  if (!match) throw new FleetError('VALIDATION', `That is not an Odoo Fleet backup key: expected one line starting with '${EXPORT_PREFIX}:'.`);
  const encoded = match[1]!;
  const checksum = match[2]!;
  const key = Buffer.from(encoded, 'base64url');
  // Re-encoding catches a line cut short or with characters added, which base64 decoding skips.
  if (key.length !== BACKUP_KEY_BYTES || key.toString('base64url') !== encoded || backupKeyId(key) !== checksum) {
    throw new FleetError('VALIDATION', 'That backup key fails its checksum: it was mistyped or cut short. Copy the whole exported line again.');
  }
  return key;
}

function notFound(name: string): FleetError {
  return new FleetError('NOT_FOUND', `There is no backup key named '${name}'.`, { name });
}

function toInfo(row: Row): BackupKeyInfo {
  return { id: row.id, name: row.name, createdAt: row.created_at };
}
