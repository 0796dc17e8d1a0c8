// bench:pos's "week offline" phase: one terminal's outbox filled to a backlog of orders waiting
// (Odoo down), then, at that depth: the commit time of further sales, the selling page's offline
// start (against the same run's blank page), and the sync rate once Odoo answers again.
import type { FakeOdoo } from '../tests/fixtures/fake-odoo/server.js';
import { cashSale, openPos, saleInputOf } from '../tests/support/pos-terminal.js';
import { percentile, quick, round } from './stats.js';

/** Orders waiting on the terminal (--quick: 5,000). */
const BACKLOG_ORDERS = quick ? 5_000 : 100_000;
/** Sales timed at that depth. */
const SALES_AT_DEPTH = 200;
/** Sales committed per transaction while filling: one fsync each instead of one per sale. */
const FILL_CHUNK = 500;

export const BACKLOG_GOALS = { commitP95Ms: 5, startVsBlank: 1.5, syncOrdersPerS: 200 };

export interface BacklogFigures {
  backlogOrders: number;
  fillS: number;
  commitP95Ms: number;
  commitP50Ms: number;
  startMs: number;
  blankStartMs: number;
  startVsBlank: number;
  syncedOrders: number;
  syncS: number;
  syncOrdersPerS: number;
}

type Starts = (dataDir: string, odoo: FakeOdoo) => Promise<{ offlineStartMs: number; blankStartMs: number }>;

/**
 * On the terminal folder `dir` (paired, session open, a cashier logged in, closed by the caller),
 * with `measureStarts` the bench's own start measurement. Odoo is down from the fill until the sync.
 */
export async function backlogPhase(dir: string, odoo: FakeOdoo, measureStarts: Starts, progress: (line: string) => void): Promise<BacklogFigures> {
  await odoo.down('refuse');
  const fill = await fillAndCommit(dir);
  progress(`backlog: ${fill.backlogOrders} orders waiting (filled in ${round(fill.fillS, 1)} s); ${SALES_AT_DEPTH} sales at that depth: p50 ${round(fill.commitP50Ms)} ms, p95 ${round(fill.commitP95Ms)} ms`);
  const starts = await measureStarts(dir, odoo); // leaves Odoo up
  progress(`backlog: offline start with them waiting ${round(starts.offlineStartMs, 0)} ms, blank page ${round(starts.blankStartMs, 0)} ms (${round(starts.offlineStartMs / starts.blankStartMs, 2)}×)`);
  const sync = await syncBacklog(dir, odoo);
  progress(`backlog: ${sync.syncedOrders} orders synced once Odoo answers in ${round(sync.syncS, 1)} s (${round(sync.syncOrdersPerS, 0)} orders/s)`);
  return { ...fill, startMs: starts.offlineStartMs, blankStartMs: starts.blankStartMs, startVsBlank: starts.offlineStartMs / starts.blankStartMs, ...sync };
}

/**
 * Fills the outbox to BACKLOG_ORDERS pending orders through the terminal's own commit path
 * (PosTerminal.commitSale: the price check, the frozen payload, Outbox.commit), FILL_CHUNK sales
 * per transaction; then times SALES_AT_DEPTH sales through `pos.sell`, as the selling page makes them.
 */
async function fillAndCommit(dir: string): Promise<Pick<BacklogFigures, 'backlogOrders' | 'fillS' | 'commitP50Ms' | 'commitP95Ms'>> {
  const pos = openPos(dir);
  try {
    const started = performance.now();
    let pending = pos.outbox.counts().pending;
    let i = 0;
    while (pending < BACKLOG_ORDERS) {
      const chunk = Math.min(FILL_CHUNK, BACKLOG_ORDERS - pending);
      // Each sale its own cart (its own uuids), as the selling page rings them up.
      const sales = Array.from({ length: chunk }, () => cashSale(pos, 10 + (i++ % 50), 1 + (i % 3)));
      pos.db.transaction(() => sales.forEach((sale) => pos.terminal.commitSale(sale)))();
      pending += chunk;
    }
    const fillS = (performance.now() - started) / 1000;
    const backlogOrders = pos.outbox.counts().pending;
    const till = { actor: 'bench', role: 'cashier' as const, transport: 'internal' as const };
    const commitMs: number[] = [];
    for (let n = 0; n < SALES_AT_DEPTH; n++) {
      const sale = saleInputOf(cashSale(pos, 10 + (n % 50), 1 + (n % 3)));
      const t = performance.now();
      const result = await pos.dispatcher.invoke('pos.sell', { sale }, till);
      commitMs.push(performance.now() - t);
      if (!result.ok) throw new Error(`sale refused at depth: ${result.error.message}`);
    }
    return { backlogOrders, fillS, commitP50Ms: percentile(commitMs, 50), commitP95Ms: percentile(commitMs, 95) };
  } finally {
    await pos.close();
  }
}

/** Odoo back: one sync (the engine's own batches) until nothing waits; the fake must hold each order once. */
async function syncBacklog(dir: string, odoo: FakeOdoo): Promise<Pick<BacklogFigures, 'syncedOrders' | 'syncS' | 'syncOrdersPerS'>> {
  const pos = openPos(dir);
  try {
    const waiting = pos.db.prepare("SELECT name FROM outbox WHERE state = 'pending'").pluck().all() as string[];
    const started = performance.now();
    const result = await pos.sync.sync();
    const syncS = (performance.now() - started) / 1000;
    const left = pos.outbox.counts().pending;
    if (left !== 0 || result.synced !== waiting.length) throw new Error(`the backlog's sync left ${left} of ${waiting.length} orders pending (${result.synced} synced): ${result.error ?? ''}`);
    const held = new Map<string, number>();
    for (const { pos_reference: name } of odoo.orders()) if (name) held.set(name, (held.get(name) ?? 0) + 1);
    const wrong = waiting.filter((name) => held.get(name) !== 1);
    if (wrong.length) throw new Error(`the fake Odoo does not hold ${wrong.length} backlog orders exactly once (e.g. ${wrong[0]}: ${held.get(wrong[0]!) ?? 0})`);
    return { syncedOrders: waiting.length, syncS, syncOrdersPerS: waiting.length / syncS };
  } finally {
    await pos.close();
  }
}
