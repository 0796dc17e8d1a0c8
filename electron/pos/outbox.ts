import type Database from 'better-sqlite3';
import { FleetError } from '../../shared/errors.js';
import type { PriceOverride } from '../../shared/pos/sale-check.js';
import { formatBytes, jsonBytes, ORDER_PAYLOAD_MAX_CHARS, OUTBOX_CHUNK_MAX_BYTES, OUTBOX_CHUNK_MAX_ORDERS, type OutboxExportCursor, type OutboxFile } from '../../shared/pos.js';

// Every sale lands here, in the same transaction that gives it its final name, before the UI
// shows it paid. Its payload is stored as the exact JSON text sent to Odoo, so every retry sends
// the same bytes and Odoo's own dedupe recognizes it.

export type OutboxState = 'pending' | 'synced' | 'parked';

export interface OutboxOrder {
  uid: string;
  name: string;
  sessionId: number;
  sequence: number;
  payload: string;
  amountTotal: number;
  state: OutboxState;
  attempts: number;
  /** The last send's outcome is unknown (timeout, cut connection): the server is asked before resending. */
  uncertain: boolean;
  nextAttemptAt: string;
  /** When it was last handed to Odoo. */
  sentAt: string | null;
  /** A customer made offline it waits for (negative local id), or null. */
  partnerLocalId: number | null;
  lastError: string | null;
  serverId: number | null;
  createdAt: string;
  syncedAt: string | null;
  /** A refund of an order of this terminal that was not in Odoo yet: linked before its first send. */
  refundLinks: RefundLinks | null;
}

/** Which order a refund gives back, and for each refund line (its uuid) the sold line's uuid. */
export interface RefundLinks {
  of: string;
  lines: Array<[string, string]>;
}

/** Odoo's order uid and name: `%05d-%03d-%04d` of session, login number and sequence. */
export function orderIdentity(sessionId: number, loginNumber: number, sequence: number): { uid: string; name: string } {
  const uid = `${String(sessionId).padStart(5, '0')}-${String(loginNumber).padStart(3, '0')}-${String(sequence).padStart(4, '0')}`;
  return { uid, name: `Order ${uid}` };
}

/**
 * The file format of exported orders (moved to another terminal, or kept), and of each piece of
 * it: the customers made offline that its orders wait for travel with them (made again, same
 * reference, on import).
 */
export type OutboxExport = OutboxFile;
type ExportedOrder = OutboxExport['orders'][number];
type ExportedCustomer = NonNullable<OutboxExport['customers']>[number];

/** Room kept in a page for its `next` cursor (two short strings). */
const CURSOR_BYTES = 200;

const CUSTOMER_FIELDS = new Set(['name', 'email', 'phone', 'street', 'city', 'zip', 'vat']);

export class Outbox {
  constructor(private readonly db: Database.Database) {}

