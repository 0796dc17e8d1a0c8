import { FleetError } from '../../shared/errors.js';

/** The HTTP status of a Docker API error, whether dockerode's own or wrapped in a FleetError. */
export const dockerStatusOf = (error: unknown): number | undefined =>
  (error as { statusCode?: number }).statusCode ?? (error instanceof FleetError ? (error.details as { statusCode?: number } | undefined)?.statusCode : undefined);

/** Whether a Docker error says the object is not there (404, or the service's NOT_FOUND). */
export const isMissing = (error: unknown): boolean => dockerStatusOf(error) === 404 || (error instanceof FleetError && error.code === 'NOT_FOUND');

/** Runs a Docker removal, taking "no such object" as already done. */
export async function ignoringMissing(remove: () => Promise<unknown>): Promise<void> {
  try {
    await remove();
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}
