import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreHostKey, rotateHostKey } from '../../scripts/testbed/control.js';
import { addTestbedHost, createTestConsole, expectFleetError, type TestConsole } from '../support/console.js';
import { getTestbed } from '../support/testbed.js';

const testbed = getTestbed();
let fleet: TestConsole;
const original = { ...testbed.beta };
beforeAll(() => {
  fleet = createTestConsole();
});

afterAll(async () => {
  await fleet.close();
  // Later test files expect the host they were told about.
  await restoreHostKey(testbed, 'beta');
});

describe('a changed host key', () => {
  it('is refused with both fingerprints, before any credential is offered', async () => {
    const host = await addTestbedHost(fleet, testbed, 'beta');
    await fleet.call('hosts.containers', { id: host.id });
    const newFingerprint = await rotateHostKey(testbed, 'beta');
    expect(newFingerprint).not.toBe(original.hostKeyFingerprint);
    const logBefore = fs.readFileSync(testbed.beta.sshdLogPath, 'utf8').length;

    let error = null;
    const deadline = Date.now() + 90_000;
    while (!error && Date.now() < deadline) {
      try {
        await fleet.call('hosts.containers', { id: host.id });
        await new Promise((r) => setTimeout(r, 200));
      } catch (e) {
        if ((e as { code?: string }).code === 'HOST_KEY_CHANGED') error = e as Error;
        else await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(error?.message).toContain(original.hostKeyFingerprint);
    expect(error?.message).toContain(newFingerprint);
    // sshd never saw an authentication attempt after the key changed.
    expect(fs.readFileSync(testbed.beta.sshdLogPath, 'utf8').slice(logBefore)).not.toMatch(/Accepted|Failed (publickey|password)/);
    expect((await fleet.call('hosts.get', { id: host.id })).connection.state).toBe('failed');
    // The pinned key is unchanged until the user verifies and re-trusts.
    expect((await fleet.call('hosts.get', { id: host.id })).hostKey.fingerprint).toBe(original.hostKeyFingerprint);
  });

  it('can be re-trusted only with the fingerprint the host really presents', async () => {
    const [host] = await fleet.call('hosts.list', {});
    await expectFleetError(fleet.call('hosts.retrust', { id: host!.id, fingerprint: original.hostKeyFingerprint }), 'HOST_KEY_CHANGED');
    const updated = await fleet.call('hosts.retrust', { id: host!.id, fingerprint: testbed.beta.hostKeyFingerprint });
    expect(updated.hostKey.fingerprint).toBe(testbed.beta.hostKeyFingerprint);
    expect(Array.isArray(await fleet.call('hosts.containers', { id: host!.id }))).toBe(true);
  });
});
