import crypto from 'node:crypto';
import { FleetError } from '../../shared/errors.js';
import type { DbServerView, HostAuthView } from '../../shared/hosts.js';
import type { Vault } from '../secrets/vault.js';
import type { Store } from '../store/database.js';

export interface HostRecord {
  id: string;
  name: string;
  address: string;
  port: number;
  user: string;
  authKind: 'key' | 'agent' | 'password';
  keyPaths: string[];
  passphraseSecretId: string | null;
  passwordSecretId: string | null;
  agentSocket: string | null;
  jumpHostId: string | null;
  dockerSocket: string;
  hostKeyType: string;
  hostKeyFingerprint: string;
  createdAt: string;
  updatedAt: string;
}

export interface DbServerRecord {
  hostId: string;
  address: string;
  port: number;
  adminUser: string;
  database: string;
  passwordSecretId: string | null;
  tenantAddress: string | null;
  tenantNetwork: string | null;
  clientImage: string | null;
  /** A container the console set up (address is then its name, resolved to its IP at connect time). */
  managed: boolean;
  managedImage: string | null;
  managedVolume: string | null;
}

/** A managed server's settings; its admin password is already in the vault (passwordSecretId). */
export interface ManagedDbServer {
  container: string;
  port: number;
  adminUser: string;
  database: string;
  passwordSecretId: string;
  network: string;
  image: string;
  volume: string;
}

// A host is read as an array of values (`.raw()`) of these columns, in this order: better-sqlite3
// builds arrays about twice as fast as row objects, which counts when listing thousands of hosts.
const HOST_COLUMNS =
  'id, name, address, port, user, auth_kind, key_paths, passphrase_secret_id, password_secret_id, agent_socket, jump_host_id, docker_socket, host_key_type, host_key_fingerprint, created_at, updated_at';
type HostValues = [
  id: string,
  name: string,
  address: string,
  port: number,
  user: string,
  authKind: HostRecord['authKind'],
  keyPaths: string,
  passphraseSecretId: string | null,
  passwordSecretId: string | null,
  agentSocket: string | null,
  jumpHostId: string | null,
  dockerSocket: string,
  hostKeyType: string,
  hostKeyFingerprint: string,
  createdAt: string,
  updatedAt: string,
];

function fromValues(values: HostValues): HostRecord {
  const [id, name, address, port, user, authKind, keyPaths, passphraseSecretId, passwordSecretId, agentSocket, jumpHostId, dockerSocket, hostKeyType, hostKeyFingerprint, createdAt, updatedAt] = values;
  return {
    id,
    name,
    address,
    port,
    user,
    authKind,
    keyPaths: JSON.parse(keyPaths) as string[],
    passphraseSecretId,
    passwordSecretId,
    agentSocket,
    jumpHostId,
    dockerSocket,
    hostKeyType,
    hostKeyFingerprint,
    createdAt,
    updatedAt,
  };
}

interface DbServerRow {
  host_id: string;
  address: string;
  port: number;
  admin_user: string;
  database: string;
  password_secret_id: string | null;
  tenant_address: string | null;
  tenant_network: string | null;
  client_image: string | null;
  managed: number;
  managed_image: string | null;
  managed_volume: string | null;
}

function dbServerFromRow(row: DbServerRow): DbServerRecord {
  return {
    hostId: row.host_id,
    address: row.address,
    port: row.port,
    adminUser: row.admin_user,
    database: row.database,
    passwordSecretId: row.password_secret_id,
    tenantAddress: row.tenant_address,
    tenantNetwork: row.tenant_network,
    clientImage: row.client_image,
    managed: row.managed === 1,
    managedImage: row.managed_image,
    managedVolume: row.managed_volume,
  };
}

/** What the UI may see of a database server: whether a password is stored, never its id. */
export function dbServerViewOf(db: DbServerRecord | undefined): DbServerView | null {
  return db
    ? {
        address: db.address,
        port: db.port,
        adminUser: db.adminUser,
        database: db.database,
        hasPassword: db.passwordSecretId !== null,
        tenantAddress: db.tenantAddress,
        tenantNetwork: db.tenantNetwork,
        clientImage: db.clientImage,
        managed: db.managed,
        image: db.managedImage,
        volume: db.managedVolume,
      }
    : null;
}

export interface NewHost {
  name: string;
  address: string;
  port: number;
  user: string;
  auth: { kind: 'key'; keyPaths: string[]; passphrase?: string | undefined } | { kind: 'agent'; socketPath?: string | undefined } | { kind: 'password'; password: string };
  jumpHostId: string | null;
  dockerSocket: string;
  hostKeyType: string;
  hostKeyFingerprint: string;
  dbServer?: { address: string; port: number; adminUser: string; database: string; password?: string | undefined; tenantAddress?: string | undefined; tenantNetwork?: string | undefined; clientImage?: string | undefined } | undefined;
}

