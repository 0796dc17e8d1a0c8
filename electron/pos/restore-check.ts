import type { PosAdapter, SessionStanding } from './adapters.js';
import type { RefundLinks } from './outbox.js';
import type { RestoreCheckRecord, SyncedOrder, SyncedOrders, UnsentOrder, UnsentRewrite } from './synced-orders.js';

// A tenant restored to an earlier backup has lost the orders synced after that backup, and Odoo
// says nothing about it: the terminal looks the orders it synced (within its retention window)
// up in Odoo — by pos_reference on 16/17, by uuid on 18, as each version dedupes; database.uuid
// survives a restore, so it tells nothing — and queues the missing ones again. Their payloads are
// rewritten for the database as it is now: the session (a lost one's orders go where Odoo itself
// would put a closed session's late orders), customers made here (created again), refund links
// (Odoo's line ids are given out again after a restore). docs/pos.md, "After a restore".

const PAGE = 200;

export interface RestoreCheckInput {
  synced: SyncedOrders;
  adapter: PosAdapter;
  /** The database paired now (`database@url`): only orders synced to it are looked for. */
  database: string;
  configId: number;
  now: Date;
}

interface Missing extends SyncedOrder {
  partnerLocalId: number | null;
  refundLinks: RefundLinks | null;
}

export async function checkSyncedOrders(input: RestoreCheckInput): Promise<RestoreCheckRecord> {
  const { synced, adapter, now } = input;
  const since = synced.windowStart(now);
  const { checked, missing, found } = await lookUp(input, since);
  synced.clearWaiting(found.map((o) => o.uid));
  const unsent = synced.unsent();
  const record: RestoreCheckRecord = { at: now.toISOString(), checked, resent: 0, waiting: 0, sessions: [], refused: null };
  if (missing.length === 0 && unsent.length === 0) return record;
  const standing = await adapter.readSessions([...new Set([...missing, ...unsent].map((o) => o.sessionId))]);
  if (missing.length && found.length === 0 && !missing.some((o) => sameSession(input, standing, o.sessionId))) {
    // Nothing this terminal synced is there, not even a session: another database, not a restore.
    record.refused = `Odoo holds none of the ${missing.length} orders this terminal synced to it, nor their sessions: this looks like another database, not an earlier backup of this one. Nothing was sent again.`;
    return record;
  }
  const { targets, lost } = await sessionTargets(input, standing, [...missing, ...unsent]);
  // A lost session's id may be given out again after a restore (to its rescue session, say): named by what was lost.
  record.sessions = lost.map((id) => ({ lost: synced.sessionName(id) ?? `session ${id}`, into: targets.get(id)?.name ?? null }));
  const customers: CustomersSeen = new Map();
  const rewrites = await rewriteUnsentOrders(input, unsent, targets, customers);
  const waiting: string[] = [];
  const requeued: Missing[] = [];
  for (const order of missing) {
    const into = targets.get(order.sessionId);
    if (into) requeued.push(await rewriteForRestoredDatabase(input, order, into.id, missing, customers));
    else waiting.push(order.uid);
  }
  // One transaction: a customer made again and the orders naming it move together (a terminal
  // killed half-way must not leave an order naming an id Odoo gave to another customer).
  const lostCustomers = [...customers.values()].flatMap((c) => (c && c.foundAs === null ? [c.localId] : []));
  record.resent = synced.requeueAll(requeued, lostCustomers, rewrites, now);
  if (waiting.length) synced.markWaiting(waiting, 'Odoo no longer has it (its database went back to an earlier backup), and no session is open there to take it: open a session, and it is sent again.', now);
  record.waiting = waiting.length;
  return record;
}

/**
 * Orders not sent yet (rung up while Odoo was down for the restore, say) as they must go now: to
 * the session that takes a lost session's orders, naming a customer made here as Odoo holds it
 * now (or waiting for it to be made again: its old id may be another customer's).
 */
