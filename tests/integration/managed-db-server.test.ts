import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logLines } from '../../electron/docker/log-stream.js';
import { DB_SECRETS_MOUNT, PASSWORD_FILE } from '../../electron/hosts/managed-db-server.js';
import { withPostgres } from '../../electron/postgres/pg-over-ssh.js';
import { MANAGED_DB_CONTAINER } from '../../shared/hosts.js';
import { addTestbedHost, createTestConsole, removeTenant, type TestConsole } from '../support/console.js';
import { getTestbed } from '../support/testbed.js';

const testbed = getTestbed();
const NETWORK = 'fleet-it-managed-db';
const VOLUME = 'fleet-it-managed-db-data';
const SECRETS_VOLUME = `${MANAGED_DB_CONTAINER}-secrets`;
const TENANT = 'it-mdb';
let fleet: TestConsole;
let hostId: string;
let tenantCreated = false;

function docker(): Docker {
  return fleet.services.docker.client(fleet.services.hosts.endpoint(hostId));
}

async function present(probe: () => Promise<unknown>): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

/** What a provisioning run may leave on the host: the container, its volumes, the network. */
async function leftovers(): Promise<string[]> {
  const d = docker();
  const found: string[] = [];
  if (await present(() => d.getContainer(MANAGED_DB_CONTAINER).inspect())) found.push(`container ${MANAGED_DB_CONTAINER}`);
  if (await present(() => d.getContainer(`${MANAGED_DB_CONTAINER}-secrets-writer`).inspect())) found.push('container secrets-writer');
  for (const v of [VOLUME, SECRETS_VOLUME]) if (await present(() => d.getVolume(v).inspect())) found.push(`volume ${v}`);
  if (await present(() => d.getNetwork(NETWORK).inspect())) found.push(`network ${NETWORK}`);
  return found;
}

async function cleanHost(): Promise<void> {
  const d = docker();
  for (const name of [MANAGED_DB_CONTAINER, `${MANAGED_DB_CONTAINER}-secrets-writer`]) await d.getContainer(name).remove({ force: true }).catch(() => {});
  for (const v of [VOLUME, SECRETS_VOLUME]) await d.getVolume(v).remove({ force: true }).catch(() => {});
  await d.getNetwork(NETWORK).remove().catch(() => {});
}

/** Runs a command in a one-off container of the testbed's postgres image with the secrets volume mounted read-only. */
async function inSecretsVolume(cmd: string[]): Promise<string> {
  const d = docker();
  const container = await d.createContainer({
    Image: testbed.images.postgres,
    Entrypoint: cmd,
    HostConfig: { Mounts: [{ Type: 'volume', Source: SECRETS_VOLUME, Target: DB_SECRETS_MOUNT, ReadOnly: true }], NetworkMode: 'none' },
  });
  try {
    await container.start();
    await container.wait();
    return logLines((await container.logs({ stdout: true, stderr: true })) as unknown as Buffer).join('\n');
  } finally {
    await container.remove({ force: true });
  }
}

beforeAll(async () => {
  fleet = createTestConsole();
  hostId = (await addTestbedHost(fleet, testbed, 'alpha')).id;
  await cleanHost();
});

afterAll(async () => {
  if (tenantCreated) await removeTenant(fleet.services, hostId, TENANT).catch(() => {});
  await cleanHost();
  await fleet.close();
});

