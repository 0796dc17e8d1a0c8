import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PosServices } from '../../electron/pos/pos-services.js';
import type { OperationName } from '../../shared/contract.js';
import type { OrderDetailView } from '../../shared/pos-order-detail.js';
import { SaleInput } from '../../shared/pos.js';
import { roundPrecision } from '../../shared/pos/rounding.js';
import { addPayment, addProduct, newCart, saleInput, setCustomer, type Cart } from '../../pos-shell/src/lib/cart.js';
import { readCustomer, readPosData, readProduct, type PosData, type Product } from '../../pos-shell/src/lib/catalog.js';
import { detailFromOdoo, lineKey, refundCartOf } from '../../pos-shell/src/lib/order-detail.js';
import type { FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { cashSale, startOdooAndTerminal, stopOdooAndTerminal } from '../support/pos-terminal.js';

// The Orders page's detail (pos.orderDetail, and an order found in Odoo turned into the same view),
// refunds of chosen lines and quantities — the terminal refusing more than is left, whatever the
// page sends — and invoicing from the detail (pos.invoiceOrder).

let odoo: FakeOdoo;
let pos: PosServices;
let dir: string;
let data: PosData;

const call = (op: OperationName, input: unknown) => pos.dispatcher.invoke(op, input, { actor: 'till@pos', role: 'cashier', transport: 'internal' });
const ok = async <T>(op: OperationName, input: unknown): Promise<T> => {
  const result = await call(op, input);
  if (!result.ok) throw Object.assign(new Error(`${op}: ${result.error.message}`), result.error);
  return result.value as T;
};
const product = (id: number): Product => readProduct(pos.terminal.products({ ids: [id], offset: 0, limit: 1 })[0]!);
const productsById = (ids: number[]) => new Map(ids.map((id) => [id, product(id)]));
const customer = () => readCustomer(pos.terminal.partners('', 5)[0]!);

/** A cart paid in cash, sold through the contract as the selling page does; its uid. */
async function sell(cart: Cart): Promise<string> {
  const sale = SaleInput.parse(saleInput(addPayment(cart, 1, data), data));
  return (await ok<{ uid: string }>('pos.sell', { sale: { ...sale, dateOrder: undefined } })).uid;
}

/** Two lines (3 × product 2, 2 × product 5), with a customer unless told otherwise. */
async function twoLineSale(withCustomer = true): Promise<string> {
  let cart = addProduct(addProduct(newCart(), product(2), data, { qty: 3, merge: false }), product(5), data, { qty: 2, merge: false });
  if (withCustomer) cart = setCustomer(cart, customer());
  return sell(cart);
}

beforeAll(async () => {
  ({ odoo, dir, pos } = await startOdooAndTerminal({ version: '17.0', configs: [{ cashControl: false, posHr: true }] }));
  data = readPosData(pos.terminal.catalog());
  await ok('pos.cashierLogin', { employeeId: 2, pin: '5678' });
});
afterAll(() => stopOdooAndTerminal({ odoo, dir, pos }));

describe('the detail of an order of this terminal', () => {
  it('shows its lines, taxes, payments, customer and cashier from the frozen payload, and where it stands', async () => {
    const uid = await twoLineSale();
    const waiting = await ok<OrderDetailView>('pos.orderDetail', { uid });
    expect(waiting).toMatchObject({ source: 'terminal', uid, customer: { name: customer().name }, cashier: 'Marc Demo', sync: { state: 'waiting' }, odoo: null, toInvoice: false });
    expect(waiting.lines).toEqual([
      expect.objectContaining({ productId: 2, qty: 3, discount: 0, refundedQty: 0, refundable: 3, odooLineId: null }),
      expect.objectContaining({ productId: 5, qty: 2, refundedQty: 0, refundable: 2 }),
    ]);
    // Product 2: 193.69 before its 15% tax.
    expect(waiting.lines[0]).toMatchObject({ priceUnit: 193.69, totalExcl: 581.07, taxes: [expect.stringMatching(/15/)] });
    // The amounts add up at the currency's rounding, the tax split included.
    const rounding = data.settings.currency.rounding;
    expect(roundPrecision(waiting.amountUntaxed + waiting.amountTax, rounding)).toBe(roundPrecision(waiting.amountTotal, rounding));
    expect(waiting.taxes!.length).toBeGreaterThan(0);
    expect(roundPrecision(waiting.taxes!.reduce((sum, t) => sum + t.amount, 0), rounding)).toBe(waiting.amountTax);
    expect(waiting.payments).toEqual([{ method: 'Cash', amount: waiting.amountTotal }]);

    await pos.sync.sync();
    const synced = await ok<OrderDetailView>('pos.orderDetail', { uid });
    const inOdoo = odoo.orders().find((o) => o.pos_reference === synced.name)!;
    expect(synced).toMatchObject({ sync: { state: 'synced', reason: null }, odoo: { id: inOdoo.id, name: inOdoo.name, state: 'paid', invoice: null } });
    expect(synced.odoo!.name).toMatch(/^Shop\/\d{4}$/);
  });

  it('says why an order is parked, and shows a synced order without Odoo’s name while Odoo is down', async () => {
    const uid = await twoLineSale();
    odoo.failNext('create_from_ui', 'Refused by the test');
    await pos.sync.sync();
    expect(await ok<OrderDetailView>('pos.orderDetail', { uid })).toMatchObject({ sync: { state: 'parked', reason: expect.stringMatching(/Refused by the test/) } });
    await ok('pos.requeue', { uid });
    await pos.sync.sync();
    await odoo.down();
    try {
      expect(await ok<OrderDetailView>('pos.orderDetail', { uid })).toMatchObject({ sync: { state: 'synced' }, odoo: { id: expect.any(Number), name: null, invoice: null } });
    } finally {
      await odoo.up();
    }
  });

  it('refuses hostile input and unknown orders', async () => {
    for (const input of [{}, { uid: 1 }, { uid: '../../etc' }, { uid: 'x'.repeat(5000) }, { uid: '00001-001-0001', extra: true }, null, 'uid']) {
      expect(await call('pos.orderDetail', input), JSON.stringify(input)?.slice(0, 40)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    expect(await call('pos.orderDetail', { uid: '99999-999-9999' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('refunds of chosen lines and quantities', () => {
  it('gives back one line and part of another, and the terminal refuses more than is left whatever the page sends', async () => {
    const uid = await twoLineSale();
    const detail = await ok<OrderDetailView>('pos.orderDetail', { uid });
    const [first, second] = detail.lines as [OrderDetailView['lines'][number], OrderDetailView['lines'][number]];
    const products = productsById([2, 5]);
    // The page's own bounds first.
    expect(refundCartOf(detail, new Map(), products, null)).toMatch(/at least one line/);
    expect(refundCartOf(detail, new Map([[lineKey(first), 4]]), products, null)).toMatch(/only 3 is left/);
    expect(refundCartOf(detail, new Map([[lineKey(first), -1]]), products, null)).toMatch(/more than 0/);
    const cart = refundCartOf(detail, new Map([[lineKey(second), 1]]), products, null) as Cart;
    expect(cart.lines).toEqual([expect.objectContaining({ qty: -1, manualPrice: second.priceUnit, refundOf: expect.objectContaining({ lineUuid: second.uuid, refundable: 2 }) })]);
    await sell(cart);
    const after = await ok<OrderDetailView>('pos.orderDetail', { uid });
    expect(after.lines.map((l) => [l.refundedQty, l.refundable])).toEqual([[0, 3], [1, 1]]);

    // A hostile page: the same line again for more than is left, with totals made to match.
    const greedy = refundCartOf(after, new Map([[lineKey(second), 1]]), products, null) as Cart;
    const twice = { ...greedy, lines: greedy.lines.map((l) => ({ ...l, qty: -2, refundOf: { ...l.refundOf!, refundable: 2 } })) };
    const tooMuch = SaleInput.parse(saleInput(addPayment(twice, 1, data), data));
    expect(await call('pos.sell', { sale: tooMuch })).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/only 1 is left to give back/) } });
    // Two refund lines of one sale naming the same line share what is left.
    const split = { ...greedy, lines: [greedy.lines[0]!, { ...greedy.lines[0]!, uuid: crypto.randomUUID() }] };
    expect(await call('pos.sell', { sale: SaleInput.parse(saleInput(addPayment(split, 1, data), data)) })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/only 0 is left/) } });
    // At another price, or naming a line never sold here.
    const cheaper = SaleInput.parse(saleInput(addPayment({ ...greedy, lines: greedy.lines.map((l) => ({ ...l, manualPrice: 1 })) }, 1, data), data));
    expect(await call('pos.sell', { sale: cheaper })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/sold at/) } });
    const madeUp = SaleInput.parse(saleInput(addPayment({ ...greedy, lines: greedy.lines.map((l) => ({ ...l, refundOf: { ...l.refundOf!, lineUuid: crypto.randomUUID() } })) }, 1, data), data));
    expect(await call('pos.sell', { sale: madeUp })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/has not seen/) } });
    expect((await ok<OrderDetailView>('pos.orderDetail', { uid })).lines[1]).toMatchObject({ refundedQty: 1, refundable: 1 });
  });

  it('refunds an order found in Odoo by its lines there, linked to them', async () => {
    const uid = await twoLineSale();
    await pos.sync.sync();
    const name = (await ok<OrderDetailView>('pos.orderDetail', { uid })).name;
    const [found] = await pos.terminal.findOrders(name, 5);
    const detail = detailFromOdoo(found!, data);
    expect(detail).toMatchObject({ source: 'odoo', name, customer: { name: customer().name }, cashier: expect.any(String), odoo: { id: found!.id, name: found!.odooName }, payments: [{ method: 'Cash', amount: found!.amountTotal }] });
    expect(detail.amountUntaxed).toBe(roundPrecision(found!.lines.reduce((s, l) => s + l.priceSubtotal, 0), data.settings.currency.rounding));
    const [first, second] = detail.lines as [OrderDetailView['lines'][number], OrderDetailView['lines'][number]];
    const cart = refundCartOf(detail, new Map([[lineKey(first), 3], [lineKey(second), 1]]), productsById([2, 5]), null) as Cart;
    await sell(cart);
    await pos.sync.sync();
    const refund = odoo.orders().find((o) => o.amount_total < 0 && o.lines.some((l) => l.refunded_orderline_id === first.odooLineId))!;
    expect(refund.lines.map((l) => [l.qty, l.refunded_orderline_id])).toEqual([[-3, first.odooLineId], [-1, second.odooLineId]]);
    const again = detailFromOdoo((await pos.terminal.findOrders(name, 5))[0]!, data);
    expect(again.lines.map((l) => l.refundable)).toEqual([0, 1]);
  });
});