/** Hosts, their pinned keys and settings in the local store; secrets go through the vault. */
export class HostStore {
  constructor(
    private readonly db: Store,
    private readonly vault: Vault,
  ) {}

  list(): HostRecord[] {
    return (this.db.prepare(`SELECT ${HOST_COLUMNS} FROM hosts ORDER BY name COLLATE NOCASE`).raw().all() as HostValues[]).map(fromValues);
  }

  find(id: string): HostRecord | undefined {
    const values = this.db.prepare(`SELECT ${HOST_COLUMNS} FROM hosts WHERE id = ?`).raw().get(id) as HostValues | undefined;
    return values ? fromValues(values) : undefined;
  }

  get(id: string): HostRecord {
    const host = this.find(id);
    if (!host) throw new FleetError('NOT_FOUND', 'No such host.', { id });
    return host;
  }

  findByName(name: string): HostRecord | undefined {
    const values = this.db.prepare(`SELECT ${HOST_COLUMNS} FROM hosts WHERE name = ? COLLATE NOCASE`).raw().get(name) as HostValues | undefined;
    return values ? fromValues(values) : undefined;
  }

  insert(host: NewHost): HostRecord {
    const id = crypto.randomUUID();
    const now = new Date().toISOString();
    this.db.transaction(() => {
      if (this.findByName(host.name)) throw new FleetError('CONFLICT', `A host named "${host.name}" already exists.`, { field: 'name' });
      const secrets = this.storeAuthSecrets(host.auth);
      this.db
        .prepare(
          `INSERT INTO hosts (id, name, address, port, user, auth_kind, key_paths, passphrase_secret_id, password_secret_id, agent_socket,
             jump_host_id, docker_socket, host_key_type, host_key_fingerprint, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          host.name,
          host.address,
          host.port,
          host.user,
          host.auth.kind,
          JSON.stringify(host.auth.kind === 'key' ? host.auth.keyPaths : []),
          secrets.passphrase,
          secrets.password,
          host.auth.kind === 'agent' ? (host.auth.socketPath ?? null) : null,
          host.jumpHostId,
          host.dockerSocket,
          host.hostKeyType,
          host.hostKeyFingerprint,
          now,
          now,
        );
      if (host.dbServer) this.setDbServer(id, host.dbServer);
    })();
    return this.get(id);
  }

  update(id: string, changes: { name?: string | undefined; user?: string | undefined; dockerSocket?: string | undefined; auth?: NewHost['auth'] | undefined; dbServer?: NewHost['dbServer'] | null }): HostRecord {
    this.db.transaction(() => {
      const current = this.get(id);
      if (changes.name && changes.name.toLowerCase() !== current.name.toLowerCase() && this.findByName(changes.name)) {
        throw new FleetError('CONFLICT', `A host named "${changes.name}" already exists.`, { field: 'name' });
      }
      let authColumns = {
        auth_kind: current.authKind,
        key_paths: JSON.stringify(current.keyPaths),
        passphrase_secret_id: current.passphraseSecretId,
        password_secret_id: current.passwordSecretId,
        agent_socket: current.agentSocket,
      };
      if (changes.auth) {
        const secrets = this.storeAuthSecrets(changes.auth);
        authColumns = {
          auth_kind: changes.auth.kind,
          key_paths: JSON.stringify(changes.auth.kind === 'key' ? changes.auth.keyPaths : []),
          passphrase_secret_id: secrets.passphrase,
          password_secret_id: secrets.password,
          agent_socket: changes.auth.kind === 'agent' ? (changes.auth.socketPath ?? null) : null,
        };
      }
      this.db
        .prepare(
          `UPDATE hosts SET name = @name, user = @user, docker_socket = @docker_socket, auth_kind = @auth_kind, key_paths = @key_paths,
             passphrase_secret_id = @passphrase_secret_id, password_secret_id = @password_secret_id, agent_socket = @agent_socket, updated_at = @now
           WHERE id = @id`,
        )
        .run({
          id,
          name: changes.name ?? current.name,
          user: changes.user ?? current.user,
          docker_socket: changes.dockerSocket ?? current.dockerSocket,
          ...authColumns,
          now: new Date().toISOString(),
        });
      if (changes.auth) {
        if (current.passphraseSecretId !== authColumns.passphrase_secret_id) this.vault.remove(current.passphraseSecretId);
        if (current.passwordSecretId !== authColumns.password_secret_id) this.vault.remove(current.passwordSecretId);
      }
      if (changes.dbServer === null) this.removeDbServer(id);
      else if (changes.dbServer) this.setDbServer(id, changes.dbServer);
    })();
    return this.get(id);
  }

  pinKey(id: string, keyType: string, fingerprint: string): HostRecord {
    this.db.prepare('UPDATE hosts SET host_key_type = ?, host_key_fingerprint = ?, updated_at = ? WHERE id = ?').run(keyType, fingerprint, new Date().toISOString(), id);
    return this.get(id);
  }

  remove(id: string): boolean {
    return this.db.transaction(() => {
      const host = this.find(id);
      if (!host) return false;
      const dependants = this.db.prepare('SELECT name FROM hosts WHERE jump_host_id = ?').all(id) as Array<{ name: string }>;
      if (dependants.length > 0) {
        throw new FleetError('CONFLICT', `Other hosts jump through "${host.name}": ${dependants.map((d) => d.name).join(', ')}. Change or remove them first.`);
      }
      this.removeDbServer(id);
      this.db.prepare('DELETE FROM hosts WHERE id = ?').run(id);
      this.vault.remove(host.passphraseSecretId);
      this.vault.remove(host.passwordSecretId);
      return true;
    })();
  }

  dbServer(hostId: string): DbServerRecord | undefined {
    const row = this.db.prepare('SELECT * FROM host_db_servers WHERE host_id = ?').get(hostId) as DbServerRow | undefined;
    return row ? dbServerFromRow(row) : undefined;
  }

  /** Every host's database server by host id: one query for a whole listing, not one per host. */
  dbServers(): Map<string, DbServerRecord> {
    const rows = this.db.prepare('SELECT * FROM host_db_servers').all() as DbServerRow[];
    return new Map(rows.map((row) => [row.host_id, dbServerFromRow(row)]));
  }

  secret(id: string | null): string | undefined {
    return id ? this.vault.get(id) : undefined;
  }

  authView(host: HostRecord): HostAuthView {
    if (host.authKind === 'key') return { kind: 'key', keyPaths: host.keyPaths, hasPassphrase: host.passphraseSecretId !== null };
    if (host.authKind === 'agent') return host.agentSocket ? { kind: 'agent', socketPath: host.agentSocket } : { kind: 'agent' };
    return { kind: 'password' };
  }

  dbServerView(hostId: string): DbServerView | null {
    return dbServerViewOf(this.dbServer(hostId));
  }

  private storeAuthSecrets(auth: NewHost['auth']): { passphrase: string | null; password: string | null } {
    if (auth.kind === 'key' && auth.passphrase) return { passphrase: this.vault.put('ssh-key-passphrase', auth.passphrase), password: null };
    if (auth.kind === 'password') return { passphrase: null, password: this.vault.put('ssh-password', auth.password) };
    return { passphrase: null, password: null };
  }

  private setDbServer(hostId: string, db: NonNullable<NewHost['dbServer']>) {
    const previous = this.dbServer(hostId);
    const passwordSecretId = db.password ? this.vault.put('db-admin-password', db.password) : (previous?.passwordSecretId ?? null);
    this.db
      .prepare(
        `INSERT INTO host_db_servers (host_id, address, port, admin_user, database, password_secret_id, tenant_address, tenant_network, client_image) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(host_id) DO UPDATE SET address = excluded.address, port = excluded.port, admin_user = excluded.admin_user,
           database = excluded.database, password_secret_id = excluded.password_secret_id,
           tenant_address = excluded.tenant_address, tenant_network = excluded.tenant_network, client_image = excluded.client_image,
           managed = 0, managed_image = NULL, managed_volume = NULL`,
      )
      .run(hostId, db.address, db.port, db.adminUser, db.database, passwordSecretId, db.tenantAddress ?? null, db.tenantNetwork ?? null, db.clientImage ?? null);
    if (previous?.passwordSecretId && previous.passwordSecretId !== passwordSecretId) this.vault.remove(previous.passwordSecretId);
  }

  /**
   * Records a managed server as the host's database server. Settings given by hand (hosts.update)
   * replace it again as an existing server; the container itself stays on the host.
   */
  setManagedDbServer(hostId: string, db: ManagedDbServer): void {
    this.db.transaction(() => {
      this.get(hostId);
      const previous = this.dbServer(hostId);
      this.db
        .prepare(
          `INSERT INTO host_db_servers (host_id, address, port, admin_user, database, password_secret_id, tenant_address, tenant_network, managed, managed_image, managed_volume)
           VALUES (@hostId, @container, @port, @adminUser, @database, @passwordSecretId, @container, @network, 1, @image, @volume)
           ON CONFLICT(host_id) DO UPDATE SET address = excluded.address, port = excluded.port, admin_user = excluded.admin_user,
             database = excluded.database, password_secret_id = excluded.password_secret_id, tenant_address = excluded.tenant_address,
             tenant_network = excluded.tenant_network, managed = 1, managed_image = excluded.managed_image, managed_volume = excluded.managed_volume`,
        )
        .run({ hostId, ...db });
      if (previous?.passwordSecretId && previous.passwordSecretId !== db.passwordSecretId) this.vault.remove(previous.passwordSecretId);
    })();
  }

  private removeDbServer(hostId: string) {
    const previous = this.dbServer(hostId);
    if (!previous) return;
    this.db.prepare('DELETE FROM host_db_servers WHERE host_id = ?').run(hostId);
    this.vault.remove(previous.passwordSecretId);
  }
}
