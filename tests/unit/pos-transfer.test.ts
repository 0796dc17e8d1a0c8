import crypto from 'node:crypto';
import fs from 'node:fs';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PosServices } from '../../electron/pos/pos-services.js';
import { startPosWebServer } from '../../electron/pos/pos-web-server.js';
import type { WebServer } from '../../electron/api/web-server.js';
import { createApi, type Api } from '../../shared/api.js';
import type { OperationName } from '../../shared/contract.js';
import { FleetError } from '../../shared/errors.js';
import { jsonBytes, OUTBOX_CHUNK_MAX_BYTES, OUTBOX_CHUNK_MAX_ORDERS, readOutboxFile, SALE_MAX_LINES, type OutboxFile, type SaleInput } from '../../shared/pos.js';
import { exportInPages, importInPieces, outboxFileText } from '../../shared/pos/outbox-file.js';
import { createWsTransport, WS_MAX_MESSAGE_BYTES, type WsLike } from '../../shared/ws-client.js';
import { startFakeOdoo, type FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { admitLargestSale, largestSale, sellMessage } from '../support/pos-largest-sale.js';
import { cashSale, newPosDir, pairedTerminal, saleInputOf } from '../support/pos-terminal.js';

// Waiting orders moved between two terminals through their real web servers, over WebSocket as
// the selling UI does it: exported page by page, imported piece by piece, never a message the
// server would refuse; and what happens to requests larger than a sale or a piece may be.

interface Terminal {
  services: PosServices;
  server: WebServer;
  cookie: string;
  api: Api;
  /** Every call the client made, with the bytes of its message. */
  calls: Array<{ op: OperationName; bytes: number }>;
  close(): Promise<void>;
}

let odoo: FakeOdoo;
let seller: Terminal;
let receiver: Terminal;
const dirs: string[] = [];

async function terminal(): Promise<Terminal> {
  const dir = newPosDir();
  dirs.push(dir);
  const services = await pairedTerminal(odoo, dir); // no background sync: orders keep waiting
  const server = await startPosWebServer(services, { staticDir: dir, port: 0, actor: 'test@pos', role: 'admin' });
  const launch = await fetch(server.launchUrl, { redirect: 'manual' });
  const cookie = /fleet_session_\d+=[^;]+/.exec(launch.headers.get('set-cookie') ?? '')![0];
  const transport = createWsTransport({ url: `${server.origin.replace('http', 'ws')}/api`, createSocket: (url) => openSocket(url, server, cookie) as unknown as WsLike, reconnectMs: 50 });
  const calls: Terminal['calls'] = [];
  await services.dispatcher.invoke('pos.cashierLogin', {}, { actor: 'test@pos', role: 'cashier', transport: 'internal' });
  const counted = { ...transport, invoke: (op: OperationName, input: unknown) => (calls.push({ op, bytes: Buffer.byteLength(JSON.stringify({ type: 'call', id: 1, op, input })) }), transport.invoke(op, input)) };
  return {
    services,
    server,
    cookie,
    api: createApi(counted),
    calls,
    async close() {
      transport.close();
      await server.close();
      await services.close();
    },
  };
}

function openSocket(url: string, server: WebServer, cookie: string): WebSocket {
  return new WebSocket(url, { headers: { Cookie: cookie, Origin: server.origin } });
}

/** Sends one raw message and resolves with the answer's text, or the close code if the server closed instead. */
function sendRaw(target: Terminal, message: string): Promise<{ answer?: string; closed?: number }> {
  return new Promise((resolve, reject) => {
    const ws = openSocket(`${target.server.origin.replace('http', 'ws')}/api`, target.server, target.cookie);
    ws.on('error', () => {});
    ws.once('open', () => ws.send(message));
    ws.once('message', (data) => (resolve({ answer: String(data) }), ws.close()));
    ws.once('close', (code) => resolve({ closed: code }));
    ws.once('unexpected-response', () => reject(new Error('not signed in')));
  });
}

/** A sale as the selling UI sends it (dateOrder as text). */
function sale(productId: number, qty: number, partnerId: number | null = null): SaleInput {
  return { ...saleInputOf(cashSale(seller.services, productId, qty)), partnerId };
}

const callsOf = (t: Terminal, op: OperationName) => t.calls.filter((c) => c.op === op);

beforeAll(async () => {
  odoo = await startFakeOdoo({ version: '17.0' });
  [seller, receiver] = await Promise.all([terminal(), terminal()]);
});
afterAll(async () => {
  await seller?.close();
  await receiver?.close();
  await odoo?.close();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('moving waiting orders between terminals over WebSocket', () => {
  let file: OutboxFile;

  it('exports 500 orders, some of them the largest a sale may be, page by page', async () => {
    const customers = await Promise.all(['Ada', 'Grace', 'Edsger'].map((name) => seller.api.call('pos.createPartner', { name })));
    for (let i = 0; i < 496; i++) await seller.api.call('pos.sell', { sale: sale(10 + (i % 5), 1 + (i % 3), i % 7 === 0 ? customers[i % 3]!.id : null) });
    admitLargestSale(seller.services);
    for (const char of ['"', '€'] as const) {
      for (let i = 0; i < 2; i++) await seller.api.call('pos.sell', { sale: largestSale(char, { partnerId: customers[0]!.id }) });
    }
    const pages: number[] = [];
    file = readOutboxFile(outboxFileText(await exportInPages(seller.api, (orders) => pages.push(orders))), 'the export');
    expect(file.orders).toHaveLength(500);
    expect(new Set(file.orders.map((o) => o.uid)).size).toBe(500);
    expect(file.customers?.map((c) => c.vals.name).sort()).toEqual(['Ada', 'Edsger', 'Grace']);
    // Three pages of 200 at most, then one per large order (each fills most of a page).
    expect(pages.length).toBeGreaterThanOrEqual(6);
    expect(callsOf(seller, 'pos.exportOrders')).toHaveLength(pages.length);
  }, 60_000);

  it('imports them into another terminal in pieces: all 500 once, each customer once, and again all known', async () => {
    const progress: number[] = [];
    expect(await importInPieces(receiver.api, file, (sent) => progress.push(sent))).toEqual({ imported: 500, known: 0 });
    const pieces = callsOf(receiver, 'pos.importOrders');
    expect(pieces.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...pieces.map((p) => p.bytes))).toBeLessThan(OUTBOX_CHUNK_MAX_BYTES + 200);
    expect(progress.at(-1)).toBe(500);

    const received = receiver.services.outbox.list(undefined, 10_000);
    expect(received.map((o) => o.uid).sort()).toEqual(file.orders.map((o) => o.uid).sort());
    expect(received.every((o) => o.payload === file.orders.find((f) => f.uid === o.uid)!.payload)).toBe(true);
    const made = receiver.services.db.prepare('SELECT local_id, ref FROM partner_outbox').all() as Array<{ local_id: number; ref: string }>;
    expect(made.map((c) => c.ref).sort()).toEqual(file.customers!.map((c) => c.ref).sort());
    // Every order that waited for a customer waits here for the same customer, under its local id here.
    for (const order of file.orders.filter((o) => o.partnerLocalId)) {
      const ref = file.customers!.find((c) => c.localId === order.partnerLocalId)!.ref;
      expect(received.find((o) => o.uid === order.uid)!.partnerLocalId).toBe(made.find((c) => c.ref === ref)!.local_id);
    }

    expect(await importInPieces(receiver.api, file)).toEqual({ imported: 0, known: 500 });
    expect(receiver.services.db.prepare('SELECT count(*) AS n FROM partner_outbox').get()).toEqual({ n: 3 });
  }, 60_000);

  it('refuses a piece over its bounds with VALIDATION naming the bound', async () => {
    const small = file.orders.filter((o) => o.payload.length < 10_000);
    const tooMany = await receiver.api.result('pos.importOrders', { file: { ...file, orders: small.slice(0, OUTBOX_CHUNK_MAX_ORDERS + 1), customers: file.customers } });
    expect(tooMany).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: `file.orders: A piece of an order file holds at most ${OUTBOX_CHUNK_MAX_ORDERS} orders` } });
    // One large order and small ones past 768 KiB, still under the 1 MiB a message holds.
    const large = file.orders.find((o) => o.payload.length > 400_000 && !o.payload.includes('€'))!;
    let heavy = { ...file, orders: [large] };
    for (let n = 1; jsonBytes(heavy) <= OUTBOX_CHUNK_MAX_BYTES; n++) heavy = { ...file, orders: [large, ...small.slice(0, n)] };
    expect(jsonBytes(heavy)).toBeLessThan(WS_MAX_MESSAGE_BYTES);
    const tooHeavy = await receiver.api.result('pos.importOrders', { file: heavy });
    expect(tooHeavy).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/^file: A piece of an order file holds at most 768 KiB of JSON \(this one: \d+ KiB\)$/) } });
  });
});

