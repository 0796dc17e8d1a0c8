import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../electron/common/log.js';
import { createConsoleServices, type ConsoleServices } from '../../electron/console-services.js';
import { startWebServer, type WebServer } from '../../electron/api/web-server.js';

let dir: string;
let services: ConsoleServices;
let server: WebServer;

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

function openWs(headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/api`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-web-'));
  fs.mkdirSync(path.join(dir, 'ui'));
  fs.writeFileSync(path.join(dir, 'ui', 'index.html'), '<!doctype html><title>ui</title>');
  fs.writeFileSync(path.join(dir, 'outside.txt'), 'secret file');
  services = createConsoleServices({ dataDir: path.join(dir, 'data'), kdf: { N: 2 ** 12, r: 8, p: 1 }, homeDir: dir, log: silentLogger });
  server = await startWebServer({ dispatcher: services.dispatcher, events: services.events, staticDir: path.join(dir, 'ui'), context: { actor: 't', role: 'admin' }, log: silentLogger });
});
afterAll(async () => {
  await server.close();
  await services.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('web mode', () => {
  it('listens on 127.0.0.1 only, on a random port', () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
  });

  let cookie = '';
  it('refuses requests without the session cookie', async () => {
    const res = await get(`${server.origin}/`);
    expect(res.status).toBe(401);
    await expect(openWs({ Origin: server.origin })).rejects.toThrow(/401/);
  });

  it('exchanges the one-time token for an HttpOnly SameSite=Strict cookie, once', async () => {
    const first = await get(server.launchUrl);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const setCookie = first.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    cookie = setCookie.split(';')[0]!;
    const again = await get(server.launchUrl);
    expect(again.status).toBe(401);
    const page = await get(`${server.origin}/`, { Cookie: cookie });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('<title>ui</title>');
  });

  it('does not serve files outside the UI folder', async () => {
    const res = await get(`${server.origin}/..%2Foutside.txt`, { Cookie: cookie });
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('secret file');
  });

  it('refuses other Host headers (DNS rebinding) and cross-origin WebSockets', async () => {
    const res = await get(`${server.origin}/`, { Cookie: cookie, Host: `evil.example:${server.port}` });
    expect(res.status).toBe(421);
    await expect(openWs({ Cookie: cookie, Origin: 'http://evil.example' })).rejects.toThrow(/401/);
  });

  it('serves the contract over WebSocket with validated inputs and {ok,error} results', async () => {
    const ws = await openWs({ Cookie: cookie, Origin: server.origin });
    const call = (id: number, op: string, input: unknown) =>
      new Promise<unknown>((resolve) => {
        const onMessage = (data: WebSocket.RawData) => {
          const frame = JSON.parse(data.toString());
          if (frame.type === 'result' && frame.id === id) {
            ws.off('message', onMessage);
            resolve(frame.result);
          }
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ type: 'call', id, op, input }));
      });
    expect(await call(1, 'vault.status', {})).toEqual({ ok: true, value: { state: 'uninitialised', backend: 'passphrase' } });
    expect(await call(2, 'hosts.get', { id: 'not-a-uuid' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await call(3, 'hosts.list', {})).toEqual({ ok: true, value: [] });
    ws.close();
  });
});

describe('hostile input', () => {
  /** Sends raw bytes and returns the status line of the answer ('' when the connection just closed). */
  function raw(bytes: string): Promise<string> {
    return new Promise((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => socket.end(bytes));
      let text = '';
      socket.on('data', (d) => (text += d.toString('latin1')));
      socket.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
      socket.on('error', () => resolve(text.split('\r\n')[0] ?? ''));
    });
  }

  async function signIn(): Promise<string> {
    const res = await get(server.newLaunchUrl());
    return (res.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  }

  async function stillServing(cookie: string): Promise<void> {
    expect((await get(`${server.origin}/`, { Cookie: cookie })).status).toBe(200);
    const ws = await openWs({ Origin: server.origin, Cookie: cookie });
    ws.close();
  }

  it('answers a request target that is no URL, and a path with a NUL byte, with 400', async () => {
    const cookie = await signIn();
    const host = `Host: 127.0.0.1:${server.port}`;
    expect(await raw(`GET //[ HTTP/1.1\r\n${host}\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 400 Bad Request');
    expect(await raw(`GET /%00 HTTP/1.1\r\n${host}\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 400 Bad Request');
    expect(await raw(`GET /a%00.js HTTP/1.1\r\n${host}\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 400 Bad Request');
    await stillServing(cookie);
  });

  it('refuses CONNECT with 405 (it is no proxy) and keeps serving', async () => {
    const cookie = await signIn();
    expect(await raw(`CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n`)).toBe('HTTP/1.1 405 Method Not Allowed');
    await stillServing(cookie);
  });

  it('answers a path through a file, or a name too long for the file system, as a missing file (not 500)', async () => {
    const cookie = await signIn();
    expect((await get(`${server.origin}/index.html/x.js`, { Cookie: cookie })).status).toBe(404);
    expect((await get(`${server.origin}/${'a'.repeat(300)}.js`, { Cookie: cookie })).status).toBe(404);
    const route = await get(`${server.origin}/index.html/${'a'.repeat(300)}`, { Cookie: cookie });
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>ui</title>');
    await stillServing(cookie);
  });

  it('closes a WebSocket that sends an oversized frame or invalid UTF-8, and keeps serving', async () => {
    const cookie = await signIn();
    for (const send of [(ws: WebSocket) => ws.send('x'.repeat(2 * 1024 * 1024)), (ws: WebSocket) => ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false })]) {
      const ws = await openWs({ Origin: server.origin, Cookie: cookie });
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      ws.on('error', () => {});
      send(ws);
      expect([1007, 1009, 1006]).toContain(await closed);
    }
    await stillServing(cookie);
  });
});
