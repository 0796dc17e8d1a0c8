import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { FleetError } from '../../shared/errors.js';
import { localFileSource, readRange, type ByteSource } from './byte-io.js';
import { checkedName } from './zip-writer.js';

// Reads zip archives from a stored file (local, over SFTP, or decrypted on the fly): the central directory (ZIP64 included), and each member as a
// stream whose CRC and size are checked as it is read. Member names that could escape a restore
// folder (absolute, `..`, backslashes) and symlink members are refused before any byte is used.

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

function invalid(file: string, why: string): FleetError {
  return new FleetError('ARCHIVE_INVALID', `${file} is not a valid zip archive: ${why}.`, { file });
}

export class ZipReader {
  private readonly file: string;

  private constructor(
    private readonly source: ByteSource,
    readonly members: ZipMember[],
  ) {
    this.file = source.label;
  }

  /** Reads the archive's directory; the reader owns `source` from here on (close closes it). */
  static async open(source: ByteSource | string): Promise<ZipReader> {
    const opened = typeof source === 'string' ? await localFileSource(source) : source;
    try {
      const members = await readCentralDirectory(opened.label, opened);
      return new ZipReader(opened, members);
    } catch (error) {
      await opened.close();
      throw error;
    }
  }

  member(name: string): ZipMember | undefined {
    return this.members.find((m) => m.name === name);
  }

  /** The member's uncompressed bytes; the stream errors if its CRC or size is wrong. */
  async stream(member: ZipMember): Promise<Readable> {
    const local = await this.source.read(member.localHeaderOffset, 30);
    if (local.length < 30 || local.readUInt32LE(0) !== LOCAL_HEADER) throw invalid(this.file, `no local header for ${member.name}`);
    const dataStart = member.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    if (member.method !== 8 && member.method !== 0) throw invalid(this.file, `${member.name} uses compression method ${member.method}`);
    const file = this.file;
    if (member.compressedSize === 0) {
      if (member.size !== 0) throw invalid(file, `${member.name} is truncated`);
      return Readable.from([]);
    }
    const raw = Readable.from(readRange(this.source, dataStart, dataStart + member.compressedSize), { objectMode: false });
    const body: Readable = member.method === 8 ? raw.pipe(zlib.createInflateRaw()) : raw;
    raw.on('error', (error) => body.destroy(error));
    async function* checked() {
      let crc = 0;
      let size = 0;
      for await (const chunk of body as AsyncIterable<Buffer>) {
        crc = zlib.crc32(chunk, crc);
        size += chunk.length;
        if (size > member.size) throw invalid(file, `${member.name} is longer than its directory entry says`);
        yield chunk;
      }
      if (size !== member.size) throw invalid(file, `${member.name} is truncated (${size} of ${member.size} bytes)`);
      if (crc >>> 0 !== member.crc) throw invalid(file, `${member.name} fails its CRC check (corrupt data)`);
    }
    return Readable.from(checked());
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

async function readCentralDirectory(file: string, source: ByteSource): Promise<ZipMember[]> {
  const size = await source.size();
  if (size < 22) throw invalid(file, 'too short (truncated?)');
  const tailLength = Math.min(size, 22 + 0xffff);
  const tail = await source.read(size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === END_OF_CENTRAL) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw invalid(file, 'no end-of-central-directory record (truncated?)');
  let count = tail.readUInt16LE(eocd + 10);
  let centralSize = tail.readUInt32LE(eocd + 12);
  let centralOffset = tail.readUInt32LE(eocd + 16);
  const locatorAt = eocd - 20;
  if (locatorAt >= 0 && tail.readUInt32LE(locatorAt) === ZIP64_LOCATOR) {
    const recordOffset = Number(tail.readBigUInt64LE(locatorAt + 8));
    const record = await source.read(recordOffset, 56);
    if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_END) throw invalid(file, 'broken ZIP64 end record');
    count = Number(record.readBigUInt64LE(32));
    centralSize = Number(record.readBigUInt64LE(40));
    centralOffset = Number(record.readBigUInt64LE(48));
  }
  if (centralOffset + centralSize > size) throw invalid(file, 'the central directory lies past the end of the file (truncated?)');
  const central = await source.read(centralOffset, centralSize);
  const members: ZipMember[] = [];
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > central.length || central.readUInt32LE(at) !== CENTRAL_HEADER) throw invalid(file, 'a broken central directory entry');
    const nameLength = central.readUInt16LE(at + 28);
    const extraLength = central.readUInt16LE(at + 30);
    const commentLength = central.readUInt16LE(at + 32);
    const rawName = central.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const external = central.readUInt32LE(at + 38);
    const madeBy = central.readUInt16LE(at + 4) >> 8;
    let compressedSize = central.readUInt32LE(at + 20);
    let uncompressed = central.readUInt32LE(at + 24);
    let offset = central.readUInt32LE(at + 42);
    const extra = central.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    for (let e = 0; e + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(e);
      const length = extra.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let field = e + 4;
        if (uncompressed === MAX32) {
          uncompressed = Number(extra.readBigUInt64LE(field));
          field += 8;
        }
        if (compressedSize === MAX32) {
          compressedSize = Number(extra.readBigUInt64LE(field));
          field += 8;
        }
        if (offset === MAX32) offset = Number(extra.readBigUInt64LE(field));
      }
      e += 4 + length;
    }
    if (rawName.endsWith('/')) {
      at += 46 + nameLength + extraLength + commentLength;
      continue; // a directory entry carries no data
    }
    let name: string;
    try {
      name = checkedName(rawName);
    } catch {
      throw invalid(file, `member ${JSON.stringify(rawName.slice(0, 200))} would land outside the restore folder`);
    }
    if (madeBy === 3 && ((external >>> 16) & S_IFMT) === S_IFLNK) throw invalid(file, `member ${name} is a symbolic link`);
    if (offset + compressedSize > size) throw invalid(file, `${name} lies past the end of the file (truncated?)`);
    members.push({ name, method: central.readUInt16LE(at + 10), crc: central.readUInt32LE(at + 16), compressedSize, size: uncompressed, localHeaderOffset: offset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return members;
}
