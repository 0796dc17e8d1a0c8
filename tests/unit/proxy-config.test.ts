import { describe, expect, it } from 'vitest';
import { APPROVALS_LISTEN, MAX_REQUEST_BYTES, SUSPENDED_RETRY_AFTER_SECONDS, approvalRoute, baseConfig, tenantRoute, tlsApp } from '../../electron/proxy/caddy-config.js';
import { tenantLabels, websocketPortOf } from '../../electron/tenant-parts/routing.js';
import { ManagedProxyInput } from '../../shared/hosts.js';

const hostId = '0b6f3a3e-8d2f-4a7e-9c1f-2f0d1a2b3c4d';
type Handler = { handler: string; status_code?: number; headers?: Record<string, string[]>; max_size?: number; routes?: Array<{ match?: unknown; handle: Array<{ upstreams?: Array<{ dial: string }> }> }> };

function issues(input: unknown): Record<string, string> {
  const result = ManagedProxyInput.safeParse(input);
  return result.success ? {} : Object.fromEntries(result.error.issues.map((issue) => [issue.path.join('.'), issue.message]));
}

describe("the managed proxy's Caddy configuration", () => {
  it('routes a tenant by its names to its server, /websocket to where Odoo serves it', () => {
    const route = tenantRoute({ tenant: 'acme', hosts: ['acme.shops.example.com'], upstream: 'fleet-acme', websocketPort: 8072, suspended: false });
    expect(route['@id']).toBe('fleet-tenant-acme');
    expect(route.match).toEqual([{ host: ['acme.shops.example.com'] }]);
    const [body, subroute] = route.handle as Handler[];
    expect(body).toMatchObject({ handler: 'request_body', max_size: MAX_REQUEST_BYTES });
    const [websocket, rest] = subroute!.routes!;
    expect(websocket!.match).toEqual([{ path: ['/websocket', '/websocket/*'] }]);
    expect(websocket!.handle[0]!.upstreams).toEqual([{ dial: 'fleet-acme:8072' }]);
    expect(rest!.handle[0]!.upstreams).toEqual([{ dial: 'fleet-acme:8069' }]);
    const threaded = tenantRoute({ tenant: 'acme', hosts: ['acme.shops.example.com'], upstream: 'fleet-acme', websocketPort: 8069, suspended: false });
    expect((threaded.handle as Handler[])[1]!.routes![0]!.handle[0]!.upstreams).toEqual([{ dial: 'fleet-acme:8069' }]);
  });

  it("answers a suspended tenant's names with the proxy's own 503 and Retry-After, without reaching the server", () => {
    const route = tenantRoute({ tenant: 'acme', hosts: ['acme.example.com'], upstream: 'fleet-acme', websocketPort: 8072, suspended: true });
    const handle = route.handle as Handler[];
    expect(handle).toHaveLength(1);
    expect(handle[0]).toMatchObject({ handler: 'static_response', status_code: 503, headers: { 'Retry-After': [String(SUSPENDED_RETRY_AFTER_SECONDS)] } });
    expect(JSON.stringify(route)).not.toContain('fleet-acme:');
  });

  it('keeps the admin API on a Unix socket and the approvals on loopback, and asks them before any certificate', () => {
    const config = baseConfig({}) as { admin: { listen: string }; apps: { http: { servers: Record<string, { listen: string[]; routes: Array<{ '@id': string }> }> }; tls: unknown } };
    expect(config.admin.listen).toMatch(/^unix\//);
    expect(config.apps.http.servers.approvals!.listen).toEqual([APPROVALS_LISTEN]);
    expect(APPROVALS_LISTEN.startsWith('127.0.0.1:')).toBe(true);
    // Nothing is approved until a tenant's route is: the deny-all route comes last.
    expect(config.apps.http.servers.approvals!.routes.at(-1)!['@id']).toBe('fleet-deny-other-names');
    expect(config.apps.http.servers.fleet!.routes.at(-1)!['@id']).toBe('fleet-no-such-site');
    expect(JSON.stringify(config.apps.tls)).toContain(`"ask":"http://${APPROVALS_LISTEN}/"`);
    expect(approvalRoute('acme', ['acme.example.com']).match).toEqual([{ query: { domain: ['acme.example.com'] } }]);
  });

  it('uses the configured ACME directory and its private root, else Caddy\'s default issuers', () => {
    expect(JSON.stringify(tlsApp({}))).not.toContain('issuers');
    const tls = JSON.stringify(tlsApp({ directoryUrl: 'https://acme.internal/dir', email: 'ops@example.com', hasPrivateRoot: true }));
    expect(tls).toContain('"ca":"https://acme.internal/dir"');
    expect(tls).toContain('"email":"ops@example.com"');
    expect(tls).toContain('trusted_roots_pem_files');
  });

  it('reads the websocket port back from the tenant labels (8069 for a tenant without workers)', () => {
    const spec = { name: 'acme', hostId, database: 'acme', publicHost: 'acme.example.com' };
    expect(websocketPortOf(tenantLabels({ ...spec, workers: 2 }))).toBe(8072);
    expect(websocketPortOf(tenantLabels({ ...spec, workers: 0 }))).toBe(8069);
    expect(websocketPortOf({})).toBe(8072);
  });
});

describe('setting up a managed proxy', () => {
  it('takes defaults that serve the whole internet with certificates from the usual issuers', () => {
    expect(ManagedProxyInput.parse({ hostId })).toEqual({ hostId, image: 'caddy:2', acme: {}, bindAddress: '0.0.0.0', httpPort: 80, httpsPort: 443 });
  });

  it('names each invalid field', () => {
    expect(issues({ hostId, baseDomain: 'not a domain' })).toHaveProperty('baseDomain');
    expect(issues({ hostId, httpPort: 8443, httpsPort: 8443 })).toHaveProperty('httpsPort');
    expect(issues({ hostId, acme: { directoryUrl: 'http://acme.example.com/dir' } })).toHaveProperty('acme.directoryUrl');
    expect(issues({ hostId, acme: { rootPem: '-----BEGIN CERTIFICATE-----\n$(reboot)\n-----END CERTIFICATE-----' } })).toHaveProperty('acme.rootPem');
    expect(issues({ hostId, bindAddress: '0.0.0.0; rm -rf /' })).toHaveProperty('bindAddress');
    expect(issues({ hostId, image: 'caddy:2 --privileged' })).toHaveProperty('image');
    expect(issues({ hostId, extra: true })).not.toEqual({});
  });
});
