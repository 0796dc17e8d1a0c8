// npm run bench:pos [-- --quick] [-- --json]
// Fleet POS against the fake Odoo 17 (in this process, on loopback), self-contained:
// - load: pairing, session, and `load_pos_data` of 50,000 products and 20,000 customers into the
//   terminal's SQLite cache (--quick: 5,000 and 2,000);
// - 1,000 product searches (name fragments, barcodes, internal references) through the contract;
// - 1,000 sales committed (`pos.sell`: named, payload frozen, fsynced) with Odoo down;
// - sync of 5,000 orders (--quick: 1,000) in batches, against the baseline of the same orders
//   pushed one per call;
// - the fake Odoo on its own, as every figure above includes it: one `load_pos_data` of the whole
//   catalogue, one `create_from_ui` of those 5,000 orders (--quick: 1,000), and the same call again
//   (every order known: nothing stored);
// - cold start of the selling UI in Chromium with Odoo down: from navigation to the app rendered.
// Goals: search p95 ≤ 10 ms, commit p95 ≤ 5 ms, offline start ≤ 1.5 s, batched sync ≥ 5× faster
// than one by one; the fake Odoo answers each of its three calls in well under 2 s (at full scale).
import fs from 'node:fs';
import path from 'node:path';
import { startPosWebServer } from '../electron/pos/pos-web-server.js';
import { startFakeOdoo } from '../tests/fixtures/fake-odoo/server.js';
import { launchChromium } from '../tests/support/browser.js';
import { cashSale, newPosDir, openPos, pairedTerminal, saleInputOf } from '../tests/support/pos-terminal.js';
import { percentile, quick, report, round, runBench } from './stats.js';

const PRODUCTS = quick ? 5_000 : 50_000;
const PARTNERS = quick ? 2_000 : 20_000;
const SEARCHES = 1_000;
const SALES = 1_000;
const SYNC_ORDERS = quick ? 1_000 : 5_000;
const POS_UI = path.resolve('dist/pos-shell');

const seconds = (ms: number) => round(ms / 1000, 2);

