import { Duplex } from 'node:stream';

/**
 * A net.Socket stand-in over an SSH channel that opens on connect(), as `pg` expects of a
 * custom stream: it calls connect(port, host) and waits for 'connect'.
 */
export class ChannelSocket extends Duplex {
  private channel: Duplex | null = null;
  private readonly queued: Array<{ chunk: Buffer; callback: (error?: Error | null) => void }> = [];
  private connectingStarted = false;

  constructor(private readonly openChannel: () => Promise<Duplex>) {
    super({ allowHalfOpen: false });
  }

  connect(): this {
    if (this.connectingStarted) return this;
    this.connectingStarted = true;
    this.openChannel().then(
      (channel) => {
        if (this.destroyed) {
          channel.destroy();
          return;
        }
        this.channel = channel;
        channel.on('data', (chunk: Buffer) => {
          if (!this.push(chunk)) channel.pause();
        });
        channel.on('end', () => this.push(null));
        channel.on('close', () => this.destroy());
        channel.on('error', (error: Error) => this.destroy(error));
        for (const { chunk, callback } of this.queued.splice(0)) channel.write(chunk, callback);
        this.emit('connect');
      },
      (error: Error) => this.destroy(error),
    );
    return this;
  }

  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }

  override _read(): void {
    this.channel?.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.channel) this.channel.write(chunk, callback);
    else this.queued.push({ chunk, callback });
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.channel?.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.channel?.destroy();
    for (const { callback: cb } of this.queued.splice(0)) cb(error ?? new Error('socket closed'));
    callback(error);
  }
}

/** Gives an SSH channel the few net.Socket methods Node's HTTP client calls on its sockets. */
export function asHttpSocket<T extends Duplex>(channel: T): T {
  const socketLike = channel as unknown as Record<string, unknown>;
  const self = () => channel;
  socketLike.setNoDelay = self;
  socketLike.setKeepAlive = self;
  socketLike.ref = self;
  socketLike.unref = self;
  socketLike.setTimeout = (_ms: number, callback?: () => void) => {
    // Request timeouts are enforced by the callers; an idle keep-alive channel costs nothing.
    void callback;
    return channel;
  };
  return channel;
}
