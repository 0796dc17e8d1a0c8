import type { Duplex } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import { FleetError } from '../../shared/errors.js';
import type { ConnectionState } from '../../shared/hosts.js';
import type { Logger } from '../common/log.js';
import { shellCommand } from '../common/shell-quote.js';
import { openSshClient, type SshTarget } from './connect.js';

export interface PoolTarget extends Omit<SshTarget, 'sock'> {
  hostId: string;
  jumpHostId: string | null;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  stdin?: string | Buffer;
  timeoutMs?: number;
  /** Output beyond this many bytes per stream is dropped (the command keeps running). */
  maxOutputBytes?: number;
}

/** One live, authenticated connection to a host; every channel to that host goes through it. */
export class SshSession {
  constructor(
    readonly hostId: string,
    readonly client: Client,
  ) {}

  /** Runs argv on the host; every argument is shell-quoted, so none can inject a command. */
  exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.execCommand(shellCommand(argv), options);
  }

  /** For fixed command lines written in this code base (pipes, redirections); never user input. */
  execScript(script: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.execCommand(script, options);
  }

  private execCommand(command: string, options: ExecOptions): Promise<ExecResult> {
    const limit = options.maxOutputBytes ?? 4 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      this.client.exec(command, (error, channel) => {
        if (error) return reject(channelError(error, 'run a command'));
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let outBytes = 0;
        let errBytes = 0;
        let timer: NodeJS.Timeout | undefined;
        if (options.timeoutMs) {
          timer = setTimeout(() => {
            channel.close();
            reject(new FleetError('TIMEOUT', `A command on the host did not finish within ${options.timeoutMs} ms.`));
          }, options.timeoutMs);
        }
        channel.on('data', (chunk: Buffer) => {
          if (outBytes < limit) out.push(chunk);
          outBytes += chunk.length;
        });
        channel.stderr.on('data', (chunk: Buffer) => {
          if (errBytes < limit) err.push(chunk);
          errBytes += chunk.length;
        });
        let code: number | null = null;
        let signal: string | null = null;
        channel.on('exit', (exitCode: number | null, exitSignal?: string) => {
          code = exitCode;
          signal = exitSignal ?? null;
        });
        channel.on('close', () => {
          clearTimeout(timer);
          resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
        });
        if (options.stdin !== undefined) channel.end(options.stdin);
        else channel.end();
      });
    });
  }

  /** A channel to a Unix socket on the host (the Docker API). */
  openUnixSocket(socketPath: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.client.openssh_forwardOutStreamLocal(socketPath, (error, channel) => {
        if (error) reject(error);
        else resolve(channel);
      });
    });
  }

  /** A channel to host:port as seen from the host (PostgreSQL, the next hop of a jump). */
  forwardTcp(host: string, port: number): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.client.forwardOut('127.0.0.1', 0, host, port, (error, channel) => {
        if (error) reject(error);
        else resolve(channel);
      });
    });
  }
}

function channelError(error: Error, what: string): FleetError {
  return new FleetError('HOST_UNREACHABLE', `The SSH connection could not ${what}: ${error.message}`);
}

interface Entry {
  state: ConnectionState;
  session: SshSession | null;
  connecting: Promise<SshSession> | null;
  lastError: FleetError | null;
  since: string | null;
  backoffMs: number;
  retryTimer: NodeJS.Timeout | null;
  /** Bumped when the host's settings change, so a stale connect attempt is discarded. */
  generation: number;
}

export interface PoolOptions {
  resolveTarget: (hostId: string) => Promise<PoolTarget>;
  onState?: (hostId: string, state: ConnectionState, lastError: FleetError | null) => void;
  log: Logger;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

// Errors a retry cannot fix: they need the user, so background reconnects stop.
const PERMANENT = new Set(['AUTH_FAILED', 'HOST_KEY_CHANGED', 'KEY_FILE', 'VAULT_LOCKED', 'NOT_FOUND']);

/**
 * One SSH connection per host, shared by Docker, PostgreSQL and commands. Keepalives detect a
 * dead peer; a dropped connection is re-established in the background with exponential backoff
 * (and at once when someone needs it), so the UI's status stays live.
 */
export class SshPool {
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  constructor(private readonly options: PoolOptions) {}

  /** The console's log, for work that rides the pool and must not fail its caller. */
  get log(): Logger {
    return this.options.log;
  }

  state(hostId: string): { state: ConnectionState; lastError: FleetError | null; since: string | null } {
    const entry = this.entries.get(hostId);
    return entry ? { state: entry.state, lastError: entry.lastError, since: entry.since } : { state: 'idle', lastError: null, since: null };
  }

  /** The host's live session, connecting (or reconnecting at once) if needed. */
  session(hostId: string): Promise<SshSession> {
    if (this.closed) return Promise.reject(new FleetError('INTERNAL', 'The connection pool is shut down.'));
    const entry = this.entry(hostId);
    if (entry.session) return Promise.resolve(entry.session);
    if (entry.connecting) return entry.connecting;
    if (entry.retryTimer) {
      clearTimeout(entry.retryTimer);
      entry.retryTimer = null;
    }
    return this.connect(hostId, entry);
  }

