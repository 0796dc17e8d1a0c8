import crypto from 'node:crypto';
import type Docker from 'dockerode';
import type { ReconcileContainer, ReconcileItem, ReconcileReport } from '../../shared/reconcile.js';
import type { TenantSpec } from '../../shared/tenants.js';
import type { DockerEndpoint } from '../docker/docker-service.js';
import { DATABASE_LABEL, FLEET_LABEL_PREFIX, HOST_LABEL, ROLE_LABEL, TENANT_LABEL } from '../docker/labels.js';
import { readTar } from '../docker/tar-reader.js';
import type { JobRunner } from '../jobs/index.js';
import { UNFINISHED_JOB_STATES } from '../jobs/types.js';
import { withAdmin } from '../postgres/admin-session.js';
import { inspectDatabase } from '../postgres/ownership.js';
import { SECRETS_MOUNT } from '../tenant-parts/containers.js';
import type { TenantJobDeps } from '../tenant-parts/job-deps.js';

export interface ReconcileDeps extends TenantJobDeps {
  jobs: JobRunner;
}

/** One-off containers of the console's own jobs and measurements; never a tenant's server. */
export const HELPER_ROLES = ['init', 'secrets-writer', 'archive', 'measure', 'reconcile-reader'] as const;
/** Journal kinds that make or remove tenants; their inputs name the tenant's database and role. */
export const CREATING_KINDS = ['tenant.create', 'tenant.adopt-database', 'tenant.adopt-container'];
const DECOMMISSION_KIND = 'tenant.decommission';
/** A running init younger than this belongs to a create job still at work (this or another console). */
const INIT_GRACE_MS = 35 * 60_000;
/** A tenantless helper (measure, archive, reader) younger than this may still be in use. */
const HELPER_GRACE_MS = 10 * 60_000;
const SYSTEM_DATABASES = new Set(['postgres', 'fleet', 'template0', 'template1']);

interface JournalEntry {
  createdAt: string | null;
  decommissionedAt: string | null;
  spec: Pick<TenantSpec, 'database' | 'role' | 'image' | 'tag'> | null;
  busy: boolean;
}

/**
 * Why an unlabelled container looks like Odoo: its image's repository names odoo, or its
 * environment follows the official image's contract (HOST, USER, PASSWORD or PASSWORD_FILE);
 * and it exposes 8069. Empty when it does not qualify.
 */
export function odooEvidence(info: Docker.ContainerInspectInfo): string[] {
  const env = new Set((info.Config.Env ?? []).map((e) => e.split('=')[0]!));
  const repository = repositoryOf(info.Config.Image);
  const evidence: string[] = [];
  if (/odoo/i.test(repository)) evidence.push(`image ${repository}`);
  if (env.has('HOST') && env.has('USER') && (env.has('PASSWORD') || env.has('PASSWORD_FILE'))) evidence.push(`env HOST, USER, ${env.has('PASSWORD_FILE') ? 'PASSWORD_FILE' : 'PASSWORD'}`);
  const port = Object.keys(info.Config.ExposedPorts ?? {}).includes('8069/tcp') || Object.keys(info.HostConfig.PortBindings ?? {}).includes('8069/tcp');
  if (!port || evidence.length === 0) return [];
  return [...evidence, 'port 8069'];
}

/** The database an Odoo command line names (-d, --database), if any. */
export function databaseFromCommand(args: readonly string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-d' || arg === '--database') return args[i + 1] ?? null;
    if (arg.startsWith('--database=')) return arg.slice('--database='.length);
    if (arg.startsWith('-d') && arg.length > 2 && !arg.startsWith('--')) return arg.slice(2);
  }
  return null;
}

export function envValue(info: Docker.ContainerInspectInfo, key: string): string | null {
  return (info.Config.Env ?? []).find((e) => e.startsWith(`${key}=`))?.slice(key.length + 1) ?? null;
}

function repositoryOf(image: string): string {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? image.slice(0, at) : image;
}

function containerView(c: Docker.ContainerInfo): ReconcileContainer {
  return { id: c.Id, name: c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12), image: c.Image, state: c.State, role: c.Labels?.[ROLE_LABEL] ?? null };
}

