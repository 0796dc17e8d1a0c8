import type { ArchiveCopy, DestinationSpec } from '../../../shared/backups.js';
import type { HostView } from '../../../shared/hosts.js';

// Archive destinations as the forms edit them: at most one of each kind (this console's folder,
// a folder on the tenant's host, a folder on another host over SFTP), turned into the contract's
// DestinationSpec list. The server checks them again (paths, hosts); this only catches the obvious.

export type DestinationKind = DestinationSpec['kind'];
export const DESTINATION_KINDS: readonly DestinationKind[] = ['local', 'host', 'sftp'];

export const DESTINATION_LABELS: Record<DestinationKind, string> = {
  local: 'This console',
  host: 'Folder on this host',
  sftp: 'Another host (SFTP)',
};

export interface DestinationsDraft {
  chosen: Record<DestinationKind, boolean>;
  hostFolder: string;
  sftpHostId: string;
  sftpFolder: string;
}

export type DestinationProblems = Partial<Record<'hostFolder' | 'sftpHostId' | 'sftpFolder' | 'none', string>>;

export const NO_DESTINATIONS: DestinationsDraft = { chosen: { local: false, host: false, sftp: false }, hostFolder: '', sftpHostId: '', sftpFolder: '' };

export function draftOfSpecs(specs: readonly DestinationSpec[]): DestinationsDraft {
  const draft: DestinationsDraft = { ...NO_DESTINATIONS, chosen: { ...NO_DESTINATIONS.chosen } };
  for (const s of specs) {
    if (draft.chosen[s.kind]) continue; // the form edits one of each kind
    draft.chosen[s.kind] = true;
    if (s.kind === 'host') draft.hostFolder = s.folder;
    if (s.kind === 'sftp') {
      draft.sftpHostId = s.hostId;
      draft.sftpFolder = s.folder;
    }
  }
  return draft;
}

/** More destinations than the form shows (two SFTP targets, say): saving it would drop some. */
export function draftLosesSome(specs: readonly DestinationSpec[]): boolean {
  return new Set(specs.map((s) => s.kind)).size < specs.length;
}

function folderProblem(folder: string): string | undefined {
  const f = folder.trim();
  if (!f) return 'name a folder';
  if (!f.startsWith('/')) return 'an absolute path, starting with /';
  if (f.split('/').includes('..')) return 'no “..” in the path';
  return undefined;
}

/** The chosen destinations in the contract's shape, or what is missing. */
export function specsOfDraft(d: DestinationsDraft): { specs: DestinationSpec[]; problems: DestinationProblems } {
  const specs: DestinationSpec[] = [];
  const problems: DestinationProblems = {};
  if (d.chosen.local) specs.push({ kind: 'local' });
  if (d.chosen.host) {
    const p = folderProblem(d.hostFolder);
    if (p) problems.hostFolder = p;
    else specs.push({ kind: 'host', folder: d.hostFolder.trim() });
  }
  if (d.chosen.sftp) {
    const p = folderProblem(d.sftpFolder);
    if (!d.sftpHostId) problems.sftpHostId = 'pick a host';
    if (p) problems.sftpFolder = p;
    if (d.sftpHostId && !p) specs.push({ kind: 'sftp', hostId: d.sftpHostId, folder: d.sftpFolder.trim() });
  }
  if (!DESTINATION_KINDS.some((k) => d.chosen[k])) problems.none = 'choose at least one destination';
  return { specs, problems };
}

export function hasProblems(p: DestinationProblems): boolean {
  return Object.values(p).some(Boolean);
}

type Hosts = ReadonlyMap<string, HostView>;

/** The name of the host keeping a copy: by this console's id for it, else by its SSH host key (another console wrote it). */
export function copyHostName(copy: ArchiveCopy, hosts: Hosts): string | undefined {
  if (copy.hostId) {
    const byId = hosts.get(copy.hostId);
    if (byId) return byId.name;
  }
  if (copy.hostKey) for (const h of hosts.values()) if (h.hostKey.fingerprint === copy.hostKey) return h.name;
  return undefined;
}

/** "This console", "Folder on alpha", "SFTP to beta": where a destination or a stored copy is. */
function placeLabel(kind: DestinationKind, hostName: string | undefined, hostKey?: string): string {
  if (kind === 'local') return DESTINATION_LABELS.local;
  const where = hostName ?? (hostKey ? `a host not on this console (${hostKey})` : 'a host not on this console');
  return kind === 'host' ? `Folder on ${where}` : `SFTP to ${where}`;
}

export function specLabel(spec: DestinationSpec, hosts: Hosts, tenantHostId: string): string {
  if (spec.kind === 'local') return DESTINATION_LABELS.local;
  if (spec.kind === 'host') return `${placeLabel('host', hosts.get(tenantHostId)?.name ?? 'this host')}: ${spec.folder}`;
  return `${placeLabel('sftp', hosts.get(spec.hostId)?.name)}: ${spec.folder}`;
}

export function copyLabel(copy: ArchiveCopy, hosts: Hosts): string {
  return placeLabel(copy.kind, copyHostName(copy, hosts), copy.hostKey);
}
