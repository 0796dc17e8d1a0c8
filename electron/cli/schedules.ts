import type { Command } from 'commander';
import { collect, int, table } from './actions.js';
import { findHost, print, run } from './context.js';
import { DESTINATION_HELP, parseDestination } from './destinations.js';

// `odoo-fleet schedule | unschedule | schedules`: scheduled backups and their retention.

type PolicyRow = { tenant: string; everyHours: number; keepDaily: number; keepWeekly: number; keepMonthly: number; nextRunAt: string; newestBackupAt: string | null; overdue: boolean; lastOutcome: string | null };

const policyTable = (list: PolicyRow[]) =>
  table([
    ['TENANT', 'EVERY', 'KEEP D/W/M', 'NEXT RUN', 'NEWEST BACKUP', 'LAST OUTCOME'],
    ...list.map((p) => [p.tenant, `${p.everyHours} h`, `${p.keepDaily}/${p.keepWeekly}/${p.keepMonthly}`, p.nextRunAt, `${p.newestBackupAt ?? 'none'}${p.overdue ? ' (OVERDUE)' : ''}`, p.lastOutcome ?? '-']),
  ]);

export function registerScheduleCommands(program: Command): void {
  program
    .command('schedule <tenant>')
    .description("back a tenant up every N hours and keep N daily / weekly / monthly backups; runs once across every console managing the host")
    .requiredOption('--host <host>', 'the host')
    .requiredOption('--every <hours>', 'hours between backups', int)
    .option('--jitter-minutes <n>', 'random delay added to each run', int, 10)
    .option('--keep-daily <n>', 'daily backups to keep', int, 7)
    .option('--keep-weekly <n>', 'weekly backups to keep', int, 4)
    .option('--keep-monthly <n>', 'monthly backups to keep', int, 12)
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
}
