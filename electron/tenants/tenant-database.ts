import type pg from 'pg';
import { FleetError } from '../../shared/errors.js';
import { confineDatabase } from '../postgres/database-access.js';
import { scramSha256Verifier } from '../postgres/scram.js';

// A tenant's role owns only its database; nobody else (PUBLIC) may connect to it. Identifiers
// are always quoted with the driver's escaping, never spliced in as given.

export interface TenantDatabaseNames {
  database: string;
  role: string;
}

/** Creates the tenant's login role (marked as `owner`'s), or sets its password when it is already `owner`'s; refuses anyone else's. */
export async function ensureTenantRole(admin: pg.Client, roleName: string, password: string, owner?: string): Promise<void> {
  const role = admin.escapeIdentifier(roleName);
  const verifier = admin.escapeLiteral(scramSha256Verifier(password));
  const existingRole = await roleMark(admin, roleName);
  if (existingRole === undefined) {
    // Neither superuser nor CREATEDB nor CREATEROLE: the role can only use what it owns.
    await admin.query('BEGIN');
    try {
      await admin.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD ${verifier}`);
      if (owner) await admin.query(`COMMENT ON ROLE ${role} IS ${admin.escapeLiteral(ownerMark(owner))}`);
      await admin.query('COMMIT');
    } catch (error) {
      await admin.query('ROLLBACK').catch(() => {});
      throw error;
    }
  } else {
    if (owner && existingRole !== ownerMark(owner)) {
      throw new FleetError('CONFLICT', `The database role "${roleName}" already exists and was not made by this job; pick another name, or adopt the tenant.`, { field: 'role' });
    }
    await admin.query(`ALTER ROLE ${role} LOGIN PASSWORD ${verifier}`);
  }
}

/**
 * Creates the role and its database if missing; idempotent (a re-run after a crash converges).
 * With `owner` (e.g. the creating job's id), the role is marked as that owner's in the same
 * transaction that creates it, and a role or database that exists without that mark — made by
 * someone else between the preflight check and now — is refused, never taken over.
 */
export async function createTenantDatabase(admin: pg.Client, names: TenantDatabaseNames, password: string, owner?: string): Promise<void> {
  await ensureTenantRole(admin, names.role, password, owner);
  const role = admin.escapeIdentifier(names.role);
  const database = admin.escapeIdentifier(names.database);
  const dbOwner = await databaseOwner(admin, names.database);
  if (dbOwner === undefined) await admin.query(`CREATE DATABASE ${database} OWNER ${role} ENCODING 'UTF8' TEMPLATE template0`);
  else if (dbOwner !== names.role) {
    throw new FleetError('CONFLICT', `The database "${names.database}" already exists, owned by "${dbOwner}"; pick another name, or adopt it.`, { field: 'database' });
  }
  await confineDatabase(admin, names.database, names.role);
}

/** Blocks or allows logins of the tenant's role (suspend / reactivate). */
export async function setTenantLogin(admin: pg.Client, roleName: string, allowed: boolean): Promise<void> {
  await admin.query(`ALTER ROLE ${admin.escapeIdentifier(roleName)} ${allowed ? 'LOGIN' : 'NOLOGIN'}`);
}

/**
 * Drops the database (after ending its sessions) and the role; idempotent. With `owner`, only
 * what that owner made: a role without its mark, and a database owned by anyone else, stay.
 */
export async function dropTenantDatabase(admin: pg.Client, names: TenantDatabaseNames, owner?: string): Promise<void> {
  const mark = await roleMark(admin, names.role);
  const ours = owner === undefined || (mark !== undefined && mark === ownerMark(owner));
  const dbOwner = await databaseOwner(admin, names.database);
  if (dbOwner !== undefined && (owner === undefined || (ours && dbOwner === names.role))) {
    // Its owner may have made it a template, which could not be dropped.
    await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(names.database)} WITH IS_TEMPLATE false ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [names.database]);
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(names.database)}`);
  }
  if (mark !== undefined && ours) await admin.query(`DROP ROLE IF EXISTS ${admin.escapeIdentifier(names.role)}`);
}

export function ownerMark(owner: string): string {
  return `odoo-fleet: ${owner}`;
}

/** The role's comment ('' when it has none), or undefined when the role does not exist. */
async function roleMark(admin: pg.Client, role: string): Promise<string | undefined> {
  const { rows } = await admin.query<{ mark: string | null }>("SELECT shobj_description(oid, 'pg_authid') AS mark FROM pg_roles WHERE rolname = $1", [role]);
  return rows.length ? (rows[0]!.mark ?? '') : undefined;
}

async function databaseOwner(admin: pg.Client, database: string): Promise<string | undefined> {
  const { rows } = await admin.query<{ owner: string }>('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [database]);
  return rows[0]?.owner;
}

