import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, safeStorage, session, shell } from 'electron';
import { serveOverIpc } from '../api/ipc-transport.js';
import { defaultDataDir } from '../common/paths.js';
import { createConsoleServices } from '../console-services.js';
import { isWithinPageRoot } from './page-root.js';
import { startAutoUpdates } from './updater.js';

// The Console's Electron face: thin glue around the same services the web mode and CLI use.

const here = path.dirname(fileURLToPath(import.meta.url));
const uiIndex = path.resolve(here, '..', 'renderer', 'index.html');
const uiRoot = pathToFileURL(path.dirname(uiIndex)).href;

app.setPath('userData', defaultDataDir('console'));
app.enableSandbox();

/** safeStorage on Linux without a keyring falls back to a hard-coded key: then use the passphrase instead. */
function secretBackend() {
  if (!safeStorage.isEncryptionAvailable()) return { warning: 'The OS keychain is unavailable: secrets are protected by your passphrase.' };
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    return { warning: 'No OS keyring (safeStorage would use basic_text, a built-in key): secrets are protected by your passphrase instead.' };
  }
  return { safeStorage };
}

function hardenSessions() {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 1024,
    minHeight: 700,
    title: 'Fleet Console',
    show: false,
    webPreferences: {
      preload: path.join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      // Middle-click would open links in new windows behind the window-open handler's back.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!isWithinPageRoot(url, uiRoot)) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());
  void win.loadFile(uiIndex);
  return win;
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-redirect', (event, url) => {
    if (!isWithinPageRoot(url, uiRoot)) event.preventDefault();
  });
});

app.whenReady().then(() => {
  hardenSessions();
  const services = createConsoleServices({
    dataDir: app.getPath('userData'),
    ...secretBackend(),
    ...(process.env.FLEET_PASSPHRASE ? { passphrase: process.env.FLEET_PASSPHRASE } : {}),
    version: app.getVersion(),
  });
  const stopIpc = serveOverIpc({
    ipcMain,
    dispatcher: services.dispatcher,
    events: services.events,
    context: { actor: `${os.userInfo().username}@desktop`, role: 'admin' },
    isTrustedFrameUrl: (url) => isWithinPageRoot(url, uiRoot),
    windows: () => BrowserWindow.getAllWindows().map((w) => w.webContents),
  });
  services.startBackgroundWork();
  createWindow();
  startAutoUpdates(services.log);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('will-quit', () => {
    stopIpc();
    void services.close();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
