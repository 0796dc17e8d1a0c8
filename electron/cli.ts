import os from 'node:os';
import { Command, Option } from 'commander';
import { ROLES, type OperationName, type OpInput, type OpOutput, type Role } from '../shared/contract.js';
import { FleetError, type ErrorCode, type FleetErrorData } from '../shared/errors.js';
import type { DestinationSpec, RestoreFindings } from '../shared/backups.js';
import type { CheckStep, HostView, ProbeResult, SshImportCandidate } from '../shared/hosts.js';
import { EXIT, exitCodeFor } from './cli/exit-codes.js';
import { registerPosCommands } from './cli/pos-commands.js';
import { ask, confirm, interactive } from './cli/prompt.js';
import { defaultDataDir } from './common/paths.js';
import { createConsoleServices, type ConsoleServices } from './console-services.js';
import { UNFINISHED_JOB_STATES } from './jobs/types.js';

// `odoo-fleet`: the console's services from a terminal. Every command goes through the same
// dispatcher as the UIs (validation, roles, audit), prints text or, with --json, one JSON
// document on stdout, and exits with a code from cli/exit-codes.ts.

interface GlobalOptions {
  json?: boolean;
  dataDir?: string;
  role?: Role;
}

class CliContext {
  private services: ConsoleServices | null = null;
  constructor(readonly options: GlobalOptions) {}

  open(): ConsoleServices {
    if (!this.services) {
      const passphrase = process.env.FLEET_PASSPHRASE;
      this.services = createConsoleServices({
        dataDir: this.options.dataDir ?? defaultDataDir('console'),
        ...(passphrase ? { passphrase } : {}),
        version: process.env.npm_package_version ?? '0.1.0',
      });
    }
    return this.services;
  }

  /**
   * Calls an operation — every call of the CLI goes through here, so through the contract's
   * validation, roles and audit; if secrets are locked and a person is at the terminal, asks for
   * the passphrase once.
   */
  async call<N extends OperationName>(op: N, input: OpInput<N>): Promise<OpOutput<N>> {
    const services = this.open();
    let result = await services.dispatcher.invoke(op, input, this.caller());
    if (!result.ok && result.error.code === 'VAULT_LOCKED' && interactive()) {
      await this.unlockInteractively(services);
      result = await services.dispatcher.invoke(op, input, this.caller());
    }
    if (!result.ok) throw new FleetError(result.error.code, result.error.message, result.error.details);
    return result.value as OpOutput<N>;
  }

  private caller() {
    return { actor: `${os.userInfo().username}@cli`, role: this.options.role ?? 'admin', transport: 'cli' as const };
  }

  private async unlockInteractively(services: ConsoleServices) {
    const vault = await services.dispatcher.invoke('vault.status', {}, this.caller());
    const passphraseCall = async (op: 'vault.setup' | 'vault.unlock', passphrase: string) => {
      const done = await services.dispatcher.invoke(op, { passphrase }, this.caller());
      if (!done.ok) throw new FleetError(done.error.code, done.error.message, done.error.details);
    };
    if (vault.ok && (vault.value as { state: string }).state === 'uninitialised') {
      process.stderr.write('Stored passwords and key passphrases are encrypted with a passphrase you choose now (at least 8 characters).\n');
      const first = await ask('New passphrase: ', { hidden: true });
      const second = await ask('Repeat passphrase: ', { hidden: true });
      if (first !== second) throw new FleetError('VALIDATION', 'The two passphrases differ.');
      await passphraseCall('vault.setup', first);
    } else {
      await passphraseCall('vault.unlock', await ask('Passphrase for stored secrets: ', { hidden: true }));
    }
  }

  /** Waits for a job through jobs.get, woken by its 'jobs.finished' event (or every few seconds). */
  async waitForJob(jobId: string) {
    const events = this.open().events;
    for (;;) {
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const off = events.on('jobs.finished', (e) => (e as { jobId?: string }).jobId === jobId && wake());
      const timer = setTimeout(wake, 2000);
      try {
        const job = await this.call('jobs.get', { id: jobId });
        if (!(UNFINISHED_JOB_STATES as readonly string[]).includes(job.state)) return job;
        await woken;
      } finally {
        off();
        clearTimeout(timer);
      }
    }
  }

  /** Waits for a job this process runs; a job that did not succeed becomes its error. */
  async jobSucceeded(jobId: string) {
    const job = await this.waitForJob(jobId);
    if (job.state !== 'succeeded') {
      throw new FleetError((job.error?.code as ErrorCode | undefined) ?? 'INTERNAL', job.error?.message ?? `The job ended ${job.state}.`, { jobId });
    }
    return job;
  }

  async close() {
    await this.services?.close();
  }
}

