import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PosServices } from '../../electron/pos/pos-services.js';
import { CartStore } from '../../pos-shell/src/lib/carts.js';
import type { ProductCache } from '../../pos-shell/src/lib/products.js';
import type { Api } from '../../shared/api.js';
import type { OperationName } from '../../shared/contract.js';
import { FleetError } from '../../shared/errors.js';
import type { FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { startOdooAndTerminal, stopOdooAndTerminal } from '../support/pos-terminal.js';

// The selling page's cart store against the terminal's real operations: two pages of one terminal
// share carts, and when both change one at once the terminal's version wins, never silently lost.

let odoo: FakeOdoo;
let pos: PosServices;
let dir: string;

function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), removeItem: (k: string) => void items.delete(k) } as unknown as Storage;
}

/** A page's client: the contract's calls through the dispatcher, as the cashier; `beforeAnswer` runs once a write is stored. */
function page(hooks: { afterWrite?: () => void } = {}): Api {
  const invoke = (op: OperationName, input: unknown) => pos.dispatcher.invoke(op, input, { actor: 'page@pos', role: 'cashier', transport: 'internal' });
  return {
    async result(op: OperationName, input: unknown) {
      const result = await invoke(op, input);
      if (op === 'pos.saveCart' && hooks.afterWrite) {
        const run = hooks.afterWrite;
        hooks.afterWrite = undefined;
        run();
      }
      return result;
    },
    async call(op: OperationName, input: unknown) {
      const result = await invoke(op, input);
      if (!result.ok) throw new FleetError(result.error.code, result.error.message, result.error.details);
      return result.value;
    },
    on: () => () => {},
  } as unknown as Api;
}

const noProducts = { get: async () => [] } as unknown as ProductCache;
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
type Noted = { note?: string; toInvoice: boolean };

beforeAll(async () => {
  ({ odoo, dir, pos } = await startOdooAndTerminal({ version: '17.0' }));
});
afterAll(() => stopOdooAndTerminal({ odoo, dir, pos }));

describe('the carts two pages share', () => {
  it('a page that lost a race shows the other page’s version and builds on it', async () => {
    const hooks: { afterWrite?: () => void } = {};
    const a = new CartStore(memoryStorage(), memoryStorage());
    const b = new CartStore(memoryStorage(), memoryStorage());
    await a.connect(page(hooks), noProducts);
    await settle();
    await b.connect(page(), noProducts);
    const id = a.active().id;
    expect(b.active().id).toBe(id);
    // B changes the cart; A has not heard of it (no events here) and changes it twice, the second time mid-write.
    b.update(id, (c) => ({ ...c, toInvoice: true, note: 'B' }) as typeof c);
    await settle();
    hooks.afterWrite = () => a.update(id, (c) => ({ ...c, note: 'A again' }) as typeof c);
    a.update(id, (c) => ({ ...c, note: 'A' }) as typeof c);
    await settle();
    await settle();
    expect(a.get().notice).toMatch(/changed in another window/);
    expect((a.active() as unknown as Noted).note).toBe('B');
    a.update(id, (c) => ({ ...c, selectedLine: null }));
    await settle();
    const kept = (await page().call('pos.carts', {})).find((c) => c.id === id)!;
    expect(kept.cart).toMatchObject({ note: 'B', toInvoice: true });
  });
});
