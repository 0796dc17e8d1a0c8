import path from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { FleetError } from '../../shared/errors.js';
import type { SshPool } from '../ssh/pool.js';
import type { ByteSink, ByteSource } from './byte-io.js';

// Archives in a folder of an SSH host (the tenant's own host, or another one used as an SFTP
// target), through SFTP on the pool's connection: no shell needed, so an SFTP-only storage box
// works too. Large reads and writes are split into the server's packet size and pipelined, so
// throughput is not one round trip per 32 KiB.

const PIECE = 32 * 1024;

function sftpError(error: unknown, what: string, where: string): FleetError {
  const message = (error as Error)?.message ?? String(error);
  const code = (error as { code?: number }).code;
  if (code === 2) return new FleetError('NOT_FOUND', `${where}: no such file (${what}).`);
  if (code === 3) return new FleetError('FORBIDDEN', `${where}: the SSH user may not ${what} there (permission denied).`);
  return new FleetError('COMMAND_FAILED', `${where}: could not ${what} over SFTP (${message}).`);
}

/** An SFTP channel on the host's connection, closed when `fn` finishes. */
export async function withSftp<T>(pool: SshPool, hostId: string, fn: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
  const sftp = await openSftp(pool, hostId);
  try {
    return await fn(sftp);
  } finally {
    sftp.end();
  }
}

export async function openSftp(pool: SshPool, hostId: string): Promise<SFTPWrapper> {
  return pool.withSession(
    hostId,
    (session) =>
      new Promise<SFTPWrapper>((resolve, reject) => {
        session.client.sftp((error, sftp) => (error ? reject(new FleetError('HOST_UNREACHABLE', `The host refused an SFTP channel: ${error.message}`)) : resolve(sftp)));
      }),
  );
}

function call<T>(fn: (cb: (error: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value))));
}

/** Creates `folder` and its missing parents with mode 0700. */
export async function sftpMkdirs(sftp: SFTPWrapper, folder: string, where: string): Promise<void> {
  const parts = path.posix.resolve(folder).split('/').filter(Boolean);
  let at = '';
  for (const part of parts) {
    at += `/${part}`;
    const exists = await call<unknown>((cb) => sftp.stat(at, cb)).then(
      () => true,
      () => false,
    );
    if (exists) continue;
    await call<void>((cb) => sftp.mkdir(at, { mode: 0o700 }, (e) => cb(e, undefined))).catch(async (error) => {
      // Another writer may have made it meanwhile.
      const made = await call<unknown>((cb) => sftp.stat(at, cb)).then(
        () => true,
        () => false,
      );
      if (!made) throw sftpError(error, `create folder ${at}`, where);
    });
  }
}

/**
 * A file in a host folder written as `<file>.partial`, fsynced (OpenSSH's fsync extension) and
 * renamed over any old file only when complete.
 */
export async function sftpFileSink(pool: SshPool, hostId: string, hostName: string, file: string): Promise<ByteSink> {
  const where = `${hostName}:${file}`;
  const sftp = await openSftp(pool, hostId);
  const partial = `${file}.partial`;
  let handle: Buffer;
  try {
    await sftpMkdirs(sftp, path.posix.dirname(file), where);
    handle = await call<Buffer>((cb) => sftp.open(partial, 'w', { mode: 0o600 }, cb)).catch((error) => {
      throw sftpError(error, 'create the archive', where);
    });
  } catch (error) {
    sftp.end();
    throw error;
  }
  let position = 0;
  let open = true;
  const close = async () => {
    if (!open) return;
    open = false;
    await call<void>((cb) => sftp.close(handle, (e) => cb(e, undefined)));
  };
  return {
    async write(chunk) {
      const writes: Array<Promise<void>> = [];
      for (let offset = 0; offset < chunk.length; offset += PIECE) {
        const length = Math.min(PIECE, chunk.length - offset);
        const at = position + offset;
        writes.push(call<void>((cb) => sftp.write(handle, chunk, offset, length, at, (e) => cb(e, undefined))));
      }
      position += chunk.length;
      await Promise.all(writes).catch((error) => {
        throw sftpError(error, 'write the archive', where);
      });
    },
    async commit() {
      try {
        await call<void>((cb) => sftp.ext_openssh_fsync(handle, (e) => cb(e, undefined))).catch((error) => {
          throw sftpError(error, 'flush the archive to disk (the server needs the fsync@openssh.com extension)', where);
        });
        await close();
        await call<void>((cb) => sftp.ext_openssh_rename(partial, file, (e) => cb(e, undefined))).catch((error) => {
          throw sftpError(error, 'rename the finished archive', where);
        });
      } finally {
        sftp.end();
      }
    },
    async abort() {
      await close().catch(() => {});
      await call<void>((cb) => sftp.unlink(partial, (e) => cb(e, undefined))).catch(() => {});
      sftp.end();
    },
  };
}

