import crypto from 'node:crypto';
import type Docker from 'dockerode';
import type { ReconcileContainer, ReconcileItem, ReconcileReport } from '../../shared/reconcile.js';
import type { TenantSpec } from '../../shared/tenants.js';
import type { DockerEndpoint } from '../docker/docker-service.js';
import { DATABASE_LABEL, FLEET_LABEL_PREFIX, HOST_LABEL, ROLE_LABEL, TENANT_LABEL } from '../docker/labels.js';
import { listTenantNetworks } from '../docker/networks.js';
import { readTar } from '../docker/tar-reader.js';
import type { JobRunner } from '../jobs/index.js';
import { UNFINISHED_JOB_STATES } from '../jobs/types.js';
import { withAdmin, type DbServerTarget } from '../postgres/admin-session.js';
import { inspectDatabase } from '../postgres/ownership.js';
import { DATA_MOUNT, SECRETS_MOUNT } from '../tenant-parts/containers.js';
import { sharedNetworkOf } from '../tenant-parts/tenant-network.js';
import type { TenantJobDeps } from '../tenant-parts/job-deps.js';
import { orphanNetworks, serversOffTheirNetwork } from './reconcile-networks.js';

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

type Labelled = { Labels?: Record<string, string> | null };
type OwnTenant = { server: Docker.ContainerInfo | null; others: Docker.ContainerInfo[]; volumes: string[] };

/** What one reconcile read from the host, and what it has found so far. */
interface HostScan {
  hostId: string;
  endpoint: DockerEndpoint;
  admin: DbServerTarget | null;
  now: number;
  containers: Docker.ContainerInfo[];
  /** This host's tenant networks (labelled fleet.role=tenant-network and its host id). */
  networks: Docker.NetworkInspectInfo[];
  volumes: Docker.VolumeInspectInfo[];
  pgState: { databases: Array<{ name: string; owner: string }>; roles: Set<string> } | null;
  /** Database name → owner, or null when the host has no database server set. */
  databases: Map<string, string> | null;
  journal: Map<string, JournalEntry>;
  /** Databases some tenant, helper or job claims: never offered for adoption. */
  knownDatabases: Set<string>;
  items: ReconcileItem[];
}

const label = (c: Labelled, key: string) => c.Labels?.[key] ?? null;
const ageMs = (scan: HostScan, c: Docker.ContainerInfo) => scan.now - c.Created * 1000;
const dbExists = (scan: HostScan, name: string | null) => (name === null ? null : scan.databases ? scan.databases.has(name) : null);
/** Labelled for another console's host id. */
const isForeign = (scan: HostScan, c: Labelled) => {
  const host = label(c, HOST_LABEL);
  return host !== null && host !== '' && host !== scan.hostId;
};
const isHelperRole = (role: string | null) => role !== null && (HELPER_ROLES as readonly string[]).includes(role);

/**
 * Compares what the host's labels, volumes and database server say with each other and with this
 * console's journal. Reads only (a never-started reader container aside); changes nothing.
 */
export async function reconcileHost(deps: ReconcileDeps, hostId: string, options: { ignoreJobId?: string } = {}): Promise<ReconcileReport> {
  const scan = await scanHost(deps, hostId, options.ignoreJobId);
  reportForeign(scan);
  const { tenants, tenantless, unlabelled } = groupOwn(scan);
  const tenantsInOrder = await reportTenants(deps, scan, tenants);
  reportNetworks(deps, scan, tenants);
  reportTenantlessHelpers(scan, tenantless);
  await reportUnlabelledOdoo(deps, scan, unlabelled);
  await reportUnclaimedDatabases(deps, scan);
  return { hostId, at: new Date(scan.now).toISOString(), tenantsInOrder, databasesChecked: scan.databases !== null, items: scan.items };
}

