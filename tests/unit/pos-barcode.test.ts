import { describe, expect, it } from 'vitest';
import {
  checkDigit,
  checkEncoding,
  DEFAULT_NOMENCLATURE,
  lookupCodes,
  matchPattern,
  nomenclatureFrom,
  parseBarcode,
  sanitizeEan,
  sanitizeUpc,
  WedgeDetector,
  type Nomenclature,
} from '../../pos-shell/src/lib/barcode.js';

// Codes below were built by hand: a prefix, the item, the embedded value, and the GS1 check digit.

describe('GS1 check digits and encodings', () => {
  it('computes EAN-13, EAN-8 and UPC-A check digits', () => {
    expect(checkDigit('5901234123457')).toBe(7);
    expect(checkDigit('96385074')).toBe(4);
    expect(checkDigit('036000291452')).toBe(2);
    expect(checkEncoding('5901234123457', 'ean13')).toBe(true);
    expect(checkEncoding('5901234123458', 'ean13')).toBe(false);
    expect(checkEncoding('590123412345', 'ean13')).toBe(false);
    expect(checkEncoding('96385074', 'ean8')).toBe(true);
    expect(checkEncoding('036000291452', 'upca')).toBe(true);
    expect(checkEncoding('ABC-1', 'any')).toBe(true);
    expect(checkEncoding('5901234123457', 'gtin99')).toBe(false);
  });

  it('sanitizes EAN-13 and UPC-A codes by recomputing the check digit', () => {
    expect(sanitizeEan('2100004000009')).toBe('2100004000001');
    expect(sanitizeEan('12345')).toBe('0000000012348');
    expect(sanitizeUpc('036000291450')).toBe('036000291452');
  });
});

describe('match_pattern', () => {
  it('reads a weight with 2 whole digits and 3 decimals and zeroes it in the base code', () => {
    expect(matchPattern('2100004012509', '21.....{NNDDD}')).toEqual({ match: true, value: 1.25, baseCode: '2100004000009' });
  });

  it('reads a price with 3 whole digits and 2 decimals', () => {
    const m = matchPattern('2312345012999', '23.....{NNNDD}');
    expect(m.match).toBe(true);
    expect(m.value).toBeCloseTo(12.99, 10);
    expect(m.baseCode).toBe('2312345000009');
  });

  it('reads a whole-number discount', () => {
    expect(matchPattern('2215', '22{NN}')).toEqual({ match: true, value: 15, baseCode: '2200' });
  });

  it('matches from the start of the code only, on as many characters as the pattern has', () => {
    expect(matchPattern('0421234', '042').match).toBe(true);
    expect(matchPattern('1042123', '042').match).toBe(false);
    expect(matchPattern('5901234123457', '21.....{NNDDD}').match).toBe(false);
  });

  it('treats a pattern JavaScript cannot compile as matching nothing', () => {
    expect(matchPattern('123', '(').match).toBe(false);
  });
});

describe('parse_barcode with the default nomenclature', () => {
  it('finds weight-embedded codes and the product barcode to look up', () => {
    const parsed = parseBarcode('2100004012509', DEFAULT_NOMENCLATURE);
    expect(parsed).toMatchObject({ type: 'weight', value: 1.25, code: '2100004012509', baseCode: '2100004000009' });
    // The product's barcode carries the check digit of the zeroed code.
    expect(lookupCodes(parsed)).toEqual(['2100004000009', '2100004000001']);
  });

  it('finds price-embedded codes', () => {
    const parsed = parseBarcode('2312345012999', DEFAULT_NOMENCLATURE);
    expect(parsed.type).toBe('price');
    expect(parsed.value).toBeCloseTo(12.99, 10);
    expect(lookupCodes(parsed)).toContain('2312345000002');
  });

  it('recognises customer and cashier cards, discounts, and plain products', () => {
    expect(parseBarcode('0420000000082', DEFAULT_NOMENCLATURE).type).toBe('client');
    expect(parseBarcode('0410000000014', DEFAULT_NOMENCLATURE).type).toBe('cashier');
    expect(parseBarcode('2210', DEFAULT_NOMENCLATURE)).toMatchObject({ type: 'discount', value: 10 });
    const plain = parseBarcode('5901234123457', DEFAULT_NOMENCLATURE);
    expect(plain).toMatchObject({ type: 'product', baseCode: '5901234123457', value: 0 });
    expect(lookupCodes(plain)).toEqual(['5901234123457']);
  });
});

