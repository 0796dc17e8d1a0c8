// Expected values come from Odoo 17's own tests (file and test named next to each case) or, where
// marked "rule", are worked out by hand from the Odoo 17 code the module ports — never from this
// module's output.
import { describe, expect, it } from 'vitest';
import { mapTaxes, priceAfterFiscalPosition, type FiscalPosition } from '../../shared/pos/fiscal-position.js';
import {
  cashRoundingApplied,
  computeLineTotals,
  computeOrderTotals,
  firstUnroundedPayment,
  lineUnitPrice,
  newPaymentLineAmount,
  roundQuantity,
  payloadTaxIds,
  payloadUnitPrice,
  paymentAmount,
  paymentsRespectCashRounding,
  type CashRounding,
  type OrderLineInput,
  type PaymentInput,
  type PosPricingSettings,
} from '../../shared/pos/order-totals.js';
import {
  findRule,
  parseOdooUtc,
  PricelistCycleError,
  productPrice,
  productPriceDetails,
  type PricedProduct,
  type Pricelist,
  type PricelistItem,
  type ProductCategory,
} from '../../shared/pos/pricelist.js';
import {
  floatCompare,
  floatIsZero,
  floatIsZeroDecimals,
  floatRepr,
  floatRound,
  jsonFloatRound,
  roundDecimals,
  roundPrecision,
  type RoundingMethod,
} from '../../shared/pos/rounding.js';
import { computeAll, UnsupportedTaxError, type ComputeAllOptions, type ComputeAllResult, type Tax } from '../../shared/pos/taxes.js';

/** Equal to far better than a cent: the engine must not be off by any rounding step. */
function expectAmount(actual: number, expected: number): void {
  expect(actual).toBeCloseTo(expected, 9);
}

function tax(id: number, fields: Partial<Tax> & Pick<Tax, 'amount'>): Tax {
  return {
    id,
    name: `tax ${id}`,
    amount_type: 'percent',
    price_include: false,
    include_base_amount: false,
    is_base_affected: true,
    sequence: 1,
    ...fields,
  };
}

const cents = { rounding: 0.01 };

/** AccountTestInvoicingCommon._check_compute_all_results: totals, then (base, amount) per tax line. */
function checkComputeAll(result: ComputeAllResult, totalIncluded: number, totalExcluded: number, taxes: [number, number][]): void {
  expectAmount(result.total_included, totalIncluded);
  expectAmount(result.total_excluded, totalExcluded);
  expect(result.taxes).toHaveLength(taxes.length);
  taxes.forEach(([base, amount], i) => {
    expectAmount(result.taxes[i]!.base, base);
    expectAmount(result.taxes[i]!.amount, amount);
  });
}

/** Both the POS and the server implementation, where they agree. */
const bothFlavors: ComputeAllOptions['flavor'][] = ['pos', 'server'];

describe('rounding: odoo/addons/base/tests/test_float.py', () => {
  // test_rounding_02: currency.round is float_round at the currency's rounding (EUR 0.01).
  it('test_rounding_02 try_round / try_zero / try_compare', () => {
    const round2 = (amount: number) => floatRepr(floatRound(amount, cents), 2);
    expect(round2(2.674)).toBe('2.67');
    expect(round2(2.675)).toBe('2.68');
    expect(round2(-2.675)).toBe('-2.68');
    expect(round2(0.001)).toBe('0.00');
    expect(round2(-0.001)).toBe('-0.00');
    expect(round2(0.0049)).toBe('0.00');
    expect(round2(0.005)).toBe('0.01');
    expect(round2(-0.005)).toBe('-0.01');
    expect(round2(6.6 * 0.175)).toBe('1.16');
    expect(round2(-6.6 * 0.175)).toBe('-1.16');

    expect(floatIsZero(0.01, cents)).toBe(false);
    expect(floatIsZero(-0.01, cents)).toBe(false);
    expect(floatIsZero(0.001, cents)).toBe(true);
    expect(floatIsZero(-0.001, cents)).toBe(true);
    expect(floatIsZero(0.0046, cents)).toBe(true);
    expect(floatIsZero(-0.0046, cents)).toBe(true);
    expect(floatIsZero(2.68 - 2.675, cents)).toBe(false);
    expect(floatIsZero(2.68 - 2.676, cents)).toBe(true);
    expect(floatIsZero(2.676 - 2.68, cents)).toBe(true);
    expect(floatIsZero(2.675 - 2.68, cents)).toBe(false);

    const compare: [number, number, number][] = [
      [0.001, 0.001, 0], [-0.001, -0.001, 0], [0.001, 0.002, 0], [-0.001, -0.002, 0],
      [2.675, 2.68, 0], [2.676, 2.68, 0], [-2.676, -2.68, 0], [2.674, 2.68, -1],
      [-2.674, -2.68, 1], [3, 2.68, 1], [-3, -2.68, -1], [0.01, 0, 1], [-0.01, 0, -1],
    ];
    for (const [a, b, expected] of compare) expect(floatCompare(a, b, cents)).toBe(expected);
  });

  it('test_rounding_03 with 3 digits and every method', () => {
    const cases: [number, string, RoundingMethod, number?][] = [
      [2.6735, '2.674', 'HALF-UP'], [-2.6735, '-2.674', 'HALF-UP'], [2.6745, '2.675', 'HALF-UP'],
      [-2.6745, '-2.675', 'HALF-UP'], [2.6744, '2.674', 'HALF-UP'], [-2.6744, '-2.674', 'HALF-UP'],
      [0.0004, '0.000', 'HALF-UP'], [-0.0004, '-0.000', 'HALF-UP'], [357.4555, '357.456', 'HALF-UP'],
      [-357.4555, '-357.456', 'HALF-UP'], [457.4554, '457.455', 'HALF-UP'], [-457.4554, '-457.455', 'HALF-UP'],

      [2.6735, '2.673', 'HALF-DOWN'], [-2.6735, '-2.673', 'HALF-DOWN'], [2.6745, '2.674', 'HALF-DOWN'],
      [-2.6745, '-2.674', 'HALF-DOWN'], [2.6744, '2.674', 'HALF-DOWN'], [-2.6744, '-2.674', 'HALF-DOWN'],
      [0.0004, '0.000', 'HALF-DOWN'], [-0.0004, '-0.000', 'HALF-DOWN'], [357.4555, '357.455', 'HALF-DOWN'],
      [-357.4555, '-357.455', 'HALF-DOWN'], [457.4554, '457.455', 'HALF-DOWN'], [-457.4554, '-457.455', 'HALF-DOWN'],

      [2.6735, '2.674', 'HALF-EVEN'], [-2.6735, '-2.674', 'HALF-EVEN'], [2.6745, '2.674', 'HALF-EVEN'],
      [-2.6745, '-2.674', 'HALF-EVEN'], [2.6744, '2.674', 'HALF-EVEN'], [-2.6744, '-2.674', 'HALF-EVEN'],
      [0.0004, '0.000', 'HALF-EVEN'], [-0.0004, '-0.000', 'HALF-EVEN'], [357.4555, '357.455', 'HALF-EVEN'],
      [-357.4555, '-357.455', 'HALF-EVEN'], [457.4554, '457.455', 'HALF-EVEN'], [-457.4554, '-457.455', 'HALF-EVEN'],

      [8.175, '8.175', 'UP'], [8.1751, '8.176', 'UP'], [-8.175, '-8.175', 'UP'], [-8.1751, '-8.176', 'UP'],
      [-6.0, '-6.000', 'UP'], [1.8, '2', 'UP', 0], [-1.8, '-2', 'UP', 0],

      [2.425, '2.425', 'DOWN'], [2.4249, '2.424', 'DOWN'], [-2.425, '-2.425', 'DOWN'], [-2.4249, '-2.424', 'DOWN'],
      [-2.5, '-2.500', 'DOWN'], [1.8, '1', 'DOWN', 0], [-1.8, '-1', 'DOWN', 0],
    ];
    for (const [amount, expected, method, digits = 3] of cases) {
      expect(floatRepr(floatRound(amount, { digits }, method), digits), `${amount} ${method}`).toBe(expected);
    }

    expect(floatIsZero(0.0002, { digits: 3 })).toBe(true);
    expect(floatIsZero(-0.0002, { digits: 3 })).toBe(true);
    expect(floatIsZero(0.00034, { digits: 3 })).toBe(true);
    expect(floatIsZero(0.0005, { digits: 3 })).toBe(false);
    expect(floatIsZero(-0.0005, { digits: 3 })).toBe(false);
    expect(floatIsZero(0.0008, { digits: 3 })).toBe(false);
    expect(floatIsZero(-0.0008, { digits: 3 })).toBe(false);

    const compare: [number, number, number][] = [
      [0.0003, 0.0004, 0], [-0.0003, -0.0004, 0], [0.0002, 0.0005, -1], [-0.0002, -0.0005, 1],
      [0.0009, 0.0004, 1], [-0.0009, -0.0004, -1], [557.4555, 557.4556, 0], [-557.4555, -557.4556, 0],
      [657.4444, 657.445, -1], [-657.4444, -657.445, 1],
    ];
    for (const [a, b, expected] of compare) expect(floatCompare(a, b, { digits: 3 })).toBe(expected);

    // Rounding to unusual rounding units (e.g. coin values)
    const coins: [number, string, number, RoundingMethod][] = [
      [-457.4554, '-457.45', 0.05, 'HALF-UP'], [457.444, '457.50', 0.5, 'HALF-UP'], [457.3, '455.00', 5, 'HALF-UP'],
      [457.5, '460.00', 5, 'HALF-UP'], [457.1, '456.00', 3, 'HALF-UP'], [2.5, '2.50', 0.05, 'DOWN'], [-2.5, '-2.50', 0.05, 'DOWN'],
    ];
    for (const [amount, expected, rounding, method] of coins) {
      expect(floatRepr(floatRound(amount, { rounding }, method), 2)).toBe(expected);
    }
  });

  it('test_rounding_03 extended float range (bug 882036)', () => {
    const fractions = [0.0, 0.015, 0.01499, 0.675, 0.67499, 0.4555, 0.4555, 0.45555];
    const expecteds = ['.00', '.02', '.01', '.68', '.67', '.46', '.456', '.4556'];
    const precisions = [2, 2, 2, 2, 2, 2, 3, 4];
    const failures: string[] = [];
    for (let magnitude = 0; magnitude < 7; magnitude++) {
      fractions.forEach((fraction, k) => {
        for (const sign of [-1, 1]) {
          for (let x = 0; x < 10000; x += 97) {
            const n = x * 10 ** magnitude;
            const f = sign * (n + fraction);
            const expected = (f !== 0 && sign === -1 ? '-' : '') + String(n) + expecteds[k];
            const digits = precisions[k]!;
            const actual = floatRepr(floatRound(f, { digits }), digits);
            if (actual !== expected) failures.push(`${f}: ${actual} != ${expected}`);
          }
        }
      });
    }
    expect(failures).toEqual([]);
  });

  it('test_rounding_invalid', () => {
    expect(() => floatIsZero(0.01, { digits: 3, rounding: 0.01 })).toThrow();
    expect(() => floatIsZero(0.0, { rounding: 0.0 })).toThrow();
    expect(() => floatIsZero(0.0, { rounding: -0.1 })).toThrow();
    expect(() => floatCompare(0.01, 0.02, { digits: 3, rounding: 0.01 })).toThrow();
    expect(() => floatCompare(1.0, 1.0, { rounding: 0.0 })).toThrow();
    expect(() => floatRound(1.25, { rounding: -0.1 })).toThrow();
  });

  it('edge cases of the epsilon rule', () => {
    // rule (float_utils.float_round comment): 1.005 is stored as 1.00499999…; the epsilon tips it up.
    expect(floatRepr(floatRound(1.005, cents), 2)).toBe('1.01');
    expect(floatRepr(roundPrecision(1.005, 0.01), 2)).toBe('1.01');
    expect(floatRepr(floatRound(-1.005, cents), 2)).toBe('-1.01');
    // float_repr is Python's "%.2f": exact ties go to even, unlike toFixed.
    expect(floatRepr(0.125, 2)).toBe('0.12');
    expect(floatRepr(0.375, 2)).toBe('0.38');
    expect(jsonFloatRound(2.675, 2)).toBe(2.68);
  });
});

