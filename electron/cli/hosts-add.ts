import os from 'node:os';
import type { Command } from 'commander';
import type { OpInput } from '../../shared/contract.js';
import { FleetError } from '../../shared/errors.js';
import type { HostView, ProbeResult, SshImportCandidate } from '../../shared/hosts.js';
import { int, table } from './actions.js';
import { findHost, print, run, type CliContext } from './context.js';
import { ask, confirm, interactive, readSecret } from './prompt.js';

// `hosts add` and `hosts import`: a host is only added once its key fingerprint is seen and
// accepted (or named with --trust), then pinned.

/** An existing database server's settings from the --db-* options. */
export function existingDbServer(opts: Record<string, unknown>, password: string | undefined) {
  return {
    address: String(opts.dbAddress ?? '127.0.0.1'),
    port: Number(opts.dbPort ?? 5432),
    adminUser: String(opts.dbUser ?? 'postgres'),
    database: String(opts.dbName ?? 'postgres'),
    ...(password ? { password } : {}),
    ...(opts.dbTenantAddress ? { tenantAddress: String(opts.dbTenantAddress) } : {}),
    ...(opts.dbTenantNetwork ? { tenantNetwork: String(opts.dbTenantNetwork) } : {}),
    ...(opts.dbClientImage ? { clientImage: String(opts.dbClientImage) } : {}),
  };
}

export function describeHost(host: HostView): string {
  return `${host.name}  ${host.user}@${host.address}:${host.port}  key ${host.hostKey.fingerprint}`;
}

export function registerHostAdd(hosts: Command): void {
  hosts
    .command('add <name>')
    .description('add a host: shows its key fingerprint for you to confirm, logs in, then pins the key')
    .requiredOption('--address <address>', 'host name or IP address')
    .option('--port <port>', 'SSH port', int, 22)
    .requiredOption('--user <user>', 'SSH user')
    .option('--key <path...>', 'private key file(s), tried in order')
    .option('--passphrase-env <VAR>', "read the key's passphrase from this environment variable (else asked if encrypted)")
    .option('--agent', 'authenticate with ssh-agent (SSH_AUTH_SOCK)')
    .option('--agent-socket <path>', 'ssh-agent socket (default SSH_AUTH_SOCK)')
    .option('--password-env <VAR>', 'log in with the password in this environment variable (else asked)')
    .option('--password', 'log in with a password (asked)')
    .option('--jump <host>', 'a stored host to jump through (ProxyJump)')
    .option('--docker-socket <path>', "the host's Docker socket", '/var/run/docker.sock')
    .option('--db-address <address>', "the host's database server as seen from the host")
    .option('--db-port <port>', 'database server port', int)
    .option('--db-user <role>', 'database admin role')
    .option('--db-password-env <VAR>', "the admin role's password, from this environment variable")
    .option('--db-name <db>', 'maintenance database', 'postgres')
    .option('--db-tenant-address <address>', "how tenants' containers reach the database server (default: --db-address)")
    .option('--db-tenant-network <name>', "the Docker network tenants' containers join to reach it")
    .option('--db-client-image <image>', "PostgreSQL client image for backups, {major} = the server's major version", 'postgres:{major}')
    .option('--trust <fingerprint>', 'the SHA256 fingerprint you verified (required without a terminal)')
    .option('-y, --yes', 'accept a key that ~/.ssh/known_hosts already trusts')
    .action(
      run(async (ctx, name: string, opts: Record<string, string | boolean | string[] | number | undefined>) => {
        const jump = opts.jump ? await findHost(ctx, String(opts.jump)) : undefined;
        const auth = await authFromOptions(opts);
        const probe = await ctx.call('hosts.probe', { address: String(opts.address), port: Number(opts.port), ...(jump ? { jumpHostId: jump.id } : {}) });
        const fingerprint = await confirmFingerprint(`${opts.address}:${opts.port}`, probe, opts.trust as string | undefined, Boolean(opts.yes));
        const dbPassword = await readSecret(opts.dbPasswordEnv as string | undefined, null);
        const host = await ctx.call('hosts.add', {
          name,
          address: String(opts.address),
          port: Number(opts.port),
          user: String(opts.user),
          auth,
          dockerSocket: String(opts.dockerSocket),
          trustedFingerprint: fingerprint,
          ...(jump ? { jumpHostId: jump.id } : {}),
          ...(opts.dbAddress || opts.dbUser ? { dbServer: existingDbServer(opts, dbPassword) } : {}),
        });
        print(ctx, host, () => `Added ${describeHost(host)}`);
      }),
    );
}

