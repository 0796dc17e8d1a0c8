import { FleetError } from '../../shared/errors.js';
import type { DestinationSpec } from '../../shared/backups.js';
import type { HostView } from '../../shared/hosts.js';
import { findHost, type CliContext } from './context.js';

// Where archives go, as the CLI's options name them and as its output names a copy.

export const DESTINATION_HELP = "where archives go: 'local' (this console's folder), 'host:/folder' (on the tenant's host) or 'sftp:<host>:/folder' (another host of this console); repeat for several copies";

/** `local`, `host:/folder` or `sftp:<host>:/folder` as a destination. */
export async function parseDestination(ctx: CliContext, text: string): Promise<DestinationSpec> {
  if (text === 'local') return { kind: 'local' };
  if (text.startsWith('host:')) return { kind: 'host', folder: text.slice('host:'.length) };
  const sftp = /^sftp:([^:]+):(\/.*)$/.exec(text);
  if (sftp) return { kind: 'sftp', hostId: (await findHost(ctx, sftp[1]!)).id, folder: sftp[2]! };
  throw new FleetError('VALIDATION', `"${text}" is not a destination: ${DESTINATION_HELP}.`, { field: 'to' });
}

/** A copy as people name it. */
export function describeCopy(copy: { kind: string; hostId?: string | undefined; path: string }, hosts: HostView[]): string {
  if (copy.kind === 'local') return copy.path;
  return `${hosts.find((h) => h.id === copy.hostId)?.name ?? copy.hostId}:${copy.path}`;
}
