// npm run bench:ui [-- --quick] [-- --json]
// The web console in Chromium with 5,000 hosts and a host of 5,000 containers: time to the first
// rendered row, and long tasks (> 50 ms) while scrolling both tables end to end. The hosts are
// real rows in a real store served by the real web server; the container listing is synthetic
// (5,000 real containers would measure Docker, not the UI), injected at the dispatcher.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Container, HostOverview } from '../shared/hosts.js';
import { consoleHandlers } from '../electron/api/console-handlers.js';
import { Dispatcher } from '../electron/api/dispatcher.js';
import { silentLogger } from '../electron/common/log.js';
import { createConsoleServices } from '../electron/console-services.js';
import { startWebServer } from '../electron/api/web-server.js';
import { launchChromium } from '../tests/support/browser.js';
import { percentile, quick, report, round, runBench } from './stats.js';

const ROWS = 5000;
const RUNS = quick ? 1 : 3;
const UI_DIR = path.resolve('dist/renderer');

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

const OBSERVE_LONG_TASKS = `
  window.__longTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
    .observe({ type: 'longtask', buffered: true });
`;

/** Scrolls a virtualized table top to bottom in wheel-sized steps, one per frame. */
const SCROLL_THROUGH = `async (testId) => {
  const el = document.querySelector('[data-testid="' + testId + '"]');
  window.__longTasks.length = 0;
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  for (let top = 0; top < el.scrollHeight - el.clientHeight; top += 400) { el.scrollTop = top; await frame(); }
  el.scrollTop = el.scrollHeight; await frame(); await frame();
  return { longTasks: window.__longTasks.filter((d) => d > 50).length, steps: Math.ceil(el.scrollHeight / 400) };
}`;

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
  const server = await startWebServer({ dispatcher, events: services.events, staticDir: UI_DIR, context: { actor: 'bench', role: 'admin' }, log: silentLogger });
  const browser = await launchChromium();
  const firstRender: number[] = [];
  const containersRender: number[] = [];
  let hostScrollLongTasks = 0;
  let containerScrollLongTasks = 0;
  try {
    for (let run = 0; run < RUNS; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.addInitScript(OBSERVE_LONG_TASKS);
      await page.goto(run === 0 ? server.launchUrl : server.newLaunchUrl());
      // First render: navigation start → first host row in the DOM (the page's own clock).
      await page.waitForSelector('[data-testid^="host-row-"]', { timeout: 30_000 });
      firstRender.push(await page.evaluate(() => performance.now()));
      const count = await page.getByTestId('hosts-table').getAttribute('data-count');
      if (Number(count) !== ROWS) throw new Error(`the host table holds ${count} rows, expected ${ROWS}`);
      const hostScroll = (await page.evaluate(`(${SCROLL_THROUGH})('hosts-table')`)) as { longTasks: number };
      hostScrollLongTasks = Math.max(hostScrollLongTasks, hostScroll.longTasks);

      const started = await page.evaluate(() => performance.now());
      await page.evaluate((id) => (window.location.hash = `#/host/${encodeURIComponent(id)}`), ids[0]!);
      await page.waitForSelector('[data-testid^="container-row-"]', { timeout: 30_000 });
      containersRender.push((await page.evaluate(() => performance.now())) - started);
      const rows = await page.getByTestId('containers-table').getAttribute('data-count');
      if (Number(rows) !== ROWS) throw new Error(`the container table holds ${rows} rows, expected ${ROWS}`);
      const containerScroll = (await page.evaluate(`(${SCROLL_THROUGH})('containers-table')`)) as { longTasks: number };
      containerScrollLongTasks = Math.max(containerScrollLongTasks, containerScroll.longTasks);
      await context.close();
    }
    const result = {
      rows: ROWS,
      runs: RUNS,
      first_render_ms: round(percentile(firstRender, 50), 1),
      containers_render_ms: round(percentile(containersRender, 50), 1),
      long_tasks_over_50ms: hostScrollLongTasks + containerScrollLongTasks,
      long_tasks_hosts_scroll: hostScrollLongTasks,
      long_tasks_containers_scroll: containerScrollLongTasks,
    };
    report(
      [
        `web console in Chromium, ${ROWS} hosts and ${ROWS} containers (median of ${RUNS} run(s)):`,
        `  first render (navigation → first host row)  ${result.first_render_ms} ms   (goal ≤ 1000 ms)`,
        `  host page with ${ROWS} containers             ${result.containers_render_ms} ms`,
        `  long tasks > 50 ms while scrolling          ${result.long_tasks_over_50ms}        (goal 0)`,
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
