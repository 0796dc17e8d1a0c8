import type Docker from 'dockerode';
import { FleetError } from '../../shared/errors.js';
import type { DockerEndpoint } from '../docker/docker-service.js';
import { DATABASE_LABEL, ROLE_LABEL, roleFilter, TENANT_LABEL } from '../docker/labels.js';
import { logLines } from '../docker/log-stream.js';
import { withAdmin } from '../postgres/admin-session.js';
import { DATA_MOUNT } from './containers.js';
import type { TenantJobDeps } from './job-deps.js';

/**
 * A tenant's database and filestore sizes, each measured where it lives: for its figures, and for
 * a backup's progress estimate.
 */
export class TenantSizes {
  private readonly filestoreSizes = new Map<string, { at: number; bytes: number }>();

  constructor(private readonly deps: Pick<TenantJobDeps, 'pool' | 'docker' | 'hosts'>) {}

  /** Both sizes of the tenant whose server container is `info` (each null when unknown). */
  async of(hostId: string, endpoint: DockerEndpoint, info: Docker.ContainerInspectInfo): Promise<{ databaseBytes: number | null; filestoreBytes: number | null }> {
    const database = info.Config.Labels?.[DATABASE_LABEL];
    const admin = this.deps.hosts.dbTarget(hostId);
    const [databaseBytes, filestoreBytes] = await Promise.all([
      admin && database
        ? withAdmin(this.deps.pool, admin, async (c) => Number((await c.query<{ size: string | null }>('SELECT pg_database_size(datname)::text AS size FROM pg_database WHERE datname = $1', [database])).rows[0]?.size ?? NaN)).catch(() => null)
        : Promise.resolve(null),
      database ? this.cachedFilestoreBytes(hostId, endpoint, info, database) : Promise.resolve(null),
    ]);
    return { databaseBytes: databaseBytes !== null && Number.isFinite(databaseBytes) ? databaseBytes : null, filestoreBytes };
  }

  /** The tenant's database and filestore bytes together (null when unknown); NOT_FOUND without its server. */
  async total(hostId: string, name: string): Promise<number | null> {
    const endpoint = this.deps.hosts.endpoint(hostId);
    const found = await this.deps.docker.call(endpoint, (d) => d.listContainers({ all: true, filters: { label: [`${TENANT_LABEL}=${name}`, roleFilter('server')] } }));
    if (found.length === 0) throw new FleetError('NOT_FOUND', `No tenant named "${name}" on this host.`, { name });
    const info = await this.deps.docker.call(endpoint, (d) => d.getContainer(found[0]!.Id).inspect());
    const sizes = await this.of(hostId, endpoint, info);
    return (sizes.databaseBytes ?? 0) + (sizes.filestoreBytes ?? 0) || null;
  }

  /**
   * The filestore size changes slowly and costs a one-off container to measure: a tenant page
   * refreshing its figures every few seconds reuses a measurement for a minute.
   */
  private async cachedFilestoreBytes(hostId: string, endpoint: DockerEndpoint, info: Docker.ContainerInspectInfo, database: string): Promise<number | null> {
    const key = `${hostId}/${database}`;
    const cached = this.filestoreSizes.get(key);
    if (cached && Date.now() - cached.at < 60_000) return cached.bytes;
    const bytes = await this.filestoreBytes(endpoint, info, database).catch(() => null);
    if (bytes !== null) this.filestoreSizes.set(key, { at: Date.now(), bytes });
    return bytes;
  }

  /** du in a one-off container of the tenant's own image, its data volume mounted read-only. */
  private async filestoreBytes(endpoint: DockerEndpoint, info: Docker.ContainerInspectInfo, database: string): Promise<number | null> {
    const data = info.Mounts.find((m) => m.Destination === DATA_MOUNT);
    if (!data?.Name) return null;
    return this.deps.docker.call(endpoint, async (d) => {
      const container = await d.createContainer({
        Image: info.Config.Image,
        Entrypoint: ['du', '-sk', `${DATA_MOUNT}/filestore/${database}`],
        User: '0',
        Labels: { [ROLE_LABEL]: 'measure' },
        HostConfig: { Mounts: [{ Type: 'volume', Source: data.Name!, Target: DATA_MOUNT, ReadOnly: true }], NetworkMode: 'none' },
      });
      try {
        await container.start();
        const { StatusCode } = (await container.wait()) as { StatusCode: number };
        const out = logLines((await container.logs({ stdout: true, stderr: false })) as unknown as Buffer).join('\n');
        const kib = Number.parseInt(out.trim().split(/\s+/)[0] ?? '', 10);
        return StatusCode === 0 && Number.isFinite(kib) ? kib * 1024 : null;
      } finally {
        await container.remove({ force: true, v: true }).catch(() => {});
      }
    }, 120_000);
  }
}
