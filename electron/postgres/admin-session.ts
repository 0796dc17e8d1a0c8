import type pg from 'pg';
import type { SshPool } from '../ssh/pool.js';
import { connectPostgres, withPostgres, type DbServerTarget } from './pg-over-ssh.js';

export type { DbServerTarget } from './pg-over-ssh.js';
export { classifyPgError } from './pg-over-ssh.js';

/** The host's own coordination database (locks, audit, catalog), which no tenant may reach. */
export const FLEET_DATABASE = 'fleet';

/**
 * The only databases an admin session logs in to: the server's maintenance database (cluster-level
 * statements on databases and roles) and the console's own `fleet` database. Never a tenant's:
 * everything a tenant's database holds (views, triggers, functions, operators) is the tenant's
 * code, and would run with the admin's rights.
 */
export type AdminDatabase = 'maintenance' | 'fleet';

// Startup options take precedence over `ALTER DATABASE/ROLE … SET`, so a database's owner
// cannot choose, for the admin, the search path (pg_catalog first), the role, libraries loaded at
// login or a read-only default. And no admin statement waits forever on a lock a tenant holds (an
// open transaction that granted something to a role the console is dropping, say).
// `fleet` keeps its tables in public, behind pg_catalog (so its DDL names public explicitly: new
// objects go to the first schema of the path).
const HARDENED = '-c role=none -c local_preload_libraries= -c default_transaction_read_only=off -c lock_timeout=10s -c statement_timeout=15min';
const STARTUP_OPTIONS: Record<AdminDatabase, string> = {
  maintenance: `-c search_path=pg_catalog ${HARDENED}`,
  fleet: `-c search_path=pg_catalog,public ${HARDENED}`,
};

function targetOf(server: DbServerTarget, database: AdminDatabase): DbServerTarget {
  return { ...server, database: database === 'fleet' ? FLEET_DATABASE : server.database };
}

/** A session as the host's admin role on a cluster-level database; the caller ends it. */
export function connectAdmin(pool: SshPool, server: DbServerTarget, database: AdminDatabase = 'maintenance'): Promise<pg.Client> {
  return connectPostgres(pool, targetOf(server, database), { startupOptions: STARTUP_OPTIONS[database] });
}

/** Runs `fn` in an admin session on a cluster-level database, then ends it. */
export function withAdmin<T>(pool: SshPool, server: DbServerTarget, fn: (client: pg.Client) => Promise<T>, database: AdminDatabase = 'maintenance'): Promise<T> {
  return withPostgres(pool, targetOf(server, database), fn, STARTUP_OPTIONS[database]);
}

/** The startup options of an admin session logged in to another database (ownership.ts only). */
export const CATALOG_ONLY_OPTIONS = STARTUP_OPTIONS.maintenance;
