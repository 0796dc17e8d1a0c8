import type Docker from 'dockerode';
import { HOST_LABEL, ROLE_LABEL, TENANT_NETWORK_ROLE, TENANT_SERVING_ROLES } from './labels.js';

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;
const messageOf = (error: unknown) => String((error as { json?: { message?: string } }).json?.message ?? (error as Error).message ?? '');

/**
 * Connects a container to a network unless it is on it already (a second console racing to do
 * the same is fine too: Docker's "already exists" counts as done).
 */
export async function connectIfMissing(docker: Docker, network: string, container: string): Promise<void> {
  const info = await docker.getContainer(container).inspect();
  if (Object.keys(info.NetworkSettings.Networks ?? {}).includes(network)) return;
  try {
    await docker.getNetwork(network).connect({ Container: container });
  } catch (error) {
    if (!(statusOf(error) === 403 && /already (exists|attached)/i.test(messageOf(error)))) throw error;
  }
}

/** The host's tenant networks (by their labels): every tenant's own bridge. */
export async function listTenantNetworks(docker: Docker, hostId: string): Promise<Docker.NetworkInspectInfo[]> {
  return docker.listNetworks({ filters: { label: [`${ROLE_LABEL}=${TENANT_NETWORK_ROLE}`, `${HOST_LABEL}=${hostId}`] } });
}

/** The host's containers that serve every tenant (database server, proxy), running or not. */
export async function listServingContainers(docker: Docker, hostId: string): Promise<Docker.ContainerInfo[]> {
  const all = await docker.listContainers({ all: true, filters: { label: [`${HOST_LABEL}=${hostId}`] } });
  return all.filter((c) => TENANT_SERVING_ROLES.includes(c.Labels?.[ROLE_LABEL] ?? ''));
}

/**
 * A container that serves every tenant (a database server set up, a proxy recreated) joins
 * every tenant network of its host, so each tenant reaches it by name and it reaches them.
 */
export async function joinTenantNetworks(docker: Docker, hostId: string, container: string): Promise<string[]> {
  const networks = await listTenantNetworks(docker, hostId);
  for (const network of networks) await connectIfMissing(docker, network.Name, container);
  return networks.map((n) => n.Name);
}
