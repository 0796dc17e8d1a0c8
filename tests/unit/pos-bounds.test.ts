import { describe, expect, it } from 'vitest';
import { adapterFor, type Sale } from '../../electron/pos/adapters.js';
import { contract } from '../../shared/contract.js';
import {
  jsonBytes,
  LOT_NAME_MAX_CHARS,
  ODOO_ID_MAX,
  ORDER_PAYLOAD_MAX_CHARS,
  OUTBOX_CHUNK_MAX_BYTES,
  OutboxChunk,
  type OutboxFile,
  SALE_LINE_NAME_MAX_CHARS,
  SALE_MAX_LINES,
  SALE_MAX_LOTS,
  SaleInput,
} from '../../shared/pos.js';
import { splitOutboxFile } from '../../shared/pos/outbox-file.js';
import { WS_MAX_MESSAGE_BYTES } from '../../shared/ws-client.js';
import { largestSale, LONGEST_NUMBER, sellMessage, type HeaviestChar } from '../support/pos-largest-sale.js';

// The bounds hold together: the largest valid sale fits in one WebSocket message with room to
// spare, the payload bound is what that sale gives, and its order fits in one piece of a file.

const HEAVIEST: HeaviestChar[] = ['€', '"'];
const sellInput = contract['pos.sell'].input;

/** The payload each Odoo generation stores for a sale (its customer made in Odoo meanwhile: a 10-digit id). */
function payloads(sale: SaleInput): string[] {
  const parsed = SaleInput.parse(sale);
  const recorded: Sale = { ...parsed, partnerId: ODOO_ID_MAX, userId: ODOO_ID_MAX, employeeId: ODOO_ID_MAX, dateOrder: new Date(parsed.dateOrder!) };
  const identity = { uid: '99999-999-2147483647', name: 'Order 99999-999-2147483647', sequence: ODOO_ID_MAX, sessionId: ODOO_ID_MAX };
  return ['16.0', '17.0', '18.0'].map((version) => adapterFor(null as never, version).orderPayload(recorded, identity));
}

/** That order as a file carries it, with the heaviest error text and customer it could have. */
function exportedFile(payload: string): OutboxFile {
  const customer = { localId: -ODOO_ID_MAX, ref: `fleet-pos-${crypto.randomUUID()}`, vals: Object.fromEntries(['name', 'email', 'phone', 'street', 'city', 'zip', 'vat'].map((k) => [k, '\u0001'.repeat(200)])) };
  const order = { uid: '99999-999-2147483647', name: 'Order 99999-999-2147483647', sessionId: ODOO_ID_MAX, sequence: ODOO_ID_MAX, payload, amountTotal: LONGEST_NUMBER, state: 'parked' as const, lastError: '\u0001'.repeat(2000), createdAt: '2026-12-31T23:59:59.999Z', partnerLocalId: customer.localId };
  return { format: 'fleet-pos-outbox/1', exportedAt: '2026-12-31T23:59:59.999Z', orders: [order], customers: [customer] };
}

describe('the largest valid sale', () => {
  it.each(HEAVIEST)('with names and lots of %s is valid and fits in one WebSocket message with a quarter of it to spare', (char) => {
    const sale = largestSale(char);
    expect(sellInput.safeParse({ sale }).success).toBe(true);
    expect(Buffer.byteLength(sellMessage(sale))).toBeLessThanOrEqual(WS_MAX_MESSAGE_BYTES * 0.75);
  });

  it('gives the longest payload an order may have: the payload bound is that length, rounded up', () => {
    const longest = Math.max(...HEAVIEST.flatMap((char) => payloads(largestSale(char)).map((p) => p.length)));
    expect(longest).toBeLessThanOrEqual(ORDER_PAYLOAD_MAX_CHARS);
    expect(longest).toBeGreaterThan(ORDER_PAYLOAD_MAX_CHARS * 0.97);
  });

  it.each(HEAVIEST)('with %s makes an order that fits in one piece of a file, with its customer', (char) => {
    for (const payload of payloads(largestSale(char))) {
      const pieces = splitOutboxFile(exportedFile(payload));
      expect(pieces).toHaveLength(1);
      expect(jsonBytes(pieces[0])).toBeLessThanOrEqual(OUTBOX_CHUNK_MAX_BYTES);
      expect(OutboxChunk.safeParse(pieces[0]).success).toBe(true);
    }
  });
});

describe('a sale past a bound', () => {
  const refusal = (sale: SaleInput | Record<string, unknown>): string => {
    const result = sellInput.safeParse({ sale });
    return result.success ? 'accepted' : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  };
  const line = largestSale('€').lines[0]!;

  it('is refused with the bound named in plain words', () => {
    expect(refusal(largestSale('€', { lines: [...largestSale('€').lines, line] }))).toBe(`sale.lines: A sale has at most ${SALE_MAX_LINES} lines`);
    expect(refusal(largestSale('€', { lines: [{ ...line, fullProductName: 'x'.repeat(SALE_LINE_NAME_MAX_CHARS + 1) }] }))).toBe(`sale.lines.0.fullProductName: A line's product name has at most ${SALE_LINE_NAME_MAX_CHARS} characters`);
    expect(refusal(largestSale('€', { lines: [{ ...line, packLots: ['x'.repeat(LOT_NAME_MAX_CHARS + 1)] }] }))).toBe(`sale.lines.0.packLots.0: A lot or serial number has at most ${LOT_NAME_MAX_CHARS} characters`);
    const manyLots = largestSale('€');
    manyLots.lines[0]!.packLots!.push('one more');
    expect(refusal(manyLots)).toBe(`sale.lines: A sale has at most ${SALE_MAX_LOTS} lot and serial numbers`);
    expect(refusal(largestSale('€', { lines: [{ ...line, fullProductName: 'tab\there' }] }))).toBe("sale.lines.0.fullProductName: A line's product name may not hold control characters");
    expect(refusal(largestSale('€', { pricelistId: ODOO_ID_MAX + 1 }))).toMatch(/^sale\.pricelistId: /);
    // Who sold it is the terminal's to say: a sale naming a user or an employee is refused whole.
    expect(refusal({ ...largestSale('€'), userId: 2 })).toMatch(/^sale: Unrecognized key.*userId/);
    expect(refusal({ ...largestSale('€'), employeeId: 2 })).toMatch(/^sale: Unrecognized key.*employeeId/);
  });
});
