import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contract, OPERATION_NAMES } from '../../shared/contract.js';
import type { ConsoleServices } from '../../electron/console-services.js';
import { Dispatcher } from '../../electron/api/dispatcher.js';
import { AuditLog } from '../../electron/audit/audit-log.js';
import { silentLogger } from '../../electron/common/log.js';
import { openStore } from '../../electron/store/database.js';
import { closeBareConsole, openBareConsole } from '../support/console.js';

let dir: string;
let services: ConsoleServices;
const admin = { actor: 'tester', role: 'admin' as const, transport: 'internal' as const };

beforeEach(() => {
  ({ dir, services } = openBareConsole('fleet-dispatch-'));
});
afterEach(() => closeBareConsole({ dir, services }));

describe('dispatcher', () => {
  it('serves every console operation of the contract', () => {
    for (const op of OPERATION_NAMES) {
      if ((contract[op].program as string) !== 'pos') expect(services.dispatcher.serves(op), op).toBe(true);
    }
  });

  it('refuses unknown operations and prototype tricks', async () => {
    for (const op of ['nope', '__proto__', 'constructor', 'toString']) {
      const result = await services.dispatcher.invoke(op, {}, admin);
      expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
  });

  it('validates input and names the bad fields', async () => {
    const result = await services.dispatcher.invoke('hosts.add', { name: 'bad name!', address: 'x', user: 'root', auth: { kind: 'agent' }, trustedFingerprint: 'md5:aa' }, admin);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('VALIDATION');
    const paths = (result.error.details?.issues as Array<{ path: string[] }>).map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['name', 'trustedFingerprint']));
  });

  it('rejects extra fields on strict inputs', async () => {
    const result = await services.dispatcher.invoke('hosts.list', { sneaky: true }, admin);
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('enforces roles and audits the refusal', async () => {
    const result = await services.dispatcher.invoke('hosts.remove', { id: '5b0c3c3e-8d2f-4a7e-9c1f-2f0d1a2b3c4d' }, { actor: 'helpdesk', role: 'support', transport: 'internal' });
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const viewer = await services.dispatcher.invoke('hosts.check', { id: '5b0c3c3e-8d2f-4a7e-9c1f-2f0d1a2b3c4d' }, { actor: 'v', role: 'viewer', transport: 'internal' });
    expect(viewer).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const [entry] = services.audit.list(10);
    expect(entry).toMatchObject({ actor: 'v', operation: 'hosts.check', outcome: 'forbidden', errorCode: 'FORBIDDEN' });
  });

  it('audits calls with their secrets redacted', async () => {
    await services.dispatcher.invoke('vault.setup', { passphrase: 'audit-passphrase-marker' }, admin);
    const [entry] = services.audit.list(10);
    expect(entry).toMatchObject({ operation: 'vault.setup', outcome: 'ok', input: { passphrase: '[redacted]' } });
    expect(JSON.stringify(services.audit.list(100))).not.toContain('audit-passphrase-marker');
  });

  it('strips fields a handler returns beyond its output schema', async () => {
    const db = openStore(path.join(dir, 'x.sqlite'));
    const dispatcher = new Dispatcher({
      program: 'console',
      audit: new AuditLog(db),
      log: silentLogger,
      handlers: { 'vault.status': () => ({ state: 'locked', backend: 'passphrase', dataKey: 'leak' }) as never },
    });
    const result = await dispatcher.invoke('vault.status', {}, admin);
    expect(result).toEqual({ ok: true, value: { state: 'locked', backend: 'passphrase' } });
    db.close();
  });

  it('turns unexpected exceptions into INTERNAL results instead of throwing', async () => {
    const db = openStore(path.join(dir, 'y.sqlite'));
    const dispatcher = new Dispatcher({
      program: 'pos',
      audit: new AuditLog(db),
      log: silentLogger,
      handlers: {
        'vault.status': () => {
          throw new TypeError('boom');
        },
        'hosts.list': () => [],
      },
    });
    expect(await dispatcher.invoke('vault.status', {}, admin)).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
    // A POS dispatcher never serves console operations, even with a handler bound.
    expect(await dispatcher.invoke('hosts.list', {}, admin)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    db.close();
  });
});

describe('SSH config import from an untrusted caller', () => {
  it('reads only files under ~/.ssh, while the CLI may name any file', async () => {
    fs.writeFileSync(path.join(dir, 'elsewhere.conf'), 'Host x\n  HostName 10.0.0.1\n');
    const fromUi = await services.dispatcher.invoke('hosts.sshConfigCandidates', { configPath: path.join(dir, 'elsewhere.conf') }, { ...admin, transport: 'ws' });
    expect(fromUi).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const traversal = await services.dispatcher.invoke('hosts.sshConfigCandidates', { configPath: '../elsewhere.conf' }, { ...admin, transport: 'ipc' });
    expect(traversal).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const fromCli = await services.dispatcher.invoke('hosts.sshConfigCandidates', { configPath: path.join(dir, 'elsewhere.conf') }, { ...admin, transport: 'cli' });
    expect(fromCli).toMatchObject({ ok: true, value: [{ alias: 'x', hostName: '10.0.0.1' }] });
  });
});
