import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostStore } from '../../electron/hosts/host-store.js';
import { Vault } from '../../electron/secrets/vault.js';
import { openStore } from '../../electron/store/database.js';
import { ManagedDbServerInput } from '../../shared/hosts.js';

const FAST_KDF = { N: 2 ** 12, r: 8, p: 1 };
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-managed-db-'));
  dirs.push(dir);
  const db = openStore(path.join(dir, 's.sqlite'));
  const vault = new Vault(db, { kdf: FAST_KDF });
  vault.setupOrUnlock('a passphrase for tests');
  const store = new HostStore(db, vault);
  const host = store.insert({
    name: 'h1',
    address: '10.0.0.1',
    port: 22,
    user: 'root',
    auth: { kind: 'agent' },
    jumpHostId: null,
    dockerSocket: '/var/run/docker.sock',
    hostKeyType: 'ssh-ed25519',
    hostKeyFingerprint: `SHA256:${'A'.repeat(43)}`,
  });
  return { db, vault, store, hostId: host.id };
}

describe('managed database-server settings', () => {
  it('are recorded as managed, with the password only as a vault secret', () => {
    const { db, vault, store, hostId } = setup();
    const secretId = vault.put('db-admin-password', 'S3cret-managed-pw');
    store.setManagedDbServer(hostId, { container: 'fleet-postgres', port: 5432, adminUser: 'postgres', database: 'postgres', passwordSecretId: secretId, network: 'fleet', image: 'postgres:16', volume: 'pgdata' });
    expect(store.dbServerView(hostId)).toMatchObject({
      address: 'fleet-postgres',
      port: 5432,
      adminUser: 'postgres',
      database: 'postgres',
      hasPassword: true,
      tenantAddress: 'fleet-postgres',
      tenantNetwork: 'fleet',
      managed: true,
      image: 'postgres:16',
      volume: 'pgdata',
    });
    expect(JSON.stringify(db.prepare('SELECT * FROM host_db_servers').all())).not.toContain('S3cret');
    expect(store.secret(store.dbServer(hostId)!.passwordSecretId)).toBe('S3cret-managed-pw');
  });

  it('become an existing server again when settings are given by hand, and the old secret goes', () => {
    const { vault, store, hostId } = setup();
    const secretId = vault.put('db-admin-password', 'first');
    store.setManagedDbServer(hostId, { container: 'fleet-postgres', port: 5432, adminUser: 'postgres', database: 'postgres', passwordSecretId: secretId, network: 'fleet', image: 'postgres:16', volume: 'pgdata' });
    store.update(hostId, { dbServer: { address: '127.0.0.1', port: 5433, adminUser: 'admin', database: 'postgres', password: 'second' } });
    expect(store.dbServerView(hostId)).toMatchObject({ address: '127.0.0.1', managed: false, image: null, volume: null });
    expect(() => vault.get(secretId)).toThrow();
  });

  it('defaults the provisioning input to the official image, the fleet network and a named volume', () => {
    const hostId = '00000000-0000-4000-8000-000000000000';
    expect(ManagedDbServerInput.parse({ hostId })).toEqual({ hostId, image: 'postgres:16', network: 'fleet', volume: 'fleet-postgres-data' });
    expect(ManagedDbServerInput.safeParse({ hostId, image: 'postgres:16; rm -rf /' }).success).toBe(false);
    expect(ManagedDbServerInput.safeParse({ hostId, volume: '../x' }).success).toBe(false);
  });
});
