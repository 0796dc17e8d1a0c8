import { createApi, type Api, type Transport } from './api.js';
import { BRIDGE_KEY, type FleetBridge } from './bridge.js';
import type { WS_PATH } from './ws-protocol.js';
import { createWsTransport, type WsLike } from './ws-client.js';

// The UIs' client of the contract (the console's and the POS's): a desktop shell's preload bridge
// when there is one, otherwise the WebSocket on the page's own origin. The page hands in what
// only a browser has (its globals, its location, its WebSocket), so this stays runtime-free.
// Only type imports from contract.ts / ws-protocol.ts: their values pull zod into the bundle.
// `typeof WS_PATH` keeps this literal in step with the protocol module at compile time.
const API_PATH: typeof WS_PATH = '/api';

export type LinkState = 'connecting' | 'connected' | 'disconnected';

/** A tiny external store for the transport's link state (useSyncExternalStore-friendly). */
export interface LinkStore {
  get(): LinkState;
  subscribe(listener: () => void): () => void;
}

export interface Client {
  api: Api;
  link: LinkStore;
  kind: 'electron' | 'web';
}

export interface Page {
  /** The page's global object, where a preload bridge would be. */
  globals: Record<string, unknown>;
  location: { protocol: string; host: string };
  openSocket(url: string): WsLike;
}

function createLinkStore(initial: LinkState) {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    set(next: LinkState) {
      if (next === state) return;
      state = next;
      for (const listener of listeners) listener();
    },
  };
}

function findBridge(page: Page): FleetBridge | undefined {
  const candidate = page.globals[BRIDGE_KEY] as FleetBridge | undefined;
  return candidate && typeof candidate.invoke === 'function' && typeof candidate.subscribe === 'function' ? candidate : undefined;
}

export function apiUrl(location: Page['location']): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${API_PATH}`;
}

/** Electron preload bridge when present, otherwise the WebSocket on this page's own origin. */
export function createUiClient(page: Page): Client {
  const bridge = findBridge(page);
  if (bridge) {
    const transport: Transport = {
      invoke: (op, input) => bridge.invoke(op, input),
      subscribe: (event, listener) => bridge.subscribe(event, listener),
    };
    return { api: createApi(transport), link: createLinkStore('connected'), kind: 'electron' };
  }
  const link = createLinkStore('connecting');
  const transport = createWsTransport({
    url: apiUrl(page.location),
    // The HttpOnly session cookie rides along with the upgrade; the page never sees a token.
    createSocket: (url) => page.openSocket(url),
    reconnectMs: 1500,
    onStatus: (connected) => link.set(connected ? 'connected' : 'disconnected'),
  });
  return { api: createApi(transport), link, kind: 'web' };
}
