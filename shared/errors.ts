// Error codes every transport carries unchanged. Errors cross process boundaries as plain data:
// Electron IPC keeps only an Error's message, so nothing here relies on Error subclasses.

export const ERROR_CODES = [
  'VALIDATION', // input failed its schema
  'FORBIDDEN', // the caller's role may not run this operation
  'UNAUTHENTICATED', // web mode: no valid session cookie
  'NOT_FOUND',
  'CONFLICT', // name clash, already exists
  'VAULT_LOCKED', // a secret is needed but the vault has no key yet
  'VAULT_BAD_PASSPHRASE',
  'HOST_UNREACHABLE', // DNS failure, no route, timeout while connecting
  'CONNECTION_REFUSED', // nothing listens on that port
  'AUTH_FAILED', // the server refused every offered credential
  'RATE_LIMITED', // too many wrong PINs or badges in a row: try again after details.retryAfterMs
  'LOCKED_OUT', // a cashier locked after too many wrong PINs: a POS manager lifts it
  'HOST_KEY_UNTRUSTED', // first contact: the fingerprint must be confirmed
  'HOST_KEY_CHANGED', // the pinned key no longer matches: possible man in the middle
  'KEY_FILE', // private key unreadable, or its passphrase is wrong or missing
  'SSH_CONFIG', // ~/.ssh/config could not be read as OpenSSH reads it
  'DOCKER_UNAVAILABLE', // no Docker socket at the configured path
  'DOCKER_PERMISSION_DENIED', // the SSH user may not use the Docker socket
  'DOCKER_ERROR',
  'PROXY_ERROR', // the host's managed proxy refused a change
  'POSTGRES_UNAVAILABLE',
  'POSTGRES_AUTH_FAILED',
  'COMMAND_FAILED', // a remote command exited non-zero
  'ARCHIVE_INVALID', // a backup archive is truncated, corrupt or unsafe
  'BACKUP_KEY_MISSING', // an archive is encrypted with a backup key this console does not have
  'TIMEOUT',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FleetErrorData {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: FleetErrorData };

/** The one Error class the services throw; the handler layer turns it into `{ok:false,error}`. */
export class FleetError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'FleetError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }
  toData(): FleetErrorData {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isFleetErrorData(value: unknown): value is FleetErrorData {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as FleetErrorData).code === 'string' &&
    (ERROR_CODES as readonly string[]).includes((value as FleetErrorData).code) &&
    typeof (value as FleetErrorData).message === 'string'
  );
}
