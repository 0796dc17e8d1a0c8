import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { POS_MIGRATIONS } from '../../electron/pos/pos-migrations.js';
import { migrate } from '../../electron/store/migrations.js';
import type { PosStatus } from '../../shared/pos.js';
import { startOdooAndTerminal, stopOdooAndTerminal, cashSale, openPos, type OdooAndTerminal } from '../support/pos-terminal.js';

// A week offline: when Odoo was first found out of reach is kept in the terminal's store (a
// restart does not make the outage new), the status bar's threshold is the terminal's setting,
// and the outbox's counts (kept by triggers) stay those of its rows through sales, syncs and parks.

const admin = { actor: 'test', role: 'admin' as const, transport: 'internal' as const };
const cashier = { ...admin, role: 'cashier' as const };

let setup: Partial<OdooAndTerminal> = {};
afterEach(async () => {
  await stopOdooAndTerminal(setup);
  setup = {};
});

async function status(pos: OdooAndTerminal['pos']): Promise<PosStatus> {
  const result = await pos.dispatcher.invoke('pos.status', {}, cashier);
  if (!result.ok) throw new Error(result.error.message);
  return result.value as PosStatus;
}

/** The outbox's own rows, counted the slow way. */
function countedRows(pos: OdooAndTerminal['pos']) {
  const rows = pos.db.prepare('SELECT state, count(*) AS n, total(amount_total) AS amount, max(synced_at) AS last FROM outbox GROUP BY state').all() as Array<{ state: string; n: number; amount: number; last: string | null }>;
  const of = (s: string) => rows.find((r) => r.state === s);
  return { pending: of('pending')?.n ?? 0, parked: of('parked')?.n ?? 0, synced: of('synced')?.n ?? 0, lastSyncedAt: of('synced')?.last ?? null, waitingAmount: (of('pending')?.amount ?? 0) + (of('parked')?.amount ?? 0) };
}

describe('Odoo out of reach', () => {
  it('keeps since when across a restart, and forgets it once Odoo answers', async () => {
    setup = await startOdooAndTerminal({ version: '17.0' });
    const { odoo, dir } = setup as OdooAndTerminal;
    let pos = setup.pos!;
    expect((await status(pos)).offline?.since).toBeNull();
    await odoo.down('refuse');
    pos.terminal.commitSale(cashSale(pos, 10, 2));
    const before = Date.now();
    await pos.sync.sync();
    const since = (await status(pos)).offline!.since!;
    expect(Date.parse(since)).toBeGreaterThanOrEqual(before - 1000);
    // Later failed rounds do not move it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    pos.outbox.dueNow();
    await pos.sync.sync();
    expect((await status(pos)).offline!.since).toBe(since);

    // A restart: the new process has run no round yet (idle), the outage goes on from the same moment.
    await pos.close();
    pos = setup.pos = openPos(dir);
    const restarted = await status(pos);
    expect(restarted.sync.status).toBe('idle');
    expect(restarted.offline).toMatchObject({ since, waitingOrders: 1 });
    await pos.sync.sync();
    expect((await status(pos)).offline!.since).toBe(since);

    await odoo.up();
    pos.outbox.dueNow();
    const round = await pos.sync.sync();
    expect(round.synced).toBe(1);
    expect((await status(pos)).offline).toMatchObject({ since: null, waitingOrders: 0, waitingAmount: 0 });
  });

  it("warns after the terminal's threshold: 24 hours by default, an admin's setting otherwise", async () => {
    setup = await startOdooAndTerminal({ version: '17.0' });
    const pos = setup.pos!;
    expect((await status(pos)).offline!.warnAfterHours).toBe(24);
    const set = await pos.dispatcher.invoke('pos.setOfflineWarning', { hours: 0.5 }, admin);
    expect(set).toMatchObject({ ok: true, value: { hours: 0.5 } });
    expect((await status(pos)).offline!.warnAfterHours).toBe(0.5);
    // Kept in the store: another process (the CLI) sees it.
    await pos.close();
    setup.pos = openPos(setup.dir!);
    expect((await status(setup.pos)).offline!.warnAfterHours).toBe(0.5);
    // A cashier cannot change it; nonsense is refused; 'default' puts 24 back.
    expect(await setup.pos.dispatcher.invoke('pos.setOfflineWarning', { hours: 1 }, cashier)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    for (const hours of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 9000, '2' as unknown as number]) {
      expect(await setup.pos.dispatcher.invoke('pos.setOfflineWarning', { hours }, admin)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    expect((await status(setup.pos)).offline!.warnAfterHours).toBe(0.5);
    expect(await setup.pos.dispatcher.invoke('pos.setOfflineWarning', { hours: null }, admin)).toMatchObject({ ok: true, value: { hours: 24 } });
  });

  it("keeps the outbox's counts and the waiting orders' total equal to its rows", async () => {
    setup = await startOdooAndTerminal({ version: '17.0' });
    const { odoo, pos } = setup as OdooAndTerminal;
    await odoo.down('refuse');
    for (let i = 0; i < 6; i++) pos.terminal.commitSale(cashSale(pos, 10 + i, 1 + i));
    const check = async () => {
      const rows = countedRows(pos);
      const { outbox, offline } = await status(pos);
      expect(outbox).toEqual({ pending: rows.pending, parked: rows.parked, synced: rows.synced, lastSyncedAt: rows.lastSyncedAt });
      expect(offline!.waitingOrders).toBe(rows.pending + rows.parked);
      expect(offline!.waitingAmount).toBeCloseTo(rows.waitingAmount, 9);
    };
    await check();
    expect(countedRows(pos).pending).toBe(6);
    await pos.sync.sync();
    await check();
    // One set aside (as a refusal parks it), the others synced, then it goes back in the queue and is synced too.
    const first = pos.outbox.list('pending', 10).at(-1)!;
    pos.outbox.park(first.uid, 'Refused by Odoo');
    await check();
    await odoo.up();
    pos.outbox.dueNow();
    await pos.sync.sync();
    await check();
    expect(countedRows(pos)).toMatchObject({ pending: 0, parked: 1, synced: 5 });
    pos.outbox.requeue(first.uid);
    await check();
    await pos.sync.sync();
    await check();
    expect(countedRows(pos)).toMatchObject({ pending: 0, parked: 0, synced: 6 });
  });

  it('counts the orders a store held before the tally existed', () => {
    const db = new Database(':memory:');
    migrate(db, POS_MIGRATIONS.filter((m) => m.version < 14));
    const insert = db.prepare("INSERT INTO outbox (uid, name, session_id, sequence, payload, amount_total, state, next_attempt_at, created_at, synced_at) VALUES (?, ?, 1, ?, '{}', ?, ?, '2026-12-01', '2026-12-01', ?)");
    [['pending', 10.5, null], ['pending', 2.25, null], ['parked', 1, null], ['synced', 7, '2026-12-02T10:00:00Z'], ['synced', 3, '2026-12-03T10:00:00Z']].forEach(([state, amount, syncedAt], i) => insert.run(`u${i}`, `Order ${i}`, i, amount, state, syncedAt));
    migrate(db, POS_MIGRATIONS);
    const tally = db.prepare('SELECT state, orders, amount, last_synced_at AS last FROM outbox_tally ORDER BY state').all();
    expect(tally).toEqual([
      { state: 'parked', orders: 1, amount: 1, last: null },
      { state: 'pending', orders: 2, amount: 12.75, last: null },
      { state: 'synced', orders: 2, amount: 10, last: '2026-12-03T10:00:00Z' },
    ]);
    db.close();
  });
});
