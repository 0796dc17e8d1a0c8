import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
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
    sessionKey: sessionKey(services.dataDir),
  });
}

/**
 * The key signing the selling page's session cookie, in the terminal's data folder (owner only):
 * after a restart of the terminal or of the shop's computer the page is still signed in. Deleting
 * the file signs every page out.
 */
export function sessionKey(dataDir: string): Buffer {
  const file = path.join(dataDir, 'web-session.key');
  const existing = readKey(file);
  if (existing) return existing;
  // Written whole under another name, then linked in place: a key is never read half-written, and
  // of two terminals starting at once the second uses the first one's key.
  fs.mkdirSync(dataDir, { recursive: true });
  const draft = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(draft, crypto.randomBytes(32), { mode: 0o600, flag: 'wx' });
  try {
    // An unusable file (too short) is replaced; otherwise the first key written wins.
    if (fs.existsSync(file)) fs.renameSync(draft, file);
    else fs.linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    fs.rmSync(draft, { force: true });
  }
  const key = readKey(file);
  if (!key) throw new Error(`${file} is not a usable session key: remove it and start again.`);
  return key;
}

/** The key, if the file holds one; a file of another user's is refused, one others may read is made owner-only. */
function readKey(file: string): Buffer | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (process.getuid && stat.uid !== process.getuid()) throw new Error(`${file} belongs to another user: remove it and start again.`);
    if (stat.mode & 0o077) fs.fchmodSync(fd, 0o600);
    const key = fs.readFileSync(fd);
    return key.length >= 32 ? key : null;
  } finally {
    fs.closeSync(fd);
  }
}
