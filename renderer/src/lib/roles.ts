import type { Role } from '../../../shared/contract.js';

// Mirrors ROLE_RANK in shared/contract.ts (a value import from there would bundle zod);
// the Record<Role, number> type keeps the keys in step.
const RANK: Record<Role, number> = { viewer: 0, support: 1, admin: 2 };

export function roleAtLeast(role: Role | undefined, min: Role): boolean {
  return role !== undefined && RANK[role] >= RANK[min];
}

/** The role each UI action needs (the server enforces the same from the contract). */
export const NEEDS = {
  addHost: 'admin',
  importHosts: 'admin',
  removeHost: 'admin',
  retrust: 'admin',
  checkHost: 'support',
} as const satisfies Record<string, Role>;
