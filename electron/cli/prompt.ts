import readline from 'node:readline';
import { Writable } from 'node:stream';
import { FleetError } from '../../shared/errors.js';

export function interactive(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

/** Asks on stderr (stdout stays clean for --json); with hidden: true nothing typed is echoed. */
export function ask(question: string, options: { hidden?: boolean } = {}): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!muted) process.stderr.write(chunk);
      callback();
    },
  });
  const rl = readline.createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      if (options.hidden) process.stderr.write('\n');
      resolve(answer);
    });
    muted = Boolean(options.hidden);
  });
}

export async function confirm(question: string): Promise<boolean> {
  return /^y(es)?$/i.test((await ask(`${question} [y/N] `)).trim());
}

/** A secret from the environment variable named, else asked (hidden) on a terminal when `prompt` is given. */
export async function readSecret(envName: string | undefined, prompt: string | null): Promise<string | undefined> {
  if (envName) {
    const value = process.env[envName];
    if (value === undefined) throw new FleetError('VALIDATION', `The environment variable ${envName} is not set.`);
    return value;
  }
  if (prompt && interactive()) return ask(prompt, { hidden: true });
  return undefined;
}

/** Everything on stdin (a pasted key line, say). */
export async function readAllStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Paste the key line, then press Ctrl-D:\n');
  let text = '';
  for await (const chunk of process.stdin) text += (chunk as Buffer).toString('utf8');
  return text;
}

/** The tenant's name typed again: from the option, or asked on a terminal; refused without either. */
export async function typedName(name: string, given: string | undefined, question: string): Promise<string> {
  if (given !== undefined) return given;
  if (!interactive()) throw new FleetError('VALIDATION', `There is no terminal to confirm on: pass --confirm ${name}.`, { field: 'confirm' });
  return (await ask(question)).trim();
}
