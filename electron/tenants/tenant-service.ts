import type { z } from 'zod';
import { FleetError } from '../../shared/errors.js';
import type { TenantDetail, TenantView } from '../../shared/tenant-views.js';
import { resolveTenantSpec, splitImage, type TenantSpecInput } from '../../shared/tenants.js';
import type { HostCoordinators } from '../coordination/host-coordinators.js';
import { DATABASE_LABEL, ROLE_LABEL, TENANT_LABEL, roleFilter } from '../docker/labels.js';
import type { JobRegistry, JobRunner } from '../jobs/index.js';
import type { Store } from '../store/database.js';
import type Docker from 'dockerode';
import type { TenantFigures } from '../../shared/tenant-views.js';
import type { DockerEndpoint } from '../docker/docker-service.js';
import { boundedLogLines, logLines } from '../docker/log-stream.js';
import { probeTenantHealth } from '../tenant-parts/health.js';
import type { TenantJobDeps } from '../tenant-parts/job-deps.js';
import type { TenantSizes } from '../tenant-parts/sizes.js';
import { publicHostOf } from '../tenant-parts/routing.js';
import { createTenantJob } from './create-job.js';
import type { BackupDeps } from '../backup/archive-steps.js';
import type { BackupService } from '../backup/backup-service.js';
import { resetAdminPassword } from './admin-password.js';
import type { PosActivity } from '../../shared/tenants-pos.js';
import { posActivity } from '../tenant-parts/pos-activity.js';
import { decommissionTenantJob } from './decommission-job.js';
import { lifecycleJobs, type LifecycleAction, type TenantRef } from './lifecycle-jobs.js';
import { MAINTENANCE_ROLE } from './maintenance.js';
import { ReconcileService } from './reconcile-service.js';

/** Tenants of the console's hosts: read from the hosts' labels, changed only through jobs. */
export class TenantService {
  readonly createJob;
  readonly lifecycle;
  readonly decommissionJob;
  /** Drift reports, clean-up and adoption (reconcile-service.ts). */
  readonly reconcile;

  constructor(
    private readonly deps: TenantJobDeps &
      BackupDeps & { jobs: JobRunner; store: Store; coordinators: HostCoordinators; /** Where a tenant's archives go (its backup policy's destinations and key). */ backups: Pick<BackupService, 'archiveTargets'>; sizes: TenantSizes },
  ) {
    this.createJob = createTenantJob(deps);
    this.lifecycle = lifecycleJobs(deps);
    this.decommissionJob = decommissionTenantJob(deps);
    this.reconcile = new ReconcileService(deps);
  }

  /** Every job definition the runner must know to resume after a crash. */
  registerJobs(registry: JobRegistry): void {
    registry.register(this.createJob);
    for (const definition of Object.values(this.lifecycle)) registry.register(definition);
    registry.register(this.decommissionJob);
    this.reconcile.registerJobs(registry);
  }

  /**
   * Final archive, then removal of everything the tenant owns. The caller typed the tenant's
   * name to confirm (checked by the contract); the name is checked again against the host here.
   */
  async decommission(hostId: string, name: string, actor: string): Promise<{ jobId: string }> {
    await this.server(hostId, name); // NOT_FOUND before a job is journaled
    const targets = await this.deps.backups.archiveTargets(hostId, name);
    return { jobId: this.deps.jobs.runJob(this.decommissionJob, { hostId, name, ...targets }, { actor }) };
  }

