/**
 * Like Promise.all, but waits for every task before a failure is reported, and reports the first
 * failure in argument order (which names the cause better than the first in time): nothing started
 * here outlives the caller's failure, so a job step's compensation never races a writer still running.
 */
export async function settleAll<T extends readonly unknown[] | []>(tasks: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const outcomes = await Promise.allSettled(tasks);
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
  return outcomes.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}