describe('rounding: addons/web/static/tests/core/utils/numbers_tests.js (the POS round_pr / round_di)', () => {
  it('roundPrecision', () => {
    const cases: [number, number, string][] = [
      [1.0, 1, '1'], [1.0, 0.1, '1'], [1.0, 0.01, '1'], [1.0, 0.001, '1'], [1.0, 0.0001, '1'], [1.0, 0.00001, '1'],
      [1.0, 0.000001, '1'], [1.0, 0.0000001, '1'], [1.0, 0.00000001, '1'], [0.5, 1, '1'], [-0.5, 1, '-1'],
      [2.6745, 0.001, '2.6750000000000003'], [-2.6745, 0.001, '-2.6750000000000003'], [2.6744, 0.001, '2.674'],
      [-2.6744, 0.001, '-2.674'], [0.0004, 0.001, '0'], [-0.0004, 0.001, '0'], [357.4555, 0.001, '357.456'],
      [-357.4555, 0.001, '-357.456'], [457.4554, 0.001, '457.455'], [-457.4554, 0.001, '-457.455'],
      [-457.4554, 0.05, '-457.45000000000005'], [457.444, 0.5, '457.5'], [457.3, 5, '455'], [457.5, 5, '460'], [457.1, 3, '456'],
    ];
    for (const [value, precision, expected] of cases) expect(String(roundPrecision(value, precision))).toBe(expected);
  });

  it('roundDecimals', () => {
    const cases: [number, number, string][] = [
      [1.0, 0, '1'], [1.0, 1, '1'], [1.0, 2, '1'], [1.0, 3, '1'], [1.0, 4, '1'], [1.0, 5, '1'], [1.0, 6, '1'],
      [1.0, 7, '1'], [1.0, 8, '1'], [0.5, 0, '1'], [-0.5, 0, '-1'], [2.6745, 3, '2.6750000000000003'],
      [-2.6745, 3, '-2.6750000000000003'], [2.6744, 3, '2.674'], [-2.6744, 3, '-2.674'], [0.0004, 3, '0'],
      [-0.0004, 3, '0'], [357.4555, 3, '357.456'], [-357.4555, 3, '-357.456'], [457.4554, 3, '457.455'], [-457.4554, 3, '-457.455'],
    ];
    for (const [value, decimals, expected] of cases) expect(String(roundDecimals(value, decimals))).toBe(expected);
  });

  it('floatIsZero', () => {
    const cases: [number, number, boolean][] = [
      [1, 0, false], [0.9999, 0, false], [0.50001, 0, false], [0.5, 0, false], [0.49999, 0, true], [0, 0, true],
      [-0.50001, 0, false], [-0.5, 0, false], [-0.9999, 0, false], [-1, 0, false],
      [0.1, 1, false], [0.099999, 1, false], [0.050001, 1, false], [0.05, 1, false], [0.049999, 1, true],
    ];
    for (const [value, decimals, expected] of cases) expect(floatIsZeroDecimals(value, decimals)).toBe(expected);
  });
});