async function main() {
  // Progress on stderr as it happens; the figures (and with --json one line of them) at the end.
  const lines = { push: (line: string) => process.stderr.write(`${line}\n`) };
  const odoo = await startFakeOdoo({
    version: '17.0',
    data: { products: PRODUCTS, partners: PARTNERS },
    configs: [{ cashControl: false, limitedProductsLoading: false, limitedPartnersLoading: false }],
  });
  const dirs: string[] = [];
  try {
    // Load: pair, open, and cache everything.
    const dir = newPosDir();
    dirs.push(dir);
    let started = performance.now();
    const pos = await pairedTerminal(odoo, dir);
    const loadMs = performance.now() - started;
    const counts = pos.db.prepare("SELECT model, count FROM cache_loads WHERE model IN ('product.product', 'res.partner')").all() as Array<{ model: string; count: number }>;
    const loadedProducts = counts.find((c) => c.model === 'product.product')?.count ?? 0;
    const loadedPartners = counts.find((c) => c.model === 'res.partner')?.count ?? 0;
    lines.push(`load: ${loadedProducts} products, ${loadedPartners} customers paired, opened and cached in ${seconds(loadMs)} s`);

    // Searches through the contract (validation included), as the UI makes them.
    const products = odoo.catalog.products() as Array<{ display_name?: string; name?: string; barcode?: string | false; default_code?: string | false }>;
    const queries = Array.from({ length: SEARCHES }, (_, i) => {
      const p = products[(i * 7919) % products.length]!;
      const name = String(p.display_name ?? p.name ?? '');
      if (i % 3 === 0 && p.barcode) return p.barcode;
      if (i % 3 === 1 && p.default_code) return p.default_code;
      const start = (i * 13) % Math.max(1, name.length - 4);
      return name.slice(start, start + 4);
    });
    const ctx = { actor: 'bench', role: 'admin' as const, transport: 'internal' as const };
    const searchMs: number[] = [];
    let hits = 0;
    for (const query of queries) {
      const t = performance.now();
      const result = await pos.dispatcher.invoke('pos.searchProducts', { query, limit: 50 }, ctx);
      searchMs.push(performance.now() - t);
      if (result.ok && (result.value as unknown[]).length) hits++;
    }
    lines.push(`search: ${SEARCHES} queries, ${hits} with results, p50 ${round(percentile(searchMs, 50))} ms, p95 ${round(percentile(searchMs, 95))} ms`);

    // Sales committed with Odoo down (what a cashier waits for before "paid").
    await odoo.down('refuse');
    const commitMs: number[] = [];
    const till = { ...ctx, role: 'cashier' as const };
    await pos.dispatcher.invoke('pos.cashierLogin', {}, till);
    for (let i = 0; i < SALES; i++) {
      const sale = saleInputOf(cashSale(pos, 10 + (i % 50), 1 + (i % 3)));
      const t = performance.now();
      const result = await pos.dispatcher.invoke('pos.sell', { sale }, till);
      commitMs.push(performance.now() - t);
      if (!result.ok) throw new Error(`sale refused: ${result.error.message}`);
    }
    lines.push(`commit: ${SALES} sales, p50 ${round(percentile(commitMs, 50))} ms, p95 ${round(percentile(commitMs, 95))} ms`);
    await odoo.up();
    await pos.close();

    // Sync: the same number of orders, batched (ours) and one per call (baseline), each on its own terminal.
    const syncRun = async (batchSize: number) => {
      const runDir = newPosDir();
      dirs.push(runDir);
      const terminal = await pairedTerminal(odoo, runDir, { batchSize });
      for (let i = 0; i < SYNC_ORDERS; i++) terminal.terminal.commitSale(cashSale(terminal, 10 + (i % 50), 1));
      const t = performance.now();
      const round1 = await terminal.sync.sync();
      const ms = performance.now() - t;
      if (round1.synced !== SYNC_ORDERS) throw new Error(`synced ${round1.synced} of ${SYNC_ORDERS}: ${round1.error ?? ''}`);
      await terminal.close();
      return ms;
    };
    const syncMs = await syncRun(500);
    const naiveMs = await syncRun(1);
    lines.push(`sync: ${SYNC_ORDERS} orders in ${seconds(syncMs)} s batched vs ${seconds(naiveMs)} s one by one (${round(naiveMs / syncMs, 1)}× faster)`);

    // The fake Odoo on its own, over plain JSON-RPC: the orders are a terminal's own frozen payloads.
    const fakeDir = newPosDir();
    dirs.push(fakeDir);
    const feeder = await pairedTerminal(odoo, fakeDir);
    for (let i = 0; i < SYNC_ORDERS; i++) feeder.terminal.commitSale(cashSale(feeder, 10 + (i % 50), 1));
    const payloads = (feeder.db.prepare('SELECT payload FROM outbox ORDER BY sequence').all() as Array<{ payload: string }>).map((o) => JSON.parse(o.payload) as unknown);
    await feeder.close();
    const { sessionId } = odoo.openSession(1);
    const fakeCall = async <T>(model: string, method: string, args: unknown[]): Promise<T> => {
      const response = await fetch(`${odoo.url}/jsonrpc`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 1, params: { service: 'object', method: 'execute_kw', args: [odoo.db, odoo.admin.uid, odoo.admin.password, model, method, args, {}] } }),
      });
      const body = (await response.json()) as { result?: T; error?: { data?: { message?: string } } };
      if (body.error) throw new Error(`${model}.${method}: ${body.error.data?.message ?? JSON.stringify(body.error)}`);
      return body.result as T;
    };
    started = performance.now();
    const loaded = await fakeCall<Record<string, unknown[]>>('pos.session', 'load_pos_data', [[sessionId]]);
    const fakeLoadMs = performance.now() - started;
    if (loaded['product.product']?.length !== PRODUCTS || loaded['res.partner']?.length !== PARTNERS) {
      throw new Error(`load_pos_data gave ${loaded['product.product']?.length} products and ${loaded['res.partner']?.length} partners`);
    }
    started = performance.now();
    const pushed = await fakeCall<unknown[]>('pos.order', 'create_from_ui', [payloads, false]);
    const fakePushMs = performance.now() - started;
    if (pushed.length !== SYNC_ORDERS) throw new Error(`create_from_ui stored ${pushed.length} of ${SYNC_ORDERS} orders`);
    started = performance.now();
    const repushed = await fakeCall<unknown[]>('pos.order', 'create_from_ui', [payloads, false]);
    const fakeRepushMs = performance.now() - started;
    if (repushed.length !== 0) throw new Error(`create_from_ui stored ${repushed.length} known orders again`);
    lines.push(
      `fake Odoo: load_pos_data of ${PRODUCTS} products and ${PARTNERS} customers in ${round(fakeLoadMs, 0)} ms, create_from_ui of ${SYNC_ORDERS} orders in one call in ${round(fakePushMs, 0)} ms, the same call again (all known) in ${round(fakeRepushMs, 0)} ms`,
    );

    // Cold start of the selling UI with Odoo down: a fresh browser profile, the web server up.
    let offlineStartMs: number | null = null;
    const shell = path.join(POS_UI, 'index.html');
    if (fs.existsSync(shell)) {
      const uiPos = openPos(dir);
      const server = await startPosWebServer(uiPos, { staticDir: POS_UI, port: 0, actor: 'bench@pos', role: 'admin' });
      await odoo.down('refuse');
      const browser = await launchChromium();
      try {
        const samples: number[] = [];
        for (let i = 0; i < 3; i++) {
          const page = await (await browser.newContext()).newPage();
          started = performance.now();
          await page.goto(server.newLaunchUrl());
          // Ready: the app connected to the terminal's service and rendered its status bar (the
          // static "Starting…" placeholder in index.html does not count).
          await page.getByTestId('status-bar').waitFor({ timeout: 15_000 });
          samples.push(performance.now() - started);
          await page.context().close();
        }
        offlineStartMs = percentile(samples, 50);
        lines.push(`offline start: the selling UI rendered in ${round(offlineStartMs, 0)} ms (median of 3 cold starts, Odoo down)`);
      } finally {
        await browser.close();
        await server.close();
        await uiPos.close();
        await odoo.up();
      }
    } else {
      throw new Error('no built selling UI in dist/pos-shell (npm run build)');
    }

    report([], {
      products: loadedProducts,
      partners: loadedPartners,
      load_s: seconds(loadMs),
      search_p95_ms: round(percentile(searchMs, 95)),
      commit_p95_ms: round(percentile(commitMs, 95)),
      sync_orders: SYNC_ORDERS,
      sync_s: seconds(syncMs),
      naive_sync_s: seconds(naiveMs),
      fake_load_ms: round(fakeLoadMs, 0),
      fake_push_ms: round(fakePushMs, 0),
      fake_repush_ms: round(fakeRepushMs, 0),
      offline_start_ms: offlineStartMs === null ? null : round(offlineStartMs, 0),
    });
  } finally {
    await odoo.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

runBench('pos', main);
