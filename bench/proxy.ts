// npm run bench:proxy [-- --quick] [-- --json]
// The managed proxy (Caddy, certificates on demand from Pebble) on the testbed's alpha host:
// 1. create → HTTPS: the time from a `tenants.create` job's success to the first HTTPS 200 of
//    `/web/health` at `<name>.<testDomain>` (the certificate issued on demand on the first
//    handshake), for several fresh tenants;
// 2. route changes: the product's one-tenant change (`syncTenantRoutes` switching a real tenant to
//    the 503 page and back) with 10 and with 200 routes on the host, filler routes added through
//    the admin API with the product's own route objects (their names point at the real tenant's
//    server: the routes may share a backend);
// 3. during 2., a steady load of HTTPS requests to the real tenant (kept-alive and new
//    connections, alternately); any answer other than 200 or the proxy's 503 page, and any
//    connection error, is a failed request.
// Self-contained: brings up the testbed unless FLEET_TESTBED_JSON names a running one (which it
// reuses and leaves up); removes all it made. Only one managed proxy can run on alpha at a time.
import fs from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import { silentLogger } from '../electron/common/log.js';
import { approvalRoute, APPROVAL_ROUTES_PATH, tenantRoute, TENANT_ROUTES_PATH, type CaddyRoute } from '../electron/proxy/caddy-config.js';
import { PROXY_CONTAINER, PROXY_NETWORK, PROXY_VOLUME } from '../electron/proxy/proxy-container.js';
import { syncTenantRoutes, withProxyAdmin, type ProxyDeps } from '../electron/proxy/tenant-routes.js';
import { pebbleIssuerRoots } from '../scripts/testbed/control.js';
import { readDescriptor, startTestbed, stopTestbed, type TestbedDescriptor } from '../scripts/testbed/index.js';
import { addTestbedHostWithDb, createTestConsole, removeTenant, type TestConsole } from '../tests/support/console.js';
import { cleanupOnce, json, percentile, quick, report, round, runBench } from './stats.js';

const CREATE_SAMPLES = quick ? 2 : 5;
const ROUTE_COUNTS = [10, 200] as const;
/** One switch is the 503 page and back: each counted as a route change. */
const SWITCHES = quick ? 5 : 15;
const LOAD_INTERVAL_MS = 25;
const FILLER_PREFIX = 'bench-filler-';
const GOALS = { createToHttpsMs: 5000, routeChangeRatio: 2, failedRequests: 0 };

interface Answer {
  status: number;
  server: string | undefined;
}

interface Bench {
  testbed: TestbedDescriptor;
  fleet: TestConsole;
  hostId: string;
  deps: ProxyDeps;
  pebbleRoot: string;
  tenants: string[];
}

/** HTTPS to the proxy's published port with `name` as SNI and Host, trusting Pebble's root only. */
function viaHttps(b: Bench, name: string, agent: https.Agent | false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: '127.0.0.1', port: b.testbed.proxyPorts.https, servername: name, headers: { host: name }, path: '/web/health', ca: b.pebbleRoot, timeout: 20_000, agent },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, server: String(res.headers.server ?? '') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    // Whether the request went out on a kept-alive connection: a browser sends it again when
    // that connection closes before any answer (the server closed it as idle).
    req.on('error', (error: Error & { reusedSocket?: boolean }) => reject(Object.assign(error, { reusedSocket: req.reusedSocket })));
  });
}

/**
 * Failures a browser recovers from by itself, sending the request again on a new connection: a
 * kept-alive HTTP/1.1 connection closed before any answer, and an HTTP/2 stream the server refused
 * (REFUSED_STREAM: not processed, after its GOAWAY).
 */
function browserRetries(error: Error & { reusedSocket?: boolean; code?: string }): boolean {
  if (error.reusedSocket) return error.code === 'ECONNRESET' || error.message === 'socket hang up';
  return /NGHTTP2_REFUSED_STREAM/.test(error.message);
}

const domainOf = (b: Bench, tenant: string) => `${tenant}.${b.testbed.testDomain}`;

async function removeProxy(b: Pick<Bench, 'fleet' | 'hostId'>): Promise<void> {
  const docker = b.fleet.services.docker.client(b.fleet.services.hosts.endpoint(b.hostId));
  await docker.getContainer(PROXY_CONTAINER).remove({ force: true }).catch(() => {});
  await docker.getVolume(PROXY_VOLUME).remove({ force: true }).catch(() => {});
  await docker.getNetwork(PROXY_NETWORK).remove().catch(() => {});
}