/** An existing database server's settings from the --db-* options. */
function existingDbServer(opts: Record<string, unknown>, password: string | undefined) {
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

/** Prints each step of the running job on stderr (stdout stays clean for --json); returns the unsubscribe. */
function followJobSteps(ctx: CliContext): () => void {
  if (ctx.options.json) return () => {};
  const services = ctx.open();
  const offs = [
    services.events.on('jobs.step.started', (e) => process.stderr.write(`  … ${String((e as { title?: string }).title ?? '')}\n`)),
    services.events.on('jobs.step.finished', (e) => {
      const event = e as { title?: string; phase?: string; state?: string };
      if (event.state === 'failed' || event.phase === 'compensate') process.stderr.write(`  ${event.phase === 'compensate' ? 'undone' : 'failed'}: ${String(event.title ?? '')}\n`);
    }),
  ];
  return () => offs.forEach((off) => off());
}

/**
 * Follows a tenant's log as the UIs do, through tenants.logs: the last lines, then every
 * 1.5 s the lines after the newest timestamp seen, until Ctrl-C.
 */
async function followLogs(ctx: CliContext, hostId: string, name: string, tail: number): Promise<void> {
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
  let since: string | undefined;
  while (!stop.signal.aborted) {
    const { lines } = await ctx.call('tenants.logs', since ? { hostId, name, since, tail: 5000 } : { hostId, name, tail });
    for (const line of lines) process.stdout.write(ctx.options.json ? `${JSON.stringify({ line })}\n` : `${line}\n`);
    since = lines.map((l) => /^\S+Z/.exec(l)?.[0]).filter(Boolean).pop() ?? since;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1500);
      stop.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}

/** The tenant's name typed again: from the option, or asked on a terminal; refused without either. */
async function typedName(name: string, given: string | undefined, question: string): Promise<string> {
  if (given !== undefined) return given;
  if (!interactive()) throw new FleetError('VALIDATION', `There is no terminal to confirm on: pass --confirm ${name}.`, { field: 'confirm' });
  return (await ask(question)).trim();
}

/** Suspending a running tenant stops it, for its users too: asked first (or --yes). */
async function confirmStoppingIfRunning(ctx: CliContext, hostId: string, name: string): Promise<void> {
  const tenant = (await ctx.call('tenants.list', { hostId })).find((t) => t.name === name);
  if (tenant?.state !== 'running') return;
  if (!interactive()) throw new FleetError('VALIDATION', `${name} is running: suspending stops it. Pass --yes to suspend it anyway.`, { field: 'yes' });
  if (!(await confirm(`${name} is running and serving its users: suspending stops it. Suspend it?`))) throw new FleetError('VALIDATION', `${name} was not suspended.`);
}

/** Starts a job, follows its steps on stderr and waits for it to succeed. */
async function runFollowed(ctx: CliContext, start: () => Promise<{ jobId: string }>) {
  const stopFollowing = followJobSteps(ctx);
  try {
    return await ctx.jobSucceeded((await start()).jobId);
  } finally {
    stopFollowing();
  }
}

const mib = (bytes: number | null) => (bytes === null ? '?' : `${Math.ceil(bytes / 2 ** 20)} MiB`);

function describeKeptCopy(kept: OpOutput<'backups.keptCopy'> & object): string {
  return `Kept from the restore of ${kept.restoredAt} until ${kept.keptUntil}: database ${mib(kept.databaseBytes)}, filestore ${mib(kept.filestoreBytes)}. Undo with 'odoo-fleet undo-restore ${kept.tenant}', or free it with --drop.`;
}

/** What a restore found, in words: the users and settings came with the archive. */
function describeFindings(name: string, findings: RestoreFindings | null): string[] {
  if (!findings) return [];
  const said: string[] = [];
  if (findings.keptUntil) said.push(`The replaced data is kept until ${findings.keptUntil}: 'odoo-fleet undo-restore ${name}' puts it back.`);
  if (findings.adminsOnDefaultPassword.length) said.push(`Warning: these administrators have Odoo's default password "admin" again: ${findings.adminsOnDefaultPassword.join(', ')}. Set new ones: 'odoo-fleet tenants reset-admin-password ${name} --login <login>'.`);
  if (findings.baseUrl?.stale) said.push(`Warning: web.base.url is ${findings.baseUrl.stored}, but ${name} is served at ${findings.baseUrl.servedAt}: links Odoo builds (mail, portal) point elsewhere; fix it in Settings › Technical › System Parameters.`);
  return said;
}

async function offerNewAdminPasswords(ctx: CliContext, hostId: string, name: string, logins: string[]): Promise<void> {
  for (const login of logins) {
    if (!(await confirm(`Give ${login} a new generated password now (shown once)?`))) continue;
    const reset = await ctx.call('tenants.resetAdminPassword', { hostId, name, login });
    process.stdout.write(`login ${reset.login} · password ${reset.password}\n`);
  }
}

function print(ctx: CliContext, value: unknown, text: () => string) {
  process.stdout.write(ctx.options.json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

async function findHost(ctx: CliContext, ref: string): Promise<HostView> {
  const hosts = await ctx.call('hosts.list', {});
  const host = hosts.find((h) => h.id === ref) ?? hosts.find((h) => h.name.toLowerCase() === ref.toLowerCase());
  if (!host) throw new FleetError('NOT_FOUND', `No host named "${ref}". See: odoo-fleet hosts list`);
  return host;
}

const DESTINATION_HELP = "where archives go: 'local' (this console's folder), 'host:/folder' (on the tenant's host) or 'sftp:<host>:/folder' (another host of this console); repeat for several copies";

/** `local`, `host:/folder` or `sftp:<host>:/folder` as a destination. */
async function parseDestination(ctx: CliContext, text: string): Promise<DestinationSpec> {
  if (text === 'local') return { kind: 'local' };
  if (text.startsWith('host:')) return { kind: 'host', folder: text.slice('host:'.length) };
  const sftp = /^sftp:([^:]+):(\/.*)$/.exec(text);
  if (sftp) return { kind: 'sftp', hostId: (await findHost(ctx, sftp[1]!)).id, folder: sftp[2]! };
  throw new FleetError('VALIDATION', `"${text}" is not a destination: ${DESTINATION_HELP}.`, { field: 'to' });
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** A copy as people name it. */
function describeCopy(copy: { kind: string; hostId?: string | undefined; path: string }, hosts: HostView[]): string {
  if (copy.kind === 'local') return copy.path;
  return `${hosts.find((h) => h.id === copy.hostId)?.name ?? copy.hostId}:${copy.path}`;
}

async function readAllStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Paste the key line, then press Ctrl-D:\n');
  let text = '';
  for await (const chunk of process.stdin) text += (chunk as Buffer).toString('utf8');
  return text;
}

async function readSecret(envName: string | undefined, prompt: string | null): Promise<string | undefined> {
  if (envName) {
    const value = process.env[envName];
    if (value === undefined) throw new FleetError('VALIDATION', `The environment variable ${envName} is not set.`);
    return value;
  }
  if (prompt && interactive()) return ask(prompt, { hidden: true });
  return undefined;
}

/** The user must see and accept the fingerprint, unless --trust names it or known_hosts already vouches for it with --yes. */
async function confirmFingerprint(ctx: CliContext, label: string, probe: ProbeResult, trust: string | undefined, yes: boolean): Promise<string> {
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

function describeHost(host: HostView): string {
  return `${host.name}  ${host.user}@${host.address}:${host.port}  key ${host.hostKey.fingerprint}`;
}

function stepLine(step: CheckStep): string {
  const mark = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skipped: 'skip' }[step.status];
  return `[${mark}] ${step.step.padEnd(9)} ${step.detail}${step.hint && step.status !== 'ok' ? `\n       hint: ${step.hint}` : ''}`;
}

export function buildCli(): Command {
  const program = new Command('odoo-fleet')
    .description('Fleet Console from the command line: hosts, their Docker Engine and PostgreSQL over SSH.')
    .option('--json', 'print one JSON document instead of text')
    .option('--data-dir <dir>', 'the console store (default: the user data directory, or FLEET_DATA_DIR)')
    .addOption(new Option('--role <role>', 'act with a lower role (guard rails, see README)').choices([...ROLES]).env('FLEET_ROLE'))
    .showHelpAfterError()
    .exitOverride();

  const ctxOf = (command: Command) => new CliContext(command.optsWithGlobals() as GlobalOptions);
  const run = (fn: (ctx: CliContext, ...args: never[]) => Promise<number | void>) =>
    async function (this: Command, ...args: unknown[]) {
      const ctx = ctxOf(this);
      try {
        process.exitCode = (await fn(ctx, ...(args as never[]))) ?? EXIT.ok;
      } catch (error) {
        const data: FleetErrorData = error instanceof FleetError ? error.toData() : { code: 'INTERNAL', message: (error as Error).message };
        if (ctx.options.json) process.stdout.write(`${JSON.stringify({ error: data }, null, 2)}\n`);
        process.stderr.write(`odoo-fleet: ${data.message}\n`);
        process.exitCode = exitCodeFor(data.code);
      } finally {
        await ctx.close();
      }
    };

  const hosts = program.command('hosts').description('add, list, check, remove and import hosts');

  hosts
    .command('list')
    .description('stored hosts')
    .action(
      run(async (ctx) => {
        const list = await ctx.call('hosts.list', {});
        print(ctx, list, () =>
          list.length === 0 ? 'No hosts yet. Add one: odoo-fleet hosts add <name> --address … --user …' : table([['NAME', 'ADDRESS', 'USER', 'AUTH', 'DOCKER SOCKET', 'KEY'], ...list.map((h) => [h.name, `${h.address}:${h.port}`, h.user, h.auth.kind, h.dockerSocket, h.hostKey.fingerprint])]),
        );
      }),
    );

  hosts
    .command('add <name>')
    .description('add a host: shows its key fingerprint for you to confirm, logs in, then pins the key')
    .requiredOption('--address <address>', 'host name or IP address')
    .option('--port <port>', 'SSH port', (v) => Number.parseInt(v, 10), 22)
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
    .option('--db-port <port>', 'database server port', (v) => Number.parseInt(v, 10))
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
        const fingerprint = await confirmFingerprint(ctx, `${opts.address}:${opts.port}`, probe, opts.trust as string | undefined, Boolean(opts.yes));
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

  hosts
    .command('check <host>')
    .description('connect → OS → Docker → PostgreSQL → disk and memory, with a fix hint for each failure')
    .action(
      run(async (ctx, ref: string) => {
        const host = await findHost(ctx, ref);
        const check = await ctx.call('hosts.check', { id: host.id });
        print(ctx, check, () => [`Checking ${host.name}:`, ...check.steps.map(stepLine), check.ok ? 'All checks passed.' : 'Some checks failed.'].join('\n'));
        return check.ok ? EXIT.ok : EXIT.checkFailed;
      }),
    );

  hosts
    .command('db-server <host>')
    .description("the host's database server: show it; --db-address … sets an existing one; --managed sets up a PostgreSQL container as that server (a durable job)")
    .option('--managed', 'set up a PostgreSQL container the console manages')
    .option('--image <image>', 'its image (any image with the official postgres contract)', 'postgres:16')
    .option('--network <name>', 'the Docker network it and the tenants share (created if missing)', 'fleet')
    .option('--volume <name>', 'its data volume (must not exist yet)', 'fleet-postgres-data')
    .option('--db-address <address>', 'an existing server, as seen from the host')
    .option('--db-port <port>', 'its port', (v) => Number.parseInt(v, 10))
    .option('--db-user <role>', 'its admin role')
    .option('--db-password-env <VAR>', "the admin role's password, from this environment variable (else asked)")
    .option('--db-name <db>', 'maintenance database', 'postgres')
    .option('--db-tenant-address <address>', "how tenants' containers reach it (default: --db-address)")
    .option('--db-tenant-network <name>', "the Docker network tenants' containers join to reach it")
    .option('--db-client-image <image>', "PostgreSQL client image for backups, {major} = the server's major version", 'postgres:{major}')
    .action(
      run(async (ctx, ref: string, opts: { managed?: boolean; image: string; network: string; volume: string; dbAddress?: string; dbUser?: string; dbPasswordEnv?: string }) => {
        const host = await findHost(ctx, ref);
        const describe = (db: HostView['dbServer']) =>
          db
            ? `${host.name}: ${db.managed ? `managed container (${db.image}, volume ${db.volume}, network ${db.tenantNetwork})` : 'existing server'} ${db.adminUser}@${db.address}:${db.port}/${db.database}${db.tenantAddress ? `; tenants reach it at ${db.tenantAddress}` : ''}`
            : `${host.name} has no database server. Set one up: odoo-fleet hosts db-server ${host.name} --managed`;
        if (opts.dbAddress || opts.dbUser) {
          if (opts.managed) throw new FleetError('VALIDATION', 'Either --managed or an existing server (--db-address …), not both.');
          const dbPassword = await readSecret(opts.dbPasswordEnv, 'Database admin password (empty for none): ');
          await ctx.call('hosts.update', { id: host.id, dbServer: existingDbServer(opts as Record<string, unknown>, dbPassword || undefined) });
        } else if (opts.managed) {
          const stopFollowing = followJobSteps(ctx);
          try {
            const { jobId } = await ctx.call('hosts.provisionDbServer', { hostId: host.id, image: opts.image, network: opts.network, volume: opts.volume });
            await ctx.jobSucceeded(jobId);
          } finally {
            stopFollowing();
          }
        }
        const db = await ctx.call('hosts.dbServer', { id: host.id });
        print(ctx, db, () => describe(db));
      }),
    );

  hosts
    .command('show <host>')
    .description("a host's Docker Engine, containers, disk and memory")
    .action(
      run(async (ctx, ref: string) => {
        const host = await findHost(ctx, ref);
        const overview = await ctx.call('hosts.overview', { id: host.id });
        print(ctx, overview, () =>
          [
            `${host.name}: Docker ${overview.docker.version} (API ${overview.docker.apiVersion}) on ${overview.docker.os}, ${overview.docker.cpus} CPUs`,
            `containers: ${overview.docker.containersRunning} running of ${overview.docker.containersTotal}; images: ${overview.docker.images}`,
            `disk ${overview.disk.path}: ${(overview.disk.availableBytes / 2 ** 30).toFixed(1)} GiB free of ${(overview.disk.totalBytes / 2 ** 30).toFixed(1)} GiB; memory ${(overview.memory.availableBytes / 2 ** 30).toFixed(1)} GiB available of ${(overview.memory.totalBytes / 2 ** 30).toFixed(1)} GiB`,
            '',
            table([['NAME', 'IMAGE', 'STATE', 'PORTS', 'CREATED'], ...overview.containers.map((c) => [c.name, c.image, c.state, c.ports.join(',') || '-', c.created])]),
          ].join('\n'),
        );
      }),
    );

  hosts
    .command('rm <host>')
    .description('forget a host (its pinned key and stored secrets)')
    .option('-y, --yes', 'do not ask')
    .action(
      run(async (ctx, ref: string, opts: { yes?: boolean }) => {
        const host = await findHost(ctx, ref);
        if (!opts.yes) {
          if (!interactive()) throw new FleetError('VALIDATION', 'Removing a host needs --yes when there is no terminal to confirm on.');
          if (!(await confirm(`Forget ${host.name} and its stored secrets?`))) return EXIT.failed;
        }
        const result = await ctx.call('hosts.remove', { id: host.id });
        print(ctx, result, () => `Removed ${host.name}.`);
      }),
    );

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

  const tenants = program.command('tenants').description('create, list, show, start, stop, suspend, reactivate and decommission tenants; follow their logs; reconcile a host, clean up, adopt');

  tenants
    .command('create <name>')
    .description('create an Odoo tenant as a durable job and follow its steps')
    .requiredOption('--host <host>', 'the host to create it on')
    .requiredOption('--domain <domain>', 'its public host name is <name>.<domain>')
    .option('--odoo <version>', 'Odoo major version (16.0, 17.0, 18.0)', '17.0')
    .option('--image <repository>', 'Odoo image repository', 'odoo')
    .option('--tag <tag>', 'image tag (default: the Odoo version)')
    .option('--modules <list>', 'modules to install, comma-separated', 'base')
    .option('--workers <n>', 'Odoo workers', (v) => Number.parseInt(v, 10), 2)
    .option('--memory-mb <n>', 'memory limit', (v) => Number.parseInt(v, 10))
    .option('--cpus <n>', 'CPU limit', (v) => Number.parseFloat(v))
    .action(
      run(async (ctx, name: string, opts: { host: string; domain: string; odoo: string; image: string; tag?: string; modules: string; workers: number; memoryMb?: number; cpus?: number }) => {
        const host = await findHost(ctx, opts.host);
        const stopFollowing = followJobSteps(ctx);
        const { jobId } = await ctx.call('tenants.create', {
          name,
          hostId: host.id,
          domain: opts.domain,
          odooVersion: opts.odoo as '17.0',
          image: opts.image,
          ...(opts.tag ? { tag: opts.tag } : {}),
          modules: opts.modules.split(',').map((m) => m.trim()).filter(Boolean),
          workers: opts.workers,
          ...(opts.memoryMb ? { memoryMb: opts.memoryMb } : {}),
          ...(opts.cpus ? { cpus: opts.cpus } : {}),
        });
        try {
          await ctx.jobSucceeded(jobId);
        } finally {
          stopFollowing();
        }
        const { password } = await ctx.call('tenants.credentials', { jobId });
        print(ctx, { jobId, name, hostId: host.id, login: 'admin', password }, () =>
          [`Tenant ${name} is up on ${host.name}.`, 'Odoo administrator (shown once, stored encrypted):', '  login:    admin', `  password: ${password ?? '(not available)'}`].join('\n'),
        );
      }),
    );

  tenants
    .command('list')
    .description("a host's tenants, as its labelled containers say")
    .requiredOption('--host <host>', 'the host')
    .action(
      run(async (ctx, opts: { host: string }) => {
        const host = await findHost(ctx, opts.host);
        const list = await ctx.call('tenants.list', { hostId: host.id });
        print(ctx, list, () => (list.length === 0 ? `No tenants on ${host.name}.` : table([['NAME', 'STATE', 'IMAGE', 'PUBLIC HOST'], ...list.map((t) => [t.name, t.suspended ? `${t.state} (suspended)` : t.state, t.image, t.publicHost ?? '-'])])));
      }),
    );

  tenants
    .command('logs <name>')
    .description("a tenant's server log; -f follows it until Ctrl-C")
    .requiredOption('--host <host>', 'the host')
    .option('-f, --follow', 'keep printing new lines')
    .option('--tail <n>', 'lines from the end to start with', (v) => Number.parseInt(v, 10), 100)
    .action(
      run(async (ctx, name: string, opts: { host: string; follow?: boolean; tail: number }) => {
        const host = await findHost(ctx, opts.host);
        if (!opts.follow) {
          const { lines } = await ctx.call('tenants.logs', { hostId: host.id, name, tail: opts.tail });
          print(ctx, lines, () => lines.join('\n'));
          return;
        }
        await followLogs(ctx, host.id, name, opts.tail);
      }),
    );

  for (const action of ['start', 'stop', 'restart', 'suspend', 'reactivate'] as const) {
    const describe = {
      start: "start a tenant's Odoo server",
      stop: "stop a tenant's Odoo server",
      restart: "restart a tenant's Odoo server",
      suspend: 'stop a tenant and block its database logins',
      reactivate: 'allow its database logins again and start it',
    }[action];
    const command = tenants.command(`${action} <name>`).description(describe).requiredOption('--host <host>', 'the host');
    if (action === 'suspend') command.option('--yes', 'suspend even if it is running (it is stopped) without asking');
    command.action(
        run(async (ctx, name: string, opts: { host: string; yes?: boolean }) => {
          const host = await findHost(ctx, opts.host);
          if (action === 'suspend' && !opts.yes) await confirmStoppingIfRunning(ctx, host.id, name);
          const { jobId } = await ctx.call(`tenants.${action}`, { hostId: host.id, name });
          const job = await ctx.jobSucceeded(jobId);
          print(ctx, { jobId, name, action, state: job.state }, () => `${name}: ${action} done.`);
        }),
      );
  }

  tenants
    .command('reset-admin-password <name>')
    .description("give one of the tenant's Odoo administrators a new generated password, printed once")
    .requiredOption('--host <host>', 'the host')
    .requiredOption('--login <login>', "the administrator's login (e.g. admin)")
    .action(
      run(async (ctx, name: string, opts: { host: string; login: string }) => {
        const host = await findHost(ctx, opts.host);
        const reset = await ctx.call('tenants.resetAdminPassword', { hostId: host.id, name, login: opts.login });
        print(ctx, reset, () => `login ${reset.login} · password ${reset.password}\n(shown once: only its hash is kept, in the tenant's database)`);
      }),
    );

  tenants
    .command('show <name>')
    .description('one tenant: image, database, volumes, limits, routing and a live health check')
    .requiredOption('--host <host>', 'the host')
    .action(
      run(async (ctx, name: string, opts: { host: string }) => {
        const host = await findHost(ctx, opts.host);
        const t = await ctx.call('tenants.show', { hostId: host.id, name });
        print(ctx, t, () =>
          table([
            ['Tenant', `${t.name} on ${host.name}`],
            ['State', `${t.suspended ? 'suspended' : t.state} (${t.status})`],
            ['Health', `${t.health.ok ? 'ok' : 'failing'}: ${t.health.detail}`],
            ['Image', `${t.image}:${t.tag}`],
            ['Public host', t.publicHost ?? '-'],
            ['Database', `${t.database ?? '-'} (role ${t.role ?? '-'}, server ${t.dbHost ?? '-'})`],
            ['Filestore volume', t.dataVolume ?? '-'],
            ['Limits', `memory ${t.memoryLimitBytes ? `${Math.round(t.memoryLimitBytes / 2 ** 20)} MiB` : 'none'}, CPUs ${t.cpus ?? 'no limit'}`],
            ['Restart', `${t.restartPolicy ?? '-'} (restarted ${t.restartCount}×)`],
            ['Created', t.createdAt],
          ]),
        );
      }),
    );

  tenants
    .command('decommission <name>')
    .description("final archive in Odoo's backup format, then remove the tenant's container, database, role, volumes and secrets")
    .requiredOption('--host <host>', 'the host')
    .option('--confirm <name>', "the tenant's name again (asked for when omitted on a terminal)")
    .action(
      run(async (ctx, name: string, opts: { host: string; confirm?: string }) => {
        const host = await findHost(ctx, opts.host);
        const typed = await typedName(name, opts.confirm, `This archives ${name}, then removes it from ${host.name} for good. Type its name to confirm: `);
        const stopFollowing = followJobSteps(ctx);
        let job;
        try {
          const { jobId } = await ctx.call('tenants.decommission', { hostId: host.id, name, confirm: typed });
          job = await ctx.jobSucceeded(jobId);
        } finally {
          stopFollowing();
        }
        const archive = (job.result as { archive?: { copies: Array<{ kind: string; hostId?: string; path: string }>; path: string; sha256: string; bytes: number } } | null)?.archive ?? null;
        const hosts = await ctx.call('hosts.list', {});
        print(ctx, { jobId: job.id, name, archive }, () =>
          [
            `${name} is decommissioned.`,
            `Final archive (restore-drilled before anything was removed): ${(archive?.copies ?? []).map((c) => describeCopy(c, hosts)).join(', ') || '-'}`,
            `  sha256 ${archive?.sha256 ?? '-'}, ${archive?.bytes ?? 0} bytes`,
          ].join('\n'),
        );
      }),
    );

  tenants
    .command('reconcile')
    .description("compare a host's labelled containers and volumes, its databases and this console's journal; list the drift with a suggested action")
    .requiredOption('--host <host>', 'the host')
    .action(
      run(async (ctx, opts: { host: string }) => {
        const host = await findHost(ctx, opts.host);
        const report = await ctx.call('tenants.reconcile', { hostId: host.id });
        print(ctx, report, () =>
          [
            `${host.name}: ${report.tenantsInOrder} tenant(s) in order${report.databasesChecked ? '' : ' (no database server set: databases not compared)'}.`,
            report.items.length === 0 ? 'No drift.' : table([['ITEM', 'KIND', 'ACTION', 'WHAT'], ...report.items.map((i) => [i.id, i.kind, i.actions.join(', '), i.summary])]),
            ...report.items.map((i) => `  ${i.id}: ${i.suggestion}`),
          ].join('\n'),
        );
      }),
    );

  tenants
    .command('cleanup <item>')
    .description('remove what one reconcile item names (checked again first), as a durable job')
    .requiredOption('--host <host>', 'the host')
    .option('--fingerprint <f>', 'the item\'s fingerprint as the report showed it (refused if the host changed since)')
    .action(
      run(async (ctx, item: string, opts: { host: string; fingerprint?: string }) => {
        const host = await findHost(ctx, opts.host);
        const stopFollowing = followJobSteps(ctx);
        try {
          const { jobId } = await ctx.call('tenants.cleanup', { hostId: host.id, item, ...(opts.fingerprint ? { fingerprint: opts.fingerprint } : {}) });
          const job = await ctx.jobSucceeded(jobId);
          print(ctx, { jobId, item, state: job.state }, () => `${item}: cleaned up.`);
        } finally {
          stopFollowing();
        }
      }),
    );

  tenants
    .command('adopt <name>')
    .description('make an unlabelled Odoo container (--container) or an unclaimed Odoo database (--database with --image, --tag, --domain) a tenant')
    .requiredOption('--host <host>', 'the host')
    .option('--container <id|name>', 'the unlabelled Odoo container: recreated as fleet-<name> with the fleet labels')
    .option('--database <db>', 'with --container: the database it serves, if its command line does not say; alone: the database to adopt')
    .option('--domain <domain>', 'its public host name is <name>.<domain> (routing labels)')
    .option('--image <repository>', 'with a database: the Odoo image repository')
    .option('--tag <tag>', 'with a database: the image tag')
    .option('--odoo <version>', 'with a database: Odoo major version', '17.0')
    .option('--workers <n>', 'with a database: Odoo workers', (v) => Number.parseInt(v, 10), 2)
    .action(
      run(async (ctx, name: string, opts: { host: string; container?: string; database?: string; domain?: string; image?: string; tag?: string; odoo: string; workers: number }) => {
        const host = await findHost(ctx, opts.host);
        let input: OpInput<'tenants.adopt'>;
        if (opts.container) {
          input = { kind: 'container', hostId: host.id, name, container: opts.container, ...(opts.domain ? { domain: opts.domain } : {}), ...(opts.database ? { database: opts.database } : {}) };
        } else if (opts.database) {
          if (!opts.image || !opts.tag || !opts.domain) throw new FleetError('VALIDATION', 'Adopting a database needs --image, --tag and --domain.');
          input = { kind: 'database', hostId: host.id, name, database: opts.database, image: opts.image, tag: opts.tag, domain: opts.domain, odooVersion: opts.odoo as '17.0', workers: opts.workers };
        } else {
          throw new FleetError('VALIDATION', 'Say what to adopt: --container <id|name>, or --database <db> --image … --tag … --domain ….');
        }
        const stopFollowing = followJobSteps(ctx);
        try {
          const { jobId } = await ctx.call('tenants.adopt', input);
          const job = await ctx.jobSucceeded(jobId);
          print(ctx, { jobId, name, hostId: host.id, state: job.state }, () => `${name} is a tenant of ${host.name} now.`);
        } finally {
          stopFollowing();
        }
      }),
    );

  program
    .command('backup <tenant>')
    .description("back a tenant up now: Odoo's backup zip (database in one snapshot, filestore), verified and catalogued on its host")
    .requiredOption('--host <host>', 'the host')
    .option('--to <destination>', `${DESTINATION_HELP} (default: the tenant's schedule, else local)`, collect)
    .option('--key <name>', "encrypt with this backup key (see 'odoo-fleet keys'; default: the tenant's schedule)")
    .option('--no-encrypt', 'do not encrypt, whatever the schedule says')
    .action(
      run(async (ctx, name: string, opts: { host: string; to?: string[]; key?: string; encrypt: boolean }) => {
        const host = await findHost(ctx, opts.host);
        const destinations = opts.to ? await Promise.all(opts.to.map((d) => parseDestination(ctx, d))) : undefined;
        const stopFollowing = followJobSteps(ctx);
        let backupId: string;
        try {
          const started = await ctx.call('backups.create', { hostId: host.id, name, ...(destinations ? { destinations } : {}), ...(opts.key ? { key: opts.key } : opts.encrypt ? {} : { key: null }) });
          backupId = started.backupId;
          await ctx.jobSucceeded(started.jobId);
        } finally {
          stopFollowing();
        }
        const entry = (await ctx.call('backups.list', { hostId: host.id, name, limit: 20 })).find((b) => b.id === backupId);
        const hosts = await ctx.call('hosts.list', {});
        print(ctx, entry, () =>
          [
            `Backed up ${name}${entry?.keyId ? ` (encrypted, key ${entry.keyId})` : ''}: ${(entry?.destinations ?? []).map((d) => describeCopy(d, hosts)).join(', ') || '-'}`,
            `  ${entry?.bytes ?? 0} bytes, sha256 ${entry?.sha256 ?? '-'}, ${entry?.durationMs ?? 0} ms`,
            `  ${Object.keys(entry?.rowCounts ?? {}).length} tables counted, ${entry?.filestore?.files ?? 0} filestore files; ${entry?.verification?.detail ?? 'not verified'}`,
          ].join('\n'),
        );
      }),
    );

  program
    .command('restore <tenant>')
    .description('restore a tenant from a catalogued backup (--backup) or an Odoo backup zip (--file); its old data stays in place until everything succeeded, then is kept for the undo window')
    .requiredOption('--host <host>', 'the host')
    .option('--backup <id>', "a backup id from 'odoo-fleet backups'")
    .option('--file <path>', "an Odoo backup zip (ours, or one Odoo's database manager wrote)")
    .option('--copy', 'give the restored database a new identity (database.uuid, database.secret)')
    .option('--neutralize', 'turn crons and outgoing mail servers off')
    .option('--confirm <name>', "the tenant's name again (asked for when omitted on a terminal)")
    .option('--without-undo <name>', "the tenant's name again: drop the replaced data once the restore succeeded, instead of keeping it for the undo window")
    .action(
      run(async (ctx, name: string, opts: { host: string; backup?: string; file?: string; copy?: boolean; neutralize?: boolean; confirm?: string; withoutUndo?: string }) => {
        const host = await findHost(ctx, opts.host);
        const confirm = await typedName(name, opts.confirm, `This replaces ${name}'s data on ${host.name} with the archive's (the current data is kept for the undo window). Type its name to confirm: `);
        const job = await runFollowed(ctx, () =>
          ctx.call('backups.restore', {
            hostId: host.id,
            name,
            ...(opts.backup ? { backupId: opts.backup } : {}),
            ...(opts.file ? { file: opts.file } : {}),
            copy: Boolean(opts.copy),
            neutralize: Boolean(opts.neutralize),
            confirm,
            ...(opts.withoutUndo !== undefined ? { withoutUndo: opts.withoutUndo } : {}),
          }),
        );
        const findings = (job.result as { findings?: RestoreFindings | null } | undefined)?.findings ?? null;
        print(ctx, { jobId: job.id, name, state: job.state, findings }, () => [`${name} is restored.`, ...describeFindings(name, findings)].join('\n'));
        if (findings?.adminsOnDefaultPassword.length && interactive() && !ctx.options.json) await offerNewAdminPasswords(ctx, host.id, name, findings.adminsOnDefaultPassword);
      }),
    );

  program
    .command('undo-restore <tenant>')
    .description("put back the data a tenant's last restore replaced (kept for the undo window); what it replaces is kept in turn")
    .requiredOption('--host <host>', 'the host')
    .option('--confirm <name>', "the tenant's name again (asked for when omitted on a terminal)")
    .action(
      run(async (ctx, name: string, opts: { host: string; confirm?: string }) => {
        const host = await findHost(ctx, opts.host);
        const kept = await ctx.call('backups.keptCopy', { hostId: host.id, name });
        if (!kept) throw new FleetError('NOT_FOUND', `${name} has no kept copy of replaced data to go back to.`);
        const confirm = await typedName(name, opts.confirm, `This puts back ${name}'s data from before the restore of ${kept.restoredAt}. Type its name to confirm: `);
        const job = await runFollowed(ctx, () => ctx.call('backups.undoRestore', { hostId: host.id, name, confirm }));
        print(ctx, { jobId: job.id, name, state: job.state }, () => `${name} is back to its data from before the restore; the restored data is kept until ${kept.keptUntil}.`);
      }),
    );

  program
    .command('kept-copy <tenant>')
    .description("the data a tenant's last restore replaced, while it is kept: until when and the disk it holds; --drop frees it now")
    .requiredOption('--host <host>', 'the host')
    .option('--drop', 'drop it now (the way back is gone)')
    .option('--confirm <name>', "with --drop: the tenant's name again (asked for when omitted on a terminal)")
    .action(
      run(async (ctx, name: string, opts: { host: string; drop?: boolean; confirm?: string }) => {
        const host = await findHost(ctx, opts.host);
        const kept = await ctx.call('backups.keptCopy', { hostId: host.id, name });
        if (!opts.drop) {
          print(ctx, kept, () => (kept ? describeKeptCopy(kept) : `${name} has no kept copy.`));
          return;
        }
        if (!kept) throw new FleetError('NOT_FOUND', `${name} has no kept copy to drop.`);
        const confirm = await typedName(name, opts.confirm, `This drops ${name}'s data from before the restore of ${kept.restoredAt}, for good. Type its name to confirm: `);
        const job = await runFollowed(ctx, () => ctx.call('backups.discardKeptCopy', { hostId: host.id, name, confirm }));
        print(ctx, { jobId: job.id, name, state: job.state }, () => `${name}'s kept copy is dropped.`);
      }),
    );

  program
    .command('verify <tenant>')
    .description("a restore drill: load a backup into scratch copies on the host, compare exact row counts and the filestore digest with the catalog, record the verdict")
    .requiredOption('--host <host>', 'the host')
    .requiredOption('--backup <id>', "a backup id from 'odoo-fleet backups'")
    .action(
      run(async (ctx, name: string, opts: { host: string; backup: string }) => {
        const host = await findHost(ctx, opts.host);
        const stopFollowing = followJobSteps(ctx);
        try {
          const { jobId } = await ctx.call('backups.verify', { hostId: host.id, name, backupId: opts.backup });
          const job = await ctx.jobSucceeded(jobId);
          const verdict = (job.result as { verdict?: { ok: boolean; detail: string } } | undefined)?.verdict;
          print(ctx, { jobId: job.id, name, backupId: opts.backup, verdict }, () => `Verified: ${verdict?.detail ?? 'ok'}`);
        } finally {
          stopFollowing();
        }
      }),
    );

  const policyTable = (list: Array<{ tenant: string; everyHours: number; keepDaily: number; keepWeekly: number; keepMonthly: number; nextRunAt: string; newestBackupAt: string | null; overdue: boolean; lastOutcome: string | null }>) =>
    table([
      ['TENANT', 'EVERY', 'KEEP D/W/M', 'NEXT RUN', 'NEWEST BACKUP', 'LAST OUTCOME'],
      ...list.map((p) => [p.tenant, `${p.everyHours} h`, `${p.keepDaily}/${p.keepWeekly}/${p.keepMonthly}`, p.nextRunAt, `${p.newestBackupAt ?? 'none'}${p.overdue ? ' (OVERDUE)' : ''}`, p.lastOutcome ?? '-']),
    ]);

  program
    .command('schedule <tenant>')
    .description("back a tenant up every N hours and keep N daily / weekly / monthly backups; runs once across every console managing the host")
    .requiredOption('--host <host>', 'the host')
    .requiredOption('--every <hours>', 'hours between backups', (v) => Number.parseInt(v, 10))
    .option('--jitter-minutes <n>', 'random delay added to each run', (v) => Number.parseInt(v, 10), 10)
    .option('--keep-daily <n>', 'daily backups to keep', (v) => Number.parseInt(v, 10), 7)
    .option('--keep-weekly <n>', 'weekly backups to keep', (v) => Number.parseInt(v, 10), 4)
    .option('--keep-monthly <n>', 'monthly backups to keep', (v) => Number.parseInt(v, 10), 12)
    .option('--to <destination>', `${DESTINATION_HELP} (default: local)`, collect)
    .option('--key <name>', "encrypt every archive with this backup key (see 'odoo-fleet keys')")
    .action(
      run(async (ctx, name: string, opts: { host: string; every: number; jitterMinutes: number; keepDaily: number; keepWeekly: number; keepMonthly: number; to?: string[]; key?: string }) => {
        const host = await findHost(ctx, opts.host);
        const destinations = await Promise.all((opts.to ?? ['local']).map((d) => parseDestination(ctx, d)));
        const list = await ctx.call('backups.setPolicy', {
          hostId: host.id,
          name,
          everyHours: opts.every,
          jitterMinutes: opts.jitterMinutes,
          keepDaily: opts.keepDaily,
          keepWeekly: opts.keepWeekly,
          keepMonthly: opts.keepMonthly,
          destinations,
          key: opts.key ?? null,
        });
        print(ctx, list, () => policyTable(list));
      }),
    );

  program
    .command('unschedule <tenant>')
    .description("stop a tenant's scheduled backups (its backups stay)")
    .requiredOption('--host <host>', 'the host')
    .action(
      run(async (ctx, name: string, opts: { host: string }) => {
        const host = await findHost(ctx, opts.host);
        const list = await ctx.call('backups.removePolicy', { hostId: host.id, name });
        print(ctx, list, () => policyTable(list));
      }),
    );

  program
    .command('schedules')
    .description("a host's backup schedules: next run, newest backup (flagged when overdue), last outcome")
    .requiredOption('--host <host>', 'the host')
    .action(
      run(async (ctx, opts: { host: string }) => {
        const host = await findHost(ctx, opts.host);
        const list = await ctx.call('backups.policies', { hostId: host.id });
        print(ctx, list, () => (list.length ? policyTable(list) : `No backup schedules on ${host.name}.`));
      }),
    );

  program
    .command('prune <tenant>')
    .description("delete the tenant's backups that its retention policy does not keep, from every destination (never the newest, nor the newest verified)")
    .requiredOption('--host <host>', 'the host')
    .action(
      run(async (ctx, name: string, opts: { host: string }) => {
        const host = await findHost(ctx, opts.host);
        const result = await ctx.call('backups.prune', { hostId: host.id, name });
        print(ctx, result, () => `Pruned ${result.pruned.length} backup(s) of ${name}.`);
      }),
    );

  program
    .command('backups')
    .description("a host's backup catalog (every console's backups), newest first")
    .requiredOption('--host <host>', 'the host')
    .option('--tenant <name>', 'only this tenant')
    .option('--limit <n>', 'entries', (v) => Number.parseInt(v, 10), 50)
    .option('--rebuild-from <destination>', "first record the host's archives found in a destination (their sidecars) that the catalog lacks")
    .action(
      run(async (ctx, opts: { host: string; tenant?: string; limit: number; rebuildFrom?: string }) => {
        const host = await findHost(ctx, opts.host);
        if (opts.rebuildFrom) {
          const found = await ctx.call('backups.rebuildCatalog', { hostId: host.id, destination: await parseDestination(ctx, opts.rebuildFrom) });
          if (ctx.options.json) return print(ctx, found, () => '');
          process.stderr.write(`Catalog rebuilt from ${opts.rebuildFrom}: ${found.added} added, ${found.updated} with a new copy${found.skipped.length ? `; skipped:\n  ${found.skipped.join('\n  ')}` : ''}\n`);
        }
        const list = await ctx.call('backups.list', { hostId: host.id, ...(opts.tenant ? { name: opts.tenant } : {}), limit: opts.limit });
        const hosts = await ctx.call('hosts.list', {});
        print(ctx, list, () =>
          list.length === 0
            ? `No backups on ${host.name}${opts.tenant ? ` for ${opts.tenant}` : ''}.`
            : table([
                ['ID', 'STARTED', 'TENANT', 'KIND', 'STATE', 'BYTES', 'ENCRYPTED', 'VERIFIED', 'WHERE'],
                ...list.map((b) => [
                  b.id,
                  b.startedAt,
                  b.tenant,
                  b.kind,
                  b.state,
                  String(b.bytes ?? '-'),
                  b.keyId ?? 'no',
                  b.verification ? `${b.verification.ok ? 'ok' : 'FAILED'} (${b.verification.method})` : '-',
                  b.destinations.map((d) => describeCopy(d, hosts)).join(', ') || b.error || '-',
                ]),
              ]),
        );
      }),
    );

  program
    .command('clone <tenant>')
    .description('clone a tenant to a staging tenant from its newest backup (or --backup): neutralized (new identity, crons and mail off), removed automatically when its time to live ends')
    .requiredOption('--host <host>', 'the host')
    .option('--as <name>', "the staging tenant's name (default: <tenant>-staging)")
    .option('--ttl-hours <n>', 'hours until it is removed', (v) => Number.parseInt(v, 10), 48)
    .option('--backup <id>', 'a catalogued backup to clone from')
    .option('--domain <domain>', "its public domain (default: the tenant's)")
    .action(
      run(async (ctx, name: string, opts: { host: string; as?: string; ttlHours: number; backup?: string; domain?: string }) => {
        const host = await findHost(ctx, opts.host);
        const stopFollowing = followJobSteps(ctx);
        try {
          const started = await ctx.call('tenants.clone', { hostId: host.id, name, ttlHours: opts.ttlHours, ...(opts.as ? { as: opts.as } : {}), ...(opts.backup ? { backupId: opts.backup } : {}), ...(opts.domain ? { domain: opts.domain } : {}) });
          await ctx.jobSucceeded(started.jobId);
          print(ctx, started, () => `${started.name} is a staging clone of ${name}, removed at ${started.expiresAt}.`);
        } finally {
          stopFollowing();
        }
      }),
    );

  program
    .command('staging')
    .description("a host's staging clones and when each expires; --remove removes one now")
    .requiredOption('--host <host>', 'the host')
    .option('--remove <name>', 'remove this staging clone now (refused for anything but a staging clone)')
    .action(
      run(async (ctx, opts: { host: string; remove?: string }) => {
        const host = await findHost(ctx, opts.host);
        if (opts.remove) {
          const stopFollowing = followJobSteps(ctx);
          try {
            await ctx.jobSucceeded((await ctx.call('tenants.removeStaging', { hostId: host.id, name: opts.remove })).jobId);
          } finally {
            stopFollowing();
          }
        }
        const list = await ctx.call('tenants.staging', { hostId: host.id });
        print(ctx, list, () => (list.length ? table([['CLONE', 'OF', 'EXPIRES', 'BY'], ...list.map((c) => [c.tenant, c.source, c.expiresAt, c.createdBy])]) : `No staging clones on ${host.name}.`));
      }),
    );

  program
    .command('update <tenant>')
    .description('update safely: back up, try the update on a staging clone, update the tenant, revert automatically (previous image + restore) if the update or its health check fails')
    .requiredOption('--host <host>', 'the host')
    .option('--tag <tag>', 'the new image tag (same repository; the image must be on the host)')
    .option('--modules <names>', "modules to update (odoo -u), comma separated, or 'all'")
    .option('--no-trial', 'skip the trial on a staging clone (when the host has no room for one)')
    .option('--health-timeout <seconds>', 'how long the updated server may take to answer /web/health', (v) => Number.parseInt(v, 10), 120)
    .action(
      run(async (ctx, name: string, opts: { host: string; tag?: string; modules?: string; trial: boolean; healthTimeout: number }) => {
        const host = await findHost(ctx, opts.host);
        const modules = opts.modules ? opts.modules.split(',').map((m) => m.trim()).filter(Boolean) : undefined;
        const stopFollowing = followJobSteps(ctx);
        try {
          const { jobId } = await ctx.call('tenants.update', { hostId: host.id, name, trial: opts.trial, healthTimeoutSeconds: opts.healthTimeout, ...(opts.tag ? { tag: opts.tag } : {}), ...(modules ? { modules } : {}) });
          const job = await ctx.jobSucceeded(jobId);
          print(ctx, { jobId, name, result: job.result }, () => `${name} is updated${opts.tag ? ` to ${opts.tag}` : ''}${modules ? ` (modules ${modules.join(', ')})` : ''}.`);
        } finally {
          stopFollowing();
        }
      }),
    );

  const keys = program.command('keys').description('backup encryption keys: yours to keep; export them somewhere safe, import them into another console to restore there');
  keys
    .command('list')
    .action(
      run(async (ctx) => {
        const list = await ctx.call('keys.list', {});
        print(ctx, list, () => (list.length ? table([['NAME', 'ID', 'CREATED'], ...list.map((k) => [k.name, k.id, k.createdAt])]) : 'No backup keys yet: odoo-fleet keys create <name>'));
      }),
    );
  keys
    .command('create <name>')
    .description('make a new random key (AES-256), kept in the vault')
    .action(
      run(async (ctx, name: string) => {
        const key = await ctx.call('keys.create', { name });
        print(ctx, key, () => `Created backup key ${key.name} (${key.id}). Export it now and keep it offline: without it, its archives cannot be read.`);
      }),
    );
  keys
    .command('export <name>')
    .description('print the key as one line of text (to stdout only)')
    .action(
      run(async (ctx, name: string) => {
        const key = await ctx.call('keys.export', { name });
        print(ctx, key, () => key.secret);
      }),
    );
  keys
    .command('import <name>')
    .description('import an exported key, read from stdin or from the environment variable --secret-env names')
    .option('--secret-env <var>', 'read the key line from this environment variable instead of stdin')
    .action(
      run(async (ctx, name: string, opts: { secretEnv?: string }) => {
        const secret = opts.secretEnv ? await readSecret(opts.secretEnv, null) : await readAllStdin();
        const key = await ctx.call('keys.import', { name, secret: (secret ?? '').trim() });
        print(ctx, key, () => `Imported backup key ${key.name} (${key.id}).`);
      }),
    );
  keys
    .command('rm <name>')
    .description('forget a key: archives it encrypted cannot be read by this console any more')
    .action(
      run(async (ctx, name: string) => {
        const result = await ctx.call('keys.remove', { name });
        print(ctx, result, () => `Forgot backup key ${name}.`);
      }),
    );

  const jobs = program.command('jobs').description('durable jobs: list them, resume the ones a killed console left behind');
  jobs
    .command('list')
    .option('--limit <n>', 'jobs', (v) => Number.parseInt(v, 10), 50)
    .action(
      run(async (ctx, opts: { limit: number }) => {
        const list = await ctx.call('jobs.list', { limit: opts.limit });
        print(ctx, list, () => table([['ID', 'KIND', 'TARGET', 'STATE', 'CREATED', 'ERROR'], ...list.map((j) => [j.id.slice(0, 8), j.kind, j.target, j.state, j.createdAt, j.error ? `${j.error.step ?? ''}: ${j.error.message}` : ''])]));
      }),
    );
  jobs
    .command('resume')
    .description('finish or undo the jobs of consoles that died mid-job (the desktop and web consoles do this at start)')
    .action(
      run(async (ctx) => {
        const report = await ctx.call('jobs.resume', {});
        const finished = await Promise.all(report.resumed.map((r) => ctx.waitForJob(r.jobId)));
        print(ctx, { ...report, finished: finished.map((j) => ({ id: j.id, state: j.state })) }, () =>
          report.resumed.length === 0 && report.skipped.length === 0
            ? 'No interrupted jobs.'
            : [...finished.map((j) => `${j.id.slice(0, 8)} ${j.kind} ${j.target}: ${j.state}`), ...report.skipped.map((s) => `${s.jobId.slice(0, 8)} skipped: ${s.reason}`)].join('\n'),
        );
      }),
    );

  program
    .command('audit')
    .description("the local audit trail, newest first; with --host, the host's shared trail (every console's actions on it)")
    .option('--limit <n>', 'entries', (v) => Number.parseInt(v, 10), 50)
    .option('--host <host>', "the host's shared trail instead of this console's")
    .action(
      run(async (ctx, opts: { limit: number; host?: string }) => {
        const entries = opts.host ? await ctx.call('hosts.audit', { id: (await findHost(ctx, opts.host)).id, limit: opts.limit }) : await ctx.call('audit.list', { limit: opts.limit });
        const consoleColumn = (e: (typeof entries)[number]) => ('consoleId' in e ? [String(e.consoleId).slice(0, 8)] : []);
        print(ctx, entries, () =>
          table([
            ['WHEN', 'ACTOR', 'ROLE', 'OPERATION', 'TARGET', 'OUTCOME', ...(opts.host ? ['CONSOLE'] : [])],
            ...entries.map((e) => [e.at, e.actor, e.role, e.operation, e.target ?? '-', e.errorCode ? `${e.outcome} (${e.errorCode})` : e.outcome, ...consoleColumn(e)]),
          ]),
        );
      }),
    );

  registerPosCommands(program);

  return program;
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
  const fingerprint = await confirmFingerprint(ctx, `${candidate.alias} (${candidate.hostName}:${candidate.port})`, probe, opts.trust, Boolean(opts.yes));
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

export async function runCli(argv: string[]): Promise<void> {
  const program = buildCli();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    const err = error as { code?: string; exitCode?: number };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      process.exitCode = EXIT.ok;
      return;
    }
    process.exitCode = typeof err.exitCode === 'number' && err.exitCode !== 0 ? EXIT.usage : EXIT.failed;
  }
}
