import type { Transport } from './api.js';
import type { EventName, OperationName } from './contract.js';
import type { Result } from './errors.js';
import type { ServerFrame } from './ws-protocol.js';

/** The browser (or any runtime with a WebSocket) side of the WebSocket transport. */
export interface WsLike {
  readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface WsTransportOptions {
  url: string;
  createSocket: (url: string) => WsLike;
  /** Reconnect delay after a drop; calls in flight fail with a TIMEOUT-free INTERNAL error. */
  reconnectMs?: number;
  onStatus?: (connected: boolean) => void;
}

const OPEN = 1;

/** What one message to the web servers may hold (their WebSocket maxPayload): a larger one closes the connection. */
export const WS_MAX_MESSAGE_BYTES = 1024 * 1024;

/** A call too large to send: refused here with a clear error, where the server would close the connection. */
function tooLarge(frame: string): Result<never> | null {
  // Three bytes per UTF-16 unit at most: most frames need no encoding to know.
  if (frame.length * 3 <= WS_MAX_MESSAGE_BYTES) return null;
  const bytes = new TextEncoder().encode(frame).length;
  if (bytes <= WS_MAX_MESSAGE_BYTES) return null;
  return { ok: false, error: { code: 'VALIDATION', message: `This request is ${Math.ceil(bytes / 1024)} KiB; one request may be at most ${WS_MAX_MESSAGE_BYTES / 1024} KiB.` } };
}

export function createWsTransport(options: WsTransportOptions): Transport & { close(): void } {
  let socket: WsLike | null = null;
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const queue: string[] = [];

  const connect = () => {
    const ws = options.createSocket(options.url);
    socket = ws;
    ws.onopen = () => {
      options.onStatus?.(true);
      for (const frame of queue.splice(0)) ws.send(frame);
    };
    ws.onmessage = (ev) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(ev.data)) as ServerFrame;
      } catch {
        return;
      }
      if (frame.type === 'result') {
        const resolve = pending.get(frame.id);
        pending.delete(frame.id);
        resolve?.(frame.result as Result<unknown>);
      } else if (frame.type === 'event') {
        for (const listener of listeners.get(frame.event) ?? []) listener(frame.payload);
      }
    };
    ws.onclose = () => {
      options.onStatus?.(false);
      for (const [id, resolve] of pending) {
        pending.delete(id);
        resolve({ ok: false, error: { code: 'INTERNAL', message: 'Lost the connection to the console service; try again.', details: { connectionLost: true } } });
      }
      if (!closed) setTimeout(connect, options.reconnectMs ?? 1000);
    };
    ws.onerror = () => {};
  };
  connect();

  return {
    invoke(op: OperationName, input: unknown) {
      const id = nextId++;
      const frame = JSON.stringify({ type: 'call', id, op, input });
      const refused = tooLarge(frame);
      if (refused) return Promise.resolve(refused);
      return new Promise<Result<unknown>>((resolve) => {
        pending.set(id, resolve);
        if (socket && socket.readyState === OPEN) socket.send(frame);
        else queue.push(frame);
      });
    },
    subscribe(event: EventName, listener: (payload: unknown) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
    close() {
      closed = true;
      socket?.close();
    },
  };
}
