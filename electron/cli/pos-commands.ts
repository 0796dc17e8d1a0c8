import fs from 'node:fs';
import os from 'node:os';
import type { Command } from 'commander';
import type { OperationName, OpInput, OpOutput, Role } from '../../shared/contract.js';
import { FleetError } from '../../shared/errors.js';
import { formatBytes, OUTBOX_FILE_MAX_BYTES, readOutboxFile } from '../../shared/pos.js';
import { assertOutboxFileSize, exportInPages, importInPieces, outboxFileText } from '../../shared/pos/outbox-file.js';
import { defaultDataDir } from '../common/paths.js';
import { createPosServices, type PosServices } from '../pos/pos-services.js';
import { zReportLines } from '../pos/z-report-print.js';
import { actionRunner, int, printResult } from './actions.js';
import { EXIT } from './exit-codes.js';

// `odoo-fleet pos …`: the POS terminal headless, on the terminal's own store (its data folder,
// or FLEET_DATA_DIR), through the POS part of the contract like its UI.

interface PosCliOptions {
  json?: boolean;
  dataDir?: string;
  role?: Role;
}

class PosCliContext {
  private services: PosServices | null = null;
  constructor(readonly options: PosCliOptions) {}

  open(): PosServices {
    const passphrase = process.env.FLEET_PASSPHRASE;
    this.services ??= createPosServices({ dataDir: this.options.dataDir ?? defaultDataDir('pos'), ...(passphrase ? { passphrase } : {}), version: process.env.npm_package_version ?? '0.1.0' });
    return this.services;
  }

  async call<N extends OperationName>(op: N, input: OpInput<N>): Promise<OpOutput<N>> {
    const result = await this.open().dispatcher.invoke(op, input, { actor: `${os.userInfo().username}@pos-cli`, role: this.options.role ?? 'admin', transport: 'cli' });
    if (!result.ok) throw new FleetError(result.error.code, result.error.message, result.error.details);
    return result.value as OpOutput<N>;
  }

  /** A line on stderr while a long command runs (never with --json, whose stdout is one document). */
  progress(line: string): void {
    if (!this.options.json) process.stderr.write(`${line}\n`);
  }

  print(value: unknown, text: () => string): void {
    printResult(this.options.json, value, text);
  }

  async close(): Promise<void> {
    await this.services?.close();
  }
}

const run = actionRunner((command) => new PosCliContext(command.optsWithGlobals() as PosCliOptions), 'odoo-fleet pos');

export function registerPosCommands(program: Command): void {
  const pos = program.command('pos').description('the Fleet POS terminal headless: pair, open a session, status, sync, export and import waiting orders');
  registerSessionCommands(pos);
  registerOrderCommands(pos);
  registerShopFloorCommands(pos);
  registerCloseCommand(pos);
}

