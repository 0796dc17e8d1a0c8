import { FleetError } from '../../shared/errors.js';
import { OdooRpcError, type OdooRpc } from './odoo-rpc.js';
import { lineIdsByPosition, odoo17OrderPayload, odoo18OrderPayload, type OrderIdentity, type Sale } from './order-payloads.js';
import { ODOO16_DATA, ODOO17_DATA, ODOO18_DATA, type PosDataShape } from './pos-data-shapes.js';

export type { Sale } from './order-payloads.js';

// One adapter per Odoo API generation (facts: docs/odoo-pos-rpc.md). 16 and 17 load with
// `load_pos_data` and push with `create_from_ui` (dedupe by name + content, rescue sessions);
// 18 loads with `load_data`, opens with `set_opening_control` and pushes with `sync_from_ui`
// (dedupe by uuid, no rescue sessions). A later generation (19's /json/2) is one more adapter.
// What differs between versions is known here, in order-payloads.ts and in pos-data-shapes.ts:
// the rest of the terminal and the selling page see one shape (electron/pos/README.md).

/** What the payload rewrites touch of an order dict (16/17's `data`, 18's whole payload). */
interface OrderDict {
  partner_id: unknown;
  /** 16/17's key for the order's session; 18's is session_id. */
  pos_session_id?: unknown;
  session_id?: unknown;
  lines: Array<[number, number, { uuid?: unknown; refunded_orderline_id?: unknown }]>;
}

/** A POS session as Odoo holds it now. */
export interface SessionStanding {
  id: number;
  name: string;
  configId: number;
  state: string;
}

/** The models whose pictures the selling UI shows. */
export type ImageModel = 'product.product' | 'pos.category';

/** What the server knows of an order, found by its name (16/17) or uuid (18). */
export interface ServerOrder {
  id: number;
  name: string;
  state: string;
  amountTotal: number;
}

/** A paid order found in Odoo (rung up on any terminal), with what a refund needs of its lines. */
export interface FoundOrder {
  id: number;
  name: string;
  date: string;
  configName: string;
  partner: { id: number; name: string } | null;
  /** The sale's own pricelist and fiscal position: a refund gives back at the sale's terms. */
  pricelistId: number | null;
  fiscalPositionId: number | null;
  amountTotal: number;
  amountTax: number;
  /** The change given (amount_return). */
  amountReturn: number;
  state: string;
  /** Odoo's own name for it (e.g. "Shop/0001"), the POS user who sold it, and its invoice's name. */
  odooName: string;
  cashier: string | null;
  invoice: string | null;
  toInvoice: boolean;
  /** Payments by method name, the change payment left out (it is amountReturn). */
  payments: Array<{ method: string; amount: number }>;
  lines: Array<{
    id: number;
    /** The uuid the selling terminal gave the line (17 and 18 keep it; 16 has none). */
    uuid: string | null;
    productId: number;
    name: string;
    qty: number;
    /** Already given back by refunds Odoo holds (pos.order.line.refunded_qty). */
    refundedQty: number;
    priceUnit: number;
    discount: number;
    taxIds: number[];
    priceSubtotal: number;
    priceSubtotalIncl: number;
    lots: string[];
  }>;
}

/** A sold line read back from Odoo, with the quantity its refunds gave back already. */
export interface SoldLineRead {
  id: number;
  uuid: string | null;
  productId: number;
  priceUnit: number;
  discount: number;
  taxIds: number[];
  qty: number;
  refundedQty: number;
}

/** An order's standing in Odoo: its own name, state and invoice (account_move). */
export interface OdooOrderStanding {
  id: number;
  name: string;
  state: string;
  invoice: { id: number; name: string } | null;
}

/** get_closing_control_data read into one shape (16/17 say other_payment_methods, 18 non_cash_payment_methods). */
export interface OdooClosingData {
  /** The first cash method: what the drawer should hold (its opening, cash payments net of change, cash moves). */
  cash: { id: number; expected: number; opening: number } | null;
  others: Array<{ id: number; amount: number; type: string }>;
  /** amount_authorized_diff when the config sets a maximum difference, else null. */
  authorizedDifference: number | null;
}

export interface PushResult {
  /** Orders the server created or updated, by name. */
  processed: Map<string, ServerOrder>;
}

/**
 * How a version's POS writes an order and shapes its data: what selling needs, built from the
 * stored pairing with no network and no secret (the vault may be locked; only talking to Odoo needs it).
 */
export interface OrderFormat {
  readonly series: string;
  /** The exact JSON text of the order as pushed (frozen in the outbox). */
  orderPayload(sale: Sale, order: OrderIdentity): string;
  /** Its POS data load as cached, and the cache as the selling page and the price check read it. */
  readonly data: PosDataShape;
  /** Whether the opening count's difference becomes a cash statement line (16/17) or only a note on the session (18's set_opening_control). */
  readonly booksOpeningDifference: boolean;
}

