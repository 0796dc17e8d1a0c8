import { describe, expect, it } from 'vitest';
import { START_READS, StartupReads } from '../../pos-shell/src/lib/startup.js';
import type { Api } from '../../shared/api.js';
import type { OperationName } from '../../shared/contract.js';

// The selling page's start: its reads go out at once, each answer goes to the first screen that
// asks for it, and nothing older than the start's first screens is ever handed out.

/** A page's api that numbers the terminal's answers, per operation, in the order they are asked. */
function terminal(failing: OperationName[] = []) {
  const asked: string[] = [];
  const api = {
    call: (op: OperationName, input: unknown) => {
      asked.push(`${op} ${JSON.stringify(input)}`);
      const answer = `${op} #${asked.filter((a) => a.startsWith(`${op} `)).length}`;
      return failing.includes(op) ? Promise.reject(new Error(answer)) : Promise.resolve(answer);
    },
    result: () => Promise.reject(new Error('not used')),
    on: () => () => {},
  } as unknown as Api;
  return { api, asked };
}

const call = (api: Api, op: OperationName, input: object = {}) => api.call(op as never, input as never) as Promise<unknown>;

describe("the selling page's start reads", () => {
  it('are all asked at once, before any screen asks', () => {
    const { api, asked } = terminal();
    new StartupReads(api);
    expect(asked).toEqual(START_READS.map((op) => `${op} {}`));
  });

  it('hand each answer to the first call of its read, then ask the terminal again', async () => {
    const { api, asked } = terminal();
    const startup = new StartupReads(api);
    await expect(call(startup.api, 'pos.status')).resolves.toBe('pos.status #1');
    await expect(call(startup.api, 'pos.status')).resolves.toBe('pos.status #2');
    await expect(call(startup.api, 'pos.catalog')).resolves.toBe('pos.catalog #1');
    expect(asked.filter((a) => a.startsWith('pos.status'))).toHaveLength(2);
  });

  it('ask the terminal for a call with an input, and for any other operation', async () => {
    const { api, asked } = terminal();
    const startup = new StartupReads(api);
    await expect(call(startup.api, 'pos.carts', { ids: [1] })).resolves.toBe('pos.carts #2');
    await expect(call(startup.api, 'pos.products', { offset: 0, limit: 21 })).resolves.toBe('pos.products #1');
    await expect(call(startup.api, 'pos.carts')).resolves.toBe('pos.carts #1');
    expect(asked.slice(START_READS.length)).toEqual(['pos.carts {"ids":[1]}', 'pos.products {"offset":0,"limit":21}']);
  });

  it('drop the answers nobody took once the start is over', async () => {
    const { api } = terminal();
    const startup = new StartupReads(api);
    await expect(call(startup.api, 'pos.status')).resolves.toBe('pos.status #1');
    startup.forget();
    await expect(call(startup.api, 'pos.catalog')).resolves.toBe('pos.catalog #2');
    await expect(call(startup.api, 'pos.cashier')).resolves.toBe('pos.cashier #2');
  });

  it('give a failed read to the screen that takes it, and leave none unhandled', async () => {
    const { api } = terminal(['vault.status', 'pos.cashier']);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const startup = new StartupReads(api);
      await expect(call(startup.api, 'vault.status')).rejects.toThrow('vault.status #1');
      startup.forget(); // pos.cashier's failure was never taken
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
