import type { Logger } from '../common/log.js';
import { isFinal, type PosAdapter, type ServerOrder } from './adapters.js';
import { OdooRpcError } from './odoo-rpc.js';
import type { Outbox, OutboxOrder } from './outbox.js';
import type { CashMoves } from './cash-moves.js';
import type { PartnerOutbox } from './partner-outbox.js';

// Pushes the outbox to Odoo so that every order arrives exactly once:
// - a payload is frozen, so a resend is byte for byte what Odoo may already hold and dedupes;
// - an order whose last send had an unknown outcome (cut, timeout) is looked up on the server
//   before it is sent again;
// - Odoo's empty answer for a duplicate is taken as synced only once the order is found there;
// - an order Odoo rejects for a business reason is parked with the reason, never retried blindly
//   (a failed batch rolls back whole, so it is retried order by order to find which one);
// - an order Odoo left in draft (e.g. not fully paid) is parked too: it needs a person.

export type SyncStatus = 'idle' | 'online' | 'offline' | 'auth-failed';

export interface SyncRound {
  status: SyncStatus;
  /** Orders handed to Odoo (an order retried alone after its batch was refused counts again). */
  sent: number;
  synced: number;
  parked: number;
  /** Left pending for a later round (offline, or an outcome still to check). */
  deferred: number;
  error: string | null;
}

export interface SyncOptions {
  batchSize?: number;
  /** Backoff after a failure: full jitter up to min(max, base × 2^n). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  now?: () => Date;
  random?: () => number;
  log?: Logger;
  /** Told after every round (the UIs' status bar). */
  onRound?: () => void;
  /**
   * How long an order whose send had no answer is only looked up, never resent: longer than
   * Odoo's own request time limit (limit_time_real, 120 s by default).
   */
  uncertainHoldMs?: number;
  /** Why there is no adapter (not paired, the secret unreadable), for the status. */
  whyNoAdapter?: () => string;
  /** The database paired now (`database@url`), recorded with each order synced to it. */
  database?: () => string | null;
  /**
   * Looks the synced orders up in Odoo and queues the missing ones again (restore-check.ts): when
   * the engine starts, before each round while Odoo is away (until it answers), after Odoo
   * refuses an order, and every `checkSyncedEveryMs` (1 h).
   */
  checkSynced?: (adapter: PosAdapter) => Promise<void>;
  checkSyncedEveryMs?: number;
}

export class SyncEngine {
  private failures = 0;
  private lastStatus: SyncStatus = 'idle';
  private lastError: string | null = null;
  private lastLoggedFailure: string | null = null;
  private running: Promise<SyncRound> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private lastSyncedCheck: number | null = null;
  private lastAskedCheck: number | null = null;
  /** Odoo answered again after failing, or refused an order: the synced orders are checked at the next chance. */
  private backOnline = false;
  /** The check before this round answered while Odoo was taken for away: no second check once it is back. */
  private checkedWhileAway = false;

  constructor(
    private readonly outbox: Outbox,
    /** The adapter for the paired server; null when the terminal is not paired. */
    private readonly adapter: () => PosAdapter | null,
    private readonly options: SyncOptions = {},
    /** Customers made offline: created in Odoo before the orders that wait for them. */
    private readonly partners: PartnerOutbox | null = null,
    /** Cash put in or taken out. */
    private readonly cashMoves: CashMoves | null = null,
  ) {}

  status(): { status: SyncStatus; lastError: string | null } {
    return { status: this.lastStatus, lastError: this.lastError };
  }

  /** Syncs until nothing due is left or the server is unreachable; one round at a time. */
  sync(): Promise<SyncRound> {
    this.running ??= this.drain().finally(() => (this.running = null));
    return this.running;
  }

  /** Checks the synced orders against Odoo now (the sync page's button), between rounds. */
  async checkSyncedNow(): Promise<void> {
    await this.running?.catch(() => {});
    // A button pressed again and again checks at most every few seconds.
    const now = this.now().getTime();
    if (this.lastAskedCheck !== null && now - this.lastAskedCheck < 5_000) return;
    this.lastAskedCheck = now;
    this.lastSyncedCheck = null;
    await this.sync();
  }