export interface PosAdapter extends OrderFormat {
  /** The session's POS data, as `{model: records}` (barcode rules included: scanners need them offline). */
  loadData(sessionId: number): Promise<Record<string, unknown>>;
  /** Opens (or finds) the config's session, counting the opening cash when cash control asks for it. */
  openSession(configId: number, openingCash: number | undefined, notes?: string): Promise<{ id: number; name: string; state: string }>;
  /** What Odoo's closing popup reads (get_closing_control_data, 16–18): the whole session's expected amounts, every terminal's orders. */
  closingControlData(sessionId: number): Promise<OdooClosingData>;
  /** The opening cash Odoo expects for the config's next opening (null: its session is open already, nothing to count). */
  expectedOpeningCash(configId: number): Promise<number | null>;
  /** A new login number for this terminal's start (part of every order name). */
  login(sessionId: number): Promise<number>;
  push(payloads: readonly string[]): Promise<PushResult>;
  /** The server's copies of these outbox orders (any state), found as the version dedupes them. */
  find(orders: ReadonlyArray<{ name: string; payload: string }>): Promise<ServerOrder[]>;
  /** Creates a customer made offline (as the version's POS does); its id. */
  createPartner(vals: Record<string, unknown>): Promise<number>;
  /** A customer by its reference (set when it was made offline), to check before creating it again. */
  findPartnerByRef(ref: string): Promise<number | null>;
  /** The frozen payload with the customer's real id in place of the local placeholder. */
  withPartner(payload: string, partnerId: number): string;
  /**
   * Odoo's ids of order lines, by the uuid the terminal gave them. 16 keeps no line uuid: there the
   * lines of `sold` (the synced sale: its Odoo id and frozen payload) are matched by position.
   */
  lineIdsByUuid(uuids: readonly string[], sold?: { serverId: number | null; payload: string }): Promise<Map<string, number>>;
  /** Sold lines as a refund needs them (what Odoo counts as refunded already), by Odoo id or by uuid (17/18). */
  readSoldLines(ids: readonly number[], uuids: readonly string[]): Promise<SoldLineRead[]>;
  /** The frozen payload with refunded_orderline_id set on these lines (refund line uuid → Odoo line id). */
  withRefundLinks(payload: string, links: ReadonlyMap<string, number>): string;
  /** Records cash put in or taken out of the drawer (nothing comes back). */
  cashInOut(sessionId: number, move: { type: 'in' | 'out'; amount: number; reason: string }): Promise<void>;
  /** Whether a cash move with this exact reason is recorded in the session. */
  findCashMove(sessionName: string, move: { type: 'in' | 'out'; reason: string }): Promise<boolean>;
  /** Whether Odoo answers at all (common.version: no login, nothing read). */
  ping(): Promise<void>;
  /** Paid orders of any terminal whose receipt number or customer matches (the config's latest without a query), for refunds. */
  findPaidOrders(configId: number, query: string, limit: number): Promise<FoundOrder[]>;
  /** What Odoo holds of these orders by id: its name, state and invoice (missing ids left out). */
  readOrders(ids: readonly number[]): Promise<OdooOrderStanding[]>;
  /** Invoices an order as Odoo's backend button does (action_pos_order_invoice); what it holds then. */
  invoiceOrder(id: number): Promise<OdooOrderStanding>;
  /** The records' 128-pixel pictures (base64, or false without one) and versions, as Odoo's POS shows them. */
  readImages(model: ImageModel, ids: readonly number[]): Promise<Array<{ id: number; image_128: string | false; write_date: string }>>;
  /** Counts the closing cash (16/17/18 all have post_closing_cash_details), then closes with the bank methods' differences. */
  close(sessionId: number, closing: { countedCash: number | null; notes: string; bankDifferences: Array<[number, number]> }): Promise<{ successful: boolean; message?: string }>;
  /** Whether Odoo holds the session closed (by an earlier closing whose answer was lost, or from its backend). */
  isSessionClosed(sessionId: number): Promise<boolean>;
  /** Sessions by id as Odoo holds them now; ids it no longer has (a restored database) are left out. */
  readSessions(ids: readonly number[]): Promise<SessionStanding[]>;
  /**
   * Where orders go whose session Odoo no longer has (docs/pos.md, "After a restore"): 16/17 a
   * rescue session of the config — its open one, or a new one, as Odoo makes for a closed
   * session's late orders; 18, which has no rescue sessions, the config's open session (null: none is open).
   */
  sessionForLateOrders(configId: number, lostSessionName: string): Promise<{ id: number; name: string } | null>;
  /** The payload with its order in another session. */
  withSession(payload: string, sessionId: number): string;
  /** The payload with these refund lines (by uuid; every line when null) no longer naming the line they give back. */
  withoutRefundLinks(payload: string, lineUuids: ReadonlySet<string> | null): string;
}

