import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localFileSink, localFileSource, readRange, type ByteSource } from '../../electron/backup/byte-io.js';
import { backupKeyId, decryptingSource, DEFAULT_CHUNK_BYTES, encryptingSink, isEncryptedArchive, type BackupKey } from '../../electron/backup/encryption.js';
import { FleetError } from '../../shared/errors.js';

const C = DEFAULT_CHUNK_BYTES;
const HEADER = 92;
const SEALED = C + 16;

function makeKey(name: string): BackupKey {
  const key = crypto.randomBytes(32);
  return { id: backupKeyId(key), name, key };
}
const KEY = makeKey('main');
const OTHER = makeKey('other');
const byId =
  (...keys: BackupKey[]) =>
  (id: string) =>
    keys.find((k) => k.id === id);

const dirs: string[] = [];
function tempFile(name = 'archive.enc') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-enc-'));
  dirs.push(dir);
  return path.join(dir, name);
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Encrypts in uneven pieces, so pieces straddle chunk boundaries. */
async function encryptToFile(plain: Buffer, key = KEY): Promise<string> {
  const file = tempFile();
  const sink = encryptingSink(await localFileSink(file), key);
  const pieces = [1, 7, 1000, 70_000, 3, C];
  for (let at = 0, i = 0; at < plain.length; i += 1) {
    const end = Math.min(plain.length, at + pieces[i % pieces.length]!);
    await sink.write(plain.subarray(at, end));
    at = end;
  }
  await sink.commit();
  return file;
}

async function openFile(file: string, keys = byId(KEY)): Promise<ByteSource> {
  return decryptingSource(await localFileSource(file), keys);
}

async function decryptFile(file: string, keys = byId(KEY)): Promise<Buffer> {
  const source = await openFile(file, keys);
  try {
    const parts: Buffer[] = [];
    for await (const part of readRange(source, 0, await source.size(), 100_000)) parts.push(part);
    return Buffer.concat(parts);
  } finally {
    await source.close();
  }
}

async function failure(promise: Promise<unknown>): Promise<FleetError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(FleetError);
    return error as FleetError;
  }
  throw new Error('expected a failure');
}

function rewrite(file: string, change: (bytes: Buffer) => Buffer): void {
  fs.writeFileSync(file, change(fs.readFileSync(file)));
}