  /** One batch only (tests drive the engine round by round). */
  syncOnce(): Promise<SyncRound> {
    this.running ??= this.round().finally(() => (this.running = null));
    return this.running;
  }

  /** Keeps syncing in the background: at once, then whenever an order falls due. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  /** A sale was committed: try to send it now. */
  nudge(): void {
    if (!this.stopped) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.sync()
        .catch((error: Error) => this.options.log?.warn('POS sync round failed', { error: error.message }))
        .finally(() => {
          const next = this.outbox.nextDue();
          if (next) this.schedule(Math.max(250, Date.parse(next) - this.now().getTime()));
          else this.schedule(30_000); // nothing waiting: look again now and then (imports, requeues)
        });
    }, delayMs);
    this.timer.unref?.();
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private backoffAt(): Date {
    const base = this.options.backoffBaseMs ?? 1000;
    const max = this.options.backoffMaxMs ?? 60_000;
    const ceiling = Math.min(max, base * 2 ** Math.min(this.failures, 20));
    return new Date(this.now().getTime() + Math.floor((this.options.random ?? Math.random)() * ceiling) + 100);
  }

  private async drain(): Promise<SyncRound> {
    const total: SyncRound = { status: 'idle', sent: 0, synced: 0, parked: 0, deferred: 0, error: null };
    for (;;) {
      await this.checkSyncedIfDue();
      const round = await this.round();
      total.sent += round.sent;
      total.synced += round.synced;
      total.parked += round.parked;
      total.deferred = round.deferred;
      total.status = round.status;
      total.error = round.error;
      // Stop when nothing moved (all waiting for later) or the server is not answering.
      if (round.status !== 'online' || round.synced + round.parked === 0) return total;
    }
  }

  /**
   * The restore check, when it is due; its failure is logged, never the round's. While Odoo is away
   * it is tried before every round: orders rung up while a restore had Odoo down must be rewritten
   * (customers, sessions) before the round that finds it back sends them. Failing then is expected.
   */
  private async checkSyncedIfDue(): Promise<void> {
    const check = this.options.checkSynced;
    const adapter = this.adapter();
    if (!check || !adapter) return;
    const away = this.lastStatus === 'offline' || this.lastStatus === 'auth-failed';
    const now = this.now().getTime();
    if (!away && !this.backOnline && this.lastSyncedCheck !== null && now - this.lastSyncedCheck < (this.options.checkSyncedEveryMs ?? 3_600_000)) return;
    // A check that fails while Odoo answers is tried again in an hour, not every round (no log flood).
    if (!away) [this.backOnline, this.lastSyncedCheck] = [false, now];
    try {
      await check(adapter);
      if (away) [this.backOnline, this.lastSyncedCheck, this.checkedWhileAway] = [false, now, true];
    } catch (error) {
      if (!away) this.options.log?.warn('POS check of synced orders failed', { error: (error as Error).message });
    }
  }

  /** One batch: check the uncertain, send the rest, account for every order of the batch. */
  private async round(): Promise<SyncRound> {
    const started = performance.now();
    const before = this.lastStatus;
    try {
      const round = await this.roundOnce();
      // Back: checked at the next chance, unless the check before this round found Odoo back already.
      if ((before === 'offline' || before === 'auth-failed') && round.status === 'online' && !this.checkedWhileAway) this.backOnline = true;
      if (round.status === 'online') this.checkedWhileAway = false;
      this.logRound(round, before, Math.round(performance.now() - started));
      return round;
    } finally {
      this.options.onRound?.();
    }
  }

  /**
   * The shop's log: every round that moved an order, and each change of Odoo's reachability
   * (not every failed retry of a long outage, nor the idle probes).
   */
  private logRound(round: SyncRound, before: SyncStatus, ms: number): void {
    const log = this.options.log;
    if (!log) return;
    const figures = { sent: round.sent, confirmed: round.synced, parked: round.parked, waiting: round.deferred, ms };
    const failing = round.status === 'offline' || round.status === 'auth-failed';
    if (failing && (before !== round.status || round.error !== this.lastLoggedFailure)) log.warn('POS sync failed', { ...figures, status: round.status, error: round.error });
    else if (round.sent + round.synced + round.parked > 0) log.info('POS sync round', figures);
    else if (!failing && (before === 'offline' || before === 'auth-failed')) log.info('POS sync: Odoo answers again', { status: round.status, ms });
    this.lastLoggedFailure = failing ? round.error : null;
  }

  private async roundOnce(): Promise<SyncRound> {
    const adapter = this.adapter();
    // Customers made offline first (orders wait for them), then cash moves; a failure reaching
    // Odoo backs the due orders off too, instead of retrying at once.
    const before = adapter ? await this.syncBeforeOrders(adapter) : null;
    if (before) return this.failed(before, this.due());
    // Read once the customers exist: an order released by its customer goes in its place in the line.
    const due = this.due();
    const round: SyncRound = { status: due.length ? 'online' : this.lastStatus === 'idle' ? 'idle' : this.lastStatus, sent: 0, synced: 0, parked: 0, deferred: 0, error: null };
    if (due.length === 0) {
      if (adapter) await this.probe(adapter);
      return { ...round, status: this.lastStatus, error: this.lastError };
    }
    if (!adapter) {
      this.lastStatus = 'offline';
      this.lastError = this.options.whyNoAdapter?.() ?? 'Not paired with Odoo, or the vault is locked: orders wait on this terminal.';
      return { ...round, status: 'offline', deferred: due.length, error: this.lastError };
    }
    try {
      const uncertain = due.filter((o) => o.uncertain);
      const resend = new Set((await this.settleUncertain(adapter, uncertain, round)).map((o) => o.uid));
      const refusedCustomers = new Set((this.partners?.list('parked') ?? []).map((p) => p.localId));
      const line = lineUp(due.map((o) => this.outbox.get(o.uid)!), resend, this.outbox.firstWaitingForCustomer(), (uid) => this.outbox.get(uid), refusedCustomers);
      if (line.held) this.holdBehind(line.held, round);
      const ready: OutboxOrder[] = [];
      for (const order of line.ready) ready.push(await this.linkRefund(adapter, order));
      if (ready.length) await this.send(adapter, ready, round);
      if (ready.length || uncertain.length) {
        this.failures = 0;
        this.lastStatus = 'online';
        this.lastError = null;
      } else await this.probe(adapter); // only orders waiting behind others: Odoo was not asked anything yet
    } catch (error) {
      return this.failed(error as Error, due, round);
    }
    return round;
  }

  private due(): OutboxOrder[] {
    return this.outbox.due(this.now(), this.options.batchSize ?? 200);
  }

  /** Customers made offline, then cash moves; the error that stopped them, if any. */
  private async syncBeforeOrders(adapter: PosAdapter): Promise<Error | null> {
    try {
      if (this.partners) await this.syncPartners(adapter);
      if (this.cashMoves) await this.syncCashMoves(adapter);
      return null;
    } catch (error) {
      return error as Error;
    }
  }

  /**
   * Nothing to send: a cheap call tells whether Odoo answers, so the status bar says online or
   * offline before the next sale. A refused login stays so until a send succeeds.
   */
  private async probe(adapter: PosAdapter): Promise<void> {
    try {
      await adapter.ping();
      if (this.lastStatus !== 'auth-failed') {
        this.lastStatus = 'online';
        this.lastError = null;
      }
    } catch (error) {
      this.lastStatus = 'offline';
      this.lastError = (error as Error).message;
    }
  }

  /**
   * A refund of a sale made here that was not in Odoo when rung up: once the sale is (lineUp
   * lets it go only then), its lines' ids are written into the refund's payload
   * (refunded_orderline_id) before its first send (16: by position in the sale). A sale parked
   * or gone, or lines that cannot be matched, leave the refund unlinked, as a return.
   */
  private async linkRefund(adapter: PosAdapter, order: OutboxOrder): Promise<OutboxOrder> {
    const links = order.refundLinks;
    if (!links) return order;
    const sold = this.outbox.get(links.of);
    let payload: string | null = null;
    if (sold?.state === 'synced' && order.attempts === 0 && !order.uncertain) {
      const ids = await adapter.lineIdsByUuid(links.lines.map(([, soldLine]) => soldLine), sold);
      const byRefundLine = new Map(links.lines.flatMap(([refundLine, soldLine]): Array<[string, number]> => (ids.has(soldLine) ? [[refundLine, ids.get(soldLine)!]] : [])));
      if (byRefundLine.size) payload = adapter.withRefundLinks(order.payload, byRefundLine);
    }
    this.outbox.settleRefundLinks(order.uid, payload);
    return this.outbox.get(order.uid)!;
  }

  /**
   * Orders that cannot go before an earlier one: they wait until it may go, saying which it is;
   * an order whose own send is still being checked stays marked uncertain.
   */
  private holdBehind(held: HeldLine, round: SyncRound): void {
    const soonest = this.now().getTime() + 1_000;
    const at = new Date(Math.max(held.until ? Date.parse(held.until) : 0, soonest));
    for (const order of held.orders) {
      const reason = order.uid === held.first.uid ? held.reason : `Waits behind ${held.first.name}, sold earlier: ${held.reason}`;
      this.outbox.retryLater([order.uid], reason, order.uncertain && !held.resend.has(order.uid) ? new Date(Math.max(Date.parse(order.nextAttemptAt), at.getTime())) : at, { uncertain: order.uncertain && !held.resend.has(order.uid) });
      round.deferred++;
    }
  }

  /** After a failure: what is still pending of the batch waits (orders that may have reached Odoo are checked first next time). */
  private failed(error: Error, due: OutboxOrder[], round: SyncRound = { status: 'offline', sent: 0, synced: 0, parked: 0, deferred: 0, error: null }): SyncRound {
    this.failures++;
    const failure = error instanceof OdooRpcError ? error : new OdooRpcError('uncertain', error.message);
    const left = due.map((o) => this.outbox.get(o.uid)!).filter((o) => o.state === 'pending');
    const at = this.backoffAt();
    this.outbox.retryLater(
      left.filter((o) => !o.uncertain).map((o) => o.uid),
      failure.message,
      at,
      { uncertain: false },
    );
    this.outbox.retryLater(
      left.filter((o) => o.uncertain).map((o) => o.uid),
      failure.message,
      at,
      { uncertain: true },
    );
    round.deferred = left.length;
    round.status = failure.kind === 'auth' ? 'auth-failed' : 'offline';
    round.error = failure.message;
    this.lastStatus = round.status;
    this.lastError = failure.message;
    return round;
  }

  /** Cash moves: one whose send may have reached Odoo is looked up by its marked reason first. */
  private async syncCashMoves(adapter: PosAdapter): Promise<void> {
    for (const move of this.cashMoves!.list('pending')) {
      if (move.uncertain && (await adapter.findCashMove(move.sessionName, move))) {
        this.cashMoves!.synced(move.uid);
        continue;
      }
      this.cashMoves!.markSending(move.uid);
      try {
        await adapter.cashInOut(move.sessionId, move);
      } catch (error) {
        if (error instanceof OdooRpcError && error.kind === 'rejected') {
          // Refused (e.g. no cash method in that session): kept aside with the reason, never retried blindly.
          this.cashMoves!.park(move.uid, `Odoo refused the cash move: ${error.message}`);
          continue;
        }
        if (error instanceof OdooRpcError && error.kind === 'unreachable') this.cashMoves!.notSent(move.uid);
        throw error;
      }
      this.cashMoves!.synced(move.uid);
    }
  }

  /**
   * Customers made offline, before any order: one whose creation may have reached Odoo is looked
   * up by its reference first; once created, the orders held for it are released.
   */
  private async syncPartners(adapter: PosAdapter): Promise<void> {
    for (const partner of this.partners!.list('pending')) {
      let serverId = partner.uncertain ? await adapter.findPartnerByRef(partner.ref) : null;
      if (serverId === null) {
        this.partners!.markSending(partner.localId);
        try {
          serverId = await adapter.createPartner(partner.vals);
        } catch (error) {
          if (error instanceof OdooRpcError && error.kind === 'rejected') {
            // Odoo refused the customer: parked with the reason, its orders held; nothing was created.
            this.partners!.park(partner.localId, `Odoo refused the customer: ${error.message}`);
            this.outbox.explainWaitingForCustomer(partner.localId, `Waits for its customer ${String(partner.vals.name ?? '')}, whom Odoo refused: ${error.message}. Fix the customer, then send it again.`);
            continue;
          }
          if (error instanceof OdooRpcError && error.kind === 'unreachable') this.partners!.failed(partner.localId, error.message, { uncertain: false });
          throw error;
        }
      }
      this.partners!.synced(partner.localId, serverId, (payload, id) => adapter.withPartner(payload, id));
    }
  }

  /** Orders whose last send may have reached Odoo: found there → settled; not found → sent again. */
  private async settleUncertain(adapter: PosAdapter, uncertain: OutboxOrder[], round: SyncRound): Promise<OutboxOrder[]> {
    if (!uncertain.length) return [];
    const found = byName(await adapter.find(uncertain));
    const notThere: OutboxOrder[] = [];
    // Not found may mean "still being processed": a slow Odoo commits a batch after the client
    // gave up, and a resend running beside it would not see it and create the orders again. So
    // the order is only looked up until Odoo's own time limit for a request has passed.
    const holdMs = this.options.uncertainHoldMs ?? 130_000;
    for (const order of uncertain) {
      const server = found.get(order.name);
      if (server) {
        this.settle(order, server, round);
        continue;
      }
      const sentAt = order.sentAt ? Date.parse(order.sentAt) : 0;
      if (this.now().getTime() - sentAt < holdMs) {
        this.outbox.retryLater([order.uid], 'Waiting to be sure Odoo did not store it before sending it again.', new Date(sentAt + holdMs), { uncertain: true });
        round.deferred++;
      } else notThere.push(order);
    }
    return notThere;
  }

  private async send(adapter: PosAdapter, orders: OutboxOrder[], round: SyncRound): Promise<void> {
    this.outbox.markSending(orders.map((o) => o.uid));
    round.sent += orders.length;
    let processed: Map<string, ServerOrder>;
    try {
      processed = (await adapter.push(orders.map((o) => o.payload))).processed;
    } catch (error) {
      if (!(error instanceof OdooRpcError) || error.kind !== 'rejected') {
        // Not sent (unreachable): no doubt about it. Sent without an answer: uncertain stays set.
        if (error instanceof OdooRpcError && error.kind === 'unreachable') {
          this.outbox.retryLater(orders.map((o) => o.uid), error.message, this.now(), { uncertain: false });
          round.sent -= orders.length;
        }
        throw error;
      }
      // Odoo rolled the whole batch back: nothing of it was stored.
      if (orders.length === 1) {
        this.outbox.park(orders[0]!.uid, `Odoo refused the order: ${error.message}${hintFor(error.message)}`);
        round.parked++;
        // A refusal may come from a restore (its session gone): the synced orders are checked next.
        this.backOnline = true;
        return;
      }
      this.outbox.retryLater(orders.map((o) => o.uid), error.message, this.now(), { uncertain: false });
      for (const order of orders) await this.send(adapter, [order], round);
      return;
    }
    // Orders absent from the answer were skipped as duplicates: synced only if the server has them.
    const missing = orders.filter((o) => !processed.has(o.name));
    const found = missing.length ? byName(await adapter.find(missing)) : new Map<string, ServerOrder>();
    // The batch's outcomes in one transaction (one fsync, not one per order); a crash before it
    // commits leaves them uncertain, looked up in Odoo next round.
    this.outbox.inOneTransaction(() => {
      for (const order of orders) {
        const server = processed.get(order.name) ?? found.get(order.name);
        if (server) this.settle(order, server, round);
        else {
          // Neither created nor found: not taken this time; sent again later (its payload unchanged).
          this.outbox.retryLater([order.uid], 'Odoo neither stored nor recognized the order; it will be sent again.', this.backoffAt(), { uncertain: false });
          round.deferred++;
        }
      }
    });
  }

  private settle(order: OutboxOrder, server: ServerOrder, round: SyncRound): void {
    if (isFinal(server)) {
      this.outbox.markSynced([{ uid: order.uid, serverId: server.id }], this.now(), this.options.database?.() ?? null);
      round.synced++;
    } else {
      this.outbox.park(order.uid, `Odoo holds the order in state "${server.state}" (id ${server.id}), not paid: check its payments in Odoo, then mark it resolved or fix and resend it.`);
      round.parked++;
    }
  }
}

