import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_KEY, IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type FleetBridge } from '../../shared/bridge.js';
import { EVENT_NAMES, OPERATION_NAMES, type EventName, type OperationName } from '../../shared/operations.js';
import type { Result } from '../../shared/errors.js';

// The renderer's only door to the services: one function per contract operation, plus events.
// Inputs are validated again in the main process; this side only forwards.

const invoke = (op: OperationName, input: unknown) => ipcRenderer.invoke(IPC_INVOKE_CHANNEL, op, input) as Promise<Result<unknown>>;

const listeners = new Map<string, Set<(payload: unknown) => void>>();
ipcRenderer.on(IPC_EVENT_CHANNEL, (_event, name: string, payload: unknown) => {
  for (const listener of listeners.get(name) ?? []) listener(payload);
});

const bridge: FleetBridge = {
  invoke(op, input) {
    if (!OPERATION_NAMES.includes(op)) return Promise.resolve({ ok: false, error: { code: 'NOT_FOUND', message: `Unknown operation "${String(op)}".` } });
    return invoke(op, input);
  },
  subscribe(event: EventName, listener) {
    if (!EVENT_NAMES.includes(event)) return () => {};
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  },
  ops: Object.fromEntries(OPERATION_NAMES.map((op) => [op, (input: unknown) => invoke(op, input)])),
};

contextBridge.exposeInMainWorld(BRIDGE_KEY, bridge);
