import type Docker from 'dockerode';
import { HOST_LABEL, MAINTENANCE_ROLE, ROLE_LABEL, TENANT_LABEL, roleFilter } from '../docker/labels.js';
import type { HostCoordinators } from '../coordination/host-coordinators.js';
import type { DockerService } from '../docker/docker-service.js';
import type { HostService } from '../hosts/host-service.js';
import type { SshPool } from '../ssh/pool.js';
import { publicHostOf, websocketPortOf } from '../tenant-parts/routing.js';
import { CaddyAdmin } from './caddy-admin.js';
import { APPROVAL_ROUTES_PATH, TENANT_ROUTES_PATH, approvalRoute, approvalRouteId, tenantRoute, tenantRouteId, type CaddyRoute } from './caddy-config.js';
import { DomainStore } from './domain-store.js';
import { findProxyContainer, type ProxyContainerInfo } from './proxy-container.js';

export interface ProxyDeps {
  pool: SshPool;
  docker: DockerService;
  hosts: HostService;
  /** The hosts' fleet databases, where tenants' names live; without one, a tenant answers to the public host its labels carry. */
  coordinators?: HostCoordinators;
}

/** Runs `fn` with the admin API of the host's managed proxy; null (and nothing run) when the host has none. */
export async function withProxyAdmin<T>(deps: ProxyDeps, hostId: string, fn: (admin: CaddyAdmin, proxy: ProxyContainerInfo, docker: Docker) => Promise<T>): Promise<T | null> {
  const endpoint = deps.hosts.endpoint(hostId);
  const proxy = await deps.docker.call(endpoint, (d) => findProxyContainer(d, hostId));
  if (!proxy) return null;
  const admin = new CaddyAdmin(async () => (await deps.pool.session(hostId)).openUnixSocket(proxy.adminSocket));
  try {
    return await fn(admin, proxy, deps.docker.client(endpoint));
  } finally {
    admin.close();
  }
}

/** Whether the host runs a managed proxy (its tenants are then served over HTTPS at their domains). */
export async function hasManagedProxy(deps: ProxyDeps, hostId: string): Promise<boolean> {
  return (await deps.docker.call(deps.hosts.endpoint(hostId), (d) => findProxyContainer(d, hostId))) !== null;
}

/** The names the host's tenants answer to, as its fleet database records them (null when the host has none to ask). */
export async function recordedNames(deps: ProxyDeps, hostId: string): Promise<Map<string, string[]> | null> {
  const coordinator = deps.coordinators?.of(hostId);
  return coordinator ? new DomainStore(coordinator).all() : null;
}

/** The tenant's HTTPS address where the host's managed proxy serves it (https://<main name>), else null. */
export async function tenantAddress(deps: ProxyDeps, hostId: string, tenant: string, publicHost: string | null): Promise<string | null> {
  if (!(await hasManagedProxy(deps, hostId))) return null;
  const main = (await recordedNames(deps, hostId))?.get(tenant)?.[0] ?? publicHost;
  return main ? `https://${main}` : null;
}

/** Records a new tenant's first name as its main one (nothing to do on a host without a fleet database). */
export async function recordFirstName(deps: ProxyDeps, hostId: string, tenant: string, domain: string, actor: string): Promise<void> {
  const coordinator = deps.coordinators?.of(hostId);
  if (coordinator) await new DomainStore(coordinator).add(domain, tenant, actor);
}

/** Forgets a removed tenant's names. */
export async function forgetNames(deps: ProxyDeps, hostId: string, tenant: string): Promise<void> {
  const coordinator = deps.coordinators?.of(hostId);
  if (coordinator) await new DomainStore(coordinator).removeTenant(tenant);
}

/** A tenant's names: those recorded for it, else the public host its labels carry (a tenant made before names were recorded). */
export function namesOf(server: Docker.ContainerInfo, recorded: Map<string, string[]> | null): string[] {
  const fromRecord = recorded?.get(server.Labels[TENANT_LABEL] ?? '');
  if (fromRecord?.length) return fromRecord;
  const publicHost = publicHostOf(server.Labels);
  return publicHost ? [publicHost] : [];
}

/** A tenant's two routes as its containers say they should be: to its server, or to the 503 page while a maintenance container stands. */
export function desiredRoutes(server: Docker.ContainerInfo, suspended: boolean, hosts: string[]): { route: CaddyRoute; approval: CaddyRoute } | null {
  const tenant = server.Labels[TENANT_LABEL];
  if (!tenant || hosts.length === 0) return null;
  return {
    route: tenantRoute({ tenant, hosts, upstream: `fleet-${tenant}`, websocketPort: websocketPortOf(server.Labels), suspended }),
    approval: approvalRoute(tenant, hosts),
  };
}

