// Certificates you can see, for real: the console sets up the managed proxy (the testbed's Caddy)
// with Pebble as its ACME server; a tenant visited over HTTPS gets Pebble's certificate, which
// tenants.certificates shows (issuer, issuance, expiry); a second name whose DNS points elsewhere
// fails validation, and hosts.certificates shows Pebble's error, classified, with what to fix;
// Chromium shows both on the tenant page and the dashboard.
import https from 'node:https';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalRoute, tenantRoute, APPROVAL_ROUTES_PATH, TENANT_ROUTES_PATH, approvalRouteId, tenantRouteId } from '../../electron/proxy/caddy-config.js';
import { withProxyAdmin } from '../../electron/proxy/tenant-routes.js';
import { clearDnsRecord, pebbleIssuerRoots, setDnsRecord } from '../../scripts/testbed/control.js';
import type { HostCertificates } from '../../shared/certificates.js';
import { launchChromium, type Browser } from '../support/browser.js';
import { addTestbedHostWithDb, removeTenant, type TestConsole } from '../support/console.js';
import { provisionTestProxy, removeTestProxy } from '../support/managed-proxy.js';
import { getTestbed } from '../support/testbed.js';
import { startWebConsole } from '../support/web-console.js';

const tb = getTestbed();
const NAME = 'it-certs';
const DOMAIN = `${NAME}.${tb.testDomain}`;
/** A routed name whose DNS sends Pebble's validation to an address nothing answers at. */
const ELSEWHERE = `it-certs-elsewhere.${tb.testDomain}`;
const ELSEWHERE_ROUTE = 'it-certs-elsewhere';
let web: Awaited<ReturnType<typeof startWebConsole>>;
let fleet: TestConsole;
let browser: Browser | undefined;
let hostId: string;
let docker: Docker;
let pebbleRoot: string;

/** One HTTPS request to the proxy's port with `name` as SNI: the status, or the handshake's error. */
function visit(name: string, timeoutMs = 30_000): Promise<number | Error> {
  return new Promise((resolve) => {
    const req = https.get({ host: '127.0.0.1', port: tb.proxyPorts.https, servername: name, headers: { host: name }, path: '/web/health', ca: pebbleRoot, timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', resolve);
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  web = await startWebConsole();
  fleet = web.console;
  hostId = await addTestbedHostWithDb(fleet, tb);
  docker = fleet.services.docker.client(fleet.services.hosts.endpoint(hostId));
  pebbleRoot = await pebbleIssuerRoots(tb);
  await removeTestProxy(docker);
});

afterAll(async () => {
  await browser?.close();
  if (!fleet) return;
  await clearDnsRecord(tb, ELSEWHERE).catch(() => {});
  await removeTenant(fleet.services, hostId, NAME).catch(() => {});
  await removeTestProxy(docker);
  await web.close();
});

describe('certificates you can see', () => {
  it('says a host without a managed proxy has no certificates', async () => {
    expect(await fleet.call('hosts.certificates', { id: hostId })).toEqual({ proxy: false, certificates: [], failures: [] });
  });

  it("shows the tenant's name not obtained before its first visit, then Pebble's certificate with its issuer and expiry", async () => {
    await provisionTestProxy(fleet, tb, hostId);
    const [image, tag] = tb.images.odoo.split(':') as [string, string];
    const created = await fleet.services.jobs.wait((await fleet.call('tenants.create', { name: NAME, hostId, domain: tb.testDomain, image, tag, modules: ['sale'] })).jobId);
    expect(created.error, created.error?.message).toBeFalsy();
    const before = await fleet.call('tenants.certificates', { hostId, name: NAME });
    expect(before).toEqual({ proxy: true, names: [{ domain: DOMAIN, state: 'not-obtained', certificate: null, failure: null }] });

    const visitedAt = Date.now();
    await until('a 200 over HTTPS', async () => ((await visit(DOMAIN)) === 200 ? true : undefined));
    const after = await fleet.call('tenants.certificates', { hostId, name: NAME });
    const [name] = after.names;
    expect(name).toMatchObject({ domain: DOMAIN, state: 'valid', failure: null });
    const cert = name!.certificate!;
    expect(cert.issuer).toMatch(/Pebble/i);
    // Caddy names the issuer's directory after the ACME directory URL's host and path.
    expect(cert.issuerDirectory).toContain(new URL(tb.acme.directoryUrl).hostname);
    expect(Date.parse(cert.notBefore)).toBeLessThanOrEqual(visitedAt + 60_000);
    expect(Date.parse(cert.notAfter)).toBeGreaterThan(Date.now());
    expect(cert.daysLeft).toBeGreaterThanOrEqual(14);
    const host = await fleet.call('hosts.certificates', { id: hostId });
    expect(host.certificates.map((c) => c.domain)).toContain(DOMAIN);
  });

  it("shows a name whose DNS points elsewhere failing, with Pebble's error and what to fix", async () => {
    await setDnsRecord(tb, ELSEWHERE, '10.255.255.1');
    await withProxyAdmin(fleet.services, hostId, async (admin) => {
      await admin.upsertRoute(APPROVAL_ROUTES_PATH, approvalRoute(ELSEWHERE_ROUTE, [ELSEWHERE]));
      await admin.upsertRoute(TENANT_ROUTES_PATH, tenantRoute({ tenant: ELSEWHERE_ROUTE, hosts: [ELSEWHERE], upstream: `fleet-${NAME}`, websocketPort: 8072, suspended: false }));
    });
    const visited = visit(ELSEWHERE, 15_000);
    const failure = await until('the failure in the log', async () => {
      const host: HostCertificates = await fleet.call('hosts.certificates', { id: hostId });
      return host.failures.find((f) => f.domain === ELSEWHERE);
    });
    expect(await visited).toBeInstanceOf(Error); // no certificate to offer
    expect(['dns', 'unreachable']).toContain(failure.cause);
    // Pebble's own words: where it tried to validate.
    expect(failure.error).toMatch(/^urn:ietf:params:acme:error:\w+ - .*10\.255\.255\.1/);
    expect(failure.fix).toContain('The CA tried 10.255.255.1 for this name.');
    const host = await fleet.call('hosts.certificates', { id: hostId });
    expect(host.certificates.map((c) => c.domain)).not.toContain(ELSEWHERE);
    await withProxyAdmin(fleet.services, hostId, async (admin) => {
      await admin.removeRoute(tenantRouteId(ELSEWHERE_ROUTE));
      await admin.removeRoute(approvalRouteId(ELSEWHERE_ROUTE));
    });
  });

  it('shows them in Chromium: the tenant page lists its name, the dashboard counts the failing one', async () => {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${web.server.launchUrl}`);
    await page.goto(`${page.url().split('#')[0]}#/host/${hostId}/tenants/${NAME}`);
    const row = page.locator(`[data-testid="certificate-row"][data-domain="${DOMAIN}"]`);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.getAttribute('data-state')).toBe('valid');
    expect(await row.getByTestId('certificate-issuer').textContent()).toMatch(/Pebble/i);
    expect(await row.getByTestId('certificate-expiry').textContent()).toMatch(/^expires in \d+ days$/);
    await page.getByTestId('nav-dashboard').click();
    const cell = page.getByTestId('dashboard-host-row-alpha').getByTestId('host-certificates');
    await cell.waitFor({ timeout: 30_000 });
    expect(await cell.getAttribute('data-failing')).toBe('1');
    expect(await cell.textContent()).toBe('1 failing · 0 expiring');
  });
});
