import { FleetError, isFleetErrorData } from '../../../shared/errors.js';

export { FleetError };

/** Anything a call rejected with, as a FleetError (transport failures and bugs become INTERNAL). */
export function toFleetError(e: unknown): FleetError {
  if (e instanceof FleetError) return e;
  if (isFleetErrorData(e)) return new FleetError(e.code, e.message, e.details);
  if (e instanceof Error) return new FleetError('INTERNAL', e.message || 'Unexpected error');
  return new FleetError('INTERNAL', String(e));
}

/** One line for the cashier: the service's message, with the first field issue of a refused input. */
export function errorText(e: unknown): string {
  const error = toFleetError(e);
  const issues = error.details?.['issues'];
  if (error.code === 'VALIDATION' && Array.isArray(issues) && issues.length > 0) {
    const first = issues[0] as { path?: unknown; message?: unknown };
    const path = Array.isArray(first.path) ? first.path.join('.') : '';
    return `${error.message}${path ? ` (${path}: ${String(first.message)})` : ''}`;
  }
  return error.message;
}
