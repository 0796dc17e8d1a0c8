import type { Role } from '../../shared/contract.js';
import { startWebServer, type WebServer } from '../web-server.js';
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
  });
}
