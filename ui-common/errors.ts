// How a UI reads what a call rejected with: one FleetError, and the field issues of a refused input.
import { FleetError, isFleetErrorData } from '../shared/errors.js';

export { FleetError };

/** Anything a call can reject with, as a FleetError (transport failures and bugs become INTERNAL). */
export function toFleetError(e: unknown): FleetError {
  if (e instanceof FleetError) return e;
  if (isFleetErrorData(e)) return new FleetError(e.code, e.message, e.details);
  if (e instanceof Error) return new FleetError('INTERNAL', e.message || 'Unexpected error');
  return new FleetError('INTERNAL', String(e));
}

export interface Issue {
  /** Dotted path, e.g. "auth.keyPaths.0"; "" for the whole input. */
  path: string;
  message: string;
}

function pathToString(path: unknown): string {
  if (Array.isArray(path)) return path.map((p) => String(p)).join('.');
  if (typeof path === 'string') return path.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
  return '';
}

/** The zod issues a VALIDATION error carries in details.issues. */
export function issuesOf(err: FleetError | null | undefined): Issue[] {
  if (!err || err.code !== 'VALIDATION') return [];
  const raw = err.details?.['issues'];
  if (!Array.isArray(raw)) return [];
  const out: Issue[] = [];
  for (const item of raw) {
    if (typeof item !== 'object' || item === null) continue;
    const rec = item as Record<string, unknown>;
    out.push({ path: pathToString(rec['path']), message: typeof rec['message'] === 'string' ? rec['message'] : 'invalid value' });
  }
  return out;
}
