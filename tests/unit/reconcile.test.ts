import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { adoptedServerOptions } from '../../electron/tenants/adopt-container-job.js';
import { databaseFromCommand, odooEvidence } from '../../electron/tenants/reconcile.js';
import { AdoptInput } from '../../shared/reconcile.js';

const hostId = '6f1c1d6e-8f8e-4a43-9d2b-0d6c4f1c2a10';

function inspectInfo(overrides: { image?: string; env?: string[]; exposed?: string[]; cmd?: string[] } = {}): Docker.ContainerInspectInfo {
  return {
    Id: 'abcdef0123456789abcdef',
    Name: '/old-odoo',
    Image: 'sha256:1111',
    RestartCount: 0,
    Mounts: [
      { Type: 'volume', Name: 'odoo-data', Source: '/var/lib/docker/volumes/odoo-data/_data', Destination: '/var/lib/odoo', Driver: 'local', Mode: '', RW: true, Propagation: '' },
      { Type: 'volume', Name: '3f9a0anonymous', Source: '/x', Destination: '/mnt/extra-addons', Driver: 'local', Mode: '', RW: true, Propagation: '' },
      { Type: 'bind', Source: '/srv/odoo/pw', Destination: '/run/pw', Mode: 'ro', RW: false, Propagation: 'rprivate' },
    ],
    Config: {
      Image: overrides.image ?? 'odoo:17.0',
      Env: overrides.env ?? ['HOST=db', 'USER=odoo', 'PASSWORD_FILE=/run/pw', 'PATH=/usr/bin'],
      Cmd: overrides.cmd ?? ['odoo', '-d', 'shop'],
      ExposedPorts: Object.fromEntries((overrides.exposed ?? ['8069/tcp', '8072/tcp']).map((p) => [p, {}])),
      Labels: { 'org.example': 'kept' },
      Hostname: 'abcdef012345',
    },
    HostConfig: { NetworkMode: 'odoo-net', RestartPolicy: { Name: 'always', MaximumRetryCount: 0 }, Memory: 1 << 30, NanoCpus: 0, PortBindings: {} },
    NetworkSettings: { Networks: { 'odoo-net': { Aliases: ['abcdef012345', 'odoo'], IPAddress: '172.20.0.5' } } },
    State: { Running: true },
  } as unknown as Docker.ContainerInspectInfo;
}

describe('recognising an unlabelled Odoo container', () => {
  it('by image name or the official image contract, with port 8069', () => {
    expect(odooEvidence(inspectInfo())).toEqual(['image odoo', 'env HOST, USER, PASSWORD_FILE', 'port 8069']);
    expect(odooEvidence(inspectInfo({ image: 'registry.example.com/erp:1' }))).toEqual(['env HOST, USER, PASSWORD_FILE', 'port 8069']);
    expect(odooEvidence(inspectInfo({ image: 'nginx:1', env: ['PATH=/usr/bin'] }))).toEqual([]);
    expect(odooEvidence(inspectInfo({ exposed: ['80/tcp'] }))).toEqual([]);
  });

  it('reads the database from -d, --database and --database=', () => {
    expect(databaseFromCommand(['odoo', '-d', 'a'])).toBe('a');
    expect(databaseFromCommand(['odoo', '-db'])).toBe('b');
    expect(databaseFromCommand(['odoo', '--database', 'c'])).toBe('c');
    expect(databaseFromCommand(['odoo', '--database=d', '--dev'])).toBe('d');
    expect(databaseFromCommand(['odoo', '--dev', 'all'])).toBeNull();
  });
});

describe('the adopted server', () => {
  it('keeps image, command, env, mounts (anonymous volumes by name), limits, restart policy and aliases, adding the labels', () => {
    const options = adoptedServerOptions(inspectInfo(), 'odoo:17.0', { 'fleet.tenant': 'shop' }, 'fleet-shop');
    expect(options).toMatchObject({
      name: 'fleet-shop',
      Image: 'odoo:17.0',
      Cmd: ['odoo', '-d', 'shop'],
      Env: ['HOST=db', 'USER=odoo', 'PASSWORD_FILE=/run/pw', 'PATH=/usr/bin'],
      Labels: { 'org.example': 'kept', 'fleet.tenant': 'shop' },
      HostConfig: {
        NetworkMode: 'odoo-net',
        RestartPolicy: { Name: 'always' },
        Memory: 1 << 30,
        Mounts: [
          { Type: 'volume', Source: 'odoo-data', Target: '/var/lib/odoo', ReadOnly: false },
          { Type: 'volume', Source: '3f9a0anonymous', Target: '/mnt/extra-addons', ReadOnly: false },
          { Type: 'bind', Source: '/srv/odoo/pw', Target: '/run/pw', ReadOnly: true },
        ],
      },
      NetworkingConfig: { EndpointsConfig: { 'odoo-net': { Aliases: ['odoo', 'old-odoo'] } } },
    });
    expect(options.Hostname).toBeUndefined(); // the old container's generated host name is not carried over
  });

  it('validates adoption input per kind', () => {
    expect(AdoptInput.safeParse({ kind: 'container', hostId, name: 'shop', container: 'old-odoo' }).success).toBe(true);
    for (const container of ['old odoo', 'a\r\nX: 1', '../../info', 'x#y', '-flag']) expect(AdoptInput.safeParse({ kind: 'container', hostId, name: 'shop', container }).success).toBe(false);
    expect(AdoptInput.safeParse({ kind: 'database', hostId, name: 'shop', database: 'shop' }).success).toBe(false); // image, tag, domain
    expect(AdoptInput.safeParse({ kind: 'database', hostId, name: 'shop', database: 'shop', image: 'odoo', tag: '17.0', domain: 'example.com' }).success).toBe(true);
  });
});
