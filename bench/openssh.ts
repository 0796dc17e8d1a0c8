// The OpenSSH client pointed at the testbed's hosts, for the benchmarks' baselines. OpenSSH reads ~
// from the passwd entry, not $HOME, so a wrapper `ssh` first in PATH runs it with `-F` and a
// throwaway config that pins the hosts' keys and names them (`ssh alpha …`, `ssh beta …`).
import fs from 'node:fs';
import path from 'node:path';
import type { TestbedDescriptor } from '../scripts/testbed/index.js';

export interface OpenSshClient {
  /** process.env with the wrapper's directory first in PATH. */
  env: NodeJS.ProcessEnv;
  configPath: string;
}

export function openSshClient(dir: string, testbed: TestbedDescriptor, hosts: Array<'alpha' | 'beta'>): OpenSshClient {
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true, mode: 0o700 });
  const knownHosts = path.join(dir, 'known_hosts');
  const configPath = path.join(dir, 'config');
  fs.writeFileSync(knownHosts, hosts.map((h) => `[127.0.0.1]:${testbed[h].sshPort} ${testbed[h].hostKeyPublicLine}\n`).join(''));
  const aliases = hosts.map((h) => `Host ${h}\n  HostName 127.0.0.1\n  Port ${testbed[h].sshPort}\n  User ${testbed.admin.user}\n`).join('');
  fs.writeFileSync(
    configPath,
    `${aliases}Host *\n  IdentityFile ${testbed.admin.keyPath}\n  IdentitiesOnly yes\n  BatchMode yes\n  UserKnownHostsFile ${knownHosts}\n  StrictHostKeyChecking yes\n`,
    { mode: 0o600 },
  );
  fs.writeFileSync(path.join(dir, 'bin', 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${configPath} "$@"\n`, { mode: 0o700 });
  return { env: { ...process.env, PATH: `${path.join(dir, 'bin')}:${process.env.PATH}` }, configPath };
}
