// One definition of "secret-looking" for logs, the audit trail and error details.
const SECRET_KEY = /pass(word|phrase)?$|^password|passphrase|secret|token|private_?key|privatekey|cookie|authorization|^pin$|^badge$/i;

export const REDACTED = '[redacted]';

/** A deep copy with every value under a secret-looking key replaced. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 12) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) && inner !== undefined && inner !== null ? REDACTED : redactSecrets(inner, depth + 1);
    }
    return out;
  }
  return value;
}
