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
// - the selling UI's start in Chromium with Odoo down, served by its service worker, against a
//   blank page of the same origin served the same way (measureStarts says exactly how), and the
//   first start of a fresh profile;
// - a week offline (pos-backlog.ts): the same terminal filled to 100,000 orders waiting (--quick:
//   5,000), then the commit time of sales at that depth, the offline start with them waiting, and
//   their sync once Odoo answers.
// Goals: search p95 ≤ 2 ms, commit p95 ≤ 5 ms, offline start ≤ 1.5× the blank page, batched sync
// ≥ 5× faster than one by one; the fake Odoo answers each of its three calls in well under 2 s
// (at full scale); at depth: commit p95 ≤ 5 ms, start ≤ 1.5× the blank page, sync ≥ 200 orders/s.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildPosServiceWorker } from '../scripts/pos-service-worker.js';
import { startFakeOdoo, type FakeOdoo } from '../tests/fixtures/fake-odoo/server.js';
import { launchChromium } from '../tests/support/browser.js';
import { cashSale, newPosDir, pairedTerminal, POS_PASSPHRASE, saleInputOf } from '../tests/support/pos-terminal.js';
import { freePort } from '../tests/support/pos-web.js';
import { BACKLOG_GOALS, backlogPhase } from './pos-backlog.js';
import { percentile, quick, report, round, runBench } from './stats.js';

