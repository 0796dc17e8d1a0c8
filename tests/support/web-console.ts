// A web console (real services, real web server) on a random loopback port, for browser tests.
import path from 'node:path';
import { silentLogger } from '../../electron/common/log.js';
import { startWebServer, type WebServer } from '../../electron/web-server.js';
import { createTestConsole, type TestConsole } from './console.js';

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
