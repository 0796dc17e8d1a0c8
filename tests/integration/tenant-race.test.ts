import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPostgres } from '../../electron/postgres/pg-over-ssh.js';
import { addTestbedHostWithDb, createTestConsole, removeTenant, type TestConsole } from '../support/console.js';
import { getTestbed } from '../support/testbed.js';

const testbed = getTestbed();
const PASSPHRASE = 'race test passphrase';
let cliConsole: TestConsole; // its store is used by a second console process (the CLI)
let fleet: TestConsole;
let hostId: string;

beforeAll(async () => {
  cliConsole = createTestConsole({ passphrase: PASSPHRASE });
  await addTestbedHostWithDb(cliConsole, testbed);
  await cliConsole.services.close();
  fleet = createTestConsole();
  hostId = await addTestbedHostWithDb(fleet, testbed);
});
afterAll(async () => {
  await removeTenant(fleet.services, hostId, 'it-race');
  await fleet.close();
  await cliConsole.close();
});

describe('two consoles creating the same tenant at once', () => {
  it('end with exactly one tenant: the other job is refused, and undoes nothing of the winner', async () => {
    const [image, tag] = testbed.images.odoo.split(':') as [string, string];
    const child = spawn(process.execPath, ['dist/node/cli.mjs', 'tenants', 'create', 'it-race', '--host', 'alpha', '--domain', 'shops.test', '--image', image, '--tag', tag, '--json'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, FLEET_DATA_DIR: cliConsole.services.dataDir, FLEET_PASSPHRASE: PASSPHRASE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let cliOut = '';
    let cliErr = '';
    child.stdout.on('data', (chunk: Buffer) => (cliOut += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (cliErr += chunk.toString()));
    const cliExit = new Promise<number | null>((resolve) => child.once('exit', resolve));

    const { jobId } = await fleet.call('tenants.create', { name: 'it-race', hostId, domain: 'shops.test', image, tag });
    const [mine, cliCode] = await Promise.all([fleet.services.jobs.wait(jobId), cliExit]);

    const outcomes = [mine.state === 'succeeded', cliCode === 0];
    expect(outcomes.filter(Boolean), `console: ${mine.state} ${JSON.stringify(mine.error)}; CLI exit ${cliCode}: ${cliErr.trim()}`).toHaveLength(1);
    const loser = mine.state === 'succeeded' ? (JSON.parse(cliOut) as { error: { code: string } }).error : mine.error;
    expect(loser?.code).toBe('CONFLICT');

    const tenants = await fleet.call('tenants.list', { hostId });
    expect(tenants.filter((t) => t.name === 'it-race')).toEqual([expect.objectContaining({ state: 'running' })]);
    const db = await withPostgres(fleet.services.pool, fleet.services.hosts.dbTarget(hostId)!, (c) => c.query("SELECT 1 FROM pg_database WHERE datname = 'it_race'"));
    expect(db.rowCount).toBe(1);
  });
});