describe('input nested without end', () => {
  it('is answered VALIDATION, and the server goes on (it used to overflow the stack and stop)', async () => {
    const deep = `${'['.repeat(300_000)}${']'.repeat(300_000)}`;
    const input = `{"id":"${crypto.randomUUID()}","saleUuid":"${crypto.randomUUID()}","baseRevision":0,"cart":{"lines":[],"x":${deep}}}`;
    const reply = await sendRaw(seller, `{"type":"call","id":7,"op":"pos.saveCart","input":${input}}`);
    expect(JSON.parse(reply.answer!)).toMatchObject({ id: 7, result: { ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/nest at most/) } } });
    // The dispatcher itself (any transport) turns such an input into an answer too.
    const direct = await seller.services.dispatcher.invoke('pos.saveCart', JSON.parse(input), { actor: 't', role: 'cashier', transport: 'internal' });
    expect(direct.ok).toBe(false);
    expect((await seller.api.call('pos.status', {})).pairing).not.toBeNull();
  });
});

describe('a sale larger than a sale may be', () => {
  const lines = (n: number) => Array.from({ length: n }, () => sale(10, 1).lines[0]!);

  it('of 10,000 lines sent directly closes that connection (1009), and the server answers afterwards', async () => {
    const message = sellMessage({ ...sale(10, 1), lines: lines(10_000) });
    expect(Buffer.byteLength(message)).toBeGreaterThan(WS_MAX_MESSAGE_BYTES);
    expect(await sendRaw(seller, message)).toEqual({ closed: 1009 });
    const status = JSON.parse((await sendRaw(seller, JSON.stringify({ type: 'call', id: 1, op: 'pos.status', input: {} }))).answer!) as { result: { ok: boolean } };
    expect(status.result.ok).toBe(true);
  });

  it('of 10,000 lines is refused by the typed client before it is sent, and the client goes on', async () => {
    const refused = await seller.api.result('pos.sell', { sale: { ...sale(10, 1), lines: lines(10_000) } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/^This request is \d+ KiB; one request may be at most 1024 KiB\.$/) } });
    expect((await seller.api.call('pos.status', {})).pairing).not.toBeNull();
  });

  it(`of ${SALE_MAX_LINES + 1} lines gets VALIDATION naming the bound, and nothing is recorded`, async () => {
    const before = seller.services.outbox.counts().pending;
    const refused = await seller.api.call('pos.sell', { sale: { ...sale(10, 1), lines: lines(SALE_MAX_LINES + 1) } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FleetError);
    expect(refused).toMatchObject({ code: 'VALIDATION', message: `sale.lines: A sale has at most ${SALE_MAX_LINES} lines` });
    expect(seller.services.outbox.counts().pending).toBe(before);
  });

  it('meets the server where the message limit is: a message of exactly 1 MiB is read, one byte more closes the connection', async () => {
    const message = (bytes: number) => {
      const frame = JSON.stringify({ type: 'call', id: 1, op: 'pos.status', input: { pad: '' } });
      return frame.replace('"pad":""', `"pad":"${'x'.repeat(bytes - Buffer.byteLength(frame))}"`);
    };
    expect(Buffer.byteLength(message(WS_MAX_MESSAGE_BYTES))).toBe(WS_MAX_MESSAGE_BYTES);
    expect(JSON.parse((await sendRaw(seller, message(WS_MAX_MESSAGE_BYTES))).answer!)).toMatchObject({ result: { ok: false, error: { code: 'VALIDATION' } } });
    expect(await sendRaw(seller, message(WS_MAX_MESSAGE_BYTES + 1))).toEqual({ closed: 1009 });
  });
});
