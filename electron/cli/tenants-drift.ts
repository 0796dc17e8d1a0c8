import type { Command } from 'commander';
import type { OpInput } from '../../shared/contract.js';
import { FleetError } from '../../shared/errors.js';
import { int, table } from './actions.js';
import { findHost, print, run } from './context.js';

// `odoo-fleet tenants reconcile | cleanup | adopt`: the drift between a host, its databases and
// this console's journal, and what to do about it.

export function registerTenantDriftCommands(tenants: Command): void {
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
        const { started, job } = await ctx.runJob(() => ctx.call('tenants.cleanup', { hostId: host.id, item, ...(opts.fingerprint ? { fingerprint: opts.fingerprint } : {}) }));
        print(ctx, { jobId: started.jobId, item, state: job.state }, () => `${item}: cleaned up.`);
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
    .option('--workers <n>', 'with a database: Odoo workers', int, 2)
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
        const { started, job } = await ctx.runJob(() => ctx.call('tenants.adopt', input));
        print(ctx, { jobId: started.jobId, name, hostId: host.id, state: job.state }, () => `${name} is a tenant of ${host.name} now.`);
      }),
    );
}