/** The lot names sold, less those given back (each given-back name removes one). */
export function withoutGivenBack(sold: readonly string[], givenBack: readonly string[]): string[] {
  const left = [...sold];
  for (const name of givenBack) {
    const at = left.indexOf(name);
    if (at >= 0) left.splice(at, 1);
  }
  return left;
}

const PAID_STATES = new Set(['paid', 'done', 'invoiced']);
/** Whether a server order is final (synced for good), as opposed to left in draft or cancelled. */
export function isFinal(order: ServerOrder): boolean {
  return PAID_STATES.has(order.state);
}

export function adapterFor(rpc: OdooRpc, serverVersion: string): PosAdapter {
  const format = orderFormatFor(serverVersion);
  return format.series === '18' ? new Odoo18Adapter(rpc, format) : new Odoo17Adapter(rpc, format);
}

/** The order format of a server version (16, 17, 18; any other is refused): needs no connection. */
export function orderFormatFor(serverVersion: string): OrderFormat {
  const major = Number.parseInt(/^(?:saas~)?(\d+)/.exec(serverVersion)?.[1] ?? '', 10);
  if (major === 16) return { series: '16', orderPayload: odoo17OrderPayload, data: ODOO16_DATA, booksOpeningDifference: true };
  if (major === 17) return { series: '17', orderPayload: odoo17OrderPayload, data: ODOO17_DATA, booksOpeningDifference: true };
  if (major === 18) return { series: '18', orderPayload: odoo18OrderPayload, data: ODOO18_DATA, booksOpeningDifference: false };
  throw new FleetError('VALIDATION', `Odoo ${serverVersion} is not supported by this POS (16, 17 and 18 are).`, { field: 'url' });
}

/**
 * What 16, 17 and 18 do alike: the session's opening (only the opening-control method differs),
 * login, closing as Odoo's own UI does, and the lookups by reference.
 */
abstract class OdooPosAdapter implements OrderFormat {
  /** The method that counts the opening cash and opens a session waiting in opening_control. */
  protected abstract readonly openingControl: 'set_cashbox_pos' | 'set_opening_control';

  constructor(
    protected readonly rpc: OdooRpc,
    private readonly format: OrderFormat,
  ) {}

  get series(): string {
    return this.format.series;
  }

  get data(): PosDataShape {
    return this.format.data;
  }

  get booksOpeningDifference(): boolean {
    return this.format.booksOpeningDifference;
  }

  orderPayload(sale: Sale, order: OrderIdentity): string {
    return this.format.orderPayload(sale, order);
  }

  async openSession(configId: number, openingCash: number | undefined, notes = '') {
    let session = await this.currentSession(configId);
    if (!session) {
      await this.rpc.call('pos.config', 'open_ui', [[configId]]);
      session = await this.currentSession(configId);
    }
    if (!session) throw new FleetError('COMMAND_FAILED', `Odoo opened no session for POS config ${configId}.`);
    if (session.state === 'opening_control') {
      // The count replaces cash_register_balance_start (the last session's closing count); 16/17
      // book the gap as a cash difference, 18 notes it: with no count given, take the expected amount.
      const expected = openingCash ?? (await this.rpc.call<Array<{ cash_register_balance_start: number }>>('pos.session', 'read', [[session.id]], { fields: ['cash_register_balance_start'] }))[0]?.cash_register_balance_start ?? 0;
      // Odoo's opening popup sends the cashier's note with the count (set_cashbox_pos / set_opening_control(cashbox_value, notes)).
      await this.rpc.call('pos.session', this.openingControl, [[session.id], expected, notes]);
      session = (await this.currentSession(configId)) ?? session;
    }
    return session;
  }

