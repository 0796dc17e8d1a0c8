import path from 'node:path';
import { FleetError } from '../../shared/errors.js';
import { roleAtLeast } from '../../shared/operations.js';
import { SaleInput } from '../../shared/pos.js';
import { Dispatcher, type Handlers } from '../api/dispatcher.js';
import { EventBus } from '../api/events.js';
import { AuditLog } from '../audit/audit-log.js';
import { createLogger, type Logger } from '../common/log.js';
import { closingFigures, logged, openedSessionFigures, pairingFigures } from './till-log.js';
import { defaultPosKeyFile, insideFolder } from '../common/paths.js';
import { Vault, type SafeStorageLike } from '../secrets/vault.js';
import { openStore, type Store } from '../store/database.js';
import { CashControl } from './cash-control.js';
import { parkedRecords } from './parked-records.js';
import { CashMoves } from './cash-moves.js';
import { Cashiers } from './cashiers.js';
import { OpenCarts } from './open-carts.js';
import { recordSale } from './selling.js';
import { PosImages, type FetchResult } from './images.js';
import { escposReceipt, printerAddress, sendToPrinter } from './escpos.js';
import { escposZReport } from './z-report-print.js';
import { OdooOutage } from './odoo-outage.js';
import { Outbox, type OutboxExport } from './outbox.js';
import { PartnerOutbox } from './partner-outbox.js';
import { POS_MIGRATIONS } from './pos-migrations.js';
import { ReceiptPrinterSetting } from './receipt-printer.js';
import { SyncEngine, type SyncOptions } from './sync-engine.js';
import { RETENTION_DAYS, SyncedOrders } from './synced-orders.js';
import type { PosAdapter } from './adapters.js';
import { checkSyncedOrders } from './restore-check.js';
import { PosTerminal, toFleetError } from './terminal.js';

export interface PosOptions {
  dataDir: string;
  safeStorage?: SafeStorageLike;
  passphrase?: string;
  /** The vault's key file for unattended starts (default: defaultPosKeyFile(), outside the data folder). */
  keyFile?: string;
  log?: Logger;
  kdf?: { N: number; r: number; p: number };
  version?: string;
  sync?: SyncOptions;
  /** How long a call to Odoo may take (default 120 s). */
  rpcTimeoutMs?: number;
}

export interface PosServices {
  dataDir: string;
  db: Store;
  vault: Vault;
  outbox: Outbox;
  terminal: PosTerminal;
  /** Product and category pictures (the web server answers their URLs from here). */
  images: PosImages;
  sync: SyncEngine;
  events: EventBus;
  dispatcher: Dispatcher;
  log: Logger;
  /** Resumes syncing in the background (the program's long-running faces). */
  startBackgroundWork(): void;
  close(): Promise<void>;
}

