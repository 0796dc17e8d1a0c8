import fsp from 'node:fs/promises';
import path from 'node:path';
import { FleetError } from '../../shared/errors.js';
import { verifyOdooArchive, writeOdooArchive } from '../backup/odoo-archive.js';
import { tenantArchiveParts } from '../backup/tenant-archive.js';
import type { JobDefinition, Json, StepContext } from '../jobs/types.js';
import { withPostgres } from '../postgres/pg-over-ssh.js';
import type { TenantJobDeps } from './create-job.js';
import { DATABASE_LABEL, TENANT_LABEL } from './routing.js';
import { dropTenantDatabase } from './tenant-database.js';

export interface DecommissionInput {
  hostId: string;
  name: string;
  /** The folder on this machine where the final archive goes (one subfolder per host). */
  archiveDir: string;
}

/** The tenant's parts, as found on its host before anything changes. */
interface TenantParts {
  [key: string]: Json;
  serverId: string;
  image: string;
  database: string;
  role: string;
  dataVolume: string;
  secretsVolume: string | null;
  wasRunning: boolean;
}

interface ArchiveOutput {
  [key: string]: Json;
  path: string;
  sha256: string | null;
  bytes: number | null;
}

/** Vault entries a tenant owns, named in its create job's step outputs. */
export type TenantSecretIds = (hostId: string, name: string) => string[];

/**
 * Decommissioning: stop → final archive in Odoo's format → verify it → remove containers, drop
 * database and role, remove volumes and forget the tenant's secrets. Until the archive is
 * verified a failure or a crash undoes everything (the tenant runs again as before); from then
 * on the job only goes forward, so a crash never leaves a half-removed tenant.
 */
