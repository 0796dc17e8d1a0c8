// npm run bench:ui [-- --quick] [-- --json]
// The web console in Chromium with 5,000 hosts and a host of 5,000 containers: time to the first
// rendered row, and long tasks (> 50 ms) while scrolling both tables end to end. The hosts are
// real rows in a real store served by the real web server; the container listing is synthetic
// (5,000 real containers would measure Docker, not the UI), injected at the dispatcher.
// The baseline, in the same run and browser: the same 5,000 host rows as a plain HTML table,
// a static page served by the same server from the same folder as the console's own files.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Container, HostOverview, HostView } from '../shared/hosts.js';
import { consoleHandlers } from '../electron/api/console-handlers.js';
import { Dispatcher } from '../electron/api/dispatcher.js';
import { silentLogger } from '../electron/common/log.js';
import { createConsoleServices } from '../electron/console-services.js';
import { startWebServer, type WebServer } from '../electron/api/web-server.js';
import { launchChromium, type Browser, type BrowserContext, type Page } from '../tests/support/browser.js';
import { percentile, quick, report, round, runBench } from './stats.js';

const ROWS = 5000;
/** Page loads of each kind (console, static page) for the first-render medians: cheap, and on a
 * busy machine the static page's few tens of ms swing a lot, so more than the scrolling runs. */
const RUNS = quick ? 5 : 9;
/** Of those console loads, how many then scroll both tables and open the host page. */
const SCROLL_RUNS = quick ? 1 : 3;
const UI_DIR = path.resolve('dist/renderer');
const STATIC_PAGE = 'bench-hosts-static.html';
/** A pause after each load, so what a page leaves running (a reply, a closing renderer) is not timed in the next. */
const SETTLE_MS = 1000;
const HOST_ROW = '[data-testid^="host-row-"]';

function seedHosts(db: ReturnType<typeof createConsoleServices>['db'], count: number): string[] {
  const insert = db.prepare(
    `INSERT INTO hosts (id, name, address, port, user, auth_kind, key_paths, docker_socket, host_key_type, host_key_fingerprint, created_at, updated_at)
     VALUES (?, ?, ?, 22, 'fleet', 'agent', '[]', '/var/run/docker.sock', 'ssh-ed25519', ?, ?, ?)`,
  );
  const ids: string[] = [];
  const now = new Date().toISOString();
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = crypto.randomUUID();
      ids.push(id);
      const fp = `SHA256:${crypto.createHash('sha256').update(id).digest('base64').replace(/=+$/, '')}`;
      insert.run(id, `host-${String(i).padStart(5, '0')}`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, fp, now, now);
    }
  })();
  return ids;
}

