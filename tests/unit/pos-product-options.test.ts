import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PosServices } from '../../electron/pos/pos-services.js';
import { addCombo, addPayment, addProduct, newCart, refusedProduct, removeLine, saleInput, setDiscount, setQty } from '../../pos-shell/src/lib/cart.js';
import { addStep, configure } from '../../pos-shell/src/lib/cart-options.js';
import { readPosData, readProduct } from '../../pos-shell/src/lib/catalog.js';
import { SaleInput } from '../../shared/pos.js';
import { comboChildPrices, comboChildUnitPrices, productCombos } from '../../shared/pos/combo-pricing.js';
import { mapTaxes } from '../../shared/pos/fiscal-position.js';
import { computeOrderTotals, payloadTaxIds } from '../../shared/pos/order-totals.js';
import { engineProduct, listedUnitPrice, readPricingData, type OdooRecord, type PricingData } from '../../shared/pos/pos-data.js';
import { checkChoice, configuredName, defaultChoice, needsConfigurator, productAttributes } from '../../shared/pos/product-config.js';
import { checkSale, type CheckedSale, type CheckedSaleLine } from '../../shared/pos/sale-check.js';
import { itemRow, posModels, productRow, taxRow, type CacheSpec } from '../support/pos-cache.js';
import { thrownFleetError } from '../support/console.js';
import type { FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { startOdooAndTerminal, stopOdooAndTerminal } from '../support/pos-terminal.js';

// Odoo 17's product configurator and combos, priced by shared/pos (product-config.ts,
// combo-pricing.ts) and re-checked by the terminal's server (option-check.ts via checkSale). The
// products are those of Odoo 17's own POS tests; each expected figure names where it comes from.

const cashier = { userId: 2, employeeId: null, isManager: false };

// test_frontend.py: the "Configurable Chair" (list price 10, no taxes) with three no-variant lines —
// Color (color: Red +1, Blue), Chair Legs (select: Metal, Wood), Fabrics (radio: Leather, Other
// custom; "wool" is inactive so Odoo does not load it) — and the Whiteboard Pen (1.20) with a
// single-value "add 2" line whose value adds 2.
const ATTRIBUTES = {
  '1': { id: 1, name: 'Color', display_type: 'color', sequence: 1, values: [{ id: 11, name: 'Red', is_custom: false, price_extra: 1, html_color: '#ff0000' }, { id: 12, name: 'Blue', is_custom: false, price_extra: 0 }] },
  '2': { id: 2, name: 'Chair Legs', display_type: 'select', sequence: 2, values: [{ id: 21, name: 'Metal', is_custom: false, price_extra: 0 }, { id: 22, name: 'Wood', is_custom: false, price_extra: 0 }] },
  '3': { id: 3, name: 'Fabrics', display_type: 'radio', sequence: 3, values: [{ id: 31, name: 'Leather', is_custom: false, price_extra: 0 }, { id: 33, name: 'Other', is_custom: true, price_extra: 0 }] },
  '4': { id: 4, name: 'add 2', display_type: 'radio', sequence: 4, values: [{ id: 41, name: 'add 2', is_custom: false, price_extra: 2 }] },
};
const chair = productRow(1, 10, [], { display_name: 'Configurable Chair', attribute_line_ids: [1, 2, 3] });
const pen = productRow(2, 1.2, [], { display_name: 'Whiteboard Pen', attribute_line_ids: [4] });

// common_setup_methods.setup_pos_combo_items with test_07_pos_combo's price: "Office Combo" at 50
// made of Desks (products 4: 20, 5: 25 +2), Chairs (6: 30, 7: 32, 8: 40 +5) and Desk Accessories
// (1: 10, 2: 11, 3: 16 +2); taxes 10 % (4), 20 % included affecting later bases (5), 30 % (6).
const comboTaxes = [taxRow(4, 10), taxRow(5, 20, { price_include: true, include_base_amount: true }), taxRow(6, 30)];
const comboProducts = [
  [11, 10, 4],
  [12, 11, 5],
  [13, 16, 6],
  [14, 20, 4],
  [15, 25, 5],
  [16, 30, 6],
  [17, 32, 4],
  [18, 40, 5],
].map(([id, price, tax]) => productRow(id!, price!, [tax!], { display_name: `Combo Product ${id! - 10}` }));
const office = productRow(20, 50, [], { display_name: 'Office Combo', combo_ids: [2, 3, 1] });
// A combo of one combo whose pick is the configurable chair (rule: its values' extras add to its share).
const seats = productRow(21, 12, [], { display_name: 'Seat Combo', combo_ids: [4] });
const COMBOS = [
  { id: 1, name: 'Desk Accessories Combo', combo_line_ids: [1, 2, 3], base_price: 10 },
  { id: 2, name: 'Desks Combo', combo_line_ids: [4, 5], base_price: 20 },
  { id: 3, name: 'Chairs Combo', combo_line_ids: [6, 7, 8], base_price: 30 },
  { id: 4, name: 'Seats', combo_line_ids: [9], base_price: 10 },
];
const comboLine = (id: number, comboId: number, productId: number, price: number) => ({ id, combo_id: [comboId, ''], product_id: [productId, ''], combo_price: price });
const COMBO_LINES = [comboLine(1, 1, 11, 0), comboLine(2, 1, 12, 0), comboLine(3, 1, 13, 2), comboLine(4, 2, 14, 0), comboLine(5, 2, 15, 2), comboLine(6, 3, 16, 0), comboLine(7, 3, 17, 0), comboLine(8, 3, 18, 5), comboLine(9, 4, 1, 0.5)];

function pricing(spec: CacheSpec = {}): PricingData {
  return readPricingData({ ...posModels({ taxes: comboTaxes, ...spec }), attributes_by_ptal_id: Object.values(ATTRIBUTES), 'pos.combo': COMBOS, 'pos.combo.line': COMBO_LINES });
}

const PRODUCTS = new Map([chair, pen, office, seats, ...comboProducts].map((p) => [Number(p.id), p as OdooRecord]));

/** A sale of these lines (price, quantity, extras and links given), every amount from the engine. */
function honestSale(data: PricingData, lines: Array<Partial<CheckedSaleLine> & { productId: number; priceUnit: number }>, more: Partial<CheckedSale> = {}): CheckedSale {
  const full = lines.map((l) => ({ qty: 1, discount: 0, uuid: crypto.randomUUID(), taxIds: payloadTaxIds((PRODUCTS.get(l.productId)!.taxes_id as number[]) ?? [], data.taxes), priceSubtotal: 0, priceSubtotalIncl: 0, ...l }));
  const totals = computeOrderTotals(full.map((l) => ({ priceUnit: l.priceUnit, quantity: l.qty, discount: l.discount, taxes: mapTaxes(l.taxIds, null, data.taxesById) })), [], data.settings);
  const priced = full.map((l, i) => ({ ...l, priceSubtotal: totals.lines[i]!.price_subtotal, priceSubtotalIncl: totals.lines[i]!.price_subtotal_incl }));
  return { lines: priced, payments: [{ paymentMethodId: 2, amount: totals.amount_total }], amountTotal: totals.amount_total, amountTax: totals.amount_tax, amountPaid: totals.amount_total, amountReturn: 0, pricelistId: 1, fiscalPositionId: null, ...more };
}

const check = (data: PricingData, sale: CheckedSale) => checkSale(sale, data, PRODUCTS, cashier);
const terms = (data: PricingData) => ({ pricelist: data.defaultPricelist, fiscalPositionId: null });

describe("the product configurator (Odoo 17's ProductConfiguratorTour)", () => {
  const data = pricing();
  const attributes = productAttributes(chair, data.attributes);

  it('asks for the chair (choices, a custom value) but not for the pen, whose one value is taken', () => {
    expect(attributes.map((a) => a.name)).toEqual(['Color', 'Chair Legs', 'Fabrics']);
    expect(needsConfigurator(attributes)).toBe(true);
    const penAttributes = productAttributes(pen, data.attributes);
    expect(needsConfigurator(penAttributes)).toBe(false);
    // openConfigurator without a popup: each line's first value, their extras added (1.20 + 2).
    const taken = checkChoice(penAttributes, defaultChoice(penAttributes));
    expect(taken).toMatchObject({ valueIds: [41], priceExtra: 2 });
    expect(listedUnitPrice(data, engineProduct(pen), 1, terms(data), Date.now(), 2)).toBeCloseTo(3.2, 9);
  });

  it('Red, Metal, Other "Custom Fabric" → "Configurable Chair (Red, Metal, Other: Custom Fabric)" at 11.0; Blue, Metal, Leather at 10.0', () => {
    const red = checkChoice(attributes, { valueIds: [33, 21, 11], customValues: [{ valueId: 33, text: 'Custom Fabric' }] });
    if ('problem' in red) throw new Error(red.problem);
    expect(red.valueIds).toEqual([11, 21, 33]);
    expect(configuredName('Configurable Chair', red.label)).toBe('Configurable Chair (Red, Metal, Other: Custom Fabric)');
    expect(listedUnitPrice(data, engineProduct(chair), 1, terms(data), Date.now(), red.priceExtra)).toBe(11);
    const blue = checkChoice(attributes, { valueIds: [12, 21, 31], customValues: [] });
    expect(blue).toMatchObject({ priceExtra: 0, label: 'Blue, Metal, Leather' });
  });

  it('a pricelist rule applies to the list price with the extra (rule: get_price adds price_extra before the rule; a fixed price replaces both)', () => {
    const spec: CacheSpec = { pricelists: [{ id: 1, name: 'Ten off', items: [itemRow(1, { compute_price: 'percentage', percent_price: 10 })] }, { id: 2, name: 'Fixed', items: [itemRow(2, { fixed_price: 1 })] }] };
    const discounted = pricing(spec);
    expect(listedUnitPrice(discounted, engineProduct(chair), 1, terms(discounted), Date.now(), 1)).toBeCloseTo(9.9, 9);
    expect(listedUnitPrice(discounted, engineProduct(chair), 1, { pricelist: discounted.pricelists[1]!, fiscalPositionId: null }, Date.now(), 1)).toBe(1);
  });

  it('refuses a choice Odoo could not make', () => {
    expect(checkChoice(attributes, { valueIds: [11, 21], customValues: [] })).toEqual({ problem: 'choose one Fabrics' });
    expect(checkChoice(attributes, { valueIds: [11, 12, 21, 31], customValues: [] })).toEqual({ problem: 'choose one Color' });
    expect(checkChoice(attributes, { valueIds: [11, 21, 31, 41], customValues: [] })).toEqual({ problem: 'a value does not belong to this product' });
    expect(checkChoice(attributes, { valueIds: [11, 21, 31], customValues: [{ valueId: 31, text: 'x' }] })).toEqual({ problem: 'a custom text is given for a value that takes none' });
  });
});

describe("combos (Odoo 17's PosComboPriceTaxIncludedTour)", () => {
  const data = pricing();
  const combos = productCombos(office, data.combos)!;
  const pick = (...ids: number[]) => ids.map((id) => combos.flatMap((c) => c.lines).find((l) => l.id === id)!);

  it('splits 50 by the combos’ base prices 10 / 20 / 30 in combo-id order, the remainder on the last, plus each pick’s extra', () => {
    expect(combos.map((c) => c.id)).toEqual([1, 2, 3]);
    // 50 × 10/60 = 8.33, 50 × 20/60 = 16.67, the rest 25.00; Combo Product 3 adds 2, 5 adds 2, 8 adds 5.
    const prices = comboChildPrices(50, combos, pick(3, 5, 8), 2);
    expect(prices.map((p) => Math.round(p * 100) / 100)).toEqual([10.33, 18.67, 30]);
    // Rule (compute_child_lines): three equal bases share 10 as 3.33, 3.33 and the rest, 3.34.
    const equal = combos.map((c) => ({ ...c, basePrice: 1 }));
    expect(comboChildPrices(10, equal, pick(1, 4, 6), 2).map((p) => Math.round(p * 100) / 100)).toEqual([3.33, 3.33, 3.34]);
  });

  it('prices the tour’s lines 13.43, 18.67, 30.00 (total 62.10) and the second order’s at 59.17', () => {
    const first = comboChildUnitPrices(data, office, pick(3, 5, 8).map((p) => ({ pick: p, product: PRODUCTS.get(p.productId)! })), combos, terms(data), Date.now());
    const sale = honestSale(data, [{ productId: 20, priceUnit: 0 }, ...pick(3, 5, 8).map((p, i) => ({ productId: p.productId, priceUnit: first[i]! }))]);
    expect(sale.lines.map((l) => l.priceSubtotalIncl)).toEqual([0, 13.43, 18.67, 30]);
    expect(sale.amountTotal).toBeCloseTo(62.1, 9);
    const second = comboChildUnitPrices(data, office, pick(2, 4, 6).map((p) => ({ pick: p, product: PRODUCTS.get(p.productId)! })), combos, terms(data), Date.now());
    expect(honestSale(data, second.map((priceUnit, i) => ({ productId: pick(2, 4, 6)[i]!.productId, priceUnit }))).amountTotal).toBeCloseTo(59.17, 9);
  });
});

describe("the server's check of configured and combo lines (the page is untrusted)", () => {
  const data = pricing({ config: { restrict_price_control: true } });
  const configured = { productId: 1, priceUnit: 11, priceExtra: 1, attributeValueIds: [11, 21, 33], customAttributeValues: [{ valueId: 33, text: 'Custom Fabric' }], fullProductName: 'Configurable Chair (Red, Metal, Other: Custom Fabric)' };

  it('takes the honest configured chair, and refuses a lower extra, a wrong value, a missing choice, a price without its extra', () => {
    expect(check(data, honestSale(data, [configured]))).toEqual([]);
    expect(thrownFleetError(() => check(data, honestSale(data, [{ ...configured, priceUnit: 10, priceExtra: 0 }])))).toMatchObject({ code: 'VALIDATION', details: { field: 'lines.0.priceExtra', expected: 1, received: 0 } });
    expect(thrownFleetError(() => check(data, honestSale(data, [{ ...configured, attributeValueIds: [11, 21, 41] }])))).toMatchObject({ code: 'VALIDATION', details: { field: 'lines.0.attributeValueIds' } });
    expect(thrownFleetError(() => check(data, honestSale(data, [{ productId: 1, priceUnit: 10 }])))).toMatchObject({ code: 'VALIDATION', details: { field: 'lines.0.attributeValueIds' } });
    // The extra declared but the price left without it: a price change, which only a manager may make here.
    expect(thrownFleetError(() => check(data, honestSale(data, [{ ...configured, priceUnit: 10 }])))).toMatchObject({ code: 'FORBIDDEN', details: { field: 'lines.0.priceUnit', expected: 11, received: 10 } });
    expect(thrownFleetError(() => check(data, honestSale(data, [{ productId: 11, priceUnit: 10, attributeValueIds: [11] }])))).toMatchObject({ code: 'VALIDATION', details: { field: 'lines.0.attributeValueIds' } });
    // Named otherwise than its values: the receipt would not say what was sold.
    expect(thrownFleetError(() => check(data, honestSale(data, [{ ...configured, fullProductName: 'Configurable Chair (Blue, Metal, Leather)' }])))).toMatchObject({ details: { field: 'lines.0.fullProductName' } });
  });

  const combos = productCombos(office, data.combos)!;
  const picks = [3, 5, 8].map((id) => combos.flatMap((c) => c.lines).find((l) => l.id === id)!);
  const prices = comboChildUnitPrices(data, office, picks.map((p) => ({ pick: p, product: PRODUCTS.get(p.productId)! })), combos, terms(data), Date.now());
  const parentUuid = crypto.randomUUID();
  const comboLines = () => [{ productId: 20, priceUnit: 0, uuid: parentUuid }, ...picks.map((p, i) => ({ productId: p.productId, priceUnit: prices[i]!, comboParentUuid: parentUuid, comboLineId: p.id }))];

  it('takes the honest combo, and refuses a child priced lower, a parent priced, a missing or foreign pick, a child alone, another quantity', () => {
    expect(check(data, honestSale(data, comboLines()))).toEqual([]);
    const cheaper = comboLines();
    cheaper[3]!.priceUnit = 20;
    expect(thrownFleetError(() => check(data, honestSale(data, cheaper)))).toMatchObject({ code: 'VALIDATION', details: { field: 'lines.3.priceUnit', expected: 30, received: 20 } });
    const priced = comboLines();
    priced[0]!.priceUnit = 1;
    expect(thrownFleetError(() => check(data, honestSale(data, priced)))).toMatchObject({ details: { field: 'lines.0.priceUnit' } });
    expect(thrownFleetError(() => check(data, honestSale(data, comboLines().slice(0, 3))))).toMatchObject({ details: { field: 'lines.0.comboLineId' } });
    const swapped = comboLines();
    swapped[1] = { ...swapped[1]!, productId: 11 };
    expect(thrownFleetError(() => check(data, honestSale(data, swapped)))).toMatchObject({ details: { field: 'lines.1.productId' } });
    expect(thrownFleetError(() => check(data, honestSale(data, comboLines().slice(1))))).toMatchObject({ details: { field: 'lines.0.comboParentUuid' } });
    const more = comboLines().map((l, i) => (i === 2 ? { ...l, qty: 2 } : l));
    expect(thrownFleetError(() => check(data, honestSale(data, more)))).toMatchObject({ details: { field: 'lines.2.qty' } });
    // A pick hung on a combo line given back by a refund would go unpriced: refused.
    const underRefund = comboLines().map((l, i) => (i === 0 ? { ...l, qty: -1, refundedLineUuid: crypto.randomUUID() } : { ...l, priceUnit: 0.01 }));
    const soldCombo = (line: CheckedSaleLine) => (line.productId === 20 ? { key: 'sold', productId: 20, priceUnit: 0, discount: 0, taxIds: [], qtyLeft: 1 } : null);
    expect(thrownFleetError(() => checkSale(honestSale(data, underRefund), data, PRODUCTS, cashier, soldCombo))).toMatchObject({ details: { field: 'lines.1.comboParentUuid' } });
    const own = comboLines().map((l, i) => (i === 0 ? { ...l, comboParentUuid: parentUuid, comboLineId: 3 } : l));
    expect(thrownFleetError(() => check(data, honestSale(data, own)))).toMatchObject({ details: { field: 'lines.0.comboParentUuid' } });
    const sameUuid = comboLines().map((l, i) => (i === 2 ? { ...l, uuid: parentUuid } : l));
    expect(thrownFleetError(() => check(data, honestSale(data, sameUuid)))).toMatchObject({ details: { field: 'lines' } });
    const twice = [...comboLines(), { ...comboLines()[1]!, uuid: crypto.randomUUID() }];
    expect(thrownFleetError(() => check(data, honestSale(data, twice)))).toMatchObject({ details: { field: 'lines.0.comboLineId' } });
  });

  it('prices a configured pick at its share, its combo price and its values’ extras: 12 + 0.5 + 1 (Red) = 13.5; a lower extra is refused', () => {
    const seatUuid = crypto.randomUUID();
    const pick = { productId: 1, comboParentUuid: seatUuid, comboLineId: 9, attributeValueIds: [11, 21, 31], priceExtra: 1, fullProductName: 'Configurable Chair (Red, Metal, Leather)' };
    const honest = honestSale(data, [{ productId: 21, priceUnit: 0, uuid: seatUuid }, { ...pick, priceUnit: 13.5 }]);
    expect(check(data, honest)).toEqual([]);
    expect(thrownFleetError(() => check(data, honestSale(data, [{ productId: 21, priceUnit: 0, uuid: seatUuid }, { ...pick, priceUnit: 12.5, priceExtra: 0 }])))).toMatchObject({ details: { field: 'lines.1.priceExtra' } });
    expect(thrownFleetError(() => check(data, honestSale(data, [{ productId: 21, priceUnit: 0, uuid: seatUuid }, { ...pick, priceUnit: 12.5 }])))).toMatchObject({ details: { field: 'lines.1.priceUnit', expected: 13.5 } });
  });

  it('refuses refund links on lines that give nothing back', () => {
    // A combo "giving back" with positive quantities would go unpriced; Odoo would lower the named lines' refunded quantity.
    const fakeRefund = comboLines().map((l) => ({ ...l, priceUnit: l.priceUnit && 0.01, refundedLineUuid: crypto.randomUUID() }));
    const anySold = (line: CheckedSaleLine) => ({ key: line.uuid, productId: line.productId, priceUnit: line.priceUnit, discount: 0, taxIds: line.taxIds, qtyLeft: 1 });
    expect(thrownFleetError(() => checkSale(honestSale(data, fakeRefund), data, PRODUCTS, cashier, anySold))).toMatchObject({ code: 'VALIDATION', details: { field: 'lines.0.qty' } });
    const positive = { productId: 11, qty: 1, priceUnit: 10, priceSubtotal: 10, priceSubtotalIncl: 10, fullProductName: 'x', uuid: crypto.randomUUID(), refundedOrderlineId: 7 };
    const input = (line: typeof positive, amount: number) => ({ lines: [line], payments: [{ paymentMethodId: 1, amount }], amountTotal: amount, amountTax: 0, amountPaid: amount, uuid: crypto.randomUUID(), accessToken: crypto.randomUUID() });
    expect(SaleInput.safeParse(input(positive, 10)).error?.issues.map((issue) => issue.path.join('.'))).toEqual(['lines.0.qty']);
    expect(SaleInput.safeParse(input({ ...positive, qty: -1, priceSubtotal: -10, priceSubtotalIncl: -10 }, -10)).success).toBe(true);
  });

  it('refuses a combo whose combos are not loaded (Odoo 16 has none; 18 names them otherwise)', () => {
    const bare = readPricingData(posModels({ taxes: comboTaxes }));
    expect(thrownFleetError(() => checkSale(honestSale(bare, comboLines()), bare, PRODUCTS, cashier))).toMatchObject({ code: 'VALIDATION', details: { field: 'lines.0.productId' } });
  });
});

describe('rung up with the selling page\'s cart, stored by the terminal and synced to the fake Odoo 17', () => {
  let odoo: FakeOdoo;
  let pos: PosServices;
  let dir: string;
  beforeAll(async () => {
    ({ odoo, dir, pos } = await startOdooAndTerminal({ version: '17.0', data: { products: 3, productOptions: true } }));
  });
  afterAll(() => stopOdooAndTerminal({ odoo, dir, pos }));

  const product = (id: number) => readProduct(pos.terminal.products({ ids: [id], offset: 0, limit: 1 })[0]!);

  it('sends the chair with its values, custom text and extra, and the combo with its links, at the prices Odoo stores', async () => {
    const data = readPosData(pos.terminal.catalog());
    const chair = product(4);
    const step = addStep(chair, data);
    if (step.kind !== 'configure') throw new Error(`the chair should open the configurator, not ${step.kind}`);
    const config = configure(step.attributes, { valueIds: [11, 21, 33], customValues: [{ valueId: 33, text: 'Custom Fabric' }] });
    if ('problem' in config) throw new Error(config.problem);
    let cart = addProduct(newCart(), chair, data, { config });
    const office = product(16);
    const combo = addStep(office, data);
    if (combo.kind !== 'combo') throw new Error('the office combo should open the chooser');
    const picks = combo.combos.map((c) => c.lines.find((l) => [3, 5, 8].includes(l.id))!).map((pick) => ({ pick, product: product(pick.productId) }));
    cart = addCombo(cart, office, picks);
    // A combo's lines take no discount, and change quantity together.
    cart = setDiscount(cart, cart.lines[2]!.uuid, 50);
    cart = setQty(cart, cart.lines[2]!.uuid, 2, data);
    expect(cart.lines.map((l) => [l.qty, l.discount])).toEqual([[1, 0], [2, 0], [2, 0], [2, 0], [2, 0]]);
    cart = setQty(cart, cart.lines[1]!.uuid, 1, data);
    const parsed = SaleInput.parse(saleInput(addPayment(cart, 1, data), data, new Date()));
    expect(parsed.amountTotal).toBeCloseTo(73.1, 9);
    const order = pos.terminal.commitSale({ ...parsed, userId: 2, dateOrder: new Date(parsed.dateOrder!) });
    expect(await pos.sync.sync()).toMatchObject({ synced: 1, parked: 0 });
    const stored = odoo.orders().find((o) => o.pos_reference === order.name)!;
    expect(stored.lines.map((l) => [l.product_id, l.price_unit, l.price_extra, l.attribute_value_ids, l.custom_attribute_values.map((c) => c.custom_value), l.combo_parent_id === false ? null : stored.lines.find((p) => p.id === l.combo_parent_id)!.product_id])).toEqual([
      [4, 11, 1, [11, 21, 33], ['Custom Fabric'], null],
      [16, 0, 0, [], [], null],
      [10, 10.33, 0, [], [], 16],
      [12, 18.67, 0, [], [], 16],
      [15, 30, 0, [], [], 16],
    ]);
    // Removing any of a combo's lines removes the combo.
    expect(removeLine(cart, cart.lines[3]!.uuid).lines.map((l) => l.product.id)).toEqual([4]);
  });
});

describe('the configured chair on Odoo 18 (sync_from_ui)', () => {
  let odoo: FakeOdoo;
  let pos: PosServices;
  let dir: string;
  beforeAll(async () => {
    ({ odoo, dir, pos } = await startOdooAndTerminal({ version: '18.0', data: { products: 3, productOptions: true } }));
  });
  afterAll(() => stopOdooAndTerminal({ odoo, dir, pos }));

  it('is configured from 18\'s attribute records and reaches Odoo with its values, custom text and extra; the combo is refused', async () => {
    const data = readPosData(pos.terminal.catalog());
    const [chair, office] = [4, 16].map((id) => readProduct(pos.terminal.products({ ids: [id], offset: 0, limit: 1 })[0]!));
    const step = addStep(chair!, data);
    if (step.kind !== 'configure') throw new Error(`the chair should open the configurator, not ${step.kind}`);
    const config = configure(step.attributes, { valueIds: [11, 21, 33], customValues: [{ valueId: 33, text: 'Custom Fabric' }] });
    if ('problem' in config) throw new Error(config.problem);
    const cart = addProduct(newCart(), chair!, data, { config });
    const parsed = SaleInput.parse(saleInput(addPayment(cart, 1, data), data, new Date()));
    const order = pos.terminal.commitSale({ ...parsed, userId: 2, dateOrder: new Date(parsed.dateOrder!) });
    expect(await pos.sync.sync()).toMatchObject({ synced: 1, parked: 0 });
    expect(odoo.orders().find((o) => o.pos_reference === order.name)!.lines[0]).toMatchObject({ price_unit: 11, price_extra: 1, attribute_value_ids: [11, 21, 33], custom_attribute_values: [{ custom_product_template_attribute_value_id: 33, custom_value: 'Custom Fabric' }] });
    expect(addStep(office!, data)).toEqual({ kind: 'plain' });
    expect(refusedProduct(office!, data)).toMatch(/only Odoo 17's combos/);
  });
});