/** Orders that wait behind an earlier one that cannot go yet, and why. */
interface HeldLine {
  first: { uid: string; name: string };
  reason: string;
  /** When the earlier order may go (null: at the next round). */
  until: string | null;
  orders: OutboxOrder[];
  /** Uncertain orders known not to be in Odoo: they may be sent as they are. */
  resend: ReadonlySet<string>;
}

/**
 * The orders that may go this round: the due ones in the order they were sold, up to the first
 * that cannot go yet — an order whose last send is still being checked, one sold after an order
 * that waits for its customer to be created, a refund whose sale has not reached Odoo. What is
 * behind it waits too, so Odoo receives (and names) orders in the order they were sold; only a
 * parked order, whose reason the cashier sees, lets later ones pass it.
 */
export function lineUp(
  due: OutboxOrder[],
  resend: ReadonlySet<string>,
  waitingForCustomer: { uid: string; name: string; createdAt: string; sequence: number } | null,
  orderOf: (uid: string) => OutboxOrder | null,
  /** Customers made at the till that Odoo refused: a sale waiting for one is set aside, as a parked one. */
  refusedCustomers: ReadonlySet<number> = new Set(),
): { ready: OutboxOrder[]; held: HeldLine | null } {
  const pending = due.filter((o) => o.state === 'pending');
  const ready: OutboxOrder[] = [];
  for (const [i, order] of pending.entries()) {
    const rest = () => pending.slice(i);
    if (order.uncertain && !resend.has(order.uid)) {
      // Being checked (settleUncertain deferred it): the orders after it wait as long.
      return { ready, held: { first: order, reason: order.lastError ?? 'Its last send is being checked.', until: order.nextAttemptAt, orders: pending.slice(i + 1), resend } };
    }
    if (waitingForCustomer && soldBefore(waitingForCustomer, order)) {
      return { ready, held: { first: waitingForCustomer, reason: 'it waits for its customer, made at the till, to be created in Odoo.', until: null, orders: rest(), resend } };
    }
    const sale = order.refundLinks ? orderOf(order.refundLinks.of) : null;
    // A sale set aside for its refused customer holds nobody: its refund goes unlinked, as a return.
    if (sale?.state === 'pending' && !(sale.partnerLocalId !== null && refusedCustomers.has(sale.partnerLocalId))) {
      // Its sale goes in this round: the refund is linked and sent in the next one.
      if (ready.some((o) => o.uid === sale.uid)) return { ready, held: null };
      return { ready, held: { first: order, reason: `Waiting for ${sale.name} to reach Odoo.`, until: sale.nextAttemptAt, orders: rest(), resend } };
    }
    ready.push(order);
  }
  return { ready, held: null };
}

function soldBefore(a: { createdAt: string; sequence: number }, b: { createdAt: string; sequence: number }): boolean {
  return a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.sequence < b.sequence);
}

/** Server orders by name; with two of one name (Odoo 17 keeps a different order of the same name), a final one wins. */
function byName(orders: ServerOrder[]): Map<string, ServerOrder> {
  const map = new Map<string, ServerOrder>();
  for (const o of orders) {
    const seen = map.get(o.name);
    if (!seen || (!isFinal(seen) && isFinal(o))) map.set(o.name, o);
  }
  return map;
}

/** What to do about a refusal whose cause lies on the Odoo server, not in the order. */
function hintFor(message: string): string {
  // Odoo 17 renders an invoiced order's PDF inside create_from_ui: no wkhtmltopdf, no invoiced order.
  if (/wkhtmltopdf/i.test(message)) return ' — the Odoo server needs wkhtmltopdf to make invoices; install it there, then send the order again.';
  return '';
}
