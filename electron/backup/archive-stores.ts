import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ArchiveCopy, DestinationSpec } from '../../shared/backups.js';
import { FleetError } from '../../shared/errors.js';
import { insideFolder } from '../common/paths.js';
import type { HostService } from '../hosts/host-service.js';
import type { SshPool } from '../ssh/pool.js';
import { localFileSink, localFileSource, writeFileDurably, writeWhole, type ByteSink, type ByteSource } from './byte-io.js';
import { sftpFileSink, sftpFileSource, sftpList, sftpReadSmallFile, sftpRemove, withSftp } from './sftp-io.js';

// Where archives are kept. Every store lays them out the same way under its root folder,
// `<host>/<tenant>/<tenant>-<stamp>.zip` (`.zip.enc` when encrypted) with a sidecar `.json`
// beside each, so any console can rebuild a catalog from any store. A new kind of store (an
// S3-compatible bucket, say) implements ArchiveStore: a sink that commits only complete objects,
// a ranged reader, small-file reads and writes, listing and removal.

export interface ArchiveStore {
  /** How the catalog records a copy in this store. */
  copy(relativePath: string): ArchiveCopy;
  /** Where it is, for people: `this machine:/…`, `alpha:/srv/backups/…`. */
  describe(relativePath: string): string;
  sink(relativePath: string): Promise<ByteSink>;
  source(relativePath: string): Promise<ByteSource>;
  writeSmall(relativePath: string, content: string): Promise<void>;
  readSmall(relativePath: string): Promise<Buffer>;
  /** Removes the file and its leftovers (`.partial`); a missing file is not an error. */
  remove(relativePath: string): Promise<void>;
  /** Names directly inside a folder under the root; a missing folder lists nothing. */
  list(relativeFolder: string): Promise<Array<{ name: string; isDirectory: boolean }>>;
}

export interface StoreDeps {
  pool: SshPool;
  hosts: Pick<HostService, 'get' | 'list'>;
  /** This console's own archive folder: the only local folder a catalog path is trusted in. */
  localDir: string;
}

/** An archive file name this code writes: removal from a shared catalog is limited to these. */
const ARCHIVE_NAME = /^[A-Za-z0-9._-]+-\d{8}T\d{6}Z\.zip(\.enc)?$/;

/** A folder on a host as given by a user: absolute, plain, no `..`. */
export function checkHostFolder(folder: string): string {
  if (!folder.startsWith('/') || folder.includes('\0') || /[\r\n]/.test(folder) || folder.split('/').includes('..')) {
    throw new FleetError('VALIDATION', `"${folder}" is not an absolute folder path on the host (no "..").`, { field: 'folder' });
  }
  return path.posix.normalize(folder).replace(/\/+$/, '') || '/';
}

function relativeChecked(relativePath: string): string {
  const normal = path.posix.normalize(relativePath);
  if (normal.startsWith('/') || normal.split('/').includes('..')) throw new FleetError('INTERNAL', `Not a path inside the store: ${relativePath}`);
  return normal;
}

export class LocalStore implements ArchiveStore {
  constructor(private readonly root: string) {}

  private full(relativePath: string): string {
    return path.join(this.root, relativeChecked(relativePath));
  }
  copy(relativePath: string): ArchiveCopy {
    return { kind: 'local', path: this.full(relativePath) };
  }
  describe(relativePath: string): string {
    return `this machine:${this.full(relativePath)}`;
  }
  sink(relativePath: string) {
    return localFileSink(this.full(relativePath));
  }
  source(relativePath: string) {
    return localFileSource(this.full(relativePath)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new FleetError('NOT_FOUND', `${this.full(relativePath)} is not on this machine (moved or deleted).`);
      throw error;
    });
  }
  writeSmall(relativePath: string, content: string) {
    return writeFileDurably(this.full(relativePath), content);
  }
  readSmall(relativePath: string) {
    return fsp.readFile(this.full(relativePath));
  }
  async remove(relativePath: string) {
    for (const f of [this.full(relativePath), `${this.full(relativePath)}.partial`]) await fsp.rm(f, { force: true });
  }
  async list(relativeFolder: string) {
    const entries = await fsp.readdir(this.full(relativeFolder), { withFileTypes: true }).catch(() => []);
    return entries.map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
  }
}

/** A folder of an SSH host: the tenant's own host (`host`) or another one (`sftp`). */
export class HostFolderStore implements ArchiveStore {
  constructor(
    private readonly deps: StoreDeps,
    private readonly kind: 'host' | 'sftp',
    private readonly hostId: string,
    private readonly root: string,
  ) {}

