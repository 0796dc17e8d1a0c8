import type Database from 'better-sqlite3';
import { FleetError } from '../../shared/errors.js';
import { idList, m2o, PRICING_MODELS, readPricingData, type OdooRecord, type PosCatalog, type PricingData } from '../../shared/pos/pos-data.js';
import { cashierAuthority, checkSale, type PriceOverride } from '../../shared/pos/sale-check.js';
import type { Vault } from '../secrets/vault.js';
import type { OrderDetailView } from '../../shared/pos-order-detail.js';
import { adapterFor, orderFormatFor, withoutGivenBack, type FoundOrder, type OdooOrderStanding, type OrderFormat, type PosAdapter, type Sale } from './adapters.js';
import { describeOrder } from './order-detail.js';
import { readOrderPayload, type RecordedOrder } from './order-payloads.js';
import { mapTaxes } from '../../shared/pos/fiscal-position.js';
import { sessionFigures, type SessionFigures } from '../../shared/pos/session-report.js';
import { OdooRpc, OdooRpcError } from './odoo-rpc.js';
import type { Outbox, OutboxOrder } from './outbox.js';
import type { Receipt } from './escpos.js';
import type { CashMoves } from './cash-moves.js';
import type { PartnerOutbox } from './partner-outbox.js';
import type { PosImages } from './images.js';
import { RefundableLines } from './refundable-lines.js';

// The terminal's relation to Odoo: which database and POS config it sells for (pairing), the
// session it sells in, and Odoo's POS data cached for selling with no network at all. The cache
// keeps the records as Odoo sent them; everything read from it comes in the one shape of
// PosCatalog, whatever the version (the paired version's adapter makes it).

export interface Pairing {
  url: string;
  database: string;
  login: string;
  uid: number;
  serverVersion: string;
  configId: number | null;
  configName: string | null;
  pairedAt: string;
}

export interface TerminalSession {
  id: number;
  name: string;
  configId: number;
  state: string;
  loginNumber: number;
  nextSequence: number;
  openedAt: string;
}

/** Odoo's backend offers its Invoice button on a paid order only (not once its session is closed: done). */
const INVOICEABLE_STATES = new Set(['paid']);

/** How long an order's detail waits for Odoo's name and invoice before showing without them. */
const ODOO_STANDING_WAIT_MS = 3_000;

export class PosTerminal {
  private cachedAdapter: PosAdapter | null = null;
  private readonly refundable: RefundableLines;
  /** The pricing engine's inputs, read again whenever the cache was reloaded (by this process or another). */
  private pricingData: { loadedAt: string; data: PricingData } | null = null;

  constructor(
    private readonly db: Database.Database,
    private readonly vault: Vault,
    private readonly outbox: Outbox,
    private readonly partnerOutbox: PartnerOutbox,
    private readonly cashMoves: CashMoves,
    private readonly images: PosImages,
    /** How long a call to Odoo may take: a batch of orders can take Odoo a while. */
    private readonly rpcTimeoutMs = 120_000,
  ) {
    this.refundable = new RefundableLines(db, outbox);
  }

  /** Everything recorded here and not yet in Odoo: orders, customers made offline, cash moves. */
  private waiting(): { count: number; what: string } {
    const orders = this.outbox.counts();
    const customers = this.partnerOutbox.counts();
    const cash = this.cashMoves.counts();
    const parts = [
      [orders.pending + orders.parked, 'order(s)'],
      [customers.pending + customers.parked, 'customer(s) made offline'],
      [cash.pending + cash.parked, 'cash move(s)'],
    ].filter(([n]) => (n as number) > 0);
    return { count: parts.reduce((sum, [n]) => sum + (n as number), 0), what: parts.map(([n, label]) => `${n} ${label}`).join(', ') };
  }

  /** A customer made here (offline too): usable in a sale at once, created in Odoo by the next sync. */
  createPartner(vals: { name: string; email?: string | undefined; phone?: string | undefined; street?: string | undefined; city?: string | undefined; zip?: string | undefined; vat?: string | undefined }): { id: number; name: string } {
    const clean = Object.fromEntries(Object.entries(vals).filter(([, v]) => v !== undefined && v !== ''));
    const partner = this.partnerOutbox.create(clean);
    return { id: partner.localId, name: vals.name };
  }

  pairing(): Pairing | null {
    const row = this.db
      .prepare('SELECT url, database, login, uid, server_version AS serverVersion, config_id AS configId, config_name AS configName, paired_at AS pairedAt FROM pairing WHERE id = 1')
      .get() as Pairing | undefined;
    return row ?? null;
  }

