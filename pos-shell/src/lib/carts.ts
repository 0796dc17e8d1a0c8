import { useSyncExternalStore } from 'react';
import { newCart, type Cart } from './cart.js';

// The open carts (orders being rung up, several at once: a customer steps aside, the next one is
// served). Kept in the browser so a reload or a crash of the page loses none of them.

const KEY = 'fleet-pos.carts.v1';

export interface CartsState {
  carts: Cart[];
  activeId: string;
}

function load(storage: Storage): CartsState {
  try {
    const parsed = JSON.parse(storage.getItem(KEY) ?? 'null') as CartsState | null;
    if (parsed && Array.isArray(parsed.carts) && parsed.carts.length > 0) {
      const activeId = parsed.carts.some((c) => c.id === parsed.activeId) ? parsed.activeId : parsed.carts[0]!.id;
      return { carts: parsed.carts, activeId };
    }
  } catch {
    // unreadable: start afresh
  }
  const cart = newCart();
  return { carts: [cart], activeId: cart.id };
}

export class CartStore {
  private state: CartsState;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly storage: Storage = localStorage) {
    this.state = load(storage);
  }

  get = (): CartsState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  private set(next: CartsState): void {
    this.state = next;
    try {
      this.storage.setItem(KEY, JSON.stringify(next));
    } catch {
      // storage full: the carts still live in memory
    }
    for (const listener of this.listeners) listener();
  }

  active(): Cart {
    return this.state.carts.find((c) => c.id === this.state.activeId) ?? this.state.carts[0]!;
  }

  update(id: string, change: (cart: Cart) => Cart): void {
    this.set({ ...this.state, carts: this.state.carts.map((c) => (c.id === id ? change(c) : c)) });
  }

  /** A new empty cart becomes the active one (or `cart`, e.g. a refund). */
  open(cart: Cart = newCart()): void {
    this.set({ carts: [...this.state.carts, cart], activeId: cart.id });
  }

  select(id: string): void {
    if (this.state.carts.some((c) => c.id === id)) this.set({ ...this.state, activeId: id });
  }

  /** Drops a cart (paid or abandoned); an empty one is reused or made so there is always one. */
  close(id: string): void {
    const carts = this.state.carts.filter((c) => c.id !== id);
    if (carts.length === 0) carts.push(newCart());
    const activeId = this.state.activeId === id ? (carts.find((c) => c.lines.length === 0)?.id ?? carts[carts.length - 1]!.id) : this.state.activeId;
    this.set({ carts, activeId });
  }
}

export function useCarts(store: CartStore): CartsState {
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}
