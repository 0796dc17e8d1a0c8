import crypto from 'node:crypto';
import type { z } from 'zod';
import type { SaleInput } from '../../shared/pos.js';

// A sale's uuid is a promise about its content: the digest of what was rung up (lines, payments,
// customer, totals — all but the moment of payment, which a page sending the same sale again
// takes anew) decides whether a uuid seen before names this very sale.

export function saleDigest(sale: z.output<typeof SaleInput>): string {
  const { dateOrder: _paidAt, ...content } = sale;
  return crypto.createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** JSON with every object's keys sorted and undefined left out, so equal content reads equal. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
