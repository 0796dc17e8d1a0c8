import crypto from 'node:crypto';
import { FleetError } from '../../shared/errors.js';
import type { ByteSink, ByteSource } from './byte-io.js';

/*
 * Encrypted archives: chunked AES-256-GCM in the STREAM construction (as age uses it), so an
 * archive is written in one pass with one chunk in memory and read back at any position.
 *
 * Byte format, version 1 (integers big-endian):
 *
 *   offset  bytes  field
 *        0     15  magic "odoo-fleet-enc\n"
 *       15      1  format version, 1
 *       16      4  C: plaintext bytes per chunk (65536 by default)
 *       20      8  key id: SHA-256("odoo-fleet backup key id v1\0" || key), first 8 bytes
 *                  (shown as 16 hex digits)
 *       28     32  salt, random for each file
 *       60     32  HMAC-SHA256(header key, bytes 0..59)
 *       92      …  chunks
 *
 *   header key  = HKDF-SHA256(key, salt, info "odoo-fleet backup v1 header", 32 bytes)
 *   payload key = HKDF-SHA256(key, salt, info "odoo-fleet backup v1 payload", 32 bytes)
 *
 * Chunk i is AES-256-GCM(payload key, nonce, plaintext) followed by its 16-byte tag, no
 * associated data. The 12-byte nonce is i as an 11-byte counter, then 0x01 for the last chunk
 * and 0x00 for every other. Every chunk holds exactly C plaintext bytes except the last, which
 * holds 1..C (0 only when the whole plaintext is empty), so the plaintext size follows from the
 * file size: size − 92 − 16 × ceil((size − 92) / (C + 16)).
 *
 * The per-file key means nonces never repeat across files; the counter in the nonce catches
 * reordered chunks, and the final flag catches a file cut at a chunk boundary or with bytes
 * appended.
 */

/** A user's backup key: `id` is its fingerprint (backupKeyId), never the key. */
export interface BackupKey {
  id: string;
  name: string;
  key: Buffer;
}

export const DEFAULT_CHUNK_BYTES = 64 * 1024;
export const BACKUP_KEY_BYTES = 32;

const MAGIC = Buffer.from('odoo-fleet-enc\n', 'ascii');
const FORMAT_VERSION = 1;
const KEY_ID_BYTES = 8;
const SALT_BYTES = 32;
const MAC_BYTES = 32;
const TAG_BYTES = 16;
const NONCE_BYTES = 12;
const CHUNK_SIZE_AT = MAGIC.length + 1;
const KEY_ID_AT = CHUNK_SIZE_AT + 4;
const SALT_AT = KEY_ID_AT + KEY_ID_BYTES;
const MAC_AT = SALT_AT + SALT_BYTES;
const HEADER_BYTES = MAC_AT + MAC_BYTES;
const MIN_CHUNK_BYTES = 1024;
const MAX_CHUNK_BYTES = 16 * 1024 * 1024;
// Zip readers read the directory at the end, then members from the start: a few chunks suffice.
const CACHED_CHUNKS = 4;

/** The key's fingerprint, as 16 hex digits: what archive headers and the key list show. */
export function backupKeyId(key: Buffer): string {
  return crypto.createHash('sha256').update('odoo-fleet backup key id v1\0').update(key).digest().subarray(0, KEY_ID_BYTES).toString('hex');
}

/** Whether `source` starts like an encrypted archive (it may still be damaged). */
export async function isEncryptedArchive(source: ByteSource): Promise<boolean> {
  return (await source.read(0, MAGIC.length)).equals(MAGIC);
}

/**
 * Encrypts everything written to it into `inner`; commit writes the last chunk, then commits
 * `inner`. Holds one chunk of plaintext at a time.
 */
