import crypto from 'node:crypto';
import path from 'node:path';
import type { ArchiveCopy } from '../../shared/backups.js';
import type { ByteSink, ByteSource } from './byte-io.js';
import type { ArchiveStore } from './archive-stores.js';
import type { BackupKey } from './backup-keys.js';
import { decryptingSource, encryptingSink, isEncryptedArchive } from './encryption.js';
import { writeOdooArchive, type ArchiveContents, type ArchiveParts, type ArchiveProgress } from './odoo-archive.js';

// One archive written once and stored in every chosen place: the zip is (optionally) encrypted
// once, hashed once, and the same bytes go to each store at the same time; each copy is
// committed only when all of it is there, and gets the same sidecar JSON beside it.

export interface CopyTarget {
  store: ArchiveStore;
  relativePath: string;
}

export interface WrittenArchive extends ArchiveContents {
  copies: ArchiveCopy[];
  /** Size and sha256 of the stored bytes (the encrypted ones when encrypted). */
  bytes: number;
  sha256: string;
  keyId: string | null;
}

/** The sidecar's format tag: a console rebuilding a catalog reads only these. */
export const SIDECAR_FORMAT = 'odoo-fleet-archive/1';

export async function writeArchiveCopies(
  targets: readonly CopyTarget[],
  parts: ArchiveParts,
  options: { key: BackupKey | null; sidecar: Record<string, unknown> },
  onProgress?: ArchiveProgress,
  signal?: AbortSignal,
): Promise<WrittenArchive> {
  const sinks: ByteSink[] = [];
  try {
    for (const target of targets) sinks.push(await target.store.sink(target.relativePath));
  } catch (error) {
    await Promise.all(sinks.map((s) => s.abort()));
    throw error;
  }
  const hashed = hashingSink(fanOutSink(sinks));
  const contents = await writeOdooArchive(options.key ? encryptingSink(hashed.sink, options.key) : hashed.sink, parts, onProgress, signal);
  const { sha256, bytes } = hashed.digest();
  const keyId = options.key?.id ?? null;
  const sidecar = {
    format: SIDECAR_FORMAT,
    ...options.sidecar,
    bytes,
    sha256,
    encrypted: keyId !== null,
    keyId,
    zipBytes: contents.zipBytes,
    manifest: parts.manifest,
    rowCounts: contents.rowCounts,
    filestore: contents.filestore,
  };
  for (const target of targets) {
    await target.store.writeSmall(`${target.relativePath}.json`, JSON.stringify({ ...sidecar, archive: path.posix.basename(target.relativePath) }, null, 2));
  }
  return { ...contents, copies: targets.map((t) => t.store.copy(t.relativePath)), bytes, sha256, keyId };
}

/**
 * The zip inside a stored archive: the file itself, or its decryption with the user's key
 * (a missing or wrong key is a clear error, never garbage).
 */
export async function openZipOf(stored: ByteSource, keys: (keyId: string) => BackupKey | undefined): Promise<ByteSource> {
  return (await isEncryptedArchive(stored)) ? decryptingSource(stored, keys) : stored;
}

/** Every write goes to all sinks at once; commit and abort reach them all. */
function fanOutSink(sinks: readonly ByteSink[]): ByteSink {
  return {
    async write(chunk) {
      await Promise.all(sinks.map((s) => s.write(chunk)));
    },
    async commit() {
      await Promise.all(sinks.map((s) => s.commit()));
    },
    async abort() {
      await Promise.all(sinks.map((s) => s.abort().catch(() => {})));
    },
  };
}

function hashingSink(inner: ByteSink): { sink: ByteSink; digest(): { sha256: string; bytes: number } } {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  return {
    sink: {
      async write(chunk) {
        hash.update(chunk);
        bytes += chunk.length;
        await inner.write(chunk);
      },
      commit: () => inner.commit(),
      abort: () => inner.abort(),
    },
    digest: () => ({ sha256: hash.digest('hex'), bytes }),
  };
}