describe('backup encryption', () => {
  it.each([0, 1, C - 1, C, C + 1, 2 * C, 3 * 1024 * 1024 + 17])('round-trips %i bytes', async (size) => {
    const plain = crypto.randomBytes(size);
    const file = await encryptToFile(plain);
    expect(fs.statSync(file).size).toBe(HEADER + size + 16 * Math.max(1, Math.ceil(size / C)));
    const source = await openFile(file);
    expect(await source.size()).toBe(size);
    await source.close();
    expect((await decryptFile(file)).equals(plain)).toBe(true);
  });

  it('reads any range at any position, in any order, concurrently too', async () => {
    const plain = crypto.randomBytes(5 * C + 1234);
    const source = await openFile(await encryptToFile(plain));
    try {
      const ranges: Array<[number, number]> = [
        [0, 10],
        [plain.length - 22, 22], // a zip's end-of-directory record
        [plain.length - 5, 100], // past the end: only what is there
        [plain.length, 10],
        [C - 3, 6], // across a chunk boundary
        [C, C],
        [1, 4 * C + 7], // across several chunks
        [0, plain.length],
      ];
      for (let i = 0; i < 200; i += 1) ranges.push([crypto.randomInt(plain.length + 10), crypto.randomInt(3 * C)]);
      for (const [position, length] of ranges) {
        expect((await source.read(position, length)).equals(plain.subarray(position, position + length))).toBe(true);
      }
      const concurrent = await Promise.all(ranges.map(([position, length]) => source.read(position, length)));
      concurrent.forEach((bytes, i) => expect(bytes.equals(plain.subarray(ranges[i]![0], ranges[i]![0] + ranges[i]![1]))).toBe(true));
    } finally {
      await source.close();
    }
  });

  it('gives a fresh salt to each file, so the same plaintext encrypts differently', async () => {
    const plain = crypto.randomBytes(C + 10);
    const [a, b] = [fs.readFileSync(await encryptToFile(plain)), fs.readFileSync(await encryptToFile(plain))];
    expect(a.subarray(0, 28).equals(b.subarray(0, 28))).toBe(true); // magic, version, chunk size, key id
    expect(a.subarray(28, 60).equals(b.subarray(28, 60))).toBe(false); // salt
    expect(a.subarray(HEADER, HEADER + 64).equals(b.subarray(HEADER, HEADER + 64))).toBe(false);
  });

  it('writes the key id, never the key, into the header', async () => {
    const bytes = fs.readFileSync(await encryptToFile(Buffer.from('hello')));
    expect(bytes.subarray(0, 16).toString('latin1')).toBe('odoo-fleet-enc\n\x01');
    expect(bytes.subarray(20, 28).toString('hex')).toBe(KEY.id);
    expect(bytes.includes(KEY.key)).toBe(false);
  });

  it('tells an encrypted archive from anything else', async () => {
    const encrypted = await localFileSource(await encryptToFile(Buffer.from('x')));
    const zipFile = tempFile('plain.zip');
    fs.writeFileSync(zipFile, Buffer.concat([Buffer.from('PK\x03\x04'), crypto.randomBytes(200)]));
    const zip = await localFileSource(zipFile);
    const emptyFile = tempFile('empty');
    fs.writeFileSync(emptyFile, '');
    const empty = await localFileSource(emptyFile);
    expect(await isEncryptedArchive(encrypted)).toBe(true);
    expect(await isEncryptedArchive(zip)).toBe(false);
    expect(await isEncryptedArchive(empty)).toBe(false);
    await Promise.all([encrypted.close(), zip.close(), empty.close()]);

    for (const file of [zipFile, emptyFile]) {
      const error = await failure(openFile(file));
      expect(error.code).toBe('ARCHIVE_INVALID');
      expect(error.message).toBe(`${file} is not an encrypted Odoo Fleet archive.`);
    }
  });

  it('refuses a wrong key before giving out any plaintext, and closes the file', async () => {
    const file = await encryptToFile(crypto.randomBytes(3 * C));
    let closed = 0;
    const inner = await localFileSource(file);
    const counting: ByteSource = {
      ...inner,
      close: async () => {
        closed += 1;
        await inner.close();
      },
    };
    const error = await failure(decryptingSource(counting, () => OTHER));
    expect(error.code).toBe('ARCHIVE_INVALID');
    expect(error.message).toBe(`Backup key 'other' (${OTHER.id}) does not decrypt ${file}: it was encrypted with key ${KEY.id}.`);
    expect(closed).toBe(1);
  });

  it('names the missing key and says to import it', async () => {
    const file = await encryptToFile(Buffer.from('secret'));
    const error = await failure(openFile(file, byId(OTHER)));
    expect(error.code).toBe('BACKUP_KEY_MISSING');
    expect(error.message).toContain(KEY.id);
    expect(error.message).toMatch(/import that key/);
    expect(error.details).toMatchObject({ keyId: KEY.id });
  });

  it('detects a flipped bit in a middle chunk when that chunk is read, and still reads the others', async () => {
    const plain = crypto.randomBytes(5 * C);
    const file = await encryptToFile(plain);
    rewrite(file, (bytes) => {
      bytes[HEADER + 2 * SEALED + 1000]! ^= 0x04;
      return bytes;
    });
    const source = await openFile(file);
    try {
      expect((await source.read(0, C)).equals(plain.subarray(0, C))).toBe(true);
      expect((await source.read(4 * C, C)).equals(plain.subarray(4 * C))).toBe(true);
      const error = await failure(source.read(2 * C + 5, 10));
      expect(error.code).toBe('ARCHIVE_INVALID');
      expect(error.message).toBe(`${file} is damaged: chunk 2 (plaintext offset ${2 * C}, file offset ${HEADER + 2 * SEALED}) fails authentication.`);
      await expect(source.read(2 * C, 1)).rejects.toThrow(/chunk 2/); // not cached as good
    } finally {
      await source.close();
    }
  });

  it('detects a file truncated at a chunk boundary, mid-chunk, or inside its header', async () => {
    const plain = crypto.randomBytes(4 * C + 100);
    for (const keep of [HEADER + 2 * SEALED, HEADER + 2 * SEALED + 100, HEADER + SEALED - 1, HEADER + 10, HEADER, 40]) {
      const file = await encryptToFile(plain);
      rewrite(file, (bytes) => bytes.subarray(0, keep));
      const error = await failure(decryptFile(file));
      expect(error.code).toBe('ARCHIVE_INVALID');
      expect(error.message).toMatch(/truncated/);
    }
  });

  it('says exactly where a file cut at a chunk boundary ends', async () => {
    const file = await encryptToFile(crypto.randomBytes(4 * C));
    rewrite(file, (bytes) => bytes.subarray(0, HEADER + 2 * SEALED));
    const error = await failure(openFile(file));
    expect(error.message).toBe(`${file} is truncated: it ends after chunk 1 (file offset ${HEADER + 2 * SEALED}) without its final chunk.`);
  });

  it('detects swapped chunks', async () => {
    const file = await encryptToFile(crypto.randomBytes(4 * C));
    rewrite(file, (bytes) => {
      const first = Buffer.from(bytes.subarray(HEADER + SEALED, HEADER + 2 * SEALED));
      bytes.copy(bytes, HEADER + SEALED, HEADER + 2 * SEALED, HEADER + 3 * SEALED);
      first.copy(bytes, HEADER + 2 * SEALED);
      return bytes;
    });
    const error = await failure(decryptFile(file));
    expect(error.code).toBe('ARCHIVE_INVALID');
    expect(error.message).toMatch(/chunk 1 /);
  });

  it('detects bytes appended after the final chunk', async () => {
    const plain = crypto.randomBytes(2 * C + 10);
    for (const extra of [Buffer.from([0]), crypto.randomBytes(17), crypto.randomBytes(SEALED), crypto.randomBytes(3 * SEALED + 5)]) {
      const file = await encryptToFile(plain);
      rewrite(file, (bytes) => Buffer.concat([bytes, extra]));
      const error = await failure(decryptFile(file));
      expect(error.code).toBe('ARCHIVE_INVALID');
    }
    // A copy of the genuine final chunk appended: its counter no longer matches its place.
    const file = await encryptToFile(crypto.randomBytes(2 * C));
    rewrite(file, (bytes) => Buffer.concat([bytes, bytes.subarray(HEADER + SEALED)]));
    expect((await failure(decryptFile(file))).code).toBe('ARCHIVE_INVALID');
  });

  it('detects an altered header: chunk size, salt, key id, format version', async () => {
    const plain = crypto.randomBytes(3 * C);
    const tamper = async (change: (bytes: Buffer) => void, keys = byId(KEY)) => {
      const file = await encryptToFile(plain);
      rewrite(file, (bytes) => {
        change(bytes);
        return bytes;
      });
      return failure(decryptFile(file, keys));
    };

    const chunkSize = await tamper((bytes) => bytes.writeUInt32BE(C / 2, 16));
    expect(chunkSize.code).toBe('ARCHIVE_INVALID');
    expect(chunkSize.message).toMatch(/does not decrypt .*header fails authentication/);

    const salt = await tamper((bytes) => (bytes[40]! ^= 1));
    expect(salt.message).toMatch(/header fails authentication/);

    // Another key's id: the console looks that key up, and its own key no longer matches.
    const keyId = await tamper((bytes) => Buffer.from(OTHER.id, 'hex').copy(bytes, 20), byId(KEY, OTHER));
    expect(keyId.message).toMatch(/does not decrypt .*header fails authentication/);
    const unknownId = await tamper((bytes) => (bytes[20]! ^= 1));
    expect(unknownId.code).toBe('BACKUP_KEY_MISSING');

    const version = await tamper((bytes) => (bytes[15] = 2));
    expect(version.message).toMatch(/format 2.*update Odoo Fleet/);
  });

  it('aborts without leaving a file, and refuses writes once committed', async () => {
    const file = tempFile();
    const aborted = encryptingSink(await localFileSink(file), KEY);
    await aborted.write(crypto.randomBytes(2 * C));
    await aborted.abort();
    await aborted.abort();
    expect(fs.readdirSync(path.dirname(file))).toEqual([]);

    const committed = encryptingSink(await localFileSink(file), KEY);
    await committed.commit();
    await expect(committed.write(Buffer.from('late'))).rejects.toThrow(/already committed/);
    expect(await decryptFile(file)).toEqual(Buffer.alloc(0));
  });
});