describe('invoicing from the detail', () => {
  it('invoices a synced order with a customer once, and says why it cannot otherwise', async () => {
    const waitingUid = await twoLineSale();
    expect(await call('pos.invoiceOrder', { uid: waitingUid })).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringMatching(/once it is synced/) } });
    await pos.sync.sync();
    const invoiced = await ok<{ orderId: number; invoiceId: number; invoice: string; state: string }>('pos.invoiceOrder', { uid: waitingUid });
    expect(invoiced).toMatchObject({ invoice: expect.stringMatching(/^INV\//), state: 'invoiced' });
    expect(odoo.orders().find((o) => o.id === invoiced.orderId)).toMatchObject({ state: 'invoiced', account_move: invoiced.invoiceId });
    // Asked again (an answer lost): the same invoice, not a second one.
    expect(await ok('pos.invoiceOrder', { uid: waitingUid })).toEqual(invoiced);
    expect(await ok<OrderDetailView>('pos.orderDetail', { uid: waitingUid })).toMatchObject({ odoo: { state: 'invoiced', invoice: invoiced.invoice } });

    const anonymous = await twoLineSale(false);
    await pos.sync.sync();
    expect(await call('pos.invoiceOrder', { uid: anonymous })).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/no customer/) } });
    // Found in Odoo: Odoo itself refuses an order without a customer.
    const serverId = pos.outbox.get(anonymous)!.serverId!;
    expect(await call('pos.invoiceOrder', { orderId: serverId })).toMatchObject({ ok: false, error: { code: 'COMMAND_FAILED', message: expect.stringMatching(/Please provide a partner for the sale/) } });
    expect(odoo.orders().find((o) => o.id === serverId)).toMatchObject({ state: 'paid', account_move: false });
  });

  it('passes on Odoo’s refusal to render the PDF, and refuses hostile input', async () => {
    const uid = await twoLineSale();
    await pos.sync.sync();
    odoo.failNext('action_pos_order_invoice', 'You need Wkhtmltopdf to print a pdf version of the reports.');
    expect(await call('pos.invoiceOrder', { uid })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/Wkhtmltopdf/) } });
    for (const input of [{}, { uid, orderId: 1 }, { orderId: -1 }, { orderId: 1.5 }, { orderId: 2 ** 40 }, { uid: 'a'.repeat(100) }, [1]]) {
      expect(await call('pos.invoiceOrder', input), JSON.stringify(input)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
  });
});

