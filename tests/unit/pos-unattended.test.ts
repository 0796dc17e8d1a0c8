import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../electron/common/log.js';
import { createPosServices, type PosServices } from '../../electron/pos/pos-services.js';
import { startFakeOdoo, type FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { cashSale, newPosDir, openPos, saleInputOf } from '../support/pos-terminal.js';

// A terminal set up with no passphrase restarts after a power cut with nobody there: its vault's
// key is wrapped by a key file outside the data folder, readable by its OS user only. A copy of
// the data folder alone cannot read the Odoo secret, yet sells.

const run = promisify(execFile);
let odoo: FakeOdoo;
const temps: string[] = [];
let dir: string;
let keyFile: string;

const temp = (prefix: string) => {
  const made = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(made);
  return made;
};
const open = (dataDir: string, file = keyFile): PosServices => createPosServices({ dataDir, keyFile: file, log: silentLogger, sync: { backoffBaseMs: 10, backoffMaxMs: 50, uncertainHoldMs: 0 } });
const pair = (pos: PosServices) => pos.terminal.pair({ url: odoo.url, database: odoo.db, login: odoo.admin.login, secret: odoo.admin.apiKey, configId: 1 });

/** Every file under a folder, read whole. */
function filesUnder(folder: string): Array<{ file: string; bytes: Buffer }> {
  return fs.readdirSync(folder, { recursive: true, withFileTypes: true }).flatMap((entry) => (entry.isFile() ? [{ file: path.join(entry.parentPath, entry.name), bytes: fs.readFileSync(path.join(entry.parentPath, entry.name)) }] : []));
}

beforeAll(async () => {
  odoo = await startFakeOdoo({ version: '17.0' });
  dir = newPosDir();
  temps.push(dir);
  keyFile = path.join(temp('fleet-pos-key-'), 'odoo-fleet-pos-key', 'terminal.key');
});
afterAll(async () => {
  await odoo.close();
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});

describe('a POS terminal with nobody there', () => {
  it('set up with no passphrase, restarts in a fresh process, sells and syncs', async () => {
    const first = open(dir);
    expect(first.vault.status()).toEqual({ state: 'unlocked', backend: 'keyFile' });
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(keyFile)).mode & 0o777).toBe(0o700);
    await pair(first);
    await first.terminal.openSession(0);
    await first.terminal.refresh();
    first.terminal.commitSale(cashSale(first, 10, 1));
    await first.close();

    // The power comes back: a new process, FLEET_PASSPHRASE unset, nobody typing.
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'tests/support/pos-unattended-child.ts'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, FLEET_DATA_DIR: dir, FLEET_POS_KEY_FILE: keyFile },
      timeout: 60_000,
    });
    const after = JSON.parse(stdout) as { vault: unknown; order: string; round: { status: string; synced: number }; outbox: { pending: number; synced: number } };
    expect(after.vault).toEqual({ state: 'unlocked', backend: 'keyFile' });
    expect(after.round).toMatchObject({ status: 'online', synced: 2 });
    expect(after.outbox).toMatchObject({ pending: 0, synced: 2 });
    expect(odoo.orders().map((o) => o.pos_reference)).toContain(after.order);
    expect(odoo.orders()).toHaveLength(2);

    // Neither the Odoo secret nor the key is anywhere in the data folder.
    const key = fs.readFileSync(keyFile);
    for (const { file, bytes } of filesUnder(dir)) {
      for (const secret of [odoo.admin.apiKey, key.toString('hex'), key.toString('base64')]) expect(bytes.includes(secret), `${file} holds a secret`).toBe(false);
      expect(bytes.includes(key), `${file} holds the key`).toBe(false);
    }
  }, 90_000);

  it('a copy of the data folder alone cannot read the secret, says why, still sells, and pairs again keeping what waits', async () => {
    const copy = temp('fleet-pos-copy-');
    fs.cpSync(dir, copy, { recursive: true });
    const elsewhere = path.join(temp('fleet-pos-nokey-'), 'terminal.key');
    const pos = open(copy, elsewhere);
    try {
      const status = pos.vault.status();
      expect(status).toMatchObject({ state: 'locked', backend: 'keyFile' });
      expect(status.warning).toContain(`The key file ${elsewhere} is missing`);
      expect(fs.existsSync(elsewhere)).toBe(false); // no new key is made for a store that has one
      expect(pos.terminal.adapter()).toBeNull();

      // Selling, receipts and the cashier need no secret.
      const till = { actor: 'till@pos', role: 'cashier' as const, transport: 'internal' as const };
      expect(await pos.dispatcher.invoke('pos.cashierLogin', {}, till)).toMatchObject({ ok: true, value: { name: odoo.admin.login } });
      const sale = cashSale(pos, 11, 2);
      const selling = await pos.dispatcher.invoke('pos.sell', { sale: saleInputOf(sale) }, till);
      const sold = (selling.ok ? selling.value : { uid: '', name: '' }) as { uid: string; name: string };
      expect(pos.terminal.receipt(sold.uid).total).toBe(sale.amountTotal);
      const round = await pos.sync.sync();
      expect(round).toMatchObject({ status: 'offline', deferred: 1 });
      expect(round.error).toContain(elsewhere);
      expect(pos.sync.status().lastError).toContain('Selling works');
      await expect(pos.terminal.refresh()).rejects.toThrow(elsewhere);

      // Paired again: a new key file, the waiting order kept and synced.
      await pair(pos);
      expect(pos.vault.status()).toEqual({ state: 'unlocked', backend: 'keyFile' });
      expect(fs.statSync(elsewhere).mode & 0o777).toBe(0o600);
      expect(await pos.sync.sync()).toMatchObject({ status: 'online', synced: 1 });
      expect(odoo.orders().map((o) => o.pos_reference)).toContain(sold.name);
    } finally {
      await pos.close();
    }
  });

  it('makes a readable key file owner-only, refuses a symbolic link and another user’s file', async () => {
    fs.chmodSync(keyFile, 0o644);
    let pos = open(dir);
    expect(pos.vault.status().state).toBe('unlocked');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    await pos.close();

    const real = `${keyFile}.real`;
    fs.renameSync(keyFile, real);
    fs.symlinkSync(real, keyFile);
    pos = open(dir);
    expect(pos.vault.status()).toMatchObject({ state: 'locked', warning: expect.stringMatching(/symbolic link: refused/) });
    pos.terminal.commitSale(cashSale(pos, 10, 1)); // still sells
    await pos.close();
    fs.rmSync(keyFile);
    fs.renameSync(real, keyFile);

    if (process.getuid?.() === 0) {
      fs.chownSync(keyFile, 65534, 65534);
      pos = open(dir);
      expect(pos.vault.status()).toMatchObject({ state: 'locked', warning: expect.stringMatching(/belongs to another user: refused/) });
      await pos.close();
      fs.chownSync(keyFile, 0, 0);
    }
    pos = open(dir);
    expect(pos.vault.status().state).toBe('unlocked');
    await pos.close();
  });

  it('set up with safeStorage, sells when it is unavailable or fails, says why, and moves to the key file when paired again', async () => {
    // A stand-in for Electron's safeStorage (the desktop app injects the real one).
    const mask = Buffer.from('not a real keyring');
    const xor = (b: Buffer) => Buffer.from(b.map((byte, i) => byte ^ mask[i % mask.length]!));
    const keyring = { available: true, broken: false };
    const safeStorage = {
      isEncryptionAvailable: () => keyring.available,
      encryptString: (plain: string) => xor(Buffer.from(plain)),
      decryptString: (cipher: Buffer) => {
        if (keyring.broken) throw new Error('the keyring refused');
        return xor(cipher).toString();
      },
    };
    const desktopDir = temp('fleet-pos-desktop-');
    const desktopKey = path.join(temp('fleet-pos-desktop-key-'), 'terminal.key');
    const withKeyring = () => createPosServices({ dataDir: desktopDir, keyFile: desktopKey, safeStorage, log: silentLogger });
    let pos = withKeyring();
    expect(pos.vault.status()).toEqual({ state: 'unlocked', backend: 'safeStorage' });
    await pair(pos);
    await pos.terminal.openSession(0);
    await pos.terminal.refresh();
    await pos.close();
    expect(fs.existsSync(desktopKey)).toBe(false);

    // After a power cut the keyring is locked (or this is the web mode): no safeStorage.
    keyring.available = false;
    pos = withKeyring();
    expect(pos.vault.status()).toMatchObject({ state: 'locked', backend: 'safeStorage', warning: expect.stringMatching(/desktop keyring/) });
    pos.terminal.commitSale(cashSale(pos, 13, 1));
    expect(await pos.sync.sync()).toMatchObject({ status: 'offline', error: expect.stringMatching(/desktop keyring.*Selling works/) });
    await pos.close();

    // The keyring is there but cannot unwrap the key: the same, with its reason.
    keyring.available = true;
    keyring.broken = true;
    pos = withKeyring();
    expect(pos.vault.status()).toMatchObject({ state: 'locked', warning: expect.stringMatching(/the keyring refused/) });
    pos.terminal.commitSale(cashSale(pos, 13, 1));
    await pos.close();

    // Paired again while the keyring is unavailable: the secret moves to the key file; both sales sync.
    keyring.available = false;
    pos = withKeyring();
    await pair(pos);
    expect(pos.vault.status()).toEqual({ state: 'unlocked', backend: 'keyFile' });
    expect(await pos.sync.sync()).toMatchObject({ status: 'online', synced: 2 });
    await pos.close();
    pos = createPosServices({ dataDir: desktopDir, keyFile: desktopKey, log: silentLogger });
    expect(pos.vault.status()).toEqual({ state: 'unlocked', backend: 'keyFile' });
    await pos.close();
  });

  it('keeps the key file out of the data folder; a terminal set up with a passphrase keeps it', async () => {
    expect(() => open(dir, path.join(dir, 'terminal.key'))).toThrow(/outside the data folder/);
    const withPassphrase = openPos(temp('fleet-pos-pass-'));
    expect(withPassphrase.vault.status()).toEqual({ state: 'unlocked', backend: 'passphrase' });
    await withPassphrase.close();
  });
});
