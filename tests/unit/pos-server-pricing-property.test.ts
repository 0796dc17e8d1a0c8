import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addPayment, addProduct, cartTotals, newCart, paymentProblem, saleInput, setPaymentAmount, setPricing, type Cart } from '../../pos-shell/src/lib/cart.js';
import { readPosData, readProduct, type PosData } from '../../pos-shell/src/lib/catalog.js';
import { FleetError } from '../../shared/errors.js';
import { SaleInput } from '../../shared/pos.js';
import { readPricingData, type OdooRecord } from '../../shared/pos/pos-data.js';
import type { PricelistItem } from '../../shared/pos/pricelist.js';
import { checkSale, type Cashier, type CheckedSale } from '../../shared/pos/sale-check.js';
import { itemRow, posModels, productRow, taxRow, type CacheSpec, type Row } from '../support/pos-cache.js';

// Every sale the selling page's own cart code makes — random products, quantities, discounts and
// typed prices, pricelists with rules (minimum quantities, dates, categories, formulas, chains),
// fiscal positions, taxes included and excluded, cash rounding, several payments with change —
// the server's price check accepts; once a total or a price is tampered with, it refuses it.
// FLEET_FUZZ_SEED=<n> replays a run (the seed is printed); FLEET_FUZZ_RUNS=<n> runs longer.

const seed = envInteger('FLEET_FUZZ_SEED') ?? Math.floor(Math.random() * 2 ** 31);
const numRuns = envInteger('FLEET_FUZZ_RUNS') ?? 300;
console.log('pricing fuzz seed', seed, `(replay: FLEET_FUZZ_SEED=${seed})`);

function envInteger(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`${name} must be a whole number, not "${text}"`);
  return Number(text);
}

const DAY = 86_400_000;
const money = (max: number) => fc.integer({ min: 0, max: max * 100 }).map((cents) => cents / 100);
/** An Odoo UTC datetime some days from now. */
const odooDate = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 19).replace('T', ' ');

const taxArb = fc.record({
  amount_type: fc.constantFrom('percent', 'percent', 'percent', 'fixed', 'division'),
  amount: fc.constantFrom(0, 5, 7.7, 10, 15, 21),
  price_include: fc.boolean(),
  include_base_amount: fc.constantFrom(false, false, false, true),
});

const itemArb = (pricelistCount: number, productCount: number) =>
  fc.record({
    compute_price: fc.constantFrom('fixed', 'percentage', 'formula'),
    fixed_price: money(300),
    percent_price: fc.integer({ min: -20, max: 100 }),
    price_discount: fc.integer({ min: -50, max: 90 }),
    price_surcharge: fc.constantFrom(0, 0, 1.5, -0.01, 5),
    price_round: fc.constantFrom(0, 0, 0.05, 1),
    min_quantity: fc.constantFrom(0, 0, 2, 5),
    appliesTo: fc.constantFrom('global', 'product', 'template', 'category'),
    target: fc.integer({ min: 1, max: Math.max(1, productCount) }),
    category: fc.integer({ min: 1, max: 3 }),
    dates: fc.option(fc.tuple(fc.integer({ min: -10, max: 1 }), fc.integer({ min: -1, max: 10 }))),
    base: fc.constantFrom('list_price', 'list_price', 'standard_price', 'pricelist'),
    basePricelist: fc.integer({ min: 1, max: Math.max(1, pricelistCount) }),
  });