  /** One tenant in detail: its spec as the host records it, state, health and parts. */
  async show(hostId: string, name: string): Promise<TenantDetail> {
    const { endpoint, id } = await this.server(hostId, name);
    const [info, maintenance] = await Promise.all([
      this.deps.docker.call(endpoint, (d) => d.getContainer(id).inspect()),
      this.deps.docker.call(endpoint, (d) => d.listContainers({ all: true, filters: { label: [`${TENANT_LABEL}=${name}`, roleFilter(MAINTENANCE_ROLE)] } })),
    ]);
    const labels = info.Config.Labels ?? {};
    const env = info.Config.Env ?? [];
    const envValue = (key: string) => env.find((e) => e.startsWith(`${key}=`))?.slice(key.length + 1) ?? null;
    const [image, tag] = splitImage(info.Config.Image);
    const health = info.State.Running ? await probeTenantHealth(this.deps, hostId, info) : { ok: false, detail: `not running (${info.State.Status})` };
    return {
      name,
      hostId,
      containerId: info.Id,
      state: info.State.Status,
      status: info.State.Running ? `Up since ${info.State.StartedAt}` : `Exited (${info.State.ExitCode}) at ${info.State.FinishedAt}`,
      image,
      tag,
      publicHost: publicHostOf(labels),
      suspended: !info.State.Running && maintenance.length > 0,
      database: labels[DATABASE_LABEL] ?? null,
      role: envValue('USER'),
      dbHost: envValue('HOST'),
      dataVolume: info.Mounts.find((m) => m.Destination === '/var/lib/odoo')?.Name ?? null,
      memoryLimitBytes: info.HostConfig.Memory || null,
      cpus: info.HostConfig.NanoCpus ? info.HostConfig.NanoCpus / 1e9 : null,
      restartPolicy: info.HostConfig.RestartPolicy?.Name ?? null,
      restartCount: info.RestartCount,
      createdAt: info.Created,
      startedAt: info.State.Running ? info.State.StartedAt : null,
      health,
      routingLabels: Object.fromEntries(Object.entries(labels).filter(([k]) => k.startsWith('traefik.'))),
      // Only the names of extra variables: their values may be secrets.
      envNames: env.map((e) => e.split('=')[0]!).filter((k) => !['HOST', 'PORT', 'USER', 'PASSWORD_FILE', 'ODOO_RC', 'PATH', 'LANG'].includes(k)),
    };
  }

  async act(hostId: string, name: string, action: LifecycleAction, actor: string): Promise<{ jobId: string }> {
    const ref = await this.ref(hostId, name);
    return { jobId: this.deps.jobs.runJob(this.lifecycle[action], ref, { actor }) };
  }

  /**
   * The generated admin password of a finished create job, revealed once: afterwards only its
   * encrypted copy remains (for the console's own use), never shown again.
   */
  revealCredentials(jobId: string): { login: string; password: string } {
    const job = this.deps.jobs.getJob(jobId);
    if (!job || job.kind !== this.createJob.kind) throw new FleetError('NOT_FOUND', 'No tenant-creation job with that id.', { jobId });
    if (job.state !== 'succeeded') throw new FleetError('CONFLICT', `The job has not succeeded (${job.state}): there are no credentials to show.`);
    const secretId = (job.steps.find((s) => s.name === 'admin-password')?.output as { adminPasswordId?: string } | null)?.adminPasswordId;
    if (!secretId) throw new FleetError('NOT_FOUND', 'This job recorded no admin password.');
    const marker = `credentials-revealed:${jobId}`;
    const claimed = this.deps.store.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(marker, new Date().toISOString());
    if (claimed.changes === 0) throw new FleetError('CONFLICT', 'These credentials were already shown once. Reset the admin password in Odoo if they were lost.');
    return { login: 'admin', password: this.deps.vault.get(secretId) };
  }

  /** A new generated password for one of the tenant's Odoo administrators, shown once. */
  /** The sessions open on the tenant's tills and their last orders (read as the tenant). */
  posActivity(hostId: string, name: string): Promise<PosActivity> {
    return posActivity(this.deps, hostId, name);
  }

  resetAdminPassword(hostId: string, name: string, login: string): Promise<{ login: string; password: string }> {
    return resetAdminPassword(this.deps, hostId, name, login);
  }

  /** Database and filestore sizes, CPU and memory, each measured where it lives. */
  async figures(hostId: string, name: string): Promise<TenantFigures> {
    const { endpoint, id } = await this.server(hostId, name);
    const info = await this.deps.docker.call(endpoint, (d) => d.getContainer(id).inspect());
    const [sizes, usage] = await Promise.all([
      this.deps.sizes.of(hostId, endpoint, info),
      info.State.Running ? this.usage(endpoint, id).catch(() => null) : Promise.resolve(null),
    ]);
    return {
      ...sizes,
      cpuPercent: usage?.cpuPercent ?? null,
      memoryBytes: usage?.memoryBytes ?? null,
      memoryLimitBytes: usage?.memoryLimitBytes ?? null,
      measuredAt: new Date().toISOString(),
    };
  }