const PRODUCTS = quick ? 5_000 : 50_000;
const PARTNERS = quick ? 2_000 : 20_000;
const SEARCHES = 1_000;
const SALES = 1_000;
const SYNC_ORDERS = quick ? 1_000 : 5_000;
const POS_UI = path.resolve('dist/pos-shell');
/** Runs of each start measured (the same number for the selling UI and the blank page). */
const START_RUNS = quick ? 5 : 7;
const BLANK_PAGE = 'bench-blank.html';

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

    // The selling UI's start with Odoo down, against a blank page in the same conditions.
    const starts = await measureStarts(dir, odoo);
    lines.push(`Chromium ${starts.chromium}, medians of ${START_RUNS} runs with Odoo down, each in a fresh profile:`);
    lines.push(`  first start (nothing cached, the service worker installs): ${round(starts.firstStartMs, 0)} ms`);
    lines.push(`  offline start served by the service worker: ${round(starts.offlineStartMs, 0)} ms, blank page the same way: ${round(starts.blankStartMs, 0)} ms (${round(starts.offlineStartMs / starts.blankStartMs, 2)}×)`);

    // A week offline: the same terminal with its backlog waiting, then Odoo back.
    const backlog = await backlogPhase(dir, odoo, measureStarts, (line) => lines.push(line));
    const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
    lines.push(`a week offline (${backlog.backlogOrders} orders waiting on one terminal):`);
    lines.push(`  commit p95 at that depth ${round(backlog.commitP95Ms)} ms (goal ≤ ${BACKLOG_GOALS.commitP95Ms} ms: ${met(backlog.commitP95Ms <= BACKLOG_GOALS.commitP95Ms)})`);
    lines.push(
      `  offline start with them waiting ${round(backlog.startVsBlank, 2)}× the blank page (goal ≤ ${BACKLOG_GOALS.startVsBlank}×: ${met(backlog.startVsBlank <= BACKLOG_GOALS.startVsBlank)}); ${round(backlog.startMs / starts.offlineStartMs, 2)}× the start with ${SALES} waiting above`,
    );
    lines.push(`  sync once Odoo answers ${round(backlog.syncOrdersPerS, 0)} orders/s (goal ≥ ${BACKLOG_GOALS.syncOrdersPerS}: ${met(backlog.syncOrdersPerS >= BACKLOG_GOALS.syncOrdersPerS)})`);

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
      offline_start_ms: round(starts.offlineStartMs, 0),
      blank_start_ms: round(starts.blankStartMs, 0),
      offline_start_vs_blank: round(starts.offlineStartMs / starts.blankStartMs, 2),
      first_start_ms: round(starts.firstStartMs, 0),
      chromium: starts.chromium,
      backlog_orders: backlog.backlogOrders,
      commit_p95_at_depth_ms: round(backlog.commitP95Ms),
      start_with_backlog_vs_blank: round(backlog.startVsBlank, 2),
      backlog_sync_orders_per_s: round(backlog.syncOrdersPerS, 0),
    });
  } finally {
    await odoo.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

interface StartFigures {
  chromium: string;
  /** A fresh profile's first start: the page from the web server, the service worker installing meanwhile. */
  firstStartMs: number;
  /** The selling UI served by the installed service worker, until its status bar shows the terminal's status. */
  offlineStartMs: number;
  /** A blank page of the same origin, served by the same service worker, until its text shows. */
  blankStartMs: number;
}

/**
 * Starts of the selling UI with Odoo down, in Chromium. Offline is Odoo down: the terminal's own
 * service and web server run on the same machine as the page (here its web mode, in its own
 * process). Each run takes a fresh profile (browser context) holding the page's session cookie:
 * the app loads from the web server while its service worker installs and takes control (the
 * first start, timed). Then, in that profile, the selling UI at `/` and a blank page (a
 * same-origin HTML page added to this copy of the UI, so that the rebuilt service worker precaches
 * it beside the app's files) are each loaded in a new tab, in alternating order, with the service
 * worker stopped first, as after the browser's own start: both pay its start and are served from
 * its cache, and both are timed from navigation until Playwright sees their element (the blank
 * page's text; the app's status bar, rendered only once the app is connected to the terminal's
 * service and has its status, its data and its cashier).
 */
async function measureStarts(dataDir: string, odoo: FakeOdoo): Promise<StartFigures> {
  if (!fs.existsSync(path.join(POS_UI, 'sw.js'))) throw new Error('no built selling UI in dist/pos-shell (npm run build)');
  const uiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-bench-pos-ui-'));
  fs.cpSync(POS_UI, uiDir, { recursive: true });
  fs.writeFileSync(path.join(uiDir, BLANK_PAGE), '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Blank</title></head><body><p data-testid="blank-page">Blank</p></body></html>\n');
  await buildPosServiceWorker(uiDir);
  await odoo.down('refuse');
  const terminal = await startWebMode(dataDir, uiDir);
  const browser = await launchChromium();
  try {
    // Signed in once: every profile gets that page's session cookie, as a browser keeps it.
    const signIn = await browser.newContext();
    await (await signIn.newPage()).goto(terminal.launchUrl);
    const cookies = await signIn.cookies();
    await signIn.close();
    const first: number[] = [];
    const app: number[] = [];
    const blank: number[] = [];
    for (let run = 0; run < START_RUNS; run++) {
      const context = await browser.newContext();
      try {
        await context.addCookies(cookies);
        first.push(await timeStart(context, `${terminal.origin}/`, 'status-bar', 'network'));
        const timeApp = async () => app.push(await timeStart(context, `${terminal.origin}/`, 'status-bar', 'service worker'));
        const timeBlank = async () => blank.push(await timeStart(context, `${terminal.origin}/${BLANK_PAGE}`, 'blank-page', 'service worker'));
        // Alternating which goes first: neither always inherits the other's warm caches.
        if (run % 2 === 0) await timeApp().then(timeBlank);
        else await timeBlank().then(timeApp);
      } finally {
        await context.close();
      }
    }
    return { chromium: browser.version(), firstStartMs: percentile(first, 50), offlineStartMs: percentile(app, 50), blankStartMs: percentile(blank, 50) };
  } finally {
    await browser.close();
    await terminal.stop();
    await odoo.up();
    fs.rmSync(uiDir, { recursive: true, force: true });
  }
}

/**
 * The terminal's web mode as a shop runs it (`npm run pos -- --web`: dist/node/serve-pos.mjs, its
 * sync and picture fetching in the background), in its own process on the bench's terminal folder
 * and the given copy of the UI; stopped with SIGTERM, as closeOnSignals expects.
 */
async function startWebMode(dataDir: string, uiDir: string): Promise<{ origin: string; launchUrl: string; stop(): Promise<void> }> {
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-bench-pos-key-'));
  const port = await freePort();
  const env = { ...process.env, FLEET_DATA_DIR: dataDir, FLEET_PASSPHRASE: POS_PASSPHRASE, FLEET_POS_UI_DIR: uiDir, FLEET_POS_KEY_FILE: path.join(keyDir, 'terminal.key') };
  const child = spawn(process.execPath, [path.resolve('dist/node/serve-pos.mjs'), '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    fs.rmSync(keyDir, { recursive: true, force: true });
  };
  try {
    const launchUrl = await new Promise<string>((resolve, reject) => {
      let printed = '';
      child.stdout.on('data', (chunk: Buffer) => {
        printed += chunk.toString();
        const url = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)\n/.exec(printed)?.[1];
        if (url) resolve(url);
      });
      void exited.then(() => reject(new Error(`the POS web mode exited before it listened: ${printed}`)));
    });
    return { origin: new URL(launchUrl).origin, launchUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

type BrowserContext = Awaited<ReturnType<Awaited<ReturnType<typeof launchChromium>>['newContext']>>;

/** One page load in a new tab of the profile, from navigation until the element shows; checks who served it. */
async function timeStart(context: BrowserContext, url: string, testId: string, servedBy: 'network' | 'service worker'): Promise<number> {
  const page = await context.newPage();
  try {
    if (servedBy === 'service worker') {
      const cdp = await context.newCDPSession(page);
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
    }
    const started = performance.now();
    const response = await page.goto(url);
    await page.getByTestId(testId).waitFor({ timeout: 15_000 });
    const ms = performance.now() - started;
    if ((response?.fromServiceWorker() ?? false) !== (servedBy === 'service worker')) throw new Error(`${url} was not served by the ${servedBy}`);
    // The first start leaves the profile with the service worker in control, as a terminal's browser has it.
    if (servedBy === 'network') await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    return ms;
  } finally {
    await page.close();
  }
}

runBench('pos', main);