  /** Runs fn on the host's session; retries once on a fresh connection if the old one died under it. */
  async withSession<T>(hostId: string, fn: (session: SshSession) => Promise<T>): Promise<T> {
    const session = await this.session(hostId);
    try {
      return await fn(session);
    } catch (error) {
      if (!isConnectionLost(error, session)) throw error;
      this.dropSession(hostId, session);
      return fn(await this.session(hostId));
    }
  }

  /** Settings changed or host removed: close the connection and forget its state. */
  invalidate(hostId: string): void {
    const entry = this.entries.get(hostId);
    if (!entry) return;
    entry.generation++;
    if (entry.retryTimer) clearTimeout(entry.retryTimer);
    entry.session?.client.end();
    this.entries.delete(hostId);
    // Hosts that jump through this one lose their path too.
    this.options.onState?.(hostId, 'idle', null);
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    for (const [hostId, entry] of this.entries) {
      entry.generation++;
      if (entry.retryTimer) clearTimeout(entry.retryTimer);
      entry.session?.client.end();
      this.entries.delete(hostId);
    }
  }

  private entry(hostId: string): Entry {
    let entry = this.entries.get(hostId);
    if (!entry) {
      entry = { state: 'idle', session: null, connecting: null, lastError: null, since: null, backoffMs: 0, retryTimer: null, generation: 0 };
      this.entries.set(hostId, entry);
    }
    return entry;
  }

  private setState(hostId: string, entry: Entry, state: ConnectionState, lastError: FleetError | null) {
    entry.state = state;
    entry.lastError = lastError;
    entry.since = new Date().toISOString();
    this.options.onState?.(hostId, state, lastError);
  }

  private connect(hostId: string, entry: Entry): Promise<SshSession> {
    const generation = entry.generation;
    this.setState(hostId, entry, 'connecting', entry.lastError);
    const attempt = (async () => {
      const target = await this.options.resolveTarget(hostId);
      let sock: Duplex | undefined;
      if (target.jumpHostId) {
        if (target.jumpHostId === hostId) throw new FleetError('VALIDATION', 'A host cannot jump through itself.');
        const jump = await this.session(target.jumpHostId);
        try {
          sock = await jump.forwardTcp(target.address, target.port);
        } catch (error) {
          throw new FleetError('HOST_UNREACHABLE', `The jump host could not reach ${target.address}:${target.port}: ${(error as Error).message}`);
        }
      }
      const { client } = await openSshClient({ ...target, ...(sock ? { sock } : {}) });
      return new SshSession(hostId, client);
    })();
    entry.connecting = attempt.then(
      (session) => {
        if (entry.generation !== generation || this.closed) {
          session.client.end();
          throw new FleetError('INTERNAL', 'The host settings changed while connecting; try again.');
        }
        entry.connecting = null;
        entry.session = session;
        entry.backoffMs = 0;
        this.setState(hostId, entry, 'connected', null);
        this.options.log.info('ssh connected', { hostId });
        const onGone = () => this.dropSession(hostId, session);
        session.client.on('close', onGone);
        session.client.on('error', (error) => this.options.log.warn('ssh connection error', { hostId, error: error.message }));
        return session;
      },
      (error: unknown) => {
        const failure = error instanceof FleetError ? error : new FleetError('HOST_UNREACHABLE', String((error as Error)?.message ?? error));
        if (entry.generation === generation) {
          entry.connecting = null;
          if (PERMANENT.has(failure.code)) this.setState(hostId, entry, 'failed', failure);
          else this.scheduleRetry(hostId, entry, failure);
        }
        throw failure;
      },
    );
    return entry.connecting;
  }

  private dropSession(hostId: string, session: SshSession) {
    const entry = this.entries.get(hostId);
    if (!entry || entry.session !== session) return;
    entry.session = null;
    session.client.end();
    this.options.log.warn('ssh connection lost', { hostId });
    this.scheduleRetry(hostId, entry, new FleetError('HOST_UNREACHABLE', 'The SSH connection was lost; reconnecting.'));
  }

  private scheduleRetry(hostId: string, entry: Entry, error: FleetError) {
    if (this.closed) return;
    const initial = this.options.initialBackoffMs ?? 1000;
    entry.backoffMs = entry.backoffMs === 0 ? initial : Math.min(entry.backoffMs * 2, this.options.maxBackoffMs ?? 30_000);
    this.setState(hostId, entry, 'backoff', error);
    if (entry.retryTimer) clearTimeout(entry.retryTimer);
    const jitter = Math.random() * 0.2 * entry.backoffMs;
    entry.retryTimer = setTimeout(() => {
      entry.retryTimer = null;
      if (!entry.session && !entry.connecting && this.entries.get(hostId) === entry) {
        this.connect(hostId, entry).catch(() => {});
      }
    }, entry.backoffMs + jitter);
    entry.retryTimer.unref();
  }
}

function isConnectionLost(error: unknown, session: SshSession): boolean {
  const client = session.client as Client & { _sock?: { destroyed?: boolean; writable?: boolean } };
  if (client._sock && (client._sock.destroyed || !client._sock.writable)) return true;
  const message = error instanceof Error ? error.message : '';
  return /not connected|no response|ECONNRESET|socket (hang up|closed)|channel open failure.*(closed|reset)/i.test(message);
}
