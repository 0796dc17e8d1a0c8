import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROLES, type Role } from '../shared/contract.js';
import { defaultDataDir } from './common/paths.js';
import { createConsoleServices } from './console-services.js';
import { startWebServer } from './api/web-server.js';

// Headless web mode of the console: `npm run serve`, and the fallback of `npm start`.

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

export async function serveConsole(): Promise<void> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const staticDir = process.env.FLEET_UI_DIR ?? path.resolve(here, '..', 'renderer');
  const role = (process.env.FLEET_ROLE ?? 'admin') as Role;
  if (!ROLES.includes(role)) throw new Error(`FLEET_ROLE must be one of ${ROLES.join(', ')}`);
  const services = createConsoleServices({
    dataDir: defaultDataDir('console'),
    ...(process.env.FLEET_PASSPHRASE ? { passphrase: process.env.FLEET_PASSPHRASE } : {}),
    version: process.env.npm_package_version ?? '0.1.0',
  });
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
  const stop = async () => {
    await server.close();
    await services.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

serveConsole().catch((error: Error) => {
  process.stderr.write(`fleet: ${error.message}\n`);
  process.exit(1);
});
