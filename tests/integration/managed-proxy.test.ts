// The managed proxy for real: the console sets up the testbed's Caddy image on alpha (Debian's caddy)
// with Pebble as its ACME server; a tenant created afterwards is served over HTTPS at its domain with a
// certificate Pebble issued on demand, HTTP redirects to HTTPS, a suspended tenant gets the proxy's own
// 503, and decommission takes its routes away. The admin API is a Unix socket on the host: a tenant's
// container finds no port to reach it.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenantSession } from '../../electron/postgres/tenant-session.js';
import { PROXY_CONTAINER } from '../../electron/proxy/proxy-container.js';
import { DomainStore } from '../../electron/proxy/domain-store.js';
import { clearDnsRecord, pebbleIssuerRoots, setDnsRecord } from '../../scripts/testbed/control.js';
import { addTestbedHost, addTestbedHostWithDb, createTestConsole, expectFleetError, removeTenant, testbedDbServer, type TestConsole } from '../support/console.js';
import { provisionTestProxy, removeTestProxy } from '../support/managed-proxy.js';
import { getTestbed } from '../support/testbed.js';
import { launchTrustedChromium, retryOnNetworkChange } from '../support/trusted-chromium.js';

const tb = getTestbed();
const NAME = 'it-proxy';
const DOMAIN = `${NAME}.${tb.testDomain}`;
let fleet: TestConsole;
let hostId: string;
let docker: Docker;
let pebbleRoot: string;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  issuer?: string;
}

/** HTTPS to the proxy's published port with `name` as SNI and Host, trusting Pebble's root only. */
function viaHttps(name: string, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port: tb.proxyPorts.https, servername: name, headers: { host: name }, path, ca: pebbleRoot, timeout: 20_000, agent: false }, (res) => {
      const issuer = (res.socket as TLSSocket).getPeerX509Certificate()?.issuer;
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ...(issuer ? { issuer } : {}) }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

function viaHttp(name: string, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: tb.proxyPorts.http, headers: { host: name }, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' }));
    }).on('error', reject);
  });
}

/** Polls until the proxy answers `status` for the name (the first handshake waits for Pebble's certificate). */
async function eventually(name: string, path: string, status: number): Promise<Answer> {
  let last: Answer | Error | undefined;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    last = await viaHttps(name, path).catch((error: Error) => error);
    if (!(last instanceof Error) && last.status === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`expected ${status} from https://${name}${path}, last: ${last instanceof Error ? last.message : `${last?.status} ${last?.body.slice(0, 200)}`}`);
}

async function finished(started: Promise<{ jobId: string }>) {
  const job = await fleet.services.jobs.wait((await started).jobId);
  if (job.error) throw new Error(`${job.kind} failed: ${job.error.code}: ${job.error.message}`);
  return job;
}

/** Runs a Node one-liner inside a container (the stand-in Odoo image has Node), as a tenant's code would. */
async function inContainer(container: string, script: string): Promise<string> {
  const { stdout } = await promisify(execFile)('docker', ['-H', `unix://${tb.alpha.dockerSocket}`, 'exec', container, 'node', '-e', script], { timeout: 30_000 });
  return stdout.trim();
}

const removeProxy = () => removeTestProxy(docker);

beforeAll(async () => {
  // The name checks ask the testbed's DNS (challtestsrv: 127.0.0.1, the host's address, for any name).
  fleet = createTestConsole({ dnsServers: [tb.acme.dnsServer] });
  hostId = await addTestbedHostWithDb(fleet, tb);
  docker = fleet.services.docker.client(fleet.services.hosts.endpoint(hostId));
  pebbleRoot = await pebbleIssuerRoots(tb);
  await removeProxy();
});

afterAll(async () => {
  if (!fleet) return;
  await removeTenant(fleet.services, hostId, NAME).catch(() => {});
  await removeProxy();
  await fleet.close();
});

