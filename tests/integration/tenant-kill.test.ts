import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPostgres } from '../../electron/postgres/pg-over-ssh.js';
import { addTestbedHost, testbedDbServer, createTestConsole, type TestConsole } from '../support/console.js';
import { startCli, waitForJobStep } from '../support/cli-process.js';
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

describe('a console killed while creating a tenant', () => {
  it('leaves nothing behind once a restarted console compensates', async () => {
    const [image, tag] = testbed.images.odoo.split(':') as [string, string];
    const cli = startCli(dataDir, PASSPHRASE, ['tenants', 'create', 'it-killed', '--host', 'alpha', '--domain', 'shops.test', '--image', image, '--tag', tag, '--modules', 'sale']);
    await waitForJobStep(dataDir, 'tenant.create', 'initialise', 'running');
    await cli.kill();

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
