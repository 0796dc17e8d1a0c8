import type Docker from 'dockerode';
import type { ReconcileItem } from '../../shared/reconcile.js';
import { TENANT_LABEL } from '../docker/labels.js';
import { tenantNetworkName } from '../tenant-parts/tenant-network.js';

/** A tenant network younger than this may belong to a create job at work (this or another console). */
const NETWORK_GRACE_MS = 10 * 60_000;

export type NetworkDrift = { fields: Omit<ReconcileItem, 'fingerprint'>; extra: unknown };

const bare = () => ({ containers: [], volumes: [], database: null, databaseExists: null, role: null });

/**
 * The tenants whose server is not on its own network, or is on another one besides (made before
 * tenants had networks, adopted, or connected by hand): whatever shares that network reaches it.
 * The shared network an existing database server imposes is the host's choice, not drift.
 */
export function serversOffTheirNetwork(servers: ReadonlyMap<string, Docker.ContainerInfo>, sharedNetwork: string | null): NetworkDrift[] {
  return [...servers].flatMap(([name, server]) => {
    const on = Object.keys(server.NetworkSettings?.Networks ?? {});
    const others = on.filter((n) => n !== tenantNetworkName(name) && n !== sharedNetwork);
    if (on.includes(tenantNetworkName(name)) && others.length === 0) return [];
    const where = on.join(', ') || 'no network';
    return [
      {
        fields: {
          ...bare(),
          id: `not-isolated:${name}`,
          kind: 'not-isolated' as const,
          tenant: name,
          summary: on.includes(tenantNetworkName(name))
            ? `Tenant ${name}'s server is on ${others.join(', ')} besides its own network: containers there reach it.`
            : `Tenant ${name}'s server is not on its own network ${tenantNetworkName(name)} (it is on ${where}): containers sharing that network reach it.`,
          actions: ['report-only' as const],
          suggestion: `Put it on its own network alone: docker network connect ${tenantNetworkName(name)} ${server.Names[0]?.replace(/^\//, '') ?? server.Id}${others.length ? `, then disconnect it from ${others.join(', ')} once nothing it needs is reached there` : ''}.`,
        },
        extra: where,
      },
    ];
  });
}

/**
 * Tenant networks of this host whose tenant has nothing else left here (no container, no volume)
 * and that are past their grace time; a tenant with remains is cleaned up as a whole instead.
 */
export function orphanNetworks(networks: readonly Docker.NetworkInspectInfo[], tenantsWithRemains: ReadonlySet<string>, busy: (tenant: string) => boolean, now: number): NetworkDrift[] {
  return networks
    .filter((n) => {
      const tenant = n.Labels?.[TENANT_LABEL];
      return tenant && !tenantsWithRemains.has(tenant) && !busy(tenant) && now - Date.parse(n.Created ?? '') > NETWORK_GRACE_MS;
    })
    .map((n) => ({
      fields: {
        ...bare(),
        id: `orphan-network:${n.Name}`,
        kind: 'orphan-network',
        tenant: n.Labels![TENANT_LABEL]!,
        summary: `Network ${n.Name} (${n.IPAM?.Config?.[0]?.Subnet ?? 'no subnet'}) belongs to tenant ${n.Labels![TENANT_LABEL]}, which has nothing else on this host.`,
        actions: ['cleanup'],
        suggestion: 'Clean up: remove the network (the database server and proxy are disconnected from it first).',
      },
      extra: { id: n.Id, attached: Object.keys(n.Containers ?? {}).sort() },
    }));
}