  /**
   * As Odoo's ticket screen (search_paid_order_ids), with search_read on 16–18 alike: orders not in
   * draft or cancelled, newest first; each line with its refunded quantity and lot names.
   */
  async findPaidOrders(configId: number, query: string, limit: number): Promise<FoundOrder[]> {
    const notDraft = ['state', 'not in', ['draft', 'cancel']];
    const domain = query ? [notDraft, '|', ['pos_reference', 'ilike', query], ['partner_id', 'ilike', query]] : [notDraft, ['config_id', '=', configId]];
    type M2o = [number, string] | false;
    const orders = await this.rpc.call<
      Array<{ id: number; pos_reference: string | false; name: string | false; date_order: string; partner_id: M2o; pricelist_id: M2o; fiscal_position_id: M2o; amount_total: number; amount_tax: number; amount_return: number; state: string; config_id: M2o; user_id: M2o; account_move: M2o; to_invoice: boolean }>
    >('pos.order', 'search_read', [domain], {
      // Every field exists on pos.order in 16, 17 and 18 (employee_id only with pos_hr: not read).
      fields: ['pos_reference', 'name', 'date_order', 'partner_id', 'pricelist_id', 'fiscal_position_id', 'amount_total', 'amount_tax', 'amount_return', 'state', 'config_id', 'user_id', 'account_move', 'to_invoice'],
      limit,
      order: 'date_order desc, id desc',
    });
    if (orders.length === 0) return [];
    const lines = await this.rpc.call<
      Array<{ id: number; uuid?: string | false; order_id: M2o; product_id: M2o; full_product_name: string | false; qty: number; refunded_qty: number; price_unit: number; discount: number; tax_ids: number[]; price_subtotal: number; price_subtotal_incl: number; pack_lot_ids: number[] }>
    >('pos.order.line', 'search_read', [[['order_id', 'in', orders.map((o) => o.id)]]], {
      fields: ['order_id', 'product_id', 'full_product_name', 'qty', 'refunded_qty', 'price_unit', 'discount', 'tax_ids', 'price_subtotal', 'price_subtotal_incl', 'pack_lot_ids', ...(this.series === '16' ? [] : ['uuid'])],
      order: 'id',
    });
    // Lots and serials: those sold, less those refunded already (the refund lines' own lots).
    const refunds = lines.some((l) => l.pack_lot_ids?.length)
      ? await this.rpc.call<Array<{ refunded_orderline_id: M2o; pack_lot_ids: number[] }>>('pos.order.line', 'search_read', [[['refunded_orderline_id', 'in', lines.map((l) => l.id)]]], { fields: ['refunded_orderline_id', 'pack_lot_ids'] })
      : [];
    const lotIds = [...lines, ...refunds].flatMap((l) => l.pack_lot_ids ?? []);
    const lots = lotIds.length ? await this.rpc.call<Array<{ id: number; lot_name: string | false }>>('pos.pack.operation.lot', 'read', [lotIds, ['lot_name']]) : [];
    const lotName = new Map(lots.map((l) => [l.id, l.lot_name || '']));
    const payments = await this.rpc.call<Array<{ pos_order_id: M2o; payment_method_id: M2o; amount: number; is_change: boolean }>>('pos.payment', 'search_read', [[['pos_order_id', 'in', orders.map((o) => o.id)]]], {
      fields: ['pos_order_id', 'payment_method_id', 'amount', 'is_change'],
      order: 'id',
    });
    const lotsGivenBack = new Map<number, string[]>();
    for (const r of refunds) if (r.refunded_orderline_id) lotsGivenBack.set(r.refunded_orderline_id[0], [...(lotsGivenBack.get(r.refunded_orderline_id[0]) ?? []), ...(r.pack_lot_ids ?? []).map((id) => lotName.get(id) ?? '')]);
    return orders.map((o) => ({
      id: o.id,
      name: o.pos_reference || '',
      date: o.date_order,
      configName: o.config_id ? o.config_id[1] : '',
      partner: o.partner_id ? { id: o.partner_id[0], name: o.partner_id[1] } : null,
      pricelistId: o.pricelist_id ? o.pricelist_id[0] : null,
      fiscalPositionId: o.fiscal_position_id ? o.fiscal_position_id[0] : null,
      amountTotal: o.amount_total,
      amountTax: o.amount_tax,
      amountReturn: o.amount_return,
      state: o.state,
      odooName: o.name || '',
      cashier: o.user_id ? o.user_id[1] : null,
      invoice: o.account_move ? o.account_move[1] : null,
      toInvoice: o.to_invoice === true,
      payments: payments.filter((p) => p.pos_order_id && p.pos_order_id[0] === o.id && !p.is_change).map((p) => ({ method: p.payment_method_id ? p.payment_method_id[1] : '', amount: p.amount })),
      lines: lines
        .filter((l) => l.order_id && l.order_id[0] === o.id && l.product_id)
        .map((l) => ({
          id: l.id,
          uuid: l.uuid || null,
          productId: (l.product_id as [number, string])[0],
          name: l.full_product_name || (l.product_id as [number, string])[1],
          qty: l.qty,
          refundedQty: l.refunded_qty ?? 0,
          priceUnit: l.price_unit,
          discount: l.discount,
          taxIds: l.tax_ids ?? [],
          priceSubtotal: l.price_subtotal,
          priceSubtotalIncl: l.price_subtotal_incl,
          lots: withoutGivenBack(
            (l.pack_lot_ids ?? []).map((id) => lotName.get(id) ?? '').filter(Boolean),
            lotsGivenBack.get(l.id) ?? [],
          ),
        })),
    }));
  }

  async readOrders(ids: readonly number[]): Promise<OdooOrderStanding[]> {
    if (ids.length === 0) return [];
    type M2o = [number, string] | false;
    const rows = await this.rpc.call<Array<{ id: number; name: string | false; state: string; account_move: M2o }>>('pos.order', 'search_read', [[['id', 'in', [...ids]]]], { fields: ['name', 'state', 'account_move'] });
    return rows.map((r) => ({ id: r.id, name: r.name || '', state: r.state, invoice: r.account_move ? { id: r.account_move[0], name: r.account_move[1] } : null }));
  }

