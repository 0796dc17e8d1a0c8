import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { FleetError } from '../../shared/errors.js';
import { readTar } from '../docker/tar-reader.js';
import { readRange, type ByteSink, type ByteSource } from './byte-io.js';
import { ZipReader } from './zip-reader.js';
import { ZipWriter } from './zip-writer.js';

/** Odoo's manifest.json, field for field as odoo/service/db.py writes it. */
export interface OdooManifest {
  odoo_dump: '1';
  db_name: string;
  version: string;
  version_info: Array<number | string>;
  major_version: string;
  pg_version: string;
  modules: Record<string, string>;
}

/** A byte stream produced on the host (a one-off container's stdout). */
export interface HostStream {
  stdout: Readable;
  /** Rejects when the producer failed, so a truncated stream is never taken as complete. */
  done: Promise<void>;
  abort(): Promise<void>;
}

export interface ArchiveParts {
  /** `pg_dump --no-owner` in plain SQL. */
  dump(): Promise<HostStream>;
  /**
   * Exact row counts per table, taken in the same snapshot as the dump; available once the
   * dump's stream has ended.
   */
  rowCounts?(): Record<string, number>;
  /**
   * How many distinct files the database's attachments name in the filestore (same snapshot),
   * when known: a filestore that comes out empty while the database names files is an error.
   */
  filestoreFilesExpected?(): number | null;
  /** A tar of the database's filestore folder, paths relative to it. */
  filestore(): Promise<HostStream>;
  manifest: OdooManifest;
}

/**
 * The filestore's fingerprint: sha256 over its sorted `path\tsize\tsha256` lines, so a restore
 * can be compared file by file without keeping the list.
 */
export interface FilestoreDigest {
  files: number;
  bytes: number;
  sha256: string;
}

/** Builds a FilestoreDigest from (path, size, sha256) entries in any order. */
export function filestoreDigest(entries: Array<{ path: string; size: number; sha256: string }>): FilestoreDigest {
  const lines = entries.map((e) => `${e.path}\t${e.size}\t${e.sha256}\n`).sort();
  const hash = crypto.createHash('sha256');
  for (const line of lines) hash.update(line);
  return { files: entries.length, bytes: entries.reduce((sum, e) => sum + e.size, 0), sha256: hash.digest('hex') };
}

/** Where writing is: the zip bytes written, and the tenant's bytes read (dump text and files). */
export type ArchiveProgress = (phase: 'dump' | 'filestore' | 'manifest', bytesWritten: number, bytesRead: number) => void;

/** What writing an archive learnt of its contents. */
export interface ArchiveContents {
  /** The zip's own size (before any encryption). */
  zipBytes: number;
  filestoreFiles: number;
  filestore: FilestoreDigest;
  rowCounts: Record<string, number> | null;
}

/**
 * Writes Odoo's database-manager zip (dump.sql first, then filestore/…, then manifest.json) into
 * `sink`, committed only when complete and aborted on any failure, so nothing half-written ever
 * carries the final name.
 */
