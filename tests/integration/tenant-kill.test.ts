import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPostgres } from '../../electron/postgres/pg-over-ssh.js';
import { addTestbedHost, testbedDbServer, createTestConsole, type TestConsole } from '../support/console.js';
import { getTestbed } from '../support/testbed.js';

const testbed = getTestbed();
const PASSPHRASE = 'kill test passphrase';
let dataDir: string;
let setup: TestConsole;

beforeAll(async () => {
  setup = createTestConsole({ passphrase: PASSPHRASE });
  dataDir = setup.services.dataDir;
  await addTestbedHost(setup, testbed, 'alpha', {
    dbServer: testbedDbServer(testbed),
  });
  await setup.services.close(); // the CLI process owns the store now
});
afterAll(async () => {
  await setup.close();
});

/** Waits until the journal (read from another process, as a crash would leave it) shows the step running. */
async function waitForStep(step: string, state: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const db = new Database(path.join(dataDir, 'console.sqlite'), { readonly: true, fileMustExist: true });
      const row = db.prepare('SELECT state FROM job_steps WHERE name = ?').get(step) as { state: string } | undefined;
      db.close();
      if (row?.state === state) return;
    } catch {
      // the store may not hold the job tables yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`step ${step} never reached ${state}`);
}

describe('a console killed while creating a tenant', () => {
  it('leaves nothing behind once a restarted console compensates', async () => {
    const [image, tag] = testbed.images.odoo.split(':') as [string, string];
    const child = spawn(process.execPath, ['dist/node/cli.mjs', 'tenants', 'create', 'it-killed', '--host', 'alpha', '--domain', 'shops.test', '--image', image, '--tag', tag, '--modules', 'sale'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, FLEET_DATA_DIR: dataDir, FLEET_PASSPHRASE: PASSPHRASE },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await waitForStep('initialise', 'running');
    child.kill('SIGKILL');
    await exited;

    const fleet = createTestConsole({ dataDir, passphrase: PASSPHRASE });
    const report = fleet.services.jobs.resumeInterrupted();
    expect(report.resumed).toEqual([expect.objectContaining({ kind: 'tenant.create', direction: 'backward' })]);
    const job = await fleet.services.jobs.wait(report.resumed[0]!.jobId);
    expect(['compensated', 'failed']).toContain(job.state);
    expect(job.steps.filter((s) => s.compensationError !== null)).toEqual([]);

    const [host] = await fleet.call('hosts.list', {});
    const docker = fleet.services.docker.client(fleet.services.hosts.endpoint(host!.id));
    expect(await docker.listContainers({ all: true, filters: { label: ['fleet.tenant=it-killed'] } })).toEqual([]);
    expect((await docker.listVolumes({ filters: { label: ['fleet.tenant=it-killed'] } })).Volumes ?? []).toEqual([]);
    const leftovers = await withPostgres(fleet.services.pool, fleet.services.hosts.dbTarget(host!.id)!, (c) =>
      c.query("SELECT datname FROM pg_database WHERE datname = 'it_killed' UNION ALL SELECT rolname FROM pg_roles WHERE rolname = 'odoo_it_killed'"),
    );
    expect(leftovers.rows).toEqual([]);
    expect(fleet.services.db.prepare("SELECT count(*) AS n FROM secrets WHERE purpose LIKE 'tenant-%'").get()).toEqual({ n: 0 });
    await fleet.services.close();
  });
});
