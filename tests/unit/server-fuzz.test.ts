import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../electron/common/log.js';
import { startPosWebServer } from '../../electron/pos/pos-web-server.js';
import { startWebServer, type WebServer } from '../../electron/api/web-server.js';
import { contract } from '../../shared/contract.js';
import { ClientFrame } from '../../shared/ws-protocol.js';
import { createTestConsole } from '../support/console.js';
import { newPosDir, openPos } from '../support/pos-terminal.js';
import { freePort } from '../support/pos-web.js';

// Random and hostile bytes at both web servers (console and POS), real servers in this process:
// raw request lines, header sets, static paths, WebSocket upgrades, raw WebSocket frames and
// messages on a signed-in socket. Whatever arrives, the answer is a 4xx (never a 5xx) or a
// WebSocket close, no file outside the UI folder is served, nothing throws unheard, and the
// server still answers a signed-in page and call after every case.
// FLEET_FUZZ_SEED=<n> replays a run (the seed is printed); FLEET_FUZZ_RUNS=<n> runs longer.

const seed = envInteger('FLEET_FUZZ_SEED') ?? Math.floor(Math.random() * 2 ** 31);
const numRuns = envInteger('FLEET_FUZZ_RUNS') ?? 80;
console.log('fuzz seed', seed, `(replay: FLEET_FUZZ_SEED=${seed})`);

/** How long a connection may stay without answer or close before the case counts as a hang. */
const HANG_MS = 10_000;
const PROPERTY_TIMEOUT_MS = 120_000;

function envInteger(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`${name} must be a whole number, not "${text}"`);
  return Number(text);
}

function fuzz<T>(arbitrary: fc.Arbitrary<T>, check: (value: T) => Promise<void>): Promise<void> {
  return fc.assert(fc.asyncProperty(arbitrary, check), { seed, numRuns });
}

// ---------------------------------------------------------------------------------------------
// The servers, and what "still answers" means.

const INDEX_HTML = '<!doctype html><title>ui</title>';
const UI_FILES: Record<string, string> = { 'index.html': INDEX_HTML, 'sw.js': 'self.fuzz = 1;', 'assets/app.js': 'export const app = 1;' };
const OUTSIDE_SECRET = 'secret file outside the UI folder';

interface Face {
  program: 'console' | 'pos';
  server: WebServer;
  cookie: string;
  close(): Promise<void>;
}

async function startConsoleFace(uiDir: string): Promise<Face> {
  const fleet = createTestConsole({ log: silentLogger });
  const server = await startWebServer({ dispatcher: fleet.services.dispatcher, events: fleet.services.events, staticDir: uiDir, context: { actor: 'fuzz', role: 'admin' }, log: silentLogger });
  return { program: 'console', server, cookie: await signIn(server), close: async () => (await server.close(), await fleet.close()) };
}

// The POS runs as 'support': calls above that role are refused and audited with their raw input.
async function startPosFace(uiDir: string): Promise<Face> {
  const dataDir = newPosDir();
  const pos = openPos(dataDir);
  const server = await startPosWebServer(pos, { staticDir: uiDir, port: await freePort(), actor: 'fuzz@pos', role: 'support' });
  const close = async () => {
    await server.close();
    await pos.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { program: 'pos', server, cookie: await signIn(server), close };
}

function get(url: string, cookie: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { Cookie: cookie }, agent: false }, (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

async function signIn(server: WebServer): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(server.newLaunchUrl(), { agent: false }, (response) => {
        response.resume();
        resolve((response.headers['set-cookie']?.[0] ?? '').split(';')[0]!);
      })
      .on('error', reject);
  });
}

/** Fills the placeholders of a generated request with this server's host, origin and cookie. */
function personalise(text: string, face: Face): string {
  return text
    .replaceAll('{origin}', face.server.origin)
    .replaceAll('{host}', `127.0.0.1:${face.server.port}`)
    .replaceAll('{port}', String(face.server.port))
    .replaceAll('{cookie}', face.cookie);
}

const crashes: unknown[] = [];
const recordCrash = (error: unknown) => void crashes.push(error);
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

