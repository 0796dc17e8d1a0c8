import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../shared/bridge.js';
import type { Result } from '../../shared/errors.js';
import type { CallContext, Dispatcher } from './dispatcher.js';
import type { EventBus } from './events.js';
import { MAX_INPUT_DEPTH, nestsDeeperThan } from '../../shared/ws-protocol.js';

/** The parts of Electron's ipcMain and WebContents this transport needs (electron/app supplies them). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: { senderFrame: { url: string } | null; sender: { id: number } }, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}
export interface WebContentsLike {
  id: number;
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

/**
 * The contract over Electron IPC. Results travel as `{ok, value | error}` objects because an
 * Error thrown across IPC keeps only its message. Calls from any frame but our own UI are refused.
 */
export function serveOverIpc(options: {
  ipcMain: IpcMainLike;
  dispatcher: Dispatcher;
  events: EventBus;
  context: Omit<CallContext, 'transport'>;
  isTrustedFrameUrl: (url: string) => boolean;
  windows: () => WebContentsLike[];
}): () => void {
  options.ipcMain.handle(IPC_INVOKE_CHANNEL, async (event, op, input): Promise<Result<unknown>> => {
    const url = event.senderFrame?.url ?? '';
    if (!options.isTrustedFrameUrl(url)) {
      return { ok: false, error: { code: 'FORBIDDEN', message: 'Calls are accepted from the console window only.' } };
    }
    if (typeof op !== 'string') return { ok: false, error: { code: 'VALIDATION', message: 'operation name must be a string' } };
    if (nestsDeeperThan(input, MAX_INPUT_DEPTH)) return { ok: false, error: { code: 'VALIDATION', message: `A call's input may nest at most ${MAX_INPUT_DEPTH} levels deep.` } };
    return options.dispatcher.invoke(op, input, { ...options.context, transport: 'ipc' });
  });
  const unsubscribe = options.events.onAny((event, payload) => {
    for (const contents of options.windows()) if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, event, payload);
  });
  return () => {
    unsubscribe();
    options.ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
  };
}