function fingerprint(item: Omit<ReconcileItem, 'fingerprint'>, extra: unknown = null): string {
  const basis = {
    kind: item.kind,
    tenant: item.tenant,
    // A broken server may flap between running and restarting: only helpers' and leftovers' states count.
    containers: item.containers.map((c) => [c.id, item.kind === 'database-missing' ? null : c.state, c.role]).sort(),
    volumes: [...item.volumes].sort(),
    database: item.database,
    databaseExists: item.databaseExists,
    role: item.role,
    extra,
  };
  return crypto.createHash('sha256').update(JSON.stringify(basis)).digest('hex').slice(0, 32);
}

function item(fields: Omit<ReconcileItem, 'fingerprint'>, extra?: unknown): ReconcileItem {
  return { ...fields, fingerprint: fingerprint(fields, extra) };
}

/** This console's journal for the host: what it created and decommissioned, and what is at work now. */
function readJournal(deps: ReconcileDeps, hostId: string, ignoreJobId: string | undefined): Map<string, JournalEntry> {
  const prefix = `tenant:${hostId}/`;
  const byTenant = new Map<string, JournalEntry>();
  const entry = (name: string) => {
    let found = byTenant.get(name);
    if (!found) byTenant.set(name, (found = { createdAt: null, decommissionedAt: null, spec: null, busy: false }));
    return found;
  };
  // Newest first: the first succeeded job of a kind is the latest.
  for (const job of deps.jobs.listJobs({ limit: 500 })) {
    if (!job.target.startsWith(prefix) || job.id === ignoreJobId) continue;
    const tenant = entry(job.target.slice(prefix.length));
    if (UNFINISHED_JOB_STATES.includes(job.state)) tenant.busy = true;
    if (job.state !== 'succeeded') continue;
    if (CREATING_KINDS.includes(job.kind) && !tenant.createdAt) {
      tenant.createdAt = job.finishedAt ?? job.createdAt;
      const input = deps.jobs.getJob(job.id)?.input as { spec?: TenantSpec } | undefined;
      if (input?.spec) tenant.spec = { database: input.spec.database, role: input.spec.role, image: input.spec.image, tag: input.spec.tag };
    }
    if (job.kind === DECOMMISSION_KIND && !tenant.decommissionedAt) tenant.decommissionedAt = job.finishedAt ?? job.createdAt;
  }
  return byTenant;
}

/**
 * Reads db_name and db_user from odoo.conf in a tenant's secrets volume, through the archive API
 * of a never-started container (the file is root's or Odoo's 0400; nothing runs). Only those two
 * keys are kept: the file also holds the master password. Null when the file is not there.
 */
async function readTenantConfig(deps: ReconcileDeps, endpoint: DockerEndpoint, hostId: string, volume: string, image: string): Promise<{ database: string | null; role: string | null } | null> {
  return deps.docker.call(endpoint, async (d) => {
    const reader = await d.createContainer({
      Image: image,
      Entrypoint: ['true'],
      Cmd: [],
      Labels: { [ROLE_LABEL]: 'reconcile-reader', [HOST_LABEL]: hostId },
      HostConfig: { Mounts: [{ Type: 'volume', Source: volume, Target: SECRETS_MOUNT, ReadOnly: true }], NetworkMode: 'none' },
    });
    try {
      let stream: NodeJS.ReadableStream;
      try {
        stream = await reader.getArchive({ path: `${SECRETS_MOUNT}/odoo.conf` });
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return null;
        throw error;
      }
      for await (const member of readTar(stream as AsyncIterable<Buffer>)) {
        const chunks: Buffer[] = [];
        for await (const chunk of member.body) chunks.push(chunk);
        if (member.type !== 'file') continue;
        const text = Buffer.concat(chunks).toString('utf8');
        const value = (key: string) => new RegExp(`^\\s*${key}\\s*=\\s*(.+?)\\s*$`, 'm').exec(text)?.[1] ?? null;
        return { database: value('db_name'), role: value('db_user') };
      }
      return null;
    } finally {
      await reader.remove({ force: true, v: true }).catch(() => {});
    }
  }, 60_000);
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        out[index] = await fn(items[index]!);
      }
    }),
  );
  return out;
}

/**
 * Compares what the host's labels, volumes and database server say with each other and with this
 * console's journal. Reads only (a never-started reader container aside); changes nothing.
 */
