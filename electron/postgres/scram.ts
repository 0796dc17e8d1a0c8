import crypto from 'node:crypto';

/**
 * A SCRAM-SHA-256 verifier as PostgreSQL stores it (RFC 5802/7677). Setting a role's password
 * to this string means the plain password never reaches the server, so it cannot surface in
 * its statement logs or pg_stat_activity.
 */
export function scramSha256Verifier(password: string, options: { iterations?: number; salt?: Buffer } = {}): string {
  const iterations = options.iterations ?? 4096;
  const salt = options.salt ?? crypto.randomBytes(16);
  // PostgreSQL applies SASLprep; the passwords this code generates are plain ASCII.
  const salted = crypto.pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = crypto.createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = crypto.createHash('sha256').update(clientKey).digest();
  const serverKey = crypto.createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** A random password of URL-safe characters, for roles and Odoo's master password. */
export function generatePassword(bytes = 24): string {
  return crypto.randomBytes(bytes).toString('base64url');
}
