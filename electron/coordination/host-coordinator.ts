import type pg from 'pg';
import { FleetError } from '../../shared/errors.js';
import type { AuditRecord } from '../audit/audit-log.js';
import { redactSecrets } from '../common/redact.js';
import { connectAdmin, FLEET_DATABASE, withAdmin, type DbServerTarget } from '../postgres/admin-session.js';
import { confineDatabase } from '../postgres/database-access.js';
import type { SshPool } from '../ssh/pool.js';

export { FLEET_DATABASE };

// Schema of the host's shared `fleet` database. Each statement is idempotent, so every console
// can run them on connect and several consoles racing here agree.
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS public.fleet_audit (
     id bigserial PRIMARY KEY,
     at timestamptz NOT NULL DEFAULT now(),
     console_id text NOT NULL,
     actor text NOT NULL,
     role text NOT NULL,
     operation text NOT NULL,
     target text,
     outcome text NOT NULL,
     error_code text,
     input jsonb NOT NULL DEFAULT '{}'::jsonb
   )`,
  'CREATE INDEX IF NOT EXISTS fleet_audit_at ON fleet_audit (at DESC)',
];

/**
 * fleet's sessions run as the admin with public on their path: an object there that a role other
 * than a superuser made (a fleet database made from template1 before it was confined, on
 * PostgreSQL 14 or before) could stand in for a built-in or a table of the console's. Refused.
 */
async function refuseForeignObjects(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ owner: string; n: string }>(
    `SELECT pg_catalog.pg_get_userbyid(o.owner) AS owner, pg_catalog.count(*)::pg_catalog.text AS n FROM (
        SELECT c.relowner AS owner, c.relnamespace AS ns FROM pg_catalog.pg_class c
        UNION ALL SELECT p.proowner, p.pronamespace FROM pg_catalog.pg_proc p
        UNION ALL SELECT t.typowner, t.typnamespace FROM pg_catalog.pg_type t
        UNION ALL SELECT op.oprowner, op.oprnamespace FROM pg_catalog.pg_operator op
        UNION ALL SELECT n.nspowner, n.oid FROM pg_catalog.pg_namespace n
      ) o JOIN pg_catalog.pg_namespace n ON n.oid = o.ns JOIN pg_catalog.pg_roles r ON r.oid = o.owner
      WHERE NOT r.rolsuper AND r.rolname <> 'pg_database_owner' AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
      GROUP BY 1`,
  );
  if (rows.length > 0) {
    throw new FleetError('CONFLICT', `The host's fleet database holds objects made by ${rows.map((r) => `${r.owner} (${r.n})`).join(', ')}; they could run as the console's admin. Remove them (or drop the fleet database and let the console make it again).`, { database: FLEET_DATABASE });
  }
}

/** Runs `fn` holding the session advisory lock `key` (waited for), one console at a time. */
async function holdingLock<T>(client: pg.Client, key: string, fn: () => Promise<T>): Promise<T> {
  await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
  try {
    return await fn();
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
  }
}

/** The local trail's record, plus which console wrote it. */
export interface HostAuditRecord extends AuditRecord {
  consoleId: string;
}

export interface HeldLock {
  key: string;
  release(): Promise<void>;
}

/**
 * Coordination between consoles lives on the host's database server, in a small `fleet`
 * database: advisory locks per target (two consoles never run conflicting jobs on one tenant)
 * and the host's own audit trail (every console sees who did what to that host).
 */
export class HostCoordinator {
  private ready: Promise<void> | null = null;

  constructor(
    private readonly pool: SshPool,
    private readonly admin: DbServerTarget,
  ) {}

  /** Creates the `fleet` database and its tables if missing (safe when several consoles race). */
  ensure(): Promise<void> {
    this.ready ??= (async () => {
      await withAdmin(this.pool, this.admin, async (client) => {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [FLEET_DATABASE]);
        if (exists.rowCount === 0) {
          try {
            // From template0: template1 may hold what anyone could create there (PostgreSQL 14 and
            // before let PUBLIC create in its public schema), and fleet's sessions run as the admin.
            await client.query(`CREATE DATABASE ${FLEET_DATABASE} TEMPLATE template0`);
          } catch (error) {
            // Another console won the race: 42P04 once its database is visible, 23505 while it commits.
            const code = (error as { code?: string }).code;
            if (code !== '42P04' && code !== '23505') throw error;
          }
        }
        // No tenant role may connect to the console's own database, nor create anything in the
        // maintenance database (PostgreSQL before 15 let PUBLIC create in its public schema).
        // One console at a time: two grants or revokes on one object at once fail ("tuple
        // concurrently updated"), and consoles of hosts sharing a server start together.
        await holdingLock(client, 'fleet:access', async () => {
          await confineDatabase(client, FLEET_DATABASE, null);
          await client.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC').catch(() => {}); // a maintenance database without one
        });
      });
      await withAdmin(this.pool, this.admin, async (client) => {
        // Serialise concurrent schema set-up across consoles.
        await holdingLock(client, 'fleet:schema', async () => {
          await client.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
          await refuseForeignObjects(client);
          for (const statement of SCHEMA) await client.query(statement);
        });
      }, 'fleet');
    })().catch((error) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }

  /**
   * Takes the advisory lock for `key` on a dedicated connection, or fails at once with CONFLICT.
   * The lock lives as long as that connection: if this console dies, PostgreSQL frees it.
   */
  async lock(key: string, holderDescription: string): Promise<HeldLock> {
    await this.ensure();
    const client: pg.Client = await connectAdmin(this.pool, this.admin, 'fleet');
    try {
      await client.query('SELECT set_config($1, $2, false)', ['application_name', `odoo-fleet ${holderDescription}`.slice(0, 63)]);
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key]);
      if (!rows[0]?.locked) {
        const holder = await this.holderOf(client, key);
        throw new FleetError('CONFLICT', `Another job holds ${key}${holder ? ` (${holder})` : ''}; try again when it has finished.`, { key });
      }
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    let released = false;
    return {
      key,
      release: async () => {
        if (released) return;
        released = true;
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => {});
        await client.end().catch(() => {});
      },
    };
  }

  async recordAudit(record: HostAuditRecord): Promise<void> {
    await this.ensure();
    await withAdmin(this.pool, this.admin, (client) =>
      client.query('INSERT INTO fleet_audit (console_id, actor, role, operation, target, outcome, error_code, input) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        record.consoleId,
        record.actor,
        record.role,
        record.operation,
        record.target,
        record.outcome,
        record.errorCode,
        JSON.stringify(redactSecrets(record.input) ?? {}),
      ]),
      'fleet',
    );
  }

  async audit(limit = 200): Promise<Array<HostAuditRecord & { id: number; at: string }>> {
    await this.ensure();
    return withAdmin(this.pool, this.admin, async (client) => {
      const { rows } = await client.query('SELECT * FROM fleet_audit ORDER BY id DESC LIMIT $1', [limit]);
      return rows.map((row) => ({
        id: Number(row.id),
        at: new Date(row.at as string).toISOString(),
        consoleId: row.console_id as string,
        actor: row.actor as string,
        role: row.role as string,
        operation: row.operation as string,
        target: (row.target as string | null) ?? null,
        outcome: row.outcome as HostAuditRecord['outcome'],
        errorCode: (row.error_code as string | null) ?? null,
        input: row.input as unknown,
      }));
    }, 'fleet');
  }

  /** Runs `fn` on a connection to the host's `fleet` database (created first if missing). */
  async withFleet<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    await this.ensure();
    return withAdmin(this.pool, this.admin, fn, 'fleet');
  }

  private readonly extraSchemas = new Map<string, Promise<void>>();

  /**
   * As withFleet, after a module's own idempotent schema statements ran once (serialised across
   * consoles like the core schema).
   */
  async withSchema<T>(name: string, statements: readonly string[], fn: (client: pg.Client) => Promise<T>): Promise<T> {
    return this.withFleet(async (client) => {
      let ready = this.extraSchemas.get(name);
      if (!ready) {
        ready = holdingLock(client, 'fleet:schema', async () => {
          for (const statement of statements) await client.query(statement);
        });
        this.extraSchemas.set(name, ready);
        ready.catch(() => this.extraSchemas.delete(name));
      }
      await ready;
      return fn(client);
    });
  }

  /** Names the connection holding a lock, from pg_locks, to make a CONFLICT actionable. */
  private async holderOf(client: pg.Client, key: string): Promise<string | null> {
    const { rows } = await client.query<{ application_name: string; client_addr: string | null; backend_start: Date }>(
      `SELECT a.application_name, a.client_addr::text AS client_addr, a.backend_start
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted
          AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended($1, 0)`,
      [key],
    );
    const row = rows[0];
    return row ? `${row.application_name || 'another console'} since ${new Date(row.backend_start).toISOString()}` : null;
  }
}
