import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { FleetError } from '../../shared/errors.js';
import { archiveLimits, checkDeclaredExpansion, type ArchiveLimits } from './archive-limits.js';
import { localFileSource, readRange, type ByteSource } from './byte-io.js';
import { checkedName } from './zip-writer.js';

// Reads zip archives from a stored file (local, over SFTP, or decrypted on the fly): the central
// directory (ZIP64 included), and each member as a stream whose CRC and size are checked as it is
// read. Archives are untrusted: names that could escape a restore folder (absolute, `..`,
// backslashes), duplicate names and symlinks are refused before any byte is used, and so are
// zip bombs:
// - at open, from the central directory alone (no extra reads): too many members, a directory
//   larger than the file, members sharing bytes (each needs its 30 header bytes, its name and its
//   compressed bytes before the next member's offset), and declared sizes past the limits;
// - when a member is streamed, before its data is read: its local header (read then anyway) must
//   name it as the central one does and end, with its extra field, data and any data descriptor,
//   before the next member starts. Its output must stay within its declared size, so the bytes
//   really inflated never exceed what the limits allowed.
// Reading every local header at open instead would cost a read per member (a decrypted chunk
// each, for an encrypted archive) at every open, to check only the local extra length sooner.

export interface ZipMember {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const END_OF_CENTRAL = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END = 0x06064b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const MAX32 = 0xffffffff;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const LOCAL_HEADER_BYTES = 30;
const CENTRAL_HEADER_BYTES = 46;
const FLAG_DESCRIPTOR = 0x0008;
// A data descriptor is 12 to 24 bytes (signature optional, ZIP64 sizes); counting the least
// refuses no valid zip, and its bytes are never read: the central entry's CRC and sizes rule.
const MIN_DESCRIPTOR_BYTES = 12;

function invalid(file: string, why: string): FleetError {
  return new FleetError('ARCHIVE_INVALID', `${file} is not a valid zip archive: ${why}.`, { file });
}

export class ZipReader {
  private readonly file: string;

  private constructor(
    private readonly source: ByteSource,
    readonly members: ZipMember[],
    /** By name, with where each member's bytes must lie. */
    private readonly entries: Map<string, Entry>,
  ) {
    this.file = source.label;
  }

  /**
   * Reads the archive's directory and checks it against `limits` (by default the ones set for
   * this console); the reader owns `source` from here on (close closes it).
   */
  static async open(source: ByteSource | string, limits?: ArchiveLimits): Promise<ZipReader> {
    const opened = typeof source === 'string' ? await localFileSource(source) : source;
    try {
      const bounds = limits ?? archiveLimits(); // inside the try: a bad setting still closes the source
      const { entries, centralOffset } = await readCentralDirectory(opened.label, opened, bounds);
      const members = [...entries.values()].map((e) => e.member);
      checkSpans(opened.label, [...entries.values()], centralOffset);
      checkDeclaredExpansion(opened.label, members, bounds);
      return new ZipReader(opened, members, entries);
    } catch (error) {
      await opened.close();
      throw error;
    }
  }

  member(name: string): ZipMember | undefined {
    return this.entries.get(name)?.member;
  }

  /** The member's uncompressed bytes; the stream errors if its CRC or size is wrong. */
  async stream(member: ZipMember): Promise<Readable> {
    if (member.method !== 8 && member.method !== 0) throw invalid(this.file, `${member.name} uses compression method ${member.method}`);
    const dataStart = await this.dataStart(member);
    if (member.compressedSize === 0) {
      if (member.size !== 0) throw invalid(this.file, `${member.name} is truncated`);
      return Readable.from([]);
    }
    return Readable.from(checkedBytes(this.file, member, readRange(this.source, dataStart, dataStart + member.compressedSize)));
  }

  /** Where the member's data starts, once its local header is known to match and stay in its slot. */
  private async dataStart(member: ZipMember): Promise<number> {
    const entry = this.entries.get(member.name);
    if (!entry || entry.member !== member) throw new FleetError('INTERNAL', `${member.name} is not a member of ${this.file}.`);
    const local = await this.source.read(member.localHeaderOffset, LOCAL_HEADER_BYTES + entry.rawName.length);
    if (local.length < LOCAL_HEADER_BYTES || local.readUInt32LE(0) !== LOCAL_HEADER) throw invalid(this.file, `no local header for ${member.name}`);
    // As Python's zipfile does: a header naming another file makes the archive ambiguous.
    if (local.readUInt16LE(26) !== entry.rawName.length || !local.subarray(LOCAL_HEADER_BYTES).equals(entry.rawName)) {
      throw invalid(this.file, `the local header of ${member.name} names another file`);
    }
    // The local extra length may differ from the central one (Info-ZIP's differ).
    const dataStart = member.localHeaderOffset + LOCAL_HEADER_BYTES + entry.rawName.length + local.readUInt16LE(28);
    const descriptor = local.readUInt16LE(6) & FLAG_DESCRIPTOR ? MIN_DESCRIPTOR_BYTES : 0;
    if (dataStart + member.compressedSize + descriptor > entry.end) {
      throw invalid(this.file, `${member.name} overlaps the next member or the central directory (its local header moves its data past its slot)`);
    }
    return dataStart;
  }

