import { FleetError } from '../../shared/errors.js';
import type { JobDefinition } from '../jobs/types.js';
import { withPostgres } from '../postgres/pg-over-ssh.js';
import type { TenantJobDeps } from './create-job.js';
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
 * (running, stopped, logins blocked…), so a re-run after a crash is harmless and resuming forward
 * is always safe.
 */
export function lifecycleJobs(deps: TenantJobDeps): Record<LifecycleAction, JobDefinition<TenantRef>> {
  const container = async (ref: TenantRef) => {
    const endpoint = deps.hosts.endpoint(ref.hostId);
    const docker = deps.docker.client(endpoint);
    const handle = docker.getContainer(serverName(ref));
    try {
      const info = await deps.docker.call(endpoint, () => handle.inspect());
      return { endpoint, handle, running: info.State.Running };
    } catch (error) {
      if (error instanceof FleetError && error.code === 'NOT_FOUND') {
        throw new FleetError('NOT_FOUND', `Tenant ${ref.name} has no server container on this host (removed by hand?); reconcile the host.`, { tenant: ref.name });
      }
      throw error;
    }
  };
  const start = async (ref: TenantRef) => {
    const c = await container(ref);
    if (!c.running) await deps.docker.call(c.endpoint, () => c.handle.start());
  };
  const stop = async (ref: TenantRef) => {
    const c = await container(ref);
    if (c.running) await deps.docker.call(c.endpoint, () => c.handle.stop({ t: 20 }), 60_000);
  };
  const logins = (allowed: boolean) => async (ref: TenantRef) => {
    const admin = deps.hosts.dbTarget(ref.hostId);
    if (!admin) throw new FleetError('VALIDATION', 'The host has no database server set.');
    await withPostgres(deps.pool, admin, (client) => setTenantLogin(client, ref.role, allowed));
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
      { name: 'stop', title: 'Stop the Odoo server', run: stop },
      { name: 'block-logins', title: "Block the tenant's database logins (NOLOGIN)", run: logins(false) },
    ]),
    reactivate: job('reactivate', [
      { name: 'allow-logins', title: "Allow the tenant's database logins again", run: logins(true) },
      { name: 'start', title: 'Start the Odoo server', run: start },
    ]),
  };
}