  private full(relativePath: string): string {
    return path.posix.join(this.root, relativeChecked(relativePath));
  }
  private hostName(): string {
    return this.deps.hosts.get(this.hostId).name;
  }
  copy(relativePath: string): ArchiveCopy {
    return { kind: this.kind, hostId: this.hostId, hostKey: this.deps.hosts.get(this.hostId).hostKey.fingerprint, path: this.full(relativePath) };
  }
  describe(relativePath: string): string {
    return `${this.hostName()}:${this.full(relativePath)}`;
  }
  sink(relativePath: string) {
    return sftpFileSink(this.deps.pool, this.hostId, this.hostName(), this.full(relativePath));
  }
  source(relativePath: string) {
    return sftpFileSource(this.deps.pool, this.hostId, this.hostName(), this.full(relativePath));
  }
  async writeSmall(relativePath: string, content: string) {
    await writeWhole(await this.sink(relativePath), content);
  }
  readSmall(relativePath: string) {
    return withSftp(this.deps.pool, this.hostId, (sftp) => sftpReadSmallFile(sftp, this.full(relativePath)));
  }
  remove(relativePath: string) {
    return withSftp(this.deps.pool, this.hostId, async (sftp) => {
      for (const f of [this.full(relativePath), `${this.full(relativePath)}.partial`]) await sftpRemove(sftp, f);
    });
  }
  list(relativeFolder: string) {
    return withSftp(this.deps.pool, this.hostId, (sftp) => sftpList(sftp, this.full(relativeFolder)));
  }
}

/** The store a destination the user chose names; `tenantHostId` is the host a `host` destination means. */
export function storeFor(deps: StoreDeps, spec: DestinationSpec, tenantHostId: string): ArchiveStore {
  switch (spec.kind) {
    case 'local':
      return new LocalStore(deps.localDir);
    case 'host':
      return new HostFolderStore(deps, 'host', tenantHostId, checkHostFolder(spec.folder));
    case 'sftp':
      deps.hosts.get(spec.hostId); // NOT_FOUND for a host this console does not know
      return new HostFolderStore(deps, 'sftp', spec.hostId, checkHostFolder(spec.folder));
  }
}

/**
 * A catalogued copy as a store and the path inside it. Catalog rows are shared by every console
 * of a host, so a local path is trusted only inside this console's own folder, and every path
 * must name an archive this code writes.
 */
export function storeOfCopy(deps: StoreDeps, copy: ArchiveCopy, owner?: { hostName: string; tenant: string }): { store: ArchiveStore; relativePath: string } {
  if (!ARCHIVE_NAME.test(path.posix.basename(copy.path))) throw new FleetError('VALIDATION', `${copy.path} is not an archive name Odoo Fleet writes; it is left alone.`);
  // Deleting trusts a shared catalog row only for a file laid out as this tenant's archive of
  // this host: <root>/<host>/<tenant>/<tenant>-<stamp>.zip[.enc].
  if (owner) {
    const segments = copy.path.split(/[\\/]/);
    const [file, tenantFolder, hostFolder] = [segments.at(-1)!, segments.at(-2), segments.at(-3)];
    if (hostFolder !== safeSegment(owner.hostName) || tenantFolder !== safeSegment(owner.tenant) || !file.startsWith(`${safeSegment(owner.tenant)}-`)) {
      throw new FleetError('VALIDATION', `${copy.path} is not laid out as an archive of ${owner.tenant} on ${owner.hostName}; it is left alone.`);
    }
  }
  if (copy.kind === 'local') {
    if (!insideFolder(copy.path, deps.localDir)) throw new FleetError('NOT_FOUND', `${copy.path} lies outside this console's archive folder: it is another machine's copy.`);
    return { store: new LocalStore(deps.localDir), relativePath: path.relative(deps.localDir, copy.path).split(path.sep).join('/') };
  }
  const folder = path.posix.dirname(copy.path);
  return { store: new HostFolderStore(deps, copy.kind === 'sftp' ? 'sftp' : 'host', hostIdOfCopy(deps, copy), folder), relativePath: path.posix.basename(copy.path) };
}

/** This console's id for the host keeping a copy: found by its host key (ids differ between consoles). */
function hostIdOfCopy(deps: StoreDeps, copy: ArchiveCopy): string {
  if (copy.hostKey) {
    const host = deps.hosts.list().find((h) => h.hostKey.fingerprint === copy.hostKey);
    if (!host) throw new FleetError('NOT_FOUND', `The copy at ${copy.path} is on a host this console does not know (host key ${copy.hostKey}): add that host first.`);
    return host.id;
  }
  if (!copy.hostId) throw new FleetError('VALIDATION', `The copy at ${copy.path} names no host.`);
  return deps.hosts.get(copy.hostId).id;
}

/** Whether a copy can be reached from this console (a local file here, or a host it knows). */
export function reachableHere(deps: StoreDeps, copy: ArchiveCopy): boolean {
  try {
    storeOfCopy(deps, copy);
    return copy.kind === 'local' ? fs.existsSync(copy.path) : true;
  } catch {
    return false;
  }
}

/** `<host>/<tenant>/<tenant>-<stamp>.zip[.enc]`: the same layout in every store. */
export function archiveRelativePath(hostName: string, tenant: string, stamp: string, encrypted: boolean): string {
  return `${safeSegment(hostName)}/${safeSegment(tenant)}/${safeSegment(tenant)}-${stamp}.zip${encrypted ? '.enc' : ''}`;
}

/** A host or tenant name as a folder name: nothing that climbs or hides. */
export function safeSegment(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || '_';
}