export function encryptingSink(inner: ByteSink, key: BackupKey, options: { chunkBytes?: number } = {}): ByteSink {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isInteger(chunkBytes) || chunkBytes < MIN_CHUNK_BYTES || chunkBytes > MAX_CHUNK_BYTES) {
    throw new FleetError('INTERNAL', `An encrypted archive's chunk size must be ${MIN_CHUNK_BYTES} to ${MAX_CHUNK_BYTES} bytes.`);
  }
  requireKeyLength(key);
  const salt = crypto.randomBytes(SALT_BYTES);
  const { headerKey, payloadKey } = fileKeys(key.key, salt);
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header[MAGIC.length] = FORMAT_VERSION;
  header.writeUInt32BE(chunkBytes, CHUNK_SIZE_AT);
  Buffer.from(backupKeyId(key.key), 'hex').copy(header, KEY_ID_AT);
  salt.copy(header, SALT_AT);
  headerMac(headerKey, header).copy(header, MAC_AT);

  const pending = Buffer.allocUnsafe(chunkBytes);
  let filled = 0;
  let index = 0;
  let closed = false;
  const emit = async (final: boolean) => {
    const sealed = sealChunk(payloadKey, index, final, pending.subarray(0, filled));
    const out = index === 0 ? Buffer.concat([header, sealed]) : sealed;
    index += 1;
    filled = 0;
    await inner.write(out);
  };
  const requireOpen = () => {
    if (closed) throw new FleetError('INTERNAL', 'The encrypted archive was already committed or aborted.');
  };
  return {
    async write(chunk) {
      requireOpen();
      for (let at = 0; at < chunk.length; ) {
        // A full chunk waits until more data shows it is not the last one.
        if (filled === chunkBytes) await emit(false);
        const copied = chunk.copy(pending, filled, at, Math.min(chunk.length, at + chunkBytes - filled));
        filled += copied;
        at += copied;
      }
    },
    async commit() {
      requireOpen();
      closed = true;
      await emit(true);
      await inner.commit();
    },
    async abort() {
      closed = true;
      await inner.abort();
    },
  };
}

/**
 * The plaintext of the encrypted archive `inner`, readable at any position. Checks the header,
 * the key and the last chunk before it returns; every other chunk is checked when first read.
 * Takes `inner` over: closes it on failure and on close().
 */
export async function decryptingSource(inner: ByteSource, keys: (keyId: string) => BackupKey | undefined): Promise<ByteSource> {
  try {
    return await openEncrypted(inner, keys);
  } catch (error) {
    await inner.close().catch(() => {});
    throw error;
  }
}

async function openEncrypted(inner: ByteSource, keys: (keyId: string) => BackupKey | undefined): Promise<ByteSource> {
  const label = inner.label;
  const invalid = (why: string, details: Record<string, unknown> = {}) => new FleetError('ARCHIVE_INVALID', `${label} ${why}`, { file: label, ...details });
  const fileBytes = await inner.size();
  const header = await inner.read(0, HEADER_BYTES);
  if (header.length < MAGIC.length || !header.subarray(0, MAGIC.length).equals(MAGIC)) throw invalid('is not an encrypted Odoo Fleet archive.');
  if (header.length < HEADER_BYTES) throw invalid('is truncated: it ends inside its header.');
  const version = header[MAGIC.length]!;
  if (version !== FORMAT_VERSION) {
    throw invalid(`uses encryption format ${version}, which this version of Odoo Fleet does not read (it reads ${FORMAT_VERSION}): update Odoo Fleet.`);
  }
  const keyId = header.subarray(KEY_ID_AT, KEY_ID_AT + KEY_ID_BYTES).toString('hex');
  const key = keys(keyId);
  if (!key) {
    throw new FleetError('BACKUP_KEY_MISSING', `${label} is encrypted with backup key ${keyId}, which this console does not have: import that key, then try again.`, {
      file: label,
      keyId,
    });
  }
  requireKeyLength(key);
  const wrongKey = (why: string) => new FleetError('ARCHIVE_INVALID', `Backup key '${key.name}' (${backupKeyId(key.key)}) does not decrypt ${label}: ${why}`, { file: label, keyId });
  if (backupKeyId(key.key) !== keyId) throw wrongKey(`it was encrypted with key ${keyId}.`);
  const { headerKey, payloadKey } = fileKeys(key.key, header.subarray(SALT_AT, SALT_AT + SALT_BYTES));
  if (!crypto.timingSafeEqual(headerMac(headerKey, header), header.subarray(MAC_AT, HEADER_BYTES))) {
    throw wrongKey('its header fails authentication (altered or damaged).');
  }
  const chunkBytes = header.readUInt32BE(CHUNK_SIZE_AT);
  if (chunkBytes < MIN_CHUNK_BYTES || chunkBytes > MAX_CHUNK_BYTES) throw invalid(`is not a valid encrypted archive: chunk size ${chunkBytes} is out of range.`);

  const sealedBytes = chunkBytes + TAG_BYTES;
  const bodyBytes = fileBytes - HEADER_BYTES;
  if (bodyBytes < TAG_BYTES) throw invalid('is truncated: it ends before its first chunk.');
  const chunkCount = Math.ceil(bodyBytes / sealedBytes);
  const lastSealedBytes = bodyBytes - (chunkCount - 1) * sealedBytes;
  const plainBytes = bodyBytes - chunkCount * TAG_BYTES;
  const lastIndex = chunkCount - 1;
  const chunkAt = (index: number) => HEADER_BYTES + index * sealedBytes;

  const readSealed = async (index: number) => {
    const length = index === lastIndex ? lastSealedBytes : sealedBytes;
    const sealed = await inner.read(chunkAt(index), length);
    if (sealed.length < length) throw invalid(`is truncated: it ended while chunk ${index} (file offset ${chunkAt(index)}) was read.`);
    return sealed;
  };
  const loadChunk = async (index: number) => {
    const plain = openChunk(payloadKey, index, index === lastIndex, await readSealed(index));
    if (!plain) {
      throw invalid(`is damaged: chunk ${index} (plaintext offset ${index * chunkBytes}, file offset ${chunkAt(index)}) fails authentication.`, { chunk: index });
    }
    return plain;
  };

  // The last chunk must carry the final flag: otherwise the file was cut short or extended.
  const lastSealed = lastSealedBytes < TAG_BYTES ? null : await readSealed(lastIndex);
  const lastPlain = lastSealed && openChunk(payloadKey, lastIndex, true, lastSealed);
  if (!lastPlain) {
    if (lastSealed && openChunk(payloadKey, lastIndex, false, lastSealed)) {
      throw invalid(`is truncated: it ends after chunk ${lastIndex} (file offset ${chunkAt(lastIndex) + lastSealedBytes}) without its final chunk.`);
    }
    throw invalid(`is truncated or damaged: its last chunk (chunk ${lastIndex}, file offset ${chunkAt(lastIndex)}) fails authentication (cut short, altered, or bytes appended).`, {
      chunk: lastIndex,
    });
  }

  const cache = new Map<number, Promise<Buffer>>([[lastIndex, Promise.resolve(lastPlain)]]);
  const chunk = (index: number): Promise<Buffer> => {
    const cached = cache.get(index);
    if (cached) {
      cache.delete(index);
      cache.set(index, cached);
      return cached;
    }
    const loading = loadChunk(index);
    cache.set(index, loading);
    if (cache.size > CACHED_CHUNKS) cache.delete(cache.keys().next().value!);
    loading.catch(() => {
      if (cache.get(index) === loading) cache.delete(index);
    });
    return loading;
  };

  return {
    label,
    async size() {
      return plainBytes;
    },
    async read(position, length) {
      const end = Math.min(plainBytes, position + length);
      if (position >= end) return Buffer.alloc(0);
      // Copies, so a caller changing the returned bytes cannot change the cached chunks.
      const out = Buffer.allocUnsafe(end - position);
      for (let index = Math.floor(position / chunkBytes); index * chunkBytes < end; index += 1) {
        const start = index * chunkBytes;
        const plain = await chunk(index);
        plain.copy(out, Math.max(0, start - position), Math.max(0, position - start), Math.min(plain.length, end - start));
      }
      return out;
    },
    close: () => inner.close(),
  };
}