async function rewriteUnsentOrders(
  input: RestoreCheckInput,
  unsent: readonly UnsentOrder[],
  targets: ReadonlyMap<number, { id: number } | null>,
  customers: CustomersSeen,
): Promise<UnsentRewrite[]> {
  const rewrites: UnsentRewrite[] = [];
  for (const order of unsent) {
    const into = targets.get(order.sessionId);
    let payload = into && into.id !== order.sessionId ? input.adapter.withSession(order.payload, into.id) : order.payload;
    const customer = await customerMadeHere(input, payload, customers);
    if (customer?.foundAs && customer.foundAs !== orderDict(payload).partner_id) payload = input.adapter.withPartner(payload, customer.foundAs);
    const partnerLocalId = customer && customer.foundAs === null ? customer.localId : null;
    if (payload !== order.payload || partnerLocalId !== null) rewrites.push({ uid: order.uid, payload, partnerLocalId });
  }
  return rewrites;
}

/** Every synced order of the window, looked up in Odoo a page at a time. */
async function lookUp(input: RestoreCheckInput, since: string): Promise<{ checked: number; missing: Missing[]; found: SyncedOrder[] }> {
  const missing: Missing[] = [];
  const found: SyncedOrder[] = [];
  let checked = 0;
  let after: { syncedAt: string; uid: string } | null = null;
  for (;;) {
    const page = input.synced.page(input.database, since, after, PAGE);
    if (page.length === 0) break;
    // Any record of the order counts as there: a draft or cancelled one is a person's business, not a loss.
    const there = new Set((await input.adapter.find(page)).map((o) => o.name));
    for (const order of page) {
      if (there.has(order.name)) found.push(order);
      else missing.push({ ...order, partnerLocalId: null, refundLinks: null });
    }
    checked += page.length;
    const last = page[page.length - 1]!;
    after = { syncedAt: last.syncedAt, uid: last.uid };
  }
  return { checked, missing, found };
}

/**
 * Whether Odoo still has the session an order was sold in: for a session opened here, the same id,
 * configuration and name (a restore gives ids out again); for one of an order imported from
 * another terminal (its session unknown here), the id alone.
 */
function sameSession(input: RestoreCheckInput, standing: readonly SessionStanding[], sessionId: number): boolean {
  const session = standing.find((s) => s.id === sessionId);
  const knownName = input.synced.sessionName(sessionId);
  if (!session) return false;
  return knownName === null || (session.configId === input.configId && knownName === session.name);
}

/**
 * For each session of the orders: itself when Odoo still has it (a closed one's late orders are
 * Odoo's business, as for any late order — except on 18, where they would be refused with no open
 * session), else where its orders go (adapter.sessionForLateOrders; null: nowhere yet).
 */
async function sessionTargets(
  input: RestoreCheckInput,
  standing: readonly SessionStanding[],
  orders: ReadonlyArray<{ sessionId: number }>,
): Promise<{ targets: Map<number, { id: number; name: string } | null>; lost: number[] }> {
  const targets = new Map<number, { id: number; name: string } | null>();
  const lost: number[] = [];
  for (const sessionId of new Set(orders.map((o) => o.sessionId))) {
    const session = standing.find((s) => s.id === sessionId);
    const closedOn18 = input.adapter.series === '18' && (session?.state === 'closed' || session?.state === 'closing_control');
    if (session && sameSession(input, standing, sessionId) && !closedOn18) {
      targets.set(sessionId, { id: session.id, name: session.name });
      continue;
    }
    lost.push(sessionId);
    targets.set(sessionId, await input.adapter.sessionForLateOrders(input.configId, input.synced.sessionName(sessionId) ?? `session ${sessionId}`));
  }
  return { targets, lost };
}

/** The order's payload as it must go to the database as it is now: its session, its customer, its refund links. */
async function rewriteForRestoredDatabase(input: RestoreCheckInput, order: Missing, sessionId: number, missing: readonly Missing[], customers: CustomersSeen): Promise<Missing> {
  let payload = sessionId === order.sessionId ? order.payload : input.adapter.withSession(order.payload, sessionId);
  const customer = await customerMadeHere(input, payload, customers);
  if (customer?.foundAs) payload = input.adapter.withPartner(payload, customer.foundAs);
  const refund = await relinkRefund(input, payload, missing);
  return { ...order, payload: refund.payload, partnerLocalId: customer && !customer.foundAs ? customer.localId : null, refundLinks: refund.links };
}

/** The customers made here that this check has looked up, by the id the orders name. */
type CustomersSeen = Map<number, { localId: number; foundAs: number | null } | null>;

/**
 * A customer made at this till whose id the order names: looked up by its reference (ids are given
 * out again after a restore), once per check for all its orders. Found: its id now; gone: made
 * again before its orders go (requeueAll).
 */
