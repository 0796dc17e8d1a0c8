import type { EventName, OperationName } from './contract.js';
import type { Result } from './errors.js';

/** What the Electron preload exposes on `window.fleet`: one function per operation plus events. */
export interface FleetBridge {
  invoke(op: OperationName, input: unknown): Promise<Result<unknown>>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
  ops: Record<string, (input: unknown) => Promise<Result<unknown>>>;
}

export const BRIDGE_KEY = 'fleet';
export const IPC_INVOKE_CHANNEL = 'fleet:invoke';
export const IPC_EVENT_CHANNEL = 'fleet:event';
