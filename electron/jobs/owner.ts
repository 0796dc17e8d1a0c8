import { randomUUID } from 'node:crypto';
import fs from 'node:fs';

// A job records which process owns it. A pid alone is not enough: after a reboot or a long
// uptime the pid may belong to an unrelated process. On Linux the token pins the boot id and
// the process start time (field 22 of /proc/<pid>/stat); elsewhere a random per-process nonce
// plus a signal-0 probe is the best available.

function readBootId(): string | null {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

interface ProcStat {
  state: string;
  startTime: string;
}

function readProcStat(pid: number): ProcStat | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is parenthesised and may contain spaces or parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const startTime = fields[19];
    return state === undefined || startTime === undefined ? null : { state, startTime };
  } catch {
    return null;
  }
}

function computeOwnToken(): string {
  const boot = readBootId();
  const stat = boot === null ? null : readProcStat(process.pid);
  if (boot !== null && stat !== null) return `linux:${boot}:${process.pid}:${stat.startTime}`;
  return `pid:${process.pid}:${randomUUID()}`;
}

let ownToken: string | undefined;

/** This process's owner token, stable for its lifetime. */
export function processToken(): string {
  ownToken ??= computeOwnToken();
  return ownToken;
}

function signalProbe(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process that wrote `token` may still be running (and so still owns its jobs). */
export function isOwnerAlive(token: string): boolean {
  if (token === processToken()) return true;
  const parts = token.split(':');
  if (parts[0] === 'linux' && parts.length === 4) {
    const [, boot, pidText, startTime] = parts;
    if (boot !== readBootId()) return false; // rebooted since
    const stat = readProcStat(Number(pidText));
    // A killed child stays a zombie until reaped: it will never run another step.
    if (stat === null || stat.state === 'Z' || stat.state === 'X') return false;
    return stat.startTime === startTime;
  }
  if (parts[0] === 'pid' && parts.length === 3) {
    const pid = Number(parts[1]);
    return Number.isInteger(pid) && pid > 0 && signalProbe(pid);
  }
  return false; // unknown format: no process can be holding it
}
