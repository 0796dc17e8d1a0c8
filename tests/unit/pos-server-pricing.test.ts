import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sale } from '../../electron/pos/adapters.js';
import type { PosServices } from '../../electron/pos/pos-services.js';
import { addPayment, addProduct, newCart, saleInput, setDiscount } from '../../pos-shell/src/lib/cart.js';
import { readPosData, readProduct } from '../../pos-shell/src/lib/catalog.js';
import { SaleInput } from '../../shared/pos.js';
import { readPricingData, type OdooRecord } from '../../shared/pos/pos-data.js';
import { cashierAuthority, checkSale, type Cashier, type CheckedSale, type CheckedSaleLine, type RefundedLine } from '../../shared/pos/sale-check.js';
import { startFakeOdoo, type FakeConfigOptions, type FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { itemRow, posModels, productRow, taxRow, type CacheSpec } from '../support/pos-cache.js';
import { cashSale, newPosDir, pairedTerminal, saleInputOf } from '../support/pos-terminal.js';
import { thrownFleetError } from '../support/console.js';

// The terminal's server reprices every sale with the selling page's engine (shared/pos/sale-check.ts).
// Fixed examples take their amounts from Odoo 17's own tests (named at each case); forged sales
// are refused with the first difference named; overrides follow the configuration's rules.

const cashier: Cashier = { userId: 2, employeeId: null, isManager: false };
const manager: Cashier = { ...cashier, isManager: true };

function line(productId: number, qty: number, priceUnit: number, priceSubtotal: number, priceSubtotalIncl: number, taxIds: number[] = [], more: Partial<CheckedSaleLine> = {}): CheckedSaleLine {
  return { productId, qty, priceUnit, discount: 0, priceSubtotal, priceSubtotalIncl, taxIds, uuid: crypto.randomUUID(), ...more };
}

function sale(lines: CheckedSaleLine[], totals: { total: number; tax: number; paid: number; change?: number }, payments: CheckedSale['payments'], more: Partial<CheckedSale> = {}): CheckedSale {
  return { lines, payments, amountTotal: totals.total, amountTax: totals.tax, amountPaid: totals.paid, amountReturn: totals.change ?? 0, pricelistId: 1, fiscalPositionId: null, ...more };
}

/** checkSale on a hand-made cache: its products by id. */
function check(spec: CacheSpec, products: OdooRecord[], checked: CheckedSale, who: Cashier = cashier, refunded: (line: CheckedSaleLine) => RefundedLine | null = () => null) {
  return checkSale(checked, readPricingData(posModels(spec)), new Map(products.map((p) => [Number(p.id), p])), who, refunded);
}

const cash = (amount: number) => ({ paymentMethodId: 1, amount });
const bank = (amount: number) => ({ paymentMethodId: 2, amount });

describe("fixed examples from Odoo 17's tests, through the server's check", () => {
  it('docs/odoo-pos-rpc.md (real Odoo 17): Whiteboard Pen 2 × 1.2 with 15 % → 2.4 / 2.76, tax 0.36', () => {
    const spec = { taxes: [taxRow(1, 15)] };
    const pen = productRow(7, 1.2, [1]);
    const honest = sale([line(7, 2, 1.2, 2.4, 2.76, [1])], { total: 2.76, tax: 0.36, paid: 2.76 }, [cash(2.76)]);
    expect(check(spec, [pen], honest)).toEqual([]);
    expect(thrownFleetError(() => check(spec, [pen], { ...honest, amountTax: 0.3 }))).toMatchObject({ code: 'VALIDATION', details: { field: 'amountTax', expected: expect.closeTo(0.36, 9), received: 0.3 } });
  });

  it('test_fiscal_position_no_tax + FiscalPositionNoTax tour: an included 15 % removed → 86.96; the shelf price 100 is a price change', () => {
    const spec: CacheSpec = { taxes: [taxRow(1, 15, { price_include: true })], fiscalPositions: [[1, [[1, false]]]], config: { restrict_price_control: true } };
    const product = productRow(1, 100, [1]);
    const honest = sale([line(1, 1, 86.96, 86.96, 86.96, [1])], { total: 86.96, tax: 0, paid: 86.96 }, [bank(86.96)], { fiscalPositionId: 1 });
    expect(check(spec, [product], honest)).toEqual([]);
    const shelf = sale([line(1, 1, 100, 100, 100, [1])], { total: 100, tax: 0, paid: 100 }, [bank(100)], { fiscalPositionId: 1 });
    expect(thrownFleetError(() => check(spec, [product], shelf))).toMatchObject({ code: 'FORBIDDEN', details: { field: 'lines.0.priceUnit', expected: 86.96, received: 100 } });
  });

  it('pricelist_tour.js: Formula 6.86, min_quantity ordering 2 → 1 each, Dates 2 on 2024-05-15', () => {
    const wallShelf = productRow(1, 1.98, []);
    const spec: CacheSpec = {
      pricelists: [
        { id: 3, name: 'Formula', items: [itemRow(7, { compute_price: 'formula', price_discount: 6, price_surcharge: 5, product_id: [1, ''] })] },
        { id: 4, name: 'min_quantity ordering', items: [itemRow(12, { fixed_price: 1, min_quantity: 2, product_id: [1, ''] }), itemRow(13, { fixed_price: 2, min_quantity: 1, product_id: [1, ''] })] },
        {
          id: 9,
          name: 'Dates',
          items: [
            itemRow(23, { fixed_price: 3, date_start: '2024-05-22', date_end: '2024-05-29' }),
            itemRow(22, { fixed_price: 2, date_start: '2024-05-15', date_end: '2024-05-22' }),
            itemRow(21, { fixed_price: 1, date_start: '2024-05-01', date_end: '2024-05-08' }),
          ],
        },
      ],
      config: { restrict_price_control: true },
    };
    const at = { dateOrder: '2024-05-15T10:30:00.000Z' };
    expect(check(spec, [wallShelf], sale([line(1, 1, 6.86, 6.86, 6.86)], { total: 6.86, tax: 0, paid: 6.86 }, [cash(6.86)], { pricelistId: 3, ...at }))).toEqual([]);
    expect(check(spec, [wallShelf], sale([line(1, 2, 1, 2, 2)], { total: 2, tax: 0, paid: 2 }, [cash(2)], { pricelistId: 4, ...at }))).toEqual([]);
    expect(check(spec, [wallShelf], sale([line(1, 1, 2, 2, 2)], { total: 2, tax: 0, paid: 2 }, [cash(2)], { pricelistId: 9, ...at }))).toEqual([]);
    // A week later the Dates pricelist says 3: the old price is a price change.
    const later = sale([line(1, 1, 2, 2, 2)], { total: 2, tax: 0, paid: 2 }, [cash(2)], { pricelistId: 9, dateOrder: '2024-05-23T10:30:00.000Z' });
    expect(thrownFleetError(() => check(spec, [wallShelf], later))).toMatchObject({ code: 'FORBIDDEN', details: { expected: 3, received: 2 } });
  });

  it('test_rounding_down (DOWN 0.05) + PaymentScreenTotalDueWithOverPayment: 1.98, 5 in cash → 1.95 paid, 3.05 back', () => {
    const spec: CacheSpec = { cashRounding: { rounding: 0.05, rounding_method: 'DOWN' } };
    const product = productRow(1, 1.98, []);
    const honest = sale([line(1, 1, 1.98, 1.98, 1.98)], { total: 1.98, tax: 0, paid: 1.95, change: 3.05 }, [cash(5)]);
    expect(check(spec, [product], honest)).toEqual([]);
    expect(thrownFleetError(() => check(spec, [product], { ...honest, amountReturn: 3.02, amountPaid: 1.98 }))).toMatchObject({ details: { field: 'amountPaid', expected: expect.closeTo(1.95, 9), received: 1.98 } });
  });

  it('test_pos_create_account_move_round_globally: 12.10 and -6.05 with 21 % included → 6.05, tax 1.05', () => {
    const spec: CacheSpec = { taxes: [taxRow(21, 21, { price_include: true })], taxRoundingMethod: 'round_globally' };
    const products = [productRow(1, 12.1, [21]), productRow(2, 6.05, [21])];
    const honest = sale([line(1, 1, 12.1, 10, 12.1, [21]), line(2, -1, 6.05, -5, -6.05, [21])], { total: 6.05, tax: 1.05, paid: 6.05 }, [bank(6.05)]);
    expect(check(spec, products, honest)).toEqual([]);
  });
});

describe('forged sales are refused, naming what differs', () => {
  const spec: CacheSpec = { taxes: [taxRow(1, 15), taxRow(2, 0)] };
  const priced = productRow(2, 193.69, [1]);
  const honest = () => sale([line(2, 1, 193.69, 193.69, 222.74, [1])], { total: 222.74, tax: 29.05, paid: 222.74 }, [cash(222.74)]);

  it('accepts the honest sale of a 193.69 product', () => {
    expect(check(spec, [priced], honest())).toEqual([]);
  });

  it('refuses it for 0.01, whether the line or only the totals say so', () => {
    const s = honest();
    const atACent = { ...s, lines: [{ ...s.lines[0]!, priceSubtotal: 0.01, priceSubtotalIncl: 0.01 }], amountTotal: 0.01, amountTax: 0, amountPaid: 0.01, payments: [cash(0.01)] };
    expect(thrownFleetError(() => check(spec, [priced], atACent))).toMatchObject({ code: 'VALIDATION', message: /Line 1's subtotal is 0.01, but the prices give 193.69/, details: { field: 'lines.0.priceSubtotal', expected: 193.69, received: 0.01 } });
    expect(thrownFleetError(() => check(spec, [priced], { ...s, amountTotal: 0.01, amountPaid: 0.01, payments: [cash(0.01)] }))).toMatchObject({ details: { field: 'amountTotal', received: 0.01 } });
  });

  it('refuses a wrong total, a wrong tax, and taxes that are not the product’s', () => {
    expect(thrownFleetError(() => check(spec, [priced], { ...honest(), amountTotal: 222.73 }))).toMatchObject({ code: 'VALIDATION', details: { field: 'amountTotal', expected: expect.closeTo(222.74, 9), received: 222.73 } });
    expect(thrownFleetError(() => check(spec, [priced], { ...honest(), amountTax: 0 }))).toMatchObject({ details: { field: 'amountTax' } });
    const zeroRated = honest();
    zeroRated.lines = [{ ...zeroRated.lines[0]!, taxIds: [2], priceSubtotalIncl: 193.69 }];
    expect(thrownFleetError(() => check(spec, [priced], zeroRated))).toMatchObject({ code: 'VALIDATION', details: { field: 'lines.0.taxIds', expected: [1], received: [2] } });
  });

  it('refuses an unknown product, tax, payment method, pricelist or fiscal position', () => {
    const s = honest();
    expect(thrownFleetError(() => check(spec, [], s))).toMatchObject({ details: { field: 'lines.0.productId' }, message: /no product 2 on this terminal/ });
    expect(thrownFleetError(() => check(spec, [priced], { ...s, lines: [{ ...s.lines[0]!, taxIds: [1, 99] }] }))).toMatchObject({ details: { field: 'lines.0.taxIds' }, message: /no tax 99/ });
    expect(thrownFleetError(() => check(spec, [priced], { ...s, payments: [{ paymentMethodId: 4, amount: 222.74 }] }))).toMatchObject({ details: { field: 'payments.0.paymentMethodId' } });
    expect(thrownFleetError(() => check(spec, [priced], { ...s, pricelistId: 7 }))).toMatchObject({ details: { field: 'pricelistId' } });
    expect(thrownFleetError(() => check(spec, [priced], { ...s, fiscalPositionId: 3 }))).toMatchObject({ details: { field: 'fiscalPositionId' } });
  });

  it('a discount only where the configuration allows line discounts; allowed, it is returned as an override', () => {
    const s = honest();
    const discounted = { ...s, lines: [{ ...s.lines[0]!, discount: 10, priceSubtotal: 174.32, priceSubtotalIncl: 200.47 }], amountTotal: 200.47, amountTax: 26.15, amountPaid: 200.47, payments: [cash(200.47)] };
    expect(thrownFleetError(() => check({ ...spec, config: { manual_discount: false } }, [priced], discounted))).toMatchObject({ code: 'FORBIDDEN', message: /does not allow line discounts/ });
    expect(check(spec, [priced], discounted)).toEqual([{ lineUuid: s.lines[0]!.uuid, productId: 2, listPrice: 193.69, soldPrice: 193.69, discount: 10, cashier }]);
  });

  it('a price change by a cashier only where restrict_price_control is off; a manager always', () => {
    const cheaper = sale([line(2, 1, 150, 150, 172.5, [1])], { total: 172.5, tax: 22.5, paid: 172.5 }, [cash(172.5)]);
    const restricted = { ...spec, config: { restrict_price_control: true } };
    expect(thrownFleetError(() => check(restricted, [priced], cheaper))).toMatchObject({ code: 'FORBIDDEN', message: /sold at 150 instead of 193.69; on this POS only a manager may change prices/ });
    expect(check(restricted, [priced], cheaper, manager)).toEqual([expect.objectContaining({ listPrice: 193.69, soldPrice: 150, discount: 0, cashier: manager })]);
    expect(check(spec, [priced], cheaper)).toEqual([expect.objectContaining({ soldPrice: 150, cashier })]);
  });

  it('a refund line naming the line it gives back keeps its price; one that names none is priced like a sale', () => {
    const restricted = { ...spec, config: { restrict_price_control: true } };
    // Sold at 180 last month; the refund gives that back, whatever the price today.
    const named = sale([line(2, -1, 180, -180, -207, [1], { refundedOrderlineId: 41, discount: 0 })], { total: -207, tax: -27, paid: -207 }, [cash(-207)]);
    const soldLine: RefundedLine = { key: 'sold', productId: 2, priceUnit: 180, discount: 0, taxIds: [1], qtyLeft: 2 };
    const soldUuid = crypto.randomUUID();
    const seen = (l: CheckedSaleLine) => (l.refundedOrderlineId === 41 || l.refundedLineUuid === soldUuid ? soldLine : null);
    expect(check(restricted, [priced], named, cashier, seen)).toEqual([]);
    expect(check(restricted, [priced], { ...named, lines: [{ ...named.lines[0]!, refundedOrderlineId: undefined, refundedLineUuid: soldUuid }] }, cashier, seen)).toEqual([]);
    const unnamed = { ...named, lines: [{ ...named.lines[0]!, refundedOrderlineId: null }] };
    expect(thrownFleetError(() => check(restricted, [priced], unnamed, cashier, seen))).toMatchObject({ code: 'FORBIDDEN' });
    // Its totals must still add up.
    expect(thrownFleetError(() => check(restricted, [priced], { ...named, amountTotal: -250, amountPaid: -250, payments: [cash(-250)] }, cashier, seen))).toMatchObject({ code: 'VALIDATION', details: { field: 'amountTotal' } });
    // A made-up refund pays nothing out: a line the terminal never saw, another price, discount or taxes, more than is left.
    expect(thrownFleetError(() => check(restricted, [priced], { ...named, lines: [{ ...named.lines[0]!, refundedOrderlineId: 42 }] }, cashier, seen))).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/has not seen/) });
    const at = (changes: Partial<RefundedLine>) => (l: CheckedSaleLine) => (seen(l) ? { ...soldLine, ...changes } : null);
    expect(thrownFleetError(() => check(restricted, [priced], named, cashier, at({ priceUnit: 18 })))).toMatchObject({ details: { field: 'lines.0.priceUnit', expected: 18, received: 180 } });
    expect(thrownFleetError(() => check(restricted, [priced], named, cashier, at({ discount: 10 })))).toMatchObject({ details: { field: 'lines.0.discount' } });
    expect(thrownFleetError(() => check(restricted, [priced], named, cashier, at({ taxIds: [] })))).toMatchObject({ details: { field: 'lines.0.taxIds' } });
    expect(thrownFleetError(() => check(restricted, [priced], named, cashier, at({ qtyLeft: 0.5 })))).toMatchObject({ details: { field: 'lines.0.qty' } });
  });
});