function syntheticOverview(hostId: string, count: number): HostOverview {
  const containers: Container[] = Array.from({ length: count }, (_, i) => ({
    id: crypto.createHash('sha256').update(`${hostId}-${i}`).digest('hex'),
    name: `tenant-${String(i).padStart(5, '0')}-odoo`,
    image: `odoo:${16 + (i % 3)}.0`,
    state: i % 7 === 0 ? 'exited' : 'running',
    status: i % 7 === 0 ? 'Exited (0) 2 hours ago' : 'Up 3 days',
    ports: [`8069/tcp`, `8072/tcp`],
    created: new Date(Date.now() - i * 60_000).toISOString(),
    labels: { 'fleet.tenant': `tenant-${i}`, 'fleet.host': hostId },
  }));
  return {
    hostId,
    docker: { version: '28.2.2', apiVersion: '1.50', os: 'Debian GNU/Linux 12', kernel: '6.1.0', cpus: 16, memoryBytes: 64 * 2 ** 30, containersRunning: count - Math.ceil(count / 7), containersTotal: count, images: 12, storageDriver: 'overlay2' },
    disk: { path: '/var/lib/docker', totalBytes: 2e12, usedBytes: 8e11, availableBytes: 1.2e12 },
    memory: { totalBytes: 64 * 2 ** 30, availableBytes: 40 * 2 ** 30 },
    containers,
    fetchedAt: new Date().toISOString(),
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The baseline: the host list's rows and columns (name, connection, user@address:port) as plain HTML. */
function staticHostsPage(hosts: readonly HostView[]): string {
  const rows = hosts.map(
    (h) => `<tr data-testid="host-row-${escapeHtml(h.name)}"><td>${escapeHtml(h.name)}</td><td>${h.connection.state}</td><td>${escapeHtml(`${h.user}@${h.address}:${h.port}`)}</td></tr>`,
  );
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Hosts (static baseline)</title></head>
<body>
<table data-testid="hosts-table" data-count="${hosts.length}">
<thead><tr><th>Host</th><th>Connection</th><th>Address</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</body>
</html>
`;
}

// Both run before any of the page's own scripts. The first host row is timed by a mutation
// observer on the page's own clock, the same way for the console and the static page.
const OBSERVE_PAGE = `
  window.__longTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
    .observe({ type: 'longtask', buffered: true });
  new MutationObserver((_, observer) => {
    if (!document.querySelector('${HOST_ROW}')) return;
    window.__firstRowAt = performance.now();
    observer.disconnect();
  }).observe(document, { childList: true, subtree: true });
`;

/** A fresh browser context (empty cache) holding a session cookie, so a page load is a plain GET. */
async function signedInContext(browser: Browser, server: WebServer): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const answer = await context.request.get(server.newLaunchUrl(), { maxRedirects: 0 });
  if (answer.status() !== 303) throw new Error(`the launch URL answered ${answer.status()}`);
  return context;
}

/** Navigation start → first host row in the DOM, in ms; checks the table holds every host. */
async function firstRowAt(context: BrowserContext, url: string) {
  const page = await context.newPage();
  await page.addInitScript(OBSERVE_PAGE);
  await page.goto(url);
  await page.waitForFunction(() => (window as { __firstRowAt?: number }).__firstRowAt !== undefined, undefined, { timeout: 30_000 });
  const ms = await page.evaluate(() => (window as unknown as { __firstRowAt: number }).__firstRowAt);
  const count = await page.getByTestId('hosts-table').getAttribute('data-count');
  if (Number(count) !== ROWS) throw new Error(`the host table at ${url} holds ${count} rows, expected ${ROWS}`);
  return { page, ms };
}

/** Scrolls a virtualized table top to bottom in wheel-sized steps, one per frame. */
const SCROLL_THROUGH = `async (testId) => {
  const el = document.querySelector('[data-testid="' + testId + '"]');
  window.__longTasks.length = 0;
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  for (let top = 0; top < el.scrollHeight - el.clientHeight; top += 400) { el.scrollTop = top; await frame(); }
  el.scrollTop = el.scrollHeight; await frame(); await frame();
  return { longTasks: window.__longTasks.filter((d) => d > 50).length, steps: Math.ceil(el.scrollHeight / 400) };
}`;

/** Scrolls the host list end to end, then opens the host with 5,000 containers and scrolls those. */
async function scrollBothTables(page: Page, hostId: string) {
  const hostScroll = (await page.evaluate(`(${SCROLL_THROUGH})('hosts-table')`)) as { longTasks: number };
  const started = await page.evaluate(() => performance.now());
  await page.evaluate((id) => (window.location.hash = `#/host/${encodeURIComponent(id)}`), hostId);
  await page.waitForSelector('[data-testid^="container-row-"]', { timeout: 30_000 });
  const containersMs = (await page.evaluate(() => performance.now())) - started;
  const rows = await page.getByTestId('containers-table').getAttribute('data-count');
  if (Number(rows) !== ROWS) throw new Error(`the container table holds ${rows} rows, expected ${ROWS}`);
  const containerScroll = (await page.evaluate(`(${SCROLL_THROUGH})('containers-table')`)) as { longTasks: number };
  return { hostLongTasks: hostScroll.longTasks, containersMs, containerLongTasks: containerScroll.longTasks };
}

/** The hosts as the console lists them (hosts.list, sorted by name like its host list), for the static page. */
async function listedHosts(dispatcher: Dispatcher): Promise<HostView[]> {
  const listed = await dispatcher.invoke('hosts.list', {}, { actor: 'bench', role: 'admin', transport: 'internal' });
  if (!listed.ok) throw new Error(`hosts.list failed: ${listed.error.message}`);
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  return (listed.value as HostView[]).sort((a, b) => collator.compare(a.name, b.name));
}

async function main() {
  if (!fs.existsSync(path.join(UI_DIR, 'index.html'))) throw new Error('dist/renderer is missing: run `npm run build` first');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-bench-ui-'));
  const services = createConsoleServices({ dataDir, passphrase: 'bench passphrase', kdf: { N: 2 ** 12, r: 8, p: 1 }, homeDir: dataDir, log: silentLogger });
  const ids = seedHosts(services.db, ROWS);
  const overview = syntheticOverview(ids[0]!, ROWS);
  const dispatcher = new Dispatcher({
    program: 'console',
    audit: services.audit,
    log: silentLogger,
    handlers: {
      ...consoleHandlers({ ...services, version: 'bench' }),
      'hosts.overview': () => ({ ...overview, fetchedAt: new Date().toISOString() }),
    },
  });
  // The console's built files and the static page side by side: one server, one folder, one path.
  const staticDir = path.join(dataDir, 'ui');
  fs.cpSync(UI_DIR, staticDir, { recursive: true });
  fs.writeFileSync(path.join(staticDir, STATIC_PAGE), staticHostsPage(await listedHosts(dispatcher)));
  const server = await startWebServer({ dispatcher, events: services.events, staticDir, context: { actor: 'bench', role: 'admin' }, log: silentLogger });
  const browser = await launchChromium();
  const firstRender: number[] = [];
  const staticRender: number[] = [];
  const containersRender: number[] = [];
  let hostScrollLongTasks = 0;
  let containerScrollLongTasks = 0;
  try {
    for (let run = 0; run < RUNS; run++) {
      // Each load in a fresh context (nothing cached); which goes first alternates.
      for (const kind of run % 2 === 0 ? (['static', 'console'] as const) : (['console', 'static'] as const)) {
        const context = await signedInContext(browser, server);
        const { page, ms } = await firstRowAt(context, kind === 'static' ? `${server.origin}/${STATIC_PAGE}` : `${server.origin}/`);
        (kind === 'static' ? staticRender : firstRender).push(ms);
        if (kind === 'console' && run < SCROLL_RUNS) {
          const scrolled = await scrollBothTables(page, ids[0]!);
          hostScrollLongTasks = Math.max(hostScrollLongTasks, scrolled.hostLongTasks);
          containerScrollLongTasks = Math.max(containerScrollLongTasks, scrolled.containerLongTasks);
          containersRender.push(scrolled.containersMs);
        }
        await context.close();
        await sleep(SETTLE_MS);
      }
    }
    const firstRenderMs = percentile(firstRender, 50);
    const staticRenderMs = percentile(staticRender, 50);
    const result = {
      rows: ROWS,
      runs: RUNS,
      chromium: browser.version(),
      first_render_ms: round(firstRenderMs, 1),
      static_render_ms: round(staticRenderMs, 1),
      first_render_vs_static: round(firstRenderMs / staticRenderMs, 2),
      containers_render_ms: round(percentile(containersRender, 50), 1),
      long_tasks_over_50ms: hostScrollLongTasks + containerScrollLongTasks,
      long_tasks_hosts_scroll: hostScrollLongTasks,
      long_tasks_containers_scroll: containerScrollLongTasks,
    };
    report(
      [
        `web console in Chromium ${result.chromium}, ${ROWS} hosts and ${ROWS} containers (first render: median of ${RUNS} loads each; scrolling: ${SCROLL_RUNS}):`,
        `  first render (navigation → first host row)    ${result.first_render_ms} ms`,
        `  static page of the same rows (the baseline)    ${result.static_render_ms} ms`,
        `  first render vs static page                    ${result.first_render_vs_static}×   (goal ≤ 1.5×)`,
        `  host page with ${ROWS} containers               ${result.containers_render_ms} ms`,
        `  long tasks > 50 ms while scrolling            ${result.long_tasks_over_50ms}       (goal 0)`,
      ],
      result,
    );
  } finally {
    await browser.close();
    await server.close();
    await services.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

runBench('ui', main);