export async function reconcileHost(deps: ReconcileDeps, hostId: string, options: { ignoreJobId?: string } = {}): Promise<ReconcileReport> {
  const endpoint = deps.hosts.endpoint(hostId);
  const admin = deps.hosts.dbTarget(hostId);
  const now = Date.now();
  const [containers, volumeList, pgState] = await Promise.all([
    deps.docker.call(endpoint, (d) => d.listContainers({ all: true })),
    deps.docker.call(endpoint, (d) => d.listVolumes({ filters: { label: [TENANT_LABEL] } })),
    admin
      ? withAdmin(deps.pool, admin, async (c) => ({
          databases: (await c.query<{ name: string; owner: string }>('SELECT datname AS name, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE NOT datistemplate AND datallowconn ORDER BY datname')).rows,
          roles: new Set((await c.query<{ name: string }>('SELECT rolname AS name FROM pg_roles')).rows.map((r) => r.name)),
        }))
      : Promise.resolve(null),
  ]);
  const journal = readJournal(deps, hostId, options.ignoreJobId);
  const databases = pgState ? new Map(pgState.databases.map((d) => [d.name, d.owner])) : null;
  const dbExists = (name: string | null) => (name === null ? null : databases ? databases.has(name) : null);
  const volumes = volumeList.Volumes ?? [];
  const items: ReconcileItem[] = [];
  const knownDatabases = new Set<string>(SYSTEM_DATABASES);
  if (admin) knownDatabases.add(admin.database);
  const label = (c: { Labels?: Record<string, string> | null }, key: string) => c.Labels?.[key] ?? null;
  const ageMs = (c: Docker.ContainerInfo) => now - c.Created * 1000;

  // Foreign: another console's host id. Reported, never touched (nor their databases adopted).
  const foreign = new Map<string, { containers: Docker.ContainerInfo[]; volumes: string[]; hostLabel: string; tenant: string | null }>();
  const isForeign = (c: { Labels?: Record<string, string> | null }) => {
    const host = label(c, HOST_LABEL);
    return host !== null && host !== '' && host !== hostId;
  };
  const foreignGroup = (hostLabel: string, tenant: string | null) => {
    const key = `${hostLabel}/${tenant ?? '-'}`;
    let group = foreign.get(key);
    if (!group) foreign.set(key, (group = { containers: [], volumes: [], hostLabel, tenant }));
    return group;
  };
  for (const c of containers) {
    if (!isForeign(c)) continue;
    foreignGroup(label(c, HOST_LABEL)!, label(c, TENANT_LABEL)).containers.push(c);
    const database = label(c, DATABASE_LABEL);
    if (database) knownDatabases.add(database);
  }
  for (const v of volumes) if (isForeign(v)) foreignGroup(label(v, HOST_LABEL)!, label(v, TENANT_LABEL)).volumes.push(v.Name);
  for (const [key, group] of foreign) {
    items.push(
      item({
        id: `foreign-host:${key}`,
        kind: 'foreign-host',
        tenant: group.tenant,
        summary: `${group.tenant ? `Tenant ${group.tenant}` : 'Fleet containers'} labelled for another console's host id ${group.hostLabel}.`,
        actions: ['report-only'],
        suggestion: 'Managed by another console (or a copy of this host): left alone.',
        containers: group.containers.map(containerView),
        volumes: group.volumes,
        database: null,
        databaseExists: null,
        role: null,
        foreignHostId: group.hostLabel,
      }),
    );
  }

  // Own labelled containers and volumes, by tenant.
  const own = containers.filter((c) => !isForeign(c));
  const tenants = new Map<string, { server: Docker.ContainerInfo | null; others: Docker.ContainerInfo[]; volumes: string[] }>();
  const tenantOf = (name: string) => {
    let t = tenants.get(name);
    if (!t) tenants.set(name, (t = { server: null, others: [], volumes: [] }));
    return t;
  };
  const tenantless: Docker.ContainerInfo[] = [];
  const unlabelled: Docker.ContainerInfo[] = [];
  for (const c of own) {
    const tenant = label(c, TENANT_LABEL);
    const role = label(c, ROLE_LABEL);
    if (tenant) {
      if (role === 'server') tenantOf(tenant).server = c;
      else tenantOf(tenant).others.push(c);
      const database = label(c, DATABASE_LABEL);
      if (database) knownDatabases.add(database);
    } else if (role && (HELPER_ROLES as readonly string[]).includes(role)) tenantless.push(c);
    else if (!Object.keys(c.Labels ?? {}).some((k) => k.startsWith(FLEET_LABEL_PREFIX))) unlabelled.push(c);
  }
  for (const v of volumes) if (!isForeign(v)) tenantOf(label(v, TENANT_LABEL)!).volumes.push(v.Name);
  for (const entry of journal.values()) if (entry.busy && entry.spec) knownDatabases.add(entry.spec.database);

  let tenantsInOrder = 0;
  const serverInfos = new Map<string, Docker.ContainerInspectInfo>();
  await mapLimited([...tenants].filter(([, t]) => t.server), 4, async ([name, t]) => {
    serverInfos.set(name, await deps.docker.call(endpoint, (d) => d.getContainer(t.server!.Id).inspect()));
  });
  const anyImage = [...serverInfos.values()][0]?.Config.Image ?? null;

  for (const [name, t] of [...tenants].sort(([a], [b]) => a.localeCompare(b))) {
    const history = journal.get(name);
    if (history?.busy) continue; // a job of this console is at work on it
    const journalFields = { createdHere: history?.createdAt ?? null, decommissionedHere: history?.decommissionedAt ?? null };
    const helpers = t.others.filter((c) => (HELPER_ROLES as readonly string[]).includes(label(c, ROLE_LABEL) ?? ''));
    const orphan = (c: Docker.ContainerInfo) =>
      item({
        id: `orphan-helper:container:${containerView(c).name}`,
        kind: 'orphan-helper',
        tenant: name,
        summary: `A ${label(c, ROLE_LABEL)} container of tenant ${name} was left behind (${c.State}).`,
        actions: ['cleanup'],
        suggestion: 'Clean up: remove the container (its tenant is not touched).',
        containers: [containerView(c)],
        volumes: [],
        database: null,
        databaseExists: null,
        role: null,
        ...journalFields,
      });
    if (t.server) {
      const info = serverInfos.get(name)!;
      const database = label(info.Config, DATABASE_LABEL);
      const mounted = new Set(info.Mounts.filter((m) => m.Type === 'volume' && m.Name).map((m) => m.Name!));
      const tenantMounts = info.Mounts.filter((m) => m.Type === 'volume' && m.Name && ['/var/lib/odoo', SECRETS_MOUNT].includes(m.Destination)).map((m) => m.Name!);
      if (database && databases && !databases.has(database)) {
        items.push(
          item({
            id: `database-missing:${name}`,
            kind: 'database-missing',
            tenant: name,
            summary: `Tenant ${name}'s server is there but its database ${database} is gone from the database server.`,
            actions: ['cleanup'],
            suggestion: "Clean up the remains (containers, volumes, role, stored secrets), or restore the database from a backup under the same name first.",
            containers: [t.server, ...t.others].map(containerView),
            volumes: [...new Set([...t.volumes, ...tenantMounts])],
            database,
            databaseExists: false,
            role: envValue(info, 'USER'),
            ...journalFields,
          }),
        );
        continue;
      }
      tenantsInOrder++;
      for (const c of helpers) items.push(orphan(c));
      for (const v of t.volumes.filter((v) => !mounted.has(v))) {
        items.push(
          item({
            id: `orphan-helper:volume:${v}`,
            kind: 'orphan-helper',
            tenant: name,
            summary: `Volume ${v} is labelled for tenant ${name}, whose server does not use it.`,
            actions: ['cleanup'],
            suggestion: 'Clean up: remove the volume (its data is lost).',
            containers: [],
            volumes: [v],
            database: null,
            databaseExists: null,
            role: null,
            ...journalFields,
          }),
        );
      }
      continue;
    }
    // No server: what remains of the tenant?
    if (helpers.some((c) => label(c, ROLE_LABEL) === 'init' && c.State === 'running' && ageMs(c) < INIT_GRACE_MS)) continue; // being created
    const secretsVolume = t.volumes.find((v) => v === `fleet-${name}-secrets`) ?? null;
    const image = t.others[0]?.Image ?? (history?.spec ? `${history.spec.image}:${history.spec.tag}` : anyImage);
    const config = secretsVolume && image ? await readTenantConfig(deps, endpoint, hostId, secretsVolume, image).catch(() => null) : null;
    const database = config?.database ?? history?.spec?.database ?? null;
    const role = config?.role ?? history?.spec?.role ?? null;
    if (database) knownDatabases.add(database);
    const databaseThere = dbExists(database);
    const roleThere = role !== null && pgState ? pgState.roles.has(role) : false;
    const keeps = t.volumes.length > 0 || t.others.length > helpers.length || databaseThere === true;
    if (!keeps) {
      for (const c of helpers) items.push(orphan(c));
      continue;
    }
    const recreatable = config !== null && databaseThere === true;
    items.push(
      item(
        {
          id: `server-missing:${name}`,
          kind: 'server-missing',
          tenant: name,
          summary: `Tenant ${name} has no server container (removed by hand?); left: ${[
            t.others.length ? `${t.others.length} container(s)` : '',
            t.volumes.length ? `volumes ${t.volumes.join(', ')}` : '',
            databaseThere ? `database ${database}` : '',
            roleThere ? `role ${role}` : '',
          ]
            .filter(Boolean)
            .join('; ')}.`,
          actions: ['cleanup'],
          suggestion: recreatable
            ? 'The secrets volume still holds odoo.conf and the database exists: the server container can be recreated (with the tenant\'s image, same volumes and labels); otherwise clean up everything that is left.'
            : 'Clean up everything that is left (containers, volumes, database, role, stored secrets).',
          containers: t.others.map(containerView),
          volumes: t.volumes,
          database: databaseThere ? database : null,
          databaseExists: databaseThere,
          role: roleThere ? role : null,
          configPresent: config !== null,
          ...journalFields,
        },
        { databaseChecked: database },
      ),
    );
  }

  for (const c of tenantless) {
    if (!(c.State !== 'running' && ageMs(c) > HELPER_GRACE_MS) && !(ageMs(c) > 24 * 3600_000)) continue;
    items.push(
      item({
        id: `orphan-helper:container:${containerView(c).name}`,
        kind: 'orphan-helper',
        tenant: null,
        summary: `A ${label(c, ROLE_LABEL)} container was left behind (${c.State}).`,
        actions: ['cleanup'],
        suggestion: 'Clean up: remove the container.',
        containers: [containerView(c)],
        volumes: [],
        database: null,
        databaseExists: null,
        role: null,
      }),
    );
  }

  // Unlabelled containers that look like Odoo.
  const inspected = await mapLimited(unlabelled, 4, (c) => deps.docker.call(endpoint, (d) => d.getContainer(c.Id).inspect()).catch(() => null));
  for (const [index, info] of inspected.entries()) {
    if (!info) continue;
    const evidence = odooEvidence(info);
    if (evidence.length === 0) continue;
    const c = unlabelled[index]!;
    const database = databaseFromCommand([...(info.Config.Entrypoint ?? []), ...(info.Config.Cmd ?? [])]);
    if (database) knownDatabases.add(database);
    items.push(
      item(
        {
          id: `adoptable-container:${containerView(c).name}`,
          kind: 'adoptable-container',
          tenant: null,
          summary: `Unlabelled Odoo container ${containerView(c).name} (${info.Config.Image}, ${c.State})${database ? ` serving ${database}` : ''}.`,
          actions: ['adopt'],
          suggestion: 'Adopt it as a tenant: it is recreated with the same image, environment, mounts, networks and limits plus the fleet labels.',
          containers: [containerView(c)],
          volumes: [],
          database,
          databaseExists: dbExists(database),
          role: envValue(info, 'USER'),
          evidence,
        },
        info.Created,
      ),
    );
  }

  // Databases no tenant claims that hold Odoo's module table.
  if (admin && databases) {
    const candidates = [...databases.keys()].filter((name) => !knownDatabases.has(name));
    // Catalogs only, schema-qualified: reading the database's own tables (or anything its owner
    // could have put in front of them) would run its code in the admin's session.
    const found = await mapLimited(candidates, 4, async (name) => inspectDatabase(deps.pool, admin, name).then((i) => i.odoo).catch(() => false));
    for (const [index, odoo] of found.entries()) {
      if (!odoo) continue;
      const name = candidates[index]!;
      items.push(
        item(
          {
            id: `adoptable-database:${name}`,
            kind: 'adoptable-database',
            tenant: null,
            summary: `Odoo database ${name} (owner ${databases.get(name)}) belongs to no tenant.`,
            actions: ['adopt'],
            suggestion: 'Adopt it as a tenant: a role of its own takes it over, with volumes, secrets and a server container from the image you pick.',
            containers: [],
            volumes: [],
            database: name,
            databaseExists: true,
            role: databases.get(name) ?? null,
          },
          databases.get(name),
        ),
      );
    }
  }

  return { hostId, at: new Date(now).toISOString(), tenantsInOrder, databasesChecked: databases !== null, items };
}