  /**
   * 16, 17 and 18 alike: the method sets to_invoice, refuses an order without a customer ("Please
   * provide a partner for the sale."), makes and posts the invoice (17 and 18 also render its PDF,
   * which needs wkhtmltopdf on the server) and answers a window action; an order invoiced already
   * gives its invoice again, so asking twice is harmless. The invoice is read back from the order.
   */
  async invoiceOrder(id: number): Promise<OdooOrderStanding> {
    await this.rpc.call('pos.order', 'action_pos_order_invoice', [[id]]);
    const [order] = await this.readOrders([id]);
    if (!order?.invoice) throw new FleetError('COMMAND_FAILED', `Odoo made no invoice for order ${id}.`);
    return order;
  }

  /** Odoo's own POS fetches `image_128` of products and POS categories by id, keyed by write_date. */
  async readImages(model: ImageModel, ids: readonly number[]) {
    return this.rpc.call<Array<{ id: number; image_128: string | false; write_date: string }>>(model, 'read', [[...ids], ['image_128', 'write_date']]);
  }

  async ping() {
    // A quick answer or none: a hanging probe would hold up the sync of the next sale.
    await this.rpc.version(5_000);
  }

  /**
   * As action_pos_session_open: a new session expects what the config's last session (by id)
   * counted at closing; one waiting in opening_control has it as cash_register_balance_start.
   */
  async expectedOpeningCash(configId: number): Promise<number | null> {
    const [last] = await this.rpc.call<Array<{ state: string; cash_register_balance_start: number; cash_register_balance_end_real: number }>>('pos.session', 'search_read', [[['config_id', '=', configId]]], {
      fields: ['state', 'cash_register_balance_start', 'cash_register_balance_end_real'],
      order: 'id desc',
      limit: 1,
    });
    if (!last) return 0;
    if (last.state === 'opening_control') return last.cash_register_balance_start;
    return last.state === 'closed' ? last.cash_register_balance_end_real : null;
  }

  async lineIdsByUuid(uuids: readonly string[], sold?: { serverId: number | null; payload: string }): Promise<Map<string, number>> {
    if (uuids.length === 0) return new Map();
    if (this.series === '16') return sold?.serverId ? this.lineIdsOf16Sale(sold.serverId, sold.payload) : new Map();
    try {
      const lines = await this.rpc.call<Array<{ id: number; uuid: string | false }>>('pos.order.line', 'search_read', [[['uuid', 'in', [...uuids]]]], { fields: ['uuid'] });
      return new Map(lines.flatMap((l) => (l.uuid ? [[l.uuid, l.id] as [string, number]] : [])));
    } catch (error) {
      // 16's lines have no uuid field: nothing to link by.
      if (error instanceof OdooRpcError && error.kind === 'rejected') return new Map();
      throw error;
    }
  }

  /** 16: the sale's stored lines, matched to its payload's line uuids by position (lineIdsByPosition). */
  private async lineIdsOf16Sale(orderId: number, payload: string): Promise<Map<string, number>> {
    const rows = await this.rpc.call<Array<{ id: number; product_id: [number, string] | false; qty: number }>>('pos.order.line', 'search_read', [[['order_id', '=', orderId]]], { fields: ['product_id', 'qty'] });
    return lineIdsByPosition(payload, rows.map((r) => ({ id: r.id, productId: r.product_id ? r.product_id[0] : 0, qty: r.qty })));
  }

  async readSoldLines(ids: readonly number[], uuids: readonly string[]): Promise<SoldLineRead[]> {
    const byUuid = this.series === '16' ? [] : uuids;
    if (ids.length === 0 && byUuid.length === 0) return [];
    const domain = ids.length && byUuid.length ? ['|', ['id', 'in', [...ids]], ['uuid', 'in', [...byUuid]]] : ids.length ? [['id', 'in', [...ids]]] : [['uuid', 'in', [...byUuid]]];
    type M2o = [number, string] | false;
    const rows = await this.rpc.call<Array<{ id: number; uuid?: string | false; product_id: M2o; price_unit: number; discount: number; tax_ids: number[]; qty: number; refunded_qty: number }>>('pos.order.line', 'search_read', [domain], {
      fields: ['product_id', 'price_unit', 'discount', 'tax_ids', 'qty', 'refunded_qty', ...(this.series === '16' ? [] : ['uuid'])],
    });
    return rows.flatMap((r) => (r.product_id ? [{ id: r.id, uuid: r.uuid || null, productId: r.product_id[0], priceUnit: r.price_unit, discount: r.discount, taxIds: r.tax_ids, qty: r.qty, refundedQty: r.refunded_qty ?? 0 }] : []));
  }