async function provisionProxy(b: Bench): Promise<number> {
  const started = performance.now();
  const { jobId } = await b.fleet.call('hosts.provisionProxy', {
    hostId: b.hostId,
    image: b.testbed.images.caddy,
    baseDomain: b.testbed.testDomain,
    acme: { directoryUrl: b.testbed.acme.directoryUrl, rootPem: fs.readFileSync(b.testbed.acme.directoryCaPath, 'utf8') },
    bindAddress: '127.0.0.1',
    httpPort: b.testbed.proxyPorts.http,
    httpsPort: b.testbed.proxyPorts.https,
  });
  const job = await b.fleet.services.jobs.wait(jobId);
  if (job.error) throw new Error(`setting up the proxy failed: ${job.error.code}: ${job.error.message}`);
  return performance.now() - started;
}

/** Creates a tenant through the product; from its job's end to the first HTTPS 200 at its domain, in ms. */
async function createToHttps(b: Bench, name: string): Promise<{ ms: number; createMs: number }> {
  const [image, tag] = b.testbed.images.odoo.split(':') as [string, string];
  const called = Date.now();
  b.tenants.push(name);
  const { jobId } = await b.fleet.call('tenants.create', { name, hostId: b.hostId, domain: b.testbed.testDomain, image, tag });
  const job = await b.fleet.services.jobs.wait(jobId);
  if (job.error || !job.finishedAt) throw new Error(`creating ${name} failed: ${job.error?.code}: ${job.error?.message}`);
  const succeeded = Date.parse(job.finishedAt);
  const deadline = Date.now() + 60_000;
  let last = '';
  while (Date.now() < deadline) {
    const answer = await viaHttps(b, domainOf(b, name), false).catch((error: Error) => error);
    if (!(answer instanceof Error) && answer.status === 200) return { ms: Date.now() - succeeded, createMs: succeeded - called };
    last = answer instanceof Error ? answer.message : `HTTP ${answer.status}`;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no HTTPS 200 from ${domainOf(b, name)} within 60 s of its creation (last: ${last})`);
}

/**
 * Sets the host's tenant routes to `count` with filler routes (the product's route objects, pointing
 * at `backend`'s server): set up in one admin call per list, since they are the scene, not the change.
 */
async function fillRoutesTo(b: Bench, count: number, backend: string): Promise<number> {
  const result = await withProxyAdmin(b.deps, b.hostId, async (admin) => {
    const fillers = (await admin.tenantRoutes()).filter((r) => r['@id'].includes(FILLER_PREFIX)).length;
    const wanted = count - b.tenants.length;
    const routes = { tenants: [] as CaddyRoute[], approvals: [] as CaddyRoute[] };
    for (let n = fillers; n < wanted; n++) {
      const tenant = `${FILLER_PREFIX}${n}`;
      const hosts = [domainOf(b, tenant)];
      routes.approvals.push(approvalRoute(tenant, hosts));
      routes.tenants.push(tenantRoute({ tenant, hosts, upstream: `fleet-${backend}`, websocketPort: 8069, suspended: false }));
    }
    // Inserted first in each list, as upsertRoute does, so each list's fallback stays last.
    for (const [path, list] of [[APPROVAL_ROUTES_PATH, routes.approvals], [TENANT_ROUTES_PATH, routes.tenants]] as const) {
      if (list.length) await admin.set(path.slice('/config'.length), [...list, ...((await admin.get<CaddyRoute[]>(path)) ?? [])]);
    }
    return (await admin.tenantRoutes()).length;
  });
  if (result === null) throw new Error('the managed proxy is gone');
  return result;
}

/** The bare admin call of a route change (the tenant's route replaced by @id, to the 503 page and back), without the product's container lookups. */
async function timeAdminPatches(b: Bench, tenant: string): Promise<number[]> {
  const hosts = [domainOf(b, tenant)];
  const samples = await withProxyAdmin(b.deps, b.hostId, async (admin) => {
    const times: number[] = [];
    for (let i = 0; i < SWITCHES; i++) {
      for (const suspended of [true, false]) {
        const started = performance.now();
        await admin.upsertRoute(TENANT_ROUTES_PATH, tenantRoute({ tenant, hosts, upstream: `fleet-${tenant}`, websocketPort: 8069, suspended }));
        times.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return times;
  });
  return samples ?? [];
}

/** One HTTP/2 connection to the tenant, opened again once the proxy closed it (after its GOAWAY, as a browser does). */
function h2Client(b: Bench, name: string) {
  let session: http2.ClientHttp2Session | undefined;
  const open = () => {
    if (session && !session.closed && !session.destroyed) return session;
    session = http2.connect(`https://127.0.0.1:${b.testbed.proxyPorts.https}`, { servername: name, ca: b.pebbleRoot });
    session.on('error', () => {}); // each request reports its own failure
    return session;
  };
  return {
    get(): Promise<Answer> {
      return new Promise((resolve, reject) => {
        const stream = open().request({ ':path': '/web/health', ':authority': name });
        stream.setTimeout(20_000, () => stream.close(http2.constants.NGHTTP2_CANCEL));
        let answer: Answer = { status: 0, server: undefined };
        stream.on('response', (headers) => (answer = { status: Number(headers[':status']), server: headers.server as string | undefined }));
        stream.on('data', () => {});
        stream.on('end', () => resolve(answer));
        stream.on('error', reject);
        stream.on('close', () => (answer.status ? resolve(answer) : reject(new Error(`stream closed (code ${stream.rstCode})`))));
      });
    },
    close: () => session?.close(),
  };
}

