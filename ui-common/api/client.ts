import { createUiClient, type Client } from '../../shared/ui-client.js';
import type { WsLike } from '../../shared/ws-client.js';

export type { Client, LinkState, LinkStore } from '../../shared/ui-client.js';

/** A UI page's client of the contract (shared/ui-client.ts), given what only the browser has. */
export function createClient(): Client {
  return createUiClient({
    globals: window as unknown as Record<string, unknown>,
    location: window.location,
    // WsLike types its handlers' events as unknown, which the DOM's WebSocket (Event-typed
    // handlers) does not satisfy structurally; at run time they are the same shape.
    openSocket: (url) => new WebSocket(url) as unknown as WsLike,
  });
}
