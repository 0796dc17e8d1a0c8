// Odoo 17's rounding, on plain IEEE doubles, in two flavours that differ only at the edges:
//  - floatRound / floatIsZero / floatCompare / floatRepr: odoo/tools/float_utils.py (the server);
//  - roundPrecision / roundDecimals / floatIsZeroDecimals: @web/core/utils/numbers.js, which the
//    17 POS uses for every amount it sends (Odoo trusts those amounts, so the POS flavour is what
//    order totals must use).
// Both add an epsilon scaled to the value's magnitude before rounding so that 2.675 (stored as
// 2.67499999…) still rounds half-up to 2.68. Results are left unnormalised, as Odoo leaves them:
// roundPrecision(2.6745, 0.001) is 2.6750000000000003, not 2.675.

export type RoundingMethod = 'HALF-UP' | 'HALF-DOWN' | 'HALF-EVEN' | 'UP' | 'DOWN';

export interface Precision {
  /** Number of decimals (Odoo's precision_digits). Exactly one of digits/rounding. */
  digits?: number;
  /** Smallest step, e.g. 0.01 or a coin value 0.05 (Odoo's precision_rounding). */
  rounding?: number;
}

function precisionFactor(precision: Precision): number {
  const { digits, rounding } = precision;
  // float_utils._float_check_precision asserts exactly one is given (digits=0 counts as given).
  if ((digits === undefined) === (rounding === undefined)) {
    throw new RangeError('exactly one of digits and rounding must be given');
  }
  if (rounding !== undefined) {
    if (!(rounding > 0)) throw new RangeError(`rounding must be positive, got ${rounding}`);
    return rounding;
  }
  // Python's 10 ** -digits is the correctly rounded power; Math.pow(10, -4) is not (0.00009999…).
  return Number(`1e${-(digits as number)}`);
}

/** Python 3's builtins.round(x) to an integer: ties to even, on the exact double. */
function pythonBuiltinRound(x: number): number {
  const magnitude = Math.abs(x);
  const floor = Math.floor(magnitude);
  const fraction = magnitude - floor; // exact for doubles (Sterbenz)
  let rounded: number;
  if (fraction < 0.5) rounded = floor;
  else if (fraction > 0.5) rounded = floor + 1;
  else rounded = floor % 2 === 0 ? floor : floor + 1;
  return Math.sign(x) * rounded;
}

/** float_utils.round: Python 2's round (ties away from zero) rebuilt on Python 3's, sign of -0 kept. */
function pythonHalfAwayRound(f: number): number {
  const roundf = pythonBuiltinRound(f);
  if (pythonBuiltinRound(f + 1) - roundf !== 1) return f + copySign(0.5, f);
  return copySign(roundf, f);
}

function copySign(magnitude: number, signSource: number): number {
  const negative = signSource < 0 || Object.is(signSource, -0);
  return negative ? -Math.abs(magnitude) : Math.abs(magnitude);
}

/**
 * odoo.tools.float_utils.float_round. HALF-UP and HALF-DOWN break ties away from / towards zero,
 * HALF-EVEN to the even neighbour (no epsilon, as in Odoo), UP / DOWN round away from / towards zero.
 */
export function floatRound(value: number, precision: Precision, method: RoundingMethod = 'HALF-UP'): number {
  const factor = precisionFactor(precision);
  if (value === 0) return 0;

  let normalized = value / factor;
  const sign = copySign(1, normalized);
  // Python's math.log(x, 2) is log(x) / log(2), not log2(x).
  const epsilonMagnitude = Math.log(Math.abs(normalized)) / Math.log(2);
  const epsilon = 2 ** (epsilonMagnitude - 52);

  let rounded: number;
  switch (method) {
    case 'UP':
      normalized -= sign * epsilon;
      rounded = Math.ceil(Math.abs(normalized)) * sign;
      break;
    case 'DOWN':
      normalized += sign * epsilon;
      rounded = Math.floor(Math.abs(normalized)) * sign;
      break;
    case 'HALF-EVEN':
      rounded = copySign(pythonBuiltinRound(normalized), normalized);
      break;
    case 'HALF-DOWN':
      normalized -= copySign(epsilon, normalized);
      rounded = pythonHalfAwayRound(normalized);
      break;
    case 'HALF-UP':
      normalized += copySign(epsilon, normalized);
      rounded = pythonHalfAwayRound(normalized);
      break;
    default:
      throw new RangeError(`unknown rounding method ${String(method)}`);
  }
  return rounded * factor;
}