  /** Reads every member through its CRC check, like `unzip -t`. */
  async test(): Promise<void> {
    for (const member of this.members) {
      const stream = await this.stream(member);
      try {
        for await (const chunk of stream) void chunk;
      } catch (error) {
        if (error instanceof FleetError) throw error;
        throw invalid(this.file, `${member.name} cannot be read (${(error as Error).message})`);
      }
    }
  }

  async close(): Promise<void> {
    await this.source.close();
  }
}

/**
 * The member's bytes, inflated when deflated. It fails as soon as the output passes the declared
 * size (inflation is pulled chunk by chunk, so little more than that is ever inflated), and at
 * the end unless size and CRC match.
 */
async function* checkedBytes(file: string, member: ZipMember, compressed: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const raw = Readable.from(compressed, { objectMode: false });
  const body: Readable = member.method === 8 ? raw.pipe(zlib.createInflateRaw()) : raw;
  raw.on('error', (error) => body.destroy(error));
  let crc = 0;
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > member.size) throw invalid(file, `${member.name} is longer than its directory entry says (more than ${member.size} bytes)`);
      crc = zlib.crc32(chunk, crc);
      yield chunk;
    }
  } finally {
    raw.destroy(); // stops reading and inflating at once, whoever ended the loop
    body.destroy();
  }
  if (size !== member.size) throw invalid(file, `${member.name} is truncated (${size} of ${member.size} bytes)`);
  if (crc >>> 0 !== member.crc) throw invalid(file, `${member.name} fails its CRC check (corrupt data)`);
}

/** A member as the central directory has it, with its name's bytes as stored. */
interface Entry {
  member: ZipMember;
  rawName: Buffer;
  /** Where its bytes must end: the next member's offset, or the central directory's. */
  end: number;
}

/**
 * Each member's slot, in file order (which the central directory need not follow). Its local
 * header (30 bytes and its name) and its compressed bytes must fit, so no two members share
 * bytes, whatever their headers declare; stream() checks the rest of the local header.
 */
function checkSpans(file: string, entries: Entry[], centralOffset: number): void {
  const sorted = entries.sort((a, b) => a.member.localHeaderOffset - b.member.localHeaderOffset);
  sorted.forEach((entry, i) => {
    const { member, rawName } = entry;
    const next = sorted[i + 1]?.member;
    const end = next ? next.localHeaderOffset : centralOffset;
    if (member.localHeaderOffset + LOCAL_HEADER_BYTES + rawName.length + member.compressedSize > end) {
      throw invalid(file, `${member.name} overlaps ${next ? next.name : 'the central directory'} (overlapping entries are a zip bomb's trick)`);
    }
    entry.end = end;
  });
}

/** A central entry's fixed part, a generous name and a ZIP64 extra; comments have no business here. */
const MAX_CENTRAL_ENTRY_BYTES = 1024;

interface CentralLocation {
  count: number;
  centralOffset: number;
  centralSize: number;
  /** Where the end records start: the central directory must end before. */
  recordsAt: number;
}

async function readCentralDirectory(file: string, source: ByteSource, limits: ArchiveLimits): Promise<{ entries: Map<string, Entry>; centralOffset: number }> {
  const size = await source.size();
  const where = await locateCentralDirectory(file, source, size);
  const { count, centralOffset, centralSize, recordsAt } = where;
  if (count > limits.maxMembers) throw invalid(file, `it claims ${count} members, more than the ${limits.maxMembers} allowed`);
  if (centralSize > size) throw invalid(file, `its central directory (${centralSize} bytes) is larger than the file (${size} bytes)`);
  if (count * CENTRAL_HEADER_BYTES > centralSize) throw invalid(file, `its central directory (${centralSize} bytes) is too small for the ${count} members it claims`);
  // Readers that find the directory by its recorded offset (this one) and those that find it by
  // its size back from the end records (Python's zipfile, unzip) must read the same directory:
  // anything between the two would let a drill prove other content than a restore by Odoo loads.
  if (centralOffset + centralSize !== recordsAt) throw invalid(file, `its central directory (at ${centralOffset}, ${centralSize} bytes) does not end where the end records start (${recordsAt})`);
  // Read whole into memory: bounded by its members, not only by the file's size.
  if (centralSize > count * MAX_CENTRAL_ENTRY_BYTES + 2 ** 20) throw invalid(file, `its central directory (${centralSize} bytes) is too large for the ${count} members it claims`);
  const central = await source.read(centralOffset, centralSize);
  if (central.length < centralSize) throw invalid(file, 'the central directory lies past the end of the file (truncated?)');
  return { entries: parseCentralDirectory(file, central, count), centralOffset };
}

