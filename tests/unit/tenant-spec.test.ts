import { describe, expect, it } from 'vitest';
import { tenantLabels } from '../../electron/tenant-parts/routing.js';
import { resolveTenantSpec, TenantSpecInput } from '../../shared/tenants.js';

const hostId = '0b6f3a3e-8d2f-4a7e-9c1f-2f0d1a2b3c4d';

function issues(input: unknown): Record<string, string> {
  const result = TenantSpecInput.safeParse(input);
  if (result.success) return {};
  return Object.fromEntries(result.error.issues.map((issue) => [issue.path.join('.'), issue.message]));
}

describe('tenant spec', () => {
  it('fills in defaults from the name and the Odoo version', () => {
    const spec = resolveTenantSpec(TenantSpecInput.parse({ name: 'acme-shop', hostId, domain: 'Shops.Example.com', modules: ['sale', 'point_of_sale'] }));
    expect(spec).toMatchObject({
      image: 'odoo',
      tag: '17.0',
      database: 'acme_shop',
      role: 'odoo_acme_shop',
      volume: 'fleet-acme-shop-data',
      publicHost: 'acme-shop.shops.example.com',
      modules: ['base', 'sale', 'point_of_sale'],
      workers: 2,
      mail: null,
    });
  });

  it('names each invalid field before anything runs', () => {
    expect(
      issues({ name: 'Acme_Shop', hostId: 'x', domain: 'localhost', image: 'Odoo:latest', tag: '-bad', memoryMb: 100, env: { PASSWORD: 'x', 'bad-name': 'y' }, modules: ['Sale'], database: '1db' }),
    ).toEqual({
      name: expect.stringMatching(/lowercase/),
      hostId: expect.any(String),
      domain: expect.stringMatching(/domain/),
      image: expect.stringMatching(/repository/),
      tag: expect.stringMatching(/tag/),
      memoryMb: expect.stringMatching(/256/),
      'env.PASSWORD': expect.stringMatching(/set by the console/),
      'env.bad-name': expect.stringMatching(/uppercase/),
      'modules.0': expect.stringMatching(/lowercase/),
      database: expect.stringMatching(/database/),
    });
    expect(issues({ name: 'a--b', hostId, domain: 'example.com' })).toHaveProperty('name');
    expect(issues({ name: 'shop-', hostId, domain: 'example.com' })).toHaveProperty('name');
    expect(issues({ name: 'shop', hostId, domain: 'example.com', surprise: 1 })).toHaveProperty('');
  });

  it('routes HTTP to 8069 and the websocket path to 8072 with Traefik labels', () => {
    const labels = tenantLabels(resolveTenantSpec(TenantSpecInput.parse({ name: 'acme', hostId, domain: 'example.com' })), { certResolver: 'le' });
    expect(labels).toMatchObject({
      'fleet.tenant': 'acme',
      'fleet.host': hostId,
      'traefik.enable': 'true',
      'traefik.http.routers.fleet-acme.rule': 'Host(`acme.example.com`)',
      'traefik.http.services.fleet-acme.loadbalancer.server.port': '8069',
      'traefik.http.routers.fleet-acme-ws.rule': 'Host(`acme.example.com`) && PathPrefix(`/websocket`)',
      'traefik.http.services.fleet-acme-ws.loadbalancer.server.port': '8072',
      'traefik.http.routers.fleet-acme.tls.certresolver': 'le',
    });
  });
});
