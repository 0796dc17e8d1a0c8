import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../electron/common/log.js';
import type { Sale } from '../../electron/pos/adapters.js';
import { createPosServices, type PosServices } from '../../electron/pos/pos-services.js';
import type { SyncOptions } from '../../electron/pos/sync-engine.js';
import { addPayment, addProduct, newCart, saleInput, setPaymentAmount } from '../../pos-shell/src/lib/cart.js';
import { readPosData, readProduct } from '../../pos-shell/src/lib/catalog.js';
import { SaleInput } from '../../shared/pos.js';
import { startFakeOdoo, type FakeOdoo, type FakeOdooOptions } from '../fixtures/fake-odoo/server.js';
import { FAST_KDF } from './console.js';

// A POS terminal on a fresh data folder, paired with a fake Odoo and selling in an open session.

export const POS_PASSPHRASE = 'pos test passphrase';

export function newPosDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-pos-'));
}

export function openPos(dataDir: string, sync: SyncOptions = {}): PosServices {
  return createPosServices({ dataDir, passphrase: POS_PASSPHRASE, kdf: FAST_KDF, sync: { backoffBaseMs: 20, backoffMaxMs: 200, uncertainHoldMs: 0, ...sync }, log: silentLogger });
}


/** Pairs with the fake (API key), opens the session and loads the data. */
export async function pairedTerminal(odoo: FakeOdoo, dataDir = newPosDir(), sync: SyncOptions = {}): Promise<PosServices> {
  const pos = openPos(dataDir, sync);
  await pos.terminal.pair({ url: odoo.url, database: odoo.db, login: odoo.admin.login, secret: odoo.admin.apiKey, configId: 1 });
  await pos.terminal.openSession(0);
  await pos.terminal.refresh();
  return pos;
}

/** A fake Odoo, a fresh terminal folder and, once paired, the terminal there: one test file's setup. */
export interface OdooAndTerminal {
  odoo: FakeOdoo;
  dir: string;
  pos: PosServices;
}

/** A fake Odoo and a fresh folder for a terminal to open. */
export async function startOdooWithFolder(options: FakeOdooOptions): Promise<Omit<OdooAndTerminal, 'pos'>> {
  return { odoo: await startFakeOdoo(options), dir: newPosDir() };
}

/** A fake Odoo and a terminal paired with it on a fresh folder. */
export async function startOdooAndTerminal(options: FakeOdooOptions): Promise<OdooAndTerminal> {
  const { odoo, dir } = await startOdooWithFolder(options);
  return { odoo, dir, pos: await pairedTerminal(odoo, dir) };
}

/** Closes the terminal and the fake, then removes the folder; a part a failed setup never made is skipped. */
export async function stopOdooAndTerminal({ odoo, dir, pos }: Partial<OdooAndTerminal>): Promise<void> {
  await pos?.close();
  await odoo?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

export interface CashSaleOptions {
  /** The payment method (default 1, cash). */
  methodId?: number;
  /** What the customer hands over, when not the exact amount (the change is worked out as the selling page does). */
  tendered?: number;
  userId?: number;
}

/**
 * A paid sale of `qty` × a cached product, rung up with the selling page's own cart code on the
 * terminal's data: its pricelist price, taxes and totals, as the server's price check expects.
 */
export function cashSale(pos: PosServices, productId: number, qty: number, options: CashSaleOptions = {}): Sale {
  const data = readPosData(pos.terminal.catalog());
  const record = pos.terminal.products({ ids: [productId], offset: 0, limit: 1 })[0];
  if (!record) throw new Error(`No product ${productId} in the terminal's cache`);
  let cart = addPayment(addProduct(newCart(), readProduct(record), data, { qty, merge: false }), options.methodId ?? 1, data);
  if (options.tendered !== undefined) cart = setPaymentAmount(cart, cart.payments[0]!.id, options.tendered, data);
  const sale = SaleInput.parse(saleInput(cart, data));
  return { ...sale, userId: options.userId ?? 2, employeeId: null, dateOrder: new Date(sale.dateOrder!) };
}

/** A sale as the selling UI sends it to pos.sell: no cashier (the terminal attributes it), the payment time as text. */
export function saleInputOf(sale: Sale): SaleInput {
  const { userId: _user, employeeId: _employee, dateOrder, ...content } = sale;
  return { ...content, dateOrder: dateOrder.toISOString() };
}