describe('a managed PostgreSQL container as the host database server', () => {
  it('refuses a missing image with an error naming it, and leaves nothing behind', async () => {
    const image = 'fleet-testbed/no-such-postgres:404';
    const { jobId } = await fleet.call('hosts.provisionDbServer', { hostId, image, network: NETWORK, volume: VOLUME });
    const job = await fleet.services.jobs.wait(jobId);
    expect(job.state).toBe('failed');
    expect(job.error?.step).toBe('preflight');
    expect(job.error?.code).toBe('NOT_FOUND');
    expect(job.error?.message).toContain(image);
    expect(job.steps.filter((s) => s.state === 'done')).toEqual([]);
    expect(await leftovers()).toEqual([]);
    expect((await fleet.call('hosts.get', { id: hostId })).dbServer).toBeNull();
  });

  it('undoes everything when cancelled while PostgreSQL initialises', async () => {
    const off = fleet.services.events.on('jobs.step.started', (e) => {
      const event = e as { jobId: string; name: string; phase: string };
      if (event.name === 'ready' && event.phase === 'run') fleet.services.jobs.cancel(event.jobId);
    });
    try {
      const { jobId } = await fleet.call('hosts.provisionDbServer', { hostId, image: testbed.images.postgres, network: NETWORK, volume: VOLUME });
      const job = await fleet.services.jobs.wait(jobId);
      expect(job.state).toBe('cancelled');
      for (const step of ['network', 'volumes', 'password', 'server']) expect(job.steps.find((s) => s.name === step)?.state).toBe('compensated');
      const secretId = (job.steps.find((s) => s.name === 'password')?.output as { passwordId: string }).passwordId;
      expect(() => fleet.services.vault.get(secretId)).toThrow();
    } finally {
      off();
    }
    expect(await leftovers()).toEqual([]);
    expect((await fleet.call('hosts.get', { id: hostId })).dbServer).toBeNull();
  });

  it('sets up the container, stores the settings, and a tenant runs against it', async () => {
    const progress: string[] = [];
    const off = fleet.services.events.on('jobs.step.finished', (e) => {
      const event = e as unknown as { name: string; state: string; phase: string };
      progress.push(`${event.name}:${event.state}`);
    });
    const { jobId } = await fleet.call('hosts.provisionDbServer', { hostId, image: testbed.images.postgres, network: NETWORK, volume: VOLUME });
    const job = await fleet.services.jobs.wait(jobId);
    off();
    expect(job.error ?? null).toBeNull();
    expect(job.state).toBe('succeeded');
    expect(progress).toEqual(['preflight', 'network', 'volumes', 'password', 'server', 'ready', 'settings'].map((s) => `${s}:done`));

    // The container: labelled, restarting, no published port, its volume, on the network.
    const info = await docker().getContainer(MANAGED_DB_CONTAINER).inspect();
    expect(info.State.Running).toBe(true);
    expect(info.Config.Image).toBe(testbed.images.postgres);
    expect(info.Config.Labels).toMatchObject({ 'fleet.role': 'database-server', 'fleet.host': hostId });
    expect(info.HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
    expect(info.HostConfig.PortBindings ?? {}).toEqual({});
    expect(info.Mounts.find((m) => m.Destination === '/var/lib/postgresql/data')?.Name).toBe(VOLUME);
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual([NETWORK]);

    // The settings: managed, reached by name on the network; the password only in the vault.
    const settings = await fleet.call('hosts.dbServer', { id: hostId });
    expect(settings).toMatchObject({
      address: MANAGED_DB_CONTAINER,
      port: 5432,
      adminUser: 'postgres',
      database: 'postgres',
      hasPassword: true,
      tenantAddress: MANAGED_DB_CONTAINER,
      tenantNetwork: NETWORK,
      managed: true,
      image: testbed.images.postgres,
      volume: VOLUME,
    });
    const target = fleet.services.hosts.dbTarget(hostId)!;
    const password = target.password!;
    expect(password.length).toBeGreaterThanOrEqual(20);

    // Neither docker inspect (env, command, arguments) nor the job journal, the audit trail or the store shows it.
    expect(JSON.stringify(info)).not.toContain(password);
    expect(info.Config.Env).toContain(`POSTGRES_PASSWORD_FILE=${PASSWORD_FILE}`);
    expect(info.Config.Env.some((e) => e.startsWith('POSTGRES_PASSWORD='))).toBe(false);
    expect(JSON.stringify(job)).not.toContain(password);
    expect(JSON.stringify(fleet.services.audit.list(100))).not.toContain(password);
    fleet.services.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const file of fs.readdirSync(path.join(fleet.dir, 'data')).filter((f) => f.startsWith('console.sqlite'))) {
      expect(fs.readFileSync(path.join(fleet.dir, 'data', file)).includes(Buffer.from(password))).toBe(false);
    }
    const row = fleet.services.db.prepare('SELECT * FROM host_db_servers WHERE host_id = ?').get(hostId) as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(password);
    expect(row.managed).toBe(1);

    // The password file: root's, 0400, holding exactly the stored password.
    expect(await inSecretsVolume(['stat', '-c', '%a %u %g', PASSWORD_FILE])).toBe('400 0 0');

    // The console reaches it through SSH, its address resolved from the container.
    const version = await withPostgres(fleet.services.pool, target, async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v);
    expect(version).toMatch(/^15\./);
    const check = await fleet.call('hosts.check', { id: hostId });
    expect(check.steps.find((s) => s.step === 'postgres')).toMatchObject({ status: 'ok' });

    // A second managed server on the same host is refused before any job runs.
    await expect(fleet.call('hosts.provisionDbServer', { hostId, image: testbed.images.postgres, network: NETWORK, volume: VOLUME })).rejects.toMatchObject({ code: 'CONFLICT' });

    // A tenant on it: its containers are on a network of their own, which the server joins, and reach fleet-postgres by name.
    const [image, tag] = testbed.images.odoo.split(':');
    tenantCreated = true;
    const created = await fleet.call('tenants.create', { name: TENANT, hostId, domain: 'shops.test', image: image!, tag: tag!, modules: ['sale'] });
    const tenantJob = await fleet.services.jobs.wait(created.jobId);
    expect(tenantJob.error ?? null).toBeNull();
    expect(tenantJob.state).toBe('succeeded');
    const server = await docker().getContainer(`fleet-${TENANT}`).inspect();
    expect(server.State.Running).toBe(true);
    expect(server.Config.Env).toContain(`HOST=${MANAGED_DB_CONTAINER}`);
    expect(Object.keys(server.NetworkSettings.Networks)).toEqual([`fleet-${TENANT}-net`]);
    expect(Object.keys((await docker().getContainer(MANAGED_DB_CONTAINER).inspect()).NetworkSettings.Networks).sort()).toEqual([NETWORK, `fleet-${TENANT}-net`].sort());
    const databases = await withPostgres(fleet.services.pool, target, async (c) => (await c.query<{ datname: string }>('SELECT datname FROM pg_database')).rows.map((r) => r.datname));
    expect(databases).toEqual(expect.arrayContaining(['it_mdb', 'fleet']));

    // After a restart the console still finds it (its address is read from the container each time).
    await docker().getContainer(MANAGED_DB_CONTAINER).restart({ t: 5 });
    let answered = false;
    for (const deadline = Date.now() + 120_000; !answered && Date.now() < deadline; ) {
      answered = await withPostgres(fleet.services.pool, fleet.services.hosts.dbTarget(hostId)!, async (c) => (await c.query('SELECT 1')).rowCount === 1).catch(() => false);
      if (!answered) await new Promise((r) => setTimeout(r, 500));
    }
    expect(answered).toBe(true);

    await removeTenant(fleet.services, hostId, TENANT);
    tenantCreated = false;
  });
});
