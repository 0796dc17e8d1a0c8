import { useSyncExternalStore } from 'react';
import type { Api } from '../../../shared/api.js';
import type { EventPayload } from '../../../shared/contract.js';
import { newCart, type Cart, type CartLine } from './cart.js';
import type { Product } from './catalog.js';
import { errorText, toFleetError } from './errors.js';
import type { ProductCache } from './products.js';

// The open carts (orders being rung up, several at once: a customer steps aside, the next one is
// served). The terminal keeps them, not the browser: every tab and window sees the same carts, a
// crash or a reload loses none, and a cart whose sale is stored is closed by the terminal in the
// sale's own transaction — no page can bring it back. Each change is written at once (one write
// in flight per cart, the latest state after it), over the revision this page last saw.

/** Carts this browser kept itself before the terminal did: taken over once, then forgotten. */
const BROWSER_CARTS_KEY = 'fleet-pos.carts.v1';
/** The cart this tab shows (each tab may show another). */
const ACTIVE_KEY = 'fleet-pos.active-cart.v1';

export interface CartsState {
  carts: Cart[];
  activeId: string;
  /** Something the cashier should know about the carts (closed or changed elsewhere). */
  notice: string | null;
}

/** A cart as the terminal keeps it: its lines name their product by id. */
type StoredCart = Omit<Cart, 'lines'> & { lines: Array<Omit<CartLine, 'product'> & { productId: number }> };

function stored(cart: Cart): StoredCart & Record<string, unknown> {
  return { ...cart, lines: cart.lines.map(({ product, ...line }) => ({ ...line, productId: product.id })) };
}

