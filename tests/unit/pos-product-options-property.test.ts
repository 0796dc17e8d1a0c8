import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addCombo, addPayment, addProduct, cartTotals, newCart, paymentProblem, saleInput, setPricing, setQty, type Cart } from '../../pos-shell/src/lib/cart.js';
import { addStep, configure } from '../../pos-shell/src/lib/cart-options.js';
import { readPosData, readProduct, type PosData } from '../../pos-shell/src/lib/catalog.js';
import { FleetError } from '../../shared/errors.js';
import { SaleInput } from '../../shared/pos.js';
import { readPricingData, type OdooRecord } from '../../shared/pos/pos-data.js';
import { checkSale, type CheckedSale } from '../../shared/pos/sale-check.js';
import { itemRow, posModels, productRow, taxRow } from '../support/pos-cache.js';

// Every configured product and combo the selling page's cart code rings up — random value extras,
// custom texts, combo prices and extras, picks, quantities, a pricelist rule and a fiscal position
// — the server's price check accepts; a configured line whose extra the page lowered, or a combo
// pick it priced otherwise, with every amount made to match, it refuses.
// FLEET_FUZZ_SEED=<n> replays a run (the seed is printed).

const seed = Number(process.env.FLEET_FUZZ_SEED || Math.floor(Math.random() * 2 ** 31));
console.log('product options fuzz seed', seed, `(replay: FLEET_FUZZ_SEED=${seed})`);

const money = (max: number) => fc.integer({ min: 0, max: max * 100 }).map((cents) => cents / 100);