const LOAD_KINDS = ['HTTP/1.1 kept-alive', 'HTTP/1.1 new connection', 'HTTP/2 kept-alive'] as const;
type LoadKind = (typeof LOAD_KINDS)[number];

/**
 * Requests the tenant's /web/health every LOAD_INTERVAL_MS until stopped, in turn on a kept-alive
 * HTTP/1.1 connection, a new one, and a kept-alive HTTP/2 connection; 200 and the proxy's own 503
 * are answers, anything else a failure.
 */
function steadyLoad(b: Bench, tenant: string) {
  const name = domainOf(b, tenant);
  const keptAlive = new https.Agent({ keepAlive: true, maxSockets: 1 });
  const h2 = h2Client(b, name);
  const send: Record<LoadKind, () => Promise<Answer>> = {
    'HTTP/1.1 kept-alive': () => viaHttps(b, name, keptAlive),
    'HTTP/1.1 new connection': () => viaHttps(b, name, false),
    'HTTP/2 kept-alive': () => h2.get(),
  };
  const counts = {
    requests: 0,
    failed: 0,
    failedAfterRetry: 0,
    byKind: Object.fromEntries(LOAD_KINDS.map((k) => [k, { requests: 0, failed: 0, failedAfterRetry: 0 }])) as Record<LoadKind, { requests: number; failed: number; failedAfterRetry: number }>,
  };
  const failures = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();
  const answered = async (kind: LoadKind) => {
    const answer = await send[kind]();
    if (answer.status !== 200 && !(answer.status === 503 && answer.server === 'Caddy')) throw new Error(`HTTP ${answer.status}`);
  };
  const failed = (kind: LoadKind, error: Error, afterRetry: boolean) => {
    if (afterRetry) counts.failedAfterRetry++;
    if (afterRetry) counts.byKind[kind].failedAfterRetry++;
    const line = `${kind}: ${error.message}${afterRetry ? '' : ' (sent again as a browser would: answered)'}`;
    failures.set(line, (failures.get(line) ?? 0) + 1);
  };
  const one = (kind: LoadKind) => {
    counts.requests++;
    counts.byKind[kind].requests++;
    const request = answered(kind)
      .catch(async (error: Error) => {
        counts.failed++;
        counts.byKind[kind].failed++;
        if (!browserRetries(error)) return failed(kind, error, true);
        await answered(kind).then(
          () => failed(kind, error, false),
          (again: Error) => failed(kind, again, true),
        );
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };
  let i = 0;
  const timer = setInterval(() => one(LOAD_KINDS[i++ % LOAD_KINDS.length]!), LOAD_INTERVAL_MS);
  return {
    counts,
    failures,
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      keptAlive.destroy();
      h2.close();
    },
  };
}

/** Times the product's one-tenant route change (to the 503 page and back), `SWITCHES` times each way. */
async function timeRouteChanges(b: Bench, tenant: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < SWITCHES; i++) {
    for (const suspended of [true, false]) {
      const started = performance.now();
      const outcome = await syncTenantRoutes(b.deps, b.hostId, tenant, { suspended });
      samples.push(performance.now() - started);
      if (outcome !== 'routed') throw new Error(`syncTenantRoutes(${tenant}) answered ${outcome}`);
      await new Promise((resolve) => setTimeout(resolve, 100)); // let the load see each state
    }
  }
  return samples;
}

async function measure(b: Bench, log: (line: string) => void) {
  const proxyMs = await provisionProxy(b);
  log(`proxy set up in ${round(proxyMs / 1000, 1)} s`);
  const create: { ms: number; createMs: number }[] = [];
  for (let i = 0; i < CREATE_SAMPLES; i++) {
    const sample = await createToHttps(b, `bench-proxy-${i}`);
    log(`bench-proxy-${i}: created in ${round(sample.createMs / 1000, 1)} s, first HTTPS 200 ${sample.ms} ms after`);
    create.push(sample);
  }
  const tenant = b.tenants[0]!;
  const load = steadyLoad(b, tenant);
  const changes: Record<number, number[]> = {};
  const patches: Record<number, number[]> = {};
  try {
    for (const count of ROUTE_COUNTS) {
      const routes = await fillRoutesTo(b, count, tenant);
      patches[count] = await timeAdminPatches(b, tenant);
      changes[count] = await timeRouteChanges(b, tenant);
      log(`${routes} routes: route change median ${round(percentile(changes[count], 50), 1)} ms, p95 ${round(percentile(changes[count], 95), 1)} ms (${changes[count].length} changes); the admin call alone ${round(percentile(patches[count], 50), 1)} ms`);
    }
  } finally {
    await load.stop();
  }
  return { proxyMs, create, changes, patches, load };
}

