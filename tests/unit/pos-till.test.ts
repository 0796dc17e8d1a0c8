import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cashiers, delayAfter, FREE_FAILURES, LOCK_AFTER_FAILURES } from '../../electron/pos/cashiers.js';
import type { PosServices } from '../../electron/pos/pos-services.js';
import type { OperationName, Role } from '../../shared/contract.js';
import { OPEN_CART_MAX_BYTES, OPEN_CARTS_MAX } from '../../shared/pos.js';
import { contract } from '../../shared/contract.js';
import type { FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { cashSale, openPos, saleInputOf, startOdooAndTerminal, stopOdooAndTerminal } from '../support/pos-terminal.js';

// The till's promises, through the contract as the selling page reaches them: a sale's id stands
// for its content, open carts live on the terminal and close with their sale, sales belong to the
// cashier logged in there, and PINs cannot be guessed.

let odoo: FakeOdoo;
let pos: PosServices;
let dir: string;

/** The fake's pos_hr employees: Mitchell Admin is a POS manager (PIN 1234), Marc Demo a cashier (5678), Pieter Cashier too (0000, and a badge). */
const MANAGER = 1;
const MARC = 2;
const PIETER = 3;

const call = async (op: OperationName, input: unknown, role: Role = 'cashier') => pos.dispatcher.invoke(op, input, { actor: 'till@pos', role, transport: 'internal' });
const ok = async <T>(op: OperationName, input: unknown, role: Role = 'cashier'): Promise<T> => {
  const result = await call(op, input, role);
  if (!result.ok) throw Object.assign(new Error(`${op}: ${result.error.message}`), result.error);
  return result.value as T;
};
const cart = (saleUuid: string, note = 'x') => ({ uuid: saleUuid, lines: [{ productId: 10, qty: 1, note }] });

beforeAll(async () => {
  ({ odoo, dir, pos } = await startOdooAndTerminal({ version: '17.0', configs: [{ cashControl: false, posHr: true }] }));
});
afterAll(() => stopOdooAndTerminal({ odoo, dir, pos }));

describe('who sells is the terminal’s to say', () => {
  it('sells only with a cashier logged in, attributes the sale to them, and refuses a sale naming anyone', async () => {
    await ok('pos.cashierLogout', {});
    const sale = saleInputOf(cashSale(pos, 10, 1));
    expect(await call('pos.sell', { sale })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/No cashier is logged in/) } });
    await ok('pos.cashierLogin', { employeeId: MARC, pin: '5678' });
    expect(await ok('pos.cashier', {})).toMatchObject({ name: 'Marc Demo', employeeId: MARC, manager: false });
    // A forged cashier: the sale names another employee or user — refused whole, nothing stored.
    const before = pos.outbox.counts().pending;
    expect(await call('pos.sell', { sale: { ...sale, employeeId: MANAGER } })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await call('pos.sell', { sale: { ...sale, userId: 6 } })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(pos.outbox.counts().pending).toBe(before);
    const sold = await ok<{ uid: string }>('pos.sell', { sale });
    const payload = JSON.parse(pos.outbox.get(sold.uid)!.payload) as { data: { employee_id: number; user_id: number } };
    expect(payload.data).toMatchObject({ employee_id: MARC, user_id: 2 });
  });

  it('gives the selling page a cashier’s role: selling, and none of an admin’s operations', async () => {
    for (const op of ['pos.setReceiptPrinter', 'pos.importOrders', 'pos.exportOrders', 'vault.setup', 'audit.list', 'hosts.list'] as OperationName[]) {
      expect(contract[op].role, op).not.toBe('cashier');
      expect((await call(op, {})).ok, op).toBe(false);
    }
    expect(await call('pos.setReceiptPrinter', { printer: { host: '127.0.0.1', port: 9100, width: 42 } })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // Pairing a paired terminal again is an admin's; a fresh terminal is set up at its till.
    expect(await call('pos.pair', { url: odoo.url, database: odoo.db, login: odoo.admin.login, secret: odoo.admin.apiKey, configId: 1 })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await call('pos.unlockCashier', { employeeId: MARC })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('a sale’s id is a promise about its content', () => {
  it('gives the same sale sent again its order back, and refuses other content under a used id', async () => {
    await ok('pos.cashierLogin', { employeeId: PIETER, pin: '0000' });
    const first = saleInputOf(cashSale(pos, 10, 3));
    const stored = await ok<{ uid: string; name: string; replayed: boolean }>('pos.sell', { sale: first });
    expect(stored.replayed).toBe(false);
    // The same sale, its answer lost, sent again a moment later: the same order, said so.
    expect(await ok('pos.sell', { sale: { ...first, dateOrder: new Date(Date.now() + 5000).toISOString() } })).toEqual({ ...stored, replayed: true });
    // Another sale under that id (a second tab's stale cart): refused, and nothing is stored.
    const count = pos.outbox.list().length;
    const other = { ...saleInputOf(cashSale(pos, 11, 1)), uuid: first.uuid, accessToken: first.accessToken };
    expect(await call('pos.sell', { sale: other })).toMatchObject({ ok: false, error: { code: 'CONFLICT', details: { reason: 'sale-id-used', order: stored.name } } });
    expect(pos.outbox.list().length).toBe(count);
    // The receipt names what was stored: the first sale's total, not the other's.
    expect((await ok<{ total: number; orderName: string }>('pos.receipt', { uid: stored.uid })).total).toBe(first.amountTotal);
    expect(other.amountTotal).not.toBe(first.amountTotal);
  });
});

describe('a refund pays out only what was sold', () => {
  it('refuses a refund of a line the terminal never saw, at another price, or of more than is left', async () => {
    await ok('pos.cashierLogin', { employeeId: PIETER, pin: '0000' });
    const sold = cashSale(pos, 14, 2);
    await ok('pos.sell', { sale: saleInputOf(sold) });
    const refund = (changes: Record<string, unknown>, qty = -1) => {
      const back = saleInputOf(cashSale(pos, 14, qty));
      return { ...back, lines: [{ ...back.lines[0]!, ...changes }] };
    };
    const soldLine = sold.lines[0]!;
    expect(await call('pos.sell', { sale: refund({ refundedOrderlineId: 987_654 }) })).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/has not seen/) } });
    expect(await call('pos.sell', { sale: refund({ refundedLineUuid: soldLine.uuid, priceUnit: soldLine.priceUnit + 100 }) })).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { field: 'lines.0.priceUnit' } } });
    expect(await call('pos.sell', { sale: refund({ refundedLineUuid: soldLine.uuid }, -3) })).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { field: 'lines.0.qty' } } });
    // Two lines of one refund each giving back both units sold: the second finds nothing left.
    const twice = refund({ refundedLineUuid: soldLine.uuid }, -2);
    const doubled = { ...twice, lines: [twice.lines[0]!, { ...twice.lines[0]!, uuid: crypto.randomUUID() }] };
    expect(await call('pos.sell', { sale: doubled })).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { field: 'lines.1.qty' } } });
    expect(await call('pos.sell', { sale: refund({ refundedLineUuid: soldLine.uuid }) })).toMatchObject({ ok: true });
    // Once synced, what was given back still counts: by this terminal's ledger, then by Odoo's count.
    expect(await call('pos.sell', { sale: refund({ refundedLineUuid: soldLine.uuid }) })).toMatchObject({ ok: true });
    await pos.sync.sync();
    expect(pos.outbox.counts().pending).toBe(0);
    expect(await call('pos.sell', { sale: refund({ refundedLineUuid: soldLine.uuid }) })).toMatchObject({ ok: false, error: { details: { field: 'lines.0.qty' } } });
    const found = (await ok<Array<{ lines: Array<{ id: number; uuid: string | null }> }>>('pos.findOrders', { query: '' })).flatMap((o) => o.lines).find((l) => l.uuid === soldLine.uuid)!;
    expect(await call('pos.sell', { sale: refund({ refundedOrderlineId: found.id }) })).toMatchObject({ ok: false, error: { details: { field: 'lines.0.qty' } } });
    expect(await call('pos.sell', { sale: refund({ refundedLineUuid: soldLine.uuid }) })).toMatchObject({ ok: false, error: { details: { field: 'lines.0.qty' } } });
    // Another product against that line: refused too.
    const other = saleInputOf(cashSale(pos, 15, -1));
    expect(await call('pos.sell', { sale: { ...other, lines: [{ ...other.lines[0]!, refundedLineUuid: soldLine.uuid }] } })).toMatchObject({ ok: false, error: { details: { field: 'lines.0.productId' } } });
  });

  it('refuses a sale not paid in full, and change given on a card', async () => {
    const sale = saleInputOf(cashSale(pos, 16, 1));
    const short = { ...sale, payments: [{ paymentMethodId: 1, amount: 1 }], amountPaid: 1 };
    expect(await call('pos.sell', { sale: short })).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/not fully paid/) } });
    const methods = pos.terminal.cached<{ id: number; is_cash_count?: boolean }>('pos.payment.method');
    const card = methods.find((m) => !m.is_cash_count && m.id !== 1);
    if (!card) throw new Error('the fake has no card payment method');
    const change = 50;
    const carded = { ...sale, payments: [{ paymentMethodId: card.id, amount: sale.amountTotal + change }], amountPaid: sale.amountTotal, amountReturn: change };
    expect(await call('pos.sell', { sale: carded })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });
});