describe('taxes: addons/account/tests/test_tax.py (TestTaxCommon fixtures)', () => {
  // setUpClass: ids in creation order; sequences as given; defaults excluded, not base-affecting.
  const fixedTax = () => tax(1, { amount_type: 'fixed', amount: 10, sequence: 1 });
  const percentTax = () => tax(3, { amount: 10, sequence: 3 });
  const percentTaxBis = () => tax(4, { amount: 10, sequence: 4 });
  const divisionTax = () => tax(5, { amount_type: 'division', amount: 10, sequence: 4 });
  const groupTax = (children: Tax[] = [fixedTax(), percentTax()]) =>
    tax(6, { amount_type: 'group', amount: 0, sequence: 5, children_tax_ids: children });
  const groupTaxPercent = (children: Tax[]) => tax(8, { amount_type: 'group', amount: 0, sequence: 6, children_tax_ids: children });

  for (const flavor of bothFlavors) {
    describe(`${flavor} flavour`, () => {
      const all = (taxes: Tax[], price: number, options: ComputeAllOptions = {}, quantity = 1, currency = cents) =>
        computeAll(taxes, price, currency, quantity, undefined, undefined, { flavor, ...options });

      it('test_tax_group', () => {
        checkComputeAll(all([groupTax()], 200), 230, 200, [[200, 10], [200, 20]]);
      });

      it('test_tax_group_percent', () => {
        // The first case forces price_include through the context; here the children are price-included.
        const included = [tax(3, { amount: 10, sequence: 3, price_include: true }), tax(4, { amount: 10, sequence: 4, price_include: true })];
        checkComputeAll(all([groupTaxPercent(included)], 100), 100, 83.33, [[83.33, 8.33], [83.33, 8.34]]);
        // Indian companies split included taxes of the same rate evenly.
        checkComputeAll(all([groupTaxPercent(included)], 100, { companyCountryCode: 'IN' }), 100, 83.34, [[83.34, 8.33], [83.34, 8.33]]);
        const twoAndHalf = included.map((child) => ({ ...child, amount: 2.5, include_base_amount: true, is_base_affected: false }));
        checkComputeAll(all([groupTaxPercent(twoAndHalf)], 295, { companyCountryCode: 'IN' }), 295, 280.96, [[280.96, 7.02], [280.96, 7.02]]);
      });

      it('test_tax_percent_division', () => {
        checkComputeAll(all([{ ...divisionTax(), price_include: true, include_base_amount: true }], 200), 200, 180, [[180, 20]]);
        checkComputeAll(all([percentTax()], 100), 110, 100, [[100, 10]]);
        checkComputeAll(all([divisionTax()], 180), 200, 180, [[180, 20]]);
        checkComputeAll(all([{ ...percentTax(), price_include: true, include_base_amount: true }], 110), 110, 100, [[100, 10]]);
        checkComputeAll(all([{ ...percentTaxBis(), amount: 21, price_include: true, include_base_amount: true }], 7), 7, 5.79, [[5.79, 1.21]]);
      });

      it('test_tax_sequence_normalized_set', () => {
        const division = { ...divisionTax(), sequence: 1 };
        const group = groupTax([{ ...fixedTax(), sequence: 2 }, { ...percentTax(), sequence: 3 }]);
        checkComputeAll(all([group, division], 200), 252.22, 200, [[200, 22.22], [200, 10], [200, 20]]);
      });

      it('test_fixed_tax_include_base_amount', () => {
        checkComputeAll(all([groupTax([{ ...fixedTax(), include_base_amount: true }, percentTax()])], 200), 231, 200, [[200, 10], [210, 21]]);
        // A fixed tax is per unit: × quantity.
        checkComputeAll(all([{ ...fixedTax(), price_include: true }], 100, {}, 2), 200, 180, [[180, 20]]);
      });

      it('test_percent_tax_include_base_amount', () => {
        checkComputeAll(all([{ ...percentTax(), price_include: true, amount: 21 }], 7), 7, 5.79, [[5.79, 1.21]]);
        checkComputeAll(all([{ ...percentTax(), price_include: true, amount: 20 }], 399.99), 399.99, 333.33, [[333.33, 66.66]]);
      });

      it('test_tax_decimals (currency rounding 0.000001)', () => {
        const micro = { rounding: 0.000001 };
        checkComputeAll(all([{ ...percentTax(), price_include: true, amount: 21 }], 7, {}, 1, micro), 7, 5.785124, [[5.785124, 1.214876]]);
        checkComputeAll(all([{ ...percentTax(), price_include: true, amount: 20 }], 399.999999, {}, 1, micro), 399.999999, 333.333333, [[333.333333, 66.666666]]);
      });

      it('test_rounding_tax_excluded_round_per_line_01 / _round_globally (currency rounding 1.0)', () => {
        const tax19 = tax(20, { amount: 19 });
        const units = { rounding: 1 };
        checkComputeAll(all([tax19], 22689, { roundingMethod: 'round_per_line' }, 1, units), 27000, 22689, [[22689, 4311]]);
        checkComputeAll(all([tax19], 9176, { roundingMethod: 'round_per_line' }, 1, units), 10919, 9176, [[9176, 1743]]);
        checkComputeAll(all([tax19], 22689, { roundingMethod: 'round_globally' }, 1, units), 27000, 22689, [[22689, 4310.91]]);
        checkComputeAll(all([tax19], 9176, { roundingMethod: 'round_globally' }, 1, units), 10919, 9176, [[9176, 1743.44]]);
      });

      it('test_rounding_tax_included_round_per_line_01..04 / _round_globally_01..03', () => {
        const tax19 = tax(20, { amount: 19, price_include: true });
        const units = { rounding: 1 };
        for (const roundingMethod of ['round_per_line', 'round_globally'] as const) {
          checkComputeAll(all([tax19], 27000, { roundingMethod }, 1, units), 27000, 22689, [[22689, 4311]]);
          checkComputeAll(all([tax19], 10920, { roundingMethod }, 1, units), 10920, 9176, [[9176, 1744]]);
        }
        checkComputeAll(all([tax(21, { amount: 12, price_include: true })], 52.5), 52.5, 46.88, [[46.88, 5.62]]);

        // _03: same sequence, so the lower id (the 0% tax, created first) comes first either way.
        const tax0 = tax(11, { amount: 0, price_include: true });
        const tax8 = tax(12, { amount: 8, price_include: true });
        checkComputeAll(all([tax8, tax0], 15.55, {}, 8), 124.4, 115.19, [[115.19, 0], [115.19, 9.21]]);
        checkComputeAll(all([tax0, tax8], 15.55, {}, 8), 124.4, 115.19, [[115.19, 0], [115.19, 9.21]]);

        const tax5 = tax(13, { amount: 5, price_include: true });
        const nickel = { rounding: 0.05 };
        for (const roundingMethod of ['round_per_line', 'round_globally'] as const) {
          checkComputeAll(all([tax5], 5, { roundingMethod }, 1, nickel), 5, 4.75, [[4.75, 0.25]]);
          checkComputeAll(all([tax5], 10, { roundingMethod }, 1, nickel), 10, 9.5, [[9.5, 0.5]]);
          checkComputeAll(all([tax5], 50, { roundingMethod }, 1, nickel), 50, 47.6, [[47.6, 2.4]]);
        }

        const tax21 = tax(22, { amount: 21, price_include: true });
        checkComputeAll(all([tax21], 11.9, { roundingMethod: 'round_globally' }), 11.9, 9.83, [[9.83, 2.07]]);
        checkComputeAll(all([tax21], 2.8, { roundingMethod: 'round_globally' }), 2.8, 2.31, [[2.31, 0.49]]);
      });

      it('test_is_base_affected', () => {
        const taxes = [
          tax(30, { amount: 6, include_base_amount: true, is_base_affected: true, sequence: 0 }),
          tax(31, { amount: 6, include_base_amount: true, is_base_affected: false, sequence: 1 }),
          tax(32, { amount: 10, include_base_amount: false, is_base_affected: true, sequence: 2 }),
        ];
        checkComputeAll(all(taxes, 100), 123.2, 100, [[100, 6], [100, 6], [112, 11.2]]);
      });

      it('test_mixing_price_included_excluded_with_affect_base', () => {
        const fixed10 = tax(40, { amount_type: 'fixed', amount: 10, include_base_amount: true });
        const tax21 = tax(41, { amount: 21, price_include: true, include_base_amount: true });
        checkComputeAll(all([fixed10, tax21], 1210), 1222.1, 1000, [[1000, 10], [1010, 212.1]]);
      });

      it('negative amounts (the refund halves of test_advanced_taxes_computation_0 and test_rounding_issues_0)', () => {
        // With one repartition factor per tax, the POS sums the 50/50 lines of each tax.
        const advanced = [
          tax(50, { amount: 10, price_include: true, include_base_amount: true, sequence: 1 }),
          tax(51, { amount: 10, sequence: 2 }),
          tax(52, { amount: 10, price_include: true, sequence: 3 }),
          tax(53, { amount: 10, sequence: 4 }),
          tax(54, { amount: 10, price_include: true, sequence: 5 }),
        ];
        checkComputeAll(all(advanced, 132), 154, 100, [[100, 10], [110, 11], [110, 11], [110, 11], [110, 11]]);
        checkComputeAll(all(advanced, -132), -154, -100, [[-100, -10], [-110, -11], [-110, -11], [-110, -11], [-110, -11]]);
        // Six 50% lines of a 3% tax: 0.03 × 3 = 0.09.
        checkComputeAll(all([tax(55, { amount: 3, sum_repartition_factor: 3 })], -1), -1.09, -1, [[-1, -0.09]]);
      });
    });
  }

  describe('server flavour: repartition lines (one result per line)', () => {
    const all = (taxes: Tax[], price: number, options: ComputeAllOptions = {}) =>
      computeAll(taxes, price, cents, 1, undefined, undefined, { flavor: 'server', ...options });
    const lines = (...factors: number[]) => factors.map((factor) => ({ factor }));

    it('test_advanced_taxes_computation_0', () => {
      const half = { invoice_repartition_lines: lines(0.5, 0.5) };
      const taxes = [
        tax(50, { amount: 10, price_include: true, include_base_amount: true, sequence: 1, ...half }),
        tax(51, { amount: 10, sequence: 2, ...half }),
        tax(52, { amount: 10, price_include: true, sequence: 3, ...half }),
        tax(53, { amount: 10, sequence: 4, ...half }),
        tax(54, { amount: 10, price_include: true, sequence: 5, ...half }),
      ];
      const positive: [number, number][] = [[100, 5], [100, 5], [110, 5.5], [110, 5.5], [110, 5.5], [110, 5.5], [110, 5.5], [110, 5.5], [110, 5.5], [110, 5.5]];
      checkComputeAll(all(taxes, 132), 154, 100, positive);
      checkComputeAll(all(taxes, -132), -154, -100, positive.map(([base, amount]) => [-base, -amount]));
    });

    it('test_intracomm_taxes_computation_0', () => {
      const intracomm = tax(60, { amount: 21, invoice_repartition_lines: lines(1, -1) });
      checkComputeAll(all([intracomm], 100), 100, 100, [[100, 21], [100, -21]]);
      checkComputeAll(all([intracomm], -100), -100, -100, [[-100, -21], [-100, 21]]);
    });

    it('test_rounding_issues_0 / _1', () => {
      const issues0 = tax(61, { amount: 3, invoice_repartition_lines: lines(0.5, 0.5, 0.5, 0.5, 0.5, 0.5) });
      checkComputeAll(all([issues0], 1), 1.09, 1, [[1, 0.01], [1, 0.01], [1, 0.01], [1, 0.02], [1, 0.02], [1, 0.02]]);
      checkComputeAll(all([issues0], -1), -1.09, -1, [[-1, -0.01], [-1, -0.01], [-1, -0.01], [-1, -0.02], [-1, -0.02], [-1, -0.02]]);
      const issues1 = tax(62, { amount: 3, invoice_repartition_lines: lines(0.5, -0.5, 0.25, 0.25, -0.25, -0.25) });
      checkComputeAll(all([issues1], 1), 1, 1, [[1, 0.02], [1, -0.02], [1, 0.01], [1, 0.01], [1, -0.01], [1, -0.01]]);
      checkComputeAll(all([issues1], -1), -1, -1, [[-1, -0.02], [-1, 0.02], [-1, -0.01], [-1, -0.01], [-1, 0.01], [-1, 0.01]]);
    });

    it('test_price_included_repartition_sum_0', () => {
      const notZero = tax(63, { amount: 42, price_include: true, invoice_repartition_lines: lines(1, -1) });
      checkComputeAll(all([notZero], 100), 100, 100, [[100, 42], [100, -42]]);
    });

    it('test_repartition_line_in (forced price-included, Indian company)', () => {
      const tax20 = tax(64, { amount: 20, price_include: true, invoice_repartition_lines: lines(1, -1) });
      checkComputeAll(all([tax20], 1000, { companyCountryCode: 'IN' }), 1000, 1000, [[1000, 200], [1000, -200]]);
    });

    it('total_void counts the repartition lines without an account (rule: compute_all)', () => {
      const withoutAccount = tax(65, { amount: 10, invoice_repartition_lines: [{ factor: 1, hasAccount: false }] });
      const withAccount = tax(66, { amount: 5, sequence: 2, invoice_repartition_lines: [{ factor: 1, hasAccount: true }] });
      const result = all([withoutAccount, withAccount], 100);
      expectAmount(result.total_void, 110);
      expectAmount(result.total_included, 115);
    });
  });

  it('a 0 % included tax after an 8 % one: the server skips it as checkpoint, the POS lets it absorb the cent (rule)', () => {
    // test_rounding_tax_included_round_per_line_03's taxes, with the 8 % tax first (lower id).
    const tax8 = tax(11, { amount: 8, price_include: true });
    const tax0 = tax(12, { amount: 0, price_include: true });
    const server = computeAll([tax8, tax0], 15.55, cents, 8, undefined, undefined, { flavor: 'server' });
    checkComputeAll(server, 124.4, 115.19, [[115.19, 9.21], [115.19, 0]]);
    const pos = computeAll([tax8, tax0], 15.55, cents, 8);
    checkComputeAll(pos, 124.4, 115.19, [[115.19, 9.22], [115.19, -0.01]]);
  });

  it('POS flavour without repartition lines: a zero repartition sum gives no tax (rule: _get_pos_ui_account_tax)', () => {
    const intracomm = tax(60, { amount: 21, sum_repartition_factor: 0 });
    checkComputeAll(computeAll([intracomm], 100, cents), 100, 100, [[100, 0]]);
  });

  it('the POS keeps the given order when taxes carry no sequence (17 does not load it)', () => {
    const noSequence = (t: Tax): Tax => ({ ...t, sequence: undefined });
    const division = noSequence(tax(5, { amount_type: 'division', amount: 10 }));
    const fixed = noSequence(tax(1, { amount_type: 'fixed', amount: 10, include_base_amount: true }));
    const percent = noSequence(tax(3, { amount: 10 }));
    // rule: fixed first (it raises the base), then the percent and the division taxes on 210.
    const result = computeAll([fixed, percent, division], 200, cents);
    expect(result.taxes.map((t) => t.id)).toEqual([1, 3, 5]);
    checkComputeAll(result, 200 + 10 + 21 + 23.33, 200, [[200, 10], [210, 21], [210, 23.33]]);
  });

  it('an unknown amount type cannot be computed offline', () => {
    expect(() => computeAll([tax(70, { amount_type: 'code', amount: 0 })], 10, cents)).toThrow(UnsupportedTaxError);
  });
});

