import type { Duplex } from 'node:stream';
import { FleetError } from '../../shared/errors.js';

export interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
  timeoutMs?: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/**
 * A minimal HTTP/1.1 client over SSH channels, for the Docker API's plain JSON requests. Node's
 * http client on a non-TCP socket costs about 2 ms a request; writing the request in one SSH
 * packet and parsing the reply here costs a fraction of that. Channels are kept alive and reused,
 * one request at a time each; a kept channel that turns out dead before answering is replaced
 * once, for idempotent requests only.
 */
export class ChannelHttpClient {
  private readonly idle: Duplex[] = [];
  /** The listener that removes an idle channel from the list if it closes while kept. */
  private readonly dropWhenClosed = new Map<Duplex, () => void>();

  constructor(
    private readonly openChannel: () => Promise<Duplex>,
    private readonly options: { maxIdle?: number } = {},
  ) {}

  async request(request: RawRequest): Promise<RawResponse> {
    refuseUnsafeHead(request);
    const reused = this.takeIdle();
    const channel = reused ?? (await this.openChannel());
    try {
      return await this.exchange(channel, request);
    } catch (error) {
      const idempotent = request.method === 'GET' || request.method === 'HEAD';
      if (reused && idempotent && error instanceof StaleChannel) return this.exchange(await this.openChannel(), request);
      throw error instanceof StaleChannel ? new FleetError('DOCKER_ERROR', 'The Docker API connection closed before answering.') : error;
    }
  }

  /** Drops every kept channel (settings changed, connection replaced). */
  close(): void {
    for (const channel of this.idle.splice(0)) {
      this.forgetIdle(channel);
      channel.destroy();
    }
  }

  private takeIdle(): Duplex | undefined {
    while (this.idle.length > 0) {
      const channel = this.idle.pop()!;
      this.forgetIdle(channel);
      if (!channel.destroyed && channel.writable && channel.readable) return channel;
    }
    return undefined;
  }

  private forgetIdle(channel: Duplex) {
    const drop = this.dropWhenClosed.get(channel);
    if (!drop) return;
    channel.off('close', drop);
    channel.off('end', drop);
    this.dropWhenClosed.delete(channel);
  }

  private release(channel: Duplex) {
    channel.pause();
    if (this.idle.length >= (this.options.maxIdle ?? 4)) {
      channel.destroy();
      return;
    }
    const drop = () => {
      const index = this.idle.indexOf(channel);
      if (index >= 0) this.idle.splice(index, 1);
      this.forgetIdle(channel);
    };
    channel.once('close', drop);
    channel.once('end', drop);
    this.dropWhenClosed.set(channel, drop);
    this.idle.push(channel);
  }

  private exchange(channel: Duplex, request: RawRequest): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body);
      const headers: Record<string, string | number> = { Host: 'docker', ...request.headers };
      if (body) headers['Content-Length'] = body.length;
      let head = `${request.method} ${request.path} HTTP/1.1\r\n`;
      for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
      head += '\r\n';

      const parser = new ResponseParser(request.method === 'HEAD');
      let receivedAny = false;
      const cleanup = () => {
        clearTimeout(timer);
        channel.off('data', onData);
        channel.off('end', onEnd);
        channel.off('close', onEnd);
        channel.off('error', onError);
      };
      const fail = (error: Error) => {
        cleanup();
        channel.destroy();
        reject(error);
      };
      const onData = (chunk: Buffer) => {
        receivedAny = true;
        let response: RawResponse | null;
        try {
          response = parser.push(chunk);
        } catch (error) {
          fail(new FleetError('DOCKER_ERROR', `Malformed reply from the Docker API: ${(error as Error).message}`));
          return;
        }
        if (!response) return;
        cleanup();
        if (parser.keepAlive && !parser.hasExtraBytes) this.release(channel);
        else channel.destroy();
        resolve(response);
      };
      const onEnd = () => {
        const response = parser.finishOnClose();
        if (response) {
          cleanup();
          channel.destroy();
          resolve(response);
        } else {
          fail(receivedAny ? new FleetError('DOCKER_ERROR', 'The Docker API connection closed in the middle of a reply.') : new StaleChannel());
        }
      };
      const onError = (error: Error) => fail(receivedAny ? error : new StaleChannel());
      channel.on('data', onData);
      channel.once('end', onEnd);
      channel.once('close', onEnd);
      channel.once('error', onError);
      // Declared last: the handlers above only run after this line, so they always see it.
      const timer = setTimeout(() => fail(new FleetError('TIMEOUT', `Docker did not answer ${request.method} ${request.path.split('?')[0]} within ${Math.round((request.timeoutMs ?? 30_000) / 1000)} s.`)), request.timeoutMs ?? 30_000);
      channel.resume();
      channel.write(body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1'));
    });
  }
}

