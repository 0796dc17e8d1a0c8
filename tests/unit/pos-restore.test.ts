import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { PosServices } from '../../electron/pos/pos-services.js';
import { startFakeOdoo, type FakeOdoo } from '../fixtures/fake-odoo/server.js';
import type { RestoreCheckView } from '../../shared/pos.js';
import type { ClosingControlView } from '../../shared/pos-cash.js';
import { cashSale, newPosDir, pairedTerminal } from '../support/pos-terminal.js';

// A tenant restored to an earlier backup loses the orders synced after it: the terminal finds
// them missing when Odoo answers again and sends each once more, exactly once.

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp(version: '16.0' | '17.0' | '18.0', before?: (odoo: FakeOdoo) => void): Promise<{ odoo: FakeOdoo; pos: PosServices }> {
  const odoo = await startFakeOdoo({ version, data: { products: 12 }, demoSessions: !before });
  before?.(odoo);
  const dir = newPosDir();
  const pos = await pairedTerminal(odoo, dir);
  cleanups.push(async () => {
    await pos.close().catch(() => {});
    await odoo.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { odoo, pos };
}

function sell(pos: PosServices, count: number): string[] {
  return Array.from({ length: count }, (_, i) => pos.terminal.commitSale(cashSale(pos, 10 + (i % 3), 1 + (i % 2))).name);
}

/** Odoo cut and back, as a shop's line or a restore's downtime: the terminal notices it answers again. */
async function reconnect(odoo: FakeOdoo, pos: PosServices): Promise<void> {
  await odoo.down();
  expect((await pos.sync.sync()).status).toBe('offline');
  await odoo.up();
  await pos.sync.sync();
  await pos.sync.sync();
}

const references = (odoo: FakeOdoo) => odoo.orders().map((o) => o.pos_reference);

async function restoreCheck(pos: PosServices, now = false): Promise<RestoreCheckView> {
  const result = await pos.dispatcher.invoke('pos.restoreCheck', now ? { now } : {}, { actor: 'test', role: 'cashier', transport: 'internal' });
  if (!result.ok) throw new Error(result.error.message);
  return result.value as RestoreCheckView;
}

describe.each(['16.0', '17.0', '18.0'] as const)('after a restore (Odoo %s)', (version) => {
  it('sends again exactly the orders synced after the backup: 50 orders in Odoo, each once', async () => {
    const { odoo, pos } = await setUp(version);
    const first = sell(pos, 20);
    expect((await pos.sync.sync()).synced).toBe(20);
    const backup = odoo.backup();
    const later = sell(pos, 30);
    expect((await pos.sync.sync()).synced).toBe(30);
    expect(odoo.orders()).toHaveLength(50);

    odoo.restore(backup);
    expect(references(odoo).sort()).toEqual([...first].sort());
    await reconnect(odoo, pos);

    expect(references(odoo).sort()).toEqual([...first, ...later].sort());
    expect(new Set(references(odoo)).size).toBe(50);
    expect(odoo.orders().every((o) => o.state === 'paid')).toBe(true);
    const check = await restoreCheck(pos);
    expect(check).toMatchObject({ retentionDays: 30, waiting: 0, last: { resent: 30, refused: null } });
    expect(check.resent.map((o) => o.name).sort()).toEqual([...later].sort());
    expect(pos.outbox.counts()).toMatchObject({ pending: 0, parked: 0, synced: 50 });

    // Checked again (the hourly check, or the button): nothing is missing, nothing is sent twice.
    await restoreCheck(pos, true);
    expect(odoo.orders()).toHaveLength(50);
  });
});

describe.each(['17.0', '18.0'] as const)('after a restore, what the orders named (Odoo %s)', (version) => {
  it('makes a customer made at the till again and links a refund to the sale as Odoo holds it now', async () => {
    const { odoo, pos } = await setUp(version);
    sell(pos, 2);
    await pos.sync.sync();
    const backup = odoo.backup();
    const customer = pos.terminal.createPartner({ name: 'Restored Rita' });
    const toCustomer = pos.terminal.commitSale({ ...cashSale(pos, 10, 1), partnerId: customer.id });
    const sale = cashSale(pos, 11, 2);
    const sold = pos.terminal.commitSale(sale);
    await pos.sync.sync();
    const refund = cashSale(pos, 11, -1);
    refund.lines[0]!.refundedLineUuid = sale.lines[0]!.uuid;
    const refunded = pos.terminal.commitSale(refund);
    await pos.sync.sync();
    expect(odoo.orders()).toHaveLength(5);

    odoo.restore(backup);
    await reconnect(odoo, pos);

    expect(odoo.orders()).toHaveLength(5);
    const byRef = new Map(odoo.orders().map((o) => [o.pos_reference, o]));
    const rita = byRef.get(toCustomer.name)!.partner_id;
    expect(rita).not.toBe(false);
    expect(pos.outbox.get(toCustomer.uid)!.payload).toContain(`"partner_id":${rita}`);
    const soldLine = byRef.get(sold.name)!.lines[0]!;
    expect(byRef.get(refunded.name)!.lines[0]).toMatchObject({ qty: -1, refunded_orderline_id: soldLine.id });
  });
});

describe.each(['16.0', '17.0', '18.0'] as const)('after a restore that kept the sale but lost its refund (Odoo %s)', (version) => {
  it('sends the refund again linked to the sold line Odoo still has', async () => {
    const { odoo, pos } = await setUp(version);
    const sale = cashSale(pos, 11, 2);
    const sold = pos.terminal.commitSale(sale);
    await pos.sync.sync();
    const backup = odoo.backup();
    const refund = cashSale(pos, 11, -1);
    refund.lines[0]!.refundedLineUuid = sale.lines[0]!.uuid;
    const refunded = pos.terminal.commitSale(refund);
    await pos.sync.sync();
    const soldLine = odoo.orders().find((o) => o.pos_reference === sold.name)!.lines[0]!;
    expect(odoo.orders().find((o) => o.pos_reference === refunded.name)!.lines[0]).toMatchObject({ refunded_orderline_id: soldLine.id });

    odoo.restore(backup);
    await reconnect(odoo, pos);

    expect(odoo.orders()).toHaveLength(2);
    expect(odoo.orders().find((o) => o.pos_reference === refunded.name)!.lines[0]).toMatchObject({ qty: -1, refunded_orderline_id: soldLine.id });
  });
});

describe('after a restore, a customer made at the till with several orders', () => {
  it('makes the customer again once and every one of its orders names it (not the id Odoo gave to another customer)', async () => {
    const { odoo, pos } = await setUp('17.0');
    sell(pos, 1);
    await pos.sync.sync();
    const backup = odoo.backup();
    const customer = pos.terminal.createPartner({ name: 'Twice Tina' });
    const orders = [1, 2, 3].map(() => pos.terminal.commitSale({ ...cashSale(pos, 10, 1), partnerId: customer.id }));
    await pos.sync.sync();
    expect(odoo.orders()).toHaveLength(4);

    odoo.restore(backup);
    // Someone in the back office makes a customer: Odoo gives it the id Tina had.
    const other = odoo.catalog.createPartner({ name: 'Back-office Bob' });
    await reconnect(odoo, pos);

    expect(odoo.orders()).toHaveLength(4);
    const byRef = new Map(odoo.orders().map((o) => [o.pos_reference, o]));
    const tina = byRef.get(orders[0]!.name)!.partner_id;
    expect(tina).not.toBe(false);
    expect(tina).not.toEqual([other, 'Back-office Bob']);
    for (const order of orders) expect(byRef.get(order.name)!.partner_id).toEqual(tina);
  });
});

describe('after a restore, an order rung up while Odoo was down for it', () => {
  it('names the customer made at the till as Odoo holds it now, not the id Odoo gave to another customer', async () => {
    const { odoo, pos } = await setUp('17.0');
    sell(pos, 1);
    await pos.sync.sync();
    const backup = odoo.backup();
    const customer = pos.terminal.createPartner({ name: 'Downtime Dora' });
    const before = pos.terminal.commitSale({ ...cashSale(pos, 10, 1), partnerId: customer.id });
    await pos.sync.sync();

    await odoo.down();
    expect((await pos.sync.sync()).status).toBe('offline');
    const during = pos.terminal.commitSale({ ...cashSale(pos, 10, 1), partnerId: customer.id });
    odoo.restore(backup);
    const other = odoo.catalog.createPartner({ name: 'Back-office Bob' });
    await odoo.up();
    await pos.sync.sync();
    await pos.sync.sync();

    expect(odoo.orders()).toHaveLength(3);
    const byRef = new Map(odoo.orders().map((o) => [o.pos_reference, o]));
    const dora = byRef.get(before.name)!.partner_id;
    expect(dora).not.toEqual(other);
    expect(byRef.get(during.name)!.partner_id).toEqual(dora);
  });
});

describe('after a restore, a refund rung up while Odoo was down for it', () => {
  it('is linked to its sale as sent again, not to the line Odoo gave the old id to', async () => {
    const { odoo, pos } = await setUp('17.0');
    sell(pos, 1);
    await pos.sync.sync();
    const backup = odoo.backup();
    const sale = cashSale(pos, 11, 2);
    const sold = pos.terminal.commitSale(sale);
    await pos.sync.sync();

    await odoo.down();
    expect((await pos.sync.sync()).status).toBe('offline');
    const refund = cashSale(pos, 11, -1);
    refund.lines[0]!.refundedLineUuid = sale.lines[0]!.uuid;
    const refunded = pos.terminal.commitSale(refund);
    odoo.restore(backup);
    await odoo.up();
    // Another till sells first: Odoo gives its line the id the lost sale's line had.
    const other = await pairedTerminal(odoo, newPosDir());
    cleanups.push(() => other.close());
    const elsewhere = other.terminal.commitSale(cashSale(other, 12, 1));
    await other.sync.sync();
    await pos.sync.sync();
    await pos.sync.sync();

    const byRef = new Map(odoo.orders().map((o) => [o.pos_reference, o]));
    expect(byRef.size).toBe(4);
    const soldLine = byRef.get(sold.name)!.lines[0]!;
    expect(byRef.get(elsewhere.name)!.lines[0]!.id).not.toBe(soldLine.id);
    expect(byRef.get(refunded.name)!.lines[0]).toMatchObject({ qty: -1, refunded_orderline_id: soldLine.id });
  });
});

describe.each(['17.0', '18.0'] as const)('after a restore that lost the session itself (Odoo %s)', (version) => {
  it('16/17: its orders go to a rescue session, as Odoo puts a closed session’s late orders; 18: to the open session, once there is one', async () => {
    const { odoo, pos } = await setUp(version);
    const earlier = sell(pos, 2);
    await pos.sync.sync();
    const ctx = { actor: 'test', role: 'cashier', transport: 'internal' } as const;
    const control = await pos.dispatcher.invoke('pos.closingControl', {}, ctx);
    if (!control.ok) throw new Error(control.error.message);
    const countedCash = (control.value as ClosingControlView).methods.find((m) => m.kind === 'cash')?.expected;
    const closed = await pos.dispatcher.invoke('pos.closeSession', { countedCash, notes: 'end of day' }, ctx);
    if (!closed.ok) throw new Error(closed.error.message);
    expect(closed.value).toMatchObject({ closed: true });
    const backup = odoo.backup();
    await pos.terminal.openSession(0);
    const lost = pos.terminal.session()!;
    const sold = sell(pos, 5);
    await pos.sync.sync();
    expect(odoo.orders()).toHaveLength(7);

    odoo.restore(backup);
    expect(odoo.sessions().some((s) => s.id === lost.id)).toBe(false);
    await reconnect(odoo, pos);
    const check = await restoreCheck(pos);
    if (version === '17.0') {
      expect(check.last).toMatchObject({ resent: 5, waiting: 0, sessions: [{ lost: lost.name, into: expect.stringContaining(`(RESCUE FOR ${lost.name})`) }] });
      const rescue = odoo.sessions().find((s) => s.rescue)!;
      expect(odoo.orders().filter((o) => o.session_id === rescue.id).map((o) => o.pos_reference).sort()).toEqual([...sold].sort());
      // The session this terminal sold in is gone from Odoo: closing it here records it closed.
      const control = await pos.dispatcher.invoke('pos.closingControl', {}, ctx);
      if (!control.ok) throw new Error(control.error.message);
      const close = await pos.dispatcher.invoke('pos.closeSession', { countedCash: (control.value as ClosingControlView).methods.find((m) => m.kind === 'cash')?.expected, notes: 'after the restore' }, ctx);
      if (!close.ok) throw new Error(close.error.message);
      expect(close.value).toMatchObject({ closed: true, message: expect.stringContaining(`Odoo no longer has session ${lost.name}`) });
      expect(pos.terminal.session()).toBeNull();
      expect(odoo.sessions().find((s) => s.rescue)?.state).toBe('opened');
    } else {
      // 18 has no rescue sessions: they wait, still counted as synced, until a session is open.
      expect(check).toMatchObject({ waiting: 5, last: { resent: 0, waiting: 5, sessions: [{ lost: lost.name, into: null }] } });
      expect(odoo.orders()).toHaveLength(2);
      odoo.openSession();
      await restoreCheck(pos, true);
      await pos.sync.sync();
    }
    expect(references(odoo).sort()).toEqual([...earlier, ...sold].sort());
  });
});

describe('a database that holds nothing of this terminal', () => {
  it('is taken for another database, not a restore: nothing is sent again', async () => {
    let empty: ReturnType<FakeOdoo['backup']> | null = null;
    const { odoo, pos } = await setUp('17.0', (fresh) => (empty = fresh.backup()));
    sell(pos, 5);
    await pos.sync.sync();
    odoo.restore(empty!);
    await reconnect(odoo, pos);
    const check = await restoreCheck(pos);
    expect(check.last?.refused).toMatch(/another database/);
    expect(check.resent).toEqual([]);
    expect(odoo.orders()).toHaveLength(0);
    expect(pos.outbox.counts()).toMatchObject({ pending: 0, synced: 5 });
  });
});

describe('what a terminal keeps of its synced orders', () => {
  it('lets orders older than 30 days go after a check, but never those of a session still open here', async () => {
    const { odoo, pos } = await setUp('17.0');
    const [old, recent] = sell(pos, 2);
    await pos.sync.sync();
    const longAgo = new Date(Date.now() - 31 * 86_400_000).toISOString();
    pos.db.prepare('UPDATE outbox SET synced_at = ? WHERE name = ?').run(longAgo, old);
    await restoreCheck(pos, true);
    // The session is still open here: its Z report is made from these orders.
    expect(pos.outbox.list('synced').map((o) => o.name).sort()).toEqual([old, recent].sort());
    pos.db.prepare("UPDATE pos_session SET state = 'closed'").run();
    await new Promise((resolve) => setTimeout(resolve, 5_100)); // the button checks at most every 5 s
    await restoreCheck(pos, true);
    expect(pos.outbox.list('synced').map((o) => o.name)).toEqual([recent]);
    expect(odoo.orders()).toHaveLength(2);
  });
});
