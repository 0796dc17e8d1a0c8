import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { firstFreeSubnet, parseIpv4Cidr, routedSubnets, TENANT_SUBNET_RANGE } from '../../electron/tenant-parts/tenant-network.js';
import { orphanNetworks, serversOffTheirNetwork } from '../../electron/tenants/reconcile-networks.js';
import { sharedTenantNetworkOf, tenantIsolationOf } from '../../shared/hosts.js';

describe('the tenant subnet allocator', () => {
  it('hands out the first /28 of an empty range, then the next free one', () => {
    expect(firstFreeSubnet(TENANT_SUBNET_RANGE, [])).toBe('10.213.0.0/28');
    expect(firstFreeSubnet(TENANT_SUBNET_RANGE, ['10.213.0.0/28'])).toBe('10.213.0.16/28');
    expect(firstFreeSubnet(TENANT_SUBNET_RANGE, ['10.213.0.0/28', '10.213.0.32/28'])).toBe('10.213.0.16/28');
  });

  it('skips every /28 a wider network covers, and one that merely starts inside a candidate', () => {
    expect(firstFreeSubnet(TENANT_SUBNET_RANGE, ['10.213.0.0/24'])).toBe('10.213.1.0/28');
    expect(firstFreeSubnet(TENANT_SUBNET_RANGE, ['10.213.0.4/30'])).toBe('10.213.0.16/28');
    // A network covering the whole range (someone's /8) leaves nothing.
    expect(firstFreeSubnet(TENANT_SUBNET_RANGE, ['10.0.0.0/8'])).toBeNull();
  });

  it('ignores subnets outside the range, IPv6 ones and garbage', () => {
    expect(firstFreeSubnet(TENANT_SUBNET_RANGE, ['172.17.0.0/16', '10.212.255.240/28', 'fd00::/64', 'not a subnet'])).toBe('10.213.0.0/28');
  });

  it('gives distinct /28s one after the other, 4096 of them in 10.213.0.0/16, then says it is full', () => {
    const taken: string[] = [];
    for (let i = 0; i < 100; i++) taken.push(firstFreeSubnet(TENANT_SUBNET_RANGE, taken)!);
    expect(new Set(taken).size).toBe(100);
    expect(taken.at(-1)).toBe('10.213.6.48/28');
    const all = Array.from({ length: 4096 }, (_, i) => `10.213.${Math.floor(i / 16)}.${(i % 16) * 16}/28`);
    expect(firstFreeSubnet(TENANT_SUBNET_RANGE, all.filter((s) => s !== '10.213.255.240/28'))).toBe('10.213.255.240/28');
    expect(firstFreeSubnet(TENANT_SUBNET_RANGE, all.filter((s) => s !== '10.213.128.64/28'))).toBe('10.213.128.64/28');
    expect(firstFreeSubnet(TENANT_SUBNET_RANGE, all)).toBeNull();
  });

  it('starts from a given slot and wraps around, still skipping what is taken', () => {
    expect(firstFreeSubnet('10.213.0.0/26', [], 28, 2)).toBe('10.213.0.32/28');
    expect(firstFreeSubnet('10.213.0.0/26', ['10.213.0.48/28'], 28, 3)).toBe('10.213.0.0/28');
    expect(firstFreeSubnet('10.213.0.0/26', ['10.213.0.0/26'], 28, 3)).toBeNull();
    expect(firstFreeSubnet('10.213.0.0/26', [], 28, 6)).toBe('10.213.0.32/28'); // 6 mod 4
  });

  it("takes the host kernel's routes as taken (another daemon's bridge, a VPN), never its default route", () => {
    const table = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
      'br-f3757e931b06\t0000D50A\t00000000\t0001\t0\t0\t0\tF0FFFFFF\t0\t0\t0',
      'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
      '',
    ].join('\n');
    expect(routedSubnets(table)).toEqual(['10.213.0.0/28', '172.17.0.0/16']);
    expect(firstFreeSubnet(TENANT_SUBNET_RANGE, routedSubnets(table))).toBe('10.213.0.16/28');
  });

  it('refuses a range that is not IPv4 or narrower than a /28', () => {
    expect(() => firstFreeSubnet('10.213.0.0/29', [])).toThrow(/not an IPv4 range wider than \/28/);
    expect(() => firstFreeSubnet('fd00::/48', [])).toThrow(/not an IPv4 range/);
    expect(() => firstFreeSubnet('10.300.0.0/16', [])).toThrow(/not an IPv4 range/);
  });

  it('reads a CIDR with host bits set as its block', () => {
    expect(parseIpv4Cidr('10.213.7.9/28')).toEqual({ base: parseIpv4Cidr('10.213.7.0/28')!.base, prefix: 28 });
    expect(parseIpv4Cidr('0.0.0.0/0')).toEqual({ base: 0, prefix: 0 });
  });
});

