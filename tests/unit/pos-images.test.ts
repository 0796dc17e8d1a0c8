import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startPosWebServer } from '../../electron/pos/pos-web-server.js';
import type { PosServices } from '../../electron/pos/pos-services.js';
import type { WebServer } from '../../electron/api/web-server.js';
import { productPicture, solidPng } from '../fixtures/fake-odoo/catalog.js';
import { startFakeOdoo, type FakeOdoo } from '../fixtures/fake-odoo/server.js';
import { freePort } from '../support/pos-web.js';
import { newPosDir, pairedTerminal } from '../support/pos-terminal.js';

// Product and category pictures: fetched from Odoo after a refresh, kept in the terminal's store,
// served same-origin under a URL naming their version, shown offline.

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(version: '17.0' | '18.0' = '17.0'): Promise<{ odoo: FakeOdoo; pos: PosServices; dir: string }> {
  const odoo = await startFakeOdoo({ version, data: { products: 12, categories: 4, nestedCategories: true } });
  const dir = newPosDir();
  const pos = await pairedTerminal(odoo, dir);
  cleanups.push(() => odoo.close(), () => pos.close(), () => fs.rmSync(dir, { recursive: true, force: true }));
  return { odoo, pos, dir };
}

async function call<T>(pos: PosServices, op: string, input: unknown = {}): Promise<T> {
  const result = await pos.dispatcher.invoke(op as never, input as never, { actor: 'test@pos', role: 'admin', transport: 'cli' });
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

/** A browser's view of the POS web server: signed in with the one-time URL's cookie. */
async function signedIn(pos: PosServices): Promise<{ server: WebServer; get: (path: string, cookie?: boolean) => Promise<Response> }> {
  const server = await startPosWebServer(pos, { staticDir: newPosDir(), port: await freePort(), actor: 'test@pos', role: 'admin' });
  cleanups.push(() => server.close());
  const launch = await fetch(server.launchUrl, { redirect: 'manual' });
  const cookie = /fleet_session_\d+=[^;]+/.exec(launch.headers.get('set-cookie') ?? '')![0];
  return { server, get: (path, withCookie = true) => fetch(`${server.origin}${path}`, { headers: withCookie ? { cookie } : {} }) };
}

const productsWithPictures = (count: number) => Array.from({ length: count }, (_, i) => i + 1).filter((id) => productPicture(id) !== false);

describe('POS pictures', () => {
  it('fetches the pictures Odoo has, once, and serves them same-origin with the version in the URL', async () => {
    const { odoo, pos } = await setUp();
    const expected = productsWithPictures(12);
    expect(expected.length).toBeGreaterThan(1);
    // Odoo 17 loads image_128 as a boolean: nothing of the pictures is in the cache yet.
    expect(pos.images.counts()).toEqual({ stored: 0, missing: expected.length + 1 });

    // The selling page is told when there is something new to show, and only then.
    const told: unknown[] = [];
    pos.events.on('pos.images', (counts) => told.push(counts));
    const first = await call<{ fetched: number; without: number }>(pos, 'pos.fetchImages');
    expect(first).toEqual({ fetched: expected.length + 1, without: 0 });
    expect(told).toEqual([{ stored: expected.length + 1, missing: 0 }]);
    const reads = odoo.requests();
    expect(await call(pos, 'pos.fetchImages')).toEqual({ fetched: 0, without: 0 });
    expect(odoo.requests()).toEqual(reads); // nothing asked again
    expect(told).toHaveLength(1);
    expect((await call<{ images: unknown }>(pos, 'pos.status', { pictures: true })).images).toEqual({ stored: expected.length + 1, missing: 0 });
    expect((await call<{ images?: unknown }>(pos, 'pos.status')).images).toBeUndefined();

    const products = await call<Array<{ id: number; image_url?: string }>>(pos, 'pos.products', { offset: 0, limit: 50 });
    expect(products.filter((p) => p.image_url).map((p) => p.id)).toEqual(expected);
    const categories = (await call<{ models: Record<string, Array<{ id: number; image_url?: string }>> }>(pos, 'pos.catalog')).models['pos.category']!;
    expect(categories.filter((c) => c.image_url).map((c) => c.id)).toEqual([1]);

    const { get } = await signedIn(pos);
    const withPicture = products.find((p) => p.id === expected[1])!;
    const response = await get(withPicture.image_url!);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('cache-control')).toContain('immutable');
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(productPicture(expected[1]!) as string, 'base64'))).toBe(true);
    const category = await get(categories[0]!.image_url!);
    expect(Buffer.from(await category.arrayBuffer()).equals(Buffer.from(solidPng(200, 120, 40), 'base64'))).toBe(true);

    // Not signed in, another version, no picture, not a picture path.
    expect((await get(withPicture.image_url!, false)).status).toBe(401);
    expect((await get(`/pos-images/product/${expected[1]}?v=0000`)).headers.get('cache-control')).toBe('no-cache');
    expect((await get('/pos-images/product/2')).status).toBe(404);
    expect((await get('/pos-images/partner/1')).status).toBe(404);
  });

  it('fetches a changed picture again after a refresh, and forgets a removed one', async () => {
    const { odoo, pos } = await setUp();
    await call(pos, 'pos.fetchImages');
    const [changed, removed] = productsWithPictures(12);
    const before = (await call<Array<{ image_url: string }>>(pos, 'pos.products', { ids: [changed], offset: 0, limit: 1 }))[0]!.image_url;
    const newPicture = solidPng(1, 2, 3);
    odoo.setPicture('product.product', changed!, newPicture, '2026-02-01 10:00:00');
    odoo.setPicture('product.product', removed!, false, '2026-02-01 10:00:00');
    await pos.terminal.refresh();
    expect(pos.images.missing().map((r) => r.id)).toEqual([changed]);
    // Until the new one comes, the old picture still shows (offline after a refresh).
    expect((await call<Array<{ image_url?: string }>>(pos, 'pos.products', { ids: [changed], offset: 0, limit: 1 }))[0]!.image_url).toBe(before);
    expect((await call<Array<{ image_url?: string }>>(pos, 'pos.products', { ids: [removed], offset: 0, limit: 1 }))[0]!.image_url).toBeUndefined();

    expect(await call(pos, 'pos.fetchImages')).toEqual({ fetched: 1, without: 0 });
    const after = (await call<Array<{ image_url: string }>>(pos, 'pos.products', { ids: [changed], offset: 0, limit: 1 }))[0]!.image_url;
    expect(after).not.toBe(before);
    const { get } = await signedIn(pos);
    expect(Buffer.from(await (await get(after)).arrayBuffer()).equals(Buffer.from(newPicture, 'base64'))).toBe(true);
  });

  it('fails clearly while Odoo is unreachable, stores unusable pictures as none, and survives a refused batch', async () => {
    const { odoo, pos } = await setUp();
    const [notAPicture] = productsWithPictures(12);
    odoo.setPicture('product.product', notAPicture!, Buffer.from('<html>not a picture</html>').toString('base64'), '2026-02-01 10:00:00');
    await pos.terminal.refresh();

    await odoo.down();
    await expect(call(pos, 'pos.fetchImages')).rejects.toThrow(/pictures/i);
    expect(pos.images.counts().stored).toBe(0);
    await odoo.up();

    // A refused read of the batch (e.g. a record deleted since the refresh) is retried record by record.
    odoo.failNext('product.product.read', { name: 'odoo.exceptions.MissingError', message: 'Record does not exist or has been deleted.' });
    const result = await call<{ fetched: number; without: number }>(pos, 'pos.fetchImages');
    expect(result).toEqual({ fetched: productsWithPictures(12).length, without: 1 });
    expect(pos.images.missing()).toEqual([]);
    const shown = await call<Array<{ id: number; image_url?: string }>>(pos, 'pos.products', { ids: [notAPicture], offset: 0, limit: 1 });
    expect(shown[0]!.image_url).toBeUndefined();
  });

  it('with Odoo 18, which loads the pictures themselves, keeps them out of the cached records', async () => {
    const { pos } = await setUp('18.0');
    const [withPicture] = productsWithPictures(12);
    const cached = pos.terminal.cached<{ id: number; image_128: unknown }>('product.product').find((p) => p.id === withPicture)!;
    expect(cached.image_128).toBe(true);
    expect(await call(pos, 'pos.fetchImages')).toEqual({ fetched: productsWithPictures(12).length + 1, without: 0 });
  });
});
