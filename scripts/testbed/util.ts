// Small process, file and network helpers shared by the testbed modules. Node built-ins only.
import { spawn, type SpawnOptions } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

export type Log = (line: string) => void;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Last `lines` lines of a text file, or a note saying why there is none. */
export function tailFile(file: string, lines = 30): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const length = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(length);
      fs.readSync(fd, buf, 0, length, size - length);
      // dockerd's gRPC chatter buries the lines that explain a failure.
      const text = buf
        .toString('utf8')
        .trimEnd()
        .split('\n')
        .filter((line) => !line.includes('module=grpc'));
      return text.slice(-lines).join('\n') || '(log is empty)';
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    return `(no log at ${file}: ${(err as Error).message})`;
  }
}

/** An Error naming the step, with the tail of a log when one is given. */
export function stepError(step: string, message: string, logFile?: string, cause?: unknown): Error {
  let text = `testbed: ${step}: ${message}`;
  if (logFile) text += `\n--- last lines of ${logFile} ---\n${tailFile(logFile)}`;
  return new Error(text, cause === undefined ? undefined : { cause });
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  step: string;
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Resolve with the result instead of throwing on a non-zero exit. */
  allowFail?: boolean;
  /** Put the command in its own session, so that daemons it leaves behind do not share our terminal's signals. */
  detached?: boolean;
  logFile?: string;
  cwd?: string;
}

/** Runs a command to completion, capturing its output; throws a step error on failure or timeout. */
export function run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const spawnOpts: SpawnOptions = {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      detached: opts.detached ?? false,
      cwd: opts.cwd,
    };
    let child;
    try {
      child = spawn(cmd, args, spawnOpts);
    } catch (err) {
      reject(stepError(opts.step, `cannot run ${cmd}: ${(err as Error).message}`, opts.logFile, err));
      return;
    }
    const out: Buffer[] = [];
    const errOut: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => errOut.push(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(stepError(opts.step, `cannot run ${cmd}: ${err.message}`, opts.logFile, err));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result: RunResult = {
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(errOut).toString('utf8'),
      };
      if (timedOut) {
        reject(stepError(opts.step, `\`${cmd} ${args.join(' ')}\` timed out after ${timeoutMs} ms`, opts.logFile));
      } else if (code !== 0 && !opts.allowFail) {
        const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-15).join('\n');
        reject(
          stepError(
            opts.step,
            `\`${cmd} ${args.join(' ')}\` exited with ${code ?? signal}${detail ? `:\n${detail}` : ''}`,
            opts.logFile,
          ),
        );
      } else {
        resolve(result);
      }
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(opts.input ?? '');
  });
}

/**
 * Starts a long-running daemon in its own session, its output appended to `logFile`; returns its pid.
 * The daemon is not tied to this process: it survives us, and is stopped through its pid.
 */
export function spawnDaemon(cmd: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): number {
  const fd = fs.openSync(logFile, 'a');
  try {
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], detached: true, env: env ?? process.env });
    if (child.pid === undefined) throw new Error(`cannot start ${cmd}`);
    // A failed exec surfaces as an 'error' event; the caller sees the process missing.
    child.on('error', () => undefined);
    child.unref();
    return child.pid;
  } finally {
    fs.closeSync(fd);
  }
}

