import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, safeStorage, session } from 'electron';
import { defaultDataDir } from '../common/paths.js';
import { createPosServices } from '../pos/pos-services.js';
import { posPageRole } from '../pos/page-role.js';
import { startPosWebServer } from '../pos/pos-web-server.js';
import { isWithinPageRoot } from './page-root.js';
import { startAutoUpdates } from './updater.js';

// Fleet POS's Electron face: thin glue. The selling UI is a PWA served by the terminal's own web
// server on its fixed loopback port (the same origin every start, so the service worker and its
// caches stay), loaded in a window that may go nowhere else.

const here = path.dirname(fileURLToPath(import.meta.url));
const uiDir = path.resolve(here, '..', 'pos-shell');
const PORT = Number.parseInt(process.env.FLEET_POS_PORT ?? '8417', 10);
const origin = `http://127.0.0.1:${PORT}`;

app.setPath('userData', defaultDataDir('pos'));
app.enableSandbox();

function secretBackend() {
  if (!safeStorage.isEncryptionAvailable()) return {};
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return {};
  return { safeStorage };
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (!isWithinPageRoot(url, origin)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isWithinPageRoot(url, origin)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

app.whenReady().then(async () => {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  const services = createPosServices({
    dataDir: app.getPath('userData'),
    ...secretBackend(),
    ...(process.env.FLEET_PASSPHRASE ? { passphrase: process.env.FLEET_PASSPHRASE } : {}),
    version: app.getVersion(),
  });
  const server = await startPosWebServer(services, { staticDir: uiDir, port: PORT, actor: `${os.userInfo().username}@pos`, role: posPageRole() });
  services.startBackgroundWork();
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 700,
    title: 'Fleet POS',
    show: false,
    webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, allowRunningInsecureContent: false, spellcheck: false, disableBlinkFeatures: 'Auxclick' },
  });
  win.once('ready-to-show', () => win.show());
  // The one-time URL becomes the session cookie, as in a browser.
  void win.loadURL(server.launchUrl);
  startAutoUpdates(services.log);
  app.on('will-quit', () => {
    void server.close();
    void services.close();
  });
});

app.on('window-all-closed', () => app.quit());
