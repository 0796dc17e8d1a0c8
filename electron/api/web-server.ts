import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { CSP_HEADER } from '../../shared/csp.js';
import { WS_PATH } from '../../shared/ws-protocol.js';
import type { Logger } from '../common/log.js';
import type { CallContext, Dispatcher } from './dispatcher.js';
import type { EventBus } from './events.js';
import { WsTransport } from './ws-transport.js';

export interface WebServerOptions {
  dispatcher: Dispatcher;
  events: EventBus;
  staticDir: string;
  context: Omit<CallContext, 'transport'>;
  log: Logger;
  /** 0 picks a free port (the console); the POS uses a fixed one so its service worker keeps its origin. */
  port?: number;
  /** Extra response headers per path, e.g. the service worker's scope. */
  extraHeaders?: (urlPath: string) => Record<string, string>;
  /**
   * Signs the session cookies with this key, and keeps them for 400 days: a page signed in stays
   * signed in across restarts of the server and of the browser (a shop terminal after a reboot).
   * Without it, sessions live as long as the process.
   */
  sessionKey?: Buffer;
  /** Answers made by the program (e.g. the POS's cached pictures) before static files; null passes. */
  respond?: (urlPath: string, searchParams: URLSearchParams) => { status: number; headers: Record<string, string>; body?: Buffer } | null;
}

export interface WebServer {
  origin: string;
  /** Open this once: its token is exchanged for the session cookie and then void. */
  launchUrl: string;
  port: number;
  /** Mints a new one-time launch URL (e.g. for a second browser). */
  newLaunchUrl(): string;
  close(): Promise<void>;
}

/** Browsers share cookies across a host's ports: each server's cookie is named for its port. */
const cookieName = (port: number) => `fleet_session_${port}`;
/** How long a signed session lasts (Chrome keeps a cookie at most 400 days). */
const SIGNED_SESSION_SECONDS = 400 * 24 * 3600;


const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

