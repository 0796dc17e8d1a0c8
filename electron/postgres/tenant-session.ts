import type pg from 'pg';
import type { SshPool } from '../ssh/pool.js';
import { withAdmin, type DbServerTarget } from './admin-session.js';
import { connectPostgres } from './pg-over-ssh.js';
import { createThrowawayRole, dropThrowawayRole, sweepExpiredThrowawayRoles, type Login } from './throwaway-roles.js';

/** A tenant's database (or a scratch copy of it) and the tenant's role, which owns it. */
export interface TenantDatabase {
  database: string;
  role: string;
}

/**
 * Work inside a tenant's database, logged in as a throw-away member of the tenant's role: exactly
 * the tenant's rights, whatever the tenant's code in there does (its triggers may `RESET ROLE`:
 * there is nothing above). It logs in even while the tenant's own role is NOLOGIN (suspended).
 */
export interface TenantSession {
  /** For client tools in a container (pg_dump): the throw-away role's login. */
  readonly login: Login;
  /** A new connection to the tenant's database as that role; the caller ends it. */
  connect(): Promise<pg.Client>;
  /** Drops the role (what it came to own goes to the tenant's role). */
  close(): Promise<void>;
}

// pg_catalog first: the console's own queries mean the built-ins, not the tenant's look-alikes.
const TENANT_OPTIONS = '-c search_path=pg_catalog,public';

export async function openTenantSession(pool: SshPool, server: DbServerTarget, tenant: TenantDatabase): Promise<TenantSession> {
  await sweepExpiredThrowawayRoles(pool, server).catch(() => 0);
  const login = await withAdmin(pool, server, (admin) => createThrowawayRole(admin, { memberOf: tenant.role, heir: tenant.role }));
  let closed: Promise<void> | null = null;
  return {
    login,
    connect: () => connectPostgres(pool, { ...server, user: login.user, password: login.password, database: tenant.database }, { startupOptions: TENANT_OPTIONS }),
    close: () => (closed ??= dropThrowawayRole(pool, server, login.user, tenant.role)),
  };
}

/** Runs `fn` on one connection inside the tenant's database as the tenant, then drops the role. */
export async function withTenantSession<T>(pool: SshPool, server: DbServerTarget, tenant: TenantDatabase, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const session = await openTenantSession(pool, server, tenant);
  try {
    const client = await session.connect();
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => {});
    }
  } finally {
    await session.close();
  }
}