describe('the cashier’s rights from the cached data', () => {
  // 18's `_role` is read as `role` by its adapter (pos-data-shapes.test.ts).
  it("takes pos_hr's employee role, else the session user's", () => {
    const cached = { employees: [{ id: 1, role: 'manager' }, { id: 2, role: 'cashier' }], users: [{ id: 2, role: 'manager' }] };
    expect(cashierAuthority({ userId: 2, employeeId: 1 }, cached)).toEqual({ userId: 2, employeeId: 1, isManager: true });
    expect(cashierAuthority({ userId: 2, employeeId: 2 }, cached)).toEqual({ userId: 2, employeeId: 2, isManager: false });
    expect(cashierAuthority({ userId: 2, employeeId: null }, cached).isManager).toBe(true);
    expect(cashierAuthority({ userId: 6 }, cached).isManager).toBe(false);
  });
});

describe('the terminal refuses forged sales before storing them, and records the overrides it allows', () => {
  const started: Array<{ odoo: FakeOdoo; pos: PosServices; dir: string }> = [];
  async function terminal(config: FakeConfigOptions = {}): Promise<PosServices> {
    const odoo = await startFakeOdoo({ version: '17.0', data: { products: 12 }, configs: [config] });
    const dir = newPosDir();
    const pos = await pairedTerminal(odoo, dir);
    started.push({ odoo, pos, dir });
    return pos;
  }
  afterAll(async () => {
    for (const { odoo, pos, dir } of started) {
      await pos.close();
      await odoo.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  /** A sale of one product rung up with the selling page's cart, changed as `edit` says before paying. */
  function rungUp(pos: PosServices, productId: number, options: { price?: number; discount?: number; employeeId?: number } = {}): Sale {
    const data = readPosData(pos.terminal.catalog());
    const product = readProduct(pos.terminal.products({ ids: [productId], offset: 0, limit: 1 })[0]!);
    let cart = addProduct(newCart(), product, data, options.price === undefined ? {} : { price: options.price });
    if (options.discount) cart = setDiscount(cart, cart.lines[0]!.uuid, options.discount);
    const parsed = SaleInput.parse(saleInput(addPayment(cart, 1, data), data, new Date()));
    return { ...parsed, userId: 2, employeeId: options.employeeId ?? null, dateOrder: new Date(parsed.dateOrder!) };
  }

  const overridesOf = (pos: PosServices, uid: string) => (pos.db.prepare('SELECT price_overrides FROM outbox WHERE uid = ?').get(uid) as { price_overrides: string | null }).price_overrides;

  let plain: PosServices;
  beforeAll(async () => {
    plain = await terminal();
  });

  it('refuses a 193.69 product sold at 0.01 through pos.sell, and stores nothing', async () => {
    const honest = cashSale(plain, 2, 1);
    const forged = { ...honest, lines: [{ ...honest.lines[0]!, priceSubtotal: 0.01, priceSubtotalIncl: 0.01 }], amountTotal: 0.01, amountTax: 0, amountPaid: 0.01, payments: [{ paymentMethodId: 1, amount: 0.01 }] };
    const till = { actor: 't', role: 'cashier' as const, transport: 'internal' as const };
    await plain.dispatcher.invoke('pos.cashierLogin', {}, till);
    const answer = await plain.dispatcher.invoke('pos.sell', { sale: saleInputOf(forged) }, till);
    expect(answer).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { field: 'lines.0.priceSubtotal', expected: 193.69, received: 0.01 } } });
    expect(plain.outbox.list()).toHaveLength(0);
    const sold = plain.terminal.commitSale(honest);
    expect(overridesOf(plain, sold.uid)).toBeNull();
  });

  it('answers a sale sent again (its answer lost) with the order it is, even after the prices changed', () => {
    const honest = cashSale(plain, 5, 1);
    const sold = plain.terminal.commitSale(honest);
    const product = plain.terminal.cached<Record<string, unknown>>('product.product').find((p) => p.id === 5)!;
    plain.db.prepare("UPDATE cache_records SET data = ? WHERE model = 'product.product' AND id = '5'").run(JSON.stringify({ ...product, lst_price: 99 }));
    plain.db.prepare('UPDATE cache_loads SET loaded_at = ?').run(new Date(Date.now() + 1000).toISOString());
    expect(plain.terminal.commitSale(honest)).toMatchObject({ uid: sold.uid });
    // A new sale at the old price is now a price change (allowed here, and recorded).
    const again = plain.terminal.commitSale({ ...honest, uuid: crypto.randomUUID() });
    expect(JSON.parse(overridesOf(plain, again.uid)!)).toEqual([expect.objectContaining({ productId: 5, listPrice: 99, soldPrice: 81.05 })]);
  });

  it('refuses an unknown product or payment method', () => {
    const honest = cashSale(plain, 3, 1);
    expect(() => plain.terminal.commitSale({ ...honest, lines: [{ ...honest.lines[0]!, productId: 999 }] })).toThrow(/no product 999 on this terminal/);
    // The fake's card (4) is archived: not this terminal's to take.
    expect(() => plain.terminal.commitSale({ ...honest, payments: [{ paymentMethodId: 4, amount: honest.amountTotal }] })).toThrow(/No payment method 4/);
  });

  it('records an allowed discount with the cashier, in the same transaction as the sale', () => {
    const sold = plain.terminal.commitSale(rungUp(plain, 3, { discount: 10 }));
    expect(JSON.parse(overridesOf(plain, sold.uid)!)).toEqual([{ lineUuid: expect.any(String), productId: 3, listPrice: 144.29, soldPrice: 144.29, discount: 10, cashier: { userId: 2, employeeId: null, isManager: true } }]);
  });

  it('refuses a discount where the configuration has no line discounts', async () => {
    const pos = await terminal({ manualDiscount: false });
    expect(() => pos.terminal.commitSale(rungUp(pos, 3, { discount: 10 }))).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(pos.outbox.list()).toHaveLength(0);
  });

  it("with restrict_price_control, lets pos_hr's manager change a price and refuses a cashier", async () => {
    const pos = await terminal({ posHr: true, restrictPriceControl: true });
    // The fake's employees: 1 Mitchell Admin (a POS manager's user), 2 Marc Demo (a POS user's).
    expect(() => pos.terminal.commitSale(rungUp(pos, 3, { price: 100, employeeId: 2 }))).toThrow(/only a manager may change prices/);
    const sold = pos.terminal.commitSale(rungUp(pos, 3, { price: 100, employeeId: 1 }));
    expect(JSON.parse(overridesOf(pos, sold.uid)!)).toEqual([expect.objectContaining({ listPrice: 144.29, soldPrice: 100, cashier: { userId: 2, employeeId: 1, isManager: true } })]);
    expect(pos.outbox.list()).toHaveLength(1);
  });
});
