// Barcodes as the Odoo 17 POS reads them: the nomenclature's rules (barcodes module,
// barcode_parser.js parse_barcode / match_pattern / check_encoding) decide whether a scan is a
// plain product, a weight or price embedded in an EAN-13 ({NNDDD}-style patterns), a discount,
// a customer or a cashier card. Plus the keyboard-wedge detector: a scanner "types" its code fast
// and ends it with Enter.

export interface BarcodeRule {
  id?: number;
  name?: string;
  sequence: number;
  /** product, weight, price, discount, client, cashier, alias, … */
  type: string;
  /** any, ean13, ean8, upca */
  encoding: string;
  pattern: string;
  alias?: string;
}

export type UpcEanConversion = 'none' | 'ean2upc' | 'upc2ean' | 'always';

export interface Nomenclature {
  upcEanConv: UpcEanConversion;
  /** In the nomenclature's order (barcode.rule: sequence, then id). */
  rules: BarcodeRule[];
}

export interface ParsedBarcode {
  /** The matching rule's type; 'error' when no rule matched. */
  type: string;
  encoding: string;
  /** The scanned code (with a leading 0 added when a UPC-A was read as EAN-13). */
  code: string;
  /** The code with the embedded value zeroed (and, for EAN-13/UPC-A rules, its check digit fixed): what product barcodes hold. */
  baseCode: string;
  /** The embedded number (kg, price, discount %); 0 when the pattern has none. */
  value: number;
}

const rule = (id: number, name: string, type: string, pattern: string, sequence: number, encoding = 'any'): BarcodeRule => ({ id, name, type, pattern, sequence, encoding });

/**
 * The barcodes module's default nomenclature, used when the terminal's cache has none (the POS
 * data loaded by `load_pos_data` names the company's nomenclature but does not carry its rules).
 */
export const DEFAULT_NOMENCLATURE: Nomenclature = {
  upcEanConv: 'always',
  rules: [
    rule(4, 'Price Barcodes 2 Decimals', 'price', '23.....{NNNDD}', 14),
    rule(3, 'Discount Barcodes', 'discount', '22{NN}', 20),
    rule(5, 'Weight Barcodes 3 Decimals', 'weight', '21.....{NNDDD}', 36),
    rule(2, 'Customer Barcodes', 'client', '042', 40),
    rule(1, 'Cashier Barcodes', 'cashier', '041', 50),
    rule(6, 'Unit Product Barcodes', 'product', '.*', 90),
  ],
};

/** Rules as Odoo orders them (sequence, then id). */
export function sortRules(rules: readonly BarcodeRule[]): BarcodeRule[] {
  return [...rules].sort((a, b) => a.sequence - b.sequence || (a.id ?? 0) - (b.id ?? 0));
}

/** get_barcode_check_digit: the GS1 check digit of a code whose last digit is the check digit's place. */
export function checkDigit(code: string): number {
  let odd = 0;
  let even = 0;
  // Without the check digit, read from the right: positions 0, 2, … weigh 3.
  const digits = code.slice(0, -1).split('').reverse();
  digits.forEach((digit, i) => {
    if (i % 2 === 0) even += Number(digit);
    else odd += Number(digit);
  });
  return (10 - ((even * 3 + odd) % 10)) % 10;
}

const SIZES: Record<string, number> = { ean8: 8, ean13: 13, upca: 12 };

/** check_encoding: 'any' takes everything; EAN-8/13 and UPC-A need their length, digits only and a right check digit. */
export function checkEncoding(code: string, encoding: string): boolean {
  if (encoding === 'any') return true;
  const size = SIZES[encoding];
  return size !== undefined && code.length === size && /^\d+$/.test(code) && checkDigit(code) === Number(code[code.length - 1]);
}

/** sanitize_ean: 13 digits (zero-padded) with the check digit recomputed. */
export function sanitizeEan(code: string): string {
  const ean = code.slice(0, 13).padStart(13, '0');
  return ean.slice(0, -1) + String(checkDigit(ean));
}

/** sanitize_upc */
export function sanitizeUpc(code: string): string {
  return sanitizeEan(`0${code}`).slice(1);
}

interface PatternMatch {
  match: boolean;
  value: number;
  baseCode: string;
}

const escapeCode = (code: string) => code.replaceAll('\\', '\\\\').replaceAll('{', '\\{').replaceAll('}', '\\}').replaceAll('.', '\\.');
const unescapeCode = (code: string) => code.replaceAll('\\\\', '\\').replaceAll('\\{', '{').replaceAll('\\}', '}').replaceAll('\\.', '.');

/**
 * match_pattern: a {N…D…} group in the pattern marks the embedded number (N whole digits, D
 * decimals); the base code has those digits zeroed. The pattern is matched from the start of the
 * code (Python's re.match), on as many characters as the pattern has.
 */
