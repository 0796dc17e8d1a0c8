import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PosServices } from '../../electron/pos/pos-services.js';
import { addPayment, addProblem, addProduct, cartTotals, lotsProblem, newCart, paymentProblem, refusedProduct, saleInput, setCustomer, setPricing, setQty, type Cart } from '../../pos-shell/src/lib/cart.js';
import { readPosData, readProduct, type PosData, type Product } from '../../pos-shell/src/lib/catalog.js';
import { detailFromOdoo, lineKey, refundCartOf } from '../../pos-shell/src/lib/order-detail.js';
import type { FoundOrder } from '../../pos-shell/src/lib/refunds.js';
import { contract } from '../../shared/contract.js';
import { LOT_NAME_MAX_CHARS, SALE_LINE_NAME_MAX_CHARS, SALE_MAX_LINES, SALE_MAX_LOTS } from '../../shared/pos.js';
import type { FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { startOdooAndTerminal, stopOdooAndTerminal } from '../support/pos-terminal.js';

// The selling UI's refund carts and product checks, on POS data loaded from the fake Odoo.

let odoo: FakeOdoo;
let pos: PosServices;
let dir: string;
let data: PosData;
let products: Map<number, Product>;
beforeAll(async () => {
  ({ odoo, dir, pos } = await startOdooAndTerminal({ version: '17.0', data: { products: 12 } }));
  data = readPosData(pos.terminal.catalog());
  products = new Map(pos.terminal.products({ offset: 0, limit: 50 }).map((r) => [Number(r.id), readProduct(r)]));
});
afterAll(() => stopOdooAndTerminal({ odoo, dir, pos }));

function found(lines: Array<Partial<FoundOrder['lines'][number]> & { id: number; productId: number }>): FoundOrder {
  return {
    id: 7,
    name: 'Order 00001-002-0003',
    date: '2026-11-20 10:00:00',
    configName: 'Bar',
    partner: null,
    pricelistId: null,
    fiscalPositionId: null,
    amountTotal: 0,
    amountTax: 0,
    amountReturn: 0,
    state: 'paid',
    odooName: 'Bar/0003',
    cashier: null,
    invoice: null,
    toInvoice: false,
    payments: [],
    lines: lines.map((l) => ({ name: `P${l.productId}`, uuid: null, qty: 3, refundedQty: 0, priceUnit: 10, discount: 0, taxIds: [], priceSubtotal: 30, priceSubtotalIncl: 30, lots: [], ...l })),
  };
}

/** A refund of everything left of an order found in Odoo, as the Refund dialog gives it with every line chosen whole. */
function refundFromOdoo(order: FoundOrder, byId: ReadonlyMap<number, Product>, customer: null): Cart | string {
  const detail = detailFromOdoo(order, data);
  return refundCartOf(detail, new Map(detail.lines.filter((l) => l.refundable > 0).map((l) => [lineKey(l), l.refundable])), byId, customer);
}

describe('refund carts from orders found in Odoo', () => {
  it("gives back what is left of each line, at its price and with the original line's own taxes, linked to it", () => {
    const productTaxed = [...products.values()].find((p) => p.taxIds.length > 0)!;
    const soldUuid = '6f1c1d36-3a47-4c8e-9d8f-0f5a4f7e2b11';
    const cart = refundFromOdoo(found([{ id: 41, uuid: soldUuid, productId: productTaxed.id, qty: 3, refundedQty: 1, priceUnit: 12.5, discount: 10, taxIds: [] }]), products, null);
    if (typeof cart === 'string') throw new Error(cart);
    const [line] = cart.lines;
    // Keyed by the sold line's uuid: this device's receipts count the refund against that line too.
    expect(line).toMatchObject({ qty: -2, discount: 10, manualPrice: 12.5, refundOf: { lineUuid: soldUuid, serverLineId: 41, refundable: 2 } });
    // Never more than what is left, never a sale.
    expect(setQty(cart, line!.uuid, -5, data).lines[0]!.qty).toBe(-2);
    expect(setQty(cart, line!.uuid, 4, data).lines[0]!.qty).toBe(0);
    expect(setQty(cart, line!.uuid, -1, data).lines[0]!.qty).toBe(-1);
    // The sale names Odoo's line and carries the original's taxes (none here), not the product's current ones.
    const sale = saleInput(cart, data);
    expect(sale.lines[0]).toMatchObject({ qty: -2, refundedOrderlineId: 41, taxIds: [] });
    expect(sale.amountTotal).toBeCloseTo(-22.5, 9);
  });

  it("gives back at the sale's own terms: its fiscal position maps the lines' taxes again, whatever the customer's today", () => {
    const product = [...products.values()].find((p) => p.taxIds.length === 1 && p.taxIds[0] === 1 && p.id !== 1)!;
    const sold = { ...found([{ id: 8, productId: product.id, qty: 1, priceUnit: 20, taxIds: [1] }]), fiscalPositionId: 1 };
    const cart = refundFromOdoo(sold, products, null);
    if (typeof cart === 'string') throw new Error(cart);
    expect(cart.fiscalPositionId).toBe(1);
    // The fake's fiscal position maps its 15% tax to 0%: the refund gives back no tax, as the sale charged none.
    expect(cartTotals(cart, data).amount_tax).toBe(0);
    expect(saleInput(cart, data)).toMatchObject({ fiscalPositionId: 1, lines: [expect.objectContaining({ taxIds: [1], refundedOrderlineId: 8 })] });
  });

  it('refuses an order given back in full, or one whose product this terminal does not have', () => {
    expect(refundFromOdoo(found([{ id: 1, productId: 1, qty: 2, refundedQty: 2 }]), products, null)).toMatch(/at least one line/);
    expect(refundFromOdoo(found([{ id: 1, productId: 999, qty: 2 }]), products, null)).toMatch(/P999 is not in this terminal's products/);
  });

  it('gives back a serial-tracked line with one of its serials left per unit', () => {
    const product = { ...products.get(3)!, tracking: 'serial' as const };
    const cart = refundFromOdoo(found([{ id: 5, productId: 3, qty: 3, refundedQty: 1, lots: ['SN1', 'SN2', 'SN3'] }]), new Map([[3, product]]), null);
    if (typeof cart === 'string') throw new Error(cart);
    expect(cart.lines[0]!.packLots).toEqual(['SN1', 'SN2']);
  });
});

describe('products the terminal will not sell', () => {
  it('refuses combos its data does not describe (Odoo 16 has none; 18 names them otherwise), nothing else', () => {
    const plain = products.get(1)!;
    expect(refusedProduct(plain, data)).toBeNull();
    expect(refusedProduct({ ...plain, record: { ...plain.record, combo_ids: [4] } }, data)).toMatch(/is a combo/);
  });
});

describe("a sale's bounds at the till", () => {
  /** A cart of `n` lines, each its own (a typed price never merges). */
  const cartOf = (n: number): Cart => {
    let cart = newCart();
    for (let i = 0; i < n; i++) cart = addProduct(cart, products.get(1)!, data, { price: 1 });
    return cart;
  };

  it(`refuses a line past ${SALE_MAX_LINES} with a message naming the bound; more of a product already there still adds`, () => {
    const full = addProduct(cartOf(SALE_MAX_LINES - 1), products.get(2)!, data);
    expect(full.lines).toHaveLength(SALE_MAX_LINES);
    const refusal = `A sale holds at most ${SALE_MAX_LINES} lines: pay this one and ring the rest up as a new order.`;
    expect(addProblem(full, products.get(3)!)).toBe(refusal);
    expect(() => addProduct(full, products.get(3)!, data)).toThrow(refusal);
    expect(addProblem(full, products.get(2)!)).toBeNull();
    expect(addProduct(full, products.get(2)!, data).lines.at(-1)!.qty).toBe(2);
  });

  it('refuses lot numbers that are too long, not plain text, or too many for one sale', () => {
    const cart = newCart();
    expect(lotsProblem(cart, ['L'.repeat(LOT_NAME_MAX_CHARS)])).toBeNull();
    expect(lotsProblem(cart, ['L'.repeat(LOT_NAME_MAX_CHARS + 1)])).toMatch(new RegExp(`at most ${LOT_NAME_MAX_CHARS} characters`));
    expect(lotsProblem(cart, ['A\u001dB'])).toMatch(/control characters/);
    const lots = Array.from({ length: SALE_MAX_LOTS }, (_, i) => `SN${i}`);
    const serials = addProduct(cart, products.get(1)!, data, { packLots: lots, qty: lots.length });
    expect(addProblem(serials, products.get(2)!, { packLots: ['one more'] })).toBe(`A sale holds at most ${SALE_MAX_LOTS} lot and serial numbers: pay this one and ring the rest up as a new order.`);
  });

  it('keeps a long product name shortened, so the sale stays within its bounds', () => {
    const long = { ...products.get(1)!, name: `Wide\tname ${'x'.repeat(300)}` };
    const cart = addProduct(newCart(), long, data);
    const sold = saleInput(addPayment(cart, data.paymentMethods[0]!.id, data), data);
    expect(sold.lines[0]!.fullProductName).toHaveLength(SALE_LINE_NAME_MAX_CHARS);
    expect(sold.lines[0]!.fullProductName).toMatch(/^Wide name x+…$/);
    expect(contract['pos.sell'].input.safeParse({ sale: sold }).success).toBe(true);
  });

  it('says a refund cart larger than a sale may be cannot be paid', () => {
    const refund = { ...cartOf(SALE_MAX_LINES), lines: [...cartOf(SALE_MAX_LINES).lines, ...cartOf(1).lines] };
    expect(paymentProblem(refund, cartTotals(refund, data), data)).toBe(`A sale holds at most ${SALE_MAX_LINES} lines (this one has ${SALE_MAX_LINES + 1}).`);
  });
});

describe('pricelist and tax chosen at the till', () => {
  /** The loaded data with a second pricelist (half price) and the cashier allowed to choose the fiscal position. */
  function withChoices(): PosData {
    const catalog = pos.terminal.catalog();
    const models = { ...catalog.models };
    const config = models['pos.config']![0] as Record<string, unknown>;
    models['pos.config'] = [{ ...config, use_pricelist: true, tax_regime_selection: true }];
    // The fake's config loads its public pricelist only when it uses pricelists: both, as Odoo loads the available ones.
    const [publicList] = odoo.catalog.pricelists() as Array<{ items: Array<Record<string, unknown>> }>;
    const halfPrice = { ...publicList!.items[0]!, id: 99, pricelist_id: [2, 'Half price'], percent_price: 50, min_quantity: 0 };
    models['product.pricelist'] = [publicList!, { id: 2, name: 'Half price', display_name: 'Half price', discount_policy: 'with_discount', items: [halfPrice] }];
    models['pos.config'] = [{ ...config, use_pricelist: true, tax_regime_selection: true, pricelist_id: [1, 'Public Pricelist'] }];
    return readPosData({ ...catalog, models });
  }

  it("prices with the chosen pricelist and fiscal position until a customer brings their own, as Odoo's Pricelist and Tax buttons", () => {
    const choices = withChoices();
    expect(choices.taxRegimeSelection).toBe(true);
    // A product taxed 15% (the fake's tax 1), which the fiscal position maps to 0%.
    const product = [...products.values()].find((p) => p.taxIds.length === 1 && p.taxIds[0] === 1 && p.id !== 1)!;
    const list = product.record.lst_price as number;
    const cart = addProduct(newCart(), product, choices);
    expect(cartTotals(cart, choices).amount_total).toBeCloseTo(Math.round(list * 1.15 * 100) / 100, 2);

    const halved = setPricing(cart, { pricelistId: 2 });
    expect(cartTotals(halved, choices).lines[0]!.price_unit).toBeCloseTo(list / 2, 2);
    const untaxed = setPricing(halved, { fiscalPositionId: 1 });
    expect(cartTotals(untaxed, choices).amount_tax).toBe(0);
    expect(saleInput(untaxed, choices)).toMatchObject({ pricelistId: 2, fiscalPositionId: 1 });
    // "Original": the products' own taxes again.
    expect(cartTotals(setPricing(untaxed, { fiscalPositionId: null }), choices).amount_tax).toBeGreaterThan(0);

    // A customer brings their own pricelist and fiscal position (here: none), replacing the choices.
    const customer = { id: 9, name: 'C', detail: '', barcode: null, fiscalPositionId: null, pricelistId: null };
    const withCustomer = setCustomer(untaxed, customer);
    expect(saleInput(withCustomer, choices)).toMatchObject({ pricelistId: 1, fiscalPositionId: null });
  });
});
