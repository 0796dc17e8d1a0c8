import { Writable } from 'node:stream';

/**
 * Splits Docker's multiplexed log stream (8-byte frame headers: stream type, size) into lines,
 * frame boundaries falling anywhere in the chunks. A container with a TTY sends raw text; pass
 * `raw: true` for those.
 */
export class DockerLogLines extends Writable {
  private pending: Buffer = Buffer.alloc(0);
  private readonly partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };

  constructor(
    private readonly onLine: (line: string, stream: 'stdout' | 'stderr') => void,
    private readonly options: { raw?: boolean } = {},
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.options.raw) {
      this.text('stdout', chunk.toString('utf8'));
      callback();
      return;
    }
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      this.text(this.pending[0] === 2 ? 'stderr' : 'stdout', this.pending.subarray(8, 8 + size).toString('utf8'));
      this.pending = this.pending.subarray(8 + size);
    }
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    for (const stream of ['stdout', 'stderr'] as const) if (this.partial[stream]) this.onLine(this.partial[stream], stream);
    callback();
  }

  private text(stream: 'stdout' | 'stderr', text: string) {
    const lines = (this.partial[stream] + text).split('\n');
    this.partial[stream] = lines.pop() ?? '';
    for (const line of lines) this.onLine(line.replace(/\r$/, ''), stream);
  }
}

/** All lines of a finished (non-follow) multiplexed log buffer. */
export function logLines(buffer: Buffer): string[] {
  const lines: string[] = [];
  const splitter = new DockerLogLines((line) => lines.push(line));
  splitter.write(buffer);
  splitter.end();
  return lines;
}

/** A log line longer than this is cut (Odoo's tracebacks fit; a dumped blob does not). */
export const MAX_LOG_LINE_CHARS = 8 * 1024;
/** What one answer of tenants.logs carries at most: the newest lines that fit. */
export const MAX_LOG_ANSWER_CHARS = 2 * 2 ** 20;

/** Lines cut to MAX_LOG_LINE_CHARS each, and the newest of them within MAX_LOG_ANSWER_CHARS. */
export function boundedLogLines(lines: readonly string[]): string[] {
  const kept: string[] = [];
  let total = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    const cut = line.length > MAX_LOG_LINE_CHARS ? `${line.slice(0, MAX_LOG_LINE_CHARS)} … (${line.length - MAX_LOG_LINE_CHARS} characters cut)` : line;
    total += cut.length + 1;
    if (total > MAX_LOG_ANSWER_CHARS) break;
    kept.push(cut);
  }
  return kept.reverse();
}
