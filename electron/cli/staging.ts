import type { Command } from 'commander';
import { int, table } from './actions.js';
import { findHost, print, run } from './context.js';

// `odoo-fleet clone | staging | update`: staging clones, and safe updates that try themselves on one.

export function registerStagingCommands(program: Command): void {
  program
    .command('clone <tenant>')
    .description('clone a tenant to a staging tenant from its newest backup (or --backup): neutralized (new identity, crons and mail off), removed automatically when its time to live ends')
    .requiredOption('--host <host>', 'the host')
    .option('--as <name>', "the staging tenant's name (default: <tenant>-staging)")
    .option('--ttl-hours <n>', 'hours until it is removed', int, 48)
    .option('--backup <id>', 'a catalogued backup to clone from')
    .option('--domain <domain>', "its public domain (default: the tenant's)")
    .action(
      run(async (ctx, name: string, opts: { host: string; as?: string; ttlHours: number; backup?: string; domain?: string }) => {
        const host = await findHost(ctx, opts.host);
        const { started } = await ctx.runJob(() =>
          ctx.call('tenants.clone', { hostId: host.id, name, ttlHours: opts.ttlHours, ...(opts.as ? { as: opts.as } : {}), ...(opts.backup ? { backupId: opts.backup } : {}), ...(opts.domain ? { domain: opts.domain } : {}) }),
        );
        print(ctx, started, () => `${started.name} is a staging clone of ${name}, removed at ${started.expiresAt}.`);
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
        const remove = opts.remove;
        if (remove) await ctx.runJob(() => ctx.call('tenants.removeStaging', { hostId: host.id, name: remove }));
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
    .option('--health-timeout <seconds>', 'how long the updated server may take to answer /web/health', int, 120)
    .action(
      run(async (ctx, name: string, opts: { host: string; tag?: string; modules?: string; trial: boolean; healthTimeout: number }) => {
        const host = await findHost(ctx, opts.host);
        const modules = opts.modules ? opts.modules.split(',').map((m) => m.trim()).filter(Boolean) : undefined;
        const { started, job } = await ctx.runJob(() =>
          ctx.call('tenants.update', { hostId: host.id, name, trial: opts.trial, healthTimeoutSeconds: opts.healthTimeout, ...(opts.tag ? { tag: opts.tag } : {}), ...(modules ? { modules } : {}) }),
        );
        print(ctx, { jobId: started.jobId, name, result: job.result }, () => `${name} is updated${opts.tag ? ` to ${opts.tag}` : ''}${modules ? ` (modules ${modules.join(', ')})` : ''}.`);
      }),
    );
}
