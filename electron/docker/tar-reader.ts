import { FleetError } from '../../shared/errors.js';

// A streaming reader for the tar a filestore container writes (GNU tar or busybox): ustar
// headers, GNU long names ('L') and pax path records ('x'). Members are read one after the
// other, each body streamed in chunks; nothing is buffered beyond one chunk.

export interface TarMember {
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
  mode: number;
  mtime: Date;
  /** The body's chunks; must be read to the end (or not at all) before the next member. */
  body: AsyncIterable<Buffer>;
}

class ByteReader {
  private buffer = Buffer.alloc(0);
  private done = false;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Up to `max` bytes (fewer only at the end of the stream); an empty buffer at the end. */
  async take(max: number): Promise<Buffer> {
    while (this.buffer.length === 0 && !this.done) {
      const next = await this.source.next();
      if (next.done) this.done = true;
      else this.buffer = Buffer.from(next.value);
    }
    const out = this.buffer.subarray(0, max);
    this.buffer = this.buffer.subarray(out.length);
    return out;
  }

  async exactly(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const part = await this.take(n - have);
      if (part.length === 0) break;
      parts.push(part);
      have += part.length;
    }
    return Buffer.concat(parts);
  }

  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      const part = await this.take(left);
      if (part.length === 0) throw truncated();
      left -= part.length;
    }
  }
}

const MAX_NAME_RECORD_BYTES = 64 * 1024;

function truncated(): FleetError {
  return new FleetError('ARCHIVE_INVALID', 'The filestore stream ended in the middle of a file (truncated tar).');
}

function field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
}

function numeric(header: Buffer, offset: number, length: number): number {
  const raw = header.subarray(offset, offset + length);
  if (raw[0]! & 0x80) {
    // GNU base-256 for large sizes.
    let value = 0;
    for (let i = 1; i < raw.length; i++) value = value * 256 + raw[i]!;
    return value;
  }
  const text = field(header, offset, length).trim();
  return text ? Number.parseInt(text, 8) : 0;
}

function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  return sum === numeric(header, 148, 8);
}

function paxPath(records: string): string | undefined {
  let found: string | undefined;
  for (const line of records.split('\n')) {
    const match = /^\d+ ([^=]+)=(.*)$/.exec(line);
    if (match?.[1] === 'path') found = match[2];
  }
  return found;
}

/** Iterates the members of a tar stream. */
export async function* readTar(source: AsyncIterable<Buffer>): AsyncGenerator<TarMember> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  let longName: string | undefined;
  for (;;) {
    const header = await reader.exactly(512);
    if (header.length === 0) return; // an empty stream: no members
    if (header.length < 512) throw truncated();
    if (header.every((b) => b === 0)) {
      // End of archive. tar pads its output to whole records: read the rest, so the producer's
      // stream ends (and the container writing it exits and is removed) rather than stalling.
      while ((await reader.take(64 * 1024)).length > 0);
      return;
    }
    if (!checksumOk(header)) throw new FleetError('ARCHIVE_INVALID', 'The filestore stream is not a tar archive (bad header checksum).');
    const size = numeric(header, 124, 12);
    const typeflag = String.fromCharCode(header[156] || 48);
    const padded = Math.ceil(size / 512) * 512;
    if (typeflag === 'L' || typeflag === 'x') {
      // Held in memory, so bounded: a path is at most 4 KiB on Linux; pax records carry a little more.
      if (size > MAX_NAME_RECORD_BYTES) throw new FleetError('ARCHIVE_INVALID', `The filestore stream has a ${size}-byte name record; file names are never that long.`);
      const data = await reader.exactly(padded);
      if (data.length < padded) throw truncated();
      const text = data.subarray(0, size).toString('utf8');
      longName = typeflag === 'L' ? text.replace(/\0+$/, '') : (paxPath(text) ?? longName);
      continue;
    }
    if (typeflag === 'g') {
      await reader.skip(padded);
      continue;
    }
    const prefix = field(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = undefined;
    const type = typeflag === '0' || typeflag === '7' ? 'file' : typeflag === '5' ? 'directory' : typeflag === '2' ? 'symlink' : 'other';
    let left = type === 'file' ? size : 0;
    const body = {
      async *[Symbol.asyncIterator]() {
        while (left > 0) {
          const part = await reader.take(Math.min(left, 256 * 1024));
          if (part.length === 0) throw truncated();
          left -= part.length;
          yield part;
        }
      },
    };
    yield { path: name.replace(/^\.\//, ''), type, size: type === 'file' ? size : 0, mode: numeric(header, 100, 8), mtime: new Date(numeric(header, 136, 12) * 1000), body };
    if (left > 0) await reader.skip(left); // the caller skipped the body
    await reader.skip(padded - (type === 'file' ? size : 0));
  }
}
