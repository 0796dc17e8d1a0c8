import { issuesOf, toFleetError } from '../../../ui-common/errors.js';

export { FleetError, toFleetError } from '../../../ui-common/errors.js';

/** One line for the cashier: the service's message, with the first field issue of a refused input. */
export function errorText(e: unknown): string {
  const error = toFleetError(e);
  const [first] = issuesOf(error);
  return first?.path ? `${error.message} (${first.path}: ${first.message})` : error.message;
}