  /**
   * Names the sale (the session's next sequence) and stores its frozen payload, in one
   * transaction: when this returns, the sale survives any crash.
   */
  commit(
    sessionId: number,
    build: (identity: { uid: string; name: string; sequence: number }) => { payload: string; amountTotal: number },
    options: {
      now?: Date;
      /** Held until this customer made offline exists in Odoo. */
      partnerLocalId?: number | null;
      /** The sale's uuid: committing it again returns the order it already is, when its content is the same. */
      saleUuid?: string;
      /** What was rung up under that uuid (sale-identity.ts): the same uuid with other content is refused. */
      saleDigest?: string;
      /** Refund lines of sales made here: each line's sold line's uuid (the order holding it is found here). */
      refundOf?: Array<[string, string]>;
      /** Lines sold off their pricelist price or discounted, as the price check allowed them. */
      priceOverrides?: readonly PriceOverride[];
    } = {},
  ): OutboxOrder & { replayed: boolean } {
    const now = options.now ?? new Date();
    return this.db.transaction(() => {
      const known = options.saleUuid ? this.replay(options.saleUuid, options.saleDigest) : null;
      if (known) return known;
      const session = this.db.prepare('SELECT login_number, next_sequence, state FROM pos_session WHERE id = ?').get(sessionId) as { login_number: number; next_sequence: number; state: string } | undefined;
      if (!session) throw new FleetError('NOT_FOUND', `No POS session ${sessionId} on this terminal.`);
      const sequence = session.next_sequence;
      const identity = orderIdentity(sessionId, session.login_number, sequence);
      const { payload, amountTotal } = build({ ...identity, sequence });
      const at = now.toISOString();
      const links = options.refundOf?.length ? this.refundLinksFor(options.refundOf) : null;
      this.db.prepare('UPDATE pos_session SET next_sequence = next_sequence + 1 WHERE id = ?').run(sessionId);
      this.db
        .prepare(
          `INSERT INTO outbox (uid, name, session_id, sequence, payload, amount_total, state, next_attempt_at, created_at, partner_local_id, sale_uuid, refund_links, sale_digest, price_overrides)
           VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          identity.uid,
          identity.name,
          sessionId,
          sequence,
          payload,
          amountTotal,
          at,
          at,
          options.partnerLocalId ?? null,
          options.saleUuid ?? null,
          links ? JSON.stringify(links) : null,
          options.saleDigest ?? null,
          options.priceOverrides?.length ? JSON.stringify(options.priceOverrides) : null,
        );
      return { ...this.get(identity.uid)!, replayed: false };
    })();
  }

  /** The order of this terminal holding the sold lines (found by a line's uuid in its payload), if any. */
  private refundLinksFor(lines: Array<[string, string]>): RefundLinks | null {
    const sold = this.db.prepare("SELECT uid FROM outbox WHERE instr(payload, ?) > 0 AND state != 'parked' ORDER BY created_at LIMIT 1").get(`"${lines[0]![1]}"`) as { uid: string } | undefined;
    return sold ? { of: sold.uid, lines } : null;
  }

  /**
   * Before a refund's first send: its payload with the links written in (or as it is when they
   * cannot be made), and no links left to make. Never once the refund was sent: a payload is frozen then.
   */
  settleRefundLinks(uid: string, payload: string | null): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE outbox SET payload = coalesce(?, payload) WHERE uid = ? AND attempts = 0 AND uncertain = 0').run(payload, uid);
      this.db.prepare('UPDATE outbox SET refund_links = NULL WHERE uid = ?').run(uid);
    })();
  }

  /** A line of a sale stored here (Odoo's refusal aside: it was paid here), by its uuid: what a refund of it gives back. */
  soldLine(uuid: string): { productId: number; priceUnit: number; discount: number; taxIds: number[]; qty: number } | null {
    const row = this.db.prepare('SELECT payload FROM outbox WHERE instr(payload, ?) > 0 ORDER BY created_at LIMIT 1').get(`"${uuid}"`) as { payload: string } | undefined;
    const line = row ? payloadLines(row.payload).find((l) => l.uuid === uuid && l.qty > 0) : undefined;
    if (!line) return null;
    return { productId: Number(line.product_id), priceUnit: Number(line.price_unit), discount: Number(line.discount ?? 0), taxIds: commandIds(line.tax_ids), qty: line.qty };
  }

  /** The name of the order stored under a sale uuid, if any. */
  soldAs(saleUuid: string): string | null {
    return (this.db.prepare('SELECT name FROM outbox WHERE sale_uuid = ?').get(saleUuid) as { name: string } | undefined)?.name ?? null;
  }

  /**
   * The order a sale (by the uuid its UI gave it) already is, when it is that same sale sent again
   * (the same digest of its content); another sale under a used uuid is refused, nothing stored.
   */
  replay(saleUuid: string, saleDigest: string | undefined): (OutboxOrder & { replayed: true }) | null {
    const known = this.db.prepare('SELECT uid, name, sale_digest FROM outbox WHERE sale_uuid = ?').get(saleUuid) as { uid: string; name: string; sale_digest: string | null } | undefined;
    if (!known) return null;
    if (saleDigest === undefined || known.sale_digest === saleDigest) return { ...this.get(known.uid)!, replayed: true };
    throw new FleetError('CONFLICT', `This sale's id was used already by ${known.name}, which holds other lines or payments: nothing was recorded. Give the cart a new id and validate again.`, {
      reason: 'sale-id-used',
      order: known.name,
    });
  }

  get(uid: string): OutboxOrder | null {
    const row = this.db.prepare('SELECT * FROM outbox WHERE uid = ?').get(uid) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  /**
   * Pending orders, oldest first, once any of them is due; uncertain ones are among them (the
   * engine checks those first and holds back any Odoo may still be processing). Orders go in the
   * order they were sold even when their backoffs differ: a sale made while Odoo was away is not
   * sent ahead of an older one (a refund waiting for its link also waits for its sale: the engine).
   */
  due(now: Date, limit: number): OutboxOrder[] {
    const anyDue = this.db.prepare("SELECT 1 FROM outbox WHERE state = 'pending' AND partner_local_id IS NULL AND next_attempt_at <= ? LIMIT 1").get(now.toISOString());
    if (!anyDue) return [];
    return (this.db.prepare("SELECT * FROM outbox WHERE state = 'pending' AND partner_local_id IS NULL ORDER BY created_at, sequence LIMIT ?").all(limit) as Row[]).map(fromRow);
  }

  /** The first order sold that still waits for its customer (made at the till) to be created in Odoo; orders sold after it wait behind it. */
  firstWaitingForCustomer(): { uid: string; name: string; createdAt: string; sequence: number } | null {
    const row = this.db
      .prepare(
        // +o.state: found through the few orders held for a customer (outbox_customer), not by walking every pending one.
        "SELECT o.uid, o.name, o.created_at, o.sequence FROM partner_outbox p JOIN outbox o ON o.partner_local_id = p.local_id WHERE +o.state = 'pending' AND p.state = 'pending' ORDER BY o.created_at, o.sequence LIMIT 1",
      )
      .get() as { uid: string; name: string; created_at: string; sequence: number } | undefined;
    return row ? { uid: row.uid, name: row.name, createdAt: row.created_at, sequence: row.sequence } : null;
  }

  /** Orders held for a customer Odoo refused: the reason shows on them, and orders sold later no longer wait for them. */
  explainWaitingForCustomer(partnerLocalId: number, reason: string): void {
    this.db.prepare("UPDATE outbox SET last_error = ? WHERE partner_local_id = ? AND state = 'pending'").run(reason.slice(0, 2000), partnerLocalId);
  }

  /** When the next pending order is due, if any. */
  nextDue(): string | null {
    return (this.db.prepare("SELECT min(next_attempt_at) AS at FROM outbox WHERE state = 'pending' AND partner_local_id IS NULL").get() as { at: string | null }).at;
  }

  list(state?: OutboxState, limit = 1000): OutboxOrder[] {
    const rows = state ? this.db.prepare('SELECT * FROM outbox WHERE state = ? ORDER BY created_at DESC LIMIT ?').all(state, limit) : this.db.prepare('SELECT * FROM outbox ORDER BY created_at DESC LIMIT ?').all(limit);
    return (rows as Row[]).map(fromRow);
  }

  /**
   * Quantities given back by refunds recorded here and not yet in Odoo, by the Odoo line they
   * refund (`refunded_orderline_id` in their payloads): Odoo's refunded_qty does not count them yet.
   */
  refundedLinesWaiting(): { byLineId: Map<number, GivenBack>; byLineUuid: Map<string, GivenBack> } {
    const byLineId = new Map<number, GivenBack>();
    const byLineUuid = new Map<string, GivenBack>();
    const rows = this.db
      .prepare("SELECT payload, refund_links FROM outbox WHERE state IN ('pending', 'parked') AND (refund_links IS NOT NULL OR payload LIKE '%refunded_orderline_id%')")
      .all() as Array<{ payload: string; refund_links: string | null }>;
    for (const row of rows) {
      const lines = payloadLines(row.payload);
      for (const line of lines) if (typeof line.refunded_orderline_id === 'number') giveBack(byLineId, line.refunded_orderline_id, line);
      // Refunds not linked yet (their sale was not in Odoo when rung up): by the sold line's uuid.
      const links = row.refund_links ? (JSON.parse(row.refund_links) as RefundLinks) : null;
      for (const [refundLine, soldLine] of links?.lines ?? []) {
        const line = lines.find((l) => l.uuid === refundLine);
        if (line) giveBack(byLineUuid, soldLine, line);
      }
    }
    return { byLineId, byLineUuid };
  }

  counts(): { pending: number; parked: number; synced: number; lastSyncedAt: string | null } {
    // Kept by triggers (POS migration 14): one small read however many orders there are.
    const rows = this.db.prepare('SELECT state, orders AS n, last_synced_at AS last FROM outbox_tally').all() as Array<{ state: OutboxState; n: number; last: string | null }>;
    const n = (s: OutboxState) => rows.find((r) => r.state === s)?.n ?? 0;
    return { pending: n('pending'), parked: n('parked'), synced: n('synced'), lastSyncedAt: rows.find((r) => r.state === 'synced')?.last ?? null };
  }

  /** `fn` in one transaction: a batch's outcomes written to disk once, not once per order. */
  inOneTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** About to send: counted, and marked uncertain until the answer is known (a crash mid-send leaves it so). */
  markSending(uids: readonly string[], now = new Date()): void {
    const stmt = this.db.prepare("UPDATE outbox SET attempts = attempts + 1, uncertain = 1, sent_at = ? WHERE uid = ? AND state = 'pending'");
    this.db.transaction(() => uids.forEach((uid) => stmt.run(now.toISOString(), uid)))();
  }

  /** Odoo has them; `database` (synced-orders.ts) is where, so that only that database is checked for them later. */
  markSynced(synced: ReadonlyArray<{ uid: string; serverId: number | null }>, now = new Date(), database: string | null = null): void {
    const stmt = this.db.prepare("UPDATE outbox SET state = 'synced', uncertain = 0, server_id = ?, synced_at = ?, synced_to = ?, missing_since = NULL, last_error = NULL WHERE uid = ?");
    this.db.transaction(() => synced.forEach((s) => stmt.run(s.serverId, now.toISOString(), database, s.uid)))();
  }

  /** Not sent, or known not to have been processed: try again later. */
  retryLater(uids: readonly string[], error: string, at: Date, options: { uncertain: boolean }): void {
    const stmt = this.db.prepare("UPDATE outbox SET next_attempt_at = ?, last_error = ?, uncertain = ? WHERE uid = ? AND state = 'pending'");
    this.db.transaction(() => uids.forEach((uid) => stmt.run(at.toISOString(), error.slice(0, 2000), options.uncertain ? 1 : 0, uid)))();
  }

  /** Odoo refused it for a business reason: kept aside with the reason, never retried blindly. */
  park(uid: string, error: string): void {
    this.db.prepare("UPDATE outbox SET state = 'parked', uncertain = 0, last_error = ? WHERE uid = ? AND state = 'pending'").run(error.slice(0, 2000), uid);
  }

  /** "Sync now": pending orders waiting out a backoff are due at once (never those only being looked up). */
  dueNow(now = new Date()): void {
    this.db.prepare("UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending' AND uncertain = 0 AND next_attempt_at > ?").run(now.toISOString(), now.toISOString());
  }

  /** A person fixed the cause (e.g. opened a session): the parked order goes back in the queue. */
  requeue(uid: string, now = new Date()): void {
    const changed = this.db.prepare("UPDATE outbox SET state = 'pending', next_attempt_at = ? WHERE uid = ? AND state = 'parked'").run(now.toISOString(), uid).changes;
    if (!changed) throw new FleetError('NOT_FOUND', `No parked order ${uid}.`);
  }

  /**
   * One page of the unsynced orders (pending and parked), in the order they were sold, after
   * `after`: at most OUTBOX_CHUNK_MAX_ORDERS orders and OUTBOX_CHUNK_MAX_BYTES of JSON, with the
   * customers made offline they wait for. `next` is where the following page starts (null: none).
   * Links still to make (refund_links) stay here: on another terminal such a refund goes as a plain return.
   */
  exportPage(after: OutboxExportCursor | null, now = new Date()): OutboxExport & { next: OutboxExportCursor | null } {
    const rows = (
      this.db
        .prepare("SELECT * FROM outbox WHERE state <> 'synced' AND (created_at, uid) > (?, ?) ORDER BY created_at, uid LIMIT ?")
        .all(after?.createdAt ?? '', after?.uid ?? '', OUTBOX_CHUNK_MAX_ORDERS + 1) as Row[]
    ).map(fromRow);
    const page = { format: 'fleet-pos-outbox/1' as const, exportedAt: now.toISOString(), orders: [] as ExportedOrder[], customers: [] as ExportedCustomer[] };
    let bytes = jsonBytes({ ...page, next: null }) + CURSOR_BYTES;
    for (const row of rows.slice(0, OUTBOX_CHUNK_MAX_ORDERS)) {
      const order = exportedOrder(row);
      const customer = row.partnerLocalId !== null && !page.customers.some((c) => c.localId === row.partnerLocalId) ? this.exportedCustomer(row.partnerLocalId) : null;
      const added = jsonBytes(order) + 1 + (customer ? jsonBytes(customer) + 1 : 0);
      if (page.orders.length === 0) assertExportable(order, bytes + added);
      else if (bytes + added > OUTBOX_CHUNK_MAX_BYTES) break;
      page.orders.push(order);
      if (customer) page.customers.push(customer);
      bytes += added;
    }
    const last = page.orders[page.orders.length - 1];
    const more = rows.length > page.orders.length;
    return { ...page, next: more && last ? { createdAt: last.createdAt, uid: last.uid } : null };
  }

  /** Every unsynced order as one file, page after page (the faces join the pages the same way). */
  exportUnsynced(now = new Date()): OutboxExport {
    const file: OutboxExport = { format: 'fleet-pos-outbox/1', exportedAt: now.toISOString(), orders: [], customers: [] };
    let after: OutboxExportCursor | null = null;
    do {
      const page = this.exportPage(after, now);
      file.orders.push(...page.orders);
      file.customers!.push(...(page.customers ?? []).filter((c) => !file.customers!.some((known) => known.ref === c.ref)));
      after = page.next;
    } while (after);
    return file;
  }

  private exportedCustomer(localId: number): ExportedCustomer | null {
    const row = this.db.prepare('SELECT local_id, ref, vals FROM partner_outbox WHERE local_id = ?').get(localId) as { local_id: number; ref: string; vals: string } | undefined;
    if (!row) return null;
    const vals = Object.fromEntries(Object.entries(JSON.parse(row.vals) as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    return { localId: row.local_id, ref: row.ref, vals };
  }

  /**
   * Takes orders exported elsewhere, their names and payloads unchanged (so Odoo dedupes them
   * if the other terminal synced them after all). An order already here is left as it is.
   */
  importOrders(file: OutboxExport, now = new Date()): { imported: number; known: number } {
    if (file.format !== 'fleet-pos-outbox/1' || !Array.isArray(file.orders)) throw new FleetError('VALIDATION', 'Not an exported Fleet POS order file.');
    let imported = 0;
    let known = 0;
    // Imported orders may have reached Odoo from the other terminal: each is looked up before it is sent.
    const insert = this.db.prepare(
      `INSERT INTO outbox (uid, name, session_id, sequence, payload, amount_total, state, uncertain, next_attempt_at, last_error, created_at, partner_local_id)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', 1, ?, ?, ?, ?) ON CONFLICT (uid) DO NOTHING`,
    );
    this.db.transaction(() => {
      // Customers made offline on the other terminal: made here again under the same reference
      // (so Odoo gets each once), their orders pointed at the local ids they get here.
      const localIds = new Map<number, number>();
      for (const c of file.customers ?? []) {
        const existing = this.db.prepare('SELECT local_id FROM partner_outbox WHERE ref = ?').get(c.ref) as { local_id: number } | undefined;
        if (existing) {
          localIds.set(c.localId, existing.local_id);
          continue;
        }
        const lowest = (this.db.prepare('SELECT min(local_id) AS n FROM partner_outbox').get() as { n: number | null }).n ?? 0;
        const localId = Math.min(lowest, 0) - 1;
        // Only the fields a terminal sets on a customer it makes: a file cannot write anything else into Odoo.
        const vals = Object.fromEntries(Object.entries(c.vals).filter(([k, v]) => CUSTOMER_FIELDS.has(k) && typeof v === 'string'));
        this.db.prepare("INSERT INTO partner_outbox (local_id, ref, vals, state, uncertain, created_at) VALUES (?, ?, ?, 'pending', 1, ?)").run(localId, c.ref, JSON.stringify({ ...vals, ref: c.ref }), now.toISOString());
        localIds.set(c.localId, localId);
      }
      for (const o of file.orders) {
        if (typeof o.uid !== 'string' || typeof o.name !== 'string' || typeof o.payload !== 'string' || !Number.isInteger(o.sessionId) || !Number.isInteger(o.sequence)) {
          throw new FleetError('VALIDATION', 'An order in the file lacks its uid, name, session, sequence or payload; nothing was imported.');
        }
        JSON.parse(o.payload); // a damaged payload is refused, not queued
        const waitsFor = o.partnerLocalId ? localIds.get(o.partnerLocalId) : undefined;
        if (o.partnerLocalId && waitsFor === undefined) throw new FleetError('VALIDATION', `Order ${o.name} waits for a customer the file does not carry; nothing was imported.`);
        const changes = insert.run(o.uid, o.name, o.sessionId, o.sequence, o.payload, Number(o.amountTotal) || 0, now.toISOString(), o.lastError ?? null, o.createdAt ?? now.toISOString(), waitsFor ?? null).changes;
        if (changes) imported++;
        else known++;
      }
    })();
    return { imported, known };
  }
}

function exportedOrder({ uid, name, sessionId, sequence, payload, amountTotal, state, lastError, createdAt, partnerLocalId }: OutboxOrder): ExportedOrder {
  return { uid, name, sessionId, sequence, payload, amountTotal, state, lastError, createdAt, partnerLocalId };
}

/** An order stored before the bounds were what they are now may be too large to move by file. */
function assertExportable(order: ExportedOrder, pageBytes: number): void {
  if (order.payload.length > ORDER_PAYLOAD_MAX_CHARS || pageBytes > OUTBOX_CHUNK_MAX_BYTES) {
    throw new FleetError('VALIDATION', `${order.name} is too large to move by file (${formatBytes(pageBytes)}; a piece holds at most ${formatBytes(OUTBOX_CHUNK_MAX_BYTES)}): sync it from this terminal.`);
  }
}

interface Row {
  uid: string;
  name: string;
  session_id: number;
  sequence: number;
  payload: string;
  amount_total: number;
  state: OutboxState;
  attempts: number;
  uncertain: number;
  next_attempt_at: string;
  last_error: string | null;
  server_id: number | null;
  created_at: string;
  sent_at: string | null;
  synced_at: string | null;
  partner_local_id: number | null;
  refund_links: string | null;
}

function fromRow(r: Row): OutboxOrder {
  return {
    uid: r.uid,
    name: r.name,
    sessionId: r.session_id,
    sequence: r.sequence,
    payload: r.payload,
    amountTotal: r.amount_total,
    state: r.state,
    attempts: r.attempts,
    uncertain: r.uncertain === 1,
    nextAttemptAt: r.next_attempt_at,
    sentAt: r.sent_at,
    partnerLocalId: r.partner_local_id,
    lastError: r.last_error,
    serverId: r.server_id,
    createdAt: r.created_at,
    syncedAt: r.synced_at,
    refundLinks: r.refund_links ? (JSON.parse(r.refund_links) as RefundLinks) : null,
  };
}

/** What refunds waiting here give back of one sold line. */
export interface GivenBack {
  qty: number;
  lots: string[];
}

interface PayloadLine {
  uuid?: unknown;
  product_id?: unknown;
  qty: number;
  price_unit?: unknown;
  discount?: unknown;
  tax_ids?: unknown;
  refunded_orderline_id?: unknown;
  pack_lot_ids?: unknown;
}

/** The ids of a many2many field as a payload writes it: [[6, false, ids]] (or ids as they are). */
function commandIds(value: unknown): number[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => (typeof item === 'number' ? [item] : Array.isArray(item) && item[0] === 6 && Array.isArray(item[2]) ? (item[2] as unknown[]).filter((n): n is number => typeof n === 'number') : []));
}

/** The order lines of a frozen payload, whatever the version's shape: the dicts of its [0, 0, {…}] line commands. */
function payloadLines(payload: string): PayloadLine[] {
  const lines: PayloadLine[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const line = value as { product_id?: unknown; qty?: unknown };
      if (typeof line.qty === 'number' && 'product_id' in line) lines.push(line as PayloadLine);
      else Object.values(value).forEach(visit);
    }
  };
  visit(JSON.parse(payload));
  return lines;
}

/** Adds a refund line to what is given back of a sold line: its quantity, and its lots (pack_lot_ids: [[0, 0, {lot_name}], …]). */
function giveBack<K>(given: Map<K, GivenBack>, soldLine: K, line: PayloadLine): void {
  const entry = given.get(soldLine) ?? { qty: 0, lots: [] };
  entry.qty -= line.qty;
  if (Array.isArray(line.pack_lot_ids)) for (const command of line.pack_lot_ids) if (Array.isArray(command) && typeof command[2]?.lot_name === 'string') entry.lots.push(command[2].lot_name as string);
  given.set(soldLine, entry);
}
