import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_INPUT_MAX_BYTES, auditableInput } from '../../electron/audit/audit-log.js';
import type { ConsoleServices } from '../../electron/console-services.js';
import { closeBareConsole, openBareConsole } from '../support/console.js';

// The audit trail records refused calls too; what it keeps of a call's input must not let a caller
// grow the store at will, nor leak a secret, nor lose the ordinary call's input.

let dir: string;
let services: ConsoleServices;
const hostId = '5b0c3c3e-8d2f-4a7e-9c1f-2f0d1a2b3c4d';
const MIB = 1024 * 1024;

beforeEach(() => {
  ({ dir, services } = openBareConsole('fleet-audit-bounds-'));
});
afterEach(() => closeBareConsole({ dir, services }));

/** What the audit rows hold, in bytes. */
function auditBytes(): number {
  const row = services.db.prepare('SELECT COALESCE(SUM(LENGTH(at) + LENGTH(actor) + LENGTH(role) + LENGTH(operation) + COALESCE(LENGTH(target), 0) + LENGTH(outcome) + COALESCE(LENGTH(error_code), 0) + LENGTH(input_json)), 0) AS bytes FROM audit').get() as { bytes: number };
  return row.bytes;
}

const storeBytes = () => (services.db.pragma('page_count', { simple: true }) as number) * (services.db.pragma('page_size', { simple: true }) as number);

describe('the audit trail keeps validated, size-bounded inputs', () => {
  it('keeps 50 forbidden 1 MB calls to a few kilobytes: a summary of each, never its bytes', async () => {
    const beforeStore = storeBytes();
    for (let i = 0; i < 50; i++) {
      const result = await services.dispatcher.invoke('hosts.remove', { id: hostId, padding: `${i}:${'x'.repeat(MIB)}` }, { actor: 'helpdesk', role: 'support', transport: 'ws' });
      expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(auditBytes()).toBeLessThan(MIB);
    expect(storeBytes() - beforeStore).toBeLessThan(MIB);
    const [entry] = services.audit.list(1);
    expect(entry).toMatchObject({ operation: 'hosts.remove', outcome: 'forbidden', target: hostId, input: { unvalidated: true, type: 'object', keys: ['id', 'padding'], keyCount: 2 } });
    expect((entry!.input as { bytes: number }).bytes).toBeGreaterThan(MIB);
    expect(JSON.stringify(entry)).not.toContain('xxxx');
  });

  it('records an invalid audited call as a summary too', async () => {
    const result = await services.dispatcher.invoke('hosts.remove', { id: 'not-a-uuid', secret: 'invalid-call-marker', padding: 'y'.repeat(MIB) }, { actor: 'tester', role: 'admin', transport: 'ws' });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const [entry] = services.audit.list(1);
    expect(entry).toMatchObject({ operation: 'hosts.remove', outcome: 'error', errorCode: 'VALIDATION', input: { unvalidated: true, keys: ['id', 'secret', 'padding'] } });
    expect(JSON.stringify(entry)).not.toMatch(/invalid-call-marker|yyyy/);
    expect(auditBytes()).toBeLessThan(2048);
  });

  it('still records an ordinary call as validated, with its secrets redacted', async () => {
    const result = await services.dispatcher.invoke('vault.setup', { passphrase: 'audit-bounds-passphrase' }, { actor: 'tester', role: 'admin', transport: 'ws' });
    expect(result.ok).toBe(true);
    const [entry] = services.audit.list(1);
    expect(entry).toMatchObject({ operation: 'vault.setup', outcome: 'ok', input: { passphrase: '[redacted]' } });
    expect(JSON.stringify(services.audit.list(10))).not.toContain('audit-bounds-passphrase');
  });

  it('cuts any input past the bound after redacting it, saying how many bytes were dropped', () => {
    const long = `"quotes" and \\ backslashes, ünïcödé ✓ ${'a"\\é'.repeat(50_000)}`;
    const input = { password: 'cut-input-secret', notes: long };
    const kept = auditableInput(input) as { truncated: string; droppedBytes: number };
    const json = JSON.stringify(kept);
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(AUDIT_INPUT_MAX_BYTES);
    expect(json).not.toContain('cut-input-secret');
    expect(kept.truncated.startsWith('{"password":"[redacted]","notes":"')).toBe(true);
    expect(Buffer.byteLength(kept.truncated) + kept.droppedBytes).toBe(Buffer.byteLength(JSON.stringify({ password: '[redacted]', notes: long })));
    // Small inputs are kept whole; the bound applies to the store whoever appends.
    expect(auditableInput({ name: 'shop', token: 't' })).toEqual({ name: 'shop', token: '[redacted]' });
    services.audit.append({ actor: 'internal', role: 'admin', operation: 'hosts.add', target: null, outcome: 'ok', errorCode: null, input });
    expect(Buffer.byteLength(JSON.stringify(services.audit.list(1)[0]!.input))).toBeLessThanOrEqual(AUDIT_INPUT_MAX_BYTES);
  });
});
