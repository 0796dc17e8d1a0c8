import type { Api } from '../../../shared/api.js';
import type { OperationName } from '../../../shared/contract.js';

/** What every start of the selling page reads from the terminal, each with no input. */
export const START_READS = ['pos.status', 'vault.status', 'session.info', 'pos.cashier', 'pos.catalog', 'pos.carts'] satisfies OperationName[];

/**
 * The start's reads, asked all at once as soon as the page runs (start.ts), before React has
 * rendered anything: the start waits for one round trip to the terminal instead of a chain of
 * them (status, then the screen it leads to, then that screen's data). The page's `api` hands each
 * answer to the first call of that read with no input; once the start is over (`forget`), or for
 * any later call, it asks the terminal again, so no screen shows an answer older than itself.
 */
export class StartupReads {
  private readonly answers = new Map<string, Promise<unknown>>();
  readonly api: Api;

  constructor(api: Api) {
    for (const op of START_READS) {
      const answer = api.call(op, {});
      // Whoever takes it sees a failure; one nobody takes is no unhandled rejection.
      answer.catch(() => {});
      this.answers.set(op, answer);
    }
    const call: Api['call'] = (op, input) => (this.take(op, input) as Promise<never> | undefined) ?? api.call(op, input);
    this.api = { ...api, call };
  }

  /** The first screens have read what they need: the answers nobody took are dropped. */
  forget(): void {
    this.answers.clear();
  }

  private take(op: string, input: unknown): Promise<unknown> | undefined {
    if (typeof input !== 'object' || input === null || Object.keys(input).length > 0) return undefined;
    const answer = this.answers.get(op);
    this.answers.delete(op);
    return answer;
  }
}
