import type pg from 'pg';
import { FleetError } from '../../shared/errors.js';
import type { SshPool } from '../ssh/pool.js';
import { CATALOG_ONLY_OPTIONS, type DbServerTarget } from './admin-session.js';
import { withPostgres } from './pg-over-ssh.js';

// The one place an admin session logs in to a database that is not cluster-level — a tenant's,
// a scratch copy, one not adopted yet — and it runs only catalog statements there: reads of
// pg_catalog by schema-qualified names, and ownership hand-overs (REASSIGN OWNED, ALTER … OWNER),
// which run no code of the database's. The session is never handed out.
//
// What could still run the database's code for an admin there is an event trigger (DDL, or a
// login trigger on PostgreSQL 17), and only a superuser can create one: a database holding one is
// refused before anything is changed in it.

async function withCatalogSession<T>(pool: SshPool, server: DbServerTarget, database: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  return withPostgres(pool, { ...server, database }, fn, CATALOG_ONLY_OPTIONS);
}

export interface DatabaseInspection {
  /** A plain table public.ir_module_module: an Odoo database. */
  odoo: boolean;
  /** Event triggers (only a superuser makes them): their code would run in an admin's DDL here. */
  eventTriggers: number;
  /**
   * SECURITY DEFINER functions owned by a superuser (other than `exceptOwner`, whose objects are
   * about to be handed over): a way up for whoever may call them.
   */
  superuserDefinerFunctions: number;
  /**
   * Tables, views and sequences owned by roles other than `exceptOwner` (extensions' own aside):
   * they stay theirs after a hand-over, so the tenant could not read them, nor back them up.
   */
  foreignRelations: number;
}

/** What the catalogs of `database` say, read with schema-qualified names only. */
export function inspectDatabase(pool: SshPool, server: DbServerTarget, database: string, exceptOwner = ''): Promise<DatabaseInspection> {
  return withCatalogSession(pool, server, database, async (c) => {
    const { rows } = await c.query<{ odoo: boolean; triggers: string; definers: string; others: string }>(
      `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class t JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
                       WHERE n.nspname = 'public' AND t.relname = 'ir_module_module' AND t.relkind = 'r') AS odoo,
              (SELECT pg_catalog.count(*) FROM pg_catalog.pg_event_trigger)::pg_catalog.text AS triggers,
              (SELECT pg_catalog.count(*) FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_roles r ON r.oid = p.proowner
                 JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                WHERE p.prosecdef AND r.rolsuper AND r.rolname <> $1 AND n.nspname <> 'pg_catalog' AND n.nspname <> 'information_schema')::pg_catalog.text AS definers,
              (SELECT pg_catalog.count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND pg_catalog.pg_get_userbyid(c.relowner) <> $1 AND ${USER_SCHEMA}
                  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid AND d.deptype = 'e'))::pg_catalog.text AS others`,
      [exceptOwner],
    );
    const row = rows[0]!;
    return { odoo: row.odoo, eventTriggers: Number(row.triggers), superuserDefinerFunctions: Number(row.definers), foreignRelations: Number(row.others) };
  });
}

async function refuseEventTriggers(c: pg.Client, database: string): Promise<void> {
  const { rows } = await c.query<{ n: string }>('SELECT pg_catalog.count(*)::pg_catalog.text AS n FROM pg_catalog.pg_event_trigger');
  if (rows[0]!.n !== '0') {
    throw new FleetError('CONFLICT', `The database "${database}" has event triggers (only a superuser makes them); they would run during the ownership hand-over, so it is refused. Remove them first.`, { database });
  }
}

/**
 * Gives what `from` owns in `database` to `to` (with `to` null: drops it) and revokes what was
 * granted to `from` there. Used for throw-away roles, whose only objects are in such databases.
 */
export function reassignOwnedInside(pool: SshPool, server: DbServerTarget, database: string, from: string, to: string | null): Promise<void> {
  return withCatalogSession(pool, server, database, async (c) => {
    await refuseEventTriggers(c, database);
    if (to) await c.query(`REASSIGN OWNED BY ${c.escapeIdentifier(from)} TO ${c.escapeIdentifier(to)}`);
    await c.query(`DROP OWNED BY ${c.escapeIdentifier(from)}`);
  });
}

/**
 * Moves everything `from` owns in `database` to `to`. REASSIGN OWNED also moves the shared
 * objects `from` owns (other databases), so it is used only when `from` owns no other database and
 * is not a superuser; otherwise each schema, relation, function and type is moved one by one.
 */
export function transferOwnership(pool: SshPool, server: DbServerTarget, database: string, from: string, to: string): Promise<void> {
  return withCatalogSession(pool, server, database, async (c) => {
    await refuseEventTriggers(c, database);
    const { rows } = await c.query<{ superuser: boolean; others: string }>(
      `SELECT r.rolsuper AS superuser, (SELECT pg_catalog.count(*) FROM pg_catalog.pg_database d WHERE d.datdba = r.oid AND d.datname <> $2)::pg_catalog.text AS others
         FROM pg_catalog.pg_roles r WHERE r.rolname = $1`,
      [from, database],
    );
    const q = (name: string) => c.escapeIdentifier(name);
    if (rows[0] && !rows[0].superuser && rows[0].others === '0') {
      await c.query(`REASSIGN OWNED BY ${q(from)} TO ${q(to)}`);
      return;
    }
    for (const { sql } of (await c.query<{ sql: string }>(OWNED_OBJECTS_SQL, [from, to])).rows) await c.query(sql);
  });
}

const USER_SCHEMA = "n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'";

const OWNED_OBJECTS_SQL = `
  SELECT pg_catalog.format('ALTER SCHEMA %I OWNER TO %I', n.nspname, $2::pg_catalog.text) AS sql FROM pg_catalog.pg_namespace n
    WHERE pg_catalog.pg_get_userbyid(n.nspowner) = $1 AND ${USER_SCHEMA}
  UNION ALL
  SELECT pg_catalog.format('ALTER %s %I.%I OWNER TO %I', CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, n.nspname, c.relname, $2::pg_catalog.text)
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE pg_catalog.pg_get_userbyid(c.relowner) = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND ${USER_SCHEMA}
      AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0))
  UNION ALL
  SELECT pg_catalog.format('ALTER ROUTINE %s OWNER TO %I', p.oid::pg_catalog.regprocedure, $2::pg_catalog.text)
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE pg_catalog.pg_get_userbyid(p.proowner) = $1 AND ${USER_SCHEMA}
  UNION ALL
  SELECT pg_catalog.format('ALTER TYPE %s OWNER TO %I', t.oid::pg_catalog.regtype, $2::pg_catalog.text)
    FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    WHERE pg_catalog.pg_get_userbyid(t.typowner) = $1 AND t.typtype IN ('e', 'd', 'r') AND ${USER_SCHEMA}`;