function requireKeyLength(key: BackupKey): void {
  if (key.key.length !== BACKUP_KEY_BYTES) throw new FleetError('INTERNAL', `Backup key '${key.name}' is not ${BACKUP_KEY_BYTES} bytes long.`);
}

function fileKeys(key: Buffer, salt: Buffer): { headerKey: Buffer; payloadKey: Buffer } {
  const derive = (info: string) => Buffer.from(crypto.hkdfSync('sha256', key, salt, info, 32));
  return { headerKey: derive('odoo-fleet backup v1 header'), payloadKey: derive('odoo-fleet backup v1 payload') };
}

function headerMac(headerKey: Buffer, header: Buffer): Buffer {
  return crypto.createHmac('sha256', headerKey).update(header.subarray(0, MAC_AT)).digest();
}

function chunkNonce(index: number, final: boolean): Buffer {
  const nonce = Buffer.alloc(NONCE_BYTES);
  // The counter's low 48 bits (bytes 5..10) are plenty: 2^48 chunks of 1 KiB or more.
  nonce.writeUIntBE(index, NONCE_BYTES - 1 - 6, 6);
  nonce[NONCE_BYTES - 1] = final ? 1 : 0;
  return nonce;
}

function sealChunk(payloadKey: Buffer, index: number, final: boolean, plain: Buffer): Buffer {
  const cipher = crypto.createCipheriv('aes-256-gcm', payloadKey, chunkNonce(index, final), { authTagLength: TAG_BYTES });
  return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

/** The chunk's plaintext, or null when its tag does not verify. */
function openChunk(payloadKey: Buffer, index: number, final: boolean, sealed: Buffer): Buffer | null {
  const decipher = crypto.createDecipheriv('aes-256-gcm', payloadKey, chunkNonce(index, final), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}