async function stillAnswers(face: Face): Promise<void> {
  const page = await get(`${face.server.origin}/`, face.cookie);
  expect(page).toEqual({ status: 200, body: INDEX_HTML });
  const ws = await openSocket(face);
  const answer = await exchangeMessage(ws, JSON.stringify({ type: 'call', id: 7, op: 'session.info', input: {} }));
  ws.close();
  expect(answer).toMatchObject({ result: { type: 'result', id: 7, result: { ok: true, value: { program: face.program } } } });
  // Taken, not just read: a crash fails the case it happened in (or the next), not every later one.
  expect(crashes.splice(0)).toEqual([]);
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
  expect(({} as Record<string, unknown>).fuzzPolluted).toBeUndefined();
}

// ---------------------------------------------------------------------------------------------
// Wire helpers: raw bytes over TCP, and messages over a signed-in WebSocket.

function deadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`hang: ${what}`)), HANG_MS)));
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

/**
 * When the client half-closes after writing: at once (the server still reads what came before),
 * once `received` holds what the case waits for, or after the server has been quiet a while (a
 * request missing bytes waits for them; Node's server drops an answer still being written, such
 * as a file, when the client ends first, so a quiet end only ever turns an answer into a close).
 */
interface HalfClose {
  atOnce?: boolean;
  once?: (received: Buffer) => boolean;
  whenQuiet?: boolean;
}
const QUIET_MS = 150;
const headReceived = (received: Buffer) => received.includes('\r\n\r\n');

/** Writes the bytes; returns all the server sent until it closed the connection. */
function exchange(face: Face, bytes: Buffer, halfClose: HalfClose): Promise<Buffer> {
  const received = new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    let quiet: NodeJS.Timeout | undefined;
    const endWhenQuiet = () => {
      clearTimeout(quiet);
      if (halfClose.whenQuiet) quiet = setTimeout(() => socket.end(), QUIET_MS);
    };
    const socket = net.connect(face.server.port, '127.0.0.1', () => {
      socket.write(bytes);
      if (halfClose.atOnce) socket.end();
      endWhenQuiet();
    });
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (halfClose.once?.(Buffer.concat(chunks))) socket.end();
      endWhenQuiet();
    });
    // A reset once the server answered (it may close before reading all we sent) is an answer too.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(quiet);
      resolve(Buffer.concat(chunks));
    });
  });
  return deadline(received, 'the server neither answered nor closed the connection');
}

const statusesOf = (answer: Buffer) => [...answer.toString('latin1').matchAll(/^HTTP\/1\.1 (\d{3}) /gm)].map((match) => Number(match[1]));

/** An HTTP answer is a well-formed 1xx to 4xx, or the server just closed the connection. */
function expectNoServerError(answer: Buffer): number[] {
  const statuses = statusesOf(answer);
  if (answer.length > 0) expect(answer.toString('latin1')).toMatch(/^HTTP\/1\.1 \d{3} /);
  for (const status of statuses) expect(status).toBeLessThan(500);
  return statuses;
}

function openSocket(face: Face): Promise<WebSocket> {
  const ws = new WebSocket(`${face.server.origin.replace('http', 'ws')}/api`, { headers: { Cookie: face.cookie, Origin: face.server.origin } });
  ws.on('error', () => {});
  const opened = new Promise<WebSocket>((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    ws.once('close', (code) => reject(new Error(`closed ${code} before opening`)));
  });
  return deadline(opened, 'WebSocket upgrade');
}

type ResultFrame = { type: 'result'; id: number; result: { ok: boolean; error?: { code: string } } };

/** Sends one message and waits for the next result frame, or for the close of the socket. */
function exchangeMessage(ws: WebSocket, message: string | Buffer): Promise<{ result?: ResultFrame; closeCode?: number }> {
  const answered = new Promise<{ result?: ResultFrame; closeCode?: number }>((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(data.toString()) as { type: string };
      if (frame.type !== 'result') return;
      ws.off('close', onClose);
      ws.off('message', onMessage);
      resolve({ result: frame as ResultFrame });
    };
    const onClose = (code: number) => {
      ws.off('message', onMessage);
      resolve({ closeCode: code });
    };
    ws.on('message', onMessage);
    ws.once('close', onClose);
    ws.send(message, { binary: Buffer.isBuffer(message) });
  });
  return deadline(answered, 'an answer to a WebSocket message');
}

