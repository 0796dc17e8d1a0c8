import type Docker from 'dockerode';
import { FleetError } from '../../shared/errors.js';
import { sharedTenantNetworkOf } from '../../shared/hosts.js';
import { HOST_LABEL, ROLE_LABEL, TENANT_LABEL, TENANT_NETWORK_ROLE } from '../docker/labels.js';
import { connectIfMissing, listServingContainers } from '../docker/networks.js';
import type { TenantJobDeps } from './job-deps.js';

/**
 * Where tenant networks' subnets come from: Docker's default pools hold about 31 networks, so
 * the console hands out /28s (11 containers each) from a range of its own: 4096 networks.
 */
export const TENANT_SUBNET_RANGE = '10.213.0.0/16';
export const TENANT_SUBNET_PREFIX = 28;

/** A tenant's own bridge network on its host. */
export const tenantNetworkName = (tenant: string) => `fleet-${tenant}-net`;

export const tenantNetworkLabels = (hostId: string, tenant: string) => ({ [TENANT_LABEL]: tenant, [HOST_LABEL]: hostId, [ROLE_LABEL]: TENANT_NETWORK_ROLE });

interface Ipv4Block {
  base: number;
  prefix: number;
}

/** An IPv4 CIDR as its (masked) base and prefix; null for anything else (IPv6 subnets, say). */
export function parseIpv4Cidr(cidr: string): Ipv4Block | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!match) return null;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return null;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { base: maskOf(address, prefix), prefix };
}

const maskOf = (address: number, prefix: number) => (prefix === 0 ? 0 : Math.floor(address / 2 ** (32 - prefix)) * 2 ** (32 - prefix));
const overlaps = (a: Ipv4Block, b: Ipv4Block) => maskOf(a.base, Math.min(a.prefix, b.prefix)) === maskOf(b.base, Math.min(a.prefix, b.prefix));
const format = (block: Ipv4Block) => `${[24, 16, 8, 0].map((shift) => Math.floor(block.base / 2 ** shift) % 256).join('.')}/${block.prefix}`;

/**
 * The first /`prefix` of `range`, from slot `startAt` on (wrapping), that overlaps none of the
 * `taken` subnets (IPv6 ones are ignored); null when the range is full. Pure: the caller lists
 * the host's networks and routes.
 */
export function firstFreeSubnet(range: string, taken: readonly string[], prefix = TENANT_SUBNET_PREFIX, startAt = 0): string | null {
  const whole = parseIpv4Cidr(range);
  if (!whole || whole.prefix > prefix) throw new FleetError('VALIDATION', `The tenant subnet range ${range} is not an IPv4 range wider than /${prefix}.`, { range });
  const size = 2 ** (32 - prefix);
  const slots = 2 ** (prefix - whole.prefix);
  const used = new Uint8Array(slots);
  for (const block of taken.map(parseIpv4Cidr)) {
    if (!block || !overlaps(block, whole)) continue;
    // The slots the block covers, clipped to the range (a wider block covers them all).
    const start = Math.max(maskOf(block.base, prefix), whole.base);
    const end = Math.min(block.base + 2 ** (32 - block.prefix), whole.base + slots * size);
    for (let slot = (start - whole.base) / size; slot * size + whole.base < end; slot++) used[slot] = 1;
  }
  const start = ((startAt % slots) + slots) % slots;
  const after = used.indexOf(0, start);
  const free = after !== -1 ? after : used.indexOf(0);
  return free === -1 ? null : format({ base: whole.base + free * size, prefix });
}

/** Every IPv4/IPv6 subnet the host's Docker networks hold. */
const subnetsOf = (networks: Docker.NetworkInspectInfo[]) => networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => !!s));

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;
const messageOf = (error: unknown) => String((error as { json?: { message?: string } }).json?.message ?? (error as Error).message ?? '');
/** Docker refuses a pool that overlaps one of its networks' (a console racing ours took it). */
const isOverlap = (error: unknown) => /overlap/i.test(messageOf(error));

/** The tenant's network as Docker shows it, or null when it has none. */
export function findTenantNetwork(deps: Pick<TenantJobDeps, 'docker' | 'hosts'>, hostId: string, tenant: string): Promise<Docker.NetworkInspectInfo | null> {
  return deps.docker.call(deps.hosts.endpoint(hostId), (docker) => inspectIfPresent(docker, tenantNetworkName(tenant)));
}

async function inspectIfPresent(docker: Docker, name: string): Promise<Docker.NetworkInspectInfo | null> {
  try {
    return (await docker.getNetwork(name).inspect()) as Docker.NetworkInspectInfo;
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

/**
 * The IPv4 routes of the host's kernel (/proc/net/route): a subnet a VPN, the LAN or another
 * Docker daemon already uses is not free, though this daemon's networks do not show it.
 */
export function routedSubnets(procNetRoute: string): string[] {
  const ipOf = (hex: string) => [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16)).reverse();
  return procNetRoute
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 8 && /^[0-9A-F]{8}$/i.test(f[1]!) && /^[0-9A-F]{8}$/i.test(f[7]!) && f[7] !== '00000000')
    .map((f) => `${ipOf(f[1]!).join('.')}/${ipOf(f[7]!).reduce((bits, octet) => bits + octet.toString(2).replace(/0/g, '').length, 0)}`);
}

