import { describe, expect, it } from 'vitest';
import { settleAll } from '../../electron/common/settle-all.js';

const later = <T>(ms: number, value: T, fail = false) => new Promise<T>((resolve, reject) => setTimeout(() => (fail ? reject(new Error(String(value))) : resolve(value)), ms));

describe('settleAll', () => {
  it('gives every value in order', async () => {
    expect(await settleAll([later(20, 'a'), later(1, 2), Promise.resolve(null)])).toEqual(['a', 2, null]);
  });

  it('ends every task before it reports a failure, and reports the first in argument order', async () => {
    let slowEnded = false;
    const slow = later(40, 'slow').then((v) => ((slowEnded = true), v));
    await expect(settleAll([later(30, 'first', true), slow, later(1, 'second', true)])).rejects.toThrow('first');
    expect(slowEnded).toBe(true);
  });
});
