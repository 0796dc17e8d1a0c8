import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionKey, startPosWebServer } from '../../electron/pos/pos-web-server.js';
import type { WebServer } from '../../electron/api/web-server.js';
import { newPosDir, openPos } from '../support/pos-terminal.js';
import { freePort } from '../support/pos-web.js';

// The selling page stays signed in across restarts of the terminal (and of the shop's computer):
// its session cookie is signed with a key kept in the terminal's data folder.

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function terminalAt(dir: string) {
  const pos = openPos(dir);
  cleanups.push(() => pos.close());
  return pos;
}

async function serve(dir: string, port: number): Promise<WebServer> {
  const pos = terminalAt(dir);
  const server = await startPosWebServer(pos, { staticDir: newPosDir(), port, actor: 'test@pos', role: 'admin' });
  cleanups.push(() => server.close());
  return server;
}

async function signIn(server: WebServer): Promise<{ cookie: string; header: string }> {
  const launch = await fetch(server.launchUrl, { redirect: 'manual' });
  const header = launch.headers.get('set-cookie') ?? '';
  return { cookie: /fleet_session_\d+=[^;]+/.exec(header)![0], header };
}

// A picture path: 404 to a signed-in page, 401 to anyone else. A new connection each time, as after a restart.
const status = (server: WebServer, cookie: string) =>
  new Promise<number>((resolve, reject) => {
    const request = http.get(`${server.origin}/pos-images/product/1`, { headers: { cookie }, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
  });

describe('POS web sessions', () => {
  it('survive a restart of the terminal, last beyond the browser session, and cannot be forged', async () => {
    const dir = newPosDir();
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const port = await freePort();
    const first = await serve(dir, port);
    const { cookie, header } = await signIn(first);
    expect(header).toMatch(/^fleet_session_\d+=[\w-]+\.\d+\.[\w-]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=34560000$/);
    expect(await status(first, cookie)).toBe(404);
    expect(fs.statSync(path.join(dir, 'web-session.key')).mode & 0o777).toBe(0o600);
    await first.close();

    const again = await serve(dir, port);
    expect(await status(again, cookie)).toBe(404);
    const [name, value] = cookie.split('=') as [string, string];
    const [id, issued] = value.split('.');
    expect(name).toBe(`fleet_session_${port}`);
    expect(await status(again, `${name}=${id}.${issued}.${'A'.repeat(43)}`)).toBe(401);
    expect(await status(again, `${name}=${id}`)).toBe(401);
    // Signed for a time too long ago (or with another issue time): refused.
    expect(await status(again, `${name}=${id}.${Number(issued) - 401 * 24 * 3600}.${value.split('.')[2]}`)).toBe(401);

    // A key file others could read is made owner-only again (same key); a short one is replaced.
    const keyFile = path.join(dir, 'web-session.key');
    const key = fs.readFileSync(keyFile);
    fs.chmodSync(keyFile, 0o644);
    expect(sessionKey(dir).equals(key)).toBe(true);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    fs.writeFileSync(keyFile, 'short');
    const replaced = sessionKey(dir);
    expect(replaced.length).toBe(32);
    expect(fs.readFileSync(keyFile).equals(replaced)).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('web-session.key.'))).toEqual([]);

    // Another terminal's key does not sign this one's pages in.
    const otherDir = newPosDir();
    cleanups.push(() => fs.rmSync(otherDir, { recursive: true, force: true }));
    const other = await serve(otherDir, await freePort());
    expect(await status(other, cookie)).toBe(401);
  });
});
