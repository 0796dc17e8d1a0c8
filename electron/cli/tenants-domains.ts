import type { Command } from 'commander';
import { table } from './actions.js';
import { findHost, print, run, type CliContext } from './context.js';

// `odoo-fleet tenants domains …`: the names a tenant answers to through the host's managed proxy.

async function showDomains(ctx: CliContext, hostId: string, name: string): Promise<void> {
  const d = await ctx.call('tenants.domains', { hostId, name });
  print(ctx, d, () =>
    [
      d.url ? `${name} is at ${d.url}` : `${name} has no HTTPS address (the host has no managed proxy).`,
      d.names.length
        ? table([['NAME', 'MAIN', 'ADDED', 'BY'], ...d.names.map((n) => [n.domain, n.main ? 'main' : '', n.addedAt, n.addedBy])])
        : `Served at: ${d.served.join(', ') || '-'}`,
    ].join('\n'),
  );
}

export function registerTenantDomains(tenants: Command): void {
  const domains = tenants.command('domains').description("the names a tenant answers to: list, add (DNS must point at the host), remove, and switch its main one");
  domains
    .command('list <name>')
    .requiredOption('--host <host>', 'the host')
    .action(run(async (ctx, name: string, opts: { host: string }) => {
      const host = await findHost(ctx, opts.host);
      await showDomains(ctx, host.id, name);
    }));
  domains
    .command('add <name> <domain>')
    .description('serve the tenant at one more name; its certificate is obtained on the first visit')
    .requiredOption('--host <host>', 'the host')
    .option('--skip-dns-check', 'add it although DNS does not point it at the host yet')
    .option('--allow-unreachable <hosts...>', 'hosts (by name) that cannot be asked whether a tenant there has the name, vouched for')
    .action(run(async (ctx, name: string, domain: string, opts: { host: string; skipDnsCheck?: boolean; allowUnreachable?: string[] }) => {
      const host = await findHost(ctx, opts.host);
      await ctx.runJob(() => ctx.call('tenants.addDomain', { hostId: host.id, name, domain, skipDnsCheck: !!opts.skipDnsCheck, allowUnreachable: opts.allowUnreachable ?? [] }));
      await showDomains(ctx, host.id, name);
    }));
  domains
    .command('remove <name> <domain>')
    .description('stop serving the tenant at a name (not its main one)')
    .requiredOption('--host <host>', 'the host')
    .action(run(async (ctx, name: string, domain: string, opts: { host: string }) => {
      const host = await findHost(ctx, opts.host);
      await ctx.runJob(() => ctx.call('tenants.removeDomain', { hostId: host.id, name, domain }));
      await showDomains(ctx, host.id, name);
    }));
  domains
    .command('main <name> <domain>')
    .description("make one of its names the main one: web.base.url follows, and Odoo restarts to read it")
    .requiredOption('--host <host>', 'the host')
    .action(run(async (ctx, name: string, domain: string, opts: { host: string }) => {
      const host = await findHost(ctx, opts.host);
      await ctx.runJob(() => ctx.call('tenants.setMainDomain', { hostId: host.id, name, domain }));
      await showDomains(ctx, host.id, name);
    }));
}