/** Polls `check` until it returns a truthy value or the deadline passes; `onTimeout` builds the error. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  opts: { timeoutMs: number; intervalMs?: number; onTimeout: () => Error },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let interval = opts.intervalMs ?? 50;
  for (;;) {
    const value = await check();
    if (value) return value as T;
    if (Date.now() > deadline) throw opts.onTimeout();
    await sleep(interval);
    interval = Math.min(interval * 1.5, 250);
  }
}

// ---------------------------------------------------------------- network

/** Distinct free TCP ports on 127.0.0.1 (bound together, then released). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      ports.push((server.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** True when something accepts TCP connections on host:port. */
export function canConnect(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when an SSH server greets on host:port (its banner starts with "SSH-"). */
export function sshBanner(port: number, host = '127.0.0.1', timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    let data = '';
    const done = (ok: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (data.length >= 4) done(data.startsWith('SSH-'));
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

// ---------------------------------------------------------------- Docker Engine API over a unix socket

export interface DockerResponse {
  status: number;
  body: string;
}

/** One Docker Engine API request over a unix socket (unversioned paths: the daemon's own API version). */
export function dockerRequest(
  socketPath: string,
  method: string,
  urlPath: string,
  body?: unknown,
  opts: { timeoutMs?: number; contentType?: string } = {},
): Promise<DockerResponse> {
  return new Promise((resolve, reject) => {
    let payload: Buffer | undefined;
    let contentType = opts.contentType;
    if (Buffer.isBuffer(body)) payload = body;
    else if (body !== undefined) {
      payload = Buffer.from(JSON.stringify(body));
      contentType ??= 'application/json';
    }
    const headers: Record<string, string | number> = {};
    if (payload) {
      headers['content-type'] = contentType ?? 'application/octet-stream';
      headers['content-length'] = payload.length;
    }
    const req = http.request({ socketPath, method, path: urlPath, headers, timeout: opts.timeoutMs ?? 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Like dockerRequest but throws (naming the step) unless the status is one of `ok`; returns the parsed JSON body. */
export async function dockerJson<T = unknown>(
  step: string,
  socketPath: string,
  method: string,
  urlPath: string,
  body?: unknown,
  ok: number[] = [200, 201, 204],
): Promise<T> {
  let res: DockerResponse;
  try {
    res = await dockerRequest(socketPath, method, urlPath, body);
  } catch (err) {
    throw stepError(step, `docker ${method} ${urlPath} on ${socketPath}: ${(err as Error).message}`, undefined, err);
  }
  if (!ok.includes(res.status)) {
    let message = res.body.trim();
    try {
      message = (JSON.parse(res.body) as { message?: string }).message ?? message;
    } catch {
      /* not JSON */
    }
    throw stepError(step, `docker ${method} ${urlPath} on ${socketPath} answered ${res.status}: ${message}`);
  }
  if (!res.body.trim()) return undefined as T;
  try {
    return JSON.parse(res.body) as T;
  } catch {
    return res.body as T;
  }
}

/** True when the Docker daemon behind the socket answers GET /_ping. */
export async function dockerPing(socketPath: string, timeoutMs = 1500): Promise<boolean> {
  if (!fs.existsSync(socketPath)) return false;
  try {
    const res = await dockerRequest(socketPath, 'GET', '/_ping', undefined, { timeoutMs });
    return res.status === 200 && res.body.trim() === 'OK';
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- processes

export interface ProcInfo {
  pid: number;
  ppid: number;
  state: string;
  startTime: string;
  argv: string[];
}

export function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    // fields[0] is field 3 (state); field 4 is ppid, field 22 is starttime.
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((s, i, a) => s !== '' || i < a.length - 1);
    return { pid, ppid: Number(fields[1]), state: fields[0] ?? '?', startTime: fields[19] ?? '', argv };
  } catch {
    return undefined;
  }
}

export function listProcs(): ProcInfo[] {
  const result: ProcInfo[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProc(Number(entry));
    if (info) result.push(info);
  }
  return result;
}

/** Alive and not a zombie. */
export function isAlive(pid: number): boolean {
  const info = readProc(pid);
  return info !== undefined && info.state !== 'Z' && info.state !== 'X';
}

export function procStartTime(pid: number): string | undefined {
  return readProc(pid)?.startTime;
}

/** All descendants of pid (children first seen, breadth first). */
export function descendants(pid: number, procs = listProcs()): number[] {
  const byParent = new Map<number, number[]>();
  for (const p of procs) {
    const list = byParent.get(p.ppid) ?? [];
    list.push(p.pid);
    byParent.set(p.ppid, list);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const next = queue.shift()!;
    for (const child of byParent.get(next) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/** Sends `sig` to the pids, waits up to `graceMs` for them to exit, then SIGKILLs what is left and waits again. */
export async function killAndWait(pids: number[], sig: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
  const live = pids.filter((p) => p > 1 && p !== process.pid && isAlive(p));
  if (!live.length) return;
  for (const p of live) signal(p, sig);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && live.some(isAlive)) await sleep(50);
  const stubborn = live.filter(isAlive);
  if (!stubborn.length) return;
  for (const p of stubborn) signal(p, 'SIGKILL');
  const killDeadline = Date.now() + 5000;
  while (Date.now() < killDeadline && stubborn.some(isAlive)) await sleep(50);
}

/** The pid in a pidfile, when the file exists and the process is alive and (optionally) its command line matches. */
export function pidFromFile(pidFile: string, cmdlineIncludes?: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').trim().split('\n')[0] ?? '', 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  const info = readProc(pid);
  if (!info || info.state === 'Z') return undefined;
  if (cmdlineIncludes && !info.argv.join(' ').includes(cmdlineIncludes)) return undefined;
  return pid;
}

// ---------------------------------------------------------------- files and mounts

/** Mount points at or below `dir`, deepest first (from /proc/self/mountinfo). */
export function mountsUnder(dir: string): string[] {
  let text = '';
  try {
    text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const points = new Set<string>();
  for (const line of text.split('\n')) {
    const mountPoint = line.split(' ')[4];
    if (!mountPoint) continue;
    const decoded = mountPoint.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
    if (decoded === dir || decoded.startsWith(prefix)) points.add(decoded);
  }
  return [...points].sort((a, b) => b.length - a.length);
}

/** Lazily unmounts everything mounted below `dir` (leftovers of a killed dockerd), then deletes it. */
export async function removeTree(dir: string): Promise<void> {
  for (const mountPoint of mountsUnder(dir)) {
    await run('umount', ['-l', mountPoint], { step: 'unmount', allowFail: true, timeoutMs: 10_000 });
  }
  await fsp.rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
}

export function randomSecret(length = 24): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = crypto.randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** OpenSSH's SHA256 fingerprint of a public key line ("type base64 [comment]"), as `ssh-keygen -lf` prints it. */
export function fingerprintOfPublicLine(line: string): { type: string; fingerprint: string } {
  const [type, blob] = line.trim().split(/\s+/);
  if (!type || !blob) throw new Error(`not an OpenSSH public key line: ${line}`);
  const digest = crypto.createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64');
  return { type, fingerprint: `SHA256:${digest.replace(/=+$/, '')}` };
}

export function writeJson(file: string, value: unknown, mode = 0o600): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode });
  fs.renameSync(tmp, file);
}

export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export function which(name: string, extra: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin', ...extra];
  for (const d of dirs) {
    if (!d) continue;
    const candidate = path.join(d, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** The filesystem type of the mount holding `p` (the nearest existing ancestor when p does not exist yet). */
export function fsTypeOf(p: string): string | undefined {
  let target = path.resolve(p);
  while (!fs.existsSync(target) && target !== '/') target = path.dirname(target);
  try {
    target = fs.realpathSync(target);
  } catch {
    /* keep it */
  }
  let best: { point: string; type: string } | undefined;
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    const point = left?.split(' ')[4];
    const type = right?.split(' ')[0];
    if (!point || !type) continue;
    const within = point === '/' || target === point || target.startsWith(`${point}/`);
    if (within && (!best || point.length >= best.point.length)) best = { point, type };
  }
  return best?.type;
}