  /** The order's own dict in a frozen payload (16/17 wrap it in `data`, 18 sends it as is). */
  protected abstract orderIn(payload: Record<string, unknown>): OrderDict;

  /** The one change a payload gets before its first send, written into the version's shape. */
  private rewrite(payload: string, change: (order: OrderDict) => void): string {
    const parsed = JSON.parse(payload) as Record<string, unknown>;
    change(this.orderIn(parsed));
    return JSON.stringify(parsed);
  }

  withPartner(payload: string, partnerId: number): string {
    return this.rewrite(payload, (order) => {
      order.partner_id = partnerId;
    });
  }

  withSession(payload: string, sessionId: number): string {
    return this.rewrite(payload, (order) => {
      if ('session_id' in order) order.session_id = sessionId;
      else order.pos_session_id = sessionId;
    });
  }

  withoutRefundLinks(payload: string, lineUuids: ReadonlySet<string> | null): string {
    return this.rewrite(payload, (order) => {
      for (const [, , line] of order.lines) if (lineUuids === null || (typeof line.uuid === 'string' && lineUuids.has(line.uuid))) delete line.refunded_orderline_id;
    });
  }

  async readSessions(ids: readonly number[]): Promise<SessionStanding[]> {
    if (!ids.length) return [];
    const rows = await this.rpc.call<Array<{ id: number; name: string; config_id: [number, string] | false; state: string }>>('pos.session', 'search_read', [[['id', 'in', [...ids]]]], { fields: ['name', 'config_id', 'state'] });
    return rows.flatMap((r) => (r.config_id ? [{ id: r.id, name: r.name, configId: r.config_id[0], state: r.state }] : []));
  }

  abstract sessionForLateOrders(configId: number, lostSessionName: string): Promise<{ id: number; name: string } | null>;

  withRefundLinks(payload: string, links: ReadonlyMap<string, number>): string {
    return this.rewrite(payload, (order) => {
      for (const [, , line] of order.lines) {
        const id = typeof line.uuid === 'string' ? links.get(line.uuid) : undefined;
        if (id !== undefined) line.refunded_orderline_id = id;
      }
    });
  }

  async login(sessionId: number) {
    return Number(await this.rpc.call('pos.session', 'login', [[sessionId]]));
  }

  async closingControlData(sessionId: number): Promise<OdooClosingData> {
    type Method = { id?: unknown; amount?: unknown; type?: unknown };
    const data = await this.rpc.call<{ default_cash_details?: Method & { opening?: unknown } | null; other_payment_methods?: Method[]; non_cash_payment_methods?: Method[]; amount_authorized_diff?: unknown }>('pos.session', 'get_closing_control_data', [[sessionId]]);
    const cash = data?.default_cash_details;
    const amount = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
    return {
      // 18 sends {} without a cash method, 16/17 null.
      cash: cash && typeof cash.id === 'number' ? { id: cash.id, expected: amount(cash.amount), opening: amount(cash.opening) } : null,
      others: (data?.other_payment_methods ?? data?.non_cash_payment_methods ?? []).filter((m) => typeof m.id === 'number').map((m) => ({ id: m.id as number, amount: amount(m.amount), type: typeof m.type === 'string' ? m.type : 'bank' })),
      authorizedDifference: typeof data?.amount_authorized_diff === 'number' ? data.amount_authorized_diff : null,
    };
  }

  /** The closing sequence of Odoo's POS UI (16–18): the counted cash, the notes, then the close with the bank methods' differences. */
  async close(sessionId: number, closing: { countedCash: number | null; notes: string; bankDifferences: Array<[number, number]> }): Promise<{ successful: boolean; message?: string }> {
    if (closing.countedCash !== null) {
      const posted = await this.rpc.call<{ successful: boolean; message?: string } | null>('pos.session', 'post_closing_cash_details', [[sessionId]], { counted_cash: closing.countedCash });
      if (posted && posted.successful === false) return posted;
    }
    await this.rpc.call('pos.session', 'update_closing_control_state_session', [[sessionId], closing.notes]);
    return (await this.rpc.call<{ successful: boolean; message?: string } | null>('pos.session', 'close_session_from_ui', [[sessionId], closing.bankDifferences])) ?? { successful: false, message: 'no answer' };
  }

  async isSessionClosed(sessionId: number): Promise<boolean> {
    const rows = await this.rpc.call<Array<{ state: string }>>('pos.session', 'read', [[sessionId]], { fields: ['state'] });
    return rows[0]?.state === 'closed';
  }

  async findPartnerByRef(ref: string): Promise<number | null> {
    const rows = await this.rpc.call<Array<{ id: number }>>('res.partner', 'search_read', [[['ref', '=', ref]]], { fields: ['id'], limit: 1 });
    return rows[0]?.id ?? null;
  }