/** Everything the POS terminal runs, wired once; its Electron app, web mode and the CLI use this. */
export function createPosServices(options: PosOptions): PosServices {
  const keyFile = options.keyFile ?? defaultPosKeyFile();
  if (insideFolder(keyFile, options.dataDir)) throw new FleetError('VALIDATION', `The POS key file (${keyFile}) must be kept outside the data folder (${options.dataDir}): a copy of the folder would hold its key.`);
  const log = options.log ?? createLogger({ file: path.join(options.dataDir, 'logs', 'pos.log') });
  const db = openStore(path.join(options.dataDir, 'pos.sqlite'), POS_MIGRATIONS);
  const vault = openPosVault(db, { ...options, keyFile });
  const audit = new AuditLog(db);
  const outbox = new Outbox(db);
  const partners = new PartnerOutbox(db);
  const cashMoves = new CashMoves(db);
  const images = new PosImages(db);
  const receiptPrinter = new ReceiptPrinterSetting(db);
  const terminal = new PosTerminal(db, vault, outbox, partners, cashMoves, images, options.rpcTimeoutMs);
  const cashiers = new Cashiers(db, {
    employees: () => terminal.cached('hr.employee'),
    users: () => terminal.cached('res.users'),
    pairing: () => terminal.pairing(),
    sessionId: () => terminal.session()?.id ?? null,
  });
  const carts = new OpenCarts(db, (saleUuid) => outbox.soldAs(saleUuid));
  const events = new EventBus();
  // Odoo out of reach: since when (kept across restarts), told with every count.
  const outage = new OdooOutage(db);
  const publish = () => events.emit('pos.outbox', { ...outbox.counts(), sync: sync.status(), offline: outage.view() });
  const afterRound = () => {
    outage.observe(sync.status().status);
    publish();
  };
  const synced = new SyncedOrders(db);
  const pairedDatabase = () => {
    const pairing = terminal.pairing();
    return pairing ? `${pairing.database}@${pairing.url}` : null;
  };
  const checkSynced = async (adapter: PosAdapter) => {
    const pairing = terminal.pairing();
    const database = pairedDatabase();
    if (!pairing?.configId || !database) return;
    const now = new Date();
    const record = await checkSyncedOrders({ synced, adapter, database, configId: pairing.configId, now });
    synced.recordCheck(record);
    synced.prune(synced.windowStart(now));
    if (record.resent || record.waiting || record.refused) log.warn('POS synced orders missing from Odoo', { ...record });
    if (record.resent) publish();
  };
  const sync = new SyncEngine(
    outbox,
    () => terminal.adapter(),
    { log, onRound: afterRound, whyNoAdapter: () => terminal.whyOdooIsOutOfReach(), database: pairedDatabase, checkSynced, ...options.sync },
    partners,
    cashMoves,
  );
  // Pictures: one fetch at a time, after a refresh and now and then while some are missing.
  let imageFetch: Promise<FetchResult> | null = null;
  let imageTimer: NodeJS.Timeout | null = null;
  const fetchImages = (): Promise<FetchResult> =>
    (imageFetch ??= (async () => {
      const adapter = terminal.adapter();
      if (!adapter) throw new FleetError('VALIDATION', 'This terminal is not paired, or its vault is locked.');
      let fetched = 0;
      try {
        return await images.fetch(adapter, 100, (stored) => (fetched += stored));
      } catch (error) {
        throw toFleetError(error, 'Could not fetch the pictures');
      } finally {
        // Only when there is something new to show: the selling page reads its data again then.
        if (fetched > 0) events.emit('pos.images', images.counts());
      }
    })().finally(() => (imageFetch = null)));
  const fetchImagesInBackground = () => {
    if (!terminal.adapter() || images.missing(1).length === 0) return;
    fetchImages().catch((error: Error) => log.warn('POS pictures not fetched', { error: error.message }));
  };
  const dispatcher = new Dispatcher({
    program: 'pos',
    handlers: posHandlers({ vault, outbox, synced, outage, terminal, sync, db, events, publish, cashMoves, cashControl: new CashControl(db, terminal), partners, images, receiptPrinter, cashiers, carts, fetchImages, fetchImagesInBackground, version: options.version ?? '0.0.0', log }),
    audit,
    log,
  });
  return {
    dataDir: options.dataDir,
    db,
    vault,
    outbox,
    terminal,
    images,
    sync,
    events,
    dispatcher,
    log,
    startBackgroundWork() {
      sync.start();
      const lookForPictures = () => {
        fetchImagesInBackground();
        imageTimer = setTimeout(lookForPictures, 5 * 60_000);
        imageTimer.unref();
      };
      imageTimer = setTimeout(lookForPictures, 5_000);
      imageTimer.unref();
    },
    async close() {
      if (imageTimer) clearTimeout(imageTimer);
      await sync.stop();
      await imageFetch?.catch(() => {});
      db.close();
    },
  };
}

/**
 * The terminal's vault opens with nobody there after a power cut: wrapped by safeStorage where the
 * desktop app can use it, else by a key file only this OS user may read, kept outside the data
 * folder; a passphrase only for a terminal set up with one (FLEET_PASSPHRASE at its first start,
 * or the vault screen when no key file could be made). The console's vault never takes a key file.
 */
function openPosVault(db: Store, options: PosOptions & { keyFile: string }): Vault {
  const vault = new Vault(db, { ...(options.safeStorage ? { safeStorage: options.safeStorage } : {}), ...(options.kdf ? { kdf: options.kdf } : {}), keyFile: options.keyFile });
  if (options.passphrase && !vault.isUnlocked()) vault.setupOrUnlock(options.passphrase);
  else if (vault.status().state === 'uninitialised') vault.setupWithKeyFile();
  return vault;
}

interface PosHandlerDeps {
  vault: Vault;
  outbox: Outbox;
  synced: SyncedOrders;
  outage: OdooOutage;
  terminal: PosTerminal;
  sync: SyncEngine;
  db: Store;
  events: EventBus;
  publish: () => void;
  cashMoves: CashMoves;
  cashControl: CashControl;
  partners: PartnerOutbox;
  images: PosImages;
  receiptPrinter: ReceiptPrinterSetting;
  cashiers: Cashiers;
  carts: OpenCarts;
  fetchImages: () => Promise<FetchResult>;
  fetchImagesInBackground: () => void;
  version: string;
  log: Logger;
}

