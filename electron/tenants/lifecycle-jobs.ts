import { FleetError } from '../../shared/errors.js';
import type { JobDefinition } from '../jobs/types.js';
import { withAdmin } from '../postgres/admin-session.js';
import { hasManagedProxy, syncTenantRoutes } from '../proxy/tenant-routes.js';
import { waitForTenantHealth } from '../tenant-parts/health.js';
import type { TenantJobDeps } from '../tenant-parts/job-deps.js';
import { maintenanceContainer, maintenanceName, networksToJoin } from './maintenance.js';
import { setTenantLogin } from './tenant-database.js';

/** What a lifecycle job needs to find a tenant's parts on its host. */
export interface TenantRef {
  hostId: string;
  name: string;
  /** The tenant's database role (from its server container's environment). */
  role: string;
}

export type LifecycleAction = 'start' | 'stop' | 'restart' | 'suspend' | 'reactivate';

const serverName = (ref: TenantRef) => `fleet-${ref.name}`;

/**
 * Start, stop, restart, suspend and reactivate as durable jobs. Each step converges to a state
 * (running, stopped, maintenance page up or gone, logins blocked…), so a re-run after a crash is
 * harmless and resuming forward is always safe. A suspended tenant (its maintenance container
 * exists) is not started by start or restart: only reactivate, which removes that container first.
 */
export function lifecycleJobs(deps: TenantJobDeps): Record<LifecycleAction, JobDefinition<TenantRef>> {
  const container = async (ref: TenantRef) => {
    const endpoint = deps.hosts.endpoint(ref.hostId);
    const docker = deps.docker.client(endpoint);
    const handle = docker.getContainer(serverName(ref));
    try {
      const info = await deps.docker.call(endpoint, () => handle.inspect());
      return { endpoint, handle, info, running: info.State.Running };
    } catch (error) {
      if (error instanceof FleetError && error.code === 'NOT_FOUND') {
        throw new FleetError('NOT_FOUND', `Tenant ${ref.name} has no server container on this host (removed by hand?); reconcile the host.`, { tenant: ref.name });
      }
      throw error;
    }
  };
  const maintenance = async (ref: TenantRef) => {
    const endpoint = deps.hosts.endpoint(ref.hostId);
    const handle = deps.docker.client(endpoint).getContainer(maintenanceName(ref.name));
    try {
      return { endpoint, handle, info: await deps.docker.call(endpoint, () => handle.inspect()) };
    } catch (error) {
      if (error instanceof FleetError && error.code === 'NOT_FOUND') return { endpoint, handle, info: null };
      throw error;
    }
  };
  const start = async (ref: TenantRef) => {
    const c = await container(ref);
    if (c.running) return;
    if ((await maintenance(ref)).info) {
      throw new FleetError('CONFLICT', `Tenant ${ref.name} is suspended: reactivate it (an admin's action) rather than start it.`, { tenant: ref.name });
    }
    await deps.docker.call(c.endpoint, () => c.handle.start());
  };
  /** The maintenance responder, created from the stopped server's own image, network and routing. */
  const routeToMaintenance = async (ref: TenantRef) => {
    await stop(ref); // (already stopped by the step before; a resumed job converges all the same)
    const c = await container(ref);
    let m = await maintenance(ref);
    if (!m.info) {
      try {
        await deps.docker.call(c.endpoint, (d) => d.createContainer(maintenanceContainer(ref.name, c.info)));
      } catch (error) {
        // Another run created it first: converge on that one.
        if (!(error instanceof FleetError && error.code === 'CONFLICT')) throw error;
      }
      m = await maintenance(ref);
    }
    for (const { network, alias } of networksToJoin(c.info, m.info!)) {
      await deps.docker.call(m.endpoint, (d) => d.getNetwork(network).connect({ Container: maintenanceName(ref.name), EndpointConfig: { Aliases: [alias] } }));
    }
    if (!m.info?.State.Running) await deps.docker.call(m.endpoint, () => m.handle.start());
  };
  const removeMaintenance = async (ref: TenantRef) => {
    const m = await maintenance(ref);
    if (!m.info) return;
    try {
      await deps.docker.call(m.endpoint, () => m.handle.remove({ force: true, v: true }));
    } catch (error) {
      if (!(error instanceof FleetError && error.code === 'NOT_FOUND')) throw error;
    }
  };
  const stop = async (ref: TenantRef) => {
    const c = await container(ref);
    if (c.running) await deps.docker.call(c.endpoint, () => c.handle.stop({ t: 20 }), 60_000);
  };
  const logins = (allowed: boolean) => async (ref: TenantRef) => {
    const admin = deps.hosts.dbTarget(ref.hostId);
    if (!admin) throw new FleetError('VALIDATION', 'The host has no database server set.');
    await withAdmin(deps.pool, admin, (client) => setTenantLogin(client, ref.role, allowed));
  };
  const routeTo503 = async (ref: TenantRef) => {
    await syncTenantRoutes(deps, ref.hostId, ref.name, { suspended: true });
  };
  /** Back to the server once it answers (or after the usual wait, so a slow start never leaves the tenant on the 503 page). */
  const routeToServer = async (ref: TenantRef) => {
    if (!(await hasManagedProxy(deps, ref.hostId))) return;
    const endpoint = deps.hosts.endpoint(ref.hostId);
    await waitForTenantHealth(deps, endpoint, ref.hostId, serverName(ref), AbortSignal.timeout(120_000)).catch(() => undefined);
    await syncTenantRoutes(deps, ref.hostId, ref.name, { suspended: false });
  };
  const job = (action: LifecycleAction, steps: Array<{ name: string; title: string; run: (ref: TenantRef) => Promise<void> }>): JobDefinition<TenantRef> => ({
    kind: `tenant.${action}`,
    target: (ref) => `tenant:${ref.hostId}/${ref.name}`,
    steps: steps.map((step) => ({ ...step, onCrash: 'resume' as const, run: async (ctx) => step.run(ctx.input) })),
  });
  return {
    start: job('start', [{ name: 'start', title: 'Start the Odoo server', run: start }]),
    stop: job('stop', [{ name: 'stop', title: 'Stop the Odoo server', run: stop }]),
    restart: job('restart', [
      { name: 'stop', title: 'Stop the Odoo server', run: stop },
      { name: 'start', title: 'Start the Odoo server', run: start },
    ]),
    suspend: job('suspend', [
      { name: 'route-maintenance', title: "Point the proxy's routes at its 503 page", run: routeTo503 },
      { name: 'stop', title: 'Stop the Odoo server', run: stop },
      { name: 'maintenance', title: 'Answer with the maintenance page (HTTP 503)', run: routeToMaintenance },
      { name: 'block-logins', title: "Block the tenant's database logins (NOLOGIN)", run: logins(false) },
    ]),
    reactivate: job('reactivate', [
      { name: 'allow-logins', title: "Allow the tenant's database logins again", run: logins(true) },
      { name: 'remove-maintenance', title: 'Remove the maintenance page', run: removeMaintenance },
      { name: 'start', title: 'Start the Odoo server', run: start },
      { name: 'route-server', title: "Point the proxy's routes back at the server", run: routeToServer },
    ]),
  };
}