/** pair, open, refresh, status: the terminal's pairing and session. */
function registerSessionCommands(pos: Command): void {
  pos
    .command('pair')
    .description('pair this terminal with an Odoo database (16, 17 or 18) and choose its POS configuration')
    .requiredOption('--url <url>', "Odoo's address, e.g. https://shop.example.com")
    .requiredOption('--db <name>', 'the database')
    .requiredOption('--login <login>', 'the POS user')
    .requiredOption('--secret-env <var>', 'the environment variable holding the password or API key')
    .option('--config <id>', 'the POS configuration (listed when left out and there are several)', int)
    .action(
      run(async (ctx, opts: { url: string; db: string; login: string; secretEnv: string; config?: number }) => {
        const secret = process.env[opts.secretEnv];
        if (!secret) throw new FleetError('VALIDATION', `The environment variable ${opts.secretEnv} is not set.`);
        const paired = await ctx.call('pos.pair', { url: opts.url, database: opts.db, login: opts.login, secret, ...(opts.config ? { configId: opts.config } : {}) });
        ctx.print(paired, () =>
          [
            `Paired with ${paired.pairing.database} on ${paired.pairing.url} (Odoo ${paired.pairing.serverVersion}).`,
            paired.pairing.configId ? `POS configuration: ${paired.pairing.configId} ${paired.pairing.configName ?? ''}` : `Choose a configuration with --config: ${paired.configs.map((c) => `${c.id} ${c.name}`).join(', ')}`,
          ].join('\n'),
        );
      }),
    );

  pos
    .command('open')
    .description("open or resume the configuration's session (a new login number), then load its data into the cache")
    .option('--cash <amount>', "the opening cash count, where cash control is on (default: what Odoo expects, the last session's closing count)", (v) => Number.parseFloat(v))
    .option('--notes <text>', 'why the count differs from what Odoo expects (required then; sent to Odoo with the count)')
    .action(
      run(async (ctx, opts: { cash?: number; notes?: string }) => {
        const session = await ctx.call('pos.openSession', { ...(opts.cash === undefined ? {} : { openingCash: opts.cash }), ...(opts.notes ? { notes: opts.notes } : {}) });
        const loaded = await ctx.call('pos.refresh', {});
        const pictures = await picturesAfterRefresh(ctx);
        ctx.print({ session, loaded, pictures }, () => `Session ${session.name} (${session.state}), login number ${session.loginNumber}; ${loaded.products} products cached; ${pictures.text}.`);
      }),
    );

  pos
    .command('refresh')
    .description("reload Odoo's POS data into the cache (orders waiting are kept)")
    .action(
      run(async (ctx) => {
        const loaded = await ctx.call('pos.refresh', {});
        const pictures = await picturesAfterRefresh(ctx);
        ctx.print({ ...loaded, pictures }, () => `${loaded.models} models, ${loaded.products} products cached; ${pictures.text}.`);
      }),
    );

  pos
    .command('status')
    .description('pairing, session, orders waiting or parked, last sync')
    .action(
      run(async (ctx) => {
        const status = await ctx.call('pos.status', { pictures: true });
        const vault = await ctx.call('vault.status', {});
        ctx.print(status, () =>
          [
            `Secrets: ${vault.state} (${vault.backend})${vault.warning ? ` — ${vault.warning}` : ''}`,
            status.pairing ? `Paired: ${status.pairing.database} on ${status.pairing.url} (Odoo ${status.pairing.serverVersion}), configuration ${status.pairing.configName ?? '-'}` : 'Not paired (odoo-fleet pos pair).',
            status.session ? `Session: ${status.session.name} (${status.session.state}), login ${status.session.loginNumber}, next order ${status.session.nextSequence}` : 'No open session.',
            `Orders: ${status.outbox.pending} waiting, ${status.outbox.parked} parked, ${status.outbox.synced} synced; last sync ${status.outbox.lastSyncedAt ?? 'never'}`,
            `Sync: ${status.sync.status}${status.sync.lastError ? ` (${status.sync.lastError})` : ''}`,
            // `pos parked` lists the parked ones: the closing waits for them.
            `Cash moves: ${status.cashMoves?.pending ?? 0} waiting, ${status.cashMoves?.parked ?? 0} parked; customers made here: ${status.customers?.pending ?? 0} waiting, ${status.customers?.parked ?? 0} parked`,
            ...(status.images ? [`Pictures: ${status.images.stored} stored, ${status.images.missing} to fetch`] : []),
            ...(status.offline?.since ? [`Odoo out of reach since ${status.offline.since} (the status bar warns after ${status.offline.warnAfterHours} h)`] : []),
          ].join('\n'),
        );
      }),
    );
}

/** sync, orders, export, import, requeue: the orders waiting for Odoo. */
function registerOrderCommands(pos: Command): void {
  pos
    .command('sync')
    .description('push waiting orders to Odoo now')
    .action(
      run(async (ctx) => {
        const round = await ctx.call('pos.sync', {});
        ctx.print(round, () => `${round.status}: ${round.synced} synced, ${round.parked} parked, ${round.deferred} still waiting${round.error ? ` (${round.error})` : ''}`);
        return round.status === 'online' || round.status === 'idle' ? EXIT.ok : EXIT.failed;
      }),
    );

  pos
    .command('orders')
    .description("the terminal's orders and where each stands")
    .option('--state <state>', 'pending, synced or parked')
    .option('--limit <n>', 'orders', int, 50)
    .action(
      run(async (ctx, opts: { state?: 'pending' | 'synced' | 'parked'; limit: number }) => {
        const orders = await ctx.call('pos.orders', { limit: opts.limit, ...(opts.state ? { state: opts.state } : {}) });
        ctx.print(orders, () => orders.map((o) => `${o.name}  ${o.amountTotal.toFixed(2)}  ${o.state}${o.lastError ? `  ${o.lastError}` : ''}`).join('\n') || 'No orders.');
      }),
    );

  pos
    .command('export <file>')
    .description(`write the orders not yet synced to a file (to import on another terminal; at most ${formatBytes(OUTBOX_FILE_MAX_BYTES)})`)
    .action(
      run(async (ctx, file: string) => {
        const exported = await exportInPages(ctx, (orders) => ctx.progress(`${orders} order(s) read`));
        fs.writeFileSync(file, outboxFileText(exported), { mode: 0o600 });
        ctx.print({ file, orders: exported.orders.length }, () => `${exported.orders.length} order(s) written to ${file}.`);
      }),
    );

  pos
    .command('import <file>')
    .description(`import orders exported by another terminal (names and payloads unchanged, so Odoo never doubles one); a file of at most ${formatBytes(OUTBOX_FILE_MAX_BYTES)}, sent in pieces`)
    .action(
      run(async (ctx, file: string) => {
        const orders = readOutboxFile(readOrderFile(file), file);
        const result = await importInPieces(ctx, orders, (sent, total) => ctx.progress(`${sent} of ${total} order(s) sent`));
        ctx.print(result, () => `${result.imported} order(s) imported, ${result.known} already here.`);
      }),
    );

  pos
    .command('requeue <uid>')
    .description('send a parked order, cash move or customer again once its cause is fixed')
    .action(
      run(async (ctx, uid: string) => {
        const result = await ctx.call('pos.requeue', { uid });
        ctx.print(result, () => `${uid} is queued again.`);
      }),
    );

  pos
    .command('parked')
    .description('cash moves and customers Odoo refused, with its reason (pos requeue <uid> sends one again)')
    .action(
      run(async (ctx) => {
        const records = await ctx.call('pos.parkedRecords', {});
        ctx.print(records, () => (records.length === 0 ? 'No cash move or customer is parked.' : records.map((r) => `${r.uid}\t${r.label}${r.amount === null ? '' : `\t${r.amount}`}\t${r.lastError ?? ''}`).join('\n')));
      }),
    );

  pos
    .command('restore-check')
    .description("what the last check of synced orders against Odoo found (a restored database loses those synced after its backup: they are sent again); --now checks at once")
    .option('--now', 'check now')
    .action(
      run(async (ctx, opts: { now?: boolean }) => {
        const check = await ctx.call('pos.restoreCheck', opts.now ? { now: true } : {});
        ctx.print(check, () => describeRestoreCheck(check));
      }),
    );
}

