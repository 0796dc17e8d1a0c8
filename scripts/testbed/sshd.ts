// The two OpenSSH servers: root daemons on 127.0.0.1, each with its own config, host key, pidfile and log.
// They are daemonised (sshd forks into the background and writes its PidFile), so any process holding a
// descriptor can stop or restart them.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { layout, type HostName } from './layout.js';
import {
  descendants,
  fingerprintOfPublicLine,
  isAlive,
  killAndWait,
  pidFromFile,
  run,
  sshBanner,
  stepError,
  waitFor,
  which,
} from './util.js';

export type HostKeyType = 'ed25519' | 'ecdsa' | 'rsa';

function sshdBinary(): string {
  // sshd re-executes itself for every connection and insists on an absolute path.
  const bin = which('sshd');
  if (!bin) throw stepError('sshd', 'sshd not found (Debian package openssh-server)');
  return bin;
}

export function writeSshdConfig(dir: string, name: HostName, port: number): void {
  const l = layout(dir)[name];
  const config = `# Fleet testbed sshd "${name}" (generated)
Port ${port}
ListenAddress 127.0.0.1
AddressFamily inet
HostKey ${l.hostKey}
PidFile ${l.sshdPid}
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
PermitEmptyPasswords no
StrictModes no
AuthorizedKeysFile ${dir}/authorized_keys/%u
AllowTcpForwarding yes
AllowStreamLocalForwarding yes
AllowAgentForwarding yes
StreamLocalBindUnlink yes
X11Forwarding no
PrintMotd no
PrintLastLog no
UseDNS no
LogLevel VERBOSE
MaxStartups 200:30:400
MaxSessions 100
MaxAuthTries 10
LoginGraceTime 30
ClientAliveInterval 0
AcceptEnv LANG LC_*
Subsystem sftp internal-sftp
`;
  fs.writeFileSync(l.sshdConfig, config, { mode: 0o644 });
}

/** Generates (or replaces) the host key; returns the public line, its type and fingerprint. */
export async function generateHostKey(dir: string, name: HostName, type: HostKeyType = 'ed25519') {
  const l = layout(dir)[name];
  const tmp = `${l.hostKey}.new`;
  await fsp.rm(tmp, { force: true });
  await fsp.rm(`${tmp}.pub`, { force: true });
  const args = ['-q', '-t', type, '-N', '', '-C', `fleet-testbed-${name}`, '-f', tmp];
  if (type === 'rsa') args.splice(3, 0, '-b', '3072');
  await run('ssh-keygen', args, { step: `host key for ${name}` });
  await fsp.rename(tmp, l.hostKey);
  await fsp.rename(`${tmp}.pub`, `${l.hostKey}.pub`);
  return readHostKey(dir, name);
}

/** Keeps a copy of the host key the testbed started with (for restoreHostKey). */
export async function saveOriginalHostKey(dir: string, name: HostName): Promise<void> {
  const l = layout(dir)[name];
  await fsp.copyFile(l.hostKey, `${l.hostKey}.original`);
  await fsp.copyFile(`${l.hostKey}.pub`, `${l.hostKey}.original.pub`);
}

/** Puts the original host key back (the caller restarts sshd). */
export async function restoreOriginalHostKey(dir: string, name: HostName) {
  const l = layout(dir)[name];
  await fsp.copyFile(`${l.hostKey}.original`, `${l.hostKey}.tmp`);
  await fsp.chmod(`${l.hostKey}.tmp`, 0o600);
  await fsp.rename(`${l.hostKey}.tmp`, l.hostKey);
  await fsp.copyFile(`${l.hostKey}.original.pub`, `${l.hostKey}.pub`);
  return readHostKey(dir, name);
}

export function readHostKey(dir: string, name: HostName) {
  const line = fs.readFileSync(`${layout(dir)[name].hostKey}.pub`, 'utf8').trim();
  const [type, blob] = line.split(/\s+/);
  const { fingerprint } = fingerprintOfPublicLine(line);
  return { publicLine: `${type} ${blob}`, type: type!, fingerprint };
}

/** The pid of this testbed's sshd listener for `name`, if running. */
export function sshdPid(dir: string, name: HostName): number | undefined {
  const l = layout(dir)[name];
  return pidFromFile(l.sshdPid, l.sshdConfig);
}

export async function startSshd(dir: string, name: HostName, port: number): Promise<void> {
  const l = layout(dir)[name];
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  if (sshdPid(dir, name)) throw stepError(`start sshd ${name}`, 'already running');
  fs.rmSync(l.sshdPid, { force: true });
  const bin = sshdBinary();
  // The port was free a moment ago or has just been released by a stopped sshd: retry a bind conflict briefly.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await run(bin, ['-f', l.sshdConfig, '-E', l.sshdLog], {
      step: `start sshd ${name}`,
      allowFail: true,
      detached: true,
      timeoutMs: 15_000,
    });
    if (res.code === 0) break;
    const logTail = fs.existsSync(l.sshdLog) ? fs.readFileSync(l.sshdLog, 'utf8').slice(-2000) : '';
    if (/Address already in use/i.test(logTail + res.stderr) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    throw stepError(`start sshd ${name}`, `sshd exited with ${res.code}: ${res.stderr.trim()}`, l.sshdLog);
  }
  await waitFor(async () => (sshdPid(dir, name) !== undefined && (await sshBanner(port))) || undefined, {
    timeoutMs: 15_000,
    onTimeout: () => stepError(`start sshd ${name}`, `sshd does not greet on 127.0.0.1:${port} within 15 s`, l.sshdLog),
  });
}

/**
 * Stops the listener; with `dropSessions` (the default) also kills the session processes it forked, so
 * that established SSH connections drop as they would when a host goes down.
 */
export async function stopSshd(dir: string, name: HostName, opts: { dropSessions?: boolean } = {}): Promise<void> {
  const l = layout(dir)[name];
  const pid = sshdPid(dir, name);
  if (pid && opts.dropSessions === false) {
    await killAndWait([pid], 'SIGTERM', 5000);
  } else if (pid) {
    // Freeze the listener and every session process before killing: a session's monitor may be forking its
    // post-auth child (which holds the connection) right now, and that child would survive its parent.
    const frozen = new Set<number>([pid]);
    process.kill(pid, 'SIGSTOP');
    for (;;) {
      const fresh = descendants(pid).filter((p) => !frozen.has(p));
      if (!fresh.length) break;
      for (const p of fresh) {
        frozen.add(p);
        try {
          process.kill(p, 'SIGSTOP');
        } catch {
          /* gone */
        }
      }
    }
    await killAndWait([...frozen].filter(isAlive), 'SIGKILL', 5000);
  }
  fs.rmSync(l.sshdPid, { force: true });
}

/** The port written in the host's sshd_config. */
export function sshdPort(dir: string, name: HostName): number {
  const text = fs.readFileSync(layout(dir)[name].sshdConfig, 'utf8');
  const match = /^Port\s+(\d+)/m.exec(text);
  if (!match) throw stepError(`sshd ${name}`, `no Port in ${layout(dir)[name].sshdConfig}`);
  return Number(match[1]);
}
