import { createApi, type Api, type Transport } from '../../../shared/api.js';
import { BRIDGE_KEY, type FleetBridge } from '../../../shared/bridge.js';
import type { WS_PATH } from '../../../shared/ws-protocol.js';
import { createWsTransport, type WsLike } from '../../../shared/ws-client.js';

// The typed Api over the contract's WebSocket on this page's own origin (the web server's session
// cookie, set by its one-time launch URL, authenticates the upgrade), or over a preload bridge if
// a desktop shell provides one. Type-only imports from the contract keep zod out of the bundle.
const API_PATH: typeof WS_PATH = '/api';

export type LinkState = 'connecting' | 'connected' | 'disconnected';

export interface LinkStore {
  get(): LinkState;
  subscribe(listener: () => void): () => void;
}

export interface Client {
  api: Api;
  link: LinkStore;
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

function findBridge(): FleetBridge | undefined {
  const candidate = (window as unknown as Record<string, unknown>)[BRIDGE_KEY] as FleetBridge | undefined;
  return candidate && typeof candidate.invoke === 'function' && typeof candidate.subscribe === 'function' ? candidate : undefined;
}

export function createClient(loc: Location = window.location): Client {
  const bridge = findBridge();
  if (bridge) {
    const transport: Transport = { invoke: (op, input) => bridge.invoke(op, input), subscribe: (event, listener) => bridge.subscribe(event, listener) };
    return { api: createApi(transport), link: createLinkStore('connected') };
  }
  const link = createLinkStore('connecting');
  const transport = createWsTransport({
    url: `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}${API_PATH}`,
    // The DOM WebSocket's Event-typed handlers are the same shape as WsLike's at run time.
    createSocket: (url) => new WebSocket(url) as unknown as WsLike,
    reconnectMs: 1500,
    onStatus: (connected) => link.set(connected ? 'connected' : 'disconnected'),
  });
  return { api: createApi(transport), link };
}