function posHandlers(deps: PosHandlerDeps): Handlers {
  const { vault, outbox, terminal, sync, db, events, publish, cashMoves, partners, images, receiptPrinter, cashiers, carts } = deps;
  const cartChanged = (cartId: string, revision: number | null, sold: string | null = null) => events.emit('pos.carts', { cartId, revision, sold });
  const cashierChanged = () => events.emit('pos.cashier', cashiers.current());
  return {
    'session.info': (_input, ctx) => ({ actor: ctx.actor, role: ctx.role, program: 'pos', version: deps.version }),
    'vault.status': () => vault.status(),
    'vault.setup': ({ passphrase }) => vault.setupWithoutBlocking(passphrase),
    'vault.unlock': ({ passphrase }) => vault.unlockWithoutBlocking(passphrase),
    'pos.status': ({ pictures }) => ({
      pairing: terminal.pairing(),
      session: terminal.session(),
      outbox: outbox.counts(),
      customers: partners.counts(),
      cashMoves: cashMoves.counts(),
      sync: sync.status(),
      cache: (db.prepare('SELECT model, loaded_at, count FROM cache_loads ORDER BY model').all() as Array<{ model: string; loaded_at: string; count: number }>).map((r) => ({ model: r.model, loadedAt: r.loaded_at, count: r.count })),
      ...(pictures ? { images: images.counts() } : {}),
      offline: deps.outage.view(),
    }),
    'pos.pair': (input, ctx) => {
      // The till sets a fresh terminal up; pairing it anew (another database or configuration) is an admin's.
      if (terminal.pairing()?.configId && !roleAtLeast(ctx.role, 'admin')) throw new FleetError('FORBIDDEN', 'This terminal is paired already: pairing it again is for an admin (odoo-fleet pos pair).');
      return logged(deps.log, 'POS paired', terminal.pair(input), pairingFigures);
    },
    ...sessionHandlers(deps),
    'pos.refresh': async () => {
      const loaded = await logged(deps.log, 'POS data loaded', terminal.refresh(), (counts) => counts);
      deps.fetchImagesInBackground();
      return loaded;
    },
    'pos.fetchImages': () => deps.fetchImages(),
    'pos.searchProducts': ({ query, limit }) => terminal.searchProducts(query, limit),
    'pos.catalog': () => terminal.catalog(),
    'pos.products': (filter) => terminal.products(filter),
    'pos.partners': ({ query, limit }) => terminal.partners(query, limit),
    'pos.createPartner': (vals) => {
      const partner = terminal.createPartner(vals);
      sync.nudge();
      return partner;
    },
    'pos.cashierLogin': (input) => {
      const cashier = cashiers.login(input);
      cashierChanged();
      return cashier;
    },
    'pos.cashier': () => cashiers.current(),
    'pos.cashierLogout': () => {
      cashiers.logout();
      cashierChanged();
      return { loggedOut: true };
    },
    'pos.cashierLocks': () => cashiers.locks(),
    'pos.unlockCashier': ({ employeeId, manager }, ctx) => {
      if (manager) return cashiers.unlock(employeeId, { manager });
      if (!roleAtLeast(ctx.role, 'admin')) throw new FleetError('FORBIDDEN', "A POS manager lifts a cashier's lock with their own PIN.");
      return cashiers.unlock(employeeId, { admin: true });
    },
    'pos.carts': () => carts.list(),
    'pos.saveCart': (input) => {
      const saved = carts.save(input);
      cartChanged(input.id, saved.revision);
      return saved;
    },
    'pos.dropCart': ({ id }) => {
      const dropped = carts.drop(id);
      if (dropped.dropped) cartChanged(id, null);
      return dropped;
    },
    // The cashier a page names is not printed: the receipt names who the terminal recorded.
    'pos.receipt': ({ uid }) => terminal.receipt(uid),
    'pos.cashMove': ({ type, amount, reason }) => {
      const session = terminal.session();
      if (!session) throw new FleetError('VALIDATION', 'Open a POS session first.');
      const move = cashMoves.record({ sessionId: session.id, sessionName: session.name, type, amount, reason });
      sync.nudge();
      return { uid: move.uid, reason: move.reason };
    },
    'pos.printReceipt': async ({ uid }) => {
      const printer = receiptPrinter.require();
      const bytes = escposReceipt(terminal.receipt(uid), printer.width);
      await sendToPrinter(printer, bytes);
      return { bytes: bytes.length, printer: printerAddress(printer) };
    },
    'pos.receiptPrinter': () => receiptPrinter.get(),
    'pos.setReceiptPrinter': ({ printer }) => receiptPrinter.set(printer),
    'pos.sell': async ({ sale }) => {
      const parsed = SaleInput.parse(sale);
      await terminal.refreshRefundedLines(parsed.lines);
      const recorded = recordSale({ db, terminal, cashiers, carts }, parsed);
      if (recorded.cartId) cartChanged(recorded.cartId, null, recorded.name);
      publish();
      sync.nudge();
      return { uid: recorded.uid, name: recorded.name, replayed: recorded.replayed };
    },
    'pos.sync': () => {
      outbox.dueNow(); // a person asked: no waiting out a backoff
      return sync.sync();
    },
    'pos.restoreCheck': async ({ now }) => {
      if (now) await sync.checkSyncedNow();
      return { retentionDays: RETENTION_DAYS, last: deps.synced.lastCheck(), resent: deps.synced.resentSince(deps.synced.windowStart(new Date())), waiting: deps.synced.waitingCount() };
    },
    'pos.orders': ({ state, limit }) => outbox.list(state, limit).map(({ payload: _payload, ...view }) => view),
    'pos.findOrders': ({ query, limit }) => terminal.findOrders(query, limit),
    'pos.orderDetail': ({ uid }) => terminal.orderDetail(uid),
    'pos.invoiceOrder': async (target) => {
      const order = await terminal.invoiceOrder(target);
      return { orderId: order.id, invoiceId: order.invoice!.id, invoice: order.invoice!.name, state: order.state };
    },
    'pos.exportOrders': ({ after }) => outbox.exportPage(after ?? null),
    'pos.importOrders': ({ file }) => {
      const result = outbox.importOrders(file as OutboxExport);
      sync.nudge();
      return result;
    },
    'pos.parkedRecords': () => parkedRecords(cashMoves, partners),
    'pos.requeue': ({ uid }) => {
      // An order's uid, a cash move's uid, or a customer's reference.
      if (outbox.get(uid)) outbox.requeue(uid);
      else if (!cashMoves.requeue(uid) && !partners.requeue(uid)) throw new FleetError('NOT_FOUND', `Nothing parked named ${uid} on this terminal.`);
      sync.nudge();
      return { requeued: true };
    },
  };
}

