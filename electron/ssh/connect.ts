import fs from 'node:fs';
import type { Duplex } from 'node:stream';
import ssh2, { type Client, type ConnectConfig } from 'ssh2';
import { FleetError } from '../../shared/errors.js';
import { fingerprintOf, keyTypeOf } from './host-key.js';
import { classifySshError } from './ssh-errors.js';

export type SshCredentials =
  | { kind: 'key'; keyPaths: string[]; passphrase?: string }
  | { kind: 'agent'; socketPath: string }
  | { kind: 'password'; password: string };

export interface SshTarget {
  address: string;
  port: number;
  user: string;
  credentials: SshCredentials;
  /** The pinned (or just confirmed) fingerprint; any other key is refused. */
  expectedFingerprint: string;
  /** A channel through a jump host (ProxyJump) instead of a TCP connection. */
  sock?: Duplex;
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
}

export interface PresentedKey {
  keyType: string;
  fingerprint: string;
}

import type { AnyAuthMethod, AuthMethod as Ssh2AuthMethod } from 'ssh2';

// ssh2 is CommonJS: Node's ESM loader only offers its default export.
const { Client: SshClient, utils } = ssh2;

// ssh2's authHandler array entries: one object per method to try, in order.
type AuthMethod = AnyAuthMethod & Ssh2AuthMethod;

/** Reads and checks the private keys up front, so a bad file or passphrase gets its own error. */
export function loadAuthMethods(user: string, credentials: SshCredentials, readFile: (p: string) => Buffer = fs.readFileSync): AuthMethod[] {
  if (credentials.kind === 'password') return [{ type: 'password', username: user, password: credentials.password }];
  if (credentials.kind === 'agent') {
    if (!credentials.socketPath) throw new FleetError('KEY_FILE', 'No ssh-agent socket: SSH_AUTH_SOCK is not set and the host names none.');
    return [{ type: 'agent', username: user, agent: credentials.socketPath }];
  }
  const methods: AuthMethod[] = [];
  const problems: string[] = [];
  for (const keyPath of credentials.keyPaths) {
    let data: Buffer;
    try {
      data = readFile(keyPath);
    } catch (error) {
      problems.push(`${keyPath}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read'}`);
      continue;
    }
    const parsed = utils.parseKey(data, credentials.passphrase);
    if (parsed instanceof Error) {
      const encrypted = /encrypted|passphrase/i.test(parsed.message);
      if (encrypted && !credentials.passphrase) {
        throw new FleetError('KEY_FILE', `The private key ${keyPath} is encrypted: give its passphrase.`, { keyPath });
      }
      if (encrypted || /bad decrypt|decrypt|integrity/i.test(parsed.message)) {
        throw new FleetError('KEY_FILE', `The passphrase does not decrypt the private key ${keyPath}.`, { keyPath });
      }
      problems.push(`${keyPath}: not a private key OpenSSH can use (${parsed.message})`);
      continue;
    }
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key?.isPrivateKey()) {
      problems.push(`${keyPath}: holds a public key, not a private one`);
      continue;
    }
    methods.push({ type: 'publickey', username: user, key: data, ...(credentials.passphrase ? { passphrase: credentials.passphrase } : {}) } as AuthMethod);
  }
  if (methods.length === 0) {
    throw new FleetError('KEY_FILE', `No usable private key: ${problems.join('; ') || 'none given'}.`, { keyPaths: credentials.keyPaths });
  }
  return methods;
}

/**
 * Opens an authenticated SSH connection, refusing any host key but the expected one. A changed
 * key is reported with both fingerprints, and the connection is dropped before authentication,
 * so no credential is ever offered to an impostor.
 */
export function openSshClient(target: SshTarget): Promise<{ client: Client; hostKey: PresentedKey }> {
  const where = { address: target.address, port: target.port, user: target.user };
  const authHandler = loadAuthMethods(target.user, target.credentials);
  return new Promise<{ client: Client; hostKey: PresentedKey }>((resolve, reject) => {
    const client = new SshClient();
    let presented: PresentedKey | null = null;
    let settled = false;
    const finish = (error: FleetError | null) => {
      if (settled) return;
      settled = true;
      if (error) {
        client.removeAllListeners('ready');
        client.on('error', () => {});
        client.end();
        reject(error);
      } else {
        resolve({ client, hostKey: presented! });
      }
    };
    client.once('ready', () => finish(null));
    client.on('error', (error) => {
      if (presented && presented.fingerprint !== target.expectedFingerprint) {
        finish(hostKeyChanged(target, presented));
      } else {
        finish(classifySshError(error, where));
      }
    });
    client.once('close', () => finish(classifySshError(Object.assign(new Error('connection closed during login'), { code: 'ECONNRESET' }), where)));
    const config: ConnectConfig = {
      host: target.address,
      port: target.port,
      username: target.user,
      authHandler: authHandler as Ssh2AuthMethod[],
      readyTimeout: target.readyTimeoutMs ?? 15_000,
      keepaliveInterval: target.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: target.keepaliveCountMax ?? 3,
      hostVerifier: (key: Buffer) => {
        presented = { keyType: keyTypeOf(key), fingerprint: fingerprintOf(key) };
        return presented.fingerprint === target.expectedFingerprint;
      },
    };
    if (target.sock) config.sock = target.sock as unknown as ConnectConfig['sock'];
    try {
      client.connect(config);
    } catch (error) {
      finish(classifySshError(error, where));
    }
  });
}

function hostKeyChanged(target: SshTarget, presented: PresentedKey): FleetError {
  return new FleetError(
    'HOST_KEY_CHANGED',
    `The host key of ${target.address}:${target.port} has changed: expected ${target.expectedFingerprint}, but the host presented ${presented.fingerprint} (${presented.keyType}). ` +
      'Someone may be intercepting the connection, or the host was reinstalled. Nothing was sent. Verify the new key with the host\'s administrator before trusting it.',
    { expected: target.expectedFingerprint, presented: presented.fingerprint, keyType: presented.keyType },
  );
}

/** Fetches the host key without authenticating, for the user to confirm on first contact. */
export function probeHostKey(target: { address: string; port: number; sock?: Duplex; readyTimeoutMs?: number }): Promise<PresentedKey> {
  const where = { address: target.address, port: target.port, user: '(probe)' };
  return new Promise<PresentedKey>((resolve, reject) => {
    const client = new SshClient();
    let presented: PresentedKey | null = null;
    let settled = false;
    const finish = (error: FleetError | null) => {
      if (settled) return;
      settled = true;
      client.on('error', () => {});
      client.end();
      if (presented && !error) resolve(presented);
      else reject(error ?? new FleetError('HOST_UNREACHABLE', `No host key received from ${target.address}:${target.port}.`));
    };
    client.on('error', (error) => finish(presented ? null : classifySshError(error, where)));
    client.once('close', () => finish(presented ? null : classifySshError(Object.assign(new Error('closed'), { code: 'ECONNRESET' }), where)));
    const config: ConnectConfig = {
      host: target.address,
      port: target.port,
      username: 'probe',
      readyTimeout: target.readyTimeoutMs ?? 15_000,
      hostVerifier: (key: Buffer) => {
        presented = { keyType: keyTypeOf(key), fingerprint: fingerprintOf(key) };
        setImmediate(() => finish(null));
        return false; // stop before authentication: we only wanted the key
      },
    };
    if (target.sock) config.sock = target.sock as unknown as ConnectConfig['sock'];
    try {
      client.connect(config);
    } catch (error) {
      finish(classifySshError(error, where));
    }
  });
}