describe('open carts live on the terminal', () => {
  it('keeps carts by revision, closes a cart in the sale’s own transaction, and refuses it afterwards', async () => {
    const id = crypto.randomUUID();
    const saleUuid = crypto.randomUUID();
    expect(await ok('pos.saveCart', { id, saleUuid, baseRevision: 0, cart: cart(saleUuid) })).toEqual({ revision: 1 });
    expect(await ok('pos.saveCart', { id, saleUuid, baseRevision: 1, cart: cart(saleUuid, 'two') })).toEqual({ revision: 2 });
    // A page that saw revision 1 only (another tab) cannot overwrite revision 2.
    expect(await call('pos.saveCart', { id, saleUuid, baseRevision: 1, cart: cart(saleUuid, 'stale') })).toMatchObject({ ok: false, error: { code: 'CONFLICT', details: { revision: 2 } } });
    expect((await ok<Array<{ id: string; cart: { lines: Array<{ note: string }> } }>>('pos.carts', {})).find((c) => c.id === id)?.cart.lines[0]?.note).toBe('two');

    const sale = { ...saleInputOf(cashSale(pos, 10, 2)), uuid: saleUuid };
    const sold = await ok<{ name: string }>('pos.sell', { sale });
    expect((await ok<Array<{ id: string }>>('pos.carts', {})).some((c) => c.id === id)).toBe(false);
    // A write of that cart arriving late (a crashed page's last change, a stale tab) cannot bring it back.
    expect(await call('pos.saveCart', { id, saleUuid, baseRevision: 2, cart: cart(saleUuid) })).toMatchObject({ ok: false, error: { code: 'CONFLICT', details: { sold: sold.name } } });
    expect(await call('pos.saveCart', { id: crypto.randomUUID(), saleUuid, baseRevision: 0, cart: cart(saleUuid) })).toMatchObject({ ok: false, error: { code: 'CONFLICT', details: { sold: sold.name } } });
    expect((await ok<Array<{ id: string }>>('pos.carts', {})).some((c) => c.id === id)).toBe(false);
  });

  it('drops carts, and bounds how many and how large', async () => {
    for (const c of await ok<Array<{ id: string }>>('pos.carts', {})) await ok('pos.dropCart', { id: c.id });
    const ids = Array.from({ length: OPEN_CARTS_MAX }, () => crypto.randomUUID());
    for (const id of ids) await ok('pos.saveCart', { id, saleUuid: crypto.randomUUID(), baseRevision: 0, cart: { lines: [] } });
    expect(await call('pos.saveCart', { id: crypto.randomUUID(), saleUuid: crypto.randomUUID(), baseRevision: 0, cart: { lines: [] } })).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(new RegExp(`at most ${OPEN_CARTS_MAX} open carts`)) } });
    expect(await ok('pos.dropCart', { id: ids[0] })).toEqual({ dropped: true });
    expect(await ok('pos.dropCart', { id: ids[0] })).toEqual({ dropped: false });
    const big = { lines: [], pad: 'x'.repeat(OPEN_CART_MAX_BYTES) };
    expect(await call('pos.saveCart', { id: crypto.randomUUID(), saleUuid: crypto.randomUUID(), baseRevision: 0, cart: big })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    // A cart pages could not read back (its lines not lines of products), or nested without end: refused.
    expect(await call('pos.saveCart', { id: crypto.randomUUID(), saleUuid: crypto.randomUUID(), baseRevision: 0, cart: { lines: 'not an array' } })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    for (const id of ids.slice(1)) await ok('pos.dropCart', { id });
  });
});

