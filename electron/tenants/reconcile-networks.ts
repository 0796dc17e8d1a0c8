import type Docker from 'dockerode';
import type { ReconcileItem } from '../../shared/reconcile.js';
import { TENANT_LABEL } from '../docker/labels.js';
import { tenantNetworkName } from '../tenant-parts/tenant-network.js';

/** A tenant network younger than this may belong to a create job at work (this or another console). */
const NETWORK_GRACE_MS = 10 * 60_000;

export type NetworkDrift = { fields: Omit<ReconcileItem, 'fingerprint'>; extra: unknown };

const bare = () => ({ containers: [], volumes: [], database: null, databaseExists: null, role: null });

/**
 * The tenants whose server is not on its own network (made before tenants had one, adopted, or
 * disconnected by hand): whatever shares the network it is on reaches it. Report only.
 */
export function serversOffTheirNetwork(servers: ReadonlyMap<string, Docker.ContainerInfo>): NetworkDrift[] {
  return [...servers]
    .filter(([name, server]) => !Object.keys(server.NetworkSettings?.Networks ?? {}).includes(tenantNetworkName(name)))
    .map(([name, server]) => {
      const on = Object.keys(server.NetworkSettings?.Networks ?? {}).join(', ') || 'no network';
      return {
        fields: {
          ...bare(),
          id: `not-isolated:${name}`,
          kind: 'not-isolated',
          tenant: name,
          summary: `Tenant ${name}'s server is not on its own network ${tenantNetworkName(name)} (it is on ${on}): containers sharing that network reach it.`,
          actions: ['report-only'],
          suggestion: `Recreate the tenant on its own network (back it up, decommission it, create it again and restore), or connect it by hand: docker network connect ${tenantNetworkName(name)} ${server.Names[0]?.replace(/^\//, '') ?? server.Id}.`,
        },
        extra: on,
      };
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
