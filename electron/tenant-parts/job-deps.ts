import { FleetError } from '../../shared/errors.js';
import type { TenantSpec } from '../../shared/tenants.js';
import type { DockerEndpoint, DockerService } from '../docker/docker-service.js';
import type { HostService } from '../hosts/host-service.js';
import type { StepContext } from '../jobs/types.js';
import type { DbServerTarget } from '../postgres/admin-session.js';
import { generatePassword } from '../postgres/scram.js';
import type { Vault } from '../secrets/vault.js';
import type { SshPool } from '../ssh/pool.js';

/** What every tenant job (and every backup or restore of a tenant) works with. */
export interface TenantJobDeps {
  pool: SshPool;
  docker: DockerService;
  hosts: HostService;
  vault: Vault;
}

export function endpointOf(deps: TenantJobDeps, spec: Pick<TenantSpec, 'hostId'>): DockerEndpoint {
  return deps.hosts.endpoint(spec.hostId);
}

/** The host's database server as its admin, or VALIDATION when the host has none set. */
export function adminTarget(deps: TenantJobDeps, spec: Pick<TenantSpec, 'hostId'>): DbServerTarget {
  const target = deps.hosts.dbTarget(spec.hostId);
  if (!target) throw new FleetError('VALIDATION', "The host has no database server set: add its address and admin role in the host's settings first.");
  return target;
}

/**
 * A new password kept in the vault under the step's output `key`; a step run again after a
 * crash gets the one it stored before.
 */
export function storeSecret(ctx: StepContext<unknown>, deps: TenantJobDeps, key: string, purpose: string): string {
  const existing = (ctx.output<Record<string, string>>(ctx.step.name) ?? {})[key];
  if (existing) return deps.vault.get(existing);
  const value = generatePassword();
  const id = deps.vault.put(purpose, value);
  ctx.setOutput({ ...(ctx.output<Record<string, string>>(ctx.step.name) ?? {}), [key]: id });
  return value;
}