export function registerHostImport(hosts: Command): void {
  hosts
    .command('import [alias]')
    .description('list the hosts in ~/.ssh/config, or add one (and its ProxyJump hosts) as OpenSSH resolves it')
    .option('--config <path>', 'an SSH config file other than ~/.ssh/config')
    .option('--name <name>', 'name in the console (default: the alias)')
    .option('--trust <fingerprint>', 'the SHA256 fingerprint you verified for the host itself')
    .option('-y, --yes', 'accept keys that ~/.ssh/known_hosts already trusts')
    .option('--docker-socket <path>', "the host's Docker socket", '/var/run/docker.sock')
    .action(
      run(async (ctx, alias: string | undefined, opts: { config?: string; name?: string; trust?: string; yes?: boolean; dockerSocket: string }) => {
        const candidates = await ctx.call('hosts.sshConfigCandidates', opts.config ? { configPath: opts.config } : {});
        if (!alias) {
          print(ctx, candidates, () =>
            candidates.length === 0
              ? 'No concrete Host entries in the SSH config.'
              : table([['ALIAS', 'HOST', 'USER', 'IDENTITY FILES', 'JUMP', 'ADDED'], ...candidates.map((c) => [c.alias, `${c.hostName}:${c.port}`, c.user, c.identityFiles.join(',') || '(agent)', c.proxyJump.map((j) => j.host).join(',') || '-', c.alreadyAdded ? 'yes' : ''])]),
          );
          return;
        }
        const host = await importAlias(ctx, alias, candidates, opts);
        print(ctx, host, () => `Added ${describeHost(host)}`);
      }),
    );
}

async function authFromOptions(opts: Record<string, unknown>) {
  const passwordEnv = opts.passwordEnv as string | undefined;
  if (passwordEnv || opts.password) {
    const password = await readSecret(passwordEnv, 'SSH password: ');
    if (!password) throw new FleetError('VALIDATION', 'A password is needed: give --password-env VAR, or run in a terminal.');
    return { kind: 'password' as const, password };
  }
  if (opts.agent || opts.agentSocket) {
    return { kind: 'agent' as const, ...(opts.agentSocket ? { socketPath: String(opts.agentSocket) } : {}) };
  }
  const keys = opts.key as string[] | undefined;
  if (!keys?.length) throw new FleetError('VALIDATION', 'Choose how to log in: --key <path>, --agent or --password.');
  const passphrase = await readSecret(opts.passphraseEnv as string | undefined, null);
  return { kind: 'key' as const, keyPaths: keys.map((k) => (k.startsWith('~/') ? `${os.homedir()}${k.slice(1)}` : k)), ...(passphrase ? { passphrase } : {}) };
}

/** The user must see and accept the fingerprint, unless --trust names it or known_hosts already vouches for it with --yes. */
async function confirmFingerprint(label: string, probe: ProbeResult, trust: string | undefined, yes: boolean): Promise<string> {
  const known =
    probe.knownHosts === 'match'
      ? 'matches your ~/.ssh/known_hosts'
      : probe.knownHosts === 'mismatch'
        ? `DIFFERS from your ~/.ssh/known_hosts (${probe.knownHostsFingerprint})`
        : 'not in your ~/.ssh/known_hosts';
  if (trust) {
    if (trust !== probe.fingerprint) {
      throw new FleetError('HOST_KEY_CHANGED', `${label} presents ${probe.fingerprint}, not the ${trust} you gave with --trust. Nothing was added.`, {
        expected: trust,
        presented: probe.fingerprint,
      });
    }
    return trust;
  }
  if (yes && probe.knownHosts === 'match') return probe.fingerprint;
  if (!interactive()) {
    throw new FleetError('HOST_KEY_UNTRUSTED', `${label} presents the ${probe.keyType} key ${probe.fingerprint} (${known}). Check it, then run again with --trust ${probe.fingerprint}`, {
      fingerprint: probe.fingerprint,
      keyType: probe.keyType,
      knownHosts: probe.knownHosts,
    });
  }
  process.stderr.write(`${label} presents this ${probe.keyType} key:\n\n    ${probe.fingerprint}\n\nIt ${known}.\n`);
  if (!(await confirm('Trust this key and pin it?'))) throw new FleetError('HOST_KEY_UNTRUSTED', 'Key not trusted; nothing was added.');
  return probe.fingerprint;
}