const scenarioArb = fc
  .record({
    currency: fc.constantFrom({ rounding: 0.01, decimal_places: 2 }, { rounding: 0.01, decimal_places: 2 }, { rounding: 1, decimal_places: 0 }),
    taxRoundingMethod: fc.constantFrom('round_per_line' as const, 'round_globally' as const),
    taxes: fc.array(taxArb, { minLength: 1, maxLength: 4 }),
    products: fc.array(fc.record({ price: money(500), taxes: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), category: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 6 }),
    pricelistCount: fc.integer({ min: 1, max: 3 }),
    fiscalPositions: fc.array(fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.option(fc.integer({ min: 1, max: 4 }), { nil: false as const })), { maxLength: 3 }), { maxLength: 2 }),
    cashRounding: fc.option(fc.record({ rounding: fc.constantFrom(0.05, 0.1, 0.5, 1), rounding_method: fc.constantFrom('UP' as const, 'DOWN' as const, 'HALF-UP' as const), onlyCash: fc.boolean() })),
    restrictPriceControl: fc.boolean(),
    manager: fc.boolean(),
  })
  .chain((base) =>
    fc.record({
      base: fc.constant(base),
      items: fc.array(fc.array(itemArb(base.pricelistCount, base.products.length), { maxLength: 4 }), { minLength: base.pricelistCount, maxLength: base.pricelistCount }),
      lines: fc.array(
        fc.record({
          product: fc.integer({ min: 0, max: base.products.length - 1 }),
          qty: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: -3, max: 300 }).map((n) => n / 100 || 1)),
          discount: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 10_000 }).map((n) => n / 100)),
          price: fc.option(money(400), { freq: 4 }),
        }),
        { minLength: 1, maxLength: 5 },
      ),
      pricelist: fc.integer({ min: 1, max: base.pricelistCount }),
      fiscalPosition: fc.option(fc.integer({ min: 1, max: Math.max(1, base.fiscalPositions.length) })),
      bankParts: fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 2 }),
      lastIsCash: fc.boolean(),
      tenderExtra: fc.constantFrom(0, 0, 1, 5, 20),
      tamper: fc.record({ field: fc.constantFrom('amountTotal', 'amountTax', 'amountPaid', 'amountReturn', 'priceSubtotal', 'priceSubtotalIncl', 'price', 'price', 'price'), steps: fc.integer({ min: 1, max: 500 }), down: fc.boolean(), line: fc.nat() }),
    }),
  );

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function item(id: number, spec: Scenario['items'][number][number], productCount: number, pricelistId: number): PricelistItem {
  const target = Math.min(spec.target, productCount);
  const applies: Partial<PricelistItem> =
    spec.appliesTo === 'product' ? { product_id: [target, ''] } : spec.appliesTo === 'template' ? { product_tmpl_id: [target + 1000, ''] } : spec.appliesTo === 'category' ? { categ_id: [spec.category, ''] } : {};
  // Chains go to a lower pricelist only: Odoo refuses a pricelist based on itself, the engine any loop.
  const base = spec.base === 'pricelist' && spec.basePricelist < pricelistId ? { base: 'pricelist', base_pricelist_id: [spec.basePricelist, ''] as [number, string] } : { base: spec.base === 'pricelist' ? 'list_price' : spec.base };
  const dates = spec.dates ? { date_start: odooDate(spec.dates[0]), date_end: odooDate(spec.dates[1]) } : {};
  const { appliesTo: _a, target: _t, category: _c, dates: _d, base: _b, basePricelist: _p, ...prices } = spec;
  return itemRow(id, { ...prices, ...applies, ...base, ...dates });
}

function cacheOf(s: Scenario): { models: Record<string, unknown[]>; products: OdooRecord[] } {
  const { base } = s;
  const taxes = base.taxes.map(({ amount, ...t }, i) => taxRow(i + 1, t.amount_type === 'fixed' ? amount / 10 : amount, t));
  const products: Row[] = base.products.map((p, i) => productRow(i + 1, p.price, taxes.filter((_, t) => p.taxes[t]).map((t) => t.id as number), { categ_id: [p.category, ''] }));
  let nextItem = 1;
  const spec: CacheSpec = {
    currency: base.currency,
    taxRoundingMethod: base.taxRoundingMethod,
    taxes,
    categories: [
      { id: 1, parentId: null },
      { id: 2, parentId: 1 },
      { id: 3, parentId: 2 },
    ],
    pricelists: s.items.map((items, i) => ({ id: i + 1, name: `Pricelist ${i + 1}`, items: items.map((it) => item(nextItem++, it, products.length, i + 1)) })),
    fiscalPositions: base.fiscalPositions.map((mappings, i) => [i + 1, mappings.map(([from, to]) => [Math.min(from, taxes.length), to === false ? false : Math.min(to, taxes.length)])]),
    ...(base.cashRounding ? { cashRounding: base.cashRounding } : {}),
    config: { restrict_price_control: base.restrictPriceControl },
  };
  return { models: posModels(spec), products };
}

/** The cart the selling page would make, paid as the scenario says. */
function rungUp(s: Scenario, data: PosData, products: OdooRecord[]): Cart {
  let cart = newCart();
  for (const l of s.lines) {
    const product = readProduct(products[l.product]!);
    cart = addProduct(cart, product, data, { qty: l.qty, merge: false, discount: l.discount, ...(l.price === null ? {} : { price: l.price }) });
  }
  cart = setPricing(cart, { pricelistId: s.pricelist });
  if (s.fiscalPosition !== null) cart = setPricing(cart, { fiscalPositionId: s.fiscalPosition });
  return paid(cart, s, data);
}