export function decommissionTenantJob(deps: TenantJobDeps & { secretIds: TenantSecretIds }): JobDefinition<DecommissionInput> {
  const endpoint = (input: DecommissionInput) => deps.hosts.endpoint(input.hostId);
  const parts = (ctx: StepContext<DecommissionInput>) => {
    const found = ctx.output<TenantParts>('preflight');
    if (!found) throw new FleetError('INTERNAL', 'The preflight step recorded no tenant parts.');
    return found;
  };
  const admin = (input: DecommissionInput) => {
    const target = deps.hosts.dbTarget(input.hostId);
    if (!target) throw new FleetError('VALIDATION', 'The host has no database server set.');
    return target;
  };

  return {
    kind: 'tenant.decommission',
    target: (input) => `tenant:${input.hostId}/${input.name}`,
    publicResult: (output) => {
      const archive = output('archive') as ArchiveOutput | undefined;
      return { archive: archive?.sha256 ? { path: archive.path, sha256: archive.sha256, bytes: archive.bytes } : null };
    },
    steps: [
      {
        name: 'preflight',
        title: "Find the tenant's container, database, role and volumes",
        onCrash: 'compensate',
        async run(ctx) {
          const { input } = ctx;
          const servers = await deps.docker.call(endpoint(input), (d) => d.listContainers({ all: true, filters: { label: [`${TENANT_LABEL}=${input.name}`, 'fleet.role=server'] } }));
          if (servers.length === 0) throw new FleetError('NOT_FOUND', `No tenant named "${input.name}" on this host.`, { name: input.name });
          const info = await deps.docker.call(endpoint(input), (d) => d.getContainer(servers[0]!.Id).inspect());
          const database = info.Config.Labels?.[DATABASE_LABEL];
          const role = (info.Config.Env ?? []).find((e) => e.startsWith('USER='))?.slice('USER='.length);
          const dataVolume = info.Mounts.find((m) => m.Destination === '/var/lib/odoo')?.Name;
          if (!database || !role || !dataVolume) throw new FleetError('INTERNAL', `Tenant ${input.name}'s container does not name its database, role and data volume; adopt or reconcile it first.`);
          const found: TenantParts = {
            serverId: info.Id,
            image: info.Config.Image,
            database,
            role,
            dataVolume,
            secretsVolume: info.Mounts.find((m) => m.Destination === '/run/fleet')?.Name ?? null,
            wasRunning: info.State.Running,
          };
          return found;
        },
      },
      {
        name: 'stop',
        title: 'Stop the Odoo server (a consistent archive)',
        onCrash: 'compensate',
        async run(ctx) {
          const { serverId } = parts(ctx);
          await deps.docker.call(endpoint(ctx.input), async (d) => {
            const server = d.getContainer(serverId);
            if ((await server.inspect()).State.Running) await server.stop({ t: 20 });
          }, 60_000);
        },
        async compensate(ctx) {
          const found = ctx.output<TenantParts>('preflight');
          if (!found?.wasRunning) return;
          await deps.docker.call(endpoint(ctx.input), async (d) => {
            const server = d.getContainer(found.serverId);
            if (!(await server.inspect()).State.Running) await server.start();
          });
        },
      },
      {
        name: 'archive',
        title: "Write the final archive (Odoo's backup zip)",
        onCrash: 'compensate',
        async run(ctx) {
          const { input } = ctx;
          const found = parts(ctx);
          const host = deps.hosts.get(input.hostId);
          const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
          const file = path.join(input.archiveDir, safeSegment(host.name), `${input.name}-${stamp}-final.zip`);
          // Journaled before the first byte, so a compensation after a crash finds the file.
          ctx.setOutput({ path: file, sha256: null, bytes: null } satisfies ArchiveOutput);
          const sources = await tenantArchiveParts(deps, { hostId: input.hostId, database: found.database, image: found.image, dataVolume: found.dataVolume });
          ctx.progress(0, 'dumping the database');
          const result = await writeOdooArchive(file, sources, { kind: 'final', tenant: input.name, host: host.name, createdAt: new Date().toISOString(), jobId: ctx.jobId }, (phase, bytes) =>
            ctx.progress(phase === 'dump' ? 0.3 : phase === 'filestore' ? 0.7 : 0.95, `${phase}: ${(bytes / 2 ** 20).toFixed(1)} MiB written`),
          );
          return { path: result.path, sha256: result.sha256, bytes: result.bytes } satisfies ArchiveOutput;
        },
        async compensate(ctx) {
          // A killed console leaves its dump or filestore reader behind on the host.
          const found = ctx.output<TenantParts>('preflight');
          if (found) {
            await deps.docker.call(endpoint(ctx.input), async (d) => {
              const helpers = await d.listContainers({ all: true, filters: { label: ['fleet.role=archive', `${DATABASE_LABEL}=${found.database}`] } });
              for (const c of helpers) await d.getContainer(c.Id).remove({ force: true }).catch(() => {});
            });
          }
          const written = ctx.output<ArchiveOutput>('archive');
          if (!written?.path) return;
          for (const f of [written.path, `${written.path}.partial`, `${written.path}.json`, `${written.path}.json.partial`]) await fsp.rm(f, { force: true });
        },
      },
      {
        // The point of no return: once the archive is proven readable, removal only goes forward.
        name: 'verify',
        title: 'Verify the archive (checksum, every member, dump and manifest present)',
        onCrash: 'resume',
        async run(ctx) {
          const written = ctx.output<ArchiveOutput>('archive');
          if (!written?.sha256) throw new FleetError('INTERNAL', 'The archive step recorded no checksum.');
          const { members } = await verifyOdooArchive(written.path, written.sha256);
          return { members };
        },
      },
      {
        name: 'remove-containers',
        title: "Remove the tenant's containers",
        onCrash: 'resume',
        async run(ctx) {
          await deps.docker.call(endpoint(ctx.input), async (d) => {
            const all = await d.listContainers({ all: true, filters: { label: [`${TENANT_LABEL}=${ctx.input.name}`] } });
            for (const c of all) {
              try {
                await d.getContainer(c.Id).remove({ force: true });
              } catch (error) {
                if ((error as { statusCode?: number }).statusCode !== 404) throw error;
              }
            }
          }, 120_000);
        },
      },
      {
        name: 'drop-database',
        title: 'Drop the database and its role',
        onCrash: 'resume',
        async run(ctx) {
          const { database, role } = parts(ctx);
          await withPostgres(deps.pool, admin(ctx.input), (client) => dropTenantDatabase(client, { database, role }));
        },
      },
      {
        name: 'remove-volumes',
        title: 'Remove the filestore and secrets volumes',
        onCrash: 'resume',
        async run(ctx) {
          const { dataVolume, secretsVolume } = parts(ctx);
          await deps.docker.call(endpoint(ctx.input), async (d) => {
            const labelled = ((await d.listVolumes({ filters: { label: [`${TENANT_LABEL}=${ctx.input.name}`] } })).Volumes ?? []).map((v) => v.Name);
            for (const name of new Set([dataVolume, ...(secretsVolume ? [secretsVolume] : []), ...labelled])) {
              try {
                await d.getVolume(name).remove({ force: true });
              } catch (error) {
                if ((error as { statusCode?: number }).statusCode !== 404) throw error;
              }
            }
          }, 120_000);
        },
      },
      {
        name: 'forget-secrets',
        title: "Forget the tenant's stored passwords",
        onCrash: 'resume',
        async run(ctx) {
          const ids = deps.secretIds(ctx.input.hostId, ctx.input.name);
          for (const id of ids) deps.vault.remove(id);
          return { forgotten: ids.length };
        },
      },
    ],
  };
}

/** A host name as a folder name: nothing that climbs or hides. */
function safeSegment(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || 'host';
}