/** The host's containers, tenant volumes, databases and roles, and this console's journal for it. */
async function scanHost(deps: ReconcileDeps, hostId: string, ignoreJobId: string | undefined): Promise<HostScan> {
  const endpoint = deps.hosts.endpoint(hostId);
  const admin = deps.hosts.dbTarget(hostId);
  const now = Date.now();
  const [containers, networks, volumeList, pgState] = await Promise.all([
    deps.docker.call(endpoint, (d) => d.listContainers({ all: true })),
    deps.docker.call(endpoint, (d) => listTenantNetworks(d, hostId)),
    deps.docker.call(endpoint, (d) => d.listVolumes({ filters: { label: [TENANT_LABEL] } })),
    admin
      ? withAdmin(deps.pool, admin, async (c) => ({
          databases: (await c.query<{ name: string; owner: string }>('SELECT datname AS name, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE NOT datistemplate AND datallowconn ORDER BY datname')).rows,
          roles: new Set((await c.query<{ name: string }>('SELECT rolname AS name FROM pg_roles')).rows.map((r) => r.name)),
        }))
      : Promise.resolve(null),
  ]);
  const knownDatabases = new Set<string>(SYSTEM_DATABASES);
  if (admin) knownDatabases.add(admin.database);
  return {
    hostId,
    endpoint,
    admin,
    now,
    containers,
    networks,
    volumes: volumeList.Volumes ?? [],
    pgState,
    databases: pgState ? new Map(pgState.databases.map((d) => [d.name, d.owner])) : null,
    journal: readJournal(deps, hostId, ignoreJobId),
    knownDatabases,
    items: [],
  };
}

