// A web console (real services, real web server) on a random loopback port, for browser tests.
import path from 'node:path';
import { silentLogger } from '../../electron/common/log.js';
import { startWebServer, type WebServer } from '../../electron/api/web-server.js';
import type { TestbedDescriptor } from './testbed.js';
import { launchChromium } from './browser.js';
import { addTestbedHostWithDb, createTestConsole, removeTenant, type TestConsole } from './console.js';

export const UI_DIR = path.resolve('dist/renderer');

export async function startWebConsole(options: { passphrase?: string } = {}): Promise<{ console: TestConsole; server: WebServer; close(): Promise<void> }> {
  const console = createTestConsole(options.passphrase === undefined ? {} : { passphrase: options.passphrase });
  const server = await startWebServer({
    dispatcher: console.services.dispatcher,
    events: console.services.events,
    staticDir: UI_DIR,
    context: { actor: 'e2e@web', role: 'admin' },
    log: silentLogger,
  });
  return {
    console,
    server,
    async close() {
      await server.close();
      await console.close();
    },
  };
}

/**
 * A web console on the testbed's alpha host (with its database server), a tenant `tenant`
 * created there when named, and Chromium signed in at `viewport`: the set-up of the console's
 * browser tests. `close` removes the tenants named.
 */
export async function consoleInBrowser(testbed: TestbedDescriptor, options: { tenant?: string; viewport: { width: number; height: number } }) {
  const web = await startWebConsole();
  const hostId = await addTestbedHostWithDb(web.console, testbed);
  if (options.tenant) {
    const [image, tag] = testbed.images.odoo.split(':') as [string, string];
    const { jobId } = await web.console.call('tenants.create', { name: options.tenant, hostId, domain: 'shops.test', image, tag });
    const job = await web.console.services.jobs.wait(jobId);
    if (job.error) throw new Error(`creating ${options.tenant} failed: ${job.error.message}`);
  }
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: options.viewport });
  await page.goto(web.server.launchUrl);
  return {
    web,
    hostId,
    browser,
    page,
    async close(tenants: readonly string[]) {
      await browser.close();
      for (const name of tenants) await removeTenant(web.console.services, hostId, name).catch(() => {});
      await web.close();
    },
  };
}
