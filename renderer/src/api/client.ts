import { createApi, type Api, type Transport } from '../../../shared/api.js';
import { BRIDGE_KEY, type FleetBridge } from '../../../shared/bridge.js';
import type { WS_PATH } from '../../../shared/ws-protocol.js';
import { createWsTransport, type WsLike } from '../../../shared/ws-client.js';

// Only type imports from contract.ts / hosts.ts / ws-protocol.ts: their values pull zod into the
// bundle. `typeof WS_PATH` keeps this literal in step with the protocol module at compile time.
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
      for (const l of listeners) l();
    },
  };
}

function findBridge(): FleetBridge | undefined {
  const candidate = (window as unknown as Record<string, unknown>)[BRIDGE_KEY] as FleetBridge | undefined;
  return candidate && typeof candidate.invoke === 'function' && typeof candidate.subscribe === 'function' ? candidate : undefined;
}

export function apiUrl(loc: Location = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}${API_PATH}`;
}

/** Electron preload bridge when present, otherwise the WebSocket on this page's own origin. */
export function createClient(): Client {
  const bridge = findBridge();
  if (bridge) {
    const transport: Transport = {
      invoke: (op, input) => bridge.invoke(op, input),
      subscribe: (event, listener) => bridge.subscribe(event, listener),
    };
    return { api: createApi(transport), link: createLinkStore('connected'), kind: 'electron' };
  }
  const link = createLinkStore('connecting');
  const transport = createWsTransport({
    url: apiUrl(),
    // The HttpOnly session cookie rides along with the upgrade; the page never sees a token.
    // WsLike types its handlers' events as unknown, which the DOM's WebSocket (Event-typed
    // handlers) does not satisfy structurally; at run time they are the same shape.
    createSocket: (url) => new WebSocket(url) as unknown as WsLike,
    reconnectMs: 1500,
    onStatus: (connected) => link.set(connected ? 'connected' : 'disconnected'),
  });
  return { api: createApi(transport), link, kind: 'web' };
}
