import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../electron/common/log.js';
import { rotatingFile } from '../../electron/common/rotating-file.js';
import { createPosServices } from '../../electron/pos/pos-services.js';
import { startFakeOdoo } from '../fixtures/fake-odoo/server.js';
import { FAST_KDF } from '../support/console.js';
import { cashSale, newPosDir, POS_PASSPHRASE } from '../support/pos-terminal.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = newPosDir();
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const lineOf = (i: number) => `${String(i).padStart(4, '0')} ${'x'.repeat(90)}\n`;
const numbersIn = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => Number(l.slice(0, 4))) : []);

describe('a rotated log file', () => {
  it('never grows past its limit, keeps the newest lines in order and drops the oldest files', () => {
    const file = path.join(tempDir(), 'logs', 'pos.log');
    const log = rotatingFile(file, { maxBytes: 1000, keep: 2 });
    for (let i = 0; i < 100; i++) log.write(lineOf(i));
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['pos.log', 'pos.log.1', 'pos.log.2']);
    for (const name of ['pos.log', 'pos.log.1', 'pos.log.2']) expect(fs.statSync(path.join(path.dirname(file), name)).size).toBeLessThanOrEqual(1000);
    const kept = [...numbersIn(`${file}.2`), ...numbersIn(`${file}.1`), ...numbersIn(file)];
    expect(kept.at(-1)).toBe(99);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 100 - kept.length + i));
    expect(kept.length).toBeGreaterThanOrEqual(20);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('loses no line when two processes write and rotate the same log', () => {
    const file = path.join(tempDir(), 'pos.log');
    const web = rotatingFile(file, { maxBytes: 1000, keep: 50 });
    const cli = rotatingFile(file, { maxBytes: 1000, keep: 50 });
    for (let i = 0; i < 200; i++) (i % 3 === 0 ? cli : web).write(lineOf(i));
    const files = fs.readdirSync(path.dirname(file)).filter((f) => f.startsWith('pos.log'));
    expect(files.length).toBeGreaterThan(10);
    const all = files.flatMap((f) => numbersIn(path.join(path.dirname(file), f)));
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });
});

describe("the POS log", () => {
  it('records pairing, the session opened and closed, sync rounds and an outage once, and no secret', async () => {
    const odoo = await startFakeOdoo({ version: '17.0', configs: [{ cashControl: false }] });
    cleanups.push(() => odoo.close());
    const dataDir = tempDir();
    const logFile = path.join(dataDir, 'logs', 'pos.log');
    const pos = createPosServices({ dataDir, passphrase: POS_PASSPHRASE, kdf: FAST_KDF, sync: { backoffBaseMs: 20, backoffMaxMs: 200, uncertainHoldMs: 0 }, log: createLogger({ file: logFile }) });
    cleanups.push(() => pos.close().catch(() => {}));
    const call = async (op: string, input: unknown) => {
      const result = await pos.dispatcher.invoke(op, input, { actor: 'test', role: 'admin', transport: 'internal' });
      if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
      return result.value;
    };
    await expect(call('pos.pair', { url: odoo.url.replace('://', '://admin:PasswordInTheUrl@'), database: odoo.db, login: odoo.admin.login, secret: 'x' })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(call('pos.pair', { url: odoo.url, database: odoo.db, login: odoo.admin.login, secret: 'wrong-secret-value' })).rejects.toThrow();
    await call('pos.pair', { url: odoo.url, database: odoo.db, login: odoo.admin.login, secret: odoo.admin.apiKey, configId: 1 });
    await call('pos.openSession', {});
    await call('pos.refresh', {});
    pos.terminal.commitSale(cashSale(pos, 10, 1));
    pos.terminal.commitSale(cashSale(pos, 11, 2));
    await pos.sync.sync();
    await odoo.down('refuse');
    pos.terminal.commitSale(cashSale(pos, 12, 1));
    await pos.sync.sync();
    pos.outbox.dueNow();
    await pos.sync.sync();
    await odoo.up();
    pos.outbox.dueNow();
    await pos.sync.sync();
    await call('pos.closeSession', { countedCash: 0 }).catch(() => {});

    const text = fs.readFileSync(logFile, 'utf8');
    expect(text).not.toContain(odoo.admin.apiKey);
    expect(text).not.toContain('wrong-secret-value');
    expect(text).not.toContain('PasswordInTheUrl');
    expect(JSON.stringify(pos.db.prepare('SELECT * FROM audit').all())).not.toContain('PasswordInTheUrl');
    const records = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const named = (msg: string) => records.filter((r) => r.msg === msg);
    expect(named('POS paired: failed')).toHaveLength(1);
    expect(named('POS paired')).toEqual([expect.objectContaining({ level: 'info', odoo: new URL(odoo.url).origin, database: odoo.db, version: expect.stringMatching(/^17/) })]);
    expect(named('POS session open')).toEqual([expect.objectContaining({ session: expect.any(String), sessionId: expect.any(Number) })]);
    expect(named('POS data loaded')).toEqual([expect.objectContaining({ products: expect.any(Number), models: expect.any(Number) })]);
    const rounds = named('POS sync round');
    expect(rounds[0]).toMatchObject({ sent: 2, confirmed: 2, parked: 0, ms: expect.any(Number) });
    expect(rounds.at(-1)).toMatchObject({ sent: 1, confirmed: 1 });
    // Two failed rounds of one outage: said once.
    expect(named('POS sync failed')).toEqual([expect.objectContaining({ level: 'warn', status: 'offline', waiting: 1, error: expect.any(String) })]);
    expect(records.filter((r) => /^POS session closing/.test(String(r.msg)))).toHaveLength(1);
  });
});