function summarize(m: Awaited<ReturnType<typeof measure>>) {
  const createMs = m.create.map((s) => s.ms);
  const median = (count: number) => round(percentile(m.changes[count]!, 50), 1);
  const ratio = round(median(200) / median(10), 2);
  const createMedian = percentile(createMs, 50);
  const met = (ok: boolean) => (ok ? 'met' : '**not met**');
  const result = {
    create_to_https_ms: createMedian,
    create_to_https_p95_ms: percentile(createMs, 95),
    create_to_https_samples_ms: createMs,
    route_change_ms: Object.fromEntries(ROUTE_COUNTS.map((n) => [String(n), median(n)])),
    route_change_p95_ms: Object.fromEntries(ROUTE_COUNTS.map((n) => [String(n), round(percentile(m.changes[n]!, 95), 1)])),
    route_change_ratio: ratio,
    failed_requests: m.load.counts.failed,
    failed_requests_by_kind: Object.fromEntries(Object.entries(m.load.counts.byKind).map(([k, v]) => [k, v.failed])),
    failed_after_browser_retry: m.load.counts.failedAfterRetry,
    admin_call_ms: Object.fromEntries(ROUTE_COUNTS.map((n) => [String(n), round(percentile(m.patches[n]!, 50), 1)])),
    requests: m.load.counts.requests,
    proxy_setup_ms: Math.round(m.proxyMs),
  };
  const lines = [
    `managed proxy on alpha (the testbed's Caddy image, certificates on demand from Pebble); the stand-in Odoo image`,
    `create → first HTTPS 200 of /web/health (${createMs.length} tenants): median ${createMedian} ms, p95 ${result.create_to_https_p95_ms} ms   (goal ≤ ${GOALS.createToHttpsMs} ms: ${met(createMedian <= GOALS.createToHttpsMs)})`,
    `one tenant's route change (syncTenantRoutes, to the 503 page and back), median: ${ROUTE_COUNTS.map((n) => `${median(n)} ms at ${n} routes`).join(', ')} — ${ratio}×   (goal ≤ ${GOALS.routeChangeRatio}×: ${met(ratio <= GOALS.routeChangeRatio)})`,
    `  of which the admin call alone (the route replaced by @id over the SSH connection): ${ROUTE_COUNTS.map((n) => `${result.admin_call_ms[String(n)]} ms at ${n}`).join(', ')}`,
    `steady load during the changes (a request every ${LOAD_INTERVAL_MS} ms, in turn on each kind): ${m.load.counts.requests} requests, ${m.load.counts.failed} failed   (goal ${GOALS.failedRequests}: ${met(m.load.counts.failed === GOALS.failedRequests)})`,
    ...Object.entries(m.load.counts.byKind).map(([kind, c]) => `  ${kind}: ${c.requests} requests, ${c.failed} failed, ${c.failedAfterRetry} of them still failed once sent again as a browser does`),
    ...[...m.load.failures].map(([line, count]) => `  failed ${count}×: ${line}`),
  ];
  return { lines, result };
}

async function main() {
  const log = (line: string) => (json ? undefined : process.stderr.write(`${line}\n`));
  const reuse = process.env.FLEET_TESTBED_JSON;
  const testbed = reuse ? readDescriptor(reuse) : await startTestbed();
  const fleet = createTestConsole({ log: silentLogger });
  const b: Bench = { testbed, fleet, hostId: '', deps: fleet.services, pebbleRoot: '', tenants: [] };
  const cleanup = cleanupOnce('proxy', async () => {
    if (b.hostId) {
      for (const name of b.tenants) await removeTenant(fleet.services, b.hostId, name).catch((error: Error) => process.stderr.write(`bench:proxy: could not remove tenant ${name}: ${error.message}\n`));
      await removeProxy(b);
    }
    await fleet.close();
    if (!reuse) await stopTestbed(testbed);
  });
  try {
    b.hostId = await addTestbedHostWithDb(fleet, testbed);
    b.pebbleRoot = await pebbleIssuerRoots(testbed);
    await removeProxy(b); // one left by an interrupted run
    const { lines, result } = summarize(await measure(b, log));
    report(lines, result);
  } finally {
    await cleanup();
  }
}

runBench('proxy', main);
