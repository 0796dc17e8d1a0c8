import type { SshPool } from '../ssh/pool.js';
import { withAdmin, type DbServerTarget } from './admin-session.js';
import { confineDatabase, resetDatabase } from './database-access.js';
import type { TenantDatabase } from './tenant-session.js';
import { createThrowawayRole, dropThrowawayRole, heirOf, sweepInBackground, type Login } from './throwaway-roles.js';

/**
 * Loading an archive (restore, verify drills, clones, an update's revert point): psql logs in as
 * a throw-away role that belongs to no other role and owns the scratch database for the length of
 * the load — the only database it may connect to among those the console made. Whatever the dump
 * does (`SET ROLE`, `ALTER ROLE … PASSWORD`, grants) it does with that role's rights alone. Once
 * done, the admin hands the scratch database and its objects to the tenant's role with
 * catalog-only statements and resets who may connect to it.
 */
export interface ArchiveLoader {
  readonly login: Login;
  /** Hands everything to the tenant's role and drops the loader; idempotent, and run once when it succeeds. */
  finish(): Promise<void>;
}

export async function openArchiveLoader(pool: SshPool, server: DbServerTarget, scratch: TenantDatabase): Promise<ArchiveLoader> {
  sweepInBackground(pool, server);
  const login = await withAdmin(pool, server, async (admin) => {
    const created = await createThrowawayRole(admin, { memberOf: null, heir: scratch.role });
    await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(scratch.database)} OWNER TO ${admin.escapeIdentifier(created.user)}`);
    await confineDatabase(admin, scratch.database, created.user);
    return created;
  });
  // Once done, done: a second call is free (a failed one may be tried again).
  let finishing: Promise<void> | null = null;
  const finish = () =>
    (finishing ??= finishArchiveLoad(pool, server, scratch, login.user).catch((error: unknown) => {
      finishing = null;
      throw error;
    }));
  return { login, finish };
}

/** Also what a console resuming a killed load runs, knowing only the loader's name. */
export async function finishArchiveLoad(pool: SshPool, server: DbServerTarget, scratch: TenantDatabase, loader: string): Promise<void> {
  const scratchExists = await withAdmin(pool, server, async (c) => (await c.query('SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1', [scratch.database])).rowCount! > 0);
  try {
    await dropThrowawayRole(pool, server, loader, scratch.role);
  } finally {
    // Whatever the archive set as the database's owner goes, hand-over or not: its settings
    // (a role, libraries, read-only), template flag and connection limit, and who may connect.
    if (scratchExists) {
      await withAdmin(pool, server, async (admin) => {
        await resetDatabase(admin, scratch.database);
        await confineDatabase(admin, scratch.database, scratch.role);
      });
    }
  }
}

/**
 * A console killed between creating a loader and journaling its name leaves the scratch database
 * owned by that loader: gives it back to the tenant's role (only a throw-away role made for that
 * tenant is taken for one), so the scratch copy can be dropped.
 */
export async function reclaimScratch(pool: SshPool, server: DbServerTarget, scratch: TenantDatabase): Promise<void> {
  const owner = await withAdmin(pool, server, async (c) => {
    const { rows } = await c.query<{ owner: string; mark: string | null }>(
      `SELECT r.rolname AS owner, pg_catalog.shobj_description(r.oid, 'pg_authid') AS mark
         FROM pg_catalog.pg_database d JOIN pg_catalog.pg_roles r ON r.oid = d.datdba WHERE d.datname = $1`,
      [scratch.database],
    );
    return rows[0] && heirOf(rows[0].mark) === scratch.role ? rows[0].owner : null;
  });
  if (owner) await finishArchiveLoad(pool, server, scratch, owner);
}
