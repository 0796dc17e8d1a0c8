import type pg from 'pg';
import { FleetError } from '../../shared/errors.js';
import type { TenantSpec } from '../../shared/tenants.js';
import type { JobDefinition, Json } from '../jobs/types.js';
import { withPostgres } from '../postgres/pg-over-ssh.js';
import { adminTarget, endpointOf, requireImage, storeSecret, tenantServerSteps, tenantStorageSteps, type TenantJobDeps } from './create-job.js';
import { DATABASE_LABEL, TENANT_LABEL } from './routing.js';
import { ensureTenantRole, ownerMark } from './tenant-database.js';

export interface AdoptDatabaseInput {
  spec: TenantSpec;
}

interface Before {
  [key: string]: Json;
  previousOwner: string;
  /** PUBLIC could connect before (PostgreSQL's default): given back if adoption is undone. */
  publicConnect: boolean;
}

/**
 * Moves everything `from` owns in the connected database to `to`. REASSIGN OWNED also moves
 * the shared objects `from` owns (other databases), so it is used only when `from` owns no other
 * database and is not a superuser; otherwise each schema, relation, function and type is moved.
 */
async function transferOwnership(client: pg.Client, database: string, from: string, to: string): Promise<void> {
  const { rows } = await client.query<{ superuser: boolean; others: string }>(
    'SELECT r.rolsuper AS superuser, (SELECT count(*) FROM pg_database d WHERE d.datdba = r.oid AND d.datname <> $2)::text AS others FROM pg_roles r WHERE r.rolname = $1',
    [from, database],
  );
  const q = (name: string) => client.escapeIdentifier(name);
  if (rows[0] && !rows[0].superuser && rows[0].others === '0') {
    await client.query(`REASSIGN OWNED BY ${q(from)} TO ${q(to)}`);
    return;
  }
  const statements = await client.query<{ sql: string }>(
    `SELECT format('ALTER SCHEMA %I OWNER TO %I', n.nspname, $2::text) AS sql FROM pg_namespace n
       WHERE pg_get_userbyid(n.nspowner) = $1 AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
     UNION ALL
     SELECT format('ALTER %s %I.%I OWNER TO %I', CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, n.nspname, c.relname, $2::text)
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE pg_get_userbyid(c.relowner) = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
         AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0))
     UNION ALL
     SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, $2::text)
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE pg_get_userbyid(p.proowner) = $1 AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
     UNION ALL
     SELECT format('ALTER TYPE %s OWNER TO %I', t.oid::regtype, $2::text)
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE pg_get_userbyid(t.typowner) = $1 AND t.typtype IN ('e', 'd', 'r') AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'`,
    [from, to],
  );
  for (const { sql } of statements.rows) await client.query(sql);
}

/**
 * Adopting a database no tenant owns (it holds Odoo's ir_module_module): a role of its own takes
 * it over (ALTER DATABASE … OWNER, its objects moved), then the tenant is built around it as
 * creation builds one — volumes, secrets, labelled server container from the image picked,
 * health — without initialising anything or touching its users. Until the server is healthy a
 * failure or a crash gives the database back to its previous owner and removes the rest.
 */
