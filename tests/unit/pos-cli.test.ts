import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTBOX_FILE_MAX_BYTES, SaleInput } from '../../shared/pos.js';
import { outboxFileText } from '../../shared/pos/outbox-file.js';
import type { FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { admitLargestSale, largestSale } from '../support/pos-largest-sale.js';
import { cashSale, newPosDir, openPos, pairedTerminal, POS_PASSPHRASE, startOdooWithFolder, stopOdooAndTerminal } from '../support/pos-terminal.js';

// `odoo-fleet pos …` headless, on a terminal's data folder, against the fake Odoo.

const run = promisify(execFile);
let odoo: FakeOdoo;
let dir: string;

beforeAll(async () => {
  ({ odoo, dir } = await startOdooWithFolder({ version: '17.0' }));
});
afterAll(() => stopOdooAndTerminal({ odoo, dir }));

// Each call is a fresh process compiling the CLI with tsx (seconds on a busy machine), so the test
// is given minutes; a call that hangs is killed after two.
async function cli(args: string[], dataDir = dir, env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', 'pos', ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, FLEET_DATA_DIR: dataDir, FLEET_PASSPHRASE: POS_PASSPHRASE, ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('odoo-fleet pos', () => {
  it('pairs, opens a session, shows status, syncs, exports and imports', async () => {
    expect((await cli(['status'])).stdout).toMatch(/Not paired/);
    const refused = await cli(['pair', '--url', odoo.url, '--db', odoo.db, '--login', 'admin', '--secret-env', 'ODOO_KEY'], dir, { ODOO_KEY: 'wrong' });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/refused the login/);
    const paired = await cli(['pair', '--url', odoo.url, '--db', odoo.db, '--login', 'admin', '--secret-env', 'ODOO_KEY', '--config', '1'], dir, { ODOO_KEY: odoo.admin.apiKey });
    expect(paired.code, paired.stderr).toBe(0);
    expect(paired.stdout).toMatch(/Odoo 17\.0/);
    expect(JSON.stringify(fs.readdirSync(dir))).not.toContain(odoo.admin.apiKey);
    // 50 counted where Odoo expects 0: refused without a note saying why, booked with one.
    const unexplained = await cli(['open', '--cash', '50']);
    expect(unexplained.code).not.toBe(0);
    expect(unexplained.stderr).toMatch(/Counted 50\.00 where Odoo expects 0\.00: a difference of 50\.00.*note/);
    const opened = await cli(['open', '--cash', '50', '--notes', 'Float brought from the safe']);
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.stdout).toMatch(/login number 1; \d+ products cached; [1-9]\d* picture\(s\) fetched\./);
    expect((await cli(['status'])).stdout).toMatch(/Pictures: [1-9]\d* stored, 0 to fetch/);

    // Two sales while Odoo is down (recorded by the terminal, as the selling UI does).
    await odoo.down('refuse');
    const pos = openPos(dir);
    const sold = [pos.terminal.commitSale(cashSale(pos, 10, 1)), pos.terminal.commitSale(cashSale(pos, 11, 2))];
    await pos.close();
    const offline = await cli(['sync', '--json']);
    expect(offline.code).not.toBe(0);
    expect(JSON.parse(offline.stdout)).toMatchObject({ status: 'offline', deferred: 2 });
    // The offline warning's threshold, set by the admin; the outage the failed sync began, kept for the status bar.
    expect((await cli(['offline-warning', '12'])).stdout).toMatch(/out of reach for 12 hour\(s\)/);
    expect((await cli(['offline-warning', 'soon'])).code).not.toBe(0);
    const status = JSON.parse((await cli(['status', '--json'])).stdout);
    expect(status).toMatchObject({ outbox: { pending: 2, parked: 0, synced: 0 }, session: { loginNumber: 1 }, offline: { since: expect.any(String), warnAfterHours: 12, waitingOrders: 2 } });

    // Moved to another terminal by file, and synced there once Odoo is back.
    const file = path.join(dir, 'waiting.json');
    expect((await cli(['export', file])).stdout).toMatch(/2 order\(s\) written/);
    const other = newPosDir();
    try {
      expect((await cli(['import', file], other)).stdout).toMatch(/2 order\(s\) imported/);
      const unpaired = await cli(['sync', '--json'], other);
      expect(JSON.parse(unpaired.stdout)).toMatchObject({ status: 'offline', error: expect.stringMatching(/Not paired/) });
      await odoo.up();
      expect((await cli(['pair', '--url', odoo.url, '--db', odoo.db, '--login', 'admin', '--secret-env', 'ODOO_KEY', '--config', '1'], other, { ODOO_KEY: odoo.admin.password })).code).toBe(0);
      expect((await cli(['import', path.join(dir, 'nope.json')], other)).code).not.toBe(0);
      const synced = await cli(['sync', '--json'], other);
      expect(synced.code, synced.stderr).toBe(0);
      expect(JSON.parse(synced.stdout)).toMatchObject({ status: 'online', synced: 2 });
      expect(odoo.orders().map((o) => o.pos_reference).sort()).toEqual(sold.map((o) => o.name).sort());
      // Odoo's database back to before they arrived: the other terminal's check sends both again.
      const before = odoo.backup();
      odoo.restore({ ...before, store: { ...before.store, orders: new Map(), ordersByReference: new Map(), ordersByUuid: new Map() } });
      const check = await cli(['restore-check', '--now'], other);
      expect(check.code, check.stderr).toBe(0);
      expect(check.stdout).toMatch(/2 synced order\(s\) of the last 30 days looked up in Odoo/);
      expect(check.stdout).toMatch(new RegExp(`sent again .*\t${sold[0]!.name}\tin Odoo again`));
      expect(odoo.orders().map((o) => o.pos_reference).sort()).toEqual(sold.map((o) => o.name).sort());
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  }, 600_000);

  it('imports a file of 500 orders, some the largest a sale may be, in pieces; again, all are known; refuses a file over the bound unread', async () => {
    const seller = await pairedTerminal(odoo, newPosDir());
    const customer = seller.terminal.createPartner({ name: 'Made offline' });
    for (let i = 0; i < 497; i++) seller.terminal.commitSale({ ...cashSale(seller, 10 + (i % 5), 1), partnerId: i % 50 === 0 ? customer.id : null });
    admitLargestSale(seller);
    for (const char of ['"', '€', '"'] as const) seller.terminal.commitSale({ ...SaleInput.parse(largestSale(char, { partnerId: customer.id })), userId: 2, dateOrder: new Date() });
    const exported = seller.outbox.exportUnsynced();
    await seller.close();
    const file = path.join(dir, 'big.json');
    fs.writeFileSync(file, outboxFileText(exported));
    expect(fs.statSync(file).size).toBeGreaterThan(2 * 1024 * 1024);

    const other = newPosDir();
    try {
      const first = await cli(['import', file], other);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toBe('500 order(s) imported, 0 already here.\n');
      // One line per piece sent: at most 200 orders each, and each of the largest orders nearly fills one.
      expect(first.stderr.trim().split('\n').length).toBeGreaterThanOrEqual(5);
      expect(first.stderr).toMatch(/^200 of 500 order\(s\) sent\n400 of 500 order\(s\) sent\n/);
      expect((await cli(['import', file], other)).stdout).toBe('0 order(s) imported, 500 already here.\n');
      const out = path.join(other, 'again.json');
      expect((await cli(['export', out], other)).stdout).toMatch(/^500 order\(s\) written/);
      expect(JSON.parse(fs.readFileSync(out, 'utf8')).orders.map((o: { uid: string }) => o.uid)).toEqual(exported.orders.map((o) => o.uid));

      const huge = path.join(dir, 'huge.json');
      fs.writeFileSync(huge, '');
      fs.truncateSync(huge, OUTBOX_FILE_MAX_BYTES + 1);
      const refused = await cli(['import', huge], other);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toBe(`odoo-fleet pos: ${huge} is 128.1 MiB; a file of orders may be at most 128 MiB.\n`);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  }, 120_000);
  it('closes with the counted cash only with a note for its difference, then shows and prints the Z report again', async () => {
    const closer = newPosDir();
    try {
      const pos = await pairedTerminal(odoo, closer);
      const sale = pos.terminal.commitSale(cashSale(pos, 10, 1));
      await pos.sync.sync();
      await pos.close();
      const short = Math.round((sale.amountTotal - 1) * 100) / 100;
      const unexplained = await cli(['close', '--cash', String(short)], closer);
      expect(unexplained.code).not.toBe(0);
      expect(unexplained.stderr).toMatch(/Differences above 0\.00 \(Cash -?\d+\.\d{2}\): say why in a note/);
      const closed = await cli(['close', '--cash', String(short), '--notes', 'One coin short'], closer);
      expect(closed.code, closed.stderr).toBe(0);
      expect(closed.stdout).toMatch(/is closed\.\n +Z REPORT\n/);
      expect(closed.stdout).toMatch(/Closing note: One coin short/);
      const again = await cli(['z-report'], closer);
      expect(again.stdout).toContain('One coin short');
      for (const line of again.stdout.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(48);
      const unprinted = await cli(['z-report', '--print'], closer);
      expect(unprinted.code).not.toBe(0);
      expect(unprinted.stderr).toMatch(/No receipt printer is set/);
    } finally {
      fs.rmSync(closer, { recursive: true, force: true });
    }
  }, 600_000);
});
