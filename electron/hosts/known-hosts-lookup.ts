import path from 'node:path';
import type { ProbeResult } from '../../shared/hosts.js';
import { loadKnownHosts, lookupHostKeys } from '../ssh/known-hosts.js';

/** What the user's OpenSSH already trusts: ~/.ssh/known_hosts and the system-wide file. */
export class KnownHostsLookup {
  constructor(private readonly files: string[]) {}

  static forSshDir(sshDir: string): KnownHostsLookup {
    return new KnownHostsLookup([path.join(sshDir, 'known_hosts'), path.join(sshDir, 'known_hosts2'), '/etc/ssh/ssh_known_hosts']);
  }

  compare(address: string, port: number, fingerprint: string): Pick<ProbeResult, 'knownHosts' | 'knownHostsFingerprint'> {
    const keys = lookupHostKeys(loadKnownHosts(this.files), address, port);
    const usable = keys.filter((key) => key.marker === undefined);
    if (keys.some((key) => key.marker === 'revoked' && key.fingerprint === fingerprint)) {
      return { knownHosts: 'mismatch', knownHostsFingerprint: `${fingerprint} (marked @revoked)` };
    }
    if (usable.length === 0) return { knownHosts: 'absent' };
    if (usable.some((key) => key.fingerprint === fingerprint)) return { knownHosts: 'match', knownHostsFingerprint: fingerprint };
    return { knownHosts: 'mismatch', knownHostsFingerprint: usable[0]!.fingerprint };
  }
}
