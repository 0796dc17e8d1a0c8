import type pg from 'pg';
import type { SshPool } from '../ssh/pool.js';
import { withAdmin, type DbServerTarget } from './admin-session.js';
import { reassignOwnedInside } from './ownership.js';
import { generatePassword, scramSha256Verifier } from './scram.js';

// Throw-away login roles: one per in-tenant session or archive load, never more rights than the
// tenant's own role, dropped when the session ends. A role left by a killed console expires
// (VALID UNTIL: its sessions all log in at their start) and the next console to open one sweeps
// it, handing what it made to its heir — unless it still has sessions (a long dump at work).

const PREFIX = 'fleet_tmp_';
const MARK = 'odoo-fleet throw-away ';
const LIFETIME_HOURS = 6;

export interface Login {
  user: string;
  password: string;
}

export interface ThrowawayRoleSpec {
  /** The role whose rights it gets (membership, inherited); none for an archive loader. */
  memberOf: string | null;
  /** Who gets whatever it comes to own when it is dropped (the tenant's role). */
  heir: string;
}

/** Creates the role in the admin's session; the password never reaches the server (SCRAM verifier). */
export async function createThrowawayRole(admin: pg.Client, spec: ThrowawayRoleSpec): Promise<Login> {
  const login = { user: `${PREFIX}${generatePassword(9).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`, password: generatePassword() };
  const until = new Date(Date.now() + LIFETIME_HOURS * 3600_000).toISOString();
  const q = (name: string) => admin.escapeIdentifier(name);
  await admin.query('BEGIN');
  try {
    await admin.query(
      `CREATE ROLE ${q(login.user)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT` +
        `${spec.memberOf ? ` IN ROLE ${q(spec.memberOf)}` : ''} VALID UNTIL ${admin.escapeLiteral(until)} PASSWORD ${admin.escapeLiteral(scramSha256Verifier(login.password))}`,
    );
    await admin.query(`COMMENT ON ROLE ${q(login.user)} IS ${admin.escapeLiteral(MARK + JSON.stringify({ heir: spec.heir }))}`);
    await admin.query('COMMIT');
  } catch (error) {
    await admin.query('ROLLBACK').catch(() => {});
    throw error;
  }
  return login;
}

/**
 * Ends the role's sessions, hands whatever it came to own (in any database) to `heir` with
 * catalog-only statements, and drops it. Idempotent.
 */
export async function dropThrowawayRole(pool: SshPool, server: DbServerTarget, user: string, heir: string): Promise<void> {
  const found = await withAdmin(pool, server, async (c) => {
    const { rows } = await c.query<{ oid: string }>('SELECT oid::text FROM pg_catalog.pg_roles WHERE rolname = $1', [user]);
    if (!rows[0]) return null;
    // No new session may start while it is taken apart.
    await c.query(`ALTER ROLE ${c.escapeIdentifier(user)} NOLOGIN`);
    await c.query('SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = $1', [user]);
    // Objects and grants are listed per database. Grants on shared objects (a database, say)
    // have none (dbid 0): any database's DROP OWNED revokes them, so the maintenance database
    // stands for them. A database it owns (a loader's scratch copy) is listed by its owner.
    const databases = (
      await c.query<{ datname: string }>(
        `SELECT DISTINCT COALESCE(d.datname, $2) AS datname FROM pg_catalog.pg_shdepend s LEFT JOIN pg_catalog.pg_database d ON d.oid = s.dbid
          WHERE s.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass AND s.refobjid = $1::pg_catalog.oid AND (s.dbid = 0 OR d.datallowconn)
         UNION SELECT datname FROM pg_catalog.pg_database WHERE datdba = $1::pg_catalog.oid`,
        [rows[0].oid, server.database],
      )
    ).rows.map((r) => r.datname);
    const heirExists = (await c.query('SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1', [heir])).rowCount! > 0;
    return { databases, heirExists };
  });
  if (found === null) return;
  for (const database of found.databases) await reassignOwnedInside(pool, server, database, user, found.heirExists ? heir : null);
  await withAdmin(pool, server, (c) => c.query(`DROP ROLE IF EXISTS ${c.escapeIdentifier(user)}`));
}

const sweeping = new Map<string, Promise<unknown>>();

/**
 * Starts a sweep of the host's expired throw-away roles unless one is under way, without waiting
 * for it: a role a tenant keeps from being dropped must not hold up anyone's next job.
 */
export function sweepInBackground(pool: SshPool, server: DbServerTarget): void {
  if (sweeping.has(server.hostId)) return;
  const sweep = sweepExpiredThrowawayRoles(pool, server)
    .catch((error: Error) => pool.log.warn('sweep of expired throw-away roles failed', { hostId: server.hostId, error: error.message }))
    .finally(() => sweeping.delete(server.hostId));
  sweeping.set(server.hostId, sweep);
}

/** Drops the throw-away roles whose lifetime is over (a console died before dropping them). */
export async function sweepExpiredThrowawayRoles(pool: SshPool, server: DbServerTarget): Promise<number> {
  const expired = await withAdmin(pool, server, async (c) =>
    (
      await c.query<{ name: string; mark: string | null }>(
        `SELECT rolname AS name, pg_catalog.shobj_description(oid, 'pg_authid') AS mark FROM pg_catalog.pg_roles
          WHERE rolname LIKE 'fleet\\_tmp\\_%' AND rolvaliduntil < pg_catalog.now()
            AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.usename = rolname)`,
      )
    ).rows,
  );
  for (const role of expired) {
    const heir = heirOf(role.mark);
    if (heir) await dropThrowawayRole(pool, server, role.name, heir).catch((error: Error) => pool.log.warn('expired throw-away role not dropped', { hostId: server.hostId, role: role.name, error: error.message }));
  }
  return expired.length;
}

/** The heir a throw-away role's comment names; null for any other role. */
export function heirOf(mark: string | null): string | null {
  if (!mark?.startsWith(MARK)) return null;
  try {
    const heir = (JSON.parse(mark.slice(MARK.length)) as { heir?: unknown }).heir;
    return typeof heir === 'string' ? heir : null;
  } catch {
    return null;
  }
}
