import type { Command } from 'commander';
import { collect, int, table } from './actions.js';
import { findHost, print, run } from './context.js';
import { DESTINATION_HELP, describeCopy, parseDestination } from './destinations.js';
import { registerRestoreCommands } from './restores.js';
import { registerScheduleCommands } from './schedules.js';

// `odoo-fleet backup | verify | prune | backups`, and in their place in the help the restore
// commands (restores.ts) and the schedules (schedules.ts).

export function registerBackupCommands(program: Command): void {
  registerBackup(program);
  registerRestoreCommands(program);

  program
    .command('verify <tenant>')
    .description("a restore drill: load a backup into scratch copies on the host, compare exact row counts and the filestore digest with the catalog, record the verdict")
    .requiredOption('--host <host>', 'the host')
    .requiredOption('--backup <id>', "a backup id from 'odoo-fleet backups'")
    .action(
      run(async (ctx, name: string, opts: { host: string; backup: string }) => {
        const host = await findHost(ctx, opts.host);
        const { job } = await ctx.runJob(() => ctx.call('backups.verify', { hostId: host.id, name, backupId: opts.backup }));
        const verdict = (job.result as { verdict?: { ok: boolean; detail: string } } | undefined)?.verdict;
        print(ctx, { jobId: job.id, name, backupId: opts.backup, verdict }, () => `Verified: ${verdict?.detail ?? 'ok'}`);
      }),
    );

  registerScheduleCommands(program);

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

  registerCatalog(program);
}

function registerBackup(program: Command): void {
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
        const { started } = await ctx.runJob(() => ctx.call('backups.create', { hostId: host.id, name, ...(destinations ? { destinations } : {}), ...(opts.key ? { key: opts.key } : opts.encrypt ? {} : { key: null }) }));
        const entry = (await ctx.call('backups.list', { hostId: host.id, name, limit: 20 })).find((b) => b.id === started.backupId);
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
}

function registerCatalog(program: Command): void {
  program
    .command('backups')
    .description("a host's backup catalog (every console's backups), newest first")
    .requiredOption('--host <host>', 'the host')
    .option('--tenant <name>', 'only this tenant')
    .option('--limit <n>', 'entries', int, 50)
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
}
