import type { Command } from 'commander';
import type { OpOutput } from '../../shared/contract.js';
import { FleetError } from '../../shared/errors.js';
import type { RestoreFindings } from '../../shared/backups.js';
import type { PosOrdersAfterBackup } from '../../shared/tenants-pos.js';
import { findHost, print, run, type CliContext } from './context.js';
import { confirm, interactive, typedName } from './prompt.js';

// `odoo-fleet restore | undo-restore | kept-copy`: a restore keeps the data it replaced for the
// undo window; each of these wants the tenant's name typed (or --confirm).

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

/** The sessions open on the tenant's tills, said before a restore (nothing when it has no point of sale). */
async function describeOpenPosSessions(ctx: CliContext, hostId: string, name: string): Promise<string> {
  const activity = await ctx.call('tenants.posActivity', { hostId, name }).catch(() => null);
  if (!activity?.installed || activity.openSessions.length === 0) return '';
  const sessions = activity.openSessions.map((s) => `${s.name} (${s.orders} orders, last ${s.lastOrderAt ?? 'none'})`).join(', ');
  return `Point of sale: ${activity.openSessions.length} session(s) open on ${name}'s tills: ${sessions}. Orders synced after the backup are lost by the restore; Fleet POS terminals send them again by themselves.\n`;
}

/** The POS orders the restore lost, which Fleet POS terminals send again, and the names Odoo gives out again. */
function describeLostPosOrders(pos: PosOrdersAfterBackup | null): string[] {
  if (!pos || (pos.count === 0 && pos.lostSessions.length === 0)) return [];
  const said = [`${pos.count} POS order(s) synced after the backup are not in the restored database; Fleet POS terminals send them again: ${pos.orders.map((o) => o.reference ?? o.name).join(', ')}${pos.count > pos.orders.length ? ', …' : ''}.`];
  if (pos.lostSessions.length) said.push(`Sessions the restored database lacks: ${pos.lostSessions.join(', ')}.`);
  if (pos.reissuedNames.length) said.push(`Odoo will give these names out again, to other orders: ${pos.reissuedNames.join(', ')}.`);
  return said;
}

async function offerNewAdminPasswords(ctx: CliContext, hostId: string, name: string, logins: string[]): Promise<void> {
  for (const login of logins) {
    if (!(await confirm(`Give ${login} a new generated password now (shown once)?`))) continue;
    const reset = await ctx.call('tenants.resetAdminPassword', { hostId, name, login });
    process.stdout.write(`login ${reset.login} · password ${reset.password}\n`);
  }
}

export function registerRestoreCommands(program: Command): void {
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
        // Said on stderr whether or not the name is asked for (--confirm): stdout stays the result.
        process.stderr.write(await describeOpenPosSessions(ctx, host.id, name));
        const confirm = await typedName(name, opts.confirm, `This replaces ${name}'s data on ${host.name} with the archive's (the current data is kept for the undo window). Type its name to confirm: `);
        const { job } = await ctx.runJob(() =>
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
        const result = job.result as { findings?: RestoreFindings | null; pos?: PosOrdersAfterBackup | null } | undefined;
        const findings = result?.findings ?? null;
        const pos = result?.pos ?? null;
        print(ctx, { jobId: job.id, name, state: job.state, findings, pos }, () => [`${name} is restored.`, ...describeFindings(name, findings), ...describeLostPosOrders(pos)].join('\n'));
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
        const { job } = await ctx.runJob(() => ctx.call('backups.undoRestore', { hostId: host.id, name, confirm }));
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
        const { job } = await ctx.runJob(() => ctx.call('backups.discardKeptCopy', { hostId: host.id, name, confirm }));
        print(ctx, { jobId: job.id, name, state: job.state }, () => `${name}'s kept copy is dropped.`);
      }),
    );
}
