import path from 'node:path';
import type { Role } from '../../shared/contract.js';
import { ownerOnlyKey } from '../secrets/key-file.js';
import { startWebServer, type WebServer } from '../api/web-server.js';
import type { PosServices } from './pos-services.js';

// The POS's web server, the same for its Electron window and its web mode: the selling UI, its
// service worker (scoped to the whole app), the contract, and the cached pictures.

export function startPosWebServer(services: PosServices, options: { staticDir: string; port: number; actor: string; role: Role }): Promise<WebServer> {
  return startWebServer({
    dispatcher: services.dispatcher,
    events: services.events,
    staticDir: options.staticDir,
    context: { actor: options.actor, role: options.role },
    log: services.log,
    port: options.port,
    extraHeaders: (urlPath): Record<string, string> => (urlPath === '/sw.js' ? { 'Service-Worker-Allowed': '/', 'Cache-Control': 'no-cache' } : {}),
    respond: (urlPath, searchParams) => services.images.respond(urlPath, searchParams),
    sessionKey: sessionKey(services.dataDir),
  });
}

/**
 * The key signing the selling page's session cookie, in the terminal's data folder (owner only):
 * after a restart of the terminal or of the shop's computer the page is still signed in. Deleting
 * the file signs every page out.
 */
export function sessionKey(dataDir: string): Buffer {
  return ownerOnlyKey(path.join(dataDir, 'web-session.key'), { replaceShort: true });
}