// ---------------------------------------------------------------------------------------------
// Pricelists: addons/point_of_sale/tests/test_frontend.py setUpClass + static/tests/tours/pricelist_tour.js
// ---------------------------------------------------------------------------------------------

const categAll: ProductCategory = { id: 1, parent: null };
const categSaleable: ProductCategory = { id: 2, parent: categAll };
const categServices: ProductCategory = { id: 3, parent: categSaleable };

function product(id: number, lstPrice: number, extra: Partial<PricedProduct> = {}): PricedProduct & { taxes_id: number[] } {
  return { id, product_tmpl_id: [id + 100, `template ${id}`], lst_price: lstPrice, categ: categAll, taxes_id: [], ...extra };
}

function item(id: number, fields: Partial<PricelistItem>): PricelistItem {
  return { id, compute_price: 'fixed', min_quantity: 0, base: 'list_price', ...fields };
}

describe('pricelists: test_frontend.py + pricelist_tour.js (assertProductPrice, round_di to 2 digits)', () => {
  const wallShelf = product(1, 1.98);
  const smallShelf = product(2, 2.83);
  const magneticBoard = product(3, 1.98);
  const monitorStand = product(4, 3.19);
  const deskPad = product(5, 1.98);
  const letterTray = product(6, 4.8);
  const whiteboardPen = product(7, 3.2); // list price 1.20 + variant extra 2
  const consumable = product(8, 10);

  // Items are listed in the ORM order load_pos_data returns: applied_on, min_quantity desc, categ desc, id desc.
  const fixed: Pricelist = {
    id: 1,
    name: 'Fixed',
    items: [
      item(3, { fixed_price: 13.95, product_id: [smallShelf.id, 'Small Shelf'] }),
      item(2, { fixed_price: 2, product_id: [wallShelf.id, 'Wall Shelf'] }),
      item(1, { fixed_price: 1 }),
    ],
  };
  const percentage: Pricelist = {
    id: 2,
    name: 'Percentage',
    items: [
      item(6, { compute_price: 'percentage', percent_price: 0, product_id: [magneticBoard.id, ''] }),
      item(5, { compute_price: 'percentage', percent_price: 99, product_id: [smallShelf.id, ''] }),
      item(4, { compute_price: 'percentage', percent_price: 100, product_id: [wallShelf.id, ''] }),
    ],
  };
  const formula: Pricelist = {
    id: 3,
    name: 'Formula',
    items: [
      item(11, { compute_price: 'formula', price_discount: -100, price_min_margin: 5, price_max_margin: 20, product_id: [deskPad.id, ''] }),
      item(10, { compute_price: 'formula', price_surcharge: 10, price_max_margin: 5, product_id: [monitorStand.id, ''] }),
      item(9, { compute_price: 'formula', price_min_margin: 10, price_max_margin: 100, product_id: [magneticBoard.id, ''] }),
      item(8, { compute_price: 'formula', price_surcharge: -0.01, price_round: 1, product_id: [smallShelf.id, ''] }),
      item(7, { compute_price: 'formula', price_discount: 6, price_surcharge: 5, product_id: [wallShelf.id, ''] }),
    ],
  };
  const minQuantityOrdering: Pricelist = {
    id: 4,
    name: 'min_quantity ordering',
    items: [
      item(14, { fixed_price: 2, min_quantity: 2, product_id: [consumable.id, ''] }),
      item(12, { fixed_price: 1, min_quantity: 2, product_id: [wallShelf.id, ''] }),
      item(13, { fixed_price: 2, min_quantity: 1, product_id: [wallShelf.id, ''] }),
    ],
  };
  const productTemplate: Pricelist = {
    id: 5,
    name: 'Product template',
    items: [item(15, { fixed_price: 1, product_tmpl_id: wallShelf.product_tmpl_id }), item(16, { fixed_price: 2 })],
  };
  const categoryVsNoCategory: Pricelist = {
    id: 6,
    name: 'Category vs no category',
    items: [item(17, { fixed_price: 1, categ_id: [categServices.id, 'All / Saleable / Services'] }), item(18, { fixed_price: 2 })],
  };
  const category: Pricelist = {
    id: 7,
    name: 'Category',
    items: [
      item(20, { fixed_price: 1, categ_id: [categServices.id, 'All / Saleable / Services'] }),
      item(19, { fixed_price: 2, categ_id: [categAll.id, 'All'] }),
    ],
  };
  const publicPricelist: Pricelist = { id: 8, name: 'Public Pricelist', items: [] };
  // today = 2024-05-15; the tour runs "now" during that day.
  const now = parseOdooUtc('2024-05-15 10:30:00');
  const dates: Pricelist = {
    id: 9,
    name: 'Dates',
    items: [
      item(23, { fixed_price: 3, date_start: '2024-05-22', date_end: '2024-05-29' }),
      item(22, { fixed_price: 2, date_start: '2024-05-15', date_end: '2024-05-22' }),
      item(21, { fixed_price: 1, date_start: '2024-05-01', date_end: '2024-05-08' }),
    ],
  };
  const pricelistBaseRounding: Pricelist = {
    id: 10,
    name: 'Pricelist base rounding',
    items: [item(24, { base: 'pricelist', base_pricelist_id: [fixed.id, 'Fixed'], compute_price: 'percentage', percent_price: 0.01 })],
  };
  const pricelists = [fixed, percentage, formula, minQuantityOrdering, productTemplate, categoryVsNoCategory, category, publicPricelist, dates, pricelistBaseRounding];
  const context = { pricelists, date: now };

  const cases: [PricedProduct, Pricelist, number, number][] = [
    [letterTray, publicPricelist, 0, 4.8],
    [letterTray, publicPricelist, 1, 4.8],
    [letterTray, fixed, 1, 1],
    [wallShelf, fixed, 1, 2],
    [smallShelf, fixed, 1, 13.95],
    [wallShelf, percentage, 1, 0],
    [smallShelf, percentage, 1, 0.03],
    [magneticBoard, percentage, 1, 1.98],
    [wallShelf, formula, 1, 6.86],
    [smallShelf, formula, 1, 2.99],
    [magneticBoard, formula, 1, 11.98],
    [monitorStand, formula, 1, 8.19],
    [deskPad, formula, 1, 6.98],
    [wallShelf, minQuantityOrdering, 1, 2],
    [wallShelf, minQuantityOrdering, 2, 1],
    [letterTray, categoryVsNoCategory, 1, 2],
    [letterTray, category, 1, 2],
    [wallShelf, productTemplate, 1, 1],
    [wallShelf, dates, 1, 2],
    [smallShelf, pricelistBaseRounding, 1, 13.95],
    [whiteboardPen, publicPricelist, 1, 3.2],
  ];
  for (const [priced, pricelist, quantity, expected] of cases) {
    it(`${pricelist.name}: product ${priced.id} × ${quantity} → ${expected}`, () => {
      expect(Math.abs(expected - roundDecimals(productPrice(priced, pricelist, quantity, context), 2))).toBeLessThan(0.001);
    });
  }

  it('a category rule applies to products of child categories (rule: parent_category_ids)', () => {
    const service = product(9, 50, { categ: categServices });
    expect(productPrice(service, category, 1, context)).toBe(1);
    expect(productPrice(service, categoryVsNoCategory, 1, context)).toBe(1);
    // The same, with the category given by id and parents looked up.
    const byId = product(9, 50, { categ: undefined, categ_id: [3, 'Services'] });
    const categories = [{ id: 1, parent_id: false as const }, { id: 2, parent_id: [1, 'All'] as const }, { id: 3, parent_id: [2, 'Saleable'] as const }];
    expect(productPrice(byId, category, 1, { ...context, categories })).toBe(1);
  });

  it('dates are UTC and both bounds inclusive (rule: isPricelistItemUsable)', () => {
    expect(findRule(wallShelf, dates, 1, { date: parseOdooUtc('2024-05-22 00:00:00') })?.id).toBe(23);
    expect(findRule(wallShelf, dates, 1, { date: parseOdooUtc('2024-05-08 00:00:00') })?.id).toBe(21);
    expect(findRule(wallShelf, dates, 1, { date: parseOdooUtc('2024-05-10 00:00:00') })).toBeNull();
    expect(productPrice(wallShelf, dates, 1, { pricelists, date: parseOdooUtc('2024-05-10 00:00:00') })).toBe(1.98);
  });
});