// ---------------------------------------------------------------------------------------------
// Generators. Requests are latin1 text (one char, one byte) with placeholders for the server's
// host, origin and cookie.

const anyByte = fc.integer({ min: 0, max: 255 }).map((code) => String.fromCharCode(code));
const bytesText = (maxLength: number) => fc.string({ unit: anyByte, maxLength });
const utf8AsLatin1 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

/** Mostly `common`, sometimes one of `rare`: enough well-formed input gets past the parser. */
const usually = <T>(common: fc.Arbitrary<T>, ...rare: fc.Arbitrary<T>[]) => fc.oneof({ weight: 3 * rare.length, arbitrary: common }, ...rare);

const oddPercent = fc.oneof(
  fc.constantFrom('%', '%0', '%zz', '%00', '%2e', '%2E%2e', '%2f', '%2F', '%5c', '%ff', '%c0%ae', '%c0%af', '%e2%80%ae', '%f0%9f%92', '%25', '%%', '%u002e', '%0d%0a'),
  fc.integer({ min: 0, max: 255 }).map((byte) => `%${byte.toString(16).padStart(2, '0')}`),
);
const pathSegment = usually(
  fc.constantFrom('', '.', '..', 'index.html', 'sw.js', 'assets', 'app.js', 'outside.txt', 'ui', 'api', 'pos-images', 'product', '1', 'x.png', '~', '?v=1', '#x', '?token=x', ';'),
  fc.constantFrom('[', ']', '\\', '..\\..', '\0', utf8AsLatin1('ü'), utf8AsLatin1('𝒳'), utf8AsLatin1('\u202e'), '\xff\xfe', '\xc0\xae'),
  fc.array(oddPercent, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('')),
  fc.integer({ min: 200, max: 4000 }).map((length) => 'a'.repeat(length)),
  bytesText(12),
);
const urlPath = fc.array(pathSegment, { maxLength: 7 }).map((segments) => `/${segments.join('/')}`);

