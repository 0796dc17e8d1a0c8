import type { OpInput } from '../../../shared/contract.js';
import type { HostView, SshImportCandidate } from '../../../shared/hosts.js';

export type AuthKind = 'key' | 'agent' | 'password';

/** The add-host form as the user types it (strings; parsed when sent). */
export interface HostDraft {
  name: string;
  address: string;
  port: string;
  user: string;
  authKind: AuthKind;
  /** One absolute path a line, tried in order. */
  keyPaths: string;
  passphrase: string;
  password: string;
  agentSocket: string;
  dockerSocket: string;
  jumpHostId: string;
  dbEnabled: boolean;
  dbAddress: string;
  dbPort: string;
  dbUser: string;
  dbPassword: string;
  dbDatabase: string;
}

export function emptyDraft(): HostDraft {
  return {
    name: '',
    address: '',
    port: '22',
    user: '',
    authKind: 'key',
    keyPaths: '',
    passphrase: '',
    password: '',
    agentSocket: '',
    dockerSocket: '/var/run/docker.sock',
    jumpHostId: '',
    dbEnabled: false,
    dbAddress: '127.0.0.1',
    dbPort: '5432',
    dbUser: 'postgres',
    dbPassword: '',
    dbDatabase: 'postgres',
  };
}

export interface PrefilledDraft {
  draft: HostDraft;
  /** Things the user must know about the prefill (e.g. a jump host still to add). */
  notices: string[];
  alias: string;
}

function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n >= 1 && n <= 65535 ? n : null;
}

