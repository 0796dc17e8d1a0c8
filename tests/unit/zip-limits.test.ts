import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveLimits, DEFAULT_ARCHIVE_LIMITS, GIB, type ArchiveLimits } from '../../electron/backup/archive-limits.js';
import type { ByteSource } from '../../electron/backup/byte-io.js';
import { ZipReader } from '../../electron/backup/zip-reader.js';
import { ZipWriter } from '../../electron/backup/zip-writer.js';

// Hostile zips are built here byte by byte (no binary fixtures); real ones come from this
// project's writer, Python's zipfile and Info-ZIP's zip. Every assertion is on behaviour or on
// byte counts, never on time.

const MIB = 2 ** 20;
const hasZip = (() => {
  try {
    execFileSync('zip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let dir: string;
beforeAll(() => void (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-zip-limits-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Member {
  name: string;
  method: number;
  crc: number;
  size: number;
  compressed: Buffer;
}

const deflated = (name: string, data: Buffer, level = 6): Member => ({ name, method: 8, crc: zlib.crc32(data), size: data.length, compressed: zlib.deflateRawSync(data, { level }) });

/**
 * `mib` MiB of zeros as a real deflate stream of about 1 KiB per MiB: one fully flushed (so
 * self-contained) segment repeated, then an empty final block. Deflate's best ratio, ~1032:1.
 */
function zeroBomb(name: string, mib: number): Member {
  const segment = zlib.deflateRawSync(Buffer.alloc(MIB), { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  const zeros = Buffer.alloc(MIB);
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = zlib.crc32(zeros, crc);
  return { name, method: 8, crc, size: mib * MIB, compressed: Buffer.concat([...Array<Buffer>(mib).fill(segment), Buffer.from([0x03, 0x00])]) };
}

/** A zip assembled record by record, so each record can lie. */
class HandZip {
  private readonly parts: Buffer[] = [];
  private readonly entries: Buffer[] = [];
  private at = 0;

  /** A local header and its data; `claimedExtra` is an extra length the header states but does not have. */
  local(m: Member, options: { claimedExtra?: number; flags?: number } = {}): number {
    const name = Buffer.from(m.name);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(options.flags ?? 0, 6);
    header.writeUInt16LE(m.method, 8);
    header.writeUInt16LE(0x21, 12); // 1980-01-01
    header.writeUInt32LE(m.crc >>> 0, 14);
    header.writeUInt32LE(m.compressed.length, 18);
    header.writeUInt32LE(m.size, 22);
    header.writeUInt16LE(name.length, 26);
    header.writeUInt16LE(options.claimedExtra ?? 0, 28);
    return this.raw(Buffer.concat([header, name, m.compressed]));
  }

  raw(bytes: Buffer): number {
    const offset = this.at;
    this.parts.push(bytes);
    this.at += bytes.length;
    return offset;
  }

  central(m: Member, offset: number, lie: { compressedSize?: number; extra?: Buffer; size?: number } = {}): this {
    const name = Buffer.from(m.name);
    const extra = lie.extra ?? Buffer.alloc(0);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE((3 << 8) | 20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(m.method, 10);
    header.writeUInt16LE(0x21, 14);
    header.writeUInt32LE(m.crc >>> 0, 16);
    header.writeUInt32LE(lie.compressedSize ?? m.compressed.length, 20);
    header.writeUInt32LE(lie.size ?? m.size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt16LE(extra.length, 30);
    header.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    header.writeUInt32LE(offset, 42);
    this.entries.push(Buffer.concat([header, name, extra]));
    return this;
  }

  /** The central directory and end record; `zip64Count` adds ZIP64 end records claiming that many members. */
  finish(lie: { count?: number; centralSize?: number; zip64Count?: number } = {}): Buffer {
    const central = Buffer.concat(this.entries);
    const centralOffset = this.raw(central);
    if (lie.zip64Count !== undefined) this.zip64End(lie.zip64Count, central.length, centralOffset);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(Math.min(0xffff, lie.count ?? this.entries.length), 8);
    end.writeUInt16LE(Math.min(0xffff, lie.count ?? this.entries.length), 10);
    end.writeUInt32LE(lie.centralSize ?? central.length, 12);
    end.writeUInt32LE(centralOffset, 16);
    this.raw(end);
    return Buffer.concat(this.parts);
  }

  private zip64End(count: number, centralSize: number, centralOffset: number): void {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(centralSize), 40);
    record.writeBigUInt64LE(BigInt(centralOffset), 48);
    const recordAt = this.raw(record);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(recordAt), 8);
    locator.writeUInt32LE(1, 16);
    this.raw(locator);
  }
}

/** A zip of `members`, each stored once, in order. */
function plainZip(members: Member[]): Buffer {
  const zip = new HandZip();
  const offsets = members.map((m) => zip.local(m));
  members.forEach((m, i) => zip.central(m, offsets[i]!));
  return zip.finish();
}

/** An in-memory source that counts the bytes read from it. */
function memorySource(bytes: Buffer): ByteSource & { bytesRead: number } {
  return {
    label: 'hostile.zip',
    bytesRead: 0,
    async size() {
      return bytes.length;
    },
    async read(position, length) {
      const chunk = Buffer.from(bytes.subarray(position, position + length));
      this.bytesRead += chunk.length;
      return chunk;
    },
    async close() {},
  };
}

const open = (bytes: Buffer, limits?: ArchiveLimits) => ZipReader.open(memorySource(bytes), limits);
const refusal = (pattern: RegExp) => ({ code: 'ARCHIVE_INVALID', message: expect.stringMatching(pattern) });

/** Every member's bytes, read through its checks. */
async function readAll(zip: ZipReader): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const m of zip.members) {
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.stream(m)) chunks.push(chunk as Buffer);
    out.set(m.name, Buffer.concat(chunks));
  }
  return out;
}

/** Reads a stream until it ends or fails: the bytes it gave out, and its error. */
async function drain(stream: Readable): Promise<{ emitted: number; error: unknown }> {
  let emitted = 0;
  try {
    for await (const chunk of stream) emitted += (chunk as Buffer).length;
    return { emitted, error: null };
  } catch (error) {
    return { emitted, error };
  }
}

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

describe('overlapping members', () => {
  const a = deflated('filestore/aa/a', crypto.randomBytes(3000));
  const b = deflated('filestore/bb/b', Buffer.from('b'.repeat(5000)));

  it('refuses many central entries pointing at one local header, whatever the limits', async () => {
    // The reported bomb: about 1 MB of real deflate, listed 2048 times as 1 GiB each (2 TiB).
    const bomb = zeroBomb('filestore/0', 1024);
    const zip = new HandZip();
    const at = zip.local(bomb);
    for (let i = 0; i < 2048; i++) zip.central({ ...bomb, name: `filestore/${i}` }, at);
    const bytes = zip.finish();
    expect(bytes.length).toBeLessThan(1.3 * MIB);
    const unlimited = { ...DEFAULT_ARCHIVE_LIMITS, maxTotalBytes: Infinity, maxRatio: Infinity };
    await expect(open(bytes, unlimited)).rejects.toMatchObject(refusal(/filestore\/\d+ overlaps filestore\/\d+/));
  });

  it('refuses data that runs into the next member, or a member starting inside another', async () => {
    const longer = new HandZip();
    const [atA, atB] = [longer.local(a), longer.local(b)];
    await expect(open(longer.central(a, atA, { compressedSize: a.compressed.length + 40 }).central(b, atB).finish())).rejects.toMatchObject(refusal(/filestore\/aa\/a overlaps filestore\/bb\/b/));
    const inside = new HandZip();
    const at = inside.local(a);
    inside.raw(Buffer.alloc(200));
    await expect(open(inside.central(a, at).central(b, at + 100).finish())).rejects.toMatchObject(refusal(/overlaps/));
  });

  it('refuses a member whose data runs into the central directory', async () => {
    const zip = new HandZip();
    const at = zip.local(a);
    await expect(open(zip.central(a, at, { compressedSize: a.compressed.length + 10 }).finish())).rejects.toMatchObject(refusal(/overlaps the central directory/));
  });

  it('refuses, before reading its data, a member whose local header shifts its data into the next one', async () => {
    // The central entries are consistent; only the local header's extra length lies.
    const zip = new HandZip();
    const atA = zip.local(a, { claimedExtra: 64 });
    const atB = zip.local(b);
    const reader = await open(zip.central(a, atA).central(b, atB).finish());
    await expect(reader.stream(reader.member(a.name)!)).rejects.toMatchObject(refusal(/overlaps the next member/));
    await expect(reader.test()).rejects.toMatchObject(refusal(/filestore\/aa\/a overlaps/));
    expect((await drain(await reader.stream(reader.member(b.name)!))).emitted).toBe(5000);
  });

  it('refuses a member whose local header names another file', async () => {
    const zip = new HandZip();
    const at = zip.local({ ...a, name: 'filestore/aa/A' });
    const reader = await open(zip.central(a, at).finish());
    await expect(reader.test()).rejects.toMatchObject(refusal(/local header of filestore\/aa\/a names another file/));
  });

  it('accepts a central directory in another order than the data, and reads it', async () => {
    const c = deflated('dump.sql', Buffer.from('SELECT 1;\n'.repeat(1000)));
    const zip = new HandZip();
    const offsets = [zip.local(a), zip.local(b), zip.local(c)];
    const bytes = zip.central(c, offsets[2]!).central(a, offsets[0]!).central(b, offsets[1]!).finish();
    const reader = await open(bytes);
    expect(reader.members.map((m) => m.name)).toEqual(['dump.sql', a.name, b.name]);
    const read = await readAll(reader);
    expect(read.get('dump.sql')!.toString()).toBe('SELECT 1;\n'.repeat(1000));
    expect(zlib.crc32(read.get(a.name)!)).toBe(a.crc);
    expect(execFileSync('python3', ['-c', 'import zipfile,sys,io; z=zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read())); print(z.testzip())'], { input: bytes }).toString().trim()).toBe('None');
  });
});

describe('expansion', () => {
  const tight: ArchiveLimits = { ...DEFAULT_ARCHIVE_LIMITS, ratioFloorBytes: MIB, maxRatio: 100 };

  it('refuses a 1 MB member that declares 1 GiB, under the default limits', async () => {
    const bomb = zeroBomb('dump.sql', 1024);
    expect(bomb.compressed.length).toBeLessThan(1.1 * MIB);
    const error = await open(plainZip([bomb])).catch((e: unknown) => e);
    expect(error).toMatchObject(refusal(/dump\.sql declares 1 GiB from 1(\.0)? MiB \(\d+:1\), past the 250:1 limit that applies above 64 MiB/));
    expect(error).toMatchObject({ message: expect.stringMatching(/FLEET_ARCHIVE_MAX_RATIO/) });
  });

  it('refuses a dense member above the floor, and reads it once the ratio is raised', async () => {
    const bomb = zeroBomb('filestore/zz/zeros', 8);
    await expect(open(plainZip([bomb]), tight)).rejects.toMatchObject(refusal(/filestore\/zz\/zeros declares 8 MiB .* past the 100:1 limit that applies above 1 MiB/));
    const reader = await open(plainZip([bomb]), { ...tight, maxRatio: 2000 });
    expect(await drain(await reader.stream(reader.members[0]!))).toEqual({ emitted: 8 * MIB, error: null });
  });

  it('refuses many small dense members by the ratio of the whole archive', async () => {
    const members = [0, 1, 2, 3].map((i) => deflated(`filestore/z/${i}`, Buffer.alloc(MIB / 2), 9));
    await expect(open(plainZip(members), tight)).rejects.toMatchObject(refusal(/declare 2 MiB from \d+ bytes in all .* past the 100:1 limit/));
    await expect(open(plainZip(members.slice(0, 2)), tight)).resolves.toBeInstanceOf(ZipReader);
  });

  it('refuses members that declare more than the total, naming where it was passed', async () => {
    const members = [0, 1].map((i) => deflated(`filestore/t/${i}`, Buffer.alloc(3 * MIB)));
    const error = await open(plainZip(members), { ...DEFAULT_ARCHIVE_LIMITS, maxTotalBytes: 4 * MIB }).catch((e: unknown) => e);
    expect(error).toMatchObject(refusal(/more than 4 MiB uncompressed in total \(passed at filestore\/t\/1\).*FLEET_ARCHIVE_MAX_GIB/));
  });

  it('stops a member that inflates past its declared size after reading little more than that', async () => {
    // Stored deflate blocks: each compressed byte read is one byte inflated, so the bytes read
    // from the file count the work done. The header says 1 MB; the data holds 100 MB.
    const hundred = Buffer.alloc(100_000_000);
    const liar: Member = { name: 'dump.sql', method: 8, crc: zlib.crc32(hundred), size: 1_000_000, compressed: zlib.deflateRawSync(hundred, { level: 0 }) };
    const source = memorySource(plainZip([liar]));
    const reader = await ZipReader.open(source);
    source.bytesRead = 0;
    const { emitted, error } = await drain(await reader.stream(reader.members[0]!));
    expect(error).toMatchObject(refusal(/dump\.sql is longer than its directory entry says/));
    expect(emitted).toBeLessThanOrEqual(1_000_000);
    expect(source.bytesRead).toBeLessThan(1_000_000 + 2 * MIB);
  });

  it('stops a zero bomb whose header understates its size, giving out no more than declared', async () => {
    const bomb = zeroBomb('dump.sql', 100);
    const reader = await open(plainZip([{ ...bomb, size: 1_000_000 }]));
    const { emitted, error } = await drain(await reader.stream(reader.members[0]!));
    expect(error).toMatchObject(refusal(/longer than its directory entry says/));
    expect(emitted).toBeLessThanOrEqual(1_000_000);
  });
});

describe('directory sanity', () => {
  const dump = deflated('dump.sql', Buffer.from('SELECT 1;'));

  it('refuses two members with one name', async () => {
    await expect(open(plainZip([dump, { ...dump, crc: 0 }]))).rejects.toMatchObject(refusal(/dump\.sql appears twice/));
  });

  it('refuses more members than allowed, counted or merely claimed', async () => {
    const four = [0, 1, 2, 3].map((i) => deflated(`filestore/${i}`, Buffer.from(String(i))));
    await expect(open(plainZip(four), { ...DEFAULT_ARCHIVE_LIMITS, maxMembers: 3 })).rejects.toMatchObject(refusal(/claims 4 members, more than the 3 allowed/));
    const zip = new HandZip();
    zip.central(dump, zip.local(dump));
    await expect(open(zip.finish({ zip64Count: 2_000_000 }))).rejects.toMatchObject(refusal(/claims 2000000 members, more than the 1000000 allowed/));
    const small = new HandZip();
    small.central(dump, small.local(dump));
    await expect(open(small.finish({ count: 0xffff }))).rejects.toMatchObject(refusal(/too small for the 65535 members/));
  });

  it('refuses a central directory larger than the file', async () => {
    const zip = new HandZip();
    zip.central(dump, zip.local(dump));
    await expect(open(zip.finish({ centralSize: 10 * MIB }))).rejects.toMatchObject(refusal(/central directory \(10485760 bytes\) is larger than the file/));
  });

  it('refuses a central directory that does not end where the end record starts (two readers, two directories)', async () => {
    // [A][directory of A][B][directory of B][end record: A's directory, B's size]: a reader
    // going by the recorded offset sees A, one going back from the end records (zipfile) sees B.
    const [a, b] = [deflated('dump.sql', Buffer.from('SELECT 1;\n')), deflated('dump.sql', Buffer.from('SELECT 2;\n'))];
    const [zipA, zipB] = [plainZip([a]), plainZip([b])];
    const bodyA = zipA.subarray(0, zipA.length - 22);
    const bodyB = Buffer.from(zipB.subarray(0, zipB.length - 22));
    bodyB.writeUInt32LE(bodyA.length, zipB.readUInt32LE(zipB.length - 6) + 42); // B's local header, moved
    const end = Buffer.from(zipA.subarray(zipA.length - 22));
    end.writeUInt32LE(zipB.readUInt32LE(zipB.length - 10), 12);
    await expect(open(Buffer.concat([bodyA, bodyB, end]))).rejects.toMatchObject(refusal(/does not end where the end records start/));
  });

  it('refuses a ZIP64 extra field too short for the sizes it stands for', async () => {
    const zip = new HandZip();
    const extra = Buffer.from([0x01, 0x00, 0x04, 0x00, 0, 0, 0, 0]);
    zip.central(dump, zip.local(dump), { size: 0xffffffff, extra });
    await expect(open(zip.finish())).rejects.toMatchObject(refusal(/short ZIP64 extra field/));
  });
});

describe('archive limits from the environment', () => {
  it('defaults, raised by FLEET_ARCHIVE_MAX_GIB and FLEET_ARCHIVE_MAX_RATIO', () => {
    expect(archiveLimits({})).toEqual(DEFAULT_ARCHIVE_LIMITS);
    expect(DEFAULT_ARCHIVE_LIMITS).toMatchObject({ maxTotalBytes: 256 * GIB, maxRatio: 250, ratioFloorBytes: 64 * MIB, maxMembers: 1_000_000 });
    expect(archiveLimits({ FLEET_ARCHIVE_MAX_GIB: '1024', FLEET_ARCHIVE_MAX_RATIO: ' 1000 ', UNRELATED: 'x' })).toMatchObject({ maxTotalBytes: 1024 * GIB, maxRatio: 1000 });
    expect(archiveLimits({ FLEET_ARCHIVE_MAX_GIB: '0.5', FLEET_ARCHIVE_MAX_RATIO: '' })).toMatchObject({ maxTotalBytes: GIB / 2, maxRatio: 250 });
  });

  it('refuses a setting that is not a positive number', () => {
    for (const bad of ['abc', '0', '-5', 'Infinity', '10GiB']) {
      expect(() => archiveLimits({ FLEET_ARCHIVE_MAX_GIB: bad })).toThrow(expect.objectContaining({ code: 'VALIDATION', message: expect.stringMatching(/FLEET_ARCHIVE_MAX_GIB must be a positive number/) }));
      expect(() => archiveLimits({ FLEET_ARCHIVE_MAX_RATIO: bad })).toThrow(expect.objectContaining({ code: 'VALIDATION', message: expect.stringMatching(/FLEET_ARCHIVE_MAX_RATIO must be a positive number/) }));
    }
  });

  it('a bad setting fails the open, and the source is closed', async () => {
    const saved = process.env.FLEET_ARCHIVE_MAX_RATIO;
    process.env.FLEET_ARCHIVE_MAX_RATIO = 'lots';
    let closed = false;
    try {
      const source = { ...memorySource(plainZip([deflated('a', Buffer.from('a'))])), close: async () => void (closed = true) };
      await expect(ZipReader.open(source)).rejects.toMatchObject({ code: 'VALIDATION' });
    } finally {
      if (saved === undefined) delete process.env.FLEET_ARCHIVE_MAX_RATIO;
      else process.env.FLEET_ARCHIVE_MAX_RATIO = saved;
    }
    expect(closed).toBe(true);
  });
});

describe('real archives still open and read', () => {
  const dumpText = Array.from({ length: 60_000 }, (_, i) => `INSERT INTO res_partner VALUES (${i}, 'partner ${i}');`).join('\n');
  const files = Array.from({ length: 20 }, (_, i) => ({ name: `filestore/${String(i).padStart(2, '0')}/f${i}`, data: crypto.randomBytes(500 + i * 300) }));

  it('from this project’s writer (streamed members and data descriptors)', async () => {
    const chunks: Buffer[] = [];
    const writer = new ZipWriter(async (chunk) => void chunks.push(Buffer.from(chunk)));
    await writer.addEntry('dump.sql', Readable.from([Buffer.from(dumpText)])); // > 1 MiB: streamed
    for (const f of files) await writer.addEntry(f.name, f.data);
    await writer.addEntry('manifest.json', Buffer.from('{}'));
    await writer.finish();
    const reader = await open(Buffer.concat(chunks));
    await reader.test();
    const read = await readAll(reader);
    expect(read.get('dump.sql')!.toString()).toBe(dumpText);
    for (const f of files) expect(read.get(f.name)!.equals(f.data)).toBe(true);
  });

  it('from Python’s zipfile: stored, deflated, directories, central order reversed, streamed with descriptors', async () => {
    const script = [
      'import zipfile, sys, hashlib, json',
      'out = sys.stdout.buffer if sys.argv[1] == "-" else open(sys.argv[1], "wb")',
      'z = zipfile.ZipFile(out, "w")',
      'z.writestr(zipfile.ZipInfo("filestore/"), b"")',
      'data = {"dump.sql": b"COPY t FROM stdin;\\n" * 50000, "manifest.json": b"{}", "filestore/ab/abc": bytes(range(256)) * 40}',
      'for name, body in data.items(): z.writestr(name, body, zipfile.ZIP_STORED if name == "manifest.json" else zipfile.ZIP_DEFLATED)',
      'z.filelist.reverse()',
      'z.close()',
      'sys.stderr.write(json.dumps({n: hashlib.sha256(b).hexdigest() for n, b in data.items()}))',
    ].join('\n');
    const seekable = path.join(dir, 'python.zip');
    const expected = JSON.parse(spawnSync('python3', ['-c', script, seekable]).stderr.toString()) as Record<string, string>;
    const streamed = execFileSync('sh', ['-c', 'python3 -c "$1" - 2>/dev/null | cat', 'sh', script]);
    for (const reader of [await ZipReader.open(seekable), await open(streamed)]) {
      const read = await readAll(reader);
      expect(Object.fromEntries([...read].map(([name, body]) => [name, sha(body)]))).toEqual(expected);
      await reader.close();
    }
  });

  it.skipIf(!hasZip)('from Info-ZIP’s zip, to a file and to a pipe', async () => {
    const src = path.join(dir, 'src');
    for (const f of files) {
      fs.mkdirSync(path.join(src, path.dirname(f.name)), { recursive: true });
      fs.writeFileSync(path.join(src, f.name), f.data);
    }
    fs.writeFileSync(path.join(src, 'dump.sql'), dumpText);
    const file = path.join(dir, 'infozip.zip');
    execFileSync('zip', ['-q', '-r', file, '.'], { cwd: src });
    const piped = execFileSync('sh', ['-c', 'zip -q -r - . | cat'], { cwd: src, maxBuffer: 64 * MIB });
    for (const reader of [await ZipReader.open(file), await open(piped)]) {
      const read = await readAll(reader);
      expect(read.get('dump.sql')!.toString()).toBe(dumpText);
      for (const f of files) expect(read.get(f.name)!.equals(f.data)).toBe(true);
      await reader.close();
    }
  });
});
