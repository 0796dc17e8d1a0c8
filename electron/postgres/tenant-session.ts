import type pg from 'pg';
import type { SshPool } from '../ssh/pool.js';
import { withAdmin, type DbServerTarget } from './admin-session.js';
import { connectPostgres } from './pg-over-ssh.js';
import { createThrowawayRole, dropThrowawayRole, sweepInBackground, type Login } from './throwaway-roles.js';

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

// pg_catalog first: the console's own queries mean the built-ins, not the tenant's look-alikes;
// and the session stays the throw-away role whatever the database's settings say.
const TENANT_OPTIONS = '-c search_path=pg_catalog,public -c role=none -c local_preload_libraries= -c default_transaction_read_only=off';

export async function openTenantSession(pool: SshPool, server: DbServerTarget, tenant: TenantDatabase): Promise<TenantSession> {
  sweepInBackground(pool, server);
  const login = await withAdmin(pool, server, (admin) => createThrowawayRole(admin, { memberOf: tenant.role, heir: tenant.role }));
  let closed: Promise<void> | null = null;
  // The work is done when this runs: a role the tenant keeps from being dropped (a lock held in an
  // open transaction) is logged and left to expire, never the job's failure.
  const close = () =>
    dropThrowawayRole(pool, server, login.user, tenant.role).catch((error: Error) => pool.log.warn('throw-away role left for the sweep', { hostId: server.hostId, role: login.user, error: error.message }));
  return {
    login,
    connect: () => connectPostgres(pool, { ...server, user: login.user, password: login.password, database: tenant.database }, { startupOptions: TENANT_OPTIONS }),
    close: () => (closed ??= close()),
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
