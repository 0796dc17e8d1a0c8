import type { Readable } from 'node:stream';
import zlib from 'node:zlib';

// A streaming zip writer: entries are deflated as they arrive, so neither a dump nor a filestore
// is ever held whole. Sizes and CRCs are unknown until an entry ends, so each entry is followed
// by a data descriptor (general-purpose bit 3); ZIP64 records are written only where a size, an
// offset or the entry count needs them, which is what Python's zipfile and Info-ZIP read.

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL = 0x06054b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EXTRA = 0x0001;
const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const METHOD_DEFLATE = 8;
/** Members up to this size are deflated in one call. */
const SMALL_MEMBER = 1024 * 1024;
/** "made by" Unix (3), spec 4.5 (ZIP64). */
const VERSION_MADE_BY = (3 << 8) | 45;

/** Where the archive's bytes go, in order; resolves once they are accepted (backpressure). */
export type ZipSink = (chunk: Buffer) => Promise<void>;

interface CentralEntry {
  name: Buffer;
  crc: number;
  compressed: bigint;
  size: bigint;
  offset: bigint;
  dosTime: number;
  dosDate: number;
  mode: number;
}

export interface ZipEntryOptions {
  /** Unix permission bits recorded for the entry (default 0644). */
  mode?: number;
  modified?: Date;
}

export class ZipWriter {
  private offset = 0n;
  private readonly entries: CentralEntry[] = [];
  private finished = false;

  constructor(private readonly sink: ZipSink) {}

  /** Bytes written so far. */
  get bytesWritten(): bigint {
    return this.offset;
  }

