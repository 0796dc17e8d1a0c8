import crypto from 'node:crypto';
import { promisify } from 'node:util';

/** passlib's "adapted base64": standard alphabet with "." for "+", no padding. */
function ab64(buffer: Buffer): string {
  return buffer.toString('base64').replace(/=+$/, '').replace(/\+/g, '.');
}

/**
 * An Odoo user password hash in passlib's pbkdf2_sha512 format, as Odoo 16–18 store and verify
 * them (600,000 rounds is Odoo 17's default).
 */
export function odooPasswordHash(password: string, rounds = 600_000): string {
  const salt = crypto.randomBytes(16);
  const key = crypto.pbkdf2Sync(password, salt, rounds, 64, 'sha512');
  return `$pbkdf2-sha512$${rounds}$${ab64(salt)}$${ab64(key)}`;
}

/** The same hash derived on the thread pool, for the console's request handlers. */
export async function odooPasswordHashOffThread(password: string, rounds = 600_000): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await promisify(crypto.pbkdf2)(password, salt, rounds, 64, 'sha512');
  return `$pbkdf2-sha512$${rounds}$${ab64(salt)}$${ab64(key)}`;
}