describe('PINs resist guessing', () => {
  it('a run through every 4-digit PIN finds nothing: after three wrong ones each try waits, unheard', async () => {
    await ok('pos.cashierLogout', {});
    let found = 0;
    let refusedUnheard = 0;
    for (let n = 0; n < 10_000; n++) {
      const result = await call('pos.cashierLogin', { employeeId: MARC, pin: String(n).padStart(4, '0') });
      if (result.ok) found++;
      else if (result.error.code === 'RATE_LIMITED') refusedUnheard++;
    }
    expect(found).toBe(0);
    expect(refusedUnheard).toBeGreaterThan(9_900);
    expect(await call('pos.cashierLogin', { employeeId: MARC, pin: '5678' })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', details: { retryAfterMs: expect.any(Number) } } });
  });

  it('counts wrong PINs across restarts, locks after ten, and only a POS manager (or an admin) lifts it', async () => {
    let clock = Date.now() + 3_600_000;
    const open = (services: PosServices) =>
      new Cashiers(services.db, { employees: () => services.terminal.cached('hr.employee'), users: () => services.terminal.cached('res.users'), pairing: () => services.terminal.pairing(), sessionId: () => services.terminal.session()?.id ?? null, now: () => clock });
    let cashiers = open(pos);
    const attempt = (c: Cashiers, pin: string, employeeId = PIETER) => {
      try {
        return { ok: true, cashier: c.login({ employeeId, pin }) };
      } catch (error) {
        return { ok: false, code: (error as { code: string }).code, details: (error as { details?: Record<string, unknown> }).details };
      }
    };
    for (let i = 1; i <= LOCK_AFTER_FAILURES; i++) {
      if (i === 6) {
        // The terminal restarts midway (a power cut): the count goes on.
        await pos.close();
        pos = openPos(dir);
        cashiers = open(pos);
      }
      const wrong = attempt(cashiers, '9999');
      expect(wrong.code, `attempt ${i}`).toBe(i < LOCK_AFTER_FAILURES ? 'AUTH_FAILED' : 'LOCKED_OUT');
      if (i >= FREE_FAILURES && i < LOCK_AFTER_FAILURES) {
        // Asked again at once, even with the right PIN: refused without being heard.
        expect(attempt(cashiers, '0000').code).toBe('RATE_LIMITED');
        clock += delayAfter(i);
      }
    }
    clock += 3_600_000;
    expect(attempt(cashiers, '0000').code).toBe('LOCKED_OUT');
    expect(cashiers.locks()).toContainEqual(expect.objectContaining({ employeeId: PIETER, locked: true, failures: LOCK_AFTER_FAILURES }));
    // Not by a cashier, not by a manager with a wrong PIN; by a manager with theirs.
    expect(() => cashiers.unlock(PIETER, { manager: { employeeId: MARC, pin: '5678' } })).toThrow(/Only a POS manager/);
    expect(() => cashiers.unlock(PIETER, { manager: { employeeId: MANAGER, pin: '0001' } })).toThrow(/Wrong PIN/);
    expect(cashiers.unlock(PIETER, { manager: { employeeId: MANAGER, pin: '1234' } })).toEqual({ unlocked: 'Pieter Cashier' });
    expect(attempt(cashiers, '0000')).toMatchObject({ ok: true });
    // The manager's own wrong PIN was counted, then cleared by their right one.
    expect(cashiers.locks().some((l) => l.employeeId === MANAGER)).toBe(false);
  });

  it('when every manager is locked too, the terminal’s admin lifts a lock (its OS account: the CLI)', async () => {
    pos.db.prepare("INSERT OR REPLACE INTO login_failures (subject, failures, last_failure_at, locked_at) VALUES ('employee:1', 10, ?, ?), ('employee:3', 10, ?, ?)").run(...Array(4).fill(new Date().toISOString()));
    expect(await call('pos.unlockCashier', { employeeId: PIETER, manager: { employeeId: MANAGER, pin: '1234' } })).toMatchObject({ ok: false, error: { code: 'LOCKED_OUT' } });
    expect(await call('pos.unlockCashier', { employeeId: MANAGER })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ok('pos.unlockCashier', { employeeId: MANAGER }, 'admin')).toEqual({ unlocked: 'Mitchell Admin' });
    expect(await ok('pos.unlockCashier', { employeeId: PIETER, manager: { employeeId: MANAGER, pin: '1234' } })).toEqual({ unlocked: 'Pieter Cashier' });
    // PINs never reach the audit trail.
    const audited = JSON.stringify(pos.db.prepare("SELECT input_json FROM audit WHERE operation IN ('pos.cashierLogin', 'pos.unlockCashier')").all());
    expect(audited).not.toMatch(/"1234"|"5678"|"0000"/);
  });
});