  /** Adds one file, deflating the source as it streams. */
  async addEntry(name: string, source: Readable | Buffer, options: ZipEntryOptions = {}): Promise<void> {
    if (this.finished) throw new Error('the archive is already finished');
    const nameBytes = Buffer.from(checkedName(name), 'utf8');
    const { time, date } = dosDateTime(options.modified ?? new Date());
    const entryOffset = this.offset;

    const header = Buffer.alloc(30);
    header.writeUInt32LE(LOCAL_HEADER, 0);
    header.writeUInt16LE(45, 4);
    header.writeUInt16LE(FLAG_DESCRIPTOR | FLAG_UTF8, 6);
    header.writeUInt16LE(METHOD_DEFLATE, 8);
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    // CRC and sizes (14..25) stay zero: they follow in the data descriptor.
    header.writeUInt16LE(nameBytes.length, 26);
    header.writeUInt16LE(0, 28);
    await this.write(Buffer.concat([header, nameBytes]));

    let crc = 0;
    let size = 0n;
    let compressed = 0n;
    const iterator = (Buffer.isBuffer(source) ? toAsync([source]) : (source as AsyncIterable<Buffer | string>))[Symbol.asyncIterator]();
    // Small members (most of a filestore) are deflated in one call: a stream per member costs
    // more than the compression itself.
    const head: Buffer[] = [];
    let headBytes = 0;
    let exhausted = false;
    while (headBytes < SMALL_MEMBER) {
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
      head.push(chunk);
      headBytes += chunk.length;
    }
    if (exhausted) {
      const whole = Buffer.concat(head);
      crc = zlib.crc32(whole);
      size = BigInt(whole.length);
      const deflated = zlib.deflateRawSync(whole, { level: 6 });
      compressed = BigInt(deflated.length);
      await this.write(deflated);
    } else {
      const deflate = zlib.createDeflateRaw({ level: 6 });
      const pumped = (async () => {
        for await (const chunk of deflate as AsyncIterable<Buffer>) {
          compressed += BigInt(chunk.length);
          await this.write(chunk);
        }
      })();
      const feed = async () => {
        const push = async (chunk: Buffer) => {
          crc = zlib.crc32(chunk, crc);
          size += BigInt(chunk.length);
          if (!deflate.write(chunk)) await new Promise<void>((resolve) => deflate.once('drain', resolve));
        };
        for (const chunk of head) await push(chunk);
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
          await push(Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value));
        }
        deflate.end();
      };
      try {
        await Promise.all([feed(), pumped]);
      } catch (error) {
        deflate.destroy();
        throw error;
      }
    }

    const zip64 = size >= MAX32 || compressed >= MAX32;
    const descriptor = Buffer.alloc(zip64 ? 24 : 16);
    descriptor.writeUInt32LE(DATA_DESCRIPTOR, 0);
    descriptor.writeUInt32LE(crc >>> 0, 4);
    if (zip64) {
      descriptor.writeBigUInt64LE(compressed, 8);
      descriptor.writeBigUInt64LE(size, 16);
    } else {
      descriptor.writeUInt32LE(Number(compressed), 8);
      descriptor.writeUInt32LE(Number(size), 12);
    }
    await this.write(descriptor);
    this.entries.push({ name: nameBytes, crc: crc >>> 0, compressed, size, offset: entryOffset, dosTime: time, dosDate: date, mode: options.mode ?? 0o644 });
  }

  /** Writes the central directory (and the ZIP64 end records when needed). */
  async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const centralStart = this.offset;
    for (const entry of this.entries) {
      const extra: Buffer[] = [];
      const needs = { size: entry.size >= MAX32, compressed: entry.compressed >= MAX32, offset: entry.offset >= MAX32 };
      if (needs.size) extra.push(u64(entry.size));
      if (needs.compressed) extra.push(u64(entry.compressed));
      if (needs.offset) extra.push(u64(entry.offset));
      const extraBody = Buffer.concat(extra);
      const extraField = extraBody.length ? Buffer.concat([u16(ZIP64_EXTRA), u16(extraBody.length), extraBody]) : Buffer.alloc(0);
      const header = Buffer.alloc(46);
      header.writeUInt32LE(CENTRAL_HEADER, 0);
      header.writeUInt16LE(VERSION_MADE_BY, 4);
      header.writeUInt16LE(45, 6);
      header.writeUInt16LE(FLAG_DESCRIPTOR | FLAG_UTF8, 8);
      header.writeUInt16LE(METHOD_DEFLATE, 10);
      header.writeUInt16LE(entry.dosTime, 12);
      header.writeUInt16LE(entry.dosDate, 14);
      header.writeUInt32LE(entry.crc, 16);
      header.writeUInt32LE(needs.compressed ? MAX32 : Number(entry.compressed), 20);
      header.writeUInt32LE(needs.size ? MAX32 : Number(entry.size), 24);
      header.writeUInt16LE(entry.name.length, 28);
      header.writeUInt16LE(extraField.length, 30);
      header.writeUInt16LE(0, 32); // comment length
      header.writeUInt16LE(0, 34); // disk number
      header.writeUInt16LE(0, 36); // internal attributes
      header.writeUInt32LE(((0o100000 | entry.mode) << 16) >>> 0, 38); // regular file + mode
      header.writeUInt32LE(needs.offset ? MAX32 : Number(entry.offset), 42);
      await this.write(Buffer.concat([header, entry.name, extraField]));
    }
    const centralSize = this.offset - centralStart;
    const count = this.entries.length;
    if (count >= MAX16 || centralSize >= MAX32 || centralStart >= MAX32) {
      const zip64EndOffset = this.offset;
      const record = Buffer.alloc(56);
      record.writeUInt32LE(ZIP64_END, 0);
      record.writeBigUInt64LE(44n, 4); // size of the rest of this record
      record.writeUInt16LE(VERSION_MADE_BY, 12);
      record.writeUInt16LE(45, 14);
      record.writeUInt32LE(0, 16);
      record.writeUInt32LE(0, 20);
      record.writeBigUInt64LE(BigInt(count), 24);
      record.writeBigUInt64LE(BigInt(count), 32);
      record.writeBigUInt64LE(centralSize, 40);
      record.writeBigUInt64LE(centralStart, 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(ZIP64_LOCATOR, 0);
      locator.writeUInt32LE(0, 4);
      locator.writeBigUInt64LE(zip64EndOffset, 8);
      locator.writeUInt32LE(1, 16);
      await this.write(Buffer.concat([record, locator]));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(END_OF_CENTRAL, 0);
    end.writeUInt16LE(Math.min(count, MAX16), 8);
    end.writeUInt16LE(Math.min(count, MAX16), 10);
    end.writeUInt32LE(centralSize >= MAX32 ? MAX32 : Number(centralSize), 12);
    end.writeUInt32LE(centralStart >= MAX32 ? MAX32 : Number(centralStart), 16);
    await this.write(end);
  }

  private async write(chunk: Buffer): Promise<void> {
    this.offset += BigInt(chunk.length);
    await this.sink(chunk);
  }
}

/** Zip member names are relative, forward-slashed, and never climb out of the archive. */
export function checkedName(name: string): string {
  if (!name || name.length > 4096 || name.startsWith('/') || name.includes('\\') || name.includes('\0') || name.split('/').some((part) => part === '..' || part === '')) {
    throw new Error(`unsafe archive member name: ${JSON.stringify(name.slice(0, 200))}`);
  }
  return name;
}

async function* toAsync(chunks: Buffer[]): AsyncGenerator<Buffer> {
  yield* chunks;
}

function dosDateTime(when: Date): { time: number; date: number } {
  const year = Math.max(1980, when.getUTCFullYear());
  return {
    time: (when.getUTCHours() << 11) | (when.getUTCMinutes() << 5) | Math.floor(when.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((when.getUTCMonth() + 1) << 5) | when.getUTCDate(),
  };
}

function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(value, 0);
  return b;
}

function u64(value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(value, 0);
  return b;
}