async function customerMadeHere(input: RestoreCheckInput, payload: string, seen: CustomersSeen): Promise<{ localId: number; foundAs: number | null } | null> {
  const partnerId = orderDict(payload).partner_id;
  if (typeof partnerId !== 'number') return null;
  if (seen.has(partnerId)) return seen.get(partnerId)!;
  const local = input.synced.partnerCreatedAs(partnerId);
  const customer = local ? { localId: local.localId, foundAs: await input.adapter.findPartnerByRef(local.ref) } : null;
  seen.set(partnerId, customer);
  return customer;
}

/**
 * Refund lines name the sold line by Odoo's id, which a restore may have given to another line.
 * A sold line of an order sent again with it is linked again once that order is in (by uuid, as
 * for a refund rung up offline); a sold line Odoo still has keeps its link when its uuid agrees
 * (or moves to the id Odoo has for that uuid); any other link is dropped: a return, never a wrong link.
 */
async function relinkRefund(input: RestoreCheckInput, payload: string, missing: readonly Missing[]): Promise<{ payload: string; links: RefundLinks | null }> {
  const refundLines = orderDict(payload).lines.map(([, , line]) => line).filter((l) => typeof l.refunded_orderline_id === 'number' && typeof l.uuid === 'string');
  if (refundLines.length === 0) return { payload, links: null };
  const drop = new Set<string>();
  const move = new Map<string, number>();
  const relink: Array<[string, string]> = [];
  let of: string | null = null;
  for (const line of refundLines) {
    const refundUuid = line.uuid as string;
    const soldUuid = input.synced.soldUuidOf(refundUuid);
    const soldOrder = soldUuid ? input.synced.orderHoldingLine(soldUuid) : null;
    if (soldUuid && soldOrder && missing.some((o) => o.uid === soldOrder) && (of === null || of === soldOrder)) {
      of = soldOrder;
      relink.push([refundUuid, soldUuid]);
      drop.add(refundUuid);
      continue;
    }
    const lineId = line.refunded_orderline_id as number;
    // A sold order Odoo lost is no order there to match lines against (its old id may be another's).
    const now = await soldLineIdNow(input, lineId, soldUuid, soldOrder && !missing.some((o) => o.uid === soldOrder) ? soldOrder : null);
    if (now === null) drop.add(refundUuid);
    else if (now !== lineId) move.set(refundUuid, now);
  }
  let rewritten = drop.size ? input.adapter.withoutRefundLinks(payload, drop) : payload;
  if (move.size) rewritten = input.adapter.withRefundLinks(rewritten, move);
  return { payload: rewritten, links: of && relink.length ? { of, lines: relink } : null };
}

/**
 * The id Odoo has now for the sold line a refund line names (`lineId` when it still is that line),
 * or null when it cannot be told. 16 keeps no line uuid: there the sale, when this terminal sold
 * it, is read and its lines matched to its payload by position, as for a refund rung up offline.
 */
async function soldLineIdNow(input: RestoreCheckInput, lineId: number, soldUuid: string | null, soldOrder: string | null): Promise<number | null> {
  if (input.adapter.series === '16') {
    const sale = soldUuid && soldOrder ? input.synced.syncedSale(soldOrder) : null;
    return sale ? ((await input.adapter.lineIdsByUuid([soldUuid!], sale)).get(soldUuid!) ?? null) : null;
  }
  const read = await input.adapter.readSoldLines([lineId], soldUuid ? [soldUuid] : []);
  const byUuid = soldUuid ? read.find((r) => r.uuid === soldUuid) : undefined;
  if (byUuid) return byUuid.id;
  const byId = read.find((r) => r.id === lineId);
  return byId && soldUuid && byId.uuid === soldUuid ? lineId : null;
}

interface PayloadOrder {
  partner_id?: unknown;
  lines: Array<[number, number, { uuid?: unknown; refunded_orderline_id?: unknown }]>;
}

/** The order dict of a frozen payload of any version (16/17 wrap it in `data`). */
function orderDict(payload: string): PayloadOrder {
  const parsed = JSON.parse(payload) as { data?: PayloadOrder } & PayloadOrder;
  const order = parsed.data ?? parsed;
  return { partner_id: order.partner_id, lines: Array.isArray(order.lines) ? order.lines : [] };
}