describe('pricelists: addons/product/tests/test_product_pricelist.py test_10_calculation_price_of_products_pricelist', () => {
  // Products keep Odoo's default list price 1.0 except the monitor (1000); category 5 is a child of product_category.
  const productCategory: ProductCategory = { id: 40, parent: null };
  const category5: ProductCategory = { id: 41, parent: productCategory };
  const ipadRetina = product(21, 1.0, { categ: category5 });
  const laptopE5023 = product(22, 1.0, { categ: category5 });
  const headphones = product(23, 1.0, { categ: category5 });
  const laptopS3450 = product(24, 1.0, { categ: category5 });
  const ipadMini = product(25, 1.0, { categ: category5, standard_price: 800 });
  const monitor = product(26, 1000, { categ: category5 });
  const multiPrice = product(27, 1.0, { categ: productCategory });
  const basePricelist: Pricelist = { id: 30, name: 'Test Pricelist', items: [] };
  const customer: Pricelist = {
    id: 31,
    name: 'Customer Pricelist',
    items: [
      item(7, { compute_price: 'fixed', fixed_price: 99, product_tmpl_id: multiPrice.product_tmpl_id }),
      item(6, { compute_price: 'formula', price_discount: 50, product_tmpl_id: monitor.product_tmpl_id, date_start: '2020-04-06 09:00:00', date_end: '2020-04-09 12:00:00' }),
      item(3, { compute_price: 'formula', price_surcharge: 1, product_tmpl_id: laptopE5023.product_tmpl_id }),
      item(2, { compute_price: 'formula', price_discount: 10, product_tmpl_id: ipadRetina.product_tmpl_id }),
      item(4, { compute_price: 'formula', price_discount: 5, min_quantity: 2, categ_id: [productCategory.id, ''] }),
      item(5, { compute_price: 'formula', price_discount: 30, date_start: '2011-12-27', date_end: '2011-12-31' }),
      item(1, { compute_price: 'formula', base: 'pricelist', base_pricelist_id: [basePricelist.id, ''] }),
    ],
  };
  const business: Pricelist = { id: 32, name: 'Business Pricelist', items: [item(8, { fixed_price: 50, product_tmpl_id: multiPrice.product_tmpl_id })] };
  const context = { pricelists: [basePricelist, customer, business], date: parseOdooUtc('2024-05-15 10:00:00') };
  const at = (date: string) => ({ ...context, date: parseOdooUtc(date) });

  it('discounts, surcharges, category minimum quantity, dates and fixed prices', () => {
    expect(floatCompare(productPrice(ipadRetina, customer, 1, context), 1 - 1 * 0.1, { digits: 2 })).toBe(0);
    expect(floatCompare(productPrice(laptopE5023, customer, 1, context), 1 + 1, { digits: 2 })).toBe(0);
    expect(floatCompare(productPrice(headphones, customer, 1, context), 1, { digits: 2 })).toBe(0);
    expect(floatCompare(productPrice(laptopS3450, customer, 5, context), 1 - 1 * 0.05, { digits: 2 })).toBe(0);
    expect(floatCompare(productPrice(ipadMini, customer, 1, context), 1, { digits: 2 })).toBe(0);
    expect(floatCompare(productPrice(ipadMini, customer, 1, at('2011-12-31')), 1 - 1 * 0.3, { digits: 2 })).toBe(0);
    expect(floatCompare(productPrice(monitor, customer, 1, at('2020-04-05 08:00:00')), 1000, { digits: 2 })).toBe(0);
    expect(floatCompare(productPrice(monitor, customer, 1, at('2020-04-06 10:00:00')), 500, { digits: 2 })).toBe(0);
    expect(floatCompare(productPrice(multiPrice, customer, 1, context), 99, { digits: 2 })).toBe(0);
    expect(floatCompare(productPrice(multiPrice, business, 1, context), 50, { digits: 2 })).toBe(0);
  });
});

