// Fleet POS in web mode, in-process, for browser tests: the real POS services on a fresh data
// folder and the real web server serving the built dist/pos-shell, as `npm run pos -- --web` does.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { silentLogger } from '../../electron/common/log.js';
import { createPosServices, type PosServices } from '../../electron/pos/pos-services.js';
import { startPosWebServer } from '../../electron/pos/pos-web-server.js';
import type { SyncOptions } from '../../electron/pos/sync-engine.js';
import type { WebServer } from '../../electron/api/web-server.js';
import type { Browser } from 'playwright-core';
import { startFakeOdoo, type FakeOdoo, type FakeOdooOptions } from '../fixtures/fake-odoo/server.js';
import { launchChromium, type Page } from './browser.js';
import { FAST_KDF } from './console.js';
import { newPosDir, POS_PASSPHRASE } from './pos-terminal.js';

export const POS_UI_DIR = path.resolve('dist/pos-shell');

/** A free loopback port (the POS serves on a fixed one; tests pick theirs once per run). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface PosWeb {
  services: PosServices;
  server: WebServer;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * FLEET_POS_E2E_PORT fixes the port (else a free one); the vault is unlocked with the test
 * passphrase. `staticDir`: serve a copy of the UI (a test that publishes a new version edits it).
 */
export async function startPosWeb(options: { dataDir?: string; port?: number; sync?: SyncOptions; staticDir?: string } = {}): Promise<PosWeb> {
  const dataDir = options.dataDir ?? newPosDir();
  const services = createPosServices({ dataDir, passphrase: POS_PASSPHRASE, kdf: FAST_KDF, log: silentLogger, sync: { backoffBaseMs: 50, backoffMaxMs: 400, ...options.sync } });
  const port = options.port ?? (process.env.FLEET_POS_E2E_PORT ? Number(process.env.FLEET_POS_E2E_PORT) : await freePort());
  const server = await startPosWebServer(services, { staticDir: options.staticDir ?? POS_UI_DIR, port, actor: 'e2e@pos', role: 'admin' });
  services.startBackgroundWork();
  return {
    services,
    server,
    dataDir,
    async close() {
      await server.close();
      await services.close();
    },
  };
}

/**
 * A 1024×768 page signed in to the POS's selling page with the cashier started (a config without
 * pos_hr), its page errors collected in `pageErrors`.
 */
export async function openSellingPage(browser: Browser, pos: PosWeb, pageErrors: string[], options: { acceptDownloads?: boolean } = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1024, height: 768 }, ...options });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(pos.server.launchUrl);
  await page.getByTestId('cashier-start').click();
  await page.getByTestId('product-grid').waitFor();
  return page;
}

/** A fresh terminal's page paired with the fake Odoo from its pairing form (the admin and an API key). */
export async function pairFromPage(page: Page, odoo: FakeOdoo): Promise<void> {
  await page.getByTestId('pair-url').fill(odoo.url);
  await page.getByTestId('pair-db').fill(odoo.db);
  await page.getByTestId('pair-login').fill(odoo.admin.login);
  await page.getByTestId('pair-secret').fill(odoo.admin.apiKey);
  await page.getByTestId('pair-submit').click();
}

/** The page's uncaught errors and console errors from now on (a test ends expecting none). */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

/** A network receipt printer on loopback: what the terminal sends it, as it arrives. */
export interface FakePrinter {
  port: number;
  printed: Buffer[];
  /** Everything received, as the printer's text (latin1). */
  text(): string;
  close(): void;
}

export async function startFakePrinter(): Promise<FakePrinter> {
  const printed: Buffer[] = [];
  const server = net.createServer((socket) => socket.on('data', (chunk) => printed.push(chunk)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, printed, text: () => Buffer.concat(printed).toString('latin1'), close: () => server.close() };
}

/** A fake Odoo, the terminal's web mode and a Chromium page: one browser test file's setup. */
export interface PosInChromium {
  odoo: FakeOdoo;
  pos: PosWeb;
  browser: Browser;
  page: Page;
  /** Errors the page threw (a test ends expecting none). */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function startPosInChromium(odooOptions: FakeOdooOptions): Promise<PosInChromium> {
  if (!fs.existsSync(path.join(POS_UI_DIR, 'sw.js'))) throw new Error('dist/pos-shell is missing: run `node scripts/build.mjs`');
  const odoo = await startFakeOdoo(odooOptions);
  const pos = await startPosWeb();
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors = collectPageErrors(page);
  return {
    odoo,
    pos,
    browser,
    page,
    pageErrors,
    async close() {
      await browser.close();
      await pos.close();
      await odoo.close();
    },
  };
}