/** Lists the host's tenant servers and which tenants are suspended (their maintenance container exists). */
async function tenantContainers(docker: Docker, hostId: string, tenant?: string) {
  const filters = (role: string) => ({ all: true, filters: { label: [roleFilter(role), `${HOST_LABEL}=${hostId}`, ...(tenant ? [`${TENANT_LABEL}=${tenant}`] : [])] } });
  const [servers, maintenance] = await Promise.all([docker.listContainers(filters('server')), docker.listContainers(filters(MAINTENANCE_ROLE))]);
  return { servers, suspended: new Set(maintenance.map((c) => c.Labels[TENANT_LABEL])) };
}

/** Connects the proxy to each user-defined network a tenant's server is on, so Docker's DNS resolves the server for it. */
async function joinServerNetworks(docker: Docker, proxy: ProxyContainerInfo, server: Docker.ContainerInfo): Promise<void> {
  const joined = new Set(Object.keys((await docker.getContainer(proxy.id).inspect()).NetworkSettings.Networks ?? {}));
  for (const network of Object.keys(server.NetworkSettings?.Networks ?? {})) {
    if (joined.has(network) || ['bridge', 'host', 'none'].includes(network)) continue;
    await docker.getNetwork(network).connect({ Container: proxy.id });
  }
}

export type RouteOutcome = 'no-proxy' | 'routed' | 'no-domain' | 'removed';

/**
 * Makes the proxy's routes for one tenant what its containers say: its names to its server (or
 * to the 503 page while suspended), or no routes once its server is gone. Idempotent, so a job
 * step that calls it resumes safely after a crash. `suspended` overrides what the containers say
 * (a suspension switches the route before it stops the server, so no request sees a 502).
 */
export async function syncTenantRoutes(deps: ProxyDeps, hostId: string, tenant: string, options: { suspended?: boolean } = {}): Promise<RouteOutcome> {
  const outcome = await withProxyAdmin(deps, hostId, async (admin, proxy, docker) => {
    const { servers, suspended } = await tenantContainers(docker, hostId, tenant);
    const server = servers.find((c) => c.Labels[ROLE_LABEL] === 'server');
    const wanted = server ? desiredRoutes(server, options.suspended ?? suspended.has(tenant), namesOf(server, await recordedNames(deps, hostId))) : null;
    if (!server || !wanted) {
      await removeRoutes(admin, tenant);
      return server ? 'no-domain' : 'removed';
    }
    await joinServerNetworks(docker, proxy, server);
    await admin.upsertRoute(APPROVAL_ROUTES_PATH, wanted.approval);
    await admin.upsertRoute(TENANT_ROUTES_PATH, wanted.route);
    return 'routed';
  });
  return outcome ?? 'no-proxy';
}

async function removeRoutes(admin: CaddyAdmin, tenant: string): Promise<void> {
  await admin.removeRoute(tenantRouteId(tenant));
  await admin.removeRoute(approvalRouteId(tenant));
}

/** Removes a tenant's routes (its server is being removed). */
export async function removeTenantRoutes(deps: ProxyDeps, hostId: string, tenant: string): Promise<void> {
  await withProxyAdmin(deps, hostId, (admin) => removeRoutes(admin, tenant));
}

/** Routes every tenant on the host and drops the routes of tenants it no longer has (provisioning, upgrades, reconcile). */
export async function syncAllRoutes(deps: ProxyDeps, hostId: string): Promise<{ routed: number; removed: number } | null> {
  return withProxyAdmin(deps, hostId, async (admin, proxy, docker) => {
    const { servers, suspended } = await tenantContainers(docker, hostId);
    const recorded = await recordedNames(deps, hostId);
    const present = new Set<string>();
    let routed = 0;
    for (const server of servers) {
      const tenant = server.Labels[TENANT_LABEL]!;
      const wanted = desiredRoutes(server, suspended.has(tenant), namesOf(server, recorded));
      if (!wanted) continue;
      present.add(tenant);
      await joinServerNetworks(docker, proxy, server);
      await admin.upsertRoute(APPROVAL_ROUTES_PATH, wanted.approval);
      await admin.upsertRoute(TENANT_ROUTES_PATH, wanted.route);
      routed++;
    }
    let removed = 0;
    for (const route of await admin.tenantRoutes()) {
      const tenant = route['@id'].slice(tenantRouteId('').length);
      if (present.has(tenant)) continue;
      await removeRoutes(admin, tenant);
      removed++;
    }
    return { routed, removed };
  });
}