/** A file in a host folder, read at any position. */
export async function sftpFileSource(pool: SshPool, hostId: string, hostName: string, file: string): Promise<ByteSource> {
  const where = `${hostName}:${file}`;
  const sftp = await openSftp(pool, hostId);
  let handle: Buffer;
  try {
    handle = await call<Buffer>((cb) => sftp.open(file, 'r', cb));
  } catch (error) {
    sftp.end();
    throw sftpError(error, 'open the archive', where);
  }
  return {
    label: where,
    async size() {
      const stats = await call<{ size: number }>((cb) => sftp.fstat(handle, cb)).catch((error) => {
        throw sftpError(error, 'read the archive size', where);
      });
      return stats.size;
    },
    async read(position, length) {
      const buffer = Buffer.allocUnsafe(length);
      const pieces: Array<Promise<number>> = [];
      for (let offset = 0; offset < length; offset += PIECE) {
        const size = Math.min(PIECE, length - offset);
        pieces.push(readFully(sftp, handle, buffer, offset, size, position + offset));
      }
      const counts = await Promise.all(pieces).catch((error) => {
        throw sftpError(error, 'read the archive', where);
      });
      // Bytes count only up to the first short piece: past it lies the end of the file.
      let filled = 0;
      for (let i = 0; i < counts.length; i++) {
        filled += counts[i]!;
        if (counts[i]! < Math.min(PIECE, length - i * PIECE)) break;
      }
      return buffer.subarray(0, filled);
    },
    async close() {
      await call<void>((cb) => sftp.close(handle, (e) => cb(e, undefined))).catch(() => {});
      sftp.end();
    },
  };
}

/** Reads `length` bytes unless the file ends first (a server may answer a read with fewer bytes). */
async function readFully(sftp: SFTPWrapper, handle: Buffer, buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
  let filled = 0;
  while (filled < length) {
    const got = await call<number>((cb) => sftp.read(handle, buffer, offset + filled, length - filled, position + filled, (e, n) => cb(e, n))).catch((error) => {
      if ((error as { code?: number }).code === 1) return 0; // EOF
      throw error;
    });
    if (!got) break;
    filled += got;
  }
  return filled;
}

/** Files directly in `folder` (names only); a missing folder is empty. */
export async function sftpList(sftp: SFTPWrapper, folder: string): Promise<Array<{ name: string; size: number; isDirectory: boolean }>> {
  const entries = await call<Array<{ filename: string; attrs: { size: number; mode: number } }>>((cb) => sftp.readdir(folder, cb)).catch((error) => {
    if ((error as { code?: number }).code === 2) return [];
    throw error;
  });
  return entries.map((e) => ({ name: e.filename, size: e.attrs.size, isDirectory: (e.attrs.mode & 0o170000) === 0o040000 }));
}

export async function sftpReadSmallFile(sftp: SFTPWrapper, file: string, maxBytes = 16 * 2 ** 20): Promise<Buffer> {
  const handle = await call<Buffer>((cb) => sftp.open(file, 'r', cb));
  try {
    const { size } = await call<{ size: number }>((cb) => sftp.fstat(handle, cb));
    if (size > maxBytes) throw new FleetError('VALIDATION', `${file} is larger than ${maxBytes} bytes.`);
    const buffer = Buffer.alloc(size);
    const got = await readFully(sftp, handle, buffer, 0, size, 0);
    return buffer.subarray(0, got);
  } finally {
    await call<void>((cb) => sftp.close(handle, (e) => cb(e, undefined))).catch(() => {});
  }
}

/** Removes a file; one that is not there, or that this user could never have written, is no error. */
export async function sftpRemove(sftp: SFTPWrapper, file: string): Promise<void> {
  await call<void>((cb) => sftp.unlink(file, (e) => cb(e, undefined))).catch((error) => {
    const code = (error as { code?: number }).code;
    if (code !== 2 && code !== 3) throw error;
  });
}