class StaleChannel extends Error {
  constructor() {
    super('stale channel');
  }
}

/**
 * The request line and headers are written as given, so nothing that could end them early (CR,
 * LF, other control characters, a space in the path) may reach the wire: a name from the page
 * would otherwise become a header or a second request on the Docker API's socket.
 */
function refuseUnsafeHead(request: RawRequest): void {
  const unsafe = (text: string) => [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (!/^[A-Z]+$/.test(request.method) || !/^\/[!-~]*$/.test(request.path) || Object.entries(request.headers ?? {}).some(([name, value]) => unsafe(name) || unsafe(String(value)) || name.includes(':'))) {
    throw new FleetError('VALIDATION', `Refused to send a Docker API request whose method, path or headers hold characters HTTP does not allow (${request.method} ${JSON.stringify(request.path.split('?')[0])}).`);
  }
}

/** Incremental HTTP/1.1 response parser: Content-Length, chunked, or read-until-close bodies. */
class ResponseParser {
  private buffer: Buffer = Buffer.alloc(0);
  private statusCode = 0;
  private headers: Record<string, string> = {};
  private headerDone = false;
  private contentLength: number | null = null;
  private chunked = false;
  private bodyParts: Buffer[] = [];
  keepAlive = true;
  hasExtraBytes = false;

  constructor(private readonly headOnly: boolean) {}

  push(chunk: Buffer): RawResponse | null {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (!this.headerDone) {
      const end = this.buffer.indexOf(HEADER_END);
      if (end < 0) {
        if (this.buffer.length > 64 * 1024) throw new Error('response head too large');
        return null;
      }
      this.parseHead(this.buffer.subarray(0, end).toString('latin1'));
      this.buffer = this.buffer.subarray(end + 4);
      if (this.headOnly || this.statusCode === 204 || this.statusCode === 304 || (this.statusCode >= 100 && this.statusCode < 200)) return this.done(Buffer.alloc(0));
    }
    if (this.chunked) return this.parseChunks();
    if (this.contentLength !== null) {
      if (this.buffer.length < this.contentLength) return null;
      this.hasExtraBytes = this.buffer.length > this.contentLength;
      return this.done(this.buffer.subarray(0, this.contentLength));
    }
    return null; // body runs until the connection closes
  }

  finishOnClose(): RawResponse | null {
    if (this.headerDone && !this.chunked && this.contentLength === null) {
      this.keepAlive = false;
      return this.done(this.buffer);
    }
    return null;
  }

  private parseHead(text: string) {
    const [statusLine = '', ...lines] = text.split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!match) throw new Error(`bad status line "${statusLine.slice(0, 40)}"`);
    this.statusCode = Number(match[1]);
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) this.headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    this.headerDone = true;
    this.chunked = /\bchunked\b/i.test(this.headers['transfer-encoding'] ?? '');
    const length = this.headers['content-length'];
    this.contentLength = !this.chunked && length !== undefined ? Number.parseInt(length, 10) : null;
    if (/close/i.test(this.headers.connection ?? '') || statusLine.startsWith('HTTP/1.0')) this.keepAlive = false;
  }

  private parseChunks(): RawResponse | null {
    for (;;) {
      const lineEnd = this.buffer.indexOf(CRLF);
      if (lineEnd < 0) return null;
      const size = Number.parseInt(this.buffer.subarray(0, lineEnd).toString('latin1').split(';')[0]!, 16);
      if (!Number.isFinite(size)) throw new Error('bad chunk size');
      if (size === 0) {
        // Last chunk; no trailers from Docker, so the body ends with an empty line.
        const trailerEnd = this.buffer.indexOf(HEADER_END, lineEnd - 2 >= 0 ? lineEnd - 2 : 0);
        if (trailerEnd < 0) return null;
        this.hasExtraBytes = this.buffer.length > trailerEnd + 4;
        return this.done(Buffer.concat(this.bodyParts));
      }
      if (this.buffer.length < lineEnd + 2 + size + 2) return null;
      this.bodyParts.push(this.buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
      this.buffer = this.buffer.subarray(lineEnd + 2 + size + 2);
    }
  }

  private done(body: Buffer): RawResponse {
    return { statusCode: this.statusCode, headers: this.headers, body };
  }
}
