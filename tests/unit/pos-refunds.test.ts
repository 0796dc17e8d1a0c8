import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { PosServices } from '../../electron/pos/pos-services.js';
import { startFakeOdoo, type FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { cashSale, newPosDir, pairedTerminal, saleInputOf } from '../support/pos-terminal.js';

// Refunds of orders rung up on another terminal: found in Odoo by receipt number or customer,
// refunded line by line with refunded_orderline_id, never giving back more than was sold.

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function terminal(odoo: FakeOdoo): Promise<PosServices> {
  const dir = newPosDir();
  const pos = await pairedTerminal(odoo, dir);
  cleanups.push(() => pos.close(), () => fs.rmSync(dir, { recursive: true, force: true }));
  return pos;
}

describe.each(['17.0', '18.0'] as const)('refunds across terminals (Odoo %s)', (version) => {
  it("finds another terminal's order in Odoo and refunds part of it, linked to the original line", async () => {
    const odoo = await startFakeOdoo({ version, data: { products: 12 } });
    cleanups.push(() => odoo.close());
    const shopA = await terminal(odoo);
    const sold = shopA.terminal.commitSale(cashSale(shopA, 2, 3));
    expect((await shopA.sync.sync()).synced).toBe(1);

    const shopB = await terminal(odoo);
    const latest = await shopB.terminal.findOrders('', 20);
    expect(latest.map((o) => o.name)).toEqual([sold.name]);
    const [found] = await shopB.terminal.findOrders(sold.name.slice(-9), 20);
    // Product 2 sells at 193.69 before its 15% tax.
    expect(found).toMatchObject({ name: sold.name, amountTotal: sold.amountTotal, state: 'paid', lines: [{ productId: 2, qty: 3, refundedQty: 0, priceUnit: 193.69 }] });
    expect(await shopB.terminal.findOrders('no such receipt', 20)).toEqual([]);

    const line = found!.lines[0]!;
    const refund = cashSale(shopB, 2, -2);
    refund.lines[0]!.refundedOrderlineId = line.id;
    shopB.terminal.commitSale(refund);
    // Waiting on B: already counted, so a second refund cannot give back more than was sold.
    expect((await shopB.terminal.findOrders(sold.name, 20))[0]!.lines[0]!.refundedQty).toBe(2);
    expect((await shopB.sync.sync()).synced).toBe(1);
    // In Odoo now: counted once (by Odoo), not twice.
    expect((await shopB.terminal.findOrders(sold.name, 20))[0]!.lines[0]!.refundedQty).toBe(2);
    const refundInOdoo = odoo.orders().find((o) => o.amount_total < 0)!;
    expect(refundInOdoo.lines).toEqual([expect.objectContaining({ qty: -2, refunded_orderline_id: line.id })]);
  });

  it('offers only the serial numbers not given back yet, in Odoo or waiting here', async () => {
    const odoo = await startFakeOdoo({ version, data: { products: 12 } });
    cleanups.push(() => odoo.close());
    const shopA = await terminal(odoo);
    const sale = cashSale(shopA, 3, 3);
    sale.lines[0]!.packLots = ['SN1', 'SN2', 'SN3'];
    const sold = shopA.terminal.commitSale(sale);
    await shopA.sync.sync();

    const shopB = await terminal(odoo);
    const line = (await shopB.terminal.findOrders(sold.name, 5))[0]!.lines[0]!;
    expect(line.lots).toEqual(['SN1', 'SN2', 'SN3']);
    const refund = cashSale(shopB, 3, -1);
    refund.lines[0]!.refundedOrderlineId = line.id;
    refund.lines[0]!.packLots = ['SN2'];
    shopB.terminal.commitSale(refund);
    expect((await shopB.terminal.findOrders(sold.name, 5))[0]!.lines[0]).toMatchObject({ refundedQty: 1, lots: ['SN1', 'SN3'] });
    await shopB.sync.sync();
    // In Odoo now (its refund line's own lot): the same answer, counted once.
    expect((await shopB.terminal.findOrders(sold.name, 5))[0]!.lines[0]).toMatchObject({ refundedQty: 1, lots: ['SN1', 'SN3'] });
  });

  it('links a refund rung up offline, before its sale reached Odoo, once the sale is there: the sale first', async () => {
    const odoo = await startFakeOdoo({ version, data: { products: 12 } });
    cleanups.push(() => odoo.close());
    const shop = await terminal(odoo);
    await odoo.down();
    const sale = cashSale(shop, 2, 3);
    const sold = shop.terminal.commitSale(sale);
    const refund = cashSale(shop, 2, -1);
    refund.lines[0]!.refundedLineUuid = sale.lines[0]!.uuid;
    const refunded = shop.terminal.commitSale(refund);
    const before = shop.outbox.get(refunded.uid)!.payload;
    expect(before).not.toContain('refunded_orderline_id');
    await odoo.up();
    expect((await shop.sync.sync()).synced).toBe(2);

    const [first, second] = odoo.orders();
    expect([first!.pos_reference, second!.pos_reference]).toEqual([sold.name, refunded.name]);
    expect(second!.lines[0]).toMatchObject({ qty: -1, refunded_orderline_id: first!.lines[0]!.id });
    // The link was written once, before the first send, and Odoo counts the refund against the sale.
    expect(shop.outbox.get(refunded.uid)!.payload).toContain(`"refunded_orderline_id":${first!.lines[0]!.id}`);
    expect(shop.outbox.get(refunded.uid)!.refundLinks).toBeNull();
    expect((await shop.terminal.findOrders(sold.name, 5))[0]!.lines[0]!.refundedQty).toBe(1);
  });

  it('counts a refund rung up from the receipt and not linked yet, so the line cannot be refunded twice meanwhile', async () => {
    const odoo = await startFakeOdoo({ version, data: { products: 12 } });
    cleanups.push(() => odoo.close());
    const shop = await terminal(odoo);
    const sale = cashSale(shop, 2, 3);
    const sold = shop.terminal.commitSale(sale);
    await shop.sync.sync();
    await odoo.down();
    const refund = cashSale(shop, 2, -2);
    refund.lines[0]!.refundedLineUuid = sale.lines[0]!.uuid;
    shop.terminal.commitSale(refund);
    await odoo.up();
    // Not sent yet: Odoo's refunded_qty is 0, the terminal counts its own waiting refund.
    expect((await shop.terminal.findOrders(sold.name, 5))[0]!.lines[0]).toMatchObject({ uuid: sale.lines[0]!.uuid, refundedQty: 2 });
    shop.outbox.dueNow();
    await shop.sync.sync();
    expect((await shop.terminal.findOrders(sold.name, 5))[0]!.lines[0]!.refundedQty).toBe(2);
  });

  it('never gives back twice a line another terminal refunded meanwhile: Odoo\'s count is read before a refund is stored, and by the detail', async () => {
    const odoo = await startFakeOdoo({ version, data: { products: 12 } });
    cleanups.push(() => odoo.close());
    const shopA = await terminal(odoo);
    const shopB = await terminal(odoo);
    const sale = cashSale(shopA, 2, 1);
    const sold = shopA.terminal.commitSale(sale);
    await shopA.sync.sync();
    const [found] = await shopB.terminal.findOrders(sold.name, 5);
    const refundB = cashSale(shopB, 2, -1);
    refundB.lines[0]!.refundedOrderlineId = found!.lines[0]!.id;
    shopB.terminal.commitSale(refundB);
    await shopB.sync.sync();
    // Terminal A, which sold it and never looked it up since, is asked by a page to give it back by its uuid.
    const refundA = cashSale(shopA, 2, -1);
    refundA.lines[0]!.refundedLineUuid = sale.lines[0]!.uuid;
    const page = { actor: 'page', role: 'cashier', transport: 'ws' } as const;
    expect(await shopA.dispatcher.invoke('pos.cashierLogin', {}, page)).toMatchObject({ ok: true });
    const refused = await shopA.dispatcher.invoke('pos.sell', { sale: saleInputOf(refundA) }, page);
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining('only 0 is left') } });
    const detail = await shopA.terminal.orderDetail(sold.uid);
    expect(detail.lines[0]).toMatchObject({ refundable: 0 });
    expect(odoo.orders().filter((o) => o.amount_total < 0)).toHaveLength(1);
  });

  it('holds a refund behind a sale that waits for its customer made offline, then links it, without sending anything twice', async () => {
    const odoo = await startFakeOdoo({ version, data: { products: 12 } });
    cleanups.push(() => odoo.close());
    const shop = await terminal(odoo);
    const customer = shop.terminal.createPartner({ name: 'Walk-in Wanda' });
    const sale = { ...cashSale(shop, 2, 2), partnerId: customer.id };
    const sold = shop.terminal.commitSale(sale);
    const refund = cashSale(shop, 2, -1);
    refund.lines[0]!.refundedLineUuid = sale.lines[0]!.uuid;
    const refunded = shop.terminal.commitSale(refund);
    const push = version === '18.0' ? 'pos.order.sync_from_ui' : 'pos.order.create_from_ui';

    // First round: the customer is created, then its sale goes in its place; the refund waits for the next round, unsent.
    await shop.sync.syncOnce();
    expect(odoo.requests().byMethod[push]).toBe(1);
    expect(shop.outbox.get(sold.uid)!.state).toBe('synced');
    expect(shop.outbox.get(refunded.uid)).toMatchObject({ state: 'pending', attempts: 0 });
    // Then the refund, linked: one push each.
    await shop.sync.sync();
    expect(odoo.requests().byMethod[push]).toBe(2);
    const inOdoo = (name: string) => odoo.orders().find((o) => o.pos_reference === name)!;
    expect(inOdoo(refunded.name).lines[0]!.refunded_orderline_id).toBe(inOdoo(sold.name).lines[0]!.id);
  });

  it('sends a refund unlinked, as a return, when the sale it gives back was refused by Odoo', async () => {
    const odoo = await startFakeOdoo({ version, data: { products: 12 } });
    cleanups.push(() => odoo.close());
    const shop = await terminal(odoo);
    const sale = cashSale(shop, 2, 3);
    const sold = shop.terminal.commitSale(sale);
    odoo.failNext(version === '18.0' ? 'sync_from_ui' : 'create_from_ui', 'Product 2 is archived');
    await shop.sync.sync();
    expect(shop.outbox.get(sold.uid)!.state).toBe('parked');
    const refund = cashSale(shop, 2, -1);
    refund.lines[0]!.refundedLineUuid = sale.lines[0]!.uuid;
    const refunded = shop.terminal.commitSale(refund);
    expect((await shop.sync.sync()).synced).toBe(1);
    expect(odoo.orders().find((o) => o.pos_reference === refunded.name)!.lines[0]).toMatchObject({ qty: -1, refunded_orderline_id: false });
  });

  it('says clearly that finding orders needs Odoo, and records nothing', async () => {
    const odoo = await startFakeOdoo({ version, data: { products: 12 } });
    cleanups.push(() => odoo.close());
    const shop = await terminal(odoo);
    await odoo.down();
    await expect(shop.terminal.findOrders('', 20)).rejects.toThrow(/Could not look the orders up in Odoo/);
    expect(shop.outbox.counts().pending).toBe(0);
  });
});