describe('the managed proxy (Caddy, certificates from Pebble)', () => {
  it('is set up as a durable job; its admin API is a socket only root and the Docker group may open', async () => {
    await provisionTestProxy(fleet, tb, hostId);
    const status = await fleet.call('hosts.proxyStatus', { id: hostId });
    expect(status.traefik).toBeNull();
    expect(status.managed).toMatchObject({ running: true, baseDomain: tb.testDomain, httpPort: tb.proxyPorts.http, httpsPort: tb.proxyPorts.https, routes: 0, acmeDirectory: tb.acme.directoryUrl, error: null });
    const socketPath = '/var/lib/odoo-fleet/proxy/admin.sock';
    const stat = fs.statSync(socketPath);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o007).toBe(0); // nobody else
    expect(stat.gid).toBe(fs.statSync(tb.alpha.dockerSocket).gid);
  });

  it('serves a new tenant over HTTPS at <name>.<base domain> with a certificate issued on demand', async () => {
    const [image, tag] = tb.images.odoo.split(':') as [string, string];
    const job = await finished(fleet.call('tenants.create', { name: NAME, hostId, domain: tb.testDomain, image, tag, modules: ['sale'] }));
    expect(job.steps.find((s) => s.name === 'route')?.output).toEqual({ route: 'routed' });
    const health = await eventually(DOMAIN, '/web/health', 200);
    expect(JSON.parse(health.body)).toEqual({ status: 'pass' });
    expect(health.issuer).toMatch(/Pebble/i);
    const redirect = await viaHttp(DOMAIN, '/web/login?x=1');
    expect(redirect.status).toBe(308);
    expect(redirect.headers.location).toBe(`https://${DOMAIN}/web/login?x=1`);
    // A name nobody routed gets no certificate at all.
    await expect(viaHttps(`nobody.${tb.testDomain}`, '/')).rejects.toThrow();
    // Links Odoo builds name the HTTPS address, frozen against logins through other names.
    const target = fleet.services.hosts.dbTarget(hostId)!;
    const params = await withTenantSession(fleet.services.pool, target, { database: NAME.replace(/-/g, '_'), role: `odoo_${NAME.replace(/-/g, '_')}` }, async (c) =>
      Object.fromEntries((await c.query<{ key: string; value: string }>("SELECT key, value FROM ir_config_parameter WHERE key LIKE 'web.base.url%'")).rows.map((r) => [r.key, r.value])),
    );
    expect(params).toEqual({ 'web.base.url': `https://${DOMAIN}`, 'web.base.url.freeze': 'True' });
  });

  it("cannot be reconfigured from a tenant's container: no admin port, approvals on the proxy's loopback only", async () => {
    const proxy = await docker.getContainer(PROXY_CONTAINER).inspect();
    const addresses = Object.values(proxy.NetworkSettings.Networks).map((n) => n.IPAddress).filter(Boolean);
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) {
      for (const port of [2019, 5001]) {
        const outcome = await inContainer(
          `fleet-${NAME}`,
          `const r=require('http').request({host:${JSON.stringify(address)},port:${port},method:'POST',path:'/load',timeout:3000},(s)=>{console.log('answered '+s.statusCode)});r.on('error',(e)=>console.log(e.code));r.on('timeout',()=>{console.log('timeout');r.destroy()});r.end('{}')`,
        );
        expect(outcome, `${address}:${port}`).toMatch(/ECONNREFUSED|timeout|EHOSTUNREACH/);
      }
    }
  });

  it('answers while suspended with the proxy’s own 503 and Retry-After, and serves the tenant again once reactivated', async () => {
    const ref = { hostId, name: NAME };
    await finished(fleet.call('tenants.suspend', ref));
    const down = await eventually(DOMAIN, '/web/health', 503);
    expect(down.headers['retry-after']).toBe('300');
    expect(down.headers.server).toBe('Caddy');
    expect(down.body).toContain('Temporarily unavailable');
    await finished(fleet.call('tenants.reactivate', ref));
    await eventually(DOMAIN, '/web/health', 200);
  });

  it('opens in a Chromium that trusts Pebble, which logs in through the proxy', async () => {
    const browser = await launchTrustedChromium({ rootsPem: [pebbleRoot], hostMap: { [`*.${tb.testDomain}`]: `127.0.0.1:${tb.proxyPorts.https}` } });
    try {
      const page = await browser.newPage();
      const login = await retryOnNetworkChange(() => page.goto(`https://${DOMAIN}/web/login`));
      expect(login?.status()).toBe(200);
      expect(await page.locator('form.oe_login_form').count()).toBe(1);
      const session = await retryOnNetworkChange(() =>
        page.evaluate(async (db) => {
          const res = await fetch('/web/session/authenticate', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', params: { db, login: 'admin', password: 'wrong' } }) });
          return { status: res.status, body: (await res.json()) as unknown };
        }, NAME.replace(/-/g, '_')),
      );
      // Odoo itself answered, through the proxy: a refusal in Odoo's own words.
      expect(session.status).toBe(200);
      expect(JSON.stringify(session.body)).toMatch(/AccessDenied|Access Denied/i);
    } finally {
      await browser.close();
    }
  });

  it('adds a custom domain once DNS points it at the host, and serves the tenant there with its own certificate', async () => {
    const custom = `shop-${NAME}.example.test`;
    const elsewhere = `elsewhere-${NAME}.example.test`;
    await setDnsRecord(tb, elsewhere, '10.11.12.13');
    try {
      const refused = await expectFleetError(fleet.call('tenants.addDomain', { hostId, name: NAME, domain: elsewhere }), 'VALIDATION');
      expect(refused.message).toContain(`${elsewhere} points at 10.11.12.13, not at this host: change its A record to 127.0.0.1`);
    } finally {
      await clearDnsRecord(tb, elsewhere);
    }
    await finished(fleet.call('tenants.addDomain', { hostId, name: NAME, domain: custom }));
    const served = await eventually(custom, '/web/health', 200);
    expect(served.issuer).toMatch(/Pebble/i);
    const domains = await fleet.call('tenants.domains', { hostId, name: NAME });
    expect(domains.names.map((n) => [n.domain, n.main])).toEqual([[DOMAIN, true], [custom, false]]);
    expect(domains.url).toBe(`https://${DOMAIN}`);
  });

  it('gives a name to one tenant only, across every host of the fleet; a host that cannot be asked must be vouched for', async () => {
    const custom = `shop-${NAME}.example.test`;
    const store = new DomainStore(fleet.services.coordinators.of(hostId)!);
    await store.add(`taken-${NAME}.example.test`, 'someone-else', 'test');
    try {
      const taken = await expectFleetError(fleet.call('tenants.addDomain', { hostId, name: NAME, domain: `taken-${NAME}.example.test` }), 'CONFLICT');
      expect(taken.message).toContain('already belongs to the tenant someone-else');
    } finally {
      await store.removeTenant('someone-else');
    }
    // Beta's database server does not answer: its tenants' names cannot be checked.
    const beta = await addTestbedHost(fleet, tb, 'beta', { dbServer: { ...testbedDbServer(tb), port: 1 } });
    try {
      const unasked = await expectFleetError(fleet.call('tenants.addDomain', { hostId, name: NAME, domain: `second-${NAME}.example.test` }), 'HOST_UNREACHABLE');
      expect(unasked.message).toContain('beta');
      await finished(fleet.call('tenants.addDomain', { hostId, name: NAME, domain: `second-${NAME}.example.test`, allowUnreachable: ['beta'] }));
      await finished(fleet.call('tenants.removeDomain', { hostId, name: NAME, domain: `second-${NAME}.example.test` }));
    } finally {
      await fleet.call('hosts.remove', { id: beta.id });
    }
    // Re-adding its own name is harmless.
    await finished(fleet.call('tenants.addDomain', { hostId, name: NAME, domain: custom }));
  });

  it("switches the main name (web.base.url follows), and removes a name that is not the main one", async () => {
    const custom = `shop-${NAME}.example.test`;
    await expectFleetError(fleet.call('tenants.removeDomain', { hostId, name: NAME, domain: DOMAIN }), 'CONFLICT');
    await finished(fleet.call('tenants.setMainDomain', { hostId, name: NAME, domain: custom }));
    expect((await fleet.call('tenants.domains', { hostId, name: NAME })).url).toBe(`https://${custom}`);
    const target = fleet.services.hosts.dbTarget(hostId)!;
    const stem = NAME.replace(/-/g, '_');
    const baseUrl = await withTenantSession(fleet.services.pool, target, { database: stem, role: `odoo_${stem}` }, async (c) => (await c.query<{ value: string }>("SELECT value FROM ir_config_parameter WHERE key = 'web.base.url'")).rows[0]?.value);
    expect(baseUrl).toBe(`https://${custom}`);
    await eventually(DOMAIN, '/web/health', 200);
    await finished(fleet.call('tenants.setMainDomain', { hostId, name: NAME, domain: DOMAIN }));
    await finished(fleet.call('tenants.removeDomain', { hostId, name: NAME, domain: custom }));
    const gone = await eventually(custom, '/web/health', 404);
    expect(gone.body).toContain('No site');
    expect((await fleet.call('tenants.domains', { hostId, name: NAME })).served).toEqual([DOMAIN]);
  });

  it('serves a staging clone at its own name, its web.base.url its own and not its source’s', async () => {
    await finished(fleet.call('backups.create', { hostId, name: NAME }));
    const clone = await fleet.call('tenants.clone', { hostId, name: NAME });
    await finished(Promise.resolve(clone));
    const cloneDomain = `${clone.name}.${tb.testDomain}`;
    try {
      await eventually(cloneDomain, '/web/health', 200);
      expect((await fleet.call('tenants.domains', { hostId, name: clone.name })).url).toBe(`https://${cloneDomain}`);
      const stem = clone.name.replace(/-/g, '_');
      const target = fleet.services.hosts.dbTarget(hostId)!;
      const baseUrl = await withTenantSession(fleet.services.pool, target, { database: stem, role: `odoo_${stem}` }, async (c) => (await c.query<{ value: string }>("SELECT value FROM ir_config_parameter WHERE key = 'web.base.url'")).rows[0]?.value);
      expect(baseUrl).toBe(`https://${cloneDomain}`);
    } finally {
      await finished(fleet.call('tenants.removeStaging', { hostId, name: clone.name }));
    }
    expect((await viaHttps(cloneDomain, '/web/health').catch(() => null))?.status ?? 404).toBe(404);
  });

  it('drops the routes at decommission, after routing every tenant again on a re-sync', async () => {
    expect(await fleet.call('hosts.syncProxyRoutes', { id: hostId })).toEqual({ routed: 1, removed: 0 });
    await finished(fleet.call('tenants.decommission', { hostId, name: NAME, confirm: NAME }));
    expect((await fleet.call('hosts.proxyStatus', { id: hostId })).managed?.routes).toBe(0);
    // The certificate stays in Caddy's cache, but no site answers at the name any more.
    const gone = await viaHttps(DOMAIN, '/web/health').catch((error: Error) => error);
    if (!(gone instanceof Error)) {
      expect(gone.status).toBe(404);
      expect(gone.body).toContain('No site');
    }
  });
});
