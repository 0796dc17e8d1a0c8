import { afterEach, describe, expect, it } from 'vitest';
import type { FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { startOdooAndTerminal, stopOdooAndTerminal, type OdooAndTerminal } from '../support/pos-terminal.js';

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