export function matchPattern(code: string, pattern: string): PatternMatch {
  const result: PatternMatch = { match: false, value: 0, baseCode: code };
  const escaped = escapeCode(code);
  let regex = pattern;
  const numerical = /[{]N*D*[}]/.exec(pattern);
  if (numerical) {
    const start = numerical.index;
    const end = start + numerical[0].length;
    const valueString = escaped.slice(start, end - 2);
    const wholeMatch = /[{]N*[D}]/.exec(numerical[0])!;
    const decimalMatch = /[{N]D*[}]/.exec(numerical[0])!;
    const whole = valueString.slice(0, wholeMatch.index + wholeMatch[0].length - 2) || '0';
    const decimals = valueString.slice(decimalMatch.index, decimalMatch.index + decimalMatch[0].length - 1);
    if (/^\d+$/.test(whole)) result.value = Number.parseInt(whole, 10) + Number.parseFloat(`0.${decimals}`);
    result.baseCode = unescapeCode(escaped.slice(0, start) + '0'.repeat(end - start - 2) + escaped.slice(end - 2));
    regex = pattern.slice(0, start) + '\\d'.repeat(end - start - 2) + pattern.slice(end);
  }
  let compiled: RegExp;
  try {
    compiled = new RegExp(`^(?:${regex})`);
  } catch {
    return result; // a pattern JavaScript cannot read matches nothing
  }
  result.match = compiled.test(result.baseCode.slice(0, regex.length));
  return result;
}

/** parse_barcode: the first rule (in order) whose encoding and pattern match; aliases restart with their target. */
export function parseBarcode(scanned: string, nomenclature: Nomenclature): ParsedBarcode {
  let code = scanned;
  const parsed: ParsedBarcode = { type: 'error', encoding: '', code, baseCode: code, value: 0 };
  const conv = nomenclature.upcEanConv;
  for (const r of nomenclature.rules) {
    let current = code;
    if (r.encoding === 'ean13' && checkEncoding(code, 'upca') && (conv === 'upc2ean' || conv === 'always')) current = `0${current}`;
    else if (r.encoding === 'upca' && checkEncoding(code, 'ean13') && code[0] === '0' && (conv === 'ean2upc' || conv === 'always')) current = current.slice(1);
    if (!checkEncoding(current, r.encoding)) continue;
    const match = matchPattern(current, r.pattern);
    if (!match.match) continue;
    if (r.type === 'alias') {
      code = r.alias ?? code;
      parsed.code = code;
      continue;
    }
    return {
      type: r.type,
      encoding: r.encoding,
      code: current,
      value: match.value,
      baseCode: r.encoding === 'ean13' ? sanitizeEan(match.baseCode) : r.encoding === 'upca' ? sanitizeUpc(match.baseCode) : match.baseCode,
    };
  }
  return parsed;
}

/**
 * The product barcodes to look a scan up by, best first. A value-embedded EAN-13 read by an
 * 'any'-encoded rule keeps the scan's check digit in its base code; the product's own barcode has
 * the check digit of the zeroed code, so that is tried too.
 */
export function lookupCodes(parsed: ParsedBarcode): string[] {
  const codes = [parsed.baseCode];
  if (parsed.baseCode !== parsed.code && /^\d{13}$/.test(parsed.baseCode)) codes.push(sanitizeEan(parsed.baseCode));
  return [...new Set(codes)];
}

/** Nomenclature records as Odoo loads them (barcode.nomenclature + barcode.rule), or the default. */
export function nomenclatureFrom(nomenclature: { upc_ean_conv?: unknown } | undefined, rules: ReadonlyArray<Record<string, unknown>> | undefined): Nomenclature {
  if (!rules || rules.length === 0) return DEFAULT_NOMENCLATURE;
  const conv = nomenclature?.upc_ean_conv;
  return {
    upcEanConv: conv === 'none' || conv === 'ean2upc' || conv === 'upc2ean' || conv === 'always' ? conv : 'always',
    rules: sortRules(
      rules.map((r) => ({
        id: Number(r.id),
        name: String(r.name ?? ''),
        sequence: Number(r.sequence ?? 0),
        type: String(r.type ?? 'product'),
        encoding: String(r.encoding ?? 'any'),
        pattern: String(r.pattern ?? '.*'),
        ...(typeof r.alias === 'string' ? { alias: r.alias } : {}),
      })),
    ),
  };
}

export interface WedgeOptions {
  /** A person rarely types every key this fast; scanners do (Odoo's barcode service uses 100 ms). */
  maxGapMs: number;
  minLength: number;
}

/**
 * Tells a scanner's burst of keys from typing: characters closer than maxGapMs to the previous one
 * build the code, a slower one starts a new code, and Enter right after a burst ends a scan.
 */
export class WedgeDetector {
  private buffer = '';
  private last = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: WedgeOptions = { maxGapMs: 100, minLength: 3 }) {}

  /** A printable character typed at `at` (ms). */
  key(char: string, at: number): void {
    if (at - this.last > this.options.maxGapMs) this.buffer = '';
    this.buffer += char;
    this.last = at;
  }

  /** Enter at `at` (ms): the scanned code, or null when the keys came from a person. */
  enter(at: number): string | null {
    const code = at - this.last <= this.options.maxGapMs && this.buffer.length >= this.options.minLength ? this.buffer : null;
    this.reset();
    return code;
  }

  reset(): void {
    this.buffer = '';
    this.last = Number.NEGATIVE_INFINITY;
  }
}
