import net from 'node:net';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { PosServices } from '../../electron/pos/pos-services.js';
import { startFakeOdoo, type FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { cashSale, newPosDir, openPos, pairedTerminal, saleInputOf } from '../support/pos-terminal.js';

// The POS sync engine against the fake Odoo: every order arrives once, whatever the network does.

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fake(version: '17.0' | '18.0' = '17.0'): Promise<FakeOdoo> {
  const odoo = await startFakeOdoo({ version, configs: [{ cashControl: true }] });
  cleanups.push(() => odoo.close());
  return odoo;
}

async function terminal(odoo: FakeOdoo, dir = newPosDir()): Promise<PosServices> {
  const pos = await pairedTerminal(odoo, dir);
  cleanups.push(async () => {
    await pos.close().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return pos;
}

const names = (odoo: FakeOdoo) => odoo.orders().map((o) => o.pos_reference).sort();

describe('POS sync', () => {
  for (const version of ['17.0', '18.0'] as const) {
    it(`pairs, opens a session with cash control and syncs sales once (Odoo ${version})`, async () => {
      const odoo = await fake(version);
      const pos = await terminal(odoo);
      const session = pos.terminal.session()!;
      expect(session).toMatchObject({ state: 'opened', loginNumber: 1, nextSequence: 1 });
      const sold = [pos.terminal.commitSale(cashSale(pos, 10, 2)), pos.terminal.commitSale(cashSale(pos, 11, 1))];
      expect(sold.map((o) => o.name)).toEqual([`Order ${String(session.id).padStart(5, '0')}-001-0001`, `Order ${String(session.id).padStart(5, '0')}-001-0002`]);
      expect(await pos.sync.sync()).toMatchObject({ status: 'online', synced: 2, parked: 0 });
      expect(odoo.orders().map((o) => [o.pos_reference, o.state, o.amount_total])).toEqual([
        [sold[0]!.name, 'paid', sold[0]!.amountTotal],
        [sold[1]!.name, 'paid', sold[1]!.amountTotal],
      ]);
      expect(pos.outbox.counts()).toMatchObject({ pending: 0, synced: 2 });
      // Syncing again sends nothing: only asks whether Odoo answers (no model is called).
      const before = odoo.requests();
      expect(await pos.sync.sync()).toMatchObject({ status: 'online', synced: 0 });
      expect(odoo.requests().byMethod).toEqual(before.byMethod);
      expect(odoo.requests().total).toBe(before.total + 1);
    });

    it(`says whether Odoo answers with nothing to send (Odoo ${version})`, async () => {
      const odoo = await startFakeOdoo({ version });
      const dir = newPosDir();
      const pos = await pairedTerminal(odoo, dir);
      try {
        expect(pos.sync.status().status).toBe('idle');
        expect(await pos.sync.sync()).toMatchObject({ status: 'online', synced: 0 });
        await odoo.down();
        expect(await pos.sync.sync()).toMatchObject({ status: 'offline', synced: 0, error: expect.stringMatching(/.+/) });
        expect(pos.sync.status().status).toBe('offline');
        await odoo.up();
        expect(await pos.sync.sync()).toMatchObject({ status: 'online', error: null });
      } finally {
        await pos.close();
        await odoo.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('sells with Odoo down, and syncs every order once when it comes back', async () => {
    const odoo = await fake();
    const pos = await terminal(odoo);
    await odoo.down('refuse');
    const sold = Array.from({ length: 25 }, (_, i) => pos.terminal.commitSale(cashSale(pos, 10 + (i % 5), 1)));
    expect(await pos.sync.sync()).toMatchObject({ status: 'offline', synced: 0, deferred: 25 });
    expect(pos.outbox.list('pending').every((o) => !o.uncertain)).toBe(true); // refused: never sent
    await odoo.up();
    await new Promise((r) => setTimeout(r, 250)); // past the backoff
    expect(await pos.sync.sync()).toMatchObject({ status: 'online', synced: 25 });
    expect(names(odoo)).toEqual(sold.map((o) => o.name).sort());
  });

  it('a connection cut after Odoo processed the batch never doubles an order', async () => {
    const odoo = await fake();
    const pos = await terminal(odoo);
    const sold = Array.from({ length: 10 }, (_, i) => pos.terminal.commitSale(cashSale(pos, 10 + i, 1)));
    odoo.cutAfterProcessing(1, 'create_from_ui');
    expect(await pos.sync.sync()).toMatchObject({ status: 'offline', synced: 0 });
    expect(odoo.orders().length).toBe(10); // stored, but the terminal never heard
    expect(pos.outbox.list('pending').every((o) => o.uncertain)).toBe(true);
    await new Promise((r) => setTimeout(r, 250));
    const pushesBefore = odoo.requests().byMethod['pos.order.create_from_ui'] ?? 0;
    expect(await pos.sync.sync()).toMatchObject({ status: 'online', synced: 10 });
    // Found on the server by name: not sent again.
    expect(odoo.requests().byMethod['pos.order.create_from_ui'] ?? 0).toBe(pushesBefore);
    expect(names(odoo)).toEqual(sold.map((o) => o.name).sort());
  });

  it('takes Odoo’s empty answer as synced only once the order is found there', async () => {
    const odoo = await fake();
    const pos = await terminal(odoo);
    const sold = pos.terminal.commitSale(cashSale(pos, 10, 1));
    // Odoo already holds it (another terminal imported and synced it), but this one does not know.
    odoo.cutAfterProcessing(1, 'create_from_ui');
    await pos.sync.sync();
    pos.db.prepare('UPDATE outbox SET uncertain = 0, next_attempt_at = ? WHERE uid = ?').run(new Date(0).toISOString(), sold.uid);
    expect(await pos.sync.sync()).toMatchObject({ synced: 1 });
    expect(odoo.serverLog().some((l) => /already exists/.test(l))).toBe(true);
    expect(odoo.orders().length).toBe(1);
    expect(pos.outbox.get(sold.uid)).toMatchObject({ state: 'synced', serverId: odoo.orders()[0]!.id });
  });

  it('parks an order Odoo refuses, keeps the rest of the batch, and resends it once fixed', async () => {
    const odoo = await fake();
    const pos = await terminal(odoo);
    const good = [pos.terminal.commitSale(cashSale(pos, 10, 1)), pos.terminal.commitSale(cashSale(pos, 11, 1))];
    // An invoice requested without a customer: Odoo refuses it (and rolls back the whole batch).
    const bad = pos.terminal.commitSale({ ...cashSale(pos, 12, 1), toInvoice: true });
    const round = await pos.sync.sync();
    expect(round).toMatchObject({ status: 'online', synced: 2, parked: 1 });
    expect(pos.outbox.get(bad.uid)).toMatchObject({ state: 'parked', lastError: expect.stringMatching(/Odoo refused the order/) });
    expect(names(odoo)).toEqual(good.map((o) => o.name).sort());
    // Not retried blindly.
    const calls = odoo.requests().byMethod['pos.order.create_from_ui'];
    await pos.sync.sync();
    expect(odoo.requests().byMethod['pos.order.create_from_ui']).toBe(calls);
    // A person requeues it; Odoo refuses it again: parked again, never doubled.
    pos.outbox.requeue(bad.uid);
    expect(await pos.sync.sync()).toMatchObject({ parked: 1 });
    expect(odoo.orders().length).toBe(2);
  });

  it('parks an order Odoo left in draft (not fully paid)', async () => {
    const odoo = await fake();
    const pos = await terminal(odoo);
    const sale = cashSale(pos, 10, 1);
    // The terminal itself never records it (the price check wants it paid in full) …
    expect(() => pos.terminal.commitSale({ ...sale, payments: [{ paymentMethodId: 1, amount: 4 }], amountPaid: 4 })).toThrow(/not fully paid/);
    // … but an order may reach the outbox another way (a file from another terminal): made short here.
    const short = pos.terminal.commitSale(sale);
    const payload = JSON.parse(pos.outbox.get(short.uid)!.payload) as { data: { amount_paid: number; statement_ids: Array<[number, number, { amount: number }]> } };
    payload.data.amount_paid = 4;
    payload.data.statement_ids[0]![2].amount = 4;
    pos.db.prepare('UPDATE outbox SET payload = ? WHERE uid = ?').run(JSON.stringify(payload), short.uid);
    expect(await pos.sync.sync()).toMatchObject({ parked: 1, synced: 0 });
    expect(pos.outbox.get(short.uid)).toMatchObject({ state: 'parked', lastError: expect.stringMatching(/state "draft"/) });
    expect(odoo.orders()).toEqual([expect.objectContaining({ pos_reference: short.name, state: 'draft' })]);
  });

  it('sends orders for a closed session to a rescue session (17), and parks them without one (18)', async () => {
    const seventeen = await fake('17.0');
    const pos17 = await terminal(seventeen);
    const late17 = pos17.terminal.commitSale(cashSale(pos17, 10, 1));
    seventeen.closeSession(pos17.terminal.session()!.id);
    expect(await pos17.sync.sync()).toMatchObject({ synced: 1 });
    expect(seventeen.orders()[0]).toMatchObject({ pos_reference: late17.name, state: 'paid', session_name: expect.stringMatching(/RESCUE FOR/) });

    const eighteen = await fake('18.0');
    const pos18 = await terminal(eighteen);
    const late18 = pos18.terminal.commitSale(cashSale(pos18, 10, 1));
    eighteen.closeSession(pos18.terminal.session()!.id);
    expect(await pos18.sync.sync()).toMatchObject({ parked: 1 });
    expect(pos18.outbox.get(late18.uid)!.lastError).toMatch(/No open session/);
    // Once a session is open again, the parked order is sent as it was.
    eighteen.openSession(1);
    pos18.outbox.requeue(late18.uid);
    expect(await pos18.sync.sync()).toMatchObject({ synced: 1 });
    expect(eighteen.orders().map((o) => o.pos_reference)).toEqual([late18.name]);
  });

  it('refuses an Odoo version without an adapter, and a wrong login, with clear errors', async () => {
    const odoo = await fake();
    const dir = newPosDir();
    const pos = openPos(dir);
    cleanups.push(async () => {
      await pos.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    await expect(pos.terminal.pair({ url: odoo.url, database: odoo.db, login: 'admin', secret: 'wrong' })).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await expect(pos.terminal.pair({ url: 'http://127.0.0.1:1', database: 'x', login: 'a', secret: 'b' })).rejects.toMatchObject({ code: 'HOST_UNREACHABLE' });
    expect(pos.terminal.pairing()).toBeNull();
  });

  it('moves waiting orders to another terminal by file; Odoo still gets each once', async () => {
    const odoo = await fake();
    const first = await terminal(odoo);
    const sold = Array.from({ length: 5 }, (_, i) => first.terminal.commitSale(cashSale(first, 10 + i, 1)));
    // Two of them did reach Odoo before the first terminal died.
    await first.sync.sync();
    first.db.prepare("UPDATE outbox SET state = 'pending', uncertain = 0 WHERE uid IN (?, ?)").run(sold[0]!.uid, sold[1]!.uid);
    first.db.prepare("UPDATE outbox SET state = 'pending' WHERE state = 'synced'").run();
    const file = first.outbox.exportUnsynced();
    expect(file.orders.length).toBe(5);
    const second = await terminal(odoo);
    expect(second.outbox.importOrders(JSON.parse(JSON.stringify(file)))).toEqual({ imported: 5, known: 0 });
    expect(second.outbox.importOrders(file)).toEqual({ imported: 0, known: 5 });
    await second.sync.sync();
    expect(names(odoo)).toEqual(sold.map((o) => o.name).sort());
    expect(second.outbox.counts()).toMatchObject({ synced: 5, pending: 0 });
  });
});

describe('POS data for the selling UI', () => {
  it('serves the cached catalog, products by category, customers and cashier PINs through the contract', async () => {
    const odoo = await startFakeOdoo({ version: '17.0', configs: [{ cashControl: false, posHr: true }], data: { products: 300, partners: 40 } });
    cleanups.push(() => odoo.close());
    const pos = await terminal(odoo);
    const call = async (op: string, input: unknown) => {
      const result = await pos.dispatcher.invoke(op, input, { actor: 'test', role: 'admin', transport: 'internal' });
      if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
      return result.value as never;
    };
    const catalog: { series: string; models: Record<string, Array<{ id: number }>> } = await call('pos.catalog', {});
    expect(catalog.series).toBe('17');
    expect(Object.keys(catalog.models)).toEqual(expect.arrayContaining(['pos.category', 'account.tax', 'pos.payment.method', 'res.currency', 'hr.employee']));
    expect(catalog.models['product.product']).toBeUndefined();
    const category = catalog.models['pos.category']![0]!.id;
    const inCategory: Array<{ id: number; pos_categ_ids: number[] }> = await call('pos.products', { categoryId: category, limit: 500 });
    expect(inCategory.length).toBeGreaterThan(0);
    expect(inCategory.every((p) => p.pos_categ_ids.includes(category))).toBe(true);
    const all: Array<{ id: number }> = await call('pos.products', { limit: 500 });
    expect(all.length).toBeGreaterThan(inCategory.length);
    const byBarcode = pos.terminal.searchProducts(String((all[5] as { barcode?: string }).barcode ?? 'none'));
    if ((all[5] as { barcode?: string }).barcode) expect(byBarcode[0]!.productId).toBe(all[5]!.id);
    const partner = odoo.catalog.partners()[3] as { name: string };
    const found: Array<{ name: string }> = await call('pos.partners', { query: partner.name.slice(0, 6) });
    expect(found.map((p) => p.name)).toContain(partner.name);
    const employees = catalog.models['hr.employee'] as Array<{ id: number; name: string; has_pin?: boolean }>;
    // The UI learns who has a PIN, never the PIN's or badge's hash.
    expect(employees.every((e) => typeof e.has_pin === 'boolean' && !('pin' in e) && !('barcode' in e))).toBe(true);
    await expect(call('pos.cashierLogin', { employeeId: employees[0]!.id, pin: '9999' })).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await expect(call('pos.cashierLogin', { employeeId: employees[0]!.id, pin: '1234' })).resolves.toMatchObject({ name: employees[0]!.name, employeeId: employees[0]!.id });
    // A badge scanned (pos_hr loads its sha1 as the employee's barcode): the employee's PIN is still asked for.
    const pieter = employees.find((e) => e.name === 'Pieter Cashier')!;
    await expect(call('pos.cashierLogin', { badge: '0410000000017' })).rejects.toMatchObject({ code: 'VALIDATION', details: { needsPin: true, employeeId: pieter.id } });
    await expect(call('pos.cashierLogin', { badge: '0410000000017', pin: '1111' })).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await expect(call('pos.cashierLogin', { badge: '0410000000017', pin: '0000' })).resolves.toMatchObject({ name: 'Pieter Cashier', employeeId: pieter.id });
    await expect(call('pos.cashierLogin', { badge: '0410000000024' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // PINs and badges never reach the audit trail, wrong ones included.
    const audited = JSON.stringify(pos.db.prepare("SELECT input_json FROM audit WHERE operation = 'pos.cashierLogin'").all());
    expect(audited).toContain('[redacted]');
    expect(audited).not.toMatch(/9999|1234|1111|0410000000017/);
  });
});

describe('closing the POS session', () => {
  it('is refused while orders wait, then closes with the counted cash and an end-of-day report', async () => {
    const odoo = await fake();
    const pos = await terminal(odoo);
    // Product 8 sells at 10.37 with its tax: 20 in cash, 9.63 back; product 33 twice on the bank.
    const change = cashSale(pos, 8, 1, { tendered: 20 });
    expect(change).toMatchObject({ amountTotal: 10.37, amountPaid: 10.37, amountReturn: 9.63 });
    pos.terminal.commitSale(change);
    const onBank = pos.terminal.commitSale(cashSale(pos, 33, 2, { methodId: 2 }));
    await expect(pos.terminal.closeSession({ countedCash: 10.37 })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/2 order\(s\) still wait/) });
    expect(odoo.sessions().find((s) => s.id === pos.terminal.session()!.id)?.state).toBe('opened');
    await pos.sync.sync();
    const close = await pos.dispatcher.invoke('pos.closeSession', { countedCash: 10.37, notes: 'end of day' }, { actor: 'test', role: 'cashier', transport: 'internal' });
    if (!close.ok) throw new Error(close.error.message);
    const closed = close.value as { closed: boolean; report: { byPaymentMethod: Array<{ id: number; amount: number }> } };
    expect(closed).toMatchObject({ closed: true, report: { orders: 2, total: Math.round((10.37 + onBank.amountTotal) * 100) / 100 } });
    expect(closed.report.byPaymentMethod).toEqual(expect.arrayContaining([expect.objectContaining({ id: 1, amount: 10.37 }), expect.objectContaining({ id: 2, amount: onBank.amountTotal })]));
    const session = odoo.sessions().find((s) => s.id === 3)!;
    expect(session).toMatchObject({ state: 'closed', cash_register_balance_end_real: 10.37 });
    expect(pos.terminal.session()).toBeNull();
  });
});

describe('customers made offline', () => {
  for (const version of ['17.0', '18.0'] as const) {
    it(`are created once in Odoo before the orders that name them (Odoo ${version})`, async () => {
      const odoo = await fake(version);
      const pos = await terminal(odoo);
      await odoo.down('refuse');
      const customer = pos.terminal.createPartner({ name: 'Walk-in Wanda', email: 'wanda@example.com' });
      expect(customer.id).toBeLessThan(0);
      expect(pos.terminal.partners('wanda', 10)).toEqual([expect.objectContaining({ id: customer.id, name: 'Walk-in Wanda', pending: true })]);
      const sold = pos.terminal.commitSale({ ...cashSale(pos, 10, 1), partnerId: customer.id, toInvoice: true });
      const plain = pos.terminal.commitSale(cashSale(pos, 11, 1));
      expect(await pos.sync.sync()).toMatchObject({ status: 'offline' });
      await odoo.up();
      // Odoo creates the customer, then the connection is cut: it must not be created twice.
      odoo.cutAfterProcessing(1, version === '18.0' ? 'create' : 'create_from_ui');
      expect(await pos.sync.sync()).toMatchObject({ status: 'offline' });
      await new Promise((r) => setTimeout(r, 250));
      expect(await pos.sync.sync()).toMatchObject({ status: 'online', synced: 2 });
      const created = odoo.catalog.partners().filter((p) => p.name === 'Walk-in Wanda');
      expect(created.length).toBe(1);
      const order = odoo.orders().find((o) => o.pos_reference === sold.name)!;
      expect(order).toMatchObject({ partner_id: created[0]!.id, state: expect.stringMatching(/paid|invoiced/) });
      expect(odoo.orders().find((o) => o.pos_reference === plain.name)).toBeTruthy();
      // Later sales for that customer carry its real id from the start.
      const later = pos.terminal.commitSale({ ...cashSale(pos, 12, 1), partnerId: customer.id });
      expect(pos.outbox.get(later.uid)!.payload).toContain(`"partner_id":${String(created[0]!.id)}`);
    });
  }
});

describe('receipts', () => {
  it('prints a sale on the configured ESC/POS network printer, and says clearly when the printer is not there', async () => {
    const odoo = await fake();
    const pos = await terminal(odoo);
    // Product 8 twice: 18.04 and 2.71 of tax (rounded per line), 25 in cash, 4.25 back.
    const sale = cashSale(pos, 8, 2, { tendered: 25 });
    const order = pos.terminal.commitSale(sale);
    const received: Buffer[] = [];
    const printer = net.createServer((socket) => socket.on('data', (d: Buffer) => received.push(d)));
    await new Promise<void>((resolve) => printer.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => printer.close(() => resolve())));
    const port = (printer.address() as net.AddressInfo).port;
    const call = async (op: string, input: unknown, role: 'support' | 'admin' = 'support') => {
      const result = await pos.dispatcher.invoke(op, input, { actor: 'test', role, transport: 'internal' });
      if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
      return result.value as never;
    };
    const receipt: { orderName: string; total: number; change: number; lines: unknown[] } = await call('pos.receipt', { uid: order.uid, cashier: 'Ann' });
    expect(receipt).toMatchObject({ orderName: order.name, total: 20.75, change: 4.25, lines: [expect.objectContaining({ qty: 2, amount: 20.75 })] });
    await expect(call('pos.printReceipt', { uid: order.uid })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/No receipt printer is set/) });
    await call('pos.setReceiptPrinter', { printer: { host: '127.0.0.1', port } }, 'admin');
    const printed: { bytes: number; printer: string } = await call('pos.printReceipt', { uid: order.uid, cashier: 'Ann' });
    expect(printed.printer).toBe(`127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
    const bytes = Buffer.concat(received);
    expect(bytes.length).toBe(printed.bytes);
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1b, 0x40])); // initialize
    expect(bytes.subarray(-3)).toEqual(Buffer.from([0x1d, 0x56, 0x01])); // cut
    const text = bytes.toString('latin1');
    expect(text).toContain(order.name);
    expect(text).toMatch(/TOTAL\s+20\.75/);
    expect(text).toMatch(/CHANGE\s+4\.25/);
    // The page named 'Ann'; the receipt names who the terminal recorded (the sale's POS user).
    expect(text).toContain('Served by Mitchell Admin');
    expect(text).not.toContain('Ann');
    await call('pos.setReceiptPrinter', { printer: { host: '127.0.0.1', port: 1 } }, 'admin');
    await expect(call('pos.printReceipt', { uid: order.uid })).rejects.toMatchObject({ code: 'HOST_UNREACHABLE', message: expect.stringMatching(/printer at 127\.0\.0\.1:1 cannot be reached/) });
  });

  it('prints only where an admin set the printer: the page names no address, and the setting is validated', async () => {
    const pos = await terminal(await fake());
    const as = (role: 'support' | 'admin') => (op: string, input: unknown) => pos.dispatcher.invoke(op, input, { actor: 'test', role, transport: 'ws' });
    const order = pos.terminal.commitSale(cashSale(pos, 10, 1));
    // The old call shape, an address of the page's choosing, is refused before anything connects.
    expect(await as('admin')('pos.printReceipt', { uid: order.uid, host: '10.1.2.3', port: 22 })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await as('support')('pos.setReceiptPrinter', { printer: { host: '10.1.2.3', port: 9100 } })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await as('support')('pos.receiptPrinter', {})).toEqual({ ok: true, value: null });
    for (const bad of [{ host: 'printer; rm -rf /' }, { host: '999.1.1.1' }, { host: 'http://printer' }, { host: 'printer', port: 0 }, { host: 'printer', port: 65536 }, { host: 'printer', width: 40 }]) {
      expect(await as('admin')('pos.setReceiptPrinter', { printer: bad }), JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    for (const host of ['printer.shop.lan', '192.168.1.50', 'fe80::1']) {
      expect(await as('admin')('pos.setReceiptPrinter', { printer: { host, port: 9101, width: 48 } })).toEqual({ ok: true, value: { host, port: 9101, width: 48 } });
    }
    expect(await as('support')('pos.receiptPrinter', {})).toEqual({ ok: true, value: { host: 'fe80::1', port: 9101, width: 48 } });
    expect(pos.db.prepare("SELECT outcome FROM audit WHERE operation = 'pos.setReceiptPrinter'").all()).toContainEqual({ outcome: 'ok' });
    expect(await as('admin')('pos.setReceiptPrinter', { printer: null })).toEqual({ ok: true, value: null });
    expect(await as('support')('pos.printReceipt', { uid: order.uid })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('cash in and out', () => {
  it('is recorded offline and reaches Odoo once, even after a lost answer', async () => {
    const odoo = await fake();
    const pos = await terminal(odoo);
    await odoo.down('refuse');
    const call = async (op: string, input: unknown) => {
      const result = await pos.dispatcher.invoke(op, input, { actor: 'test', role: 'support', transport: 'internal' });
      if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
      return result.value as never;
    };
    const moved: { reason: string } = await call('pos.cashMove', { type: 'out', amount: 20, reason: 'Window cleaner' });
    expect(moved.reason).toMatch(/^Window cleaner \[[0-9a-f]{8}\]$/);
    await call('pos.cashMove', { type: 'in', amount: 50, reason: '' });
    await expect(call('pos.cashMove', { type: 'out', amount: -5 })).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await pos.sync.sync()).toMatchObject({ status: 'offline' });
    await odoo.up();
    odoo.cutAfterProcessing(1, 'try_cash_in_out'); // the first move reaches Odoo, its answer does not
    await pos.sync.sync();
    expect(odoo.requests().cut).toBe(1);
    await new Promise((r) => setTimeout(r, 250));
    await pos.sync.sync();
    const session = pos.terminal.session()!;
    const lines = await fetchStatementLines(odoo);
    expect(lines.map((l) => [l.amount, l.payment_ref])).toEqual([
      [-20, `${session.name}-out-${moved.reason}`],
      [50, expect.stringMatching(new RegExp(`^${session.name.replace('/', '\\/')}-in-Cash in \\[`))],
    ]);
  });
});

/** The statement lines as any Odoo client reads them. */
async function fetchStatementLines(odoo: FakeOdoo): Promise<Array<{ amount: number; payment_ref: string }>> {
  const body = { jsonrpc: '2.0', method: 'call', id: 1, params: { service: 'object', method: 'execute_kw', args: [odoo.db, odoo.admin.uid, odoo.admin.password, 'account.bank.statement.line', 'search_read', [[]], { fields: ['amount', 'payment_ref'] }] } };
  const reply = (await (await fetch(`${odoo.url}/jsonrpc`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).json()) as { result: Array<{ amount: number; payment_ref: string }> };
  return reply.result;
}

describe('review cases', () => {
  it('imports another terminal’s orders of the same session without losing any, and keeps selling', async () => {
    const odoo = await fake();
    const first = await terminal(odoo);
    await odoo.down('refuse');
    const customer = first.terminal.createPartner({ name: 'Imported Ivy' });
    const fromFirst = [first.terminal.commitSale(cashSale(first, 10, 1)), first.terminal.commitSale({ ...cashSale(first, 11, 1), partnerId: customer.id })];
    await odoo.up();
    const second = await terminal(odoo); // same session, its own login number
    expect(second.terminal.session()!.loginNumber).toBe(2);
    const own = [second.terminal.commitSale(cashSale(second, 12, 1)), second.terminal.commitSale(cashSale(second, 13, 1))];
    // The same sequence numbers (1, 2) under another login number: none of them is "already here".
    expect(second.outbox.importOrders(JSON.parse(JSON.stringify(first.outbox.exportUnsynced())))).toEqual({ imported: 2, known: 0 });
    own.push(second.terminal.commitSale(cashSale(second, 14, 1))); // selling goes on after the import
    await second.sync.sync();
    const names = odoo.orders().map((o) => o.pos_reference).sort();
    expect(names).toEqual([...fromFirst, ...own].map((o) => o.name).sort());
    const ivy = odoo.catalog.partners().filter((p) => p.name === 'Imported Ivy');
    expect(ivy.length).toBe(1);
    expect(odoo.orders().find((o) => o.pos_reference === fromFirst[1]!.name)?.partner_id).toBe(ivy[0]!.id);
  });

  it('parks a cash move Odoo refuses without stopping the orders, and closing waits for it', async () => {
    const odoo = await startFakeOdoo({ version: '17.0', configs: [{ cashControl: false, paymentMethodIds: [2] }] });
    cleanups.push(() => odoo.close());
    const pos = await terminal(odoo);
    const move = await pos.dispatcher.invoke('pos.cashMove', { type: 'out', amount: 5, reason: 'float' }, { actor: 't', role: 'support', transport: 'internal' });
    expect(move.ok).toBe(true);
    const sale = pos.terminal.commitSale(cashSale(pos, 10, 1, { methodId: 2 }));
    expect(await pos.sync.sync()).toMatchObject({ synced: 1 });
    expect(odoo.orders().map((o) => o.pos_reference)).toEqual([sale.name]);
    const status = await pos.dispatcher.invoke('pos.status', {}, { actor: 't', role: 'viewer', transport: 'internal' });
    expect(status.ok && status.value).toMatchObject({ cashMoves: { pending: 0, parked: 1 } });
    await expect(pos.terminal.closeSession({})).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/1 cash move/) });
  });

  it('after a send with no answer, only looks the orders up until Odoo can no longer be processing them', async () => {
    const odoo = await fake();
    const dir = newPosDir();
    const pos = await pairedTerminal(odoo, dir, { uncertainHoldMs: 1500 });
    cleanups.push(async () => {
      await pos.close().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    });
    pos.terminal.commitSale(cashSale(pos, 10, 1));
    // A gateway answers 503: whether Odoo behind it took the request is unknown.
    await odoo.down('http503');
    expect(await pos.sync.sync()).toMatchObject({ status: 'offline' });
    expect(pos.outbox.list('pending')[0]).toMatchObject({ uncertain: true });
    await odoo.up();
    const pushes = () => odoo.requests().byMethod['pos.order.create_from_ui'] ?? 0;
    pos.db.prepare('UPDATE outbox SET next_attempt_at = ?').run(new Date(0).toISOString());
    // Not found, and sent moments ago: looked up, not resent.
    expect(await pos.sync.sync()).toMatchObject({ synced: 0, deferred: 1 });
    expect(pushes()).toBe(0);
    await new Promise((r) => setTimeout(r, 1600));
    pos.db.prepare('UPDATE outbox SET next_attempt_at = ?').run(new Date(0).toISOString());
    expect(await pos.sync.sync()).toMatchObject({ synced: 1 });
    expect(pushes()).toBe(1);
    expect(odoo.orders().length).toBe(1);
  });
});

describe('selling from the UI', () => {
  it('a sale sent again (its answer lost) is the same order; the barcode rules are cached; Sync now skips the backoff', async () => {
    const odoo = await fake();
    const pos = await terminal(odoo);
    const ctx = { actor: 't', role: 'cashier' as const, transport: 'internal' as const };
    await pos.dispatcher.invoke('pos.cashierLogin', {}, ctx);
    const input = { sale: saleInputOf(cashSale(pos, 10, 1)) };
    const first = await pos.dispatcher.invoke('pos.sell', input, ctx);
    const again = await pos.dispatcher.invoke('pos.sell', input, ctx);
    expect(first).toMatchObject({ ok: true, value: { replayed: false } });
    const order = (first.ok ? first.value : {}) as { uid?: string; name?: string };
    expect(again).toMatchObject({ ok: true, value: { uid: order.uid, name: order.name, replayed: true } });
    expect(pos.outbox.list().length).toBe(1);

    const catalog = await pos.dispatcher.invoke('pos.catalog', {}, ctx);
    const models = (catalog.ok ? catalog.value : { models: {} }) as { models: Record<string, unknown[]> };
    expect(models.models['barcode.rule']?.length).toBeGreaterThan(0);
    expect(models.models['barcode.nomenclature']?.length).toBeGreaterThan(0);

    // Offline: the order backs off; once Odoo is back, Sync now sends it without waiting.
    await odoo.down('refuse');
    await pos.sync.sync();
    pos.db.prepare('UPDATE outbox SET next_attempt_at = ?').run(new Date(Date.now() + 3_600_000).toISOString());
    await odoo.up();
    const synced = await pos.dispatcher.invoke('pos.sync', {}, ctx);
    expect(synced.ok && synced.value).toMatchObject({ synced: 1 });
  });
});

// Found by hand against a real Odoo 17 (see README "By-hand run of Fleet POS with a real Odoo 17").
describe('what a real Odoo 17 showed', () => {
  for (const version of ['17.0', '18.0'] as const) {
    it(`records the pos_hr cashier of a sale as its employee (Odoo ${version})`, async () => {
      const odoo = await startFakeOdoo({ version, configs: [{ cashControl: false, posHr: true }] });
      cleanups.push(() => odoo.close());
      const pos = await terminal(odoo);
      const employee = pos.terminal.cached<{ id: number; name: string }>('hr.employee').find((e) => e.name === 'Marc Demo')!;
      const bySomeone = pos.terminal.commitSale({ ...cashSale(pos, 2, 1), employeeId: employee.id });
      const byTheUser = pos.terminal.commitSale(cashSale(pos, 3, 1));
      expect((await pos.sync.sync()).synced).toBe(2);
      const employeeOf = (name: string) => odoo.orders().find((o) => o.pos_reference === name)!.employee_id;
      expect(employeeOf(bySomeone.name)).toBe(employee.id);
      expect(employeeOf(byTheUser.name)).toBe(false);
      // Only a cashier of this terminal's data: any other id is refused at the sale.
      expect(() => pos.terminal.commitSale({ ...cashSale(pos, 2, 1), employeeId: 999 })).toThrow(/No cashier 999/);
    });
  }

  it('refuses a sale paid with an "Identify Customer" method and no customer (Odoo could not close the session)', async () => {
    const odoo = await fake();
    const pos = await terminal(odoo);
    const onAccount = cashSale(pos, 2, 1, { methodId: 3 });
    expect(() => pos.terminal.commitSale(onAccount)).toThrow(/Customer Account needs a customer/);
    expect(pos.outbox.counts().pending).toBe(0);
    const customer = odoo.catalog.partners()[0] as { id: number };
    expect(pos.terminal.commitSale({ ...onAccount, partnerId: customer.id }).name).toMatch(/^Order /);
  });

  it('opens a session with the cash Odoo expects (the last closing count) when none is counted', async () => {
    const odoo = await fake();
    const pos = await terminal(odoo);
    await pos.terminal.closeSession({ countedCash: 212.4 });
    expect(await pos.terminal.expectedOpeningCash()).toBe(212.4);
    const reopened = await pos.terminal.openSession();
    expect(await pos.terminal.expectedOpeningCash()).toBeNull();
    expect(odoo.sessions().find((s) => s.id === reopened.id)).toMatchObject({ state: 'opened', cash_register_balance_start: 212.4 });
  });

  it('says what to do when Odoo cannot make an invoiced order’s PDF (no wkhtmltopdf on the server)', async () => {
    const odoo = await fake();
    const pos = await terminal(odoo);
    const customer = odoo.catalog.partners()[0] as { id: number };
    const invoiced = pos.terminal.commitSale({ ...cashSale(pos, 2, 1), partnerId: customer.id, toInvoice: true });
    odoo.failNext('create_from_ui', 'Unable to find Wkhtmltopdf on this system. The PDF can not be created.');
    await pos.sync.sync();
    expect(pos.outbox.get(invoiced.uid)).toMatchObject({ state: 'parked', lastError: expect.stringMatching(/needs wkhtmltopdf to make invoices.*send the order again/) });
  });

  it('sends waiting orders in the order they were sold, whatever their backoffs', async () => {
    const odoo = await fake();
    const pos = await terminal(odoo);
    const first = pos.terminal.commitSale(cashSale(pos, 2, 1));
    pos.outbox.retryLater([first.uid], 'Odoo did not answer', new Date(Date.now() + 3_600_000), { uncertain: false });
    const second = pos.terminal.commitSale(cashSale(pos, 3, 1));
    expect(pos.outbox.due(new Date(), 10).map((o) => o.uid)).toEqual([first.uid, second.uid]);
    // Nothing due at all: nothing is sent early.
    const only = pos.outbox.due(new Date(), 10);
    pos.outbox.retryLater(only.map((o) => o.uid), 'Odoo did not answer', new Date(Date.now() + 3_600_000), { uncertain: false });
    expect(pos.outbox.due(new Date(), 10)).toEqual([]);
  });
});

describe('orders reach Odoo in the order they were sold', () => {
  /** The terminal's names of the orders Odoo holds, in the order Odoo stored (and named) them. */
  const arrival = (odoo: FakeOdoo) => [...odoo.orders()].sort((a, b) => a.id - b.id).map((o) => o.pos_reference);

  for (const version of ['17.0', '18.0'] as const) {
    it(`a sale waiting for its customer made at the till goes before the sales made after it (Odoo ${version})`, async () => {
      const odoo = await fake(version);
      const pos = await terminal(odoo);
      await odoo.down('refuse');
      const customer = pos.terminal.createPartner({ name: 'Walk-in Wanda' });
      const sold = [
        pos.terminal.commitSale({ ...cashSale(pos, 10, 1), partnerId: customer.id }),
        pos.terminal.commitSale(cashSale(pos, 11, 1)),
        pos.terminal.commitSale(cashSale(pos, 12, 1)),
      ];
      expect(await pos.sync.sync()).toMatchObject({ status: 'offline' });
      await odoo.up();
      expect(await pos.sync.sync()).toMatchObject({ status: 'online', synced: 3 });
      expect(arrival(odoo)).toEqual(sold.map((o) => o.name));
      // Odoo's own names follow the same order.
      const odooNames = [...odoo.orders()].sort((a, b) => a.id - b.id).map((o) => o.name);
      expect([...odooNames].sort()).toEqual(odooNames);
    });
  }

  it('a sale whose customer Odoo refused says so and no longer holds up the sales after it', async () => {
    const odoo = await fake();
    const pos = await terminal(odoo);
    const customer = pos.terminal.createPartner({ name: 'Refused Rita' });
    const held = pos.terminal.commitSale({ ...cashSale(pos, 10, 1), partnerId: customer.id });
    const later = pos.terminal.commitSale(cashSale(pos, 11, 1));
    odoo.failNext('res.partner.create_from_ui', 'The email address is not valid');
    expect(await pos.sync.sync()).toMatchObject({ synced: 1 });
    expect(arrival(odoo)).toEqual([later.name]);
    expect(pos.outbox.get(held.uid)).toMatchObject({ state: 'pending', attempts: 0, lastError: expect.stringMatching(/customer Refused Rita, whom Odoo refused: The email address is not valid/) });
  });

  it('a refund of a sale whose customer Odoo refused goes as a plain return and holds up nothing', async () => {
    const odoo = await fake();
    const pos = await terminal(odoo);
    const customer = pos.terminal.createPartner({ name: 'Refused Rita' });
    const sale = { ...cashSale(pos, 10, 1), partnerId: customer.id };
    const held = pos.terminal.commitSale(sale);
    const refund = cashSale(pos, 10, -1);
    refund.lines[0]!.refundedLineUuid = sale.lines[0]!.uuid;
    const refunded = pos.terminal.commitSale(refund);
    const later = pos.terminal.commitSale(cashSale(pos, 11, 1));
    odoo.failNext('res.partner.create_from_ui', 'The email address is not valid');
    expect(await pos.sync.sync()).toMatchObject({ status: 'online', synced: 2 });
    expect(arrival(odoo)).toEqual([refunded.name, later.name]);
    expect(odoo.orders().find((o) => o.pos_reference === refunded.name)!.lines[0]!.refunded_orderline_id).toBeFalsy();
    expect(pos.outbox.get(held.uid)).toMatchObject({ state: 'pending', lastError: expect.stringContaining('whom Odoo refused') });
  });

  it('sales made after one whose send is being checked wait for it, then follow it', async () => {
    const odoo = await fake();
    const dir = newPosDir();
    const pos = await pairedTerminal(odoo, dir, { uncertainHoldMs: 60_000 });
    cleanups.push(async () => {
      await pos.close().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const first = pos.terminal.commitSale(cashSale(pos, 10, 1));
    const second = pos.terminal.commitSale(cashSale(pos, 11, 1));
    // The first was sent without an answer (the terminal died mid-send) and Odoo never stored it.
    pos.outbox.markSending([first.uid]);
    const round = await pos.sync.syncOnce();
    expect(round.synced).toBe(0);
    expect(odoo.orders()).toEqual([]);
    expect(pos.outbox.get(second.uid)).toMatchObject({ state: 'pending', attempts: 0, lastError: expect.stringMatching(new RegExp(`^Waits behind ${first.name}, sold earlier`)) });
    // Once Odoo's time limit for the first send has passed, the first goes, then the second.
    pos.db.prepare('UPDATE outbox SET sent_at = ?, next_attempt_at = ? WHERE uid = ?').run(new Date(0).toISOString(), new Date(0).toISOString(), first.uid);
    expect(await pos.sync.sync()).toMatchObject({ status: 'online', synced: 2 });
    expect(arrival(odoo)).toEqual([first.name, second.name]);
  });
});