export function adoptDatabaseJob(deps: TenantJobDeps): JobDefinition<AdoptDatabaseInput> {
  return {
    kind: 'tenant.adopt-database',
    target: ({ spec }) => `tenant:${spec.hostId}/${spec.name}`,
    steps: [
      {
        name: 'preflight',
        title: 'Check the database (Odoo, unclaimed), the name and the image',
        onCrash: 'compensate',
        async run({ input: { spec } }) {
          const endpoint = endpointOf(deps, spec);
          const clash = await deps.docker.call(endpoint, (d) => d.listContainers({ all: true, filters: { label: [`${TENANT_LABEL}=${spec.name}`] } }));
          if (clash.length > 0) throw new FleetError('CONFLICT', `A tenant named "${spec.name}" already exists on this host.`, { field: 'name' });
          const claimed = await deps.docker.call(endpoint, (d) => d.listContainers({ all: true, filters: { label: [`${DATABASE_LABEL}=${spec.database}`] } }));
          if (claimed.length > 0) throw new FleetError('CONFLICT', `The database "${spec.database}" belongs to tenant ${claimed[0]!.Labels[TENANT_LABEL] ?? '?'}.`, { field: 'database' });
          await requireImage(deps, endpoint, spec);
          const admin = adminTarget(deps, spec);
          const before = await withPostgres(deps.pool, admin, async (c) => {
            const { rows } = await c.query<{ owner: string; public_connect: boolean }>(
              "SELECT pg_get_userbyid(datdba) AS owner, has_database_privilege('public', datname, 'CONNECT') AS public_connect FROM pg_database WHERE datname = $1",
              [spec.database],
            );
            if (!rows[0]) throw new FleetError('NOT_FOUND', `No database "${spec.database}" on the host's database server.`, { field: 'database' });
            const role = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [spec.role]);
            if (role.rowCount! > 0) throw new FleetError('CONFLICT', `The role "${spec.role}" already exists; adopt under another name.`, { field: 'name' });
            return { previousOwner: rows[0].owner, publicConnect: rows[0].public_connect } satisfies Before;
          });
          const odoo = await withPostgres(deps.pool, { ...admin, database: spec.database }, (c) => c.query<{ ok: boolean }>("SELECT to_regclass('public.ir_module_module') IS NOT NULL AS ok"));
          if (!odoo.rows[0]?.ok) throw new FleetError('VALIDATION', `"${spec.database}" has no ir_module_module table: not an Odoo database.`, { field: 'database' });
          return before;
        },
      },
      {
        name: 'database',
        title: 'Give the database a role of its own',
        onCrash: 'compensate',
        async run(ctx) {
          const { spec } = ctx.input;
          const password = storeSecret(ctx, deps, 'dbPasswordId', 'tenant-db-password');
          const { previousOwner } = ctx.output<Before>('preflight')!;
          const admin = adminTarget(deps, spec);
          await withPostgres(deps.pool, admin, async (c) => {
            await ensureTenantRole(c, spec.role, password, ctx.jobId);
            const database = c.escapeIdentifier(spec.database);
            await c.query(`ALTER DATABASE ${database} OWNER TO ${c.escapeIdentifier(spec.role)}`);
            await c.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
            await c.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${c.escapeIdentifier(spec.role)}`);
          });
          if (previousOwner !== spec.role) await withPostgres(deps.pool, { ...admin, database: spec.database }, (c) => transferOwnership(c, spec.database, previousOwner, spec.role));
        },
        async compensate(ctx) {
          const { spec } = ctx.input;
          const before = ctx.output<Before>('preflight');
          const admin = adminTarget(deps, spec);
          const ours = await withPostgres(deps.pool, admin, async (c) => {
            const { rows } = await c.query<{ mark: string | null }>("SELECT shobj_description(oid, 'pg_authid') AS mark FROM pg_roles WHERE rolname = $1", [spec.role]);
            return rows[0]?.mark === ownerMark(ctx.jobId);
          });
          if (ours && before) {
            await withPostgres(deps.pool, { ...admin, database: spec.database }, async (c) => {
              await transferOwnership(c, spec.database, spec.role, before.previousOwner);
              await c.query(`DROP OWNED BY ${c.escapeIdentifier(spec.role)}`);
            });
            await withPostgres(deps.pool, admin, async (c) => {
              const database = c.escapeIdentifier(spec.database);
              await c.query(`ALTER DATABASE ${database} OWNER TO ${c.escapeIdentifier(before.previousOwner)}`);
              if (before.publicConnect) await c.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO PUBLIC`);
              await c.query(`DROP ROLE IF EXISTS ${c.escapeIdentifier(spec.role)}`);
            });
          }
          deps.vault.remove(ctx.output<Record<string, string>>('database')?.dbPasswordId);
        },
      },
      ...tenantStorageSteps(deps),
      ...tenantServerSteps(deps),
    ],
  };
}
