import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../electron/common/log.js';
import type { Sale } from '../../electron/pos/adapters.js';
import type { SaleInput } from '../../shared/pos.js';
import { createPosServices, type PosServices } from '../../electron/pos/pos-services.js';
import type { SyncOptions } from '../../electron/pos/sync-engine.js';
import type { FakeOdoo } from '../fixtures/fake-odoo/server.js';
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

/** A paid cash sale of `qty` × a product at `price` (tax free, so its totals are plain). */
export function cashSale(productId: number, qty: number, price: number, userId = 2): Sale {
  const total = Math.round(qty * price * 100) / 100;
  return {
    lines: [{ productId, qty, priceUnit: price, discount: 0, priceSubtotal: total, priceSubtotalIncl: total, taxIds: [], fullProductName: `Product ${productId}`, uuid: crypto.randomUUID() }],
    payments: [{ paymentMethodId: 1, amount: total }],
    amountTotal: total,
    amountTax: 0,
    amountPaid: total,
    amountReturn: 0,
    partnerId: null,
    pricelistId: null,
    fiscalPositionId: null,
    userId,
    toInvoice: false,
    uuid: crypto.randomUUID(),
    accessToken: crypto.randomUUID(),
    dateOrder: new Date(),
  };
}

/** A sale as the selling UI sends it to pos.sell: no cashier (the terminal attributes it), the payment time as text. */
export function saleInputOf(sale: Sale): SaleInput {
  const { userId: _user, employeeId: _employee, dateOrder, ...content } = sale;
  return { ...content, dateOrder: dateOrder.toISOString() };
}