describe('pricelists based on other pricelists', () => {
  it('addons/sale/tests/test_sale_prices.py test_pricelist_based_on_another: 100 → 10% → 10% = 81', () => {
    const saleable = product(1, 100);
    const first: Pricelist = { id: 1, items: [item(1, { compute_price: 'percentage', percent_price: 10 })] };
    const second: Pricelist = { id: 2, items: [item(2, { compute_price: 'formula', base: 'pricelist', base_pricelist_id: [1, ''], price_discount: 10 })] };
    const details = productPriceDetails(saleable, second, 1, { pricelists: [first, second] });
    expectAmount(details.price, 81);
    expect(details.pricelistChain).toEqual([2, 1]);
    expect(details.ruleId).toBe(2);
  });

  it('test_frontend.py Cost base / Pricelist base / Pricelist base 2: cost − 55 %, − 15 %, − 3 % (rule)', () => {
    const costed = product(1, 10, { standard_price: 8 });
    const costBase: Pricelist = { id: 1, items: [item(1, { base: 'standard_price', compute_price: 'percentage', percent_price: 55 })] };
    const base1: Pricelist = { id: 2, items: [item(2, { base: 'pricelist', base_pricelist_id: [1, ''], compute_price: 'percentage', percent_price: 15 })] };
    const base2: Pricelist = { id: 3, items: [item(3, { base: 'pricelist', base_pricelist_id: [2, ''], compute_price: 'percentage', percent_price: 3 })] };
    const pricelists = [costBase, base1, base2];
    expectAmount(productPrice(costed, costBase, 1, { pricelists }), 3.6);
    expectAmount(productPrice(costed, base1, 1, { pricelists }), 3.06);
    expectAmount(productPrice(costed, base2, 1, { pricelists }), 2.9682);
  });

  it('test_06_pos_discount_display_with_multiple_pricelist: special_pricelist is 10 % off the fixed 7 (rule)', () => {
    const testProduct = product(1, 10);
    const base: Pricelist = { id: 1, items: [item(1, { fixed_price: 7, product_tmpl_id: testProduct.product_tmpl_id })] };
    const special: Pricelist = { id: 2, items: [item(2, { base: 'pricelist', base_pricelist_id: [1, ''], compute_price: 'formula', price_discount: 10 })] };
    expectAmount(productPrice(testProduct, special, 1, { pricelists: [base, special] }), 6.3);
  });

  it('the POS asks the base pricelist without the attribute extra (rule: get_price(base, qty, 0, true))', () => {
    const withExtra = product(1, 100);
    const base: Pricelist = { id: 1, items: [item(1, { compute_price: 'percentage', percent_price: 10 })] };
    const onBase: Pricelist = { id: 2, items: [item(2, { compute_price: 'formula', base: 'pricelist', base_pricelist_id: [1, ''] })] };
    expectAmount(productPrice(withExtra, base, 1, { pricelists: [base, onBase] }, 20), 108);
    expectAmount(productPrice(withExtra, onBase, 1, { pricelists: [base, onBase] }, 20), 90);
  });

  it('a base pricelist that was not loaded keeps the list price; a loop is refused', () => {
    const priced = product(1, 100);
    const orphan: Pricelist = { id: 1, items: [item(1, { compute_price: 'formula', base: 'pricelist', base_pricelist_id: [99, ''], price_discount: 10 })] };
    const details = productPriceDetails(priced, orphan, 1, { pricelists: [orphan] });
    expectAmount(details.price, 90);
    expect(details.missingBasePricelistId).toBe(99);

    const a: Pricelist = { id: 1, items: [item(1, { compute_price: 'formula', base: 'pricelist', base_pricelist_id: [2, ''] })] };
    const b: Pricelist = { id: 2, items: [item(2, { compute_price: 'formula', base: 'pricelist', base_pricelist_id: [1, ''] })] };
    expect(() => productPrice(priced, a, 1, { pricelists: [a, b] })).toThrow(PricelistCycleError);
  });
});

// ---------------------------------------------------------------------------------------------
// Lines, fiscal positions and orders
// ---------------------------------------------------------------------------------------------

const usd: PosPricingSettings = { currency: { rounding: 0.01, decimal_places: 2 }, productPriceDigits: 2, taxRoundingMethod: 'round_per_line' };

function withCashRounding(cashRounding: CashRounding, base: PosPricingSettings = usd): PosPricingSettings {
  return { ...base, cashRounding };
}

function taxesById(...taxes: Tax[]): Record<number, Tax> {
  return Object.fromEntries(taxes.map((t) => [t.id, t]));
}

function fiscalPosition(id: number, mappings: [number, number | false][]): FiscalPosition {
  return {
    id,
    fiscal_position_taxes_by_id: Object.fromEntries(
      mappings.map(([source, destination], i) => [100 + i, { id: 100 + i, tax_src_id: [source, ''], tax_dest_id: destination === false ? false : [destination, ''] }]),
    ),
  };
}

describe('fiscal positions', () => {
  const tax15Included = tax(1, { amount: 15, price_include: true, sequence: undefined });
  const tax0 = tax(2, { amount: 0, sequence: undefined });
  const testProduct = { ...product(1, 100), taxes_id: [tax15Included.id] };
  const byId = taxesById(tax15Included, tax0);

  it('test_fiscal_position_no_tax + FiscalPositionNoTax tour: an included 15 % removed → 86.96', () => {
    const noTax = fiscalPosition(1, [[tax15Included.id, false]]);
    const input = { product: testProduct, pricelist: null, quantity: 1, taxesById: byId, priceContext: { pricelists: [] } };
    expectAmount(computeLineTotals({ priceUnit: lineUnitPrice(input, usd), quantity: 1, taxes: mapTaxes(testProduct.taxes_id, null, byId) }, usd).price_subtotal_incl, 100);
    const price = lineUnitPrice({ ...input, fiscalPosition: noTax }, usd);
    expectAmount(price, 86.96);
    const taxes = mapTaxes(testProduct.taxes_id, noTax, byId);
    expect(taxes).toEqual([]);
    const line = computeLineTotals({ priceUnit: price, quantity: 1, taxes }, usd);
    expectAmount(line.price_subtotal_incl, 86.96);
    // The payload still names the product's own tax; the server maps it again.
    expect(payloadTaxIds(testProduct.taxes_id, [tax15Included, tax0])).toEqual([1]);
  });

  it('test_refund_order_with_fp_tax_included + FiscalPositionNoTaxRefund tour: 15 % included → 0 %, refunded → -86.96', () => {
    const toZero = fiscalPosition(2, [[tax15Included.id, tax0.id]]);
    const price = lineUnitPrice({ product: testProduct, pricelist: null, quantity: 1, fiscalPosition: toZero, taxesById: byId, priceContext: { pricelists: [] } }, usd);
    expectAmount(price, 86.96);
    const taxes = mapTaxes(testProduct.taxes_id, toZero, byId);
    expect(taxes.map((t) => t.id)).toEqual([2]);
    const sale = computeOrderTotals([{ priceUnit: price, quantity: 1, taxes }], [], usd);
    expectAmount(sale.amount_total, 86.96);
    const refund = computeOrderTotals([{ priceUnit: price, quantity: -1, taxes }], [], usd);
    expectAmount(refund.amount_total, -86.96);
    expectAmount(refund.lines[0]!.price_subtotal, -86.96);
  });

  it('test_fiscal_position_two_tax_included + FiscalPositionTwoTaxIncluded tour: 10 % → 5 % included keeps 100, tax 9.09 → 4.76', () => {
    const tax10 = tax(10, { amount: 10, price_include: true, sequence: undefined });
    const tax5 = tax(11, { amount: 5, price_include: true, sequence: undefined });
    const byId2 = taxesById(tax10, tax5);
    const fp = fiscalPosition(3, [[10, 11]]);
    const before = computeOrderTotals([{ priceUnit: 100, quantity: 1, taxes: mapTaxes([10], null, byId2) }], [], usd);
    expectAmount(before.amount_tax, 9.09);
    expectAmount(before.amount_total, 100);
    expectAmount(priceAfterFiscalPosition(100, [tax10], fp, byId2, usd.currency), 100);
    const after = computeOrderTotals([{ priceUnit: 100, quantity: 1, taxes: mapTaxes([10], fp, byId2) }], [], usd);
    expectAmount(after.amount_tax, 4.76);
    expectAmount(after.amount_total, 100);
  });

  it('test_frontend.py setUpClass FP-POS-2M: a tax mapped to itself and to another keeps both', () => {
    const src = tax(20, { amount: 10 });
    const dst = tax(21, { amount: 5 });
    const fp = fiscalPosition(4, [[20, 20], [20, 21]]);
    expect(mapTaxes([20], fp, taxesById(src, dst)).map((t) => t.id)).toEqual([20, 21]);
    expect(mapTaxes([20, 99], null, taxesById(src, dst)).map((t) => t.id)).toEqual([20]);
  });

  it('addons/point_of_sale/tests/test_pos_with_fiscal_position.py test_01_no_invoice_fpos (7 % → 17 %, 10 % included kept)', () => {
    const tax7 = tax(7, { amount: 7 });
    const tax10 = tax(10, { amount: 10, price_include: true });
    const tax17 = tax(17, { amount: 17 });
    const byId3 = taxesById(tax7, tax10, tax17);
    const fpos = fiscalPosition(5, [[7, 17]]);
    const line = (price: number, quantity: number, taxIds: number[], fp: FiscalPosition | null): OrderLineInput => ({
      priceUnit: priceAfterFiscalPosition(price, mapTaxes(taxIds, null, byId3), fp, byId3, usd.currency),
      quantity,
      taxes: mapTaxes(taxIds, fp, byId3),
    });
    const order1 = computeOrderTotals([line(10.99, 10, [7], fpos), line(19.99, 10, [10], fpos), line(30.99, 10, [7], fpos)], [], usd);
    const expectedLines: [number, number][] = [[109.9, 128.58], [181.73, 199.9], [309.9, 362.58]];
    order1.lines.forEach((computed, i) => {
      expectAmount(computed.price_subtotal, expectedLines[i]![0]);
      expectAmount(computed.price_subtotal_incl, expectedLines[i]![1]);
    });
    expectAmount(order1.lines[0]!.tax, 18.68);
    expectAmount(order1.lines[1]!.tax, 18.17);
    expectAmount(order1.lines[2]!.tax, 52.68);
    expectAmount(order1.amount_total, 128.58 + 199.9 + 362.58);

    // order 3: no fiscal position; the bank receivable of the expected result is its total, 265.75.
    const order3 = computeOrderTotals([line(19.99, 5, [10], null), line(30.99, 5, [7], null)], [], usd);
    expectAmount(order3.lines[0]!.price_subtotal, 90.86);
    expectAmount(order3.lines[0]!.tax, 9.09);
    expectAmount(order3.lines[1]!.price_subtotal, 154.95);
    expectAmount(order3.lines[1]!.tax, 10.85);
    expectAmount(order3.lines[1]!.price_subtotal_incl, 165.8);
    expectAmount(order3.amount_total, 265.75);
  });
});