const scenarioArb = fc.record({
  taxes: fc.array(fc.record({ amount: fc.constantFrom(0, 10, 15, 20), price_include: fc.boolean() }), { minLength: 3, maxLength: 3 }),
  chairPrice: money(200),
  extras: fc.array(fc.integer({ min: -500, max: 2000 }).map((c) => c / 100), { minLength: 4, maxLength: 4 }),
  choice: fc.tuple(fc.nat(1), fc.nat(1)),
  custom: fc.option(fc.string({ minLength: 1, maxLength: 20 }).filter((t) => /^[a-zA-Z0-9 ]+$/.test(t) && t.trim() === t)),
  comboPrice: money(300),
  pickPrices: fc.array(money(100), { minLength: 4, maxLength: 4 }),
  pickExtras: fc.array(fc.constantFrom(0, 0, 1, 2.5, 5), { minLength: 4, maxLength: 4 }),
  pickTaxes: fc.array(fc.nat(2), { minLength: 4, maxLength: 4 }),
  picks: fc.tuple(fc.nat(1), fc.nat(1)),
  qty: fc.integer({ min: 1, max: 4 }),
  rule: fc.option(fc.record({ compute_price: fc.constantFrom('percentage', 'fixed'), percent_price: fc.integer({ min: 0, max: 50 }), fixed_price: money(100) })),
  fiscalPosition: fc.boolean(),
  tamper: fc.constantFrom('extra', 'pick'),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

/** A chair with two no-variant lines (one with a custom value) and a combo of two combos of two picks each. */
function cacheOf(s: Scenario): { models: Record<string, unknown[]>; products: OdooRecord[] } {
  const taxes = s.taxes.map((t, i) => taxRow(i + 1, t.amount, { price_include: t.price_include }));
  const picks = s.pickPrices.map((price, i) => productRow(10 + i, price, [s.pickTaxes[i]! + 1]));
  const products = [productRow(1, s.chairPrice, [1], { attribute_line_ids: [1, 2] }), productRow(2, s.comboPrice, [2], { combo_ids: [2, 1] }), ...picks];
  const value = (id: number, extra: number, custom = false) => ({ id, name: `V${id}`, is_custom: custom, price_extra: extra });
  const models = {
    ...posModels({
      taxes,
      pricelists: [{ id: 1, name: 'Shop', items: s.rule ? [itemRow(1, s.rule)] : [] }],
      fiscalPositions: s.fiscalPosition ? [[1, [[1, 3], [2, false]]]] : [],
    }),
    attributes_by_ptal_id: [
      { id: 1, name: 'Colour', display_type: 'color', values: [value(11, s.extras[0]!), value(12, s.extras[1]!)] },
      { id: 2, name: 'Fabric', display_type: 'radio', values: [value(21, s.extras[2]!), value(22, s.extras[3]!, true)] },
    ],
    'pos.combo': [
      { id: 1, name: 'Mains', combo_line_ids: [1, 2], base_price: Math.min(s.pickPrices[0]!, s.pickPrices[1]!) },
      { id: 2, name: 'Drinks', combo_line_ids: [3, 4], base_price: Math.min(s.pickPrices[2]!, s.pickPrices[3]!) },
    ],
    'pos.combo.line': [0, 1, 2, 3].map((i) => ({ id: i + 1, combo_id: [i < 2 ? 1 : 2, ''], product_id: [10 + i, ''], combo_price: s.pickExtras[i] })),
  };
  return { models, products };
}

function rungUp(s: Scenario, data: PosData, products: OdooRecord[]): Cart {
  const product = (id: number) => readProduct(products.find((p) => p.id === id)!);
  const chair = addStep(product(1), data);
  const combo = addStep(product(2), data);
  if (chair.kind !== 'configure' || combo.kind !== 'combo') throw new Error('the chair configures, the combo chooses');
  const valueIds = [11 + s.choice[0], 21 + s.choice[1]];
  const config = configure(chair.attributes, { valueIds, customValues: s.custom && valueIds.includes(22) ? [{ valueId: 22, text: s.custom }] : [] });
  if ('problem' in config) throw new Error(config.problem);
  let cart = addProduct(newCart(), product(1), data, { config, qty: s.qty });
  const picks = combo.combos.map((c, i) => c.lines[s.picks[i]!]!).map((pick) => ({ pick, product: product(pick.productId) }));
  cart = addCombo(cart, product(2), picks);
  cart = setQty(cart, cart.lines[1]!.uuid, s.qty, data);
  if (s.fiscalPosition) cart = setPricing(cart, { fiscalPositionId: 1 });
  return addPayment({ ...cart, payments: [] }, 2, data);
}

function refused(run: () => unknown): boolean {
  try {
    run();
    return false;
  } catch (error) {
    if (error instanceof FleetError && error.code === 'VALIDATION') return true;
    throw error;
  }
}

describe('the server accepts the configured products and combos the page sells, and nothing repriced', () => {
  it('random extras, custom texts, combo prices, picks, quantities, pricelist rules and fiscal positions', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { models, products } = cacheOf(s);
        const data = readPosData({ series: null, models });
        const cart = rungUp(s, data, products);
        fc.pre(paymentProblem(cart, cartTotals(cart, data), data) === null);
        const byId = new Map(products.map((p) => [Number(p.id), p]));
        const pricing = readPricingData(models);
        const cashier = { userId: 2, employeeId: null, isManager: false };
        const check = (sale: CheckedSale) => checkSale(sale, pricing, byId, cashier);
        expect(check(SaleInput.parse(saleInput(cart, data, new Date())))).toEqual([]);
        // The same cart with a lower extra on the chair, or a pick at another price: every amount matches it, the price does not.
        const step = 10 ** -pricing.settings.productPriceDigits;
        const changed: Cart =
          s.tamper === 'extra'
            ? { ...cart, lines: cart.lines.map((l, i) => (i === 0 ? { ...l, config: { ...l.config!, priceExtra: l.config!.priceExtra - 1 } } : l)) }
            : { ...cart, lines: cart.lines.map((l, i) => (i === 2 ? { ...l, manualPrice: Math.max(0, cartTotals(cart, data).lines[2]!.price_unit - step) + (cartTotals(cart, data).lines[2]!.price_unit < step ? step : 0) } : l)) };
        const forged = addPayment({ ...changed, payments: [] }, 2, data);
        if (paymentProblem(forged, cartTotals(forged, data), data) !== null) return;
        expect(refused(() => check(SaleInput.parse(saleInput(forged, data, new Date()))))).toBe(true);
      }),
      { seed, numRuns: Number(process.env.FLEET_FUZZ_RUNS || 200) },
    );
  });
});
