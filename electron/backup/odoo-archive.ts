import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { FleetError } from '../../shared/errors.js';
import { readTar } from './tar-reader.js';
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
  /** A tar of the database's filestore folder, paths relative to it. */
  filestore(): Promise<HostStream>;
  manifest: OdooManifest;
}

export interface ArchiveResult {
  path: string;
  bytes: number;
  sha256: string;
  filestoreFiles: number;
}

export type ArchiveProgress = (phase: 'dump' | 'filestore' | 'manifest', bytesWritten: number) => void;

/**
 * Writes Odoo's database-manager zip (dump.sql first, then filestore/…, then manifest.json) to
 * `file`: streamed into `<file>.partial`, hashed as written, fsynced, then renamed, so a file
 * with the final name is always complete. A sidecar `<file>.json` records the checksum.
 */
export async function writeOdooArchive(file: string, parts: ArchiveParts, extra: Record<string, unknown>, onProgress?: ArchiveProgress): Promise<ArchiveResult> {
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const partial = `${file}.partial`;
  const handle = await fsp.open(partial, 'w', 0o600);
  const hash = crypto.createHash('sha256');
  let phase: Parameters<ArchiveProgress>[0] = 'dump';
  let lastReport = 0;
  // Coalesced into large writes: a filestore is mostly small members of a few chunks each.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const out = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    await handle.write(out);
  };
  const zip = new ZipWriter(async (chunk) => {
    hash.update(chunk);
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= 1024 * 1024) await flush();
    const now = Date.now();
    if (onProgress && now - lastReport > 250) {
      lastReport = now;
      onProgress(phase, Number(zip.bytesWritten));
    }
  });
  let running: HostStream | undefined;
  let filestoreFiles = 0;
  try {
    running = await parts.dump();
    await zip.addEntry('dump.sql', running.stdout);
    await running.done;

    phase = 'filestore';
    running = await parts.filestore();
    for await (const member of readTar(running.stdout)) {
      if (member.type !== 'file') continue; // folders are implied; links have no place in a filestore
      if (!member.path) continue;
      await zip.addEntry(`filestore/${member.path}`, member.body as unknown as Readable, { mode: member.mode & 0o777, modified: member.mtime });
      filestoreFiles++;
    }
    await running.done;
    running = undefined;

    phase = 'manifest';
    await zip.addEntry('manifest.json', Buffer.from(JSON.stringify(parts.manifest, null, 4)));
    await zip.finish();
    await flush();
    await handle.sync();
    await handle.close();
  } catch (error) {
    await running?.abort().catch(() => {});
    await handle.close().catch(() => {});
    await fsp.rm(partial, { force: true });
    throw error;
  }
  const sha256 = hash.digest('hex');
  const bytes = Number(zip.bytesWritten);
  await fsp.rename(partial, file);
  await writeFileDurably(`${file}.json`, JSON.stringify({ format: 'odoo-fleet-archive/1', archive: path.basename(file), bytes, sha256, manifest: parts.manifest, ...extra }, null, 2));
  await fsyncDirectory(path.dirname(file));
  return { path: file, bytes, sha256, filestoreFiles };
}

/**
 * Re-reads an archive: its checksum against the recorded one, every member through its CRC,
 * and the members Odoo's restore needs.
 */
export async function verifyOdooArchive(file: string, expectedSha256: string): Promise<{ members: number }> {
  const hash = crypto.createHash('sha256');
  const handle = await fsp.open(file, 'r');
  try {
    for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
  } finally {
    await handle.close();
  }
  if (hash.digest('hex') !== expectedSha256) throw new FleetError('ARCHIVE_INVALID', `${file} does not match its recorded sha256 (changed or corrupt).`, { file });
  const zip = await ZipReader.open(file);
  try {
    for (const required of ['dump.sql', 'manifest.json']) {
      if (!zip.member(required)) throw new FleetError('ARCHIVE_INVALID', `${file} has no ${required}.`, { file });
    }
    await zip.test();
    return { members: zip.members.length };
  } finally {
    await zip.close();
  }
}

/** Odoo's `pg_version`: "%d.%d" % divmod(server_version / 100, 100), true division included. */
export function odooPgVersion(serverVersionNum: number): string {
  const hundredths = serverVersionNum / 100;
  return `${Math.floor(hundredths / 100)}.${Math.floor(hundredths % 100)}`;
}

async function writeFileDurably(file: string, content: string): Promise<void> {
  const partial = `${file}.partial`;
  const handle = await fsp.open(partial, 'w', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsp.rename(partial, file);
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
