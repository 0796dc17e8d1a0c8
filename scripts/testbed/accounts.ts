// OS users, client keys, authorized_keys files and the ssh-agent.
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_USER, SUPPORT_USER, layout } from './layout.js';
import { killAndWait, pidFromFile, run, stepError, waitFor } from './util.js';

async function userExists(user: string): Promise<boolean> {
  return (await run('id', ['-u', user], { step: `user ${user}`, allowFail: true })).code === 0;
}

async function groupsOf(user: string): Promise<string[]> {
  const res = await run('id', ['-nG', user], { step: `user ${user}` });
  return res.stdout.trim().split(/\s+/);
}

async function homeOf(user: string): Promise<string> {
  const res = await run('getent', ['passwd', user], { step: `user ${user}` });
  return res.stdout.trim().split(':')[5] ?? `/home/${user}`;
}

async function ensureUser(user: string, dockerAccess: boolean): Promise<void> {
  const step = `user ${user}`;
  if (!(await userExists(user))) {
    await run('useradd', ['--create-home', '--shell', '/bin/sh', ...(dockerAccess ? ['--groups', 'docker'] : []), user], { step });
  } else {
    await run('usermod', ['--shell', '/bin/sh', user], { step });
    const groups = await groupsOf(user);
    if (dockerAccess && !groups.includes('docker')) await run('usermod', ['-a', '-G', 'docker', user], { step });
    if (!dockerAccess && groups.includes('docker')) await run('gpasswd', ['-d', user, 'docker'], { step });
  }
  const home = await homeOf(user);
  if (!fs.existsSync(home)) {
    fs.mkdirSync(home, { recursive: true, mode: 0o755 });
    const ids = await run('id', ['-u', user], { step });
    const gid = await run('id', ['-g', user], { step });
    fs.chownSync(home, Number(ids.stdout.trim()), Number(gid.stdout.trim()));
  }
}

/**
 * fleetadmin (group docker) and fleetsupport (no docker access), shell /bin/sh, with home directories.
 * Both get a password: with UsePAM no, sshd refuses even key logins to an account whose password is locked ("!").
 */
export async function ensureUsers(adminPassword: string, supportPassword: string): Promise<void> {
  // Sequential: the shadow tools lock /etc/passwd.
  await ensureUser(ADMIN_USER, true);
  await ensureUser(SUPPORT_USER, false);
  await run('chpasswd', [], { step: 'chpasswd', input: `${ADMIN_USER}:${adminPassword}\n${SUPPORT_USER}:${supportPassword}\n` });
}

/** The group owning the docker sockets (docker.io creates it; the daemons are started with --group docker). */
export async function ensureDockerGroup(): Promise<void> {
  if ((await run('getent', ['group', 'docker'], { step: 'group docker', allowFail: true })).code === 0) return;
  await run('groupadd', ['-f', 'docker'], { step: 'group docker' });
}

async function keygen(file: string, type: 'ed25519' | 'rsa', comment: string, passphrase = ''): Promise<string> {
  const args = ['-q', '-t', type, '-N', passphrase, '-C', comment, '-f', file];
  if (type === 'rsa') args.splice(3, 0, '-b', '3072');
  await run('ssh-keygen', args, { step: `ssh-keygen ${path.basename(file)}` });
  return fs.readFileSync(`${file}.pub`, 'utf8').trim();
}

/** Client keys (OpenSSH format) and the authorized_keys files sshd reads (AuthorizedKeysFile <dir>/authorized_keys/%u). */
export async function createClientKeys(dir: string, keyPassphrase: string): Promise<void> {
  const l = layout(dir);
  fs.mkdirSync(l.keys.dir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(l.authorizedKeysDir, { recursive: true, mode: 0o755 });
  const [admin, encrypted, rsa, support] = await Promise.all([
    keygen(l.keys.admin, 'ed25519', `${ADMIN_USER}@fleet-testbed`),
    keygen(l.keys.adminEncrypted, 'ed25519', `${ADMIN_USER}-encrypted@fleet-testbed`, keyPassphrase),
    keygen(l.keys.adminRsa, 'rsa', `${ADMIN_USER}-rsa@fleet-testbed`),
    keygen(l.keys.support, 'ed25519', `${SUPPORT_USER}@fleet-testbed`),
  ]);
  // sshd reads these files as the user logging in: world-readable.
  fs.writeFileSync(path.join(l.authorizedKeysDir, ADMIN_USER), `${admin}\n${encrypted}\n${rsa}\n`, { mode: 0o644 });
  fs.writeFileSync(path.join(l.authorizedKeysDir, SUPPORT_USER), `${support}\n`, { mode: 0o644 });
}

/** An ssh-agent on <dir>/agent/agent.sock holding the unencrypted admin key. */
export async function startAgent(dir: string): Promise<void> {
  const l = layout(dir);
  fs.mkdirSync(l.agent.dir, { recursive: true, mode: 0o700 });
  const res = await run('ssh-agent', ['-s', '-a', l.agent.socket], { step: 'ssh-agent', detached: true, timeoutMs: 10_000 });
  const match = /SSH_AGENT_PID=(\d+)/.exec(res.stdout);
  if (!match) throw stepError('ssh-agent', `no SSH_AGENT_PID in its output: ${res.stdout}`);
  fs.writeFileSync(l.agent.pidFile, `${match[1]}\n`);
  await waitFor(() => fs.existsSync(l.agent.socket), {
    timeoutMs: 5000,
    onTimeout: () => stepError('ssh-agent', `no socket at ${l.agent.socket}`),
  });
  await run('ssh-add', ['-q', l.keys.admin], { step: 'ssh-add', env: { ...process.env, SSH_AUTH_SOCK: l.agent.socket } });
}

export async function stopAgent(dir: string): Promise<void> {
  const l = layout(dir).agent;
  const pid = pidFromFile(l.pidFile, dir);
  if (pid) await killAndWait([pid], 'SIGTERM', 3000);
}
