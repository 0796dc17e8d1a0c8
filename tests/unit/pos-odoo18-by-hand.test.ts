import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { PosServices } from '../../electron/pos/pos-services.js';
import { startFakeOdoo, type FakeOdoo, type FakeOdooOptions } from '../fixtures/fake-odoo/server.js';
import { newPosDir, openPos } from '../support/pos-terminal.js';

// What the by-hand run against a real Odoo 18.0 showed (docs/real-odoo-runs.md), against the fake
// 18 that now does what that server did: pos_hr's PINs and badges come as `_pin` and `_barcode`,
// try_cash_in_out has no partner argument there (later 18.0 builds add one), and the opening
// count's difference is only noted on the session.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

type Call = (op: string, input: unknown, role?: 'cashier' | 'admin') => Promise<never>;

async function paired18(options: FakeOdooOptions = {}): Promise<{ odoo: FakeOdoo; pos: PosServices; call: Call }> {
  const odoo = await startFakeOdoo({ version: '18.0', configs: [{ cashControl: true, posHr: true }], ...options });
  const dir = newPosDir();
  const pos = openPos(dir);
  cleanups.push(async () => {
    await pos.close().catch(() => {});
    await odoo.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await pos.terminal.pair({ url: odoo.url, database: odoo.db, login: odoo.admin.login, secret: odoo.admin.apiKey, configId: 1 });
  const call: Call = async (op, input, role = 'cashier') => {
    const result = await pos.dispatcher.invoke(op, input, { actor: 'test', role, transport: 'internal' });
    if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
    return result.value as never;
  };
  return { odoo, pos, call };
}

/** The fake's pos_hr employees: Marc Demo (PIN 5678), Pieter Cashier (PIN 0000 and a badge). */
const MARC = 2;
const PIETER = 3;

describe('pos_hr on Odoo 18', () => {
  it('asks a cashier with a PIN for it: 18 loads the PIN and badge hashes as _pin and _barcode', async () => {
    const { pos, call } = await paired18();
    await call('pos.openSession', {});
    await call('pos.refresh', {});
    expect(pos.terminal.cached<Record<string, unknown>>('hr.employee').find((e) => e.id === MARC)).toMatchObject({ pin: expect.stringMatching(/^[0-9a-f]{40}$/) });
    // The page learns only that there is a PIN, never its hash.
    const page = pos.terminal.catalog().models['hr.employee'] as Array<Record<string, unknown>>;
    expect(page.find((e) => e.id === MARC)).toMatchObject({ has_pin: true });
    expect(page.every((e) => e.pin === undefined && e._pin === undefined && e.barcode === undefined && e._barcode === undefined)).toBe(true);

    await expect(call('pos.cashierLogin', { employeeId: MARC })).rejects.toMatchObject({ code: 'AUTH_FAILED', message: expect.stringMatching(/Wrong PIN/) });
    await expect(call('pos.cashierLogin', { employeeId: MARC, pin: '1111' })).rejects.toMatchObject({ message: expect.stringMatching(/Wrong PIN/) });
    expect(await call('pos.cashierLogin', { employeeId: MARC, pin: '5678' })).toMatchObject({ name: 'Marc Demo', employeeId: MARC });
    // A badge finds its employee, who still types the PIN.
    await expect(call('pos.cashierLogin', { badge: '0410000000017' })).rejects.toMatchObject({ details: { employeeId: PIETER, needsPin: true } });
    expect(await call('pos.cashierLogin', { badge: '0410000000017', pin: '0000' })).toMatchObject({ name: 'Pieter Cashier' });
  });
});

describe('cash in and out on Odoo 18', () => {
  for (const cashInOutPartner of [false, true]) {
    it(`reaches Odoo once, whichever try_cash_in_out the build has (${cashInOutPartner ? 'a partner before the extras' : 'no partner, as the 18.0 run by hand'})`, async () => {
      const { odoo, pos, call } = await paired18({ cashInOutPartner });
      await call('pos.openSession', {});
      await call('pos.refresh', {});
      const session = pos.terminal.session()!;
      const moveIn: { reason: string } = await call('pos.cashMove', { type: 'in', amount: 50, reason: 'Change float from the safe' });
      const moveOut: { reason: string } = await call('pos.cashMove', { type: 'out', amount: 12.4, reason: 'Window cleaner' });
      await pos.sync.sync();
      expect(odoo.statementLines().filter((l) => l.pos_session_id[0] === session.id).map((l) => [l.amount, l.payment_ref])).toEqual([
        [50, `${session.name}-in-${moveIn.reason}`],
        [-12.4, `${session.name}-out-${moveOut.reason}`],
      ]);
      const status: { cashMoves: { pending: number; parked: number } } = await call('pos.status', {});
      expect(status.cashMoves).toEqual({ pending: 0, parked: 0 });
      // Two moves, and only the first one of a build with a partner was tried in the other shape.
      expect(odoo.requests().byMethod['pos.session.try_cash_in_out']).toBe(cashInOutPartner ? 3 : 2);
    });
  }
});

describe('a cash move Odoo refuses', () => {
  it('is counted by pos.status and listed by pos.parkedRecords with Odoo\'s reason until sent again, then recorded once', async () => {
    const { odoo, pos, call } = await paired18();
    await call('pos.openSession', {});
    await call('pos.refresh', {});
    odoo.failNext('try_cash_in_out', 'The session is being closed');
    const move: { uid: string; reason: string } = await call('pos.cashMove', { type: 'out', amount: 3, reason: 'Stamps' });
    await pos.sync.sync();
    const parked: { cashMoves: unknown } = await call('pos.status', {});
    expect(parked.cashMoves).toEqual({ pending: 0, parked: 1 });
    expect(await call('pos.parkedRecords', {})).toEqual([{ kind: 'cashMove', uid: move.uid, label: `Cash out: ${move.reason}`, amount: -3, lastError: 'Odoo refused the cash move: The session is being closed' }]);
    await call('pos.requeue', { uid: move.uid });
    await pos.sync.sync();
    const after: { cashMoves: unknown } = await call('pos.status', {});
    expect(after.cashMoves).toEqual({ pending: 0, parked: 0 });
    expect(await call('pos.parkedRecords', {})).toEqual([]);
    expect(odoo.statementLines().map((l) => l.amount)).toEqual([-3]);
  });
});

describe('the opening count on Odoo 18', () => {
  it('says a difference is noted on the session (18 books no statement line), and still wants a note', async () => {
    const { odoo, pos, call } = await paired18({ configs: [{ cashControl: true }] });
    const expected: { amount: number; booksDifference: boolean } = await call('pos.expectedOpeningCash', {});
    expect(expected.booksDifference).toBe(false);
    await expect(call('pos.openSession', { openingCash: expected.amount + 5 })).rejects.toMatchObject({ details: { field: 'notes' }, message: expect.stringMatching(/which Odoo notes on the session\./) });
    await call('pos.openSession', { openingCash: expected.amount + 5, notes: 'Float topped up' });
    const session = odoo.sessions().find((s) => s.id === pos.terminal.session()!.id)!;
    expect(session).toMatchObject({ state: 'opened', cash_register_balance_start: expected.amount + 5, opening_notes: 'Float topped up' });
    expect(odoo.statementLines().filter((l) => l.pos_session_id[0] === session.id)).toEqual([]);
  });
});