  /** try_cash_in_out records payment_ref = "<session>-<type>-<reason>". */
  async findCashMove(sessionName: string, move: { type: 'in' | 'out'; reason: string }): Promise<boolean> {
    const rows = await this.rpc.call<Array<{ id: number }>>('account.bank.statement.line', 'search_read', [[['payment_ref', '=', `${sessionName}-${move.type}-${move.reason}`]]], { fields: ['id'], limit: 1 });
    return rows.length > 0;
  }

  /** The orders a search domain finds, as the sync engine sees them. */
  protected async searchOrders(domain: unknown[]): Promise<ServerOrder[]> {
    const rows = await this.rpc.call<Array<{ id: number; pos_reference: string; state: string; amount_total: number }>>('pos.order', 'search_read', [domain], { fields: ['id', 'pos_reference', 'state', 'amount_total'] });
    return rows.map((r) => ({ id: r.id, name: r.pos_reference, state: r.state, amountTotal: r.amount_total }));
  }

  private async currentSession(configId: number): Promise<{ id: number; name: string; state: string } | null> {
    const rows = await this.rpc.call<Array<{ id: number; name: string; state: string }>>('pos.session', 'search_read', [[['config_id', '=', configId], ['state', '!=', 'closed'], ['rescue', '=', false]]], {
      fields: ['id', 'name', 'state'],
      limit: 1,
    });
    return rows[0] ?? null;
  }
}

class Odoo17Adapter extends OdooPosAdapter implements PosAdapter {
  protected readonly openingControl = 'set_cashbox_pos';

  async loadData(sessionId: number) {
    return withBarcodeRules(this.rpc, await this.rpc.call<Record<string, unknown>>('pos.session', 'load_pos_data', [[sessionId]]));
  }

  async push(payloads: readonly string[]): Promise<PushResult> {
    const orders = payloads.map((p) => JSON.parse(p) as unknown);
    const result = await this.rpc.call<Array<{ id: number; pos_reference: string }>>('pos.order', 'create_from_ui', [orders, false]);
    // The answer holds ids and names only: the states say whether Odoo left any in draft. Odoo
    // has stored the orders by now, so a failure reading them leaves their outcome uncertain.
    const states = result.length
      ? await this.searchOrders([['id', 'in', result.map((r) => r.id)]]).catch((error: unknown) => {
          throw new OdooRpcError('uncertain', `Odoo stored the orders but their states could not be read: ${(error as Error).message}`);
        })
      : [];
    return { processed: new Map(states.map((s) => [s.name, s])) };
  }

  async find(orders: ReadonlyArray<{ name: string; payload: string }>): Promise<ServerOrder[]> {
    return orders.length ? this.searchOrders([['pos_reference', 'in', orders.map((o) => o.name)]]) : [];
  }

  async createPartner(vals: Record<string, unknown>): Promise<number> {
    return Number(await this.rpc.call('res.partner', 'create_from_ui', [vals]));
  }

  protected orderIn(payload: Record<string, unknown>): OrderDict {
    return payload.data as OrderDict;
  }

  async cashInOut(sessionId: number, move: { type: 'in' | 'out'; amount: number; reason: string }): Promise<void> {
    // 16 also posts "Amount: <formattedAmount>" in the session's chatter: without that key Odoo
    // raises KeyError and keeps nothing. 17 reads translatedType only.
    const extras = this.series === '16' ? { translatedType: move.type, formattedAmount: chatterAmount(move.amount) } : { translatedType: move.type };
    await this.rpc.call('pos.session', 'try_cash_in_out', [[sessionId], move.type, move.amount, move.reason, extras]);
  }

  /** As 16/17's _get_valid_session: the config's open rescue session, or a new one (pos.session.create opens it; rescue skips the opening count). */
  async sessionForLateOrders(configId: number, lostSessionName: string): Promise<{ id: number; name: string }> {
    const open = [['config_id', '=', configId], ['rescue', '=', true], ['state', 'not in', ['closed', 'closing_control']]];
    const found = await this.rpc.call<Array<{ id: number; name: string }>>('pos.session', 'search_read', [open], { fields: ['name'], limit: 1 });
    if (found[0]) return found[0];
    const created = await this.rpc.call<number[] | number>('pos.session', 'create', [[{ config_id: configId, name: `(RESCUE FOR ${lostSessionName})`, rescue: true }]]);
    const id = Number(Array.isArray(created) ? created[0] : created);
    const [row] = await this.rpc.call<Array<{ id: number; name: string }>>('pos.session', 'read', [[id]], { fields: ['name'] });
    return { id, name: row?.name ?? `(RESCUE FOR ${lostSessionName})` };
  }

}

class Odoo18Adapter extends OdooPosAdapter implements PosAdapter {
  // 18 never opens a session by itself: the opening control does.
  protected readonly openingControl = 'set_opening_control';

