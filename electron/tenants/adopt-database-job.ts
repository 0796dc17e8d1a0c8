import { FleetError } from '../../shared/errors.js';
import type { TenantSpec } from '../../shared/tenants.js';
import { DATABASE_LABEL, TENANT_LABEL } from '../docker/labels.js';
import type { JobDefinition, Json } from '../jobs/types.js';
import { withAdmin } from '../postgres/admin-session.js';
import { confineDatabase } from '../postgres/database-access.js';
import { inspectDatabase, reassignOwnedInside, transferOwnership } from '../postgres/ownership.js';
import { requireImage } from '../tenant-parts/containers.js';
import { adminTarget, endpointOf, storeSecret, type TenantJobDeps } from '../tenant-parts/job-deps.js';
import { tenantServerSteps, tenantStorageSteps } from './create-job.js';
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
          const before = await withAdmin(deps.pool, admin, async (c) => {
            const { rows } = await c.query<{ owner: string; public_connect: boolean }>(
              "SELECT pg_get_userbyid(datdba) AS owner, has_database_privilege('public', datname, 'CONNECT') AS public_connect FROM pg_database WHERE datname = $1",
              [spec.database],
            );
            if (!rows[0]) throw new FleetError('NOT_FOUND', `No database "${spec.database}" on the host's database server.`, { field: 'database' });
            const role = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [spec.role]);
            if (role.rowCount! > 0) throw new FleetError('CONFLICT', `The role "${spec.role}" already exists; adopt under another name.`, { field: 'name' });
            return { previousOwner: rows[0].owner, publicConnect: rows[0].public_connect } satisfies Before;
          });
          // Catalogs only: nothing the database defines runs in the admin's session.
          const found = await inspectDatabase(deps.pool, admin, spec.database, before.previousOwner);
          if (!found.odoo) throw new FleetError('VALIDATION', `"${spec.database}" has no ir_module_module table: not an Odoo database.`, { field: 'database' });
          if (found.eventTriggers > 0) throw new FleetError('CONFLICT', `"${spec.database}" has event triggers, which only a superuser makes and whose code would run as whoever changes its schema: remove them before adopting it.`, { field: 'database' });
          if (found.foreignRelations > 0) {
            throw new FleetError('CONFLICT', `"${spec.database}" has ${found.foreignRelations} tables, views or sequences owned by roles other than its owner ${before.previousOwner}: its tenant could neither read nor back them up. Hand them to ${before.previousOwner} first.`, { field: 'database' });
          }
          if (found.superuserDefinerFunctions > 0) {
            throw new FleetError('CONFLICT', `"${spec.database}" has SECURITY DEFINER functions owned by another superuser: its tenant could run them with that superuser's rights. Hand them to the database's owner or drop them before adopting it.`, { field: 'database' });
          }
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
          await withAdmin(deps.pool, admin, async (c) => {
            await ensureTenantRole(c, spec.role, password, ctx.jobId);
            const database = c.escapeIdentifier(spec.database);
            await c.query(`ALTER DATABASE ${database} OWNER TO ${c.escapeIdentifier(spec.role)}`);
            await confineDatabase(c, spec.database, spec.role);
          });
          // A superuser owner (the postgres image's POSTGRES_USER) or one owning other databases
          // keeps its role: its objects here move one by one to the tenant's new role.
          if (previousOwner !== spec.role) await transferOwnership(deps.pool, admin, spec.database, previousOwner, spec.role);
        },
        async compensate(ctx) {
          const { spec } = ctx.input;
          const before = ctx.output<Before>('preflight');
          const admin = adminTarget(deps, spec);
          const ours = await withAdmin(deps.pool, admin, async (c) => {
            const { rows } = await c.query<{ mark: string | null }>("SELECT shobj_description(oid, 'pg_authid') AS mark FROM pg_roles WHERE rolname = $1", [spec.role]);
            return rows[0]?.mark === ownerMark(ctx.jobId);
          });
          if (ours && before) {
            await transferOwnership(deps.pool, admin, spec.database, spec.role, before.previousOwner);
            await reassignOwnedInside(deps.pool, admin, spec.database, spec.role, null);
            await withAdmin(deps.pool, admin, async (c) => {
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
