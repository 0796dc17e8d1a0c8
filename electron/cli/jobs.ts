import type { Command } from 'commander';
import { int, table } from './actions.js';
import { findHost, print, run } from './context.js';

// `odoo-fleet jobs …` (durable jobs) and `odoo-fleet audit` (the trails of what was done).

export function registerJobCommands(program: Command): void {
  const jobs = program.command('jobs').description('durable jobs: list them, resume the ones a killed console left behind');
  jobs
    .command('list')
    .option('--limit <n>', 'jobs', int, 50)
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
}

export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description("the local audit trail, newest first; with --host, the host's shared trail (every console's actions on it)")
    .option('--limit <n>', 'entries', int, 50)
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
}
