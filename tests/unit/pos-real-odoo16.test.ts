import { afterEach, describe, expect, it } from 'vitest';
import type { Sale } from '../../electron/pos/adapters.js';
import { lineIdsByPosition } from '../../electron/pos/order-payloads.js';
import type { PosServices } from '../../electron/pos/pos-services.js';
import { addPayment, addProduct, newCart, saleInput } from '../../pos-shell/src/lib/cart.js';
import { readPosData, readProduct } from '../../pos-shell/src/lib/catalog.js';
import { SaleInput } from '../../shared/pos.js';
import type { FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { cashSale, startOdooAndTerminal, stopOdooAndTerminal, type OdooAndTerminal } from '../support/pos-terminal.js';

// What the by-hand run against a real Odoo 16.0 showed (docs/real-odoo-runs.md), against the fake
// made to do what that server did.

let setup: OdooAndTerminal | undefined;
afterEach(async () => {
  await stopOdooAndTerminal(setup ?? {});
  setup = undefined;
});

/** One execute_kw as the fake's admin: the result, or Odoo's error data. */
async function executeKw(odoo: FakeOdoo, model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}) {
  const body = { jsonrpc: '2.0', method: 'call', id: 1, params: { service: 'object', method: 'execute_kw', args: [odoo.db, odoo.admin.uid, odoo.admin.password, model, method, args, kwargs] } };
  const reply = (await (await fetch(`${odoo.url}/jsonrpc`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).json()) as { result?: unknown; error?: { data: { name: string; message: string } } };
  return reply;
}

describe('what a real Odoo 16 showed', () => {
  it('takes cash in and out: 16 reads the formatted amount for its chatter, and without it keeps nothing', async () => {
    setup = await startOdooAndTerminal({ version: '16.0', configs: [{ cashControl: true }] });
    const { odoo, pos } = setup;
    const session = pos.terminal.session()!;

    // The server as the real one answered extras without formattedAmount: a KeyError, no line.
    const refused = await executeKw(odoo, 'pos.session', 'try_cash_in_out', [[session.id], 'in', 5, 'probe', { translatedType: 'in' }]);
    expect(refused.error?.data).toMatchObject({ name: 'builtins.KeyError', message: "'formattedAmount'" });

    const call = async (op: string, input: unknown) => {
      const result = await pos.dispatcher.invoke(op, input, { actor: 'test', role: 'support', transport: 'internal' });
      if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
      return result.value as { reason: string };
    };
    const cashIn = await call('pos.cashMove', { type: 'in', amount: 25, reason: 'Change rolls from the bank' });
    const cashOut = await call('pos.cashMove', { type: 'out', amount: 12.4, reason: 'Window cleaner' });
    await pos.sync.sync();

    const status = await pos.dispatcher.invoke('pos.status', {}, { actor: 'test', role: 'support', transport: 'internal' });
    expect(status.ok && status.value).toMatchObject({ cashMoves: { pending: 0, parked: 0 } });
    const lines = await executeKw(odoo, 'account.bank.statement.line', 'search_read', [[]], { fields: ['amount', 'payment_ref'] });
    expect((lines.result as Array<{ amount: number; payment_ref: string }>).map((l) => [l.amount, l.payment_ref])).toEqual([
      [25, `${session.name}-in-${cashIn.reason}`],
      [-12.4, `${session.name}-out-${cashOut.reason}`],
    ]);
  });
});

describe('what Odoo refused besides orders', () => {
  it('lists parked cash moves and customers with Odoo’s reason, and sends one again', async () => {
    setup = await startOdooAndTerminal({ version: '16.0', configs: [{ cashControl: true }] });
    const { odoo, pos } = setup;
    const call = async <T>(op: string, input: unknown): Promise<T> => {
      const result = await pos.dispatcher.invoke(op, input, { actor: 'test', role: 'cashier', transport: 'internal' });
      if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
      return result.value as T;
    };
    odoo.failNext('try_cash_in_out', { name: 'builtins.KeyError', message: "'formattedAmount'" });
    odoo.failNext('res.partner.create_from_ui', 'A customer needs a country here.');
    const move = await call<{ uid: string; reason: string }>('pos.cashMove', { type: 'out', amount: 12.4, reason: 'Window cleaner' });
    await call('pos.createPartner', { name: 'Hanna Offline' });
    await pos.sync.sync();

    const parked = await call<Array<{ kind: string; uid: string; label: string; amount: number | null; lastError: string | null }>>('pos.parkedRecords', {});
    expect(parked).toEqual([
      { kind: 'cashMove', uid: move.uid, label: `Cash out: ${move.reason}`, amount: -12.4, lastError: expect.stringContaining('formattedAmount') },
      { kind: 'customer', uid: expect.stringMatching(/^fleet-pos-/), label: 'Hanna Offline', amount: null, lastError: expect.stringContaining('country') },
    ]);
    await expect(call('pos.parkedRecords', { extra: 1 })).rejects.toMatchObject({ code: 'VALIDATION' });

    await call('pos.requeue', { uid: move.uid });
    await pos.sync.sync();
    expect(odoo.statementLines().map((l) => l.amount)).toEqual([-12.4]);
    expect((await call<Array<{ kind: string }>>('pos.parkedRecords', {})).map((r) => r.kind)).toEqual(['customer']);
  });
});

/** A cash sale of several products, rung up with the selling page's own cart code. */
function multiLineSale(pos: PosServices, lines: ReadonlyArray<[productId: number, qty: number]>): Sale {
  const data = readPosData(pos.terminal.catalog());
  let cart = newCart();
  for (const [productId, qty] of lines) cart = addProduct(cart, readProduct(pos.terminal.products({ ids: [productId], offset: 0, limit: 1 })[0]!), data, { qty, merge: false });
  const sale = SaleInput.parse(saleInput(addPayment(cart, 1, data), data));
  return { ...sale, userId: 2, employeeId: null, dateOrder: new Date(sale.dateOrder!) };
}

describe('a refund rung up before its sale reached Odoo 16', () => {
  it('is linked to the sold line once the sale is there, though 16 keeps no line uuid', async () => {
    setup = await startOdooAndTerminal({ version: '16.0', configs: [{ cashControl: true }], data: { products: 12 } });
    const { odoo, pos } = setup;
    await odoo.down();
    const sale = multiLineSale(pos, [[2, 2], [3, 1]]);
    const sold = pos.terminal.commitSale(sale);
    // The second line given back, from the terminal's copy (Odoo has not seen the sale).
    const refund = cashSale(pos, 3, -1);
    refund.lines[0]!.refundedLineUuid = sale.lines[1]!.uuid;
    const refunded = pos.terminal.commitSale(refund);
    await odoo.up();
    await pos.sync.sync();

    const inOdoo = (name: string) => odoo.orders().find((o) => o.pos_reference === name)!;
    const soldLines = inOdoo(sold.name).lines;
    expect(soldLines.map((l) => l.product_id)).toEqual([2, 3]);
    expect(inOdoo(refunded.name).lines).toEqual([expect.objectContaining({ qty: -1, refunded_orderline_id: soldLines[1]!.id })]);
    expect((await pos.terminal.findOrders(sold.name, 5))[0]!.lines.map((l) => l.refundedQty)).toEqual([0, 1]);
  });
});

describe('lines matched by position (16)', () => {
  const payload = JSON.stringify({ data: { lines: [[0, 0, { uuid: 'a', product_id: 2, qty: 2 }], [0, 0, { uuid: 'b', product_id: 3, qty: 1 }]], amount_total: 0, amount_tax: 0, date_order: '', partner_id: false } });
  it('maps the payload’s line uuids onto the stored lines in id order', () => {
    expect(lineIdsByPosition(payload, [{ id: 11, productId: 3, qty: 1 }, { id: 10, productId: 2, qty: 2 }])).toEqual(new Map([['a', 10], ['b', 11]]));
  });
  it('maps nothing when Odoo holds other lines (a line more, another product or quantity)', () => {
    expect(lineIdsByPosition(payload, [{ id: 10, productId: 2, qty: 2 }])).toEqual(new Map());
    expect(lineIdsByPosition(payload, [{ id: 10, productId: 2, qty: 2 }, { id: 11, productId: 4, qty: 1 }])).toEqual(new Map());
    expect(lineIdsByPosition(payload, [{ id: 10, productId: 2, qty: 1 }, { id: 11, productId: 3, qty: 1 }])).toEqual(new Map());
    expect(lineIdsByPosition('{"data": {"lines": 5}}', [{ id: 10, productId: 2, qty: 2 }])).toEqual(new Map());
    expect(lineIdsByPosition('not json', [])).toEqual(new Map());
  });
});
