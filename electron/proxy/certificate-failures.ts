import type { CertificateFailure, FailureCause } from '../../shared/certificates.js';

/** How much of the proxy's log is read for failures: its newest lines only. */
export const LOG_TAIL_LINES = 5000;
const MAX_ERROR_CHARS = 2000;

/**
 * A line of Caddy's JSON log, with the fields its certificate errors carry (Caddy 2.6): the ACME
 * client's `challenge failed` / `validating authorization` lines (logger http.acme_client) name the
 * CA's problem type and its words; tls.obtain's `could not get certificate from issuer` only says
 * what was left untried.
 */
interface CaddyLogLine {
  level?: string;
  ts?: number;
  logger?: string;
  msg?: string;
  identifier?: string;
  error?: string;
  problem_type?: string;
}

const CAUSES: Array<{ cause: FailureCause; test: RegExp; fix: string }> = [
  {
    cause: 'rate-limited',
    test: /rateLimited|HTTP 429|too many (certificates|requests|failed authorizations)/i,
    fix: 'The CA refuses new certificates for a while: wait for the limit to pass (Caddy retries by itself); avoid creating and removing the same name repeatedly.',
  },
  {
    cause: 'caa',
    test: /acme:error:caa|\bCAA\b/,
    fix: "The domain's CAA DNS record forbids this CA: add a CAA record allowing it, or remove the restrictive one.",
  },
  {
    cause: 'dns',
    test: /acme:error:dns|NXDOMAIN|no valid A records|No valid IP addresses|DNS problem|SERVFAIL/i,
    fix: "The name does not resolve to this host: create (or correct) its DNS A/AAAA record pointing at the host's public address, then visit it again.",
  },
  {
    cause: 'unreachable',
    test: /acme:error:connection|connection refused|Timeout during connect|timed? ?out|no route to host|i\/o timeout|unreachable|acme:error:unauthorized|acme:error:incorrectResponse/i,
    fix: "The CA could not reach the proxy at this name on ports 80/443: check that the name's DNS points at this host and that a firewall or router lets ports 80 and 443 in to the proxy.",
  },
];

/** The cause of an ACME error and what to fix; 'other' keeps the error as given. */
export function classifyAcmeError(error: string): { cause: FailureCause; fix: string } {
  const known = CAUSES.find((entry) => entry.test.test(error));
  if (!known) return { cause: 'other', fix: 'See the error from the CA; the proxy retries by itself.' };
  // Where the CA's validation went: an address that is not the host's says the DNS record is wrong.
  const address = known.cause === 'unreachable' ? /(?:dial tcp|connect to) (\[?[0-9a-f.:]+?\]?):\d+/i.exec(error)?.[1] : undefined;
  return { cause: known.cause, fix: address ? `The CA tried ${address} for this name. ${known.fix}` : known.fix };
}

function parse(line: string): CaddyLogLine | null {
  if (!line.startsWith('{')) return null;
  try {
    return JSON.parse(line) as CaddyLogLine;
  } catch {
    return null;
  }
}

const OBTAINED = 'certificate obtained successfully';
const CERTIFICATE_LOGGERS = /^(tls\.|http\.acme_client)/;

/** The CA's own error (its problem type first), or what tls.obtain said; null for any other line. */
function failureText(entry: CaddyLogLine): { text: string; fromCa: boolean } | null {
  if (entry.level !== 'error' || !entry.identifier || !entry.error || !CERTIFICATE_LOGGERS.test(entry.logger ?? '')) return null;
  const fromCa = !!entry.problem_type;
  const text = fromCa && !entry.error.includes(entry.problem_type!) ? `${entry.problem_type} - ${entry.error}` : entry.error;
  return { text: text.slice(0, MAX_ERROR_CHARS), fromCa };
}

/**
 * The latest certificate failure per domain in the proxy's log lines (newest first): dated by the
 * domain's newest error, worded by the CA's newest problem (tls.obtain's own summary only when the
 * CA said nothing, e.g. it could not be reached).
 */
export function certificateFailures(lines: readonly string[]): CertificateFailure[] {
  const latest = new Map<string, { at: number; error: string; fromCa: boolean }>();
  for (const line of lines) {
    const entry = parse(line);
    if (entry?.msg === OBTAINED && entry.identifier) latest.delete(entry.identifier.toLowerCase()); // the failures before it are over
    const failure = entry ? failureText(entry) : null;
    if (!entry || !failure) continue;
    const domain = entry.identifier!.toLowerCase();
    const known = latest.get(domain);
    const keepWords = known?.fromCa && !failure.fromCa;
    latest.set(domain, { at: entry.ts ?? 0, error: keepWords ? known.error : failure.text, fromCa: failure.fromCa || !!keepWords });
  }
  return [...latest.entries()]
    .map(([domain, f]) => ({ domain, at: new Date(f.at * 1000).toISOString(), error: f.error, ...classifyAcmeError(f.error) }))
    .sort((a, b) => b.at.localeCompare(a.at));
}
