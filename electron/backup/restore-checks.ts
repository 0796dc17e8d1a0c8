import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type pg from 'pg';

// After a restore the users are the archive's: a database made elsewhere brings its own
// administrators (often still on Odoo's default password) and its own web.base.url.

const pbkdf2 = promisify(crypto.pbkdf2);

/** Odoo's factory password for the first administrator. */
const ODOO_DEFAULT_PASSWORD = 'admin';
/** Checking a hash costs up to Odoo's rounds (600,000): a restored database with more admins is checked for its first ones. */
const MOST_ADMINS_CHECKED = 20;

/** passlib's "adapted base64" ("." for "+", no padding) back to bytes. */
const fromAb64 = (text: string) => Buffer.from(text.replace(/\./g, '+'), 'base64');

/**
 * Whether a stored Odoo password (passlib pbkdf2_sha512, or a plain value Odoo has not hashed
 * yet) is `password`. Derived on the thread pool: never blocks the console.
 */
export async function storedPasswordIs(stored: string, password: string): Promise<boolean> {
  const hashed = /^\$pbkdf2-sha512\$(\d{1,7})\$([A-Za-z0-9./]+)\$([A-Za-z0-9./]+)$/.exec(stored);
  if (!hashed) return !stored.startsWith('$') && stored === password;
  const rounds = Number(hashed[1]);
  if (rounds < 1 || rounds > 1_000_000) return false; // the tenant chooses the rounds: bounded work (Odoo uses 600,000)
  const expected = fromAb64(hashed[3]!);
  const derived = await pbkdf2(password, fromAb64(hashed[2]!), rounds, expected.length, 'sha512');
  return expected.length > 0 && crypto.timingSafeEqual(derived, expected);
}

/** The active administrators (Settings group) whose password is Odoo's default, by login. */
export async function adminsOnDefaultPassword(tenant: pg.Client): Promise<string[]> {
  // The tenant's values, so bounded before they reach the job's result (a login is at most 200 here).
  const { rows } = await tenant.query<{ login: string; password: string }>(
    `SELECT left(u.login, 200) AS login, left(u.password, 512) AS password FROM res_users u
      WHERE u.active AND coalesce(u.password, '') <> '' AND u.id IN (
        SELECT r.uid FROM res_groups_users_rel r JOIN ir_model_data d ON d.model = 'res.groups' AND d.res_id = r.gid
         WHERE d.module = 'base' AND d.name = 'group_system')
      ORDER BY u.id LIMIT ${MOST_ADMINS_CHECKED}`,
  );
  const found: string[] = [];
  for (const row of rows) if (await storedPasswordIs(row.password, ODOO_DEFAULT_PASSWORD)) found.push(row.login);
  return found;
}

/** web.base.url as the restored database stores it, or null. */
export async function storedBaseUrl(tenant: pg.Client): Promise<string | null> {
  const { rows } = await tenant.query<{ value: string | null }>("SELECT left(value, 2048) AS value FROM ir_config_parameter WHERE key = 'web.base.url'");
  return rows[0]?.value ?? null;
}

/** Hosts Odoo's web.base.url names before an administrator first logs in (Odoo corrects it then). */
const NOT_YET_SET = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Stale: the stored URL names another host than the one the tenant is served at. */
export function baseUrlIsStale(stored: string | null, publicHost: string | null): boolean {
  if (!stored || !publicHost) return false;
  try {
    const host = new URL(stored).hostname.toLowerCase();
    return !NOT_YET_SET.has(host) && host !== publicHost.toLowerCase();
  } catch {
    return true; // not a URL at all: Odoo would build broken links from it
  }
}
