import type { ErrorCode } from '../../shared/errors.js';

/** Exit codes of `odoo-fleet`, documented in the README. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  notFound: 3,
  hostKey: 4,
  auth: 5,
  unreachable: 6,
  docker: 7,
  postgres: 8,
  vaultLocked: 9,
  checkFailed: 10,
  forbidden: 11,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'VALIDATION':
    case 'SSH_CONFIG':
      return EXIT.usage;
    case 'NOT_FOUND':
      return EXIT.notFound;
    case 'HOST_KEY_CHANGED':
    case 'HOST_KEY_UNTRUSTED':
      return EXIT.hostKey;
    case 'AUTH_FAILED':
    case 'RATE_LIMITED':
    case 'LOCKED_OUT':
    case 'KEY_FILE':
      return EXIT.auth;
    case 'HOST_UNREACHABLE':
    case 'CONNECTION_REFUSED':
    case 'TIMEOUT':
      return EXIT.unreachable;
    case 'DOCKER_UNAVAILABLE':
    case 'DOCKER_PERMISSION_DENIED':
    case 'DOCKER_ERROR':
      return EXIT.docker;
    case 'POSTGRES_UNAVAILABLE':
    case 'POSTGRES_AUTH_FAILED':
      return EXIT.postgres;
    case 'VAULT_LOCKED':
    case 'VAULT_BAD_PASSPHRASE':
      return EXIT.vaultLocked;
    case 'FORBIDDEN':
    case 'UNAUTHENTICATED':
      return EXIT.forbidden;
    default:
      return EXIT.failed;
  }
}
