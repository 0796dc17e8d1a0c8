import type { Command } from 'commander';
import { FleetError } from '../../shared/errors.js';
import { int, table } from './actions.js';
import { findHost, print, run, type CliContext } from './context.js';
import { describeCopy } from './destinations.js';
import { confirm, interactive, typedName } from './prompt.js';
import { registerTenantDomains } from './tenants-domains.js';
import { registerTenantCertificates } from './certificates.js';
import { registerTenantDriftCommands } from './tenants-drift.js';

// `odoo-fleet tenants …`: create, list, logs, the lifecycle actions, show, decommission
// (reconcile, cleanup and adopt: tenants-drift.ts).

const LIFECYCLE_ACTIONS = {
  start: "start a tenant's Odoo server",
  stop: "stop a tenant's Odoo server",
  restart: "restart a tenant's Odoo server",
  suspend: 'stop a tenant and block its database logins',
  reactivate: 'allow its database logins again and start it',
} as const;

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

/** Suspending a running tenant stops it, for its users too: asked first (or --yes). */
async function confirmStoppingIfRunning(ctx: CliContext, hostId: string, name: string): Promise<void> {
  const tenant = (await ctx.call('tenants.list', { hostId })).find((t) => t.name === name);
  if (tenant?.state !== 'running') return;
  if (!interactive()) throw new FleetError('VALIDATION', `${name} is running: suspending stops it. Pass --yes to suspend it anyway.`, { field: 'yes' });
  if (!(await confirm(`${name} is running and serving its users: suspending stops it. Suspend it?`))) throw new FleetError('VALIDATION', `${name} was not suspended.`);
}

export function registerTenantCommands(program: Command): void {
  const tenants = program.command('tenants').description('create, list, show, start, stop, suspend, reactivate and decommission tenants; follow their logs; reconcile a host, clean up, adopt');
  registerTenantDomains(tenants);
  registerCreate(tenants);

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
    .option('--tail <n>', 'lines from the end to start with', int, 100)
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

  for (const [action, describe] of Object.entries(LIFECYCLE_ACTIONS) as Array<[keyof typeof LIFECYCLE_ACTIONS, string]>) {
    const command = tenants.command(`${action} <name>`).description(describe).requiredOption('--host <host>', 'the host');
    if (action === 'suspend') command.option('--yes', 'suspend even if it is running (it is stopped) without asking');
    command.action(
      run(async (ctx, name: string, opts: { host: string; yes?: boolean }) => {
        const host = await findHost(ctx, opts.host);
        if (action === 'suspend' && !opts.yes) await confirmStoppingIfRunning(ctx, host.id, name);
        const { started, job } = await ctx.runJob(() => ctx.call(`tenants.${action}`, { hostId: host.id, name }));
        print(ctx, { jobId: started.jobId, name, action, state: job.state }, () => `${name}: ${action} done.`);
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

  registerShow(tenants);
  registerDecommission(tenants);
  registerTenantDriftCommands(tenants);
  registerTenantCertificates(tenants);
}

function registerCreate(tenants: Command): void {
  tenants
    .command('create <name>')
    .description('create an Odoo tenant as a durable job and follow its steps')
    .requiredOption('--host <host>', 'the host to create it on')
    .requiredOption('--domain <domain>', 'its public host name is <name>.<domain>')
    .option('--odoo <version>', 'Odoo major version (16.0, 17.0, 18.0)', '17.0')
    .option('--image <repository>', 'Odoo image repository', 'odoo')
    .option('--tag <tag>', 'image tag (default: the Odoo version)')
    .option('--modules <list>', 'modules to install, comma-separated', 'base')
    .option('--workers <n>', 'Odoo workers', int, 2)
    .option('--memory-mb <n>', 'memory limit', int)
    .option('--cpus <n>', 'CPU limit', (v) => Number.parseFloat(v))
    .action(
      run(async (ctx, name: string, opts: { host: string; domain: string; odoo: string; image: string; tag?: string; modules: string; workers: number; memoryMb?: number; cpus?: number }) => {
        const host = await findHost(ctx, opts.host);
        const { started } = await ctx.runJob(() =>
          ctx.call('tenants.create', {
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
          }),
        );
        const { jobId } = started;
        const { password } = await ctx.call('tenants.credentials', { jobId });
        print(ctx, { jobId, name, hostId: host.id, login: 'admin', password }, () =>
          [`Tenant ${name} is up on ${host.name}.`, 'Odoo administrator (shown once, stored encrypted):', '  login:    admin', `  password: ${password ?? '(not available)'}`].join('\n'),
        );
      }),
    );
}

function registerShow(tenants: Command): void {
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
}

function registerDecommission(tenants: Command): void {
  tenants
    .command('decommission <name>')
    .description("final archive in Odoo's backup format, then remove the tenant's container, database, role, volumes and secrets")
    .requiredOption('--host <host>', 'the host')
    .option('--confirm <name>', "the tenant's name again (asked for when omitted on a terminal)")
    .action(
      run(async (ctx, name: string, opts: { host: string; confirm?: string }) => {
        const host = await findHost(ctx, opts.host);
        const typed = await typedName(name, opts.confirm, `This archives ${name}, then removes it from ${host.name} for good. Type its name to confirm: `);
        const { job } = await ctx.runJob(() => ctx.call('tenants.decommission', { hostId: host.id, name, confirm: typed }));
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
}