  async loadData(sessionId: number) {
    return withBarcodeRules(this.rpc, await this.rpc.call<Record<string, unknown>>('pos.session', 'load_data', [sessionId, []]));
  }

  async push(payloads: readonly string[]): Promise<PushResult> {
    const orders = payloads.map((p) => JSON.parse(p) as unknown);
    const result = await this.rpc.call<{ 'pos.order'?: Array<{ id: number; pos_reference: string; state: string; amount_total: number }> }>('pos.order', 'sync_from_ui', [orders]);
    return { processed: new Map((result?.['pos.order'] ?? []).map((r) => [r.pos_reference, { id: r.id, name: r.pos_reference, state: r.state, amountTotal: r.amount_total }])) };
  }

  /** 18 dedupes by uuid: look orders up by the uuids of their payloads. */
  async find(orders: ReadonlyArray<{ name: string; payload: string }>): Promise<ServerOrder[]> {
    if (!orders.length) return [];
    return this.searchOrders([['uuid', 'in', orders.map((o) => (JSON.parse(o.payload) as { uuid: string }).uuid)]]);
  }

  async createPartner(vals: Record<string, unknown>): Promise<number> {
    const ids = await this.rpc.call<number[] | number>('res.partner', 'create', [[vals]]);
    return Number(Array.isArray(ids) ? ids[0] : ids);
  }

  protected orderIn(payload: Record<string, unknown>): OrderDict {
    return payload as unknown as OrderDict;
  }

  /** Whether this server's try_cash_in_out takes a partner before the extras (null: not known yet). */
  private cashInOutTakesPartner: boolean | null = null;

  /**
   * 18.0 builds differ: (type, amount, reason, extras), or a partner before the extras in later
   * ones. Python binds the arguments before running a line, so a call with the other count wrote
   * nothing: it is sent once more in the other shape, and the shape that worked is kept.
   */
  async cashInOut(sessionId: number, move: { type: 'in' | 'out'; amount: number; reason: string }): Promise<void> {
    const send = (withPartner: boolean) =>
      this.rpc.call('pos.session', 'try_cash_in_out', [[sessionId], move.type, move.amount, move.reason, ...(withPartner ? [false] : []), { translatedType: move.type }]);
    const withPartner = this.cashInOutTakesPartner ?? false;
    try {
      await send(withPartner);
    } catch (error) {
      if (this.cashInOutTakesPartner !== null || !isArgumentCountError(error, 'try_cash_in_out')) throw error;
      await send(!withPartner);
      this.cashInOutTakesPartner = !withPartner;
      return;
    }
    this.cashInOutTakesPartner = withPartner;
  }

  /** As 18's _get_valid_session: the config's open session; none open, the orders wait for one (18 refuses them otherwise). */
  async sessionForLateOrders(configId: number): Promise<{ id: number; name: string } | null> {
    const open = [['config_id', '=', configId], ['state', 'not in', ['closed', 'closing_control']]];
    const found = await this.rpc.call<Array<{ id: number; name: string }>>('pos.session', 'search_read', [open], { fields: ['name'], limit: 1 });
    return found[0] ?? null;
  }

}

/** Python's TypeError for a call with too many or too few arguments: raised before the method runs a line. */
function isArgumentCountError(error: unknown, method: string): boolean {
  return (
    error instanceof OdooRpcError &&
    error.kind === 'rejected' &&
    error.odooName === 'builtins.TypeError' &&
    new RegExp(`\\b${method}\\(\\) (takes \\d+ positional arguments? but \\d+ (was|were) given|missing \\d+ required positional arguments?)`).test(error.message)
  );
}

/** An amount as a message shows it: two decimals unless it has more (the chatter line is text only). */
function chatterAmount(amount: number): string {
  return Number(amount.toFixed(2)) === amount ? amount.toFixed(2) : String(amount);
}

/**
 * The barcode nomenclatures and their rules (weight, price and discount barcodes, cashier and
 * customer cards), which load_pos_data and load_data do not carry: read beside them, so a
 * scanner works offline. A server that refuses to share them leaves the data as it is.
 */
async function withBarcodeRules(rpc: OdooRpc, data: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (data['barcode.rule']) return data;
  try {
    const nomenclatures = await rpc.call<unknown[]>('barcode.nomenclature', 'search_read', [[]], { fields: ['id', 'name', 'upc_ean_conv'] });
    const rules = await rpc.call<unknown[]>('barcode.rule', 'search_read', [[]], { fields: ['id', 'name', 'sequence', 'type', 'encoding', 'pattern', 'alias', 'barcode_nomenclature_id'] });
    return { ...data, 'barcode.nomenclature': nomenclatures, 'barcode.rule': rules };
  } catch (error) {
    if (error instanceof OdooRpcError && error.kind === 'rejected') return data;
    throw error;
  }
}
