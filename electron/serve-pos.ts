import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { argValue, closeOnSignals, webModeServiceOptions } from './api/web-mode.js';
import { posPageRole } from './pos/page-role.js';
import { createPosServices } from './pos/pos-services.js';
import { startPosWebServer } from './pos/pos-web-server.js';

// Web mode of Fleet POS: `npm run pos -- --web`, and the fallback of `npm run pos`. It listens on
// a fixed loopback port, so the selling UI's origin — and with it its service worker and caches —
// stays the same across restarts.

export const DEFAULT_POS_PORT = 8417;

async function servePos(): Promise<void> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const staticDir = process.env.FLEET_POS_UI_DIR ?? path.resolve(here, '..', 'pos-shell');
  const role = posPageRole();
  const services = createPosServices(webModeServiceOptions('pos'));
  const port = Number.parseInt(argValue('--port') ?? process.env.FLEET_POS_PORT ?? String(DEFAULT_POS_PORT), 10);
  const server = await startPosWebServer(services, { staticDir, port, actor: `${os.userInfo().username}@pos`, role });
  services.startBackgroundWork();
  process.stdout.write(`Fleet POS (web mode) on port ${server.port} — open this URL once; its token is single-use:\n  ${server.launchUrl}\n`);
  process.stdout.write(`Store: ${services.dataDir}\nPage role: ${role}${role === 'cashier' ? ' (selling only; start with --role admin to set the printer or move orders by file)' : ''}\n`);
  const vault = services.vault.status();
  process.stdout.write(`Secrets: ${vault.state} (${vault.backend})${vault.warning ? ` — ${vault.warning}` : ''}\n`);
  closeOnSignals(server, services);
}

servePos().catch((error: Error) => {
  process.stderr.write(`fleet-pos: ${error.message}\n`);
  process.exit(1);
});
