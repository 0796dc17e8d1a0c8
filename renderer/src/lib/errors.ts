import type { ErrorCode } from '../../../shared/errors.js';
import type { FleetError, Issue } from '../../../ui-common/errors.js';

export { FleetError, toFleetError, issuesOf, type Issue } from '../../../ui-common/errors.js';

/**
 * Sort issues onto form fields. `fields` maps a field key to the input paths it shows
 * (the longest matching path prefix wins); whatever matches no field comes back in `rest`.
 */
export function splitIssues(
  issues: readonly Issue[],
  fields: Record<string, readonly string[]>,
): { byField: Record<string, string>; rest: Issue[] } {
  const byField: Record<string, string> = {};
  const rest: Issue[] = [];
  for (const issue of issues) {
    let best: { key: string; len: number; prefix: string } | null = null;
    for (const [key, prefixes] of Object.entries(fields)) {
      for (const prefix of prefixes) {
        if (issue.path === prefix || issue.path.startsWith(prefix + '.')) {
          if (!best || prefix.length > best.len) best = { key, len: prefix.length, prefix };
        }
      }
    }
    if (!best) {
      rest.push(issue);
      continue;
    }
    const tail = issue.path.slice(best.prefix.length + 1);
    const msg = /^\d+$/.test(tail) ? `line ${Number(tail) + 1}: ${issue.message}` : issue.message;
    byField[best.key] = byField[best.key] ? `${byField[best.key]}; ${msg}` : msg;
  }
  return { byField, rest };
}

const TITLES: Partial<Record<ErrorCode, string>> = {
  VALIDATION: 'Some values need fixing',
  FORBIDDEN: 'Your role may not do this',
  UNAUTHENTICATED: 'Not signed in',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Already exists',
  VAULT_LOCKED: 'The vault is locked',
  VAULT_BAD_PASSPHRASE: 'Wrong passphrase',
  HOST_UNREACHABLE: 'Host unreachable',
  CONNECTION_REFUSED: 'Connection refused',
  AUTH_FAILED: 'Authentication failed',
  HOST_KEY_UNTRUSTED: 'Host key not confirmed',
  HOST_KEY_CHANGED: 'Host key changed — possible man-in-the-middle',
  KEY_FILE: 'Private key problem',
  SSH_CONFIG: 'Could not read the SSH config',
  DOCKER_UNAVAILABLE: 'Docker unavailable',
  DOCKER_PERMISSION_DENIED: 'No permission to use Docker',
  DOCKER_ERROR: 'Docker error',
  POSTGRES_UNAVAILABLE: 'PostgreSQL unavailable',
  POSTGRES_AUTH_FAILED: 'PostgreSQL refused the login',
  COMMAND_FAILED: 'A remote command failed',
  TIMEOUT: 'Timed out',
  INTERNAL: 'Something went wrong',
};

const HINTS: Partial<Record<ErrorCode, string>> = {
  UNAUTHENTICATED: 'Open the URL with the one-time token that `npm run serve` printed, in this browser.',
  HOST_UNREACHABLE: 'Check the address and DNS, that the host is up, and that no firewall drops SSH.',
  CONNECTION_REFUSED: 'Nothing listens on that port: is sshd running and is the port right?',
  AUTH_FAILED: "Check the user, and that the key or password is accepted by the host (the user's ~/.ssh/authorized_keys).",
  KEY_FILE: 'Check that the key file exists, is readable by the console, and that the passphrase is right.',
  DOCKER_UNAVAILABLE: 'Check that Docker runs on the host and the socket path is right.',
  DOCKER_PERMISSION_DENIED: 'Add the SSH user to the docker group (and reconnect), or use a user allowed to use the socket.',
  POSTGRES_UNAVAILABLE: 'Check the database address and port as seen from the host.',
  VAULT_LOCKED: 'Unlock the vault (reload the page) and try again.',
  TIMEOUT: 'The host or the network is slow; try again.',
};

export function errorTitle(code: ErrorCode): string {
  return TITLES[code] ?? code;
}

export function errorHint(code: ErrorCode): string | undefined {
  return HINTS[code];
}

const FP = /SHA256:[A-Za-z0-9+/]{43}/g;

/** Every OpenSSH SHA256 fingerprint found in an error's details and message. */
export function fingerprintsIn(err: FleetError): string[] {
  const found = new Set<string>();
  const scan = (v: unknown, depth: number) => {
    if (depth > 3) return;
    if (typeof v === 'string') for (const m of v.match(FP) ?? []) found.add(m);
    else if (Array.isArray(v)) for (const x of v) scan(x, depth + 1);
    else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) scan(x, depth + 1);
  };
  scan(err.details, 0);
  scan(err.message, 0);
  return [...found];
}