  /**
   * Pairs the terminal with an Odoo database: detects the version (refusing one without an
   * adapter), logs in (password or API key, kept encrypted in the vault), lists the POS configs,
   * and keeps the one chosen. Refused while orders of another pairing wait.
   */
  async pair(input: { url: string; database: string; login: string; secret: string; configId?: number | undefined }): Promise<{ pairing: Pairing; configs: Array<{ id: number; name: string }> }> {
    const waiting = this.waiting();
    const current = this.pairing();
    if (current && (current.url !== input.url || current.database !== input.database) && waiting.count > 0) {
      throw new FleetError('CONFLICT', `${waiting.what} of ${current.database} still wait to be synced or exported: pair with another database only after that.`);
    }
    const rpc = new OdooRpc({ url: input.url, database: input.database, login: input.login, secret: input.secret, timeoutMs: 15_000 });
    const version = await rpc.version().catch((error: unknown) => {
      throw toFleetError(error, `Could not reach Odoo at ${input.url}`);
    });
    const adapter = adapterFor(rpc, version.server_version);
    const uid = await rpc.authenticate().catch((error: unknown) => {
      throw toFleetError(error, 'Odoo refused the login');
    });
    const configs = (await rpc.call<Array<{ id: number; name: string }>>('pos.config', 'search_read', [[]], { fields: ['id', 'name'] }).catch((error: unknown) => {
      throw toFleetError(error, 'Could not list the POS configurations (does the user have the Point of Sale user group?)');
    }))!;
    const chosen = input.configId === undefined ? (configs.length === 1 ? configs[0]! : null) : (configs.find((c) => c.id === input.configId) ?? null);
    if (input.configId !== undefined && !chosen) throw new FleetError('NOT_FOUND', `No POS configuration ${input.configId} (there are: ${configs.map((c) => `${c.id} ${c.name}`).join(', ')}).`);
    // A key file lost or replaced, safeStorage gone: the old secret is unreadable for good; pairing stores the new one.
    if (this.vault.status().state === 'locked' && this.vault.status().backend !== 'passphrase') this.vault.startOver();
    const secretId = this.vault.put('pos-odoo-secret', input.secret);
    const old = this.db.prepare('SELECT secret_id FROM pairing WHERE id = 1').get() as { secret_id: string } | undefined;
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM pairing').run();
      this.db
        .prepare('INSERT INTO pairing (id, url, database, login, secret_id, uid, server_version, config_id, config_name, paired_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(input.url, input.database, input.login, secretId, uid, version.server_version, chosen?.id ?? null, chosen?.name ?? null, new Date().toISOString());
    })();
    if (old) this.vault.remove(old.secret_id);
    this.cachedAdapter = adapter;
    return { pairing: this.pairing()!, configs };
  }

  /** The adapter for the paired server (built offline from the stored version), or null. */
  adapter(): PosAdapter | null {
    if (this.cachedAdapter) return this.cachedAdapter;
    const row = this.db.prepare('SELECT * FROM pairing WHERE id = 1').get() as { url: string; database: string; login: string; secret_id: string; server_version: string } | undefined;
    if (!row || !this.vault.isUnlocked()) return null;
    const rpc = new OdooRpc({ url: row.url, database: row.database, login: row.login, secret: this.vault.get(row.secret_id), timeoutMs: this.rpcTimeoutMs });
    this.cachedAdapter = adapterFor(rpc, row.server_version);
    return this.cachedAdapter;
  }

  private requireAdapter(): PosAdapter {
    const adapter = this.adapter();
    if (!adapter) throw new FleetError('VALIDATION', this.pairing() ? this.whyOdooIsOutOfReach() : 'This terminal is not paired with an Odoo database yet (pos pair).');
    return adapter;
  }

  /** Why adapter() is null: not paired, or the vault holding the Odoo secret is locked (and why). */
  whyOdooIsOutOfReach(): string {
    if (!this.pairing()) return 'Not paired with Odoo (pos pair): orders wait on this terminal.';
    const vault = this.vault.status();
    if (vault.backend === 'passphrase') return 'The vault is locked: unlock it to reach Odoo.';
    return `The Odoo secret cannot be read: ${vault.warning ?? 'the vault is locked.'} Selling works and orders wait on this terminal; fix that and restart, or pair again (orders waiting are kept).`;
  }

  /** How this terminal writes orders and reads its cache, from its stored pairing (null: not paired): needs neither the network nor the vault. */
  private storedFormat(): OrderFormat | null {
    const row = this.db.prepare('SELECT server_version FROM pairing WHERE id = 1').get() as { server_version: string } | undefined;
    return row ? orderFormatFor(row.server_version) : null;
  }

  private orderFormat(): OrderFormat {
    const format = this.storedFormat();
    if (!format) throw new FleetError('VALIDATION', 'This terminal is not paired with an Odoo database yet (pos pair).');
    return format;
  }

  session(): TerminalSession | null {
    const row = this.db
      .prepare(
        `SELECT id, name, config_id AS configId, state, login_number AS loginNumber, next_sequence AS nextSequence, opened_at AS openedAt
         FROM pos_session WHERE closed_at IS NULL ORDER BY opened_at DESC LIMIT 1`,
      )
      .get() as TerminalSession | undefined;
    return row ?? null;
  }

  /**
   * Opens or resumes the config's session in Odoo (counting the opening cash where cash control
   * is on) and takes a new login number for this terminal's start: order names never collide
   * with another terminal's or an earlier start's.
   */
  async openSession(openingCash?: number, notes = ''): Promise<TerminalSession> {
    const pairing = this.pairing();
    if (!pairing?.configId) throw new FleetError('VALIDATION', 'Choose the POS configuration first (pos pair --config).');
    const adapter = this.requireAdapter();
    const session = await adapter.openSession(pairing.configId, openingCash, notes).catch((error: unknown) => {
      throw toFleetError(error, 'Could not open the POS session');
    });
    const loginNumber = await adapter.login(session.id);
    const local = (this.db.prepare('SELECT max(sequence) AS n FROM outbox WHERE session_id = ?').get(session.id) as { n: number | null }).n ?? 0;
    this.db
      .prepare(
        `INSERT INTO pos_session (id, name, config_id, state, login_number, next_sequence, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, login_number = excluded.login_number, closed_at = NULL`,
      )
      .run(session.id, session.name, pairing.configId, session.state, loginNumber, local + 1, new Date().toISOString());
    return this.session()!;
  }

  /** Whether Odoo books an opening count's difference (16/17) or only notes it on the session (18); true while unpaired. */
  booksOpeningDifference(): boolean {
    return this.storedFormat()?.booksOpeningDifference ?? true;
  }

  /** What Odoo expects in the drawer at the next opening (null: the session is open, nothing to count). Needs Odoo. */
  async expectedOpeningCash(): Promise<number | null> {
    const pairing = this.pairing();
    if (!pairing?.configId) throw new FleetError('VALIDATION', 'Choose the POS configuration first (pos pair --config).');
    return this.requireAdapter()
      .expectedOpeningCash(pairing.configId)
      .catch((error: unknown) => {
        throw toFleetError(error, 'Could not ask Odoo for the expected opening cash');
      });
  }

  /**
   * Reloads Odoo's POS data into the cache, model by model, in one transaction: a failed load
   * keeps the previous cache whole. Orders waiting in the outbox are never touched.
   */
  async refresh(): Promise<{ models: number; products: number }> {
    const session = this.session();
    if (!session) throw new FleetError('VALIDATION', 'Open a POS session first.');
    const adapter = this.requireAdapter();
    const loaded = await adapter.loadData(session.id).catch((error: unknown) => {
      throw toFleetError(error, 'Could not load the POS data');
    });
    const data = adapter.data.toCache(loaded);
    const searchable = adapter.data.normalise({ 'product.product': data['product.product'] ?? [] })['product.product'] ?? [];
    const at = new Date().toISOString();
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM cache_records').run();
      this.db.prepare('DELETE FROM cache_loads').run();
      this.db.prepare('DELETE FROM product_search').run();
      const insert = this.db.prepare('INSERT OR REPLACE INTO cache_records (model, id, data) VALUES (?, ?, ?)');
      const search = this.db.prepare('INSERT OR REPLACE INTO product_search (product_id, name, barcode, default_code, pos_categ_ids) VALUES (?, ?, ?, ?, ?)');
      const loadedModel = this.db.prepare('INSERT INTO cache_loads (model, loaded_at, count) VALUES (?, ?, ?)');
      for (const [model, list] of Object.entries(data)) {
        list.forEach((record, index) => {
          const id = record && typeof record === 'object' && 'id' in record ? String((record as { id: unknown }).id) : String(index);
          insert.run(model, id, JSON.stringify(record));
        });
        loadedModel.run(model, at, list.length);
      }
      for (const record of searchable) {
        // A record that is not an object (Odoo never sends one) is cached as sent but not searchable.
        if (!record || typeof record !== 'object' || Array.isArray(record)) continue;
        const p = record as { id: number; display_name?: string; name?: string; barcode?: string | false; default_code?: string | false; pos_categ_ids?: unknown };
        const categories = idList(p.pos_categ_ids);
        search.run(p.id, p.display_name ?? p.name ?? '', p.barcode || null, p.default_code || null, `,${categories.join(',')}${categories.length ? ',' : ''}`);
      }
      // The names' trigram index reads product_search: made again from what was just written.
      this.db.prepare("INSERT INTO product_name_trigrams (product_name_trigrams) VALUES ('rebuild')").run();
      this.images.prune();
    })();
    return { models: Object.keys(data).length, products: searchable.length };
  }

  /** Cached records, as Odoo sent them, in the one shape every reader takes (PosCatalog's). */
  private normalised(models: Record<string, unknown[]>): Record<string, unknown[]> {
    return this.storedFormat()?.data.normalise(models) ?? models;
  }

  /** Cached records of one model. */
  cached<T = unknown>(model: string): T[] {
    return (this.cachedModels([model])[model] ?? []) as T[];
  }

  /** Cached records of these models, each read with what the others give it. */
  private cachedModels(names: readonly string[]): Record<string, unknown[]> {
    return this.normalised(Object.fromEntries(names.map((model) => [model, this.rawRecords(model)])));
  }

  private rawRecords(model: string): unknown[] {
    return (this.db.prepare('SELECT data FROM cache_records WHERE model = ?').all(model) as Array<{ data: string }>).map((r) => JSON.parse(r.data) as unknown);
  }

  /** The cached models the selling UI needs up front (products and customers are paged). */
  catalog(): PosCatalog {
    const raw: Record<string, unknown[]> = {};
    // The primary key's ranges around the two large models, in model order: a NOT IN would read every cached product and customer.
    const rows = this.db.prepare(
      `SELECT model, data FROM cache_records WHERE model < 'product.product'
       UNION ALL SELECT model, data FROM cache_records WHERE model > 'product.product' AND model < 'res.partner'
       UNION ALL SELECT model, data FROM cache_records WHERE model > 'res.partner'`,
    );
    for (const row of rows.iterate() as Iterable<{ model: string; data: string }>) (raw[row.model] ??= []).push(JSON.parse(row.data));
    const models = this.normalised(raw);
    if (models['pos.category']) models['pos.category'] = this.images.withUrls('pos.category', models['pos.category'] as Array<Record<string, unknown>>);
    // The PIN and badge hashes stay here (cashiers.ts checks them): an unsalted sha1 of a 4-digit PIN is no secret.
    if (models['hr.employee']) models['hr.employee'] = (models['hr.employee'] as Array<Record<string, unknown>>).map(({ pin, barcode: _barcode, ...employee }) => ({ ...employee, has_pin: Boolean(pin) }));
    return { series: this.storedFormat()?.series ?? null, models };
  }

  /** Cached products: by id, by POS category (its subcategories' too, as in Odoo's POS), or all, in id order. */
  products(filter: { categoryId?: number | undefined; ids?: number[] | undefined; offset: number; limit: number }): Array<Record<string, unknown>> {
    let ids: number[];
    if (filter.ids) ids = filter.ids.slice(0, filter.limit);
    else if (filter.categoryId) {
      const categories = this.categoryAndDescendants(filter.categoryId);
      ids = (
        this.db
          .prepare(`SELECT product_id FROM product_search WHERE ${categories.map(() => 'pos_categ_ids LIKE ?').join(' OR ')} ORDER BY product_id LIMIT ? OFFSET ?`)
          .all(...categories.map((c) => `%,${c},%`), filter.limit, filter.offset) as Array<{ product_id: number }>
      ).map((r) => r.product_id);
    }
    else ids = (this.db.prepare('SELECT product_id FROM product_search ORDER BY product_id LIMIT ? OFFSET ?').all(filter.limit, filter.offset) as Array<{ product_id: number }>).map((r) => r.product_id);
    return this.images.withUrls('product.product', this.cachedProducts(ids));
  }

  /** Cached products by id (those in the cache), in PosCatalog's shape. */
  private cachedProducts(ids: readonly number[]): Array<Record<string, unknown>> {
    const get = this.db.prepare("SELECT data FROM cache_records WHERE model = 'product.product' AND id = ?");
    const records = ids.flatMap((id) => {
      const row = get.get(String(id)) as { data: string } | undefined;
      return row ? [JSON.parse(row.data) as unknown] : [];
    });
    return (this.normalised({ 'product.product': records })['product.product'] ?? []) as Array<Record<string, unknown>>;
  }

  /** A POS category and every category under it (parent_id links in the cache), at most 200. */
  private categoryAndDescendants(categoryId: number): number[] {
    const children = new Map<number, number[]>();
    for (const c of this.cached<{ id: number; parent_id?: unknown }>('pos.category')) {
      const parent = m2o(c.parent_id);
      if (parent !== null) children.set(parent, [...(children.get(parent) ?? []), c.id]);
    }
    const found = [categoryId];
    for (let i = 0; i < found.length && found.length < 200; i++) for (const child of children.get(found[i]!) ?? []) if (!found.includes(child)) found.push(child);
    return found.slice(0, 200);
  }

  /** Cached customers whose record mentions the query (name, email, phone, VAT…). */
  partners(query: string, limit: number): Array<Record<string, unknown>> {
    const needle = query.toLowerCase();
    // Customers made here and not yet in Odoo come first, under their local ids.
    const local = this.partnerOutbox
      .list('pending')
      .filter((p) => JSON.stringify(p.vals).toLowerCase().includes(needle))
      .map((p) => ({ ...p.vals, id: p.localId, pending: true }));
    const q = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const found = (this.db.prepare("SELECT data FROM cache_records WHERE model = 'res.partner' AND data LIKE ? ESCAPE '\\' COLLATE NOCASE LIMIT ?").all(q, limit) as Array<{ data: string }>).map((r) => JSON.parse(r.data) as unknown);
    const cached = (this.normalised({ 'res.partner': found })['res.partner'] ?? []) as Array<Record<string, unknown>>;
    return [...local, ...cached].slice(0, limit);
  }

  /**
   * Products by barcode (exact), internal reference (exact, ASCII case-insensitive) or name (every
   * word of the query in it, ASCII case-insensitive: LIKE's rule — "desk white" finds "Customizable
   * Desk (Steel, White)"), from the cache, in id order: every barcode and reference match, and the
   * first `limit` name matches by id, `limit` in all.
   */
  searchProducts(query: string, limit = 50): Array<{ productId: number; name: string; barcode: string | null; defaultCode: string | null }> {
    const q = query.trim();
    if (!q) return [];
    const words = [...new Set(q.split(/\s+/))].slice(0, 8);
    const likes = Object.fromEntries(words.map((word, i) => [`like${i}`, `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]));
    const nameMatches = words.map((_, i) => `p.name LIKE @like${i} ESCAPE '\\' COLLATE NOCASE`).join(' AND ');
    // Words of three characters or more: the names' trigram index gives the candidates (its case
    // folding is Unicode's, so it finds all LIKE finds and maybe more) and LIKE keeps its own rule.
    // None: no trigram to look up, so the names are read in id order until `limit` match.
    const indexed = words.filter((word) => [...word].length >= 3);
    const byName = indexed.length
      ? `SELECT p.* FROM product_name_trigrams t JOIN product_search p ON p.product_id = t.rowid
          WHERE product_name_trigrams MATCH @phrase AND ${nameMatches} ORDER BY t.rowid LIMIT @limit`
      : `SELECT p.* FROM product_search p WHERE ${nameMatches} ORDER BY p.product_id LIMIT @limit`;
    const rows = this.db
      .prepare(
        `SELECT product_id, name, barcode, default_code FROM product_search WHERE barcode = @q
         UNION SELECT product_id, name, barcode, default_code FROM product_search WHERE default_code = @q COLLATE NOCASE
         UNION SELECT product_id, name, barcode, default_code FROM (${byName})
         ORDER BY product_id LIMIT @limit`,
      )
      // Each word as one FTS5 string (every character literal, a double quote doubled), all of them required.
      .all({ q, limit, ...likes, ...(indexed.length ? { phrase: indexed.map((word) => `"${word.replaceAll('"', '""')}"`).join(' AND ') } : {}) }) as Array<{ product_id: number; name: string; barcode: string | null; default_code: string | null }>;
    return rows.map((r) => ({ productId: r.product_id, name: r.name, barcode: r.barcode, defaultCode: r.default_code }));
  }

  /**
   * Paid orders in Odoo from any terminal (by receipt number or customer; the config's latest
   * without a query), to refund them line by line. Needs Odoo to answer. A line's refunded
   * quantity also counts this terminal's refunds that have not reached Odoo yet.
   */
  async findOrders(query: string, limit: number): Promise<FoundOrder[]> {
    const pairing = this.pairing();
    if (!pairing?.configId) throw new FleetError('VALIDATION', 'This terminal is not paired yet.');
    const found = await this.requireAdapter()
      .findPaidOrders(pairing.configId, query.trim(), limit)
      .catch((error: unknown) => {
        throw toFleetError(error, 'Could not look the orders up in Odoo');
      });
    // What a refund of these lines may give back, as Odoo says (checked again when the refund is sold).
    this.refundable.remember(found.flatMap((order) => order.lines));
    const waiting = this.outbox.refundedLinesWaiting();
    return found.map((order) => ({
      ...order,
      lines: order.lines.map((line) => {
        const here = [waiting.byLineId.get(line.id), line.uuid ? waiting.byLineUuid.get(line.uuid) : undefined].filter((w): w is { qty: number; lots: string[] } => w !== undefined);
        return here.reduce<FoundOrder['lines'][number]>((l, w) => ({ ...l, refundedQty: l.refundedQty + w.qty, lots: withoutGivenBack(l.lots, w.lots) }), line);
      }),
    }));
  }

  /**
   * Records a sale: named in the session's sequence and stored with its frozen payload before
   * this returns — the UI shows it paid only then. Works with no network at all.
   */
  commitSale(sale: Sale, options: { saleDigest?: string } = {}): OutboxOrder & { replayed: boolean } {
    const session = this.session();
    if (!session) throw new FleetError('VALIDATION', 'Open a POS session first.');
    const adapter = this.orderFormat(); // the payload only: no secret, no network
    // The same rule for every client of the contract: Odoo cannot close a session holding an order
    // paid with an "Identify Customer" (split_transactions) method and no customer.
    if (sale.partnerId === null) {
      const identify = this.cached<{ id: number; name: string; split_transactions?: boolean }>('pos.payment.method').find((m) => m.split_transactions === true && sale.payments.some((p) => p.paymentMethodId === m.id));
      if (identify) throw new FleetError('VALIDATION', `${identify.name} needs a customer on the order (Odoo would refuse to close the session).`, { field: 'partnerId' });
    }
    // The same for the cashier: an employee of this terminal's data (pos_hr), never any id a client sends.
    if (sale.employeeId != null && !this.cached<{ id: number }>('hr.employee').some((e) => e.id === sale.employeeId)) {
      throw new FleetError('VALIDATION', `No cashier ${sale.employeeId} on this terminal (refresh the POS data?).`, { field: 'employeeId' });
    }
    // Sent again (its answer lost): the order it already is, even if the prices changed since;
    // other content under its uuid is refused.
    const known = this.outbox.replay(sale.uuid, options.saleDigest);
    if (known) return known;
    const priceOverrides = this.checkPrices(sale);
    let partnerLocalId: number | null = null;
    if (sale.partnerId !== null && sale.partnerId < 0) {
      const partner = this.partnerOutbox.get(sale.partnerId);
      if (!partner) throw new FleetError('NOT_FOUND', `No customer ${sale.partnerId} on this terminal.`);
      // Already in Odoo: its real id; otherwise the sale waits for it (placeholder id, never sent).
      if (partner.serverId !== null) sale = { ...sale, partnerId: partner.serverId };
      else partnerLocalId = partner.localId;
    }
    const final = sale;
    // Refunds of sales made here and not linked yet: linked by the sync once those sales are in Odoo.
    const refundOf = sale.lines.flatMap((l): Array<[string, string]> => (l.refundedLineUuid && !l.refundedOrderlineId ? [[l.uuid, l.refundedLineUuid]] : []));
    return this.db.transaction(() => {
      const order = this.outbox.commit(session.id, (identity) => ({ payload: adapter.orderPayload(final, { ...identity, sessionId: session.id }), amountTotal: final.amountTotal }), {
        partnerLocalId,
        saleUuid: sale.uuid,
        ...(options.saleDigest ? { saleDigest: options.saleDigest } : {}),
        refundOf,
        priceOverrides,
      });
      // What its refund lines give back, with the sale: the next refund of those lines sees it.
      this.refundable.record(order.uid, final.lines);
      return order;
    })();
  }

  /** Reprices the sale with the cached data (shared/pos/sale-check.ts); the overrides it allowed. */
  private checkPrices(sale: Sale): PriceOverride[] {
    const products = new Map(this.cachedProducts(sale.lines.map((l) => l.productId)).map((p) => [Number(p.id), p as OdooRecord]));
    const cashier = cashierAuthority(sale, { employees: this.cached<OdooRecord>('hr.employee'), users: this.cached<OdooRecord>('res.users') });
    return checkSale(sale, this.pricing(), products, cashier, (line) => this.refundable.lookup(line));
  }

  /** The pricing engine's inputs (currency, taxes, methods) from the cache; throws when it is not loaded. */
  pricing(): PricingData {
    const loadedAt = (this.db.prepare('SELECT max(loaded_at) AS at FROM cache_loads').get() as { at: string | null }).at;
    if (loadedAt === null) throw new FleetError('VALIDATION', 'The POS data is not loaded yet: refresh it from Odoo.');
    if (this.pricingData?.loadedAt !== loadedAt) {
      const models = this.cachedModels(PRICING_MODELS);
      try {
        this.pricingData = { loadedAt, data: readPricingData(models) };
      } catch (error) {
        throw new FleetError('VALIDATION', (error as Error).message);
      }
    }
    return this.pricingData.data;
  }

  /** One order of this terminal in full, for the Orders page's detail (order-detail.ts). */
  async orderDetail(uid: string): Promise<OrderDetailView> {
    const order = this.outbox.get(uid);
    if (!order) throw new FleetError('NOT_FOUND', `No order ${uid} on this terminal.`);
    const recorded = readStoredOrder(order);
    const methods = new Map(this.cached<{ id: number; name: string }>('pos.payment.method').map((m) => [m.id, m.name]));
    // In Odoo: what any terminal gave back of its lines counts (refunded_qty), when Odoo answers.
    if (order.state === 'synced') await this.refreshSoldLines([], recorded.lines.flatMap((l) => (l.qty > 0 && l.uuid ? [l.uuid] : [])));
    return describeOrder(order, recorded, {
      pricing: this.pricingOrNull(),
      paymentMethodName: (id) => methods.get(id) ?? `Method ${id}`,
      customerName: (id) => this.customerName(id),
      cashier: this.soldBy(recorded.employeeId, recorded.userId),
      givenBack: (lineUuid) => this.refundable.givenBack(lineUuid),
      odoo: order.serverId ? await this.odooStanding(order.serverId) : null,
    });
  }

  /**
   * Asks Odoo to invoice an order it holds (this terminal's once synced, or one found in Odoo); an
   * order still waiting is refused — its frozen payload never changes, it is invoiced once synced.
   */
  async invoiceOrder(target: { uid: string } | { orderId: number }): Promise<OdooOrderStanding> {
    let orderId: number;
    if ('uid' in target) {
      const order = this.outbox.get(target.uid);
      if (!order) throw new FleetError('NOT_FOUND', `No order ${target.uid} on this terminal.`);
      if (order.state !== 'synced' || order.serverId === null) throw new FleetError('CONFLICT', `${order.name} is not in Odoo yet: it can be invoiced once it is synced.`);
      if (!readStoredOrder(order).partnerId) throw new FleetError('VALIDATION', `${order.name} has no customer: Odoo invoices an order only with one.`);
      orderId = order.serverId;
    } else orderId = target.orderId;
    const adapter = this.requireAdapter();
    const asOdoo = (error: unknown) => {
      throw toFleetError(error, 'Odoo did not invoice the order');
    };
    // Odoo's method invoices whatever it is given, a draft too: only what its button offers.
    const [standing] = await adapter.readOrders([orderId]).catch(asOdoo);
    if (!standing) throw new FleetError('NOT_FOUND', `No order ${orderId} in Odoo.`);
    if (standing.invoice) return standing;
    if (!INVOICEABLE_STATES.has(standing.state)) throw new FleetError('CONFLICT', `${standing.name || `Order ${orderId}`} is ${standing.state} in Odoo: Odoo invoices a paid order only.`);
    return adapter.invoiceOrder(orderId).catch(asOdoo);
  }

  /**
   * Before a refund is stored: what Odoo counts as given back of the lines it names, when Odoo
   * answers within a few seconds, so a line refunded meanwhile on another terminal is not given
   * back twice. Offline the terminal's own count stands (it cannot know of other terminals then).
   */
  async refreshRefundedLines(lines: ReadonlyArray<{ qty: number; refundedOrderlineId?: number | null | undefined; refundedLineUuid?: string | undefined }>): Promise<void> {
    const named = lines.filter((l) => l.qty < 0);
    await this.refreshSoldLines(
      named.flatMap((l) => (l.refundedOrderlineId != null ? [l.refundedOrderlineId] : [])),
      named.flatMap((l) => (l.refundedLineUuid !== undefined ? [l.refundedLineUuid] : [])),
    );
  }

  private async refreshSoldLines(ids: readonly number[], uuids: readonly string[]): Promise<void> {
    const adapter = this.adapter();
    if (!adapter || ids.length + uuids.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ODOO_STANDING_WAIT_MS)));
    try {
      const read = await Promise.race([adapter.readSoldLines(ids, uuids).catch(() => null), late]);
      if (read?.length) this.refundable.remember(read);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Odoo's name, state and invoice of a synced order, if Odoo answers within a few seconds (a detail must not wait on it). */
  private async odooStanding(serverId: number): Promise<OdooOrderStanding | null> {
    const adapter = this.adapter();
    if (!adapter) return null;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ODOO_STANDING_WAIT_MS)));
    try {
      const asked = adapter.readOrders([serverId]).then(([order]) => order ?? null, () => null);
      return await Promise.race([asked, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private pricingOrNull(): PricingData | null {
    try {
      return this.pricing();
    } catch {
      return null;
    }
  }

  /** A customer's name: cached from Odoo, or made on this terminal (negative id). */
  private customerName(partnerId: number): string | null {
    if (partnerId < 0) {
      const local = this.partnerOutbox.get(partnerId);
      return local ? String(local.vals.name ?? '') : null;
    }
    const partner = this.db.prepare("SELECT data FROM cache_records WHERE model = 'res.partner' AND id = ?").get(String(partnerId)) as { data: string } | undefined;
    return partner ? ((JSON.parse(partner.data) as { name?: string }).name ?? null) : null;
  }

  /** A sale's receipt, from its frozen payload (what Odoo gets) and the cached names. */
  receipt(uid: string): Receipt {
    const order = this.outbox.get(uid);
    if (!order) throw new FleetError('NOT_FOUND', `No order ${uid} on this terminal.`);
    const recorded = readOrderPayload(order.payload);
    const methods = new Map(this.cached<{ id: number; name: string }>('pos.payment.method').map((m) => [m.id, m.name]));
    const company = this.cached<{ name?: string; street?: string | false; city?: string | false; vat?: string | false }>('res.company')[0];
    return {
      header: [company?.name ?? 'Fleet POS', ...[company?.street, company?.city, company?.vat ? `VAT ${company.vat}` : null].filter((v): v is string => typeof v === 'string' && v !== '')],
      orderName: order.name,
      date: `${recorded.dateOrder} UTC`,
      cashier: this.soldBy(recorded.employeeId, recorded.userId),
      customer: recorded.partnerId ? this.customerName(recorded.partnerId) : null,
      lines: recorded.lines.map((l) => ({ name: l.name ?? 'Product', qty: l.qty, amount: l.amountWithTax })),
      total: recorded.amountTotal,
      tax: recorded.amountTax,
      payments: recorded.payments.map((p) => ({ name: methods.get(p.paymentMethodId) ?? `Method ${p.paymentMethodId}`, amount: p.amount })),
      change: recorded.amountReturn,
      footer: ['Thank you'],
    };
  }

  /** Who the terminal recorded as selling an order: its pos_hr employee, else its POS user. */
  soldBy(employeeId: number | null, userId: number | null): string | null {
    const employee = employeeId ? this.cached<{ id: number; name: string }>('hr.employee').find((e) => e.id === employeeId) : undefined;
    const user = userId ? this.cached<{ id: number; name: string }>('res.users').find((u) => u.id === userId) : undefined;
    return employee?.name ?? user?.name ?? this.pairing()?.login ?? null;
  }

  /**
   * The session's figures from this terminal's own frozen orders and cash moves (shared/pos/
   * session-report.ts): per payment method (change deducted from cash), per tax, refunds,
   * discounts, cash in and out; with the orders read back, for who sold them.
   */
  sessionFigures(sessionId: number): { figures: SessionFigures; orders: RecordedOrder[] } {
    let pricing: PricingData | null = null;
    try {
      pricing = this.pricing();
    } catch {
      // No data loaded: no sale either; the methods and taxes are those the orders name.
    }
    const orders = (this.db.prepare('SELECT payload FROM outbox WHERE session_id = ? ORDER BY sequence').all(sessionId) as Array<{ payload: string }>).map((r) => readOrderPayload(r.payload));
    const moves = this.cashMoves.list().filter((m) => m.sessionId === sessionId).map((m) => ({ type: m.type, amount: m.amount, reason: m.reason, at: m.createdAt }));
    const settings = { currencyRounding: pricing?.settings.currency.rounding ?? 0.01, taxRoundingMethod: pricing?.settings.taxRoundingMethod ?? 'round_per_line', taxes: pricing?.taxesById ?? new Map() };
    // A line's taxes as its order's fiscal position maps them (Odoo's tax_ids_after_fiscal_position).
    const taxesAfter = (taxIds: number[], fiscalPositionId: number | null) => {
      const fiscalPosition = pricing?.fiscalPositions.find((f) => f.id === fiscalPositionId);
      return pricing && fiscalPosition && taxIds.every((id) => pricing.taxesById.has(id)) ? mapTaxes(taxIds, fiscalPosition, pricing.taxesById).map((t) => t.id) : taxIds;
    };
    const reportOrders = orders.map((o) => ({
      lines: o.lines.map((l) => ({ qty: l.qty, priceUnit: l.priceUnit, discount: l.discount, priceSubtotal: l.amountWithoutTax, priceSubtotalIncl: l.amountWithTax, taxIds: taxesAfter(l.taxIds, o.fiscalPositionId) })),
      payments: o.payments,
      amountTotal: o.amountTotal,
      amountReturn: o.amountReturn,
    }));
    return { figures: sessionFigures(reportOrders, pricing?.paymentMethods ?? [], moves, settings), orders };
  }

  /** Closing now would leave out what waits here: Odoo would count the cash without it. */
  refuseWhileWaiting(): void {
    const waiting = this.waiting();
    if (waiting.count > 0) throw new FleetError('CONFLICT', `${waiting.what} still wait to be synced or resolved: sync or resolve them before closing the session (Odoo would count the cash without them).`);
  }

  /** The paired adapter, or why Odoo is out of reach. */
  odoo(): PosAdapter {
    return this.requireAdapter();
  }

  /**
   * Closes the session in Odoo as its own UI does (the counted cash, notes, then the close), with
   * the end-of-day report; refused while orders wait (they would land in another session).
   */
  async closeSession(closing: { countedCash?: number | undefined; notes?: string | undefined; bankDifferences?: Array<[number, number]> } = {}): Promise<{ closed: boolean; message: string }> {
    const session = this.session();
    if (!session) throw new FleetError('VALIDATION', 'No open POS session.');
    this.refuseWhileWaiting();
    const adapter = this.requireAdapter();
    if (await this.lostInOdoo(adapter, session)) {
      this.recordClosed(session.id);
      return { closed: true, message: `Odoo no longer has session ${session.name} (its database went back to an earlier backup): recorded as closed here. Its orders went where the Sync page says.` };
    }
    const result = await adapter.close(session.id, { countedCash: closing.countedCash ?? null, notes: closing.notes ?? '', bankDifferences: closing.bankDifferences ?? [] }).catch((error: unknown) => {
      throw toFleetError(error, 'Could not close the session');
    });
    if (!result.successful) {
      // Odoo refuses to close a closed session: one an earlier closing closed (its answer lost, or
      // the terminal killed before it recorded it) or someone closed in Odoo. Odoo's word is final.
      if (!(await adapter.isSessionClosed(session.id).catch(() => false))) return { closed: false, message: result.message ?? 'Odoo did not close the session.' };
      this.recordClosed(session.id);
      return { closed: true, message: `Session ${session.name} was closed in Odoo already: recorded as closed here.` };
    }
    this.recordClosed(session.id);
    return { closed: true, message: `Session ${session.name} is closed.` };
  }

  /** Whether Odoo no longer has the session (a restore took its database back to before it); unknown (no answer): no. */
  private async lostInOdoo(adapter: PosAdapter, session: TerminalSession): Promise<boolean> {
    const standing = await adapter.readSessions([session.id]).catch(() => null);
    if (standing === null) return false;
    const same = standing.find((s) => s.id === session.id);
    return !same || same.name !== session.name;
  }

  private recordClosed(sessionId: number): void {
    this.db.prepare("UPDATE pos_session SET state = 'closed', closed_at = ? WHERE id = ?").run(new Date().toISOString(), sessionId);
  }
}

/** An order's frozen payload read back; one imported from a file holds whatever text it carried. */
function readStoredOrder(order: OutboxOrder): RecordedOrder {
  try {
    return readOrderPayload(order.payload);
  } catch {
    throw new FleetError('VALIDATION', `${order.name}'s stored order cannot be read (not an order payload of Odoo 16, 17 or 18).`);
  }
}

/** An Odoo failure as the contract's error: reachability, login, or Odoo's own message. */
export function toFleetError(error: unknown, context: string): FleetError {
  if (error instanceof FleetError) return error;
  if (error instanceof OdooRpcError) {
    if (error.kind === 'auth') return new FleetError('AUTH_FAILED', `${context}: ${error.message}`);
    if (error.kind === 'rejected') return new FleetError('COMMAND_FAILED', `${context}: Odoo said: ${error.message}`);
    return new FleetError('HOST_UNREACHABLE', `${context}: ${error.message}`);
  }
  return new FleetError('INTERNAL', `${context}: ${(error as Error).message}`);
}
