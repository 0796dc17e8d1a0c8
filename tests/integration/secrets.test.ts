import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../electron/common/log.js';
import { addTestbedHost, createTestConsole, expectFleetError, type TestConsole } from '../support/console.js';
import { getTestbed } from '../support/testbed.js';

const testbed = getTestbed();
const consoles: TestConsole[] = [];
afterAll(async () => {
  for (const c of consoles) await c.close();
});

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('secrets at rest', () => {
  it('never appear in the logs, the database files or the audit trail', async () => {
    const dataDir = fs.mkdtempSync('/tmp/fleet-secrets-');
    const fleet = createTestConsole({ dataDir, log: createLogger({ file: `${dataDir}/logs/console.log`, level: 'debug' }) });
    consoles.push(fleet);
    const secrets = [testbed.admin.password, testbed.admin.keyPassphrase, testbed.postgres.adminPassword, 'a-wrong-passw0rd-that-must-not-leak'];

    // Every path that handles a secret: add with a password, with a key passphrase, a database password,
    // failures that echo inputs, checks that decrypt them.
    const withPassword = await addTestbedHost(fleet, testbed, 'alpha', {
      name: 'pw',
      auth: { kind: 'password', password: testbed.admin.password },
      dbServer: { address: '127.0.0.1', port: testbed.postgres.port, adminUser: testbed.postgres.adminUser, password: testbed.postgres.adminPassword },
    });
    await addTestbedHost(fleet, testbed, 'beta', { name: 'enc', auth: { kind: 'key', keyPaths: [testbed.admin.encryptedKeyPath], passphrase: testbed.admin.keyPassphrase } });
    await expectFleetError(addTestbedHost(fleet, testbed, 'beta', { name: 'bad', auth: { kind: 'password', password: 'a-wrong-passw0rd-that-must-not-leak' } }), 'AUTH_FAILED');
    await fleet.services.dispatcher.invoke('hosts.add', { name: 'bad input!', auth: { kind: 'password', password: 'a-wrong-passw0rd-that-must-not-leak' } }, { actor: 'x', role: 'admin', transport: 'internal' });
    const check = await fleet.call('hosts.check', { id: withPassword.id });
    expect(check.ok).toBe(true);
    const audit = JSON.stringify(fleet.services.audit.list(1000));
    expect(audit).toContain('hosts.add');
    await fleet.services.close();

    const files = filesUnder(dataDir);
    expect(files.some((f) => f.endsWith('console.log'))).toBe(true);
    expect(files.some((f) => f.endsWith('console.sqlite'))).toBe(true);
    expect(fs.statSync(files.find((f) => f.endsWith('console.log'))!).size).toBeGreaterThan(0);
    for (const secret of secrets) {
      for (const file of files) expect(fs.readFileSync(file).includes(Buffer.from(secret)), `${secret.slice(0, 3)}… in ${file}`).toBe(false);
      expect(audit.includes(secret)).toBe(false);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
