import { OPERATIONS, roleAtLeast, type Role } from '../../../shared/operations.js';
import type { TenantView } from '../../../shared/tenant-views.js';

/** The dashboard's buckets: a tenant is in exactly one. */
export type TenantBucket = 'running' | 'stopped' | 'suspended' | 'other';
export const TENANT_BUCKETS: readonly TenantBucket[] = ['running', 'stopped', 'suspended', 'other'];

const STOPPED = new Set(['exited', 'created']);
const BAD = new Set(['restarting', 'dead']);

type StateOf = Pick<TenantView, 'state' | 'suspended'>;

export function tenantBucket(t: StateOf): TenantBucket {
  if (t.suspended) return 'suspended';
  if (t.state === 'running') return 'running';
  if (STOPPED.has(t.state)) return 'stopped';
  return 'other';
}

/** Not running though nobody suspended it, or crashing/dead whatever the reason. */
export function tenantUnhealthy(t: StateOf): boolean {
  return BAD.has(t.state) || (!t.suspended && t.state !== 'running');
}

/** The word shown for a tenant's state: Docker's, or "suspended". */
export function tenantStateText(t: StateOf): string {
  return t.suspended ? 'suspended' : t.state;
}

/** The lifecycle actions a tenant's row and page offer, each a tenants.<action> job. */
export const TENANT_ACTIONS = ['start', 'stop', 'restart', 'suspend', 'reactivate'] as const;
export type TenantAction = (typeof TENANT_ACTIONS)[number];

/** The actions a session of this role may run. */
export function tenantActionsFor(role: Role | undefined): TenantAction[] {
  return TENANT_ACTIONS.filter((a) => roleAtLeast(role, OPERATIONS[`tenants.${a}`].role));
}