/** The end-of-central-directory record (and its ZIP64 counterpart), searched for from the end. */
async function locateCentralDirectory(file: string, source: ByteSource, size: number): Promise<CentralLocation> {
  if (size < 22) throw invalid(file, 'too short (truncated?)');
  const tailLength = Math.min(size, 22 + 0xffff);
  const tailAt = size - tailLength;
  const tail = await source.read(tailAt, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === END_OF_CENTRAL) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw invalid(file, 'no end-of-central-directory record (truncated?)');
  const classic = { count: tail.readUInt16LE(eocd + 10), centralSize: tail.readUInt32LE(eocd + 12), centralOffset: tail.readUInt32LE(eocd + 16), recordsAt: tailAt + eocd };
  const locatorAt = eocd - 20;
  if (locatorAt < 0 || tail.readUInt32LE(locatorAt) !== ZIP64_LOCATOR) return classic;
  const recordOffset = Number(tail.readBigUInt64LE(locatorAt + 8));
  const record = recordOffset + 56 <= tailAt + locatorAt ? await source.read(recordOffset, 56) : Buffer.alloc(0);
  if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_END) throw invalid(file, 'broken ZIP64 end record');
  return { count: Number(record.readBigUInt64LE(32)), centralSize: Number(record.readBigUInt64LE(40)), centralOffset: Number(record.readBigUInt64LE(48)), recordsAt: recordOffset };
}

/** The members in central directory order, by name. */
function parseCentralDirectory(file: string, central: Buffer, count: number): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  let at = 0;
  for (let n = 0; n < count; n++) {
    const { entry, next } = parseCentralEntry(file, central, at);
    at = next;
    if (!entry) continue; // a directory entry carries no data
    const { name } = entry.member;
    // Two entries with one name: which would a restore read? Refused rather than guessed.
    const before = entries.size;
    if (entries.set(name, entry).size === before) throw invalid(file, `member ${name} appears twice`);
  }
  return entries;
}

/** One central directory entry at `at`: its member (none for a directory) and where the next starts. */
function parseCentralEntry(file: string, central: Buffer, at: number): { entry: Entry | null; next: number } {
  if (at + CENTRAL_HEADER_BYTES > central.length || central.readUInt32LE(at) !== CENTRAL_HEADER) throw invalid(file, 'a broken central directory entry');
  const nameLength = central.readUInt16LE(at + 28);
  const extraLength = central.readUInt16LE(at + 30);
  const next = at + CENTRAL_HEADER_BYTES + nameLength + extraLength + central.readUInt16LE(at + 32);
  if (next > central.length) throw invalid(file, 'a broken central directory entry');
  const rawName = central.subarray(at + 46, at + 46 + nameLength);
  const text = rawName.toString('utf8');
  if (text.endsWith('/')) return { entry: null, next };
  let name: string;
  try {
    name = checkedName(text);
  } catch {
    throw invalid(file, `member ${JSON.stringify(text.slice(0, 200))} would land outside the restore folder`);
  }
  const external = central.readUInt32LE(at + 38);
  const madeBy = central.readUInt16LE(at + 4) >> 8;
  if (madeBy === 3 && ((external >>> 16) & S_IFMT) === S_IFLNK) throw invalid(file, `member ${name} is a symbolic link`);
  const member: ZipMember = {
    name,
    method: central.readUInt16LE(at + 10),
    crc: central.readUInt32LE(at + 16),
    compressedSize: central.readUInt32LE(at + 20),
    size: central.readUInt32LE(at + 24),
    localHeaderOffset: central.readUInt32LE(at + 42),
  };
  if (member.size === MAX32 || member.compressedSize === MAX32 || member.localHeaderOffset === MAX32) {
    readZip64Extra(file, member, central.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength));
  }
  return { entry: { member, rawName, end: 0 }, next };
}

/** The 32-bit fields saturated at 0xffffffff, read from the ZIP64 extra field in its order. */
function readZip64Extra(file: string, member: ZipMember, extra: Buffer): void {
  for (let e = 0; e + 4 <= extra.length; e += 4 + extra.readUInt16LE(e + 2)) {
    if (extra.readUInt16LE(e) !== 0x0001) continue;
    const end = Math.min(extra.length, e + 4 + extra.readUInt16LE(e + 2));
    let field = e + 4;
    for (const key of ['size', 'compressedSize', 'localHeaderOffset'] as const) {
      if (member[key] !== MAX32) continue;
      if (field + 8 > end) throw invalid(file, `${member.name} has a short ZIP64 extra field`);
      member[key] = Number(extra.readBigUInt64LE(field));
      field += 8;
    }
    return;
  }
}