/** A cart the terminal keeps, if this page can read it (another version of the UI may have written it). */
function readable(cart: Record<string, unknown>): StoredCart | null {
  const lines = cart['lines'];
  return Array.isArray(lines) && lines.every((l: unknown) => typeof (l as { productId?: unknown } | null)?.productId === 'number') && typeof cart['uuid'] === 'string' ? (cart as unknown as StoredCart) : null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class CartStore {
  private state: CartsState = { carts: [], activeId: '', notice: null };
  private readonly listeners = new Set<() => void>();
  private api: Api | null = null;
  private products: ProductCache | null = null;
  /** The terminal's revision of each cart as this page last wrote or read it. */
  private readonly revisions = new Map<string, number>();
  /** Carts changed here and not written yet, and those being written. */
  private readonly dirty = new Set<string>();
  private readonly saving = new Set<string>();
  /** Sale uuids this page sold: the terminal's "paid already" for them is no news. */
  private readonly soldHere = new Set<string>();

  constructor(private readonly tabStorage: Storage = sessionStorage, private readonly browserStorage: Storage = localStorage) {}

  get = (): CartsState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  /** Reads the terminal's carts (and takes over carts this browser kept before); there is always one. */
  async connect(api: Api, products: ProductCache): Promise<void> {
    this.api = api;
    this.products = products;
    await this.reload();
    this.adoptBrowserCarts();
    if (this.state.carts.length === 0) this.open();
  }

  /** The terminal's carts again (another page changed them, the link came back, a page was restored). */
  async reload(): Promise<void> {
    if (!this.api || !this.products) return;
    const all = await this.api.call('pos.carts', {});
    const rows = all.flatMap((row) => {
      const cart = readable(row.cart);
      return cart ? [{ ...row, cart }] : [];
    });
    const ids = [...new Set(rows.flatMap((r) => r.cart.lines.map((l) => l.productId)))];
    const known = new Map<number, Product>();
    for (let i = 0; i < ids.length; i += 500) for (const p of await this.products.get(ids.slice(i, i + 500))) known.set(p.id, p);
    let missing = 0;
    const fromTerminal = rows.map((row): Cart => {
      const cart = row.cart;
      const lines = cart.lines.flatMap(({ productId, ...line }): CartLine[] => {
        const product = known.get(productId);
        if (!product) missing++;
        return product ? [{ ...line, product }] : [];
      });
      return { ...cart, id: row.id, lines };
    });
    // Changes of this page not written yet stay as they are: their write settles them, over the
    // revision this page started from (a newer one there makes it a conflict, never an overwrite).
    const localOnly = this.state.carts.filter((c) => this.dirty.has(c.id) || this.saving.has(c.id));
    for (const row of rows) if (!localOnly.some((c) => c.id === row.id)) this.revisions.set(row.id, row.revision);
    const carts = [...fromTerminal.filter((c) => !localOnly.some((l) => l.id === c.id)), ...localOnly];
    // Carts this page showed that the terminal no longer keeps: paid or dropped while it was away.
    const vanished = this.state.carts.filter((c) => c.lines.length > 0 && this.revisions.has(c.id) && !carts.some((k) => k.id === c.id)).length;
    for (const id of [...this.revisions.keys()]) if (!carts.some((c) => c.id === id)) this.revisions.delete(id);
    let notice = this.state.notice;
    if (vanished) notice = `${vanished === 1 ? 'An order' : `${vanished} orders`} shown here ${vanished === 1 ? 'was' : 'were'} paid or dropped in another window meanwhile.`;
    if (missing) notice = `${missing} line(s) of open carts named products this terminal no longer has, and were left out.`;
    if (rows.length < all.length) notice = `${all.length - rows.length} open cart(s) could not be read here, and are left out.`;
    this.set({ carts, activeId: this.pickActive(carts), notice });
    if (carts.length === 0) this.open();
  }

  /** Another page wrote, dropped or sold a cart. */
  onChange(change: EventPayload<'pos.carts'>): void {
    const local = this.state.carts.find((c) => c.id === change.cartId);
    if (change.sold !== null || change.revision === null) {
      if (!local || this.soldHere.has(local.uuid)) return;
      this.forget(change.cartId);
      this.notify(change.sold ? `${change.sold} was paid in another window: its cart is closed here.` : 'An order was dropped in another window.');
      return;
    }
    if (this.revisions.get(change.cartId) === change.revision || this.dirty.has(change.cartId) || this.saving.has(change.cartId)) return;
    void this.reload().catch(() => {});
  }

  active(): Cart {
    return this.state.carts.find((c) => c.id === this.state.activeId) ?? this.state.carts[0]!;
  }

  update(id: string, change: (cart: Cart) => Cart): void {
    this.set({ ...this.state, carts: this.state.carts.map((c) => (c.id === id ? change(c) : c)) });
    this.write(id);
  }

  /** A new empty cart becomes the active one (or `cart`, e.g. a refund). */
  open(cart: Cart = newCart()): void {
    this.set({ ...this.state, carts: [...this.state.carts, cart], activeId: cart.id });
    this.write(cart.id);
  }

  select(id: string): void {
    if (this.state.carts.some((c) => c.id === id)) this.set({ ...this.state, activeId: id });
  }

  /** Drops a cart unpaid; an empty one is reused or made so there is always one. */
  close(id: string): void {
    const known = this.revisions.has(id) || this.saving.has(id);
    this.forget(id);
    if (known) void this.api?.call('pos.dropCart', { id }).catch(() => {});
  }

  /**
   * This page is sending the sale: the terminal announces it to every window before it answers,
   * so its "paid" for this uuid is no news here (until `notSelling`, when the sale was not stored).
   */
  selling(saleUuid: string): void {
    this.soldHere.add(saleUuid);
  }

  notSelling(saleUuid: string): void {
    this.soldHere.delete(saleUuid);
  }

  /** The cart of a sale the terminal stored: it closed the cart itself, in the same step. */
  sold(id: string, saleUuid: string, notice?: string): void {
    this.soldHere.add(saleUuid);
    this.forget(id);
    if (notice) this.notify(notice);
  }

  /** A cart given a new sale id (its old one names another sale): written under the new one. */
  renewIdentity(id: string): void {
    this.update(id, (cart) => ({ ...cart, uuid: crypto.randomUUID(), accessToken: crypto.randomUUID() }));
  }

  dismissNotice(): void {
    this.set({ ...this.state, notice: null });
  }

  private forget(id: string): void {
    this.dirty.delete(id);
    this.revisions.delete(id);
    const carts = this.state.carts.filter((c) => c.id !== id);
    if (carts.length === 0) {
      const fresh = newCart();
      this.set({ ...this.state, carts: [fresh], activeId: fresh.id });
      this.write(fresh.id);
      return;
    }
    const activeId = this.state.activeId === id ? (carts.find((c) => c.lines.length === 0)?.id ?? carts[carts.length - 1]!.id) : this.state.activeId;
    this.set({ ...this.state, carts, activeId });
  }

  private write(id: string): void {
    this.dirty.add(id);
    void this.flush(id);
  }

  /** Writes a cart until the terminal holds its latest state here, or refuses it. */
  private async flush(id: string): Promise<void> {
    if (!this.api || this.saving.has(id)) return;
    this.saving.add(id);
    try {
      while (this.dirty.has(id)) {
        this.dirty.delete(id);
        const cart = this.state.carts.find((c) => c.id === id);
        if (!cart) break;
        const result = await this.api.result('pos.saveCart', { id, saleUuid: cart.uuid, baseRevision: this.revisions.get(id) ?? 0, cart: stored(cart) });
        if (result.ok) {
          this.revisions.set(id, result.value.revision);
          continue;
        }
        const details = result.error.details ?? {};
        if (details['connectionLost']) {
          // Written again once the link is back (calls wait for it).
          this.dirty.add(id);
          await sleep(1000);
        } else if (typeof details['sold'] === 'string') {
          if (!this.soldHere.has(cart.uuid)) this.notify(`${details['sold']} was paid already: its cart is closed here.`);
          this.forget(id);
        } else if (result.error.code === 'CONFLICT') {
          // Another window changed or closed it first: its version wins, this page's change is dropped.
          this.notify('This order was changed in another window: showing its latest state.');
          this.dirty.delete(id);
          this.saving.delete(id);
          await this.reload();
          return;
        } else {
          this.notify(`This order is kept in this window only: ${errorText(toFleetError(result.error))}`);
        }
      }
    } finally {
      this.saving.delete(id);
    }
  }

  /** Carts an older version kept in this browser: written to the terminal (sold ones are refused there). */
  private adoptBrowserCarts(): void {
    let saved: { carts?: Cart[] } | null = null;
    try {
      saved = JSON.parse(this.browserStorage.getItem(BROWSER_CARTS_KEY) ?? 'null') as { carts?: Cart[] } | null;
      this.browserStorage.removeItem(BROWSER_CARTS_KEY);
    } catch {
      return;
    }
    for (const cart of saved?.carts ?? []) {
      if (cart.lines?.length && !this.state.carts.some((c) => c.id === cart.id || c.uuid === cart.uuid)) this.open(cart);
    }
  }

  private pickActive(carts: Cart[]): string {
    const wanted = this.state.activeId || this.tabStorage.getItem(ACTIVE_KEY) || '';
    return carts.some((c) => c.id === wanted) ? wanted : (carts[0]?.id ?? '');
  }

  private notify(notice: string): void {
    this.set({ ...this.state, notice });
  }

  private set(next: CartsState): void {
    this.state = next;
    try {
      this.tabStorage.setItem(ACTIVE_KEY, next.activeId);
    } catch {
      // storage unavailable: the active cart is this tab's memory only
    }
    for (const listener of this.listeners) listener();
  }
}

export function useCarts(store: CartStore): CartsState {
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}