/** Opening and closing the session: cash control and the Z report (cash-control.ts); the offline warning's threshold, a setting beside the cash limit. */
function sessionHandlers(deps: PosHandlerDeps): Pick<Handlers, 'pos.openSession' | 'pos.expectedOpeningCash' | 'pos.closeSession' | 'pos.closingControl' | 'pos.zReport' | 'pos.printZReport' | 'pos.setCashDifferenceLimit' | 'pos.setOfflineWarning'> {
  const { terminal, cashControl, cashiers, receiptPrinter } = deps;
  return {
    'pos.openSession': (input) => logged(deps.log, 'POS session open', cashControl.open(input), openedSessionFigures),
    'pos.expectedOpeningCash': async () => ({ amount: await terminal.expectedOpeningCash(), booksDifference: terminal.booksOpeningDifference() }),
    'pos.closeSession': (closing, ctx) => {
      const byManager = roleAtLeast(ctx.role, 'admin') || cashiers.current()?.manager === true;
      return logged(deps.log, 'POS session closing', cashControl.close(closing, byManager), closingFigures);
    },
    'pos.closingControl': () => cashControl.closingControl(),
    'pos.zReport': () => cashControl.lastZReport(),
    'pos.printZReport': async () => {
      const report = cashControl.lastZReport();
      if (!report) throw new FleetError('NOT_FOUND', 'No session has been closed on this terminal yet: there is no Z report to print.');
      const printer = receiptPrinter.require();
      const bytes = escposZReport(report, printer.width);
      await sendToPrinter(printer, bytes);
      return { bytes: bytes.length, printer: printerAddress(printer) };
    },
    'pos.setCashDifferenceLimit': ({ amount }) => cashControl.setDifferenceLimit(amount),
    'pos.setOfflineWarning': ({ hours }) => {
      const set = deps.outage.setWarnAfter(hours);
      deps.publish(); // the status bars see the new threshold at once
      return set;
    },
  };
}
