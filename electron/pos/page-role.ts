import { ROLES, type Role } from '../../shared/contract.js';

/**
 * The role of the POS's pages: a cashier's (selling and nothing more) unless an admin's page is
 * asked for on purpose (`--role admin` or FLEET_ROLE=admin) — by whoever runs the terminal's
 * program under its OS account, which is where the real boundary between people lies.
 */
export function posPageRole(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): Role {
  const index = argv.indexOf('--role');
  const role = (index >= 0 ? argv[index + 1] : undefined) ?? env.FLEET_ROLE ?? 'cashier';
  if (!(ROLES as readonly string[]).includes(role)) throw new Error(`--role (or FLEET_ROLE) must be one of ${ROLES.join(', ')}`);
  return role as Role;
}
