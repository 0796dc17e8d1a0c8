import type pg from 'pg';
import { scramSha256Verifier } from '../postgres/scram.js';

// A tenant's role owns only its database; nobody else (PUBLIC) may connect to it. Identifiers
// are always quoted with the driver's escaping, never spliced in as given.

export interface TenantDatabaseNames {
  database: string;
  role: string;
}

/** Creates the role and its database if missing; idempotent (a re-run after a crash converges). */
export async function createTenantDatabase(admin: pg.Client, names: TenantDatabaseNames, password: string): Promise<void> {
  const role = admin.escapeIdentifier(names.role);
  const database = admin.escapeIdentifier(names.database);
  const verifier = admin.escapeLiteral(scramSha256Verifier(password));
  const roleExists = (await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [names.role])).rowCount! > 0;
  // Neither superuser nor CREATEDB nor CREATEROLE: the role can only use what it owns.
  if (!roleExists) await admin.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD ${verifier}`);
  else await admin.query(`ALTER ROLE ${role} LOGIN PASSWORD ${verifier}`);
  const dbExists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [names.database])).rowCount! > 0;
  if (!dbExists) await admin.query(`CREATE DATABASE ${database} OWNER ${role} ENCODING 'UTF8' TEMPLATE template0`);
  await admin.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
  await admin.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${role}`);
}

/** Blocks or allows logins of the tenant's role (suspend / reactivate). */
export async function setTenantLogin(admin: pg.Client, roleName: string, allowed: boolean): Promise<void> {
  await admin.query(`ALTER ROLE ${admin.escapeIdentifier(roleName)} ${allowed ? 'LOGIN' : 'NOLOGIN'}`);
}

/** Drops the database (after ending its sessions) and the role; idempotent. */
export async function dropTenantDatabase(admin: pg.Client, names: TenantDatabaseNames): Promise<void> {
  const dbExists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [names.database])).rowCount! > 0;
  if (dbExists) {
    await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(names.database)} ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [names.database]);
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(names.database)}`);
  }
  await admin.query(`DROP ROLE IF EXISTS ${admin.escapeIdentifier(names.role)}`);
}