/** The scenario's payments on a cart: bank parts, then the rest in cash (with extra tendered) or by bank. */
function paid(unpaid: Cart, s: Scenario, data: PosData): Cart {
  let cart: Cart = { ...unpaid, payments: [] };
  for (const percent of s.bankParts) {
    cart = addPayment(cart, 2, data);
    const added = cart.payments.at(-1)!;
    cart = setPaymentAmount(cart, added.id, (added.amount * percent) / 100, data);
  }
  cart = addPayment(cart, s.lastIsCash ? 1 : 2, data);
  const last = cart.payments.at(-1)!;
  if (s.lastIsCash && last.amount > 0) cart = setPaymentAmount(cart, last.id, last.amount + s.tenderExtra, data);
  return cart;
}

function tampered(sale: CheckedSale, t: Scenario['tamper'], step: number): CheckedSale {
  const delta = (t.down ? -1 : 1) * t.steps * step;
  if (t.field === 'priceSubtotal' || t.field === 'priceSubtotalIncl') {
    const i = t.line % sale.lines.length;
    return { ...sale, lines: sale.lines.map((l, j) => (j === i ? { ...l, [t.field]: l[t.field as 'priceSubtotal'] + delta } : l)) };
  }
  return { ...sale, [t.field]: sale[t.field as 'amountTotal'] + delta };
}

function refused(run: () => unknown): boolean {
  try {
    run();
    return false;
  } catch (error) {
    if (error instanceof FleetError && (error.code === 'VALIDATION' || error.code === 'FORBIDDEN')) return true;
    throw error;
  }
}

describe('the server accepts what the selling page sells, and nothing tampered with', () => {
  it('random carts, pricelists, fiscal positions, taxes, cash rounding and payments', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { models, products } = cacheOf(s);
        const data = readPosData({ series: null, models });
        const cart = rungUp(s, data, products);
        // Only what the payment screen lets through is a sale (paid in full, change in cash only…).
        fc.pre(paymentProblem(cart, cartTotals(cart, data), data) === null);
        const sale = SaleInput.parse(saleInput(cart, data, new Date()));
        const pricing = readPricingData(models);
        const byId = new Map(products.map((p) => [Number(p.id), p]));
        const cashier: Cashier = { userId: 2, employeeId: null, isManager: s.base.restrictPriceControl || s.base.manager };
        const overrides = checkSale(sale, pricing, byId, cashier);
        // Every typed price or discount comes back as an override of its line.
        const overridden = new Set(overrides.map((o) => o.lineUuid));
        cart.lines.forEach((l) => l.discount > 0 && expect(overridden.has(l.uuid)).toBe(true));

        const t = s.tamper;
        if (t.field !== 'price') {
          expect(refused(() => checkSale(tampered(sale, t, pricing.settings.currency.rounding), pricing, byId, cashier))).toBe(true);
          return;
        }
        // A typed price with every amount made to match it: only the configuration's rules stop it.
        // Checked on carts without typed prices, whose honest sale a restricted cashier may make.
        if (cart.lines.some((l) => l.manualPrice !== null)) return;
        const restricted = { ...pricing, lineEdits: { ...pricing.lineEdits, restrictPriceControl: true } };
        const clerk = { ...cashier, isManager: false };
        expect(checkSale(sale, restricted, byId, clerk).every((o) => o.soldPrice === o.listPrice)).toBe(true);
        const i = t.line % cart.lines.length;
        const price = Math.abs(sale.lines[i]!.priceUnit + (t.down ? -1 : 1) * t.steps * 10 ** -pricing.settings.productPriceDigits);
        const repriced = paid({ ...cart, lines: cart.lines.map((l, j) => (j === i ? { ...l, manualPrice: price } : l)) }, s, data);
        if (paymentProblem(repriced, cartTotals(repriced, data), data) !== null) return;
        const forged = SaleInput.parse(saleInput(repriced, data, new Date()));
        expect(refused(() => checkSale(forged, restricted, byId, clerk))).toBe(true);
        const unrestricted = { ...pricing, lineEdits: { ...pricing.lineEdits, restrictPriceControl: false } };
        expect(checkSale(forged, unrestricted, byId, clerk).map((o) => o.lineUuid)).toContain(cart.lines[i]!.uuid);
      }),
      { seed, numRuns },
    );
  });
});
