import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROLES, type Role } from '../shared/contract.js';
import { argValue, closeOnSignals, webModeServiceOptions } from './api/web-mode.js';
import { startWebServer } from './api/web-server.js';
import { createConsoleServices } from './console-services.js';

// Headless web mode of the console: `npm run serve`, and the fallback of `npm start`.

export async function serveConsole(): Promise<void> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const staticDir = process.env.FLEET_UI_DIR ?? path.resolve(here, '..', 'renderer');
  const role = (process.env.FLEET_ROLE ?? 'admin') as Role;
  if (!ROLES.includes(role)) throw new Error(`FLEET_ROLE must be one of ${ROLES.join(', ')}`);
  const services = createConsoleServices(webModeServiceOptions('console'));
  const portArg = argValue('--port') ?? process.env.FLEET_PORT;
  const server = await startWebServer({
    dispatcher: services.dispatcher,
    events: services.events,
    staticDir,
    context: { actor: `${os.userInfo().username}@web`, role },
    log: services.log,
    port: portArg ? Number.parseInt(portArg, 10) : 0,
  });
  services.startBackgroundWork();
  process.stdout.write(`Fleet Console (web mode) — open this URL once; its token is single-use:\n  ${server.launchUrl}\n`);
  process.stdout.write(`Store: ${services.dataDir}\n`);
  closeOnSignals(server, services);
}

serveConsole().catch((error: Error) => {
  process.stderr.write(`fleet: ${error.message}\n`);
  process.exit(1);
});
