import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../shared/bridge.js';
import { serveOverIpc, type IpcMainLike, type WebContentsLike } from '../../electron/api/ipc-transport.js';
import type { ConsoleServices } from '../../electron/console-services.js';
import { closeBareConsole, openBareConsole } from '../support/console.js';

// Electron's ipcMain is an EventEmitter-like registry; this stand-in keeps the handler so the
// test can call it the way Electron would, with the sender frame's URL.
class FakeIpcMain implements IpcMainLike {
  handlers = new Map<string, Parameters<IpcMainLike['handle']>[1]>();
  handle(channel: string, listener: Parameters<IpcMainLike['handle']>[1]) {
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
  invoke(frameUrl: string, ...args: unknown[]) {
    return this.handlers.get(IPC_INVOKE_CHANNEL)!({ senderFrame: { url: frameUrl }, sender: { id: 1 } }, ...args);
  }
}

let dir: string;
let services: ConsoleServices;
beforeEach(() => {
  ({ dir, services } = openBareConsole('fleet-ipc-'));
});
afterEach(() => closeBareConsole({ dir, services }));

describe('IPC transport', () => {
  it('answers calls from the UI frame with {ok,value|error} and refuses other frames', async () => {
    const ipcMain = new FakeIpcMain();
    const sent: unknown[][] = [];
    const window: WebContentsLike = { id: 1, isDestroyed: () => false, send: (...args) => sent.push(args) };
    const stop = serveOverIpc({
      ipcMain,
      dispatcher: services.dispatcher,
      events: services.events,
      context: { actor: 'desk', role: 'admin' },
      isTrustedFrameUrl: (url) => url.startsWith('file:///app/renderer/'),
      windows: () => [window],
    });
    expect(await ipcMain.invoke('file:///app/renderer/index.html', 'vault.status', {})).toEqual({ ok: true, value: { state: 'uninitialised', backend: 'passphrase' } });
    expect(await ipcMain.invoke('file:///app/renderer/index.html', 'hosts.get', { id: 42 })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await ipcMain.invoke('https://evil.example/', 'hosts.list', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ipcMain.invoke('file:///app/renderer/index.html', { not: 'a name' }, {})).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });

    services.events.emit('hosts.changed', { hostId: 'h', change: 'added' });
    expect(sent).toEqual([[IPC_EVENT_CHANNEL, 'hosts.changed', { hostId: 'h', change: 'added' }]]);
    stop();
    expect(ipcMain.handlers.size).toBe(0);
  });
});
