import type { EventName, EventPayload, OperationName, OpInput, OpOutput } from './contract.js';
import { FleetError, type Result } from './errors.js';

/** What every transport provides: Electron's preload bridge and the WebSocket client alike. */
export interface Transport {
  invoke(op: OperationName, input: unknown): Promise<Result<unknown>>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

/** The typed API the UIs use; they never know which transport is underneath. */
export interface Api {
  call<N extends OperationName>(op: N, input: OpInput<N>): Promise<OpOutput<N>>;
  result<N extends OperationName>(op: N, input: OpInput<N>): Promise<Result<OpOutput<N>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export function createApi(transport: Transport): Api {
  return {
    async result(op, input) {
      return (await transport.invoke(op, input)) as Result<never>;
    },
    async call(op, input) {
      const result = await transport.invoke(op, input);
      if (result.ok) return result.value as never;
      throw new FleetError(result.error.code, result.error.message, result.error.details);
    },
    on(event, listener) {
      return transport.subscribe(event, listener as (payload: unknown) => void);
    },
  };
}