describe('order lines and totals', () => {
  it('test_fixed_tax_negative_qty + FixedTaxNegativeQty tour: a free product refunded still refunds its fixed tax', () => {
    const fixed1 = tax(1, { amount_type: 'fixed', amount: 1 });
    const order = computeOrderTotals([{ priceUnit: 0, quantity: -1, taxes: [fixed1] }], [], usd);
    expectAmount(order.lines[0]!.price_subtotal, 0);
    expectAmount(order.lines[0]!.price_subtotal_incl, -1);
    expectAmount(order.amount_total, -1);
  });

  it('test_08_show_tax_excluded + ShowTaxExcludedTour: 110 with 10 % included → 100 excluded, 110 total', () => {
    const line = computeLineTotals({ priceUnit: 110, quantity: 1, taxes: [tax(1, { amount: 10, price_include: true })] }, usd);
    expectAmount(line.price_subtotal, 100);
    expectAmount(line.price_subtotal_incl, 110);
  });

  it('docs/odoo-pos-rpc.md (real Odoo 17): Whiteboard Pen 2 × 1.2 with 15 % → 2.4 / 2.76, tax 0.36', () => {
    const order = computeOrderTotals([{ priceUnit: 1.2, quantity: 2, taxes: [tax(1, { amount: 15 })] }], [{ amount: 2.76, isCash: true }], usd);
    expectAmount(order.lines[0]!.price_subtotal, 2.4);
    expectAmount(order.lines[0]!.price_subtotal_incl, 2.76);
    expectAmount(order.amount_tax, 0.36);
    expectAmount(order.amount_total, 2.76);
    expectAmount(order.amount_paid, 2.76);
    expectAmount(order.amount_return, 0);
  });

  it('test_pos_products_with_tax.py test_pos_create_correct_account_move_round_globally_discount_real_use_case', () => {
    const tax21 = tax(21, { amount: 21, price_include: true });
    const globally: PosPricingSettings = { ...usd, taxRoundingMethod: 'round_globally' };
    const order = computeOrderTotals(
      [
        { priceUnit: 11.8, quantity: 6, discount: 5, taxes: [tax21] },
        { priceUnit: 15.3, quantity: -6, discount: 5, taxes: [tax21] },
      ],
      [],
      globally,
    );
    expectAmount(order.lines[0]!.price_subtotal, 55.59);
    expectAmount(order.lines[0]!.tax, 11.67);
    expectAmount(order.lines[0]!.price_subtotal_incl, 67.26);
    expectAmount(order.lines[1]!.price_subtotal, -72.07);
    expectAmount(order.lines[1]!.tax, -15.14);
    expectAmount(order.lines[1]!.price_subtotal_incl, -87.21);
    // The cash receivable of the session move is the order's total.
    expectAmount(order.amount_total, -19.95);
  });

  it('test_pos_create_account_move_round_globally: 12.10 and -6.05 with 21 % included', () => {
    const tax21 = tax(21, { amount: 21, price_include: true });
    const order = computeOrderTotals(
      [
        { priceUnit: 12.1, quantity: 1, taxes: [tax21] },
        { priceUnit: 6.05, quantity: -1, taxes: [tax21] },
      ],
      [],
      { ...usd, taxRoundingMethod: 'round_globally' },
    );
    expectAmount(order.amount_untaxed, 10 - 5);
    expectAmount(order.amount_tax, 2.1 - 1.05);
    expectAmount(order.amount_total, 6.05);
  });

  it('round per line and round globally differ by a cent (rule: Order.get_total_tax)', () => {
    const tax10 = tax(1, { amount: 10 });
    const lines: OrderLineInput[] = [0, 1, 2].map(() => ({ priceUnit: 0.05, quantity: 1, taxes: [tax10] }));
    const perLine = computeOrderTotals(lines, [], usd);
    expectAmount(perLine.amount_tax, 0.03); // 3 × round(0.005)
    expectAmount(perLine.amount_total, 0.18);
    const globally = computeOrderTotals(lines, [], { ...usd, taxRoundingMethod: 'round_globally' });
    expectAmount(globally.amount_tax, 0.02); // round(3 × 0.005)
    expectAmount(globally.amount_total, 0.17);
    // Each line still shows its own rounded total.
    expectAmount(globally.lines[0]!.price_subtotal_incl, 0.06);
  });

  it('a line takes the pricelist price for its quantity, rounded to the Product Price digits (rule: set_quantity)', () => {
    const shelf = { ...product(1, 1.98), taxes_id: [] };
    const minQuantity: Pricelist = {
      id: 1,
      items: [
        item(2, { compute_price: 'formula', price_discount: 33.333, min_quantity: 10, product_id: [1, ''] }),
        item(1, { fixed_price: 1.5, product_id: [1, ''] }),
      ],
    };
    const input = { product: shelf, pricelist: minQuantity, taxesById: {}, priceContext: { pricelists: [minQuantity] } };
    expect(lineUnitPrice({ ...input, quantity: 1 }, usd)).toBe(1.5);
    // 1.98 × (1 − 0.33333) = 1.3200066 → 1.32, or 1.320007 with 6 digits
    expect(lineUnitPrice({ ...input, quantity: 10 }, usd)).toBe(1.32);
    expect(lineUnitPrice({ ...input, quantity: 10 }, { ...usd, productPriceDigits: 4 })).toBe(1.32);
    expect(lineUnitPrice({ ...input, quantity: 10 }, { ...usd, productPriceDigits: 6 })).toBe(1.320007);
  });

  it('quantities follow the unit of measure rounding (rule: Orderline.set_quantity)', () => {
    expect(roundQuantity(1.23456, { rounding: 0.01 }, 3)).toBe(1.23);
    expect(roundQuantity(1.23456, { rounding: 0.0001 }, 3)).toBe(1.235);
    expect(roundQuantity(2.5, { rounding: 0 }, 3)).toBe(3);
    expect(roundQuantity(-2.5, { rounding: 1 }, 0)).toBe(-3);
    expect(roundQuantity(0.3333, null, 3)).toBe(0.3333);
  });

  it('payload numbers: price_unit re-read from its text, quantities and payments rounded (rule: get_unit_price, set_amount)', () => {
    expect(payloadUnitPrice(13.948605, usd)).toBe(13.95);
    expect(paymentAmount(1.944, usd)).toBe(1.94);
    const line = computeLineTotals({ priceUnit: 10, quantity: 3, discount: 10, taxes: [] }, usd);
    expectAmount(line.price_subtotal, 27);
    expectAmount(line.priceWithoutTaxBeforeDiscount, 30);
  });
});