const method = usually(
  fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH'),
  fc.constantFrom('CONNECT', 'PRI', 'get', 'G\0T', ''),
  fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ!#$%&*+-.^_|~'), minLength: 1, maxLength: 12 }),
  bytesText(8),
);
const requestTarget = usually(
  urlPath,
  urlPath.map((p) => `/${p}`),
  fc.constantFrom('//[', '/[', '*', '', 'http://evil.example/', 'http://{host}/', '{host}', '/?token=', '/?token=%00'),
  fc.integer({ min: 1000, max: 40_000 }).map((length) => `/${'x'.repeat(length)}`),
  fc.tuple(urlPath, fc.constantFrom('\r\n', '\n', '\r', '\r\nHost: evil.example\r\n', '\r\n\r\nGET / HTTP/1.1')).map(([p, crlf]) => `${p}${crlf}`),
);
const httpVersion = usually(fc.constant('HTTP/1.1'), fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1 extra', '', 'http/1.1', 'HTTP/1.x', 'HTTP/11'));

const requestLine = fc
  .record({ method, target: requestTarget, version: httpVersion, gap: usually(fc.constant(' '), fc.constantFrom('  ', '\t')), signedIn: fc.boolean() })
  .map(({ method, target, version, gap, signedIn }) => `${method}${gap}${target}${gap}${version}\r\nHost: {host}\r\n${signedIn ? 'Cookie: {cookie}\r\n' : ''}Connection: close\r\n\r\n`);

const headerLine = usually(
  fc.constantFrom(
    ...['Host: {host}', 'Host: evil.example', 'Host: localhost:{port}', 'Host:', 'Host: {host}, evil.example'],
    ...['Cookie: {cookie}', 'Cookie: fleet_session_{port}=forged', 'Cookie: fleet_session_{port}=a.1.b', 'Cookie: ;;;=', 'Origin: {origin}', 'Origin: null', 'Origin: http://evil.example'],
    ...['Content-Length: 0', 'Content-Length: 5', 'Content-Length: -1', 'Content-Length: abc', 'Content-Length: 1e3', 'Content-Length: 99999999999999999999', 'Content-Length: 3, 4'],
    ...['Transfer-Encoding: chunked', 'Transfer-Encoding: gzip, chunked', 'Transfer-Encoding: chunked, identity', 'Transfer-Encoding: xchunked', 'Expect: 100-continue'],
    ...['Connection: keep-alive', 'Accept: */*', 'Range: bytes=0-1', 'If-None-Match: *', 'Accept-Encoding: gzip'],
  ),
  fc.constantFrom(' folded: continuation', 'X-Empty:', ': no name', 'Bad Header: x', 'X-Nul: a\0b', 'X-Bare-CR: a\rb'),
  fc.integer({ min: 4 * 1024, max: 40 * 1024 }).map((length) => `X-Big: ${'a'.repeat(length)}`),
  fc.tuple(fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz-_.'), minLength: 1, maxLength: 16 }), fc.string({ maxLength: 48 })).map(([name, value]) => `${name}: ${value}`),
  fc.tuple(bytesText(12), bytesText(48)).map(([name, value]) => `${name}: ${value}`),
);
const requestBody = usually(
  fc.constant(''),
  fc.constantFrom('0\r\n\r\n', '5\r\nhello\r\n0\r\n\r\n', 'zz\r\nhi\r\n', 'ffffffffffffffffff\r\n', '-1\r\n', '5;ext="\r\n"\r\nhello\r\n0\r\n\r\n', '3\r\nabcdef\r\n'),
  fc.constant('GET / HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n\r\n'),
  bytesText(200),
);
// The headers a browser sends (mostly), then random ones: duplicates, oversized, contradictory.
const headerSet = fc
  .record({
    method: fc.constantFrom('GET', 'HEAD', 'POST'),
    target: usually(fc.constantFrom('/', '/index.html', '/api', '/?token=x'), urlPath),
    host: usually(fc.constant(true), fc.constant(false)),
    signedIn: usually(fc.constant(true), fc.constant(false)),
    close: usually(fc.constant(true), fc.constant(false)),
    extras: fc.array(headerLine, { maxLength: 5 }),
    extrasFirst: fc.boolean(),
    body: requestBody,
  })
  .map(({ method, target, host, signedIn, close, extras, extrasFirst, body }) => {
    const usual = [host && 'Host: {host}', signedIn && 'Cookie: {cookie}', close && 'Connection: close'].filter((line) => line !== false);
    const headers = extrasFirst ? [...extras, ...usual] : [...usual, ...extras];
    return `${method} ${target} HTTP/1.1\r\n${headers.map((line) => `${line}\r\n`).join('')}\r\n${body}`;
  });

const staticRequest = fc
  .record({ method: fc.constantFrom('GET', 'HEAD'), prefix: fc.constantFrom('', '/assets', '/pos-images/product', '/pos-images'), path: urlPath, query: fc.constantFrom('', '?v=1', '?v=%ff', '?token') })
  .map(({ method, prefix, path: p, query }) => ({ method, request: `${method} ${prefix}${p}${query} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n` }));

// Each header of an upgrade: mostly the one a browser sends, else absent, repeated or wrong.
const VALID_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const headerValues = (usual: string, others: string[], more: fc.Arbitrary<string> = fc.constantFrom(...others)) =>
  usually(fc.constant<string[]>([usual]), fc.array(fc.oneof(fc.constant(usual), fc.constantFrom(...others), more), { maxLength: 2 }));
const upgradeRequest = fc.record({
  path: usually(fc.constant('/api'), fc.constantFrom('/api?x=1', '/api/', '/API', '//api', '/%61pi', '/', '*')),
  hosts: headerValues('{host}', ['localhost:{port}', 'evil.example', '']),
  origins: headerValues('{origin}', ['http://localhost:{port}', 'http://evil.example', 'null', '{origin}/']),
  cookies: headerValues('{cookie}', ['fleet_session_{port}=forged', 'other=1']),
  keys: headerValues(VALID_KEY, ['', 'abc', 'dGhlIHNhbXBsZSBub25jZQ', '!!!!!!!!!!!!!!!!!!!!!!=='], bytesText(30)),
  versions: headerValues('13', ['8', '', 'abc', '13, 8', '99999999999999999999']),
  upgrade: usually(fc.constant('websocket'), fc.constantFrom('WebSocket', 'h2c', 'websocket, h2c', '')),
  connection: usually(fc.constant('Upgrade'), fc.constantFrom('keep-alive, Upgrade', 'keep-alive', 'close')),
});
type UpgradeRequest = typeof upgradeRequest extends fc.Arbitrary<infer T> ? T : never;

function upgradeText(request: UpgradeRequest): string {
  const lines = [`GET ${request.path} HTTP/1.1`, `Upgrade: ${request.upgrade}`, `Connection: ${request.connection}`];
  for (const [name, values] of [['Host', request.hosts], ['Origin', request.origins], ['Cookie', request.cookies], ['Sec-WebSocket-Key', request.keys], ['Sec-WebSocket-Version', request.versions]] as const) {
    for (const value of values) lines.push(`${name}: ${value}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * What the server must check before it upgrades: the path, the (first) Host, one allowed Origin,
 * and the session: the first cookie of the session's name counts, so a forged one before the real
 * one is refused.
 */
function upgradeAuthorised(request: UpgradeRequest): boolean {
  const allowedHost = request.hosts[0] === '{host}' || request.hosts[0] === 'localhost:{port}';
  const allowedOrigin = request.origins.length === 1 && ['{origin}', 'http://localhost:{port}'].includes(request.origins[0]!);
  const session = request.cookies.find((cookie) => cookie === '{cookie}' || cookie.startsWith('fleet_session_'));
  return ['/api', '/api?x=1'].includes(request.path) && allowedHost && allowedOrigin && session === '{cookie}';
}

/** A handshake ws accepts (RFC 6455): one valid key, one known version, a real Upgrade. */
function handshakeWellFormed(request: UpgradeRequest): boolean {
  const version = request.versions.length === 1 && ['13', '8'].includes(request.versions[0]!);
  return request.keys.length === 1 && request.keys[0] === VALID_KEY && version && request.upgrade.toLowerCase() === 'websocket' && request.connection.includes('Upgrade');
}

// Raw WebSocket frames, built by hand so that every field can be wrong.
interface RawFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  mask: number[] | null;
  payload: Buffer;
  /** A length field that lies about the payload (longer waits for bytes, shorter splits it). */
  claimedLength: bigint | null;
  /** A length under 126 written in the 16-bit field (not minimal). */
  wideLength: boolean;
}

function encodeFrame(frame: RawFrame): Buffer {
  const length = frame.claimedLength ?? BigInt(frame.payload.length);
  let lengthField: Buffer;
  if (length < 126n && !frame.wideLength) lengthField = Buffer.from([Number(length)]);
  else if (length < 65_536n) lengthField = Buffer.from([126, Number(length >> 8n), Number(length & 0xffn)]);
  else {
    lengthField = Buffer.alloc(9);
    lengthField[0] = 127;
    lengthField.writeBigUInt64BE(length, 1);
  }
  if (frame.mask) lengthField[0]! |= 0x80;
  const mask = frame.mask ?? [];
  const payload = frame.mask ? frame.payload.map((byte, index) => byte ^ mask[index % 4]!) : frame.payload;
  return Buffer.concat([Buffer.from([(frame.fin ? 0x80 : 0) | (frame.rsv << 4) | frame.opcode]), lengthField, Buffer.from(mask), payload]);
}

/** The server's frames (never masked) in what it sent; an incomplete last frame is left out. */
function decodeServerFrames(bytes: Buffer): Array<{ opcode: number; payload: Buffer }> {
  const frames: Array<{ opcode: number; payload: Buffer }> = [];
  for (let at = 0; at + 2 <= bytes.length; ) {
    let length = bytes[at + 1]! & 0x7f;
    let start = at + 2;
    if (length === 126 && start + 2 <= bytes.length) [length, start] = [bytes.readUInt16BE(start), start + 2];
    else if (length === 127 && start + 8 <= bytes.length) [length, start] = [Number(bytes.readBigUInt64BE(start)), start + 8];
    else if (length >= 126) break;
    if (start + length > bytes.length) break;
    frames.push({ opcode: bytes[at]! & 0x0f, payload: bytes.subarray(start, start + length) });
    at = start + length;
  }
  return frames;
}

const callText = (id: number, op: string, input = '{}') => `{"type":"call","id":${id},"op":${JSON.stringify(op)},"input":${input}}`;
const maskKey = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 });
const closePayload = fc
  .tuple(fc.oneof(fc.constantFrom(1000, 1001, 1002, 1004, 1005, 1006, 1015, 999, 3000, 4999, 5000, 0, 65_535), fc.integer({ min: 0, max: 65_535 })), fc.uint8Array({ maxLength: 40 }))
  .map(([code, reason]) => Buffer.concat([Buffer.from([code >> 8, code & 0xff]), reason]));
const framePayload = fc.oneof(
  fc.constantFrom(callText(1, 'session.info'), callText(2, 'nope'), '{"type":"call"', 'not json').map((text) => Buffer.from(text)),
  fc.string({ maxLength: 60 }).map((text) => Buffer.from(text)),
  fc.uint8Array({ maxLength: 60 }).map((bytes) => Buffer.from(bytes)),
  closePayload,
  fc.integer({ min: 126, max: 300 }).map((length) => Buffer.alloc(length, 0x61)),
);
const claimedLength = fc.constantFrom(0n, 125n, 126n, 65_535n, 65_536n, 1024n * 1024n + 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n);
const rawFrame: fc.Arbitrary<RawFrame> = fc.record({
  fin: usually(fc.constant(true), fc.constant(false)),
  rsv: usually(fc.constant(0), fc.integer({ min: 1, max: 7 })),
  opcode: usually(fc.constantFrom(0, 1, 2, 8, 9, 10), fc.integer({ min: 0, max: 15 })),
  mask: usually(maskKey, fc.constant(null)),
  payload: framePayload,
  claimedLength: usually(fc.constant(null), claimedLength),
  wideLength: usually(fc.constant(false), fc.constant(true)),
});

// A call split into fragments with control frames between them: valid ones must not disturb the
// message; a broken one (fragmented, too long, reserved opcode or bits) is a protocol error.
const controlFrame = fc
  .record({ kind: fc.constantFrom('ping', 'pong', 'fragmented', 'too long', 'reserved opcode', 'reserved bits'), payload: fc.uint8Array({ maxLength: 125 }), mask: maskKey })
  .map(({ kind, payload, mask }): { frame: RawFrame; valid: boolean } => {
    const valid = kind === 'ping' || kind === 'pong';
    const frame: RawFrame = { fin: kind !== 'fragmented', rsv: kind === 'reserved bits' ? 4 : 0, opcode: kind === 'pong' ? 10 : kind === 'reserved opcode' ? 11 : 9, mask, payload: Buffer.from(payload), claimedLength: null, wideLength: false };
    if (kind === 'too long') frame.payload = Buffer.alloc(126 + payload.length, 0x62);
    return { frame, valid };
  });
const fragmentedCall = fc
  .record({ id: fc.nat(), cuts: fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: 3 }), controls: fc.array(controlFrame, { maxLength: 3 }), mask: maskKey })
  .map(({ id, cuts, controls, mask }) => {
    const text = Buffer.from(callText(id, 'session.info'));
    const bounds = [0, ...[...cuts].sort((a, b) => a - b), text.length];
    const frames: RawFrame[] = [];
    for (let index = 0; index + 1 < bounds.length; index++) {
      const last = index + 2 === bounds.length;
      frames.push({ fin: last, rsv: 0, opcode: index === 0 ? 1 : 0, mask, payload: text.subarray(bounds[index], bounds[index + 1]), claimedLength: null, wideLength: false });
      const control = controls[index];
      if (control && !last) frames.push(control.frame);
    }
    const used = controls.slice(0, bounds.length - 2);
    return { id, frames, valid: used.every((control) => control.valid) };
  });

// JSON written by hand, so that keys like __proto__ reach the server as keys.
const hostileKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'id', 'name', 'hostId', 'address', 'item', 'uid', 'limit', 'query', ''), fc.string({ maxLength: 8 }));
const hostileLeaf = fc.oneof(
  fc.constantFrom('null', 'true', 'false', '0', '-0', '1e308', '-1e308', '1e999', '123456789012345678901234567890', '9007199254740993', '0.1', '-1', '""', '"\\u0000"', '"\\ud800"'),
  fc.constantFrom('{"__proto__":{"fuzzPolluted":true}}', '{"constructor":{"prototype":{"fuzzPolluted":true}}}'),
  fc.string({ maxLength: 20 }).map((text) => JSON.stringify(text)),
  fc.double().map((number) => JSON.stringify(number)),
);
// Deep enough for any recursion over the input to overflow the stack, and well under 1 MiB.
const deepArray = fc.integer({ min: 1000, max: 300_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));
const { json: hostileJson } = fc.letrec<{ json: string; array: string; object: string }>((tie) => ({
  json: fc.oneof({ depthSize: 'small', withCrossShrink: true }, hostileLeaf, tie('array'), tie('object')),
  array: fc.array(tie('json'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
  object: fc.array(fc.tuple(hostileKey, tie('json')), { maxLength: 4 }).map((entries) => `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`),
}));
const operation = usually(fc.constantFrom(...Object.keys(contract)), fc.constantFrom('', 'nope', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'vault.status\0', 'x'.repeat(100), 'x'.repeat(101)), fc.string({ maxLength: 20 }));
const callInput = fc.oneof({ weight: 8, arbitrary: hostileJson }, { weight: 2, arbitrary: fc.constant('{}') }, { weight: 1, arbitrary: deepArray });
const callMessage = fc.tuple(fc.oneof(fc.nat(), fc.constantFrom(0, 2 ** 53 - 1, 1e308)), operation, callInput).map(([id, op, input]) => callText(id, op, input));
const anyMessage = fc.oneof(
  callMessage,
  hostileJson,
  fc.tuple(hostileJson, callInput, operation).map(([id, input, op]) => `{"type":"call","id":${id},"op":${JSON.stringify(op)},"input":${input}}`),
  fc.string({ maxLength: 60 }),
  fc.uint8Array({ maxLength: 60 }).map((bytes) => Buffer.from(bytes)),
);

// ---------------------------------------------------------------------------------------------
// The properties, for each server.

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-fuzz-'));
const uiDir = path.join(root, 'ui');
const servedBodies = new Set(Object.values(UI_FILES));

beforeAll(() => {
  for (const [name, text] of Object.entries(UI_FILES)) {
    fs.mkdirSync(path.dirname(path.join(uiDir, name)), { recursive: true });
    fs.writeFileSync(path.join(uiDir, name), text);
  }
  fs.writeFileSync(path.join(root, 'outside.txt'), OUTSIDE_SECRET);
  process.on('uncaughtException', recordCrash);
  process.on('unhandledRejection', recordCrash);
});
afterAll(() => {
  process.off('uncaughtException', recordCrash);
  process.off('unhandledRejection', recordCrash);
  fs.rmSync(root, { recursive: true, force: true });
});

for (const [program, start] of [['console', startConsoleFace], ['pos', startPosFace]] as const) {
  describe(`the ${program} web server under random input`, () => {
    let face: Face;
    beforeAll(async () => void (face = await start(uiDir)));
    afterAll(() => face.close());
    const send = (text: string, halfClose: HalfClose = { once: headReceived, whenQuiet: true }) => exchange(face, Buffer.from(personalise(text, face), 'latin1'), halfClose);

    it('answers random request lines with a 4xx or a close', { timeout: PROPERTY_TIMEOUT_MS }, () =>
      fuzz(requestLine, async (request) => {
        expectNoServerError(await send(request));
        await stillAnswers(face);
      }),
    );

    it('answers random header sets and bodies with a 4xx or a close', { timeout: PROPERTY_TIMEOUT_MS }, () =>
      fuzz(headerSet, async (request) => {
        expectNoServerError(await send(request));
        await stillAnswers(face);
      }),
    );

    it('serves only the files of its UI folder, whatever the path', { timeout: PROPERTY_TIMEOUT_MS }, () =>
      fuzz(staticRequest, async ({ method, request }) => {
        const answer = await send(request, { whenQuiet: true });
        const [status] = expectNoServerError(answer);
        const body = answer.subarray(answer.indexOf('\r\n\r\n') + 4).toString('latin1');
        expect(answer.toString('latin1')).not.toContain(OUTSIDE_SECRET);
        if (status === 200 && method === 'GET') expect(servedBodies).toContain(body);
        await stillAnswers(face);
      }),
    );

    it('upgrades to a WebSocket only a signed-in, same-origin, well-formed handshake', { timeout: PROPERTY_TIMEOUT_MS }, () =>
      fuzz(upgradeRequest, async (request) => {
        const [status] = expectNoServerError(await send(upgradeText(request)));
        if (status === 101) expect(upgradeAuthorised(request)).toBe(true);
        if (upgradeAuthorised(request) && handshakeWellFormed(request)) expect(status).toBe(101);
        await stillAnswers(face);
      }),
    );

    const handshake = `GET /api HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nCookie: {cookie}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${VALID_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    const framesAfterHandshake = (received: Buffer) => decodeServerFrames(received.subarray(received.indexOf('\r\n\r\n') + 4));

    it('answers random WebSocket frames with results, pongs or a protocol close code', { timeout: PROPERTY_TIMEOUT_MS }, () =>
      fuzz(fc.array(rawFrame, { minLength: 1, maxLength: 4 }), async (frames) => {
        const answer = await send(handshake + Buffer.concat(frames.map(encodeFrame)).toString('latin1'), { atOnce: true });
        expect(statusesOf(answer)).toEqual([101]);
        const echoed = frames.filter((frame) => frame.opcode === 8 && frame.payload.length >= 2).map((frame) => frame.payload.readUInt16BE(0));
        for (const frame of framesAfterHandshake(answer)) {
          if (frame.opcode === 1) expect(['result', 'event']).toContain((JSON.parse(frame.payload.toString()) as { type: string }).type);
          if (frame.opcode === 8 && frame.payload.length >= 2) expect([1000, 1002, 1003, 1007, 1009, ...echoed]).toContain(frame.payload.readUInt16BE(0));
        }
        await stillAnswers(face);
      }),
    );

    it('answers a fragmented call between control frames, or closes with 1002 on a broken control frame', { timeout: PROPERTY_TIMEOUT_MS }, () =>
      fuzz(fragmentedCall, async ({ id, frames, valid }) => {
        const answered = (received: Buffer) => framesAfterHandshake(received).some((frame) => frame.opcode === 1 || frame.opcode === 8);
        const answer = await send(handshake + Buffer.concat(frames.map(encodeFrame)).toString('latin1'), { once: answered });
        const replies = framesAfterHandshake(answer);
        if (valid) {
          const result = replies.find((frame) => frame.opcode === 1);
          expect(JSON.parse(result?.payload.toString() ?? 'null')).toMatchObject({ type: 'result', id, result: { ok: true } });
        } else {
          expect(replies.find((frame) => frame.opcode === 8)?.payload.readUInt16BE(0)).toBe(1002);
        }
        await stillAnswers(face);
      }),
    );

    it('answers every call on a signed-in socket, and closes it on a malformed message', { timeout: PROPERTY_TIMEOUT_MS }, () =>
      fuzz(fc.tuple(fc.array(callMessage, { maxLength: 3 }), fc.option(anyMessage)), async ([calls, last]) => {
        const ws = await openSocket(face);
        for (const message of last === null ? calls : [...calls, last]) {
          const answer = await exchangeMessage(ws, message);
          const closeCode = expectedCloseCode(message);
          if (closeCode === null) {
            expectWellFormedResult(answer, message as string);
          } else {
            expect(answer.closeCode).toBe(closeCode);
            break;
          }
        }
        ws.close();
        await stillAnswers(face);
      }),
    );

    it('still serves a new sign-in after all of it', async () => {
      face.cookie = await signIn(face.server);
      await stillAnswers(face);
    });
  });
}

function expectWellFormedResult(answer: { result?: ResultFrame; closeCode?: number }, call: string): void {
  expect(answer.result, `no result for ${call.slice(0, 200)}`).toBeDefined();
  const { id } = JSON.parse(call) as { id: number };
  // An id of -0 comes back as 0.
  expect(answer.result).toMatchObject({ type: 'result', id: Math.abs(id) });
  const { result } = answer.result!;
  expect(typeof result.ok).toBe('boolean');
  // INTERNAL is the dispatcher's 500: a handler failed on input that passed validation.
  if (!result.ok) expect(result.error?.code, call.slice(0, 200)).not.toBe('INTERNAL');
}

/** How the transport must close on this message, or null when it must answer it. */
function expectedCloseCode(message: string | Buffer): number | null {
  if (Buffer.byteLength(message) > 1024 * 1024) return 1009;
  if (Buffer.isBuffer(message)) return 1003;
  try {
    return ClientFrame.safeParse(JSON.parse(message)).success ? null : 1007;
  } catch {
    return 1007;
  }
}