async function hostRoutes(deps: Pick<TenantJobDeps, 'pool'>, hostId: string): Promise<string[]> {
  const result = await (await deps.pool.session(hostId)).exec(['cat', '/proc/net/route'], { timeoutMs: 15_000 }).catch(() => null);
  return result?.code === 0 ? routedSubnets(result.stdout) : [];
}

/**
 * Creates the network on a free /28 (not a Docker network's, not routed on the host), from a
 * random slot so two daemons on one kernel rarely pick the same; a subnet Docker refuses as
 * overlapping is skipped for another.
 */
async function createOnFreeSubnet(deps: Pick<TenantJobDeps, 'pool'>, docker: Docker, hostId: string, tenant: string, range: string): Promise<string> {
  const refused: string[] = [];
  const startAt = Math.floor(Math.random() * 2 ** 16);
  for (let attempt = 0; attempt < 16; attempt++) {
    const subnet = firstFreeSubnet(range, [...subnetsOf(await docker.listNetworks()), ...(await hostRoutes(deps, hostId)), ...refused], TENANT_SUBNET_PREFIX, startAt);
    if (!subnet) throw new FleetError('CONFLICT', `No free /${TENANT_SUBNET_PREFIX} is left in the tenant subnet range ${range} on this host.`, { range });
    try {
      await docker.createNetwork({ Name: tenantNetworkName(tenant), Driver: 'bridge', CheckDuplicate: true, Labels: tenantNetworkLabels(hostId, tenant), IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] } });
      return subnet;
    } catch (error) {
      if (statusOf(error) === 409) return (await inspectIfPresent(docker, tenantNetworkName(tenant)))?.IPAM?.Config?.[0]?.Subnet ?? subnet; // made meanwhile
      if (!isOverlap(error)) throw error;
      refused.push(subnet);
    }
  }
  throw new FleetError('CONFLICT', `Docker refused every subnet offered for ${tenantNetworkName(tenant)} (others are being created at the same time); try again.`);
}

export interface TenantNetwork {
  name: string;
  subnet: string;
  /** Made by this call (not there before). */
  created: boolean;
}

/**
 * The tenant's own network, created if missing on a free /28 of the range, with every container
 * that serves all tenants (database server, proxy) connected to it. Idempotent.
 */
export async function ensureTenantNetwork(deps: Pick<TenantJobDeps, 'docker' | 'hosts' | 'pool'>, hostId: string, tenant: string, range = TENANT_SUBNET_RANGE): Promise<TenantNetwork> {
  return deps.docker.call(deps.hosts.endpoint(hostId), async (docker) => {
    const name = tenantNetworkName(tenant);
    const existing = await inspectIfPresent(docker, name);
    const subnet = existing ? (existing.IPAM?.Config?.[0]?.Subnet ?? '') : await createOnFreeSubnet(deps, docker, hostId, tenant, range);
    for (const serving of await listServingContainers(docker, hostId)) await connectIfMissing(docker, name, serving.Id);
    return { name, subnet, created: !existing };
  }, 60_000);
}

/** Removes the tenant's network, disconnecting whatever is still on it first; a missing one is fine. */
export async function removeTenantNetwork(deps: Pick<TenantJobDeps, 'docker' | 'hosts'>, hostId: string, tenant: string): Promise<void> {
  await deps.docker.call(deps.hosts.endpoint(hostId), async (docker) => {
    const network = await inspectIfPresent(docker, tenantNetworkName(tenant));
    if (!network) return;
    for (const id of Object.keys(network.Containers ?? {})) {
      await docker.getNetwork(network.Id).disconnect({ Container: id, Force: true }).catch((error: unknown) => {
        if (statusOf(error) !== 404) throw error;
      });
    }
    try {
      await docker.getNetwork(network.Id).remove();
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }, 60_000);
}

/**
 * The network a tenant's containers also join on a host whose external database server is
 * reached on a network of its own (dbServer.tenantNetwork): its tenants are then not isolated.
 */
export function sharedNetworkOf(deps: Pick<TenantJobDeps, 'hosts'>, hostId: string): string | null {
  return sharedTenantNetworkOf(deps.hosts.get(hostId).dbServer);
}

/**
 * A tenant's new container (created, not yet started), joining the shared network of the host's
 * database server when it has one; the container's own network is its NetworkMode.
 */
export async function joinSharedNetwork(deps: Pick<TenantJobDeps, 'hosts'>, docker: Docker, hostId: string, container: string): Promise<void> {
  const shared = sharedNetworkOf(deps, hostId);
  if (shared) await connectIfMissing(docker, shared, container);
}