export function keyPathList(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Local checks before a round trip (the server validates everything again). */
export function localDraftErrors(d: HostDraft): Record<string, string> {
  const e: Record<string, string> = {};
  if (!d.name.trim()) e['name'] = 'name is required';
  if (!d.address.trim()) e['address'] = 'address is required';
  if (parsePort(d.port) === null) e['port'] = 'a port from 1 to 65535';
  if (!d.user.trim()) e['user'] = 'user is required';
  if (d.authKind === 'key') {
    const paths = keyPathList(d.keyPaths);
    if (paths.length === 0) e['keyPaths'] = 'give at least one private key path';
    else {
      const bad = paths.findIndex((p) => !p.startsWith('/'));
      if (bad >= 0) e['keyPaths'] = `line ${bad + 1}: must be an absolute path`;
    }
  }
  if (d.authKind === 'agent' && d.agentSocket.trim() && !d.agentSocket.trim().startsWith('/')) e['agentSocket'] = 'must be an absolute path';
  if (d.authKind === 'password' && !d.password) e['password'] = 'password is required';
  if (!d.dockerSocket.trim().startsWith('/')) e['dockerSocket'] = 'must be an absolute path';
  if (d.dbEnabled) {
    if (!d.dbAddress.trim()) e['dbAddress'] = 'address is required';
    if (parsePort(d.dbPort) === null) e['dbPort'] = 'a port from 1 to 65535';
    if (!d.dbUser.trim()) e['dbUser'] = 'user is required';
    if (!d.dbDatabase.trim()) e['dbDatabase'] = 'database is required';
  }
  return e;
}

/** Fields of the probe: a fingerprint stays valid only while these are unchanged. */
export function probeInput(d: HostDraft): OpInput<'hosts.probe'> {
  const input: OpInput<'hosts.probe'> = { address: d.address.trim(), port: parsePort(d.port) ?? 22 };
  if (d.jumpHostId) input.jumpHostId = d.jumpHostId;
  return input;
}

export function probeKey(d: HostDraft): string {
  return `${d.address.trim()}|${d.port.trim()}|${d.jumpHostId}`;
}

export function buildHostInput(d: HostDraft, trustedFingerprint: string): OpInput<'hosts.add'> {
  let auth: OpInput<'hosts.add'>['auth'];
  if (d.authKind === 'key') {
    auth = { kind: 'key', keyPaths: keyPathList(d.keyPaths) };
    if (d.passphrase) auth.passphrase = d.passphrase;
  } else if (d.authKind === 'agent') {
    auth = { kind: 'agent' };
    if (d.agentSocket.trim()) auth.socketPath = d.agentSocket.trim();
  } else {
    auth = { kind: 'password', password: d.password };
  }
  const input: OpInput<'hosts.add'> = {
    name: d.name.trim(),
    address: d.address.trim(),
    port: parsePort(d.port) ?? 22,
    user: d.user.trim(),
    auth,
    dockerSocket: d.dockerSocket.trim(),
    trustedFingerprint,
  };
  if (d.jumpHostId) input.jumpHostId = d.jumpHostId;
  if (d.dbEnabled) {
    input.dbServer = {
      address: d.dbAddress.trim(),
      port: parsePort(d.dbPort) ?? 5432,
      adminUser: d.dbUser.trim(),
      database: d.dbDatabase.trim(),
    };
    if (d.dbPassword) input.dbServer.password = d.dbPassword;
  }
  return input;
}

/** Input paths (zod issue paths) shown by each form field. */
export const FIELD_PATHS: Record<string, readonly string[]> = {
  name: ['name'],
  address: ['address'],
  port: ['port'],
  user: ['user'],
  authKind: ['auth', 'auth.kind'],
  keyPaths: ['auth.keyPaths'],
  passphrase: ['auth.passphrase'],
  password: ['auth.password'],
  agentSocket: ['auth.socketPath'],
  dockerSocket: ['dockerSocket'],
  jumpHostId: ['jumpHostId'],
  dbAddress: ['dbServer.address'],
  dbPort: ['dbServer.port'],
  dbUser: ['dbServer.adminUser'],
  dbPassword: ['dbServer.password'],
  dbDatabase: ['dbServer.database'],
};

type Jump = SshImportCandidate['proxyJump'][number];

function jumpText(j: Jump): string {
  return `${j.user ? `${j.user}@` : ''}${j.host}${j.port ? `:${j.port}` : ''}`;
}

export function jumpChainText(c: SshImportCandidate): string {
  return c.proxyJump.map(jumpText).join(' → ');
}

/** The stored host a ProxyJump hop designates: by address and port, or by the alias it names. */
export function matchJumpHost(
  jump: Jump,
  hosts: readonly HostView[],
  candidates: readonly SshImportCandidate[],
): HostView | undefined {
  const port = jump.port ?? 22;
  const direct = hosts.find((h) => h.address === jump.host && h.port === port);
  if (direct) return direct;
  // ProxyJump may name another alias of the same config: resolve it as OpenSSH would.
  const viaAlias = candidates.find((c) => c.alias === jump.host);
  if (viaAlias) {
    const p = jump.port ?? viaAlias.port;
    const h = hosts.find((x) => x.address === viaAlias.hostName && x.port === p);
    if (h) return h;
  }
  return hosts.find((h) => h.name === jump.host);
}

/**
 * Prefill the add-host form from a ~/.ssh/config entry. The console reaches a host through the
 * hop directly before it (the last ProxyJump entry); earlier hops are that host's own jump
 * settings, so a chain is only matched when the stored hosts already form it.
 */
export function draftFromCandidate(
  c: SshImportCandidate,
  hosts: readonly HostView[],
  candidates: readonly SshImportCandidate[],
): PrefilledDraft {
  const d = emptyDraft();
  const notices: string[] = [];
  d.name = c.alias;
  d.address = c.hostName;
  d.port = String(c.port);
  d.user = c.user;
  if (c.identityFiles.length > 0) {
    d.authKind = 'key';
    d.keyPaths = c.identityFiles.join('\n');
  } else {
    d.authKind = 'agent';
    const agent = c.identityAgent;
    if (agent && agent.startsWith('/')) d.agentSocket = agent;
  }
  if (c.proxyJump.length > 0) {
    const direct = c.proxyJump[c.proxyJump.length - 1]!;
    const match = matchJumpHost(direct, hosts, candidates);
    if (match) {
      d.jumpHostId = match.id;
      if (c.proxyJump.length > 1) {
        // Check that the matched host itself goes through the earlier hops.
        let cursor: HostView | undefined = match;
        for (let i = c.proxyJump.length - 2; i >= 0; i--) {
          const expected = matchJumpHost(c.proxyJump[i]!, hosts, candidates);
          const actual: HostView | undefined = cursor?.jumpHostId ? hosts.find((h) => h.id === cursor!.jumpHostId) : undefined;
          if (!expected || !actual || expected.id !== actual.id) {
            notices.push(
              `The config reaches ${c.alias} through ${jumpChainText(c)}; the jump host “${match.name}” is not stored with the same chain. Check its jump host setting.`,
            );
            break;
          }
          cursor = actual;
        }
      }
    } else {
      notices.push(
        `${c.alias} is reached through the jump host ${jumpText(direct)}, which is not among your hosts yet. Add that jump host first (import it too), then import ${c.alias}.`,
      );
    }
  }
  return { draft: d, notices, alias: c.alias };
}