  private async usage(endpoint: DockerEndpoint, id: string) {
    const stats = (await this.deps.docker.call(endpoint, (d) => d.getContainer(id).stats({ stream: false }) as Promise<Docker.ContainerStats>)) as Docker.ContainerStats;
    const cpuDelta = stats.cpu_stats.cpu_usage.total_usage - stats.precpu_stats.cpu_usage.total_usage;
    const systemDelta = (stats.cpu_stats.system_cpu_usage ?? 0) - (stats.precpu_stats.system_cpu_usage ?? 0);
    const cpus = stats.cpu_stats.online_cpus ?? stats.cpu_stats.cpu_usage.percpu_usage?.length ?? 1;
    return {
      cpuPercent: systemDelta > 0 && cpuDelta >= 0 ? Math.round((cpuDelta / systemDelta) * cpus * 1000) / 10 : 0,
      memoryBytes: stats.memory_stats.usage ?? null,
      memoryLimitBytes: stats.memory_stats.limit ?? null,
    };
  }

  /** The last lines of the tenant's server log. */
  async logs(hostId: string, name: string, tail: number, since?: string): Promise<string[]> {
    const { endpoint, id } = await this.server(hostId, name);
    // Docker's `since` is whole seconds (or seconds.nanos); lines in that second but not after the
    // given timestamp are dropped here, so a follower never sees a line twice.
    const sinceSeconds = since ? `${Math.floor(Date.parse(since) / 1000)}` : undefined;
    const buffer = await this.deps.docker.call(endpoint, (d) =>
      d.getContainer(id).logs({ stdout: true, stderr: true, tail, timestamps: true, ...(sinceSeconds ? { since: sinceSeconds as unknown as number } : {}) }) as unknown as Promise<Buffer>,
    );
    const lines = logLines(buffer);
    return boundedLogLines(since ? lines.filter((line) => isAfter(line.slice(0, line.indexOf(' ')), since)) : lines);
  }

  private async server(hostId: string, name: string) {
    const endpoint = this.deps.hosts.endpoint(hostId);
    const found = await this.deps.docker.call(endpoint, (d) => d.listContainers({ all: true, filters: { label: [`${TENANT_LABEL}=${name}`, roleFilter('server')] } }));
    if (found.length === 0) throw new FleetError('NOT_FOUND', `No tenant named "${name}" on this host.`, { name });
    return { endpoint, id: found[0]!.Id };
  }

  /** Finds the tenant on its host; its database role is in its server container's environment. */
  private async ref(hostId: string, name: string): Promise<TenantRef> {
    const { endpoint, id } = await this.server(hostId, name);
    const info = await this.deps.docker.call(endpoint, (d) => d.getContainer(id).inspect());
    const role = (info.Config.Env ?? []).find((e) => e.startsWith('USER='))?.slice('USER='.length);
    if (!role) throw new FleetError('INTERNAL', `Tenant ${name}'s container does not name its database role.`);
    return { hostId, name, role };
  }

  create(input: z.output<typeof TenantSpecInput>, actor: string): { jobId: string } {
    this.deps.hosts.get(input.hostId); // NOT_FOUND before a job is journaled
    const spec = resolveTenantSpec(input);
    return { jobId: this.deps.jobs.runJob(this.createJob, { spec }, { actor }) };
  }

  async list(hostId: string): Promise<TenantView[]> {
    const endpoint = this.deps.hosts.endpoint(hostId);
    const all = await this.deps.docker.call(endpoint, (d) => d.listContainers({ all: true, filters: { label: [TENANT_LABEL] } }));
    const role = (c: Docker.ContainerInfo) => c.Labels?.[ROLE_LABEL];
    const inMaintenance = new Set(all.filter((c) => role(c) === MAINTENANCE_ROLE).map((c) => c.Labels[TENANT_LABEL]));
    return all.filter((c) => role(c) === 'server').map((c) => {
      const labels = c.Labels ?? {};
      return {
        name: labels[TENANT_LABEL]!,
        hostId,
        containerId: c.Id,
        state: c.State,
        status: c.Status,
        image: c.Image,
        publicHost: publicHostOf(labels),
        suspended: c.State !== 'running' && inMaintenance.has(labels[TENANT_LABEL]),
      };
    });
  }
}


/** Compares Docker's RFC 3339 timestamps (nanosecond fractions of varying length). */
function isAfter(stamp: string, since: string): boolean {
  const split = (t: string) => {
    const m = /^(.*?)(?:\.(\d+))?Z$/.exec(t);
    return [m?.[1] ?? t, (m?.[2] ?? '').padEnd(9, '0')] as const;
  };
  const [a, af] = split(stamp);
  const [b, bf] = split(since);
  return a === b ? af > bf : a > b;
}