describe.each(['16.0', '18.0'] as const)('reading and invoicing orders on Odoo %s', (version) => {
  it('finds an order with its Odoo name, cashier, payments and subtotals, invoices it once, and offers no closed-session order', async () => {
    const other = await startOdooAndTerminal({ version, data: { products: 12 } });
    try {
      const { pos: shop, odoo: server } = other;
      const partnerId = Number(shop.terminal.partners('', 1)[0]!.id);
      const sold = shop.terminal.commitSale({ ...cashSale(shop, 2, 3, { tendered: 1000 }), partnerId });
      const later = shop.terminal.commitSale({ ...cashSale(shop, 2, 1), partnerId });
      expect((await shop.sync.sync()).synced).toBe(2);
      const [found] = await shop.terminal.findOrders(sold.name, 5);
      const inOdoo = server.orders().find((o) => o.pos_reference === sold.name)!;
      expect(found).toMatchObject({ odooName: inOdoo.name, cashier: 'Mitchell Admin', invoice: null, amountTax: inOdoo.amount_tax, amountReturn: inOdoo.amount_return, payments: [{ method: 'Cash', amount: 1000 }] });
      expect(inOdoo.amount_return).toBeGreaterThan(0);
      expect(found!.lines[0]).toMatchObject({ priceSubtotal: 581.07 });

      const invoiced = await shop.terminal.invoiceOrder({ uid: sold.uid });
      expect(invoiced).toMatchObject({ id: inOdoo.id, state: 'invoiced', invoice: { name: expect.stringMatching(/^INV\//) } });
      expect((await shop.terminal.invoiceOrder({ orderId: inOdoo.id })).invoice).toEqual(invoiced.invoice);
      expect((await shop.terminal.findOrders(sold.name, 5))[0]).toMatchObject({ state: 'invoiced', invoice: invoiced.invoice!.name });

      // Closed, Odoo marks its paid orders done: its Invoice button is gone, and the terminal does not ask.
      await shop.terminal.closeSession({ countedCash: 0 });
      expect(server.orders().find((o) => o.pos_reference === later.name)).toMatchObject({ state: 'done', account_move: false });
      await expect(shop.terminal.invoiceOrder({ uid: later.uid })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/is done in Odoo/) });

      // An order imported from a file carries any payload text: its detail says so, and nothing breaks.
      const order = { uid: '00099-001-0001', name: 'Order 00099-001-0001', sessionId: 99, sequence: 1, payload: '{"lines":5}', amountTotal: 0, state: 'pending', lastError: null, createdAt: new Date().toISOString() };
      const imported = await shop.dispatcher.invoke('pos.importOrders', { file: { format: 'fleet-pos-outbox/1', exportedAt: new Date().toISOString(), orders: [order] } }, { actor: 'admin@pos', role: 'admin', transport: 'internal' });
      expect(imported).toMatchObject({ ok: true, value: { imported: 1 } });
      expect(await shop.dispatcher.invoke('pos.orderDetail', { uid: order.uid }, { actor: 'till@pos', role: 'cashier', transport: 'internal' })).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/cannot be read/) } });
    } finally {
      await stopOdooAndTerminal(other);
    }
  });
});