/**
 * Headless web mode: the UI and the contract on 127.0.0.1 only. A one-time token in the printed
 * URL becomes an HttpOnly, SameSite=Strict cookie on first use; every other request without
 * that cookie, from another Host (DNS rebinding) or another Origin (cross-site WebSocket), is refused.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const pendingTokens = new Set<string>();
  const sessions = new Set<string>();
  const transport = new WsTransport(options.dispatcher, options.events, () => ({ ...options.context, transport: 'ws' }));
  const staticRoot = path.resolve(options.staticDir);
  let origin = '';
  let port = 0;

  const mintToken = () => {
    const token = crypto.randomBytes(32).toString('base64url');
    pendingTokens.add(token);
    return `${origin}/?token=${token}`;
  };

  const hostAllowed = (request: http.IncomingMessage) => request.headers.host === `127.0.0.1:${port}` || request.headers.host === `localhost:${port}`;
  // Signed sessions: "<id>.<issued at, s>.<HMAC of port|issued|id>", checked without any state, so
  // they outlive the process; too old, another port's or unsigned ones are refused.
  const signature = (id: string, issued: string) => crypto.createHmac('sha256', options.sessionKey!).update(`${port}|${issued}|${id}`).digest('base64url');
  const newSession = () => {
    const id = crypto.randomBytes(32).toString('base64url');
    if (!options.sessionKey) return id;
    const issued = String(Math.floor(Date.now() / 1000));
    return `${id}.${issued}.${signature(id, issued)}`;
  };
  const sessionOf = (request: http.IncomingMessage) => {
    const match = new RegExp(`(?:^|;\\s*)${cookieName(port)}=([A-Za-z0-9_.-]+)`).exec(request.headers.cookie ?? '');
    const value = match?.[1];
    if (!value) return null;
    if (sessions.has(value)) return value;
    if (!options.sessionKey) return null;
    const [id, issued, mac] = value.split('.');
    if (!id || !issued || !mac || !/^\d{1,12}$/.test(issued)) return null;
    const age = Date.now() / 1000 - Number(issued);
    if (age < -300 || age > SIGNED_SESSION_SECONDS) return null;
    const expected = Buffer.from(signature(id, issued));
    const given = Buffer.from(mac);
    return given.length === expected.length && crypto.timingSafeEqual(given, expected) ? value : null;
  };
  const cookieLifetime = options.sessionKey ? `; Max-Age=${SIGNED_SESSION_SECONDS}` : '';

  const base = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Content-Security-Policy': CSP_HEADER, 'Cross-Origin-Opener-Policy': 'same-origin' };
  // Any bytes a client sends end in an answer, never in an exception that stops the server.
  const handle = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const url = requestUrl(request);
    if (!url) {
      response.writeHead(400, { ...base, 'Content-Type': 'text/plain' }).end('Bad request target.');
      return;
    }
    if (!hostAllowed(request)) {
      response.writeHead(421, { ...base, 'Content-Type': 'text/plain' }).end('Wrong host.');
      return;
    }
    const token = url.searchParams.get('token');
    if (token !== null) {
      if (!pendingTokens.delete(token)) {
        response.writeHead(401, { ...base, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end('This link has already been used or is not valid. Start the console again for a new one.');
        return;
      }
      const session = newSession();
      sessions.add(session);
      response
        .writeHead(303, { ...base, Location: '/', 'Set-Cookie': `${cookieName(port)}=${session}; HttpOnly; SameSite=Strict; Path=/${cookieLifetime}`, 'Cache-Control': 'no-store' })
        .end();
      return;
    }
    if (!sessionOf(request)) {
      response.writeHead(401, { ...base, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end('Not signed in: open the URL the console printed (it holds a one-time token).');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, base).end();
      return;
    }
    const answer = options.respond?.(url.pathname, url.searchParams);
    if (answer) {
      response.writeHead(answer.status, { ...base, ...answer.headers });
      response.end(request.method === 'HEAD' ? undefined : answer.body);
      return;
    }
    serveStatic(staticRoot, url.pathname, request, response, { ...base, ...(options.extraHeaders?.(url.pathname) ?? {}) });
  };
  const server = http.createServer({ maxHeaderSize: 16 * 1024, headersTimeout: 15_000, requestTimeout: 30_000 }, (request, response) => {
    try {
      handle(request, response);
    } catch (error) {
      options.log.warn('web request failed', { error: (error as Error).message });
      if (!response.headersSent) response.writeHead(500, base);
      response.end();
    }
  });

  // Neither server is a proxy: CONNECT gets a plain refusal rather than a silently dropped socket.
  server.on('connect', (_request, socket) => {
    socket.on('error', () => socket.destroy());
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  server.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = requestUrl(request);
    const sameOrigin = request.headers.origin === origin || request.headers.origin === `http://localhost:${port}`;
    if (!url || url.pathname !== WS_PATH || !hostAllowed(request) || !sameOrigin || !sessionOf(request)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    transport.handleUpgrade(request, socket, head);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  origin = `http://127.0.0.1:${port}`;
  const launchUrl = mintToken();
  options.log.info(options.dispatcher.program === 'pos' ? 'POS web server listening' : 'web console listening', { origin });

  return {
    origin,
    port,
    launchUrl,
    newLaunchUrl: mintToken,
    close: () =>
      new Promise<void>((resolve) => {
        transport.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The request's target as a URL, or null when it is not one (`//[`, say). */
function requestUrl(request: http.IncomingMessage): URL | null {
  try {
    return new URL(request.url ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

/**
 * The file's stat, or undefined when there is none: a path through a file (`/index.html/x`) or a
 * name too long for the file system is no file either, not a failure of the server.
 */
function statIfAny(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file, { throwIfNoEntry: false });
  } catch (error) {
    if (['ENOTDIR', 'ENAMETOOLONG'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}

function serveStatic(root: string, urlPath: string, request: http.IncomingMessage, response: http.ServerResponse, headers: Record<string, string>) {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    response.writeHead(400, headers).end();
    return;
  }
  // A NUL byte is no file name (and makes the file system calls throw).
  if (decoded.includes('\0')) {
    response.writeHead(400, headers).end();
    return;
  }
  let file = path.resolve(root, `.${path.posix.normalize(decoded)}`);
  if (file !== root && !file.startsWith(root + path.sep)) {
    response.writeHead(404, headers).end();
    return;
  }
  let stat = statIfAny(file);
  if (!stat || stat.isDirectory()) {
    // The UI routes in the page: unknown paths get the shell (but missing assets stay 404).
    if (path.extname(decoded) && decoded !== '/') {
      response.writeHead(404, headers).end();
      return;
    }
    file = path.join(root, 'index.html');
    stat = statIfAny(file);
    if (!stat) {
      response.writeHead(500, { ...headers, 'Content-Type': 'text/plain' }).end('The UI is not built: run npm run build.');
      return;
    }
  }
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  const cache = file.endsWith('index.html') || file.endsWith('sw.js') ? 'no-cache' : file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
  response.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': String(stat.size), 'Cache-Control': cache });
  if (request.method === 'HEAD') response.end();
  else fs.createReadStream(file).on('error', () => response.destroy()).pipe(response);
}
