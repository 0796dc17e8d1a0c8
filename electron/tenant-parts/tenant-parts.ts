import { FleetError } from '../../shared/errors.js';
import { DATABASE_LABEL, TENANT_LABEL, roleFilter } from '../docker/labels.js';
import type { Json } from '../jobs/types.js';
import { DATA_MOUNT, SECRETS_MOUNT } from './containers.js';
import type { TenantJobDeps } from './job-deps.js';
import { publicHostOf } from './routing.js';

/** A tenant's parts, as its host records them on its labelled server container. */
export interface TenantParts {
  [key: string]: Json;
  serverId: string;
  image: string;
  database: string;
  role: string;
  dataVolume: string;
  secretsVolume: string | null;
  wasRunning: boolean;
  /** The host name its router serves (null when it has no route). */
  publicHost: string | null;
}

/** Reads the tenant's parts from its server container, or fails with NOT_FOUND. */
export async function findTenantParts(deps: Pick<TenantJobDeps, 'docker' | 'hosts'>, hostId: string, name: string): Promise<TenantParts> {
  const endpoint = deps.hosts.endpoint(hostId);
  const servers = await deps.docker.call(endpoint, (d) => d.listContainers({ all: true, filters: { label: [`${TENANT_LABEL}=${name}`, roleFilter('server')] } }));
  if (servers.length === 0) throw new FleetError('NOT_FOUND', `No tenant named "${name}" on this host.`, { name });
  const info = await deps.docker.call(endpoint, (d) => d.getContainer(servers[0]!.Id).inspect());
  const database = info.Config.Labels?.[DATABASE_LABEL];
  const role = (info.Config.Env ?? []).find((e) => e.startsWith('USER='))?.slice('USER='.length);
  const dataVolume = info.Mounts.find((m) => m.Destination === DATA_MOUNT)?.Name;
  if (!database || !role || !dataVolume) throw new FleetError('INTERNAL', `Tenant ${name}'s container does not name its database, role and data volume; adopt or reconcile it first.`);
  return {
    serverId: info.Id,
    image: info.Config.Image,
    database,
    role,
    dataVolume,
    secretsVolume: info.Mounts.find((m) => m.Destination === SECRETS_MOUNT)?.Name ?? null,
    wasRunning: info.State.Running,
    publicHost: publicHostOf(info.Config.Labels),
  };
}
