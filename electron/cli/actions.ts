import type { Command } from 'commander';
import { FleetError, type FleetErrorData } from '../../shared/errors.js';
import { EXIT, exitCodeFor } from './exit-codes.js';

// What the console's commands and the POS's share: the action wrapper that turns errors into
// exit codes, and the output helpers (text, or with --json one JSON document on stdout).

/** What a command's action gets: its options as parsed, and a context to close at the end. */
export interface ActionContext {
  readonly options: { json?: boolean };
  close(): Promise<void>;
}

/**
 * Wraps a command's action: the code it returns (or 0) becomes the exit code; an error is
 * printed (`<prefix>: message` on stderr, and with --json `{error}` on stdout) and becomes the
 * exit code its error code maps to; the context is always closed.
 */
export function actionRunner<C extends ActionContext>(contextOf: (command: Command) => C, prefix: string) {
  return (fn: (ctx: C, ...args: never[]) => Promise<number | void>) =>
    async function (this: Command, ...args: unknown[]) {
      const ctx = contextOf(this);
      try {
        process.exitCode = (await fn(ctx, ...(args as never[]))) ?? EXIT.ok;
      } catch (error) {
        const data: FleetErrorData = error instanceof FleetError ? error.toData() : { code: 'INTERNAL', message: (error as Error).message };
        if (ctx.options.json) process.stdout.write(`${JSON.stringify({ error: data }, null, 2)}\n`);
        process.stderr.write(`${prefix}: ${data.message}\n`);
        process.exitCode = exitCodeFor(data.code);
      } finally {
        await ctx.close();
      }
    };
}

/** The value as one JSON document with --json, else the text. */
export function printResult(json: boolean | undefined, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

/** Collects a repeatable option's values. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** A whole-number option value. */
export const int = (value: string) => Number.parseInt(value, 10);