describe('parse_barcode with a nomenclature from the cache', () => {
  const cached: Nomenclature = nomenclatureFrom({ upc_ean_conv: 'always' }, [
    { id: 9, name: 'Any product', sequence: 90, type: 'product', encoding: 'any', pattern: '.*' },
    { id: 7, name: 'Weight (EAN-13)', sequence: 10, type: 'weight', encoding: 'ean13', pattern: '21.....{NNDDD}' },
    { id: 8, name: 'UPC products', sequence: 20, type: 'product', encoding: 'ean13', pattern: '0.*' },
    { id: 6, name: 'Old cards', sequence: 5, type: 'alias', encoding: 'any', pattern: 'OLD42', alias: '0420000000082' },
    { id: 5, name: 'Customers', sequence: 6, type: 'client', encoding: 'any', pattern: '042' },
  ]);

  it('orders rules by sequence', () => {
    expect(cached.rules.map((r) => r.id)).toEqual([6, 5, 7, 8, 9]);
  });

  it('fixes the base code check digit for EAN-13 rules', () => {
    expect(parseBarcode('2100004012509', cached)).toMatchObject({ type: 'weight', encoding: 'ean13', value: 1.25, baseCode: '2100004000001' });
  });

  it('skips an EAN-13 rule when the check digit is wrong', () => {
    expect(parseBarcode('2100004012508', cached)).toMatchObject({ type: 'product', encoding: 'any', baseCode: '2100004012508' });
  });

  it('reads a UPC-A as an EAN-13 with a leading zero when the conversion says so', () => {
    expect(parseBarcode('036000291452', cached)).toMatchObject({ type: 'product', encoding: 'ean13', code: '0036000291452', baseCode: '0036000291452' });
    const none = { ...cached, upcEanConv: 'none' as const };
    expect(parseBarcode('036000291452', none)).toMatchObject({ type: 'product', encoding: 'any', code: '036000291452' });
  });

  it('follows aliases to the code they stand for', () => {
    expect(parseBarcode('OLD42', cached)).toMatchObject({ type: 'client', code: '0420000000082' });
  });

  it('answers error when no rule matches, and falls back to the default nomenclature without rules', () => {
    const strict = nomenclatureFrom({ upc_ean_conv: 'none' }, [{ id: 1, sequence: 1, type: 'product', encoding: 'ean8', pattern: '.*' }]);
    expect(parseBarcode('5901234123457', strict)).toMatchObject({ type: 'error', baseCode: '5901234123457' });
    expect(nomenclatureFrom(undefined, [])).toBe(DEFAULT_NOMENCLATURE);
  });
});

describe('keyboard-wedge scanner detection', () => {
  const burst = (detector: WedgeDetector, text: string, start: number, gap: number) => {
    [...text].forEach((c, i) => detector.key(c, start + i * gap));
    return start + (text.length - 1) * gap;
  };

  it('takes a fast burst ended by Enter as a scan', () => {
    const detector = new WedgeDetector();
    const last = burst(detector, '5901234123457', 1000, 8);
    expect(detector.enter(last + 10)).toBe('5901234123457');
    expect(detector.enter(last + 20)).toBeNull();
  });

  it('ignores keys typed by a person', () => {
    const detector = new WedgeDetector();
    const last = burst(detector, '1234', 1000, 250);
    expect(detector.enter(last + 200)).toBeNull();
  });

  it('keeps only the burst after slow keys, and needs a few characters', () => {
    const detector = new WedgeDetector({ maxGapMs: 50, minLength: 4 });
    detector.key('7', 0);
    const last = burst(detector, '2100004012509', 500, 5);
    expect(detector.enter(last + 5)).toBe('2100004012509');
    burst(detector, '12', 2000, 5);
    expect(detector.enter(2010)).toBeNull();
  });

  it('drops a burst when Enter comes late', () => {
    const detector = new WedgeDetector({ maxGapMs: 50, minLength: 4 });
    const last = burst(detector, '5901234123457', 0, 5);
    expect(detector.enter(last + 500)).toBeNull();
  });
});