export async function writeOdooArchive(sink: ByteSink, parts: ArchiveParts, onProgress?: ArchiveProgress, signal?: AbortSignal): Promise<ArchiveContents> {
  let phase: Parameters<ArchiveProgress>[0] = 'dump';
  let lastReport = 0;
  let bytesRead = 0;
  const counted = (source: AsyncIterable<Buffer>) =>
    (async function* () {
      for await (const chunk of source) {
        bytesRead += chunk.length;
        yield chunk;
      }
    })() as unknown as Readable;
  // Coalesced into large writes: a filestore is mostly small members of a few chunks each.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const out = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    await sink.write(out);
  };
  const zip = new ZipWriter(async (chunk) => {
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= 1024 * 1024) await flush();
    const now = Date.now();
    if (onProgress && now - lastReport > 250) {
      lastReport = now;
      onProgress(phase, Number(zip.bytesWritten), bytesRead);
    }
  });
  let running: HostStream | undefined;
  const files: Array<{ path: string; size: number; sha256: string }> = [];
  let rowCounts: Record<string, number> | null = null;
  // A cancel stops the producer on the host at once (pg_dump or tar), not after it finishes.
  const stopProducer = () => void running?.abort().catch(() => {});
  signal?.addEventListener('abort', stopProducer);
  try {
    signal?.throwIfAborted();
    running = await parts.dump();
    await zip.addEntry('dump.sql', counted(running.stdout));
    await running.done;
    rowCounts = parts.rowCounts?.() ?? null;

    phase = 'filestore';
    signal?.throwIfAborted();
    running = await parts.filestore();
    for await (const member of readTar(running.stdout)) {
      if (member.type !== 'file') continue; // folders are implied; links have no place in a filestore
      if (!member.path) continue;
      const fileHash = crypto.createHash('sha256');
      const hashed = (async function* () {
        for await (const chunk of member.body) {
          fileHash.update(chunk);
          bytesRead += chunk.length;
          yield chunk;
        }
      })();
      await zip.addEntry(`filestore/${member.path}`, hashed as unknown as Readable, { mode: member.mode & 0o777, modified: member.mtime });
      files.push({ path: member.path, size: member.size, sha256: fileHash.digest('hex') });
    }
    await running.done;
    const expected = parts.filestoreFilesExpected?.() ?? null;
    if (expected && files.length === 0) {
      throw new FleetError('COMMAND_FAILED', `The database's attachments name ${expected} file(s) in the filestore, but its filestore folder is missing or empty on the host: the backup would not restore them.`);
    }
    running = undefined;

    phase = 'manifest';
    await zip.addEntry('manifest.json', Buffer.from(JSON.stringify(parts.manifest, null, 4)));
    await zip.finish();
    await flush();
    await sink.commit();
  } catch (error) {
    await running?.abort().catch(() => {});
    await sink.abort().catch(() => {});
    throw signal?.aborted ? (signal.reason ?? error) : error;
  } finally {
    signal?.removeEventListener('abort', stopProducer);
  }
  return { zipBytes: Number(zip.bytesWritten), filestoreFiles: files.length, filestore: filestoreDigest(files), rowCounts };
}

/**
 * Re-reads an archive: its checksum against the recorded one, every member through its CRC,
 * and the members Odoo's restore needs. `stored` is the file as kept; `open` turns it into the
 * zip (decrypting it when it is encrypted).
 */
export async function verifyOdooArchive(stored: ByteSource, expectedSha256: string, open: (stored: ByteSource) => Promise<ByteSource> = async (s) => s): Promise<{ members: number }> {
  let plain: ByteSource;
  try {
    await checkSha256(stored, expectedSha256);
    plain = await open(stored);
  } catch (error) {
    await stored.close().catch(() => {}); // a decrypting source closes it itself when it fails
    throw error;
  }
  const zip = await ZipReader.open(plain); // closes the source, and the stored file under it
  try {
    for (const required of ['dump.sql', 'manifest.json']) {
      if (!zip.member(required)) throw new FleetError('ARCHIVE_INVALID', `${stored.label} has no ${required}.`, { file: stored.label });
    }
    await zip.test();
    return { members: zip.members.length };
  } finally {
    await zip.close();
  }
}

/** Reads the stored bytes through once: they must be the recorded ones. */
export async function checkSha256(stored: ByteSource, expectedSha256: string): Promise<void> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of readRange(stored, 0, await stored.size())) hash.update(chunk);
  if (hash.digest('hex') !== expectedSha256) throw new FleetError('ARCHIVE_INVALID', `${stored.label} does not match its recorded sha256 (changed or corrupt).`, { file: stored.label });
}

/** Odoo's `pg_version`: "%d.%d" % divmod(server_version / 100, 100), true division included. */
export function odooPgVersion(serverVersionNum: number): string {
  const hundredths = serverVersionNum / 100;
  return `${Math.floor(hundredths / 100)}.${Math.floor(hundredths % 100)}`;
}
