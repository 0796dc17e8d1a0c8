import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { FleetError } from '../../shared/errors.js';

export interface OneOffStream {
  /** The container's stdout, as it is produced (backpressure reaches the container's pipe). */
  stdout: Readable;
  /**
   * Settles after the container exited and was removed: rejects with its stderr tail when the
   * exit code is not 0, so a truncated output is never taken for a complete one.
   */
  done: Promise<void>;
  /** Stops and removes the container (e.g. when the reader gave up). */
  abort(): Promise<void>;
}

/**
 * Runs a one-off container and streams its stdout over the Docker connection, attached before
 * it starts so not a byte is missed, and never through the log driver (which would keep a full
 * copy on the host's disk). `files` (a tar archive) is placed into it before it starts: how a
 * secret reaches it without a command line or an environment variable.
 */
export async function runOneOffStream(
  docker: Docker,
  options: Docker.ContainerCreateOptions,
  files?: { path: string; tar: Buffer },
  what = 'the helper container',
): Promise<OneOffStream> {
  const container = await docker.createContainer({
    ...options,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    HostConfig: { ...options.HostConfig, LogConfig: { Type: 'none', Config: {} } },
  });
  const remove = () => container.remove({ force: true, v: true }).catch(() => {});
  try {
    if (files) await container.putArchive(files.tar, { path: files.path });
    const attached = (await container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream & { destroy?: () => void };
    let stderrText = '';
    let finished!: () => void;
    const ended = new Promise<void>((resolve) => (finished = resolve));
    // Docker's multiplexed frames (8-byte header: stream, size), demultiplexed as the reader
    // pulls, so a slow reader slows the container instead of filling the console's memory.
    async function* demultiplexed() {
      let pending: Buffer = Buffer.alloc(0);
      try {
        for await (const chunk of attached as AsyncIterable<Buffer>) {
          pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
          while (pending.length >= 8) {
            const size = pending.readUInt32BE(4);
            if (pending.length < 8 + size) break;
            const payload = pending.subarray(8, 8 + size);
            if (pending[0] === 2) stderrText = (stderrText + payload.toString('utf8')).slice(-4000);
            else if (payload.length) yield payload;
            pending = pending.subarray(8 + size);
          }
        }
      } finally {
        finished();
      }
    }
    const stdout = Readable.from(demultiplexed(), { objectMode: false });
    await container.start();
    const done = (async () => {
      try {
        await ended;
        const { StatusCode } = (await container.wait()) as { StatusCode: number };
        if (StatusCode !== 0) {
          throw new FleetError('COMMAND_FAILED', `${what} exited with ${StatusCode}: ${stderrText.trim().split('\n').slice(-5).join(' | ') || 'no error output'}`);
        }
      } finally {
        await remove();
      }
    })();
    done.catch(() => {}); // observed by the caller; never an unhandled rejection meanwhile
    return {
      stdout,
      done,
      abort: async () => {
        attached.destroy?.();
        await remove();
      },
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

/**
 * Runs a one-off container fed `input` on its stdin (hijacked attach, so bytes flow as the
 * reader pulls them; the end of the input closes the container's stdin), and resolves when it
 * exited 0 — or rejects with its stderr tail. Its stdout is discarded.
 */
export async function runOneOffWithInput(
  docker: Docker,
  options: Docker.ContainerCreateOptions,
  input: AsyncIterable<Buffer>,
  what = 'the helper container',
  files?: { path: string; tar: Buffer },
): Promise<void> {
  const container = await docker.createContainer({
    ...options,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: true,
    StdinOnce: true,
    Tty: false,
    HostConfig: { ...options.HostConfig, LogConfig: { Type: 'none', Config: {} } },
  });
  try {
    if (files) await container.putArchive(files.tar, { path: files.path });
    const socket = (await container.attach({ stream: true, hijack: true, stdin: true, stdout: true, stderr: true })) as NodeJS.ReadWriteStream & { end(): void; destroy(): void };
    let stderrText = '';
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 8) {
        const size = pending.readUInt32BE(4);
        if (pending.length < 8 + size) break;
        if (pending[0] === 2) stderrText = (stderrText + pending.subarray(8, 8 + size).toString('utf8')).slice(-4000);
        pending = pending.subarray(8 + size);
      }
    });
    let gone = false;
    const closed = new Promise<void>((resolve) => {
      const done = () => {
        gone = true;
        resolve();
      };
      socket.once('end', done);
      socket.once('close', done);
      socket.once('error', done);
    });
    await container.start();
    try {
      for await (const chunk of input) {
        // A program that exits early (psql stopping at an error) closes the connection: stop
        // feeding it, and report its exit code and stderr below.
        if (gone) break;
        if (!socket.write(chunk)) await Promise.race([new Promise<void>((resolve) => socket.once('drain', resolve)), closed]);
      }
    } catch (error) {
      socket.destroy();
      throw error;
    }
    if (!gone) socket.end(); // closes the container's stdin (StdinOnce)
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
    if (StatusCode !== 0) throw new FleetError('COMMAND_FAILED', `${what} exited with ${StatusCode}: ${stderrText.trim().split('\n').slice(-5).join(' | ') || 'no error output'}`);
  } finally {
    await container.remove({ force: true, v: true }).catch(() => {});
  }
}