/** Adds an alias from the SSH config, first adding the hosts of its ProxyJump chain. */
async function importAlias(
  ctx: CliContext,
  alias: string,
  candidates: SshImportCandidate[],
  opts: { name?: string; trust?: string; yes?: boolean; dockerSocket: string },
): Promise<HostView> {
  const candidate = candidates.find((c) => c.alias === alias);
  if (!candidate) throw new FleetError('NOT_FOUND', `"${alias}" is not a Host in the SSH config. See: odoo-fleet hosts import`);
  let jumpHostId: string | undefined;
  for (const jump of candidate.proxyJump) {
    const existing = (await ctx.call('hosts.list', {})).find(
      (h) => (h.name === jump.host || h.address === jump.host) && (jump.port === undefined || h.port === jump.port) && (jump.user === undefined || h.user === jump.user) && (h.jumpHostId ?? undefined) === jumpHostId,
    );
    if (existing) {
      jumpHostId = existing.id;
      continue;
    }
    const jumpCandidate = candidates.find((c) => c.alias === jump.host);
    const hop = jumpCandidate
      ? { ...jumpCandidate, proxyJump: [], ...(jump.user ? { user: jump.user } : {}), ...(jump.port ? { port: jump.port } : {}) }
      : { alias: jump.host, hostName: jump.host, port: jump.port ?? 22, user: jump.user ?? candidate.user, identityFiles: candidate.identityFiles, proxyJump: [], alreadyAdded: false };
    jumpHostId = (await addCandidate(ctx, hop, { name: hop.alias, yes: opts.yes, dockerSocket: opts.dockerSocket }, jumpHostId)).id;
  }
  return addCandidate(ctx, candidate, { name: opts.name ?? alias, trust: opts.trust, yes: opts.yes, dockerSocket: opts.dockerSocket }, jumpHostId);
}

async function addCandidate(
  ctx: CliContext,
  candidate: SshImportCandidate,
  opts: { name: string; trust?: string | undefined; yes?: boolean | undefined; dockerSocket: string },
  jumpHostId: string | undefined,
): Promise<HostView> {
  const probe = await ctx.call('hosts.probe', { address: candidate.hostName, port: candidate.port, ...(jumpHostId ? { jumpHostId } : {}) });
  const fingerprint = await confirmFingerprint(`${candidate.alias} (${candidate.hostName}:${candidate.port})`, probe, opts.trust, Boolean(opts.yes));
  const auth =
    candidate.identityFiles.length > 0
      ? { kind: 'key' as const, keyPaths: candidate.identityFiles }
      : { kind: 'agent' as const, ...(candidate.identityAgent ? { socketPath: candidate.identityAgent } : {}) };
  const add = (withAuth: OpInput<'hosts.add'>['auth']) =>
    ctx.call('hosts.add', {
      name: opts.name,
      address: candidate.hostName,
      port: candidate.port,
      user: candidate.user,
      auth: withAuth,
      dockerSocket: opts.dockerSocket,
      trustedFingerprint: fingerprint,
      ...(jumpHostId ? { jumpHostId } : {}),
    });
  try {
    return await add(auth);
  } catch (error) {
    // An encrypted identity file: ask for its passphrase, as ssh would.
    if (error instanceof FleetError && error.code === 'KEY_FILE' && /encrypted/.test(error.message) && auth.kind === 'key' && interactive()) {
      const passphrase = await ask(`Passphrase for ${String(error.details?.keyPath ?? 'the key')}: `, { hidden: true });
      return add({ ...auth, passphrase });
    }
    throw error;
  }
}