/** Foreign: another console's host id. Reported, never touched (nor their databases adopted). */
function reportForeign(scan: HostScan): void {
  const foreign = new Map<string, { containers: Docker.ContainerInfo[]; volumes: string[]; hostLabel: string; tenant: string | null }>();
  const foreignGroup = (hostLabel: string, tenant: string | null) => {
    const key = `${hostLabel}/${tenant ?? '-'}`;
    let group = foreign.get(key);
    if (!group) foreign.set(key, (group = { containers: [], volumes: [], hostLabel, tenant }));
    return group;
  };
  for (const c of scan.containers) {
    if (!isForeign(scan, c)) continue;
    foreignGroup(label(c, HOST_LABEL)!, label(c, TENANT_LABEL)).containers.push(c);
    const database = label(c, DATABASE_LABEL);
    if (database) scan.knownDatabases.add(database);
  }
  for (const v of scan.volumes) if (isForeign(scan, v)) foreignGroup(label(v, HOST_LABEL)!, label(v, TENANT_LABEL)).volumes.push(v.Name);
  for (const [key, group] of foreign) {
    scan.items.push(
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
}

/** Own labelled containers and volumes by tenant; own helpers of no tenant; unlabelled containers. */
function groupOwn(scan: HostScan): { tenants: Map<string, OwnTenant>; tenantless: Docker.ContainerInfo[]; unlabelled: Docker.ContainerInfo[] } {
  const tenants = new Map<string, OwnTenant>();
  const tenantOf = (name: string) => {
    let t = tenants.get(name);
    if (!t) tenants.set(name, (t = { server: null, others: [], volumes: [] }));
    return t;
  };
  const tenantless: Docker.ContainerInfo[] = [];
  const unlabelled: Docker.ContainerInfo[] = [];
  for (const c of scan.containers.filter((c) => !isForeign(scan, c))) {
    const tenant = label(c, TENANT_LABEL);
    const role = label(c, ROLE_LABEL);
    if (tenant) {
      if (role === 'server') tenantOf(tenant).server = c;
      else tenantOf(tenant).others.push(c);
      const database = label(c, DATABASE_LABEL);
      if (database) scan.knownDatabases.add(database);
    } else if (isHelperRole(role)) tenantless.push(c);
    else if (!Object.keys(c.Labels ?? {}).some((k) => k.startsWith(FLEET_LABEL_PREFIX))) unlabelled.push(c);
  }
  for (const v of scan.volumes) if (!isForeign(scan, v)) tenantOf(label(v, TENANT_LABEL)!).volumes.push(v.Name);
  for (const entry of scan.journal.values()) if (entry.busy && entry.spec) scan.knownDatabases.add(entry.spec.database);
  return { tenants, tenantless, unlabelled };
}

/** Each own tenant not at work in a job here: its leftovers, or what remains of it. Returns how many are in order. */
async function reportTenants(deps: ReconcileDeps, scan: HostScan, tenants: Map<string, OwnTenant>): Promise<number> {
  let tenantsInOrder = 0;
  const serverInfos = new Map<string, Docker.ContainerInspectInfo>();
  await mapLimited([...tenants].filter(([, t]) => t.server), 4, async ([name, t]) => {
    serverInfos.set(name, await deps.docker.call(scan.endpoint, (d) => d.getContainer(t.server!.Id).inspect()));
  });
  const anyImage = [...serverInfos.values()][0]?.Config.Image ?? null;
  for (const [name, t] of [...tenants].sort(([a], [b]) => a.localeCompare(b))) {
    const history = scan.journal.get(name);
    if (history?.busy) continue; // a job of this console is at work on it
    const found: FoundTenant = {
      name,
      t,
      history,
      journalFields: { createdHere: history?.createdAt ?? null, decommissionedHere: history?.decommissionedAt ?? null },
      helpers: t.others.filter((c) => isHelperRole(label(c, ROLE_LABEL))),
    };
    if (t.server) {
      if (reportTenantWithServer(scan, found, serverInfos.get(name)!)) tenantsInOrder++;
    } else await reportTenantWithoutServer(deps, scan, found, anyImage);
  }
  return tenantsInOrder;
}

interface FoundTenant {
  name: string;
  t: OwnTenant;
  history: JournalEntry | undefined;
  journalFields: Pick<ReconcileItem, 'createdHere' | 'decommissionedHere'>;
  /** Its helper containers (init, archive, measure, …). */
  helpers: Docker.ContainerInfo[];
}

function orphanHelper(found: FoundTenant, c: Docker.ContainerInfo): ReconcileItem {
  return item({
    id: `orphan-helper:container:${containerView(c).name}`,
    kind: 'orphan-helper',
    tenant: found.name,
    summary: `A ${label(c, ROLE_LABEL)} container of tenant ${found.name} was left behind (${c.State}).`,
    actions: ['cleanup'],
    suggestion: 'Clean up: remove the container (its tenant is not touched).',
    containers: [containerView(c)],
    volumes: [],
    database: null,
    databaseExists: null,
    role: null,
    ...found.journalFields,
  });
}

/** A tenant with its server: its database gone, or its leftover helpers and unused volumes. True when it is in order. */
function reportTenantWithServer(scan: HostScan, found: FoundTenant, info: Docker.ContainerInspectInfo): boolean {
  const { name, t, journalFields } = found;
  const database = label(info.Config, DATABASE_LABEL);
  const mounted = new Set(info.Mounts.filter((m) => m.Type === 'volume' && m.Name).map((m) => m.Name!));
  const tenantMounts = info.Mounts.filter((m) => m.Type === 'volume' && m.Name && [DATA_MOUNT, SECRETS_MOUNT].includes(m.Destination)).map((m) => m.Name!);
  if (database && scan.databases && !scan.databases.has(database)) {
    scan.items.push(
      item({
        id: `database-missing:${name}`,
        kind: 'database-missing',
        tenant: name,
        summary: `Tenant ${name}'s server is there but its database ${database} is gone from the database server.`,
        actions: ['cleanup'],
        suggestion: "Clean up the remains (containers, volumes, role, stored secrets), or restore the database from a backup under the same name first.",
        containers: [t.server!, ...t.others].map(containerView),
        volumes: [...new Set([...t.volumes, ...tenantMounts])],
        database,
        databaseExists: false,
        role: envValue(info, 'USER'),
        ...journalFields,
      }),
    );
    return false;
  }
  for (const c of found.helpers) scan.items.push(orphanHelper(found, c));
  for (const v of t.volumes.filter((v) => !mounted.has(v))) {
    scan.items.push(
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
  return true;
}

/** A tenant with no server: what remains of it (being created, helpers only, or more). */
async function reportTenantWithoutServer(deps: ReconcileDeps, scan: HostScan, found: FoundTenant, anyImage: string | null): Promise<void> {
  const { name, t, history, helpers } = found;
  if (helpers.some((c) => label(c, ROLE_LABEL) === 'init' && c.State === 'running' && ageMs(scan, c) < INIT_GRACE_MS)) return; // being created
  const secretsVolume = t.volumes.find((v) => v === `fleet-${name}-secrets`) ?? null;
  const image = t.others[0]?.Image ?? (history?.spec ? `${history.spec.image}:${history.spec.tag}` : anyImage);
  const config = secretsVolume && image ? await readTenantConfig(deps, scan.endpoint, scan.hostId, secretsVolume, image).catch(() => null) : null;
  const database = config?.database ?? history?.spec?.database ?? null;
  const role = config?.role ?? history?.spec?.role ?? null;
  if (database) scan.knownDatabases.add(database);
  const databaseThere = dbExists(scan, database);
  const roleThere = role !== null && scan.pgState ? scan.pgState.roles.has(role) : false;
  const keeps = t.volumes.length > 0 || t.others.length > helpers.length || databaseThere === true;
  if (!keeps) {
    for (const c of helpers) scan.items.push(orphanHelper(found, c));
    return;
  }
  const recreatable = config !== null && databaseThere === true;
  scan.items.push(
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
        ...found.journalFields,
      },
      { databaseChecked: database },
    ),
  );
}

/** Servers off their own network (tenants at work in a job aside), and tenant networks left alone. */
function reportNetworks(deps: ReconcileDeps, scan: HostScan, tenants: Map<string, OwnTenant>): void {
  const busy = (tenant: string) => scan.journal.get(tenant)?.busy === true;
  const servers = new Map([...tenants].filter(([name, t]) => t.server && !busy(name)).map(([name, t]) => [name, t.server!] as const));
  const shared = sharedNetworkOf(deps, scan.hostId);
  for (const drift of [...serversOffTheirNetwork(servers, shared), ...orphanNetworks(scan.networks, new Set(tenants.keys()), busy, scan.now)]) scan.items.push(item(drift.fields, drift.extra));
}

/** Helpers of no tenant, stopped past their grace time or older than a day. */
function reportTenantlessHelpers(scan: HostScan, tenantless: Docker.ContainerInfo[]): void {
  for (const c of tenantless) {
    if (!(c.State !== 'running' && ageMs(scan, c) > HELPER_GRACE_MS) && !(ageMs(scan, c) > 24 * 3600_000)) continue;
    scan.items.push(
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
}

/** Unlabelled containers that look like Odoo. */
async function reportUnlabelledOdoo(deps: ReconcileDeps, scan: HostScan, unlabelled: Docker.ContainerInfo[]): Promise<void> {
  const inspected = await mapLimited(unlabelled, 4, (c) => deps.docker.call(scan.endpoint, (d) => d.getContainer(c.Id).inspect()).catch(() => null));
  for (const [index, info] of inspected.entries()) {
    if (!info) continue;
    const evidence = odooEvidence(info);
    if (evidence.length === 0) continue;
    const c = unlabelled[index]!;
    const database = databaseFromCommand([...(info.Config.Entrypoint ?? []), ...(info.Config.Cmd ?? [])]);
    if (database) scan.knownDatabases.add(database);
    scan.items.push(
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
          databaseExists: dbExists(scan, database),
          role: envValue(info, 'USER'),
          evidence,
        },
        info.Created,
      ),
    );
  }
}

/** Databases no tenant claims that hold Odoo's module table. */
async function reportUnclaimedDatabases(deps: ReconcileDeps, scan: HostScan): Promise<void> {
  const { admin, databases } = scan;
  if (!admin || !databases) return;
  const candidates = [...databases.keys()].filter((name) => !scan.knownDatabases.has(name));
  // Catalogs only, schema-qualified: reading the database's own tables (or anything its owner
  // could have put in front of them) would run its code in the admin's session.
  const found = await mapLimited(candidates, 4, async (name) => inspectDatabase(deps.pool, admin, name).then((i) => i.odoo).catch(() => false));
  for (const [index, odoo] of found.entries()) {
    if (!odoo) continue;
    const name = candidates[index]!;
    scan.items.push(
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
