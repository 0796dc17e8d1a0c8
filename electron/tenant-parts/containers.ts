import type Docker from 'dockerode';
import { FleetError } from '../../shared/errors.js';
import type { TenantSpec } from '../../shared/tenants.js';
import type { DockerEndpoint } from '../docker/docker-service.js';
import type { TenantJobDeps } from './job-deps.js';

/** Where a tenant's secrets live inside its containers (a volume of their own, read-only). */
export const SECRETS_MOUNT = '/run/fleet';
/** Where a tenant's filestore volume is mounted (Odoo's data_dir). */
export const DATA_MOUNT = '/var/lib/odoo';

/** The names of a tenant's containers and volumes on its host. */
export const names = (spec: Pick<TenantSpec, 'name' | 'volume'>) => ({
  server: `fleet-${spec.name}`,
  init: `fleet-${spec.name}-init`,
  secretsVolume: `fleet-${spec.name}-secrets`,
  dataVolume: spec.volume,
});

/** Runs a Docker removal, taking "no such object" (404) as already done. */
async function ignoringMissing(remove: () => Promise<unknown>): Promise<void> {
  try {
    await remove();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
}

export async function removeContainerIfPresent(docker: Docker, name: string): Promise<void> {
  await ignoringMissing(() => docker.getContainer(name).remove({ force: true, v: true }));
}

export async function removeVolumeIfPresent(docker: Docker, name: string): Promise<void> {
  await ignoringMissing(() => docker.getVolume(name).remove({ force: true }));
}

/** Removes the named containers or volumes on a host one after the other; a missing one counts as removed. */
export async function removeEachPresent(deps: Pick<TenantJobDeps, 'docker' | 'hosts'>, hostId: string, names: readonly string[], remove: (docker: Docker, name: string) => Promise<void>): Promise<void> {
  await deps.docker.call(deps.hosts.endpoint(hostId), async (d) => {
    for (const name of names) await remove(d, name);
  }, 120_000);
}

/** Fails with NOT_FOUND (field image) unless the tenant's image is on the host. */
export async function requireImage(deps: Pick<TenantJobDeps, 'docker'>, endpoint: DockerEndpoint, spec: { image: string; tag: string }): Promise<void> {
  try {
    await deps.docker.call(endpoint, (d) => d.getImage(`${spec.image}:${spec.tag}`).inspect());
  } catch (error) {
    if (error instanceof FleetError && error.code === 'NOT_FOUND') {
      throw new FleetError('NOT_FOUND', `The image ${spec.image}:${spec.tag} is not on the host; pull or load it there first.`, { field: 'image' });
    }
    throw error;
  }
}