/** The restore check in words, as the Sync page says it. */
function describeRestoreCheck(check: OpOutput<'pos.restoreCheck'>): string {
  const last = check.last;
  const lines = [last ? `Last check ${last.at}: ${last.checked} synced order(s) of the last ${check.retentionDays} days looked up in Odoo.` : 'Not checked yet.'];
  if (last?.refused) lines.push(last.refused);
  for (const s of last?.sessions ?? []) lines.push(`Odoo no longer has session ${s.lost}: ${s.into ? `its orders go to ${s.into}.` : 'its orders wait until a session is open in Odoo.'}`);
  if (check.waiting) lines.push(`${check.waiting} order(s) missing from Odoo wait for a session there.`);
  for (const o of check.resent) lines.push(`sent again ${o.resentAt}\t${o.name}\t${o.state === 'synced' ? 'in Odoo again' : o.state}`);
  return lines.join('\n');
}

/** printer, cashiers, print: the shop floor's receipt printer and cashiers' locks. */
function registerShopFloorCommands(pos: Command): void {
  pos
    .command('printer')
    .description("show the terminal's ESC/POS receipt printer, or set it (admin): --host with --port and --width, or --none")
    .option('--host <host>', "the printer's host name or IP address on the shop's network")
    .option('--port <n>', 'its raw TCP port', int, 9100)
    .option('--width <n>', 'characters per line: 42 (80 mm), 48 (80 mm, small font) or 32 (58 mm)', int, 42)
    .option('--none', 'remove the printer: receipts print with the browser only')
    .action(
      run(async (ctx, opts: { host?: string; port: number; width: number; none?: boolean }) => {
        if (opts.host && opts.none) throw new FleetError('VALIDATION', 'Give --host or --none, not both.');
        const printer =
          opts.host || opts.none
            ? await ctx.call('pos.setReceiptPrinter', { printer: opts.none ? null : { host: opts.host!, port: opts.port, width: opts.width as 32 | 42 | 48 } })
            : await ctx.call('pos.receiptPrinter', {});
        ctx.print(printer, () => (printer ? `Receipt printer: ${printer.host} port ${printer.port}, ${printer.width} characters per line.` : 'No receipt printer (odoo-fleet pos printer --host …).'));
      }),
    );

  const cashiers = pos.command('cashiers').description('cashiers with wrong PINs counted against them: waiting, or locked');
  cashiers.action(
    run(async (ctx) => {
      const locks = await ctx.call('pos.cashierLocks', {});
      ctx.print(locks, () =>
        locks.length === 0 ? 'No wrong PINs counted against any cashier.' : locks.map((l) => `${l.employeeId}\t${l.name}\t${l.failures} wrong PIN(s)\t${l.locked ? 'locked' : l.retryAfterMs > 0 ? `waits ${Math.ceil(l.retryAfterMs / 1000)} s` : 'may try'}`).join('\n'),
      );
    }),
  );
  cashiers
    .command('unlock <employeeId>')
    .description("lift a cashier's lock as the terminal's admin (the selling page needs a POS manager's PIN for it); works when every manager is locked too")
    .action(
      run(async (ctx, employeeId: string) => {
        const id = Number.parseInt(employeeId, 10);
        if (!Number.isSafeInteger(id) || id <= 0) throw new FleetError('VALIDATION', `Not an employee id: ${employeeId}`);
        const result = await ctx.call('pos.unlockCashier', { employeeId: id });
        ctx.print(result, () => `${result.unlocked} can log in again.`);
      }),
    );

  pos
    .command('print <uid>')
    .description("print a sale's receipt (or a reprint) on the terminal's receipt printer")
    .option('--cashier <name>', 'the cashier named on the receipt')
    .action(
      run(async (ctx, uid: string, opts: { cashier?: string }) => {
        const printed = await ctx.call('pos.printReceipt', { uid, ...(opts.cashier ? { cashier: opts.cashier } : {}) });
        ctx.print(printed, () => `Receipt of ${uid} sent to ${printed.printer} (${printed.bytes} bytes).`);
      }),
    );
}

