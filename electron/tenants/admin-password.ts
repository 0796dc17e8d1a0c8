import { FleetError } from '../../shared/errors.js';
import { generatePassword } from '../postgres/scram.js';
import { withTenantSession } from '../postgres/tenant-session.js';
import type { TenantJobDeps } from '../tenant-parts/job-deps.js';
import { findTenantParts } from '../tenant-parts/tenant-parts.js';
import { odooPasswordHashOffThread } from './odoo-password.js';

/**
 * Gives one of a tenant's Odoo administrators (Settings group, active) a new generated password
 * and returns it — the only time it is shown; only its hash is written, inside the tenant's
 * database as the tenant.
 */
export async function resetAdminPassword(deps: Pick<TenantJobDeps, 'docker' | 'hosts' | 'pool'>, hostId: string, name: string, login: string): Promise<{ login: string; password: string }> {
  const parts = await findTenantParts(deps, hostId, name);
  const admin = deps.hosts.dbTarget(hostId);
  if (!admin) throw new FleetError('VALIDATION', 'The host has no database server set.');
  const password = generatePassword();
  const hash = await odooPasswordHashOffThread(password);
  const updated = await withTenantSession(deps.pool, admin, parts, (c) =>
    c.query(
      `UPDATE res_users SET password = $2 WHERE login = $1 AND active AND id IN (
         SELECT r.uid FROM res_groups_users_rel r JOIN ir_model_data d ON d.model = 'res.groups' AND d.res_id = r.gid
          WHERE d.module = 'base' AND d.name = 'group_system')`,
      [login, hash],
    ),
  );
  if (updated.rowCount !== 1) throw new FleetError('NOT_FOUND', `${name} has no active administrator with the login "${login}".`, { login });
  return { login, password };
}