/** float_utils.float_is_zero: |value| rounded at the precision is below that precision. */
export function floatIsZero(value: number, precision: Precision): boolean {
  const epsilon = precisionFactor(precision);
  return Math.abs(floatRound(value, { rounding: epsilon })) < epsilon;
}

/** float_utils.float_compare: -1, 0 or 1 after rounding both values at the precision. */
export function floatCompare(value1: number, value2: number, precision: Precision): -1 | 0 | 1 {
  const factor = precisionFactor(precision);
  const delta = floatRound(value1, { rounding: factor }) - floatRound(value2, { rounding: factor });
  if (floatIsZero(delta, { rounding: factor })) return 0;
  return delta < 0 ? -1 : 1;
}

/**
 * float_utils.float_repr: Python's "%.Nf" (exact binary value, ties to even; "-0.00" kept), which
 * JS's toFixed does not match on exact ties (0.125 → "0.13" in JS, "0.12" in Python).
 */
export function floatRepr(value: number, digits: number): string {
  if (!Number.isFinite(value)) return String(value);
  const negative = value < 0 || Object.is(value, -0);
  const { mantissa, exponent } = decompose(Math.abs(value));
  let scaled = mantissa * 10n ** BigInt(digits); // |value| * 10^digits = scaled * 2^exponent
  let integer: bigint;
  if (exponent >= 0) {
    integer = scaled << BigInt(exponent);
  } else {
    const denominator = 1n << BigInt(-exponent);
    integer = scaled / denominator;
    const twiceRemainder = (scaled % denominator) * 2n;
    if (twiceRemainder > denominator || (twiceRemainder === denominator && integer % 2n === 1n)) integer += 1n;
  }
  scaled = integer;
  let text = scaled.toString().padStart(digits + 1, '0');
  if (digits > 0) text = `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return (negative ? '-' : '') + text;
}

/** An IEEE double as mantissa × 2^exponent, both exact. */
function decompose(value: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biasedExponent = (high >>> 20) & 0x7ff;
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  if (biasedExponent === 0) return { mantissa: fraction, exponent: -1074 };
  return { mantissa: fraction | (1n << 52n), exponent: biasedExponent - 1075 };
}

/** float_utils.json_float_round: the rounded value re-read from its decimal text, for JSON. */
export function jsonFloatRound(value: number, digits: number, method: RoundingMethod = 'HALF-UP'): number {
  return Number(floatRepr(floatRound(value, { digits }, method), digits));
}

/**
 * @web/core/utils/numbers roundPrecision, the POS's round_pr: half away from zero with Odoo's
 * epsilon. A missing, zero or negative precision means 1, a falsy value gives 0 (as in the JS).
 */
export function roundPrecision(value: number, precision: number): number {
  if (!value) return 0;
  if (!precision || precision < 0) precision = 1;
  let normalized = value / precision;
  const epsilonMagnitude = Math.log2(Math.abs(normalized));
  const epsilon = 2 ** (epsilonMagnitude - 52);
  normalized += normalized >= 0 ? epsilon : -epsilon;
  // Symmetric like Python: Math.round(-0.5) would give -0, Odoo wants -1.
  const sign = normalized < 0 ? -1 : 1;
  return sign * Math.round(Math.abs(normalized)) * precision;
}

/** @web/core/utils/numbers roundDecimals, the POS's round_di. */
export function roundDecimals(value: number, decimals: number): number {
  return roundPrecision(value, Number(`1e${-decimals}`));
}

/** @web/core/utils/numbers floatIsZero (decimals, not a step): roundDecimals(value) === 0. */
export function floatIsZeroDecimals(value: number, decimals: number): boolean {
  return roundDecimals(value, decimals) === 0;
}