describe("a host's isolation", () => {
  it('is per tenant unless an existing server is reached on a network of its own', () => {
    expect(tenantIsolationOf(null)).toBe('per-tenant');
    expect(tenantIsolationOf({ managed: false, tenantNetwork: null })).toBe('per-tenant');
    // A managed server joins each tenant's network instead: its own network is not shared.
    expect(tenantIsolationOf({ managed: true, tenantNetwork: 'fleet' })).toBe('per-tenant');
    expect(tenantIsolationOf({ managed: false, tenantNetwork: 'pg-net' })).toBe('shared-network');
    expect(sharedTenantNetworkOf({ managed: false, tenantNetwork: 'pg-net' })).toBe('pg-net');
    expect(sharedTenantNetworkOf({ managed: true, tenantNetwork: 'fleet' })).toBeNull();
  });
});

describe('network drift in a reconcile report', () => {
  const server = (networks: string[]) => ({ Id: 'c1', Names: ['/fleet-acme'], NetworkSettings: { Networks: Object.fromEntries(networks.map((n) => [n, {}])) } }) as unknown as Docker.ContainerInfo;
  const network = (tenant: string, ageMinutes: number) =>
    ({ Id: `n-${tenant}`, Name: `fleet-${tenant}-net`, Created: new Date(Date.now() - ageMinutes * 60_000).toISOString(), Labels: { 'fleet.tenant': tenant }, IPAM: { Config: [{ Subnet: '10.213.0.16/28' }] }, Containers: {} }) as unknown as Docker.NetworkInspectInfo;

  it('names a server off its own network or on another besides, not one alone on it or beside the shared one', () => {
    const servers = new Map([['acme', server(['fleet'])], ['bolt', server(['fleet-bolt-net'])], ['cora', server(['fleet-cora-net', 'pg-net'])], ['dana', server(['fleet-dana-net', 'old-net'])]]);
    const drift = serversOffTheirNetwork(servers, 'pg-net');
    expect(drift.map((d) => d.fields.id)).toEqual(['not-isolated:acme', 'not-isolated:dana']);
    expect(drift[0]!.fields).toMatchObject({ kind: 'not-isolated', tenant: 'acme', actions: ['report-only'], summary: expect.stringContaining('it is on fleet') });
    expect(drift[1]!.fields.summary).toContain('on old-net besides its own network');
    // Without a shared network, cora's second network is drift too.
    expect(serversOffTheirNetwork(servers, null).map((d) => d.fields.tenant)).toEqual(['acme', 'cora', 'dana']);
  });

  it('offers to clean up a tenant network whose tenant left nothing else, once past its grace time', () => {
    const found = orphanNetworks([network('gone', 30), network('young', 1), network('kept', 30), network('busy', 30)], new Set(['kept']), (t) => t === 'busy', Date.now());
    expect(found.map((d) => d.fields)).toEqual([expect.objectContaining({ id: 'orphan-network:fleet-gone-net', kind: 'orphan-network', tenant: 'gone', actions: ['cleanup'] })]);
  });
});
