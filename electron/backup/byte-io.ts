import fsp from 'node:fs/promises';
import path from 'node:path';

// The two ends an archive moves through, whatever stores it: a sink written once from start to
// end (committed only when complete), and a source read at any position (a zip's directory is at
// its end). Local files, SFTP files and the encryption layer all come as one of these.

/** A file being written: bytes in order, then commit (durable under its final name) or abort. */
export interface ByteSink {
  write(chunk: Buffer): Promise<void>;
  /** Makes the bytes durable and visible under the final name; nothing is there before. */
  commit(): Promise<void>;
  /** Removes whatever was written; safe to call after a failed write or twice. */
  abort(): Promise<void>;
}

/** A stored file read at any position. */
export interface ByteSource {
  /** Names the file in error messages (a path, `host:path`). */
  readonly label: string;
  size(): Promise<number>;
  /** Up to `length` bytes at `position` (fewer only at the end). */
  read(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** The bytes of `source` from `start` to `end` (exclusive), in chunks of `chunkBytes`. */
export async function* readRange(source: ByteSource, start: number, end: number, chunkBytes = 256 * 1024): AsyncGenerator<Buffer> {
  for (let at = start; at < end; ) {
    const chunk = await source.read(at, Math.min(chunkBytes, end - at));
    if (chunk.length === 0) return; // the caller's size checks report the truncation
    at += chunk.length;
    yield chunk;
  }
}

/** A local file written as `<file>.partial`, fsynced, then renamed (and its folder fsynced). */
export async function localFileSink(file: string): Promise<ByteSink> {
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const partial = `${file}.partial`;
  const handle = await fsp.open(partial, 'w', 0o600);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return {
    async write(chunk) {
      await handle.write(chunk);
    },
    async commit() {
      await handle.sync();
      await close();
      await fsp.rename(partial, file);
      await fsyncDirectory(path.dirname(file));
    },
    async abort() {
      await close().catch(() => {});
      await fsp.rm(partial, { force: true });
    },
  };
}

export async function localFileSource(file: string): Promise<ByteSource> {
  const handle = await fsp.open(file, 'r');
  return {
    label: file,
    async size() {
      return (await handle.stat()).size;
    },
    async read(position, length) {
      const buffer = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer.subarray(0, filled);
    },
    close: () => handle.close(),
  };
}

export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes all of `content` to a sink and commits it; aborts it on failure. */
export async function writeWhole(sink: ByteSink, content: string | Buffer): Promise<void> {
  try {
    await sink.write(Buffer.from(content));
    await sink.commit();
  } catch (error) {
    await sink.abort();
    throw error;
  }
}

/** Writes a small file durably: `.partial`, fsync, rename. */
export async function writeFileDurably(file: string, content: string | Buffer): Promise<void> {
  await writeWhole(await localFileSink(file), content);
}