describe('cash rounding: test_frontend.py + PaymentScreen.tour.js', () => {
  const cash = (amount: number): PaymentInput => ({ amount, isCash: true });
  const bank = (amount: number): PaymentInput => ({ amount, isCash: false });
  const noTax = (price: number, quantity = 1): OrderLineInput => ({ priceUnit: price, quantity, taxes: [] });

  it('test_rounding_up (UP 0.05): 1.98 → 2.00, refund -2.00', () => {
    const settings = withCashRounding({ rounding: 0.05, rounding_method: 'UP', onlyRoundCashMethod: false });
    const sale = [noTax(1.98)];
    expectAmount(computeOrderTotals(sale, [], settings).total_due, 2.0);
    const paid = [cash(newPaymentLineAmount(sale, [], true, settings))];
    expectAmount(paid[0]!.amount, 2.0);
    const totals = computeOrderTotals(sale, paid, settings);
    expectAmount(Math.max(totals.amount_due, 0), 0);
    expectAmount(totals.amount_return, 0);
    expectAmount(totals.amount_total, 1.98);
    expectAmount(totals.amount_paid, 2.0);

    const refund = [noTax(1.98, -1)];
    expectAmount(computeOrderTotals(refund, [], settings).total_due, -2.0);
    const refunded = [cash(newPaymentLineAmount(refund, [], true, settings))];
    expectAmount(refunded[0]!.amount, -2.0);
    expectAmount(computeOrderTotals(refund, refunded, settings).amount_return, 0);
  });

  it('test_rounding_down (DOWN 0.05): 1.95, refund -1.95; PaymentScreenTotalDueWithOverPayment: 5 cash → change 3.05', () => {
    const settings = withCashRounding({ rounding: 0.05, rounding_method: 'DOWN', onlyRoundCashMethod: false });
    const sale = [noTax(1.98)];
    expectAmount(computeOrderTotals(sale, [], settings).total_due, 1.95);
    expectAmount(newPaymentLineAmount(sale, [], true, settings), 1.95);
    expectAmount(computeOrderTotals(sale, [cash(1.95)], settings).amount_return, 0);
    const refund = [noTax(1.98, -1)];
    expectAmount(computeOrderTotals(refund, [], settings).total_due, -1.95);
    expectAmount(newPaymentLineAmount(refund, [], true, settings), -1.95);

    const overpaid = computeOrderTotals(sale, [cash(5)], settings);
    expectAmount(Math.max(overpaid.amount_due, 0), 0);
    expectAmount(overpaid.amount_return, 3.05);
    expectAmount(overpaid.total_due, 1.95);
    expectAmount(overpaid.amount_paid, 1.95);
  });

  it('test_rounding_half_up (HALF-UP 0.5): 1.2 → 1.00, 1.25 → 1.5, 1.4 → 1.5; 2 in cash for 1.2 → change 1.0', () => {
    const settings = withCashRounding({ rounding: 0.5, rounding_method: 'HALF-UP', onlyRoundCashMethod: false });
    expectAmount(computeOrderTotals([noTax(1.2)], [], settings).total_due, 1.0);
    expectAmount(computeOrderTotals([noTax(1.25)], [], settings).total_due, 1.5);
    expectAmount(computeOrderTotals([noTax(1.4)], [], settings).total_due, 1.5);
    const change = computeOrderTotals([noTax(1.2)], [cash(2)], settings);
    expectAmount(change.amount_return, 1.0);
    expectAmount(Math.max(change.amount_due, 0), 0);
  });

  it('test_rounding_half_up_cash_and_bank (HALF-UP 5, cash only): bank 38 then cash', () => {
    const settings = withCashRounding({ rounding: 5, rounding_method: 'HALF-UP', onlyRoundCashMethod: true });
    expectAmount(computeOrderTotals([noTax(40)], [], settings).total_due, 40);
    expectAmount(computeOrderTotals([noTax(40)], [bank(38)], settings).amount_due, 2);
    const cash40 = newPaymentLineAmount([noTax(40)], [bank(38)], true, settings);
    expectAmount(cash40, 0);
    const paid40 = computeOrderTotals([noTax(40)], [bank(38), cash(cash40)], settings);
    expectAmount(paid40.amount_return, 0);
    // The invoice's rounding line is amount_total - amount_paid.
    expectAmount(paid40.amount_total - paid40.amount_paid, 2);

    expectAmount(computeOrderTotals([noTax(41)], [bank(38)], settings).amount_due, 3);
    const cash41 = newPaymentLineAmount([noTax(41)], [bank(38)], true, settings);
    expectAmount(cash41, 5);
    const paid41 = computeOrderTotals([noTax(41)], [bank(38), cash(cash41)], settings);
    expectAmount(paid41.amount_return, 0);
    expectAmount(Math.max(paid41.amount_due, 0), 0);
    expectAmount(paid41.amount_total - paid41.amount_paid, -2);
  });

  it('test_cash_rounding_payment + CashRoundingPayment tour (DOWN 0.10): 1.98 → 1.90, 1.94 in cash is refused', () => {
    const settings = withCashRounding({ rounding: 0.1, rounding_method: 'DOWN', onlyRoundCashMethod: false });
    const sale = computeOrderTotals([noTax(1.98)], [], settings);
    expectAmount(sale.total_due, 1.9);
    expect(paymentsRespectCashRounding(sale.amount_total, [cash(1.94)], settings)).toBe(false);
    expect(paymentsRespectCashRounding(sale.amount_total, [cash(1.9)], settings)).toBe(true);
    expect(firstUnroundedPayment(sale.amount_total, [cash(1.9), bank(0.04)], settings)).toBe(1);
  });

  it('test_pos_basic_config.py test_rounding_method (HALF-UP 0.05, any method): 99.84 → 99.85, 429.88 → 429.90', () => {
    const settings = withCashRounding({ rounding: 0.05, rounding_method: 'HALF-UP', onlyRoundCashMethod: false });
    const order2 = [noTax(10, 6), noTax(9.96, 4)];
    expectAmount(newPaymentLineAmount(order2, [], false, settings), 99.85);
    const paid2 = computeOrderTotals(order2, [bank(99.85)], settings);
    expectAmount(paid2.amount_total, 99.84);
    expectAmount(paid2.amount_return, 0);
    const order1 = [noTax(9.96, 3), noTax(20, 20)];
    expectAmount(newPaymentLineAmount(order1, [], false, settings), 429.9);
    expectAmount(computeOrderTotals(order1, [bank(429.9)], settings).amount_return, 0);
    expect(paymentsRespectCashRounding(99.84, [bank(99.85)], settings)).toBe(true);
  });

  it('test_point_of_sale_flow.py test_refund_multiple_payment_rounding (DOWN 5): 134.38, bank 55 then cash 75 → 130 paid', () => {
    const settings = withCashRounding({ rounding: 5, rounding_method: 'DOWN', onlyRoundCashMethod: false });
    const cashAmount = newPaymentLineAmount([noTax(134.38)], [bank(55)], true, settings);
    expectAmount(cashAmount, 75);
    const totals = computeOrderTotals([noTax(134.38)], [bank(55), cash(cashAmount)], settings);
    expectAmount(totals.amount_paid, 130);
    expectAmount(totals.amount_return, 0);
  });

  it('test_point_of_sale_flow.py test_refund_rounding_backend (UP 0.05, cash only): 49.99 → 50.0, refund → -50.0', () => {
    const settings = withCashRounding({ rounding: 0.05, rounding_method: 'UP', onlyRoundCashMethod: true });
    expectAmount(newPaymentLineAmount([noTax(49.99)], [], true, settings), 50);
    const refundCash = newPaymentLineAmount([noTax(49.99, -1)], [], true, settings);
    expectAmount(refundCash, -50);
    const refund = computeOrderTotals([noTax(49.99, -1)], [cash(refundCash)], settings);
    expectAmount(refund.amount_total, -49.99);
    expectAmount(refund.amount_paid, -50);
    // Paid by card only, an only-cash rounding leaves the amount alone.
    expectAmount(newPaymentLineAmount([noTax(49.99)], [], false, settings), 49.99);
  });

  it('rounding HALF-UP / UP / DOWN at 0.10 (rule: get_rounding_applied)', () => {
    const at = (rounding_method: CashRounding['rounding_method']) => withCashRounding({ rounding: 0.1, rounding_method, onlyRoundCashMethod: false });
    expectAmount(cashRoundingApplied(2.05, 0, true, at('HALF-UP')), 0.05);
    expectAmount(cashRoundingApplied(2.04, 0, true, at('HALF-UP')), -0.04);
    expectAmount(cashRoundingApplied(2.01, 0, true, at('UP')), 0.09);
    expectAmount(cashRoundingApplied(2.09, 0, true, at('DOWN')), -0.09);
    // Below one rounding step nothing is rounded.
    expect(cashRoundingApplied(0.07, 0, true, at('UP'))).toBe(0);
    // Without cash rounding, nothing either.
    expect(cashRoundingApplied(2.01, 0, true, usd)).toBe(0);
  });
});