/** close: the end of the day. */
function registerCloseCommand(pos: Command): void {
  pos
    .command('close')
    .description('close the session in Odoo with the counts per payment method (refused while orders wait, and above the difference limit without --notes); prints the Z report')
    .option('--cash <amount>', 'the counted cash in the drawer', (v) => Number.parseFloat(v))
    .option('--counted <method=amount>', "a bank method's amount as its statement shows it (repeatable; default: as expected)", (v, all: string[] = []) => [...all, v])
    .option('--notes <text>', 'closing notes (required when a difference is above the limit)')
    .action(
      run(async (ctx, opts: { cash?: number; counted?: string[]; notes?: string }) => {
        const counted = (opts.counted ?? []).map(countedMethod);
        const result = await ctx.call('pos.closeSession', { ...(opts.cash !== undefined ? { countedCash: opts.cash } : {}), ...(counted.length ? { counted } : {}), ...(opts.notes ? { notes: opts.notes } : {}) });
        ctx.print(result, () => [result.message, ...zReportLines(result.report, 48)].join('\n'));
        return result.closed ? EXIT.ok : EXIT.failed;
      }),
    );

  pos
    .command('z-report')
    .description('show the end-of-day (Z) report of the last session closed here; --print sends it to the receipt printer')
    .option('--print', "print it on the terminal's ESC/POS printer")
    .action(
      run(async (ctx, opts: { print?: boolean }) => {
        const report = await ctx.call('pos.zReport', {});
        if (!report) throw new FleetError('NOT_FOUND', 'No session has been closed on this terminal yet.');
        const printed = opts.print ? await ctx.call('pos.printZReport', {}) : null;
        ctx.print({ report, printed }, () => [...zReportLines(report, 48), ...(printed ? [`Sent to ${printed.printer} (${printed.bytes} bytes).`] : [])].join('\n'));
      }),
    );

  pos
    .command('cash-limit <amount>')
    .description("the largest closing difference accepted without a note when Odoo's config sets none ('default': 0, any difference needs a note)")
    .action(
      run(async (ctx, amount: string) => {
        const set = await ctx.call('pos.setCashDifferenceLimit', { amount: amount === 'default' ? null : Number.parseFloat(amount) });
        ctx.print(set, () => `Closing differences above ${set.amount} need a note (unless Odoo's config sets its own maximum).`);
      }),
    );

  pos
    .command('offline-warning <hours>')
    .description("after how many hours with Odoo out of reach the selling page's status bar warns the cashier ('default': 24)")
    .action(
      run(async (ctx, hours: string) => {
        const set = await ctx.call('pos.setOfflineWarning', { hours: hours === 'default' ? null : Number(hours) });
        ctx.print(set, () => `The status bar warns once Odoo has been out of reach for ${set.hours} hour(s).`);
      }),
    );
}

/** --counted 2=123.40: a payment method's id and amount. */
function countedMethod(text: string): { paymentMethodId: number; amount: number } {
  const match = /^(\d+)=(-?\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!match) throw new FleetError('VALIDATION', `--counted takes <payment method id>=<amount>, not ${text}.`);
  return { paymentMethodId: Number(match[1]), amount: Number(match[2]) };
}

/** An exported order file's text: one larger than OUTBOX_FILE_MAX_BYTES is refused before it is read. */
function readOrderFile(file: string): string {
  try {
    assertOutboxFileSize(fs.statSync(file).size, file);
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof FleetError) throw error;
    throw new FleetError('VALIDATION', `${file} cannot be read: ${(error as Error).message}`);
  }
}

/** Pictures are fetched after the data: a failure there leaves selling unaffected, so it is reported, not fatal. */
async function picturesAfterRefresh(ctx: PosCliContext): Promise<{ fetched: number; without: number; error?: string; text: string }> {
  try {
    const fetched = await ctx.call('pos.fetchImages', {});
    return { ...fetched, text: `${fetched.fetched} picture(s) fetched` };
  } catch (error) {
    const message = (error as Error).message;
    return { fetched: 0, without: 0, error: message, text: `pictures not fetched (${message}); the terminal tries again later` };
  }
}
