import type { TenantSpec } from '../../shared/tenants.js';
import type { StepDefinition } from '../jobs/types.js';
import { ensureTenantNetwork, findTenantNetwork, removeTenantNetwork } from '../tenant-parts/tenant-network.js';
import type { TenantJobDeps } from '../tenant-parts/job-deps.js';

/**
 * The tenant's own network (a free /28, the database server and proxy connected), before any of
 * its containers. Journaled as made before Docker is asked, so a crash in between still removes
 * it; one that was there already (a leftover) is never removed by the undo.
 */
export function tenantNetworkStep<I extends { spec: TenantSpec }>(deps: TenantJobDeps): StepDefinition<I> {
  return {
    name: 'network',
    title: "Create the tenant's own network",
    onCrash: 'compensate',
    async run(ctx) {
      const { spec } = ctx.input;
      const previous = ctx.output<{ created?: boolean }>('network');
      const created = previous?.created ?? !(await findTenantNetwork(deps, spec.hostId, spec.name));
      ctx.setOutput({ created });
      const network = await ensureTenantNetwork(deps, spec.hostId, spec.name);
      return { created, name: network.name, subnet: network.subnet };
    },
    async compensate(ctx) {
      if (ctx.output<{ created?: boolean }>('network')?.created) await removeTenantNetwork(deps, ctx.input.spec.hostId, ctx.input.spec.name);
    },
  };
}
