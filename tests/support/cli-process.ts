import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';

// A console in its own process — the built CLI on a data folder — so a test can SIGKILL it
// mid-job and have another console find the journal as a crash leaves it.

export interface CliProcess {
  child: ChildProcess;
  /** What it wrote on stderr so far. */
  stderr(): string;
  exited: Promise<unknown>;
  /** SIGKILL, and wait for it to be gone. */
  kill(): Promise<void>;
}

/** Starts `odoo-fleet <args>` on `dataDir` (close the test's own console first: one process owns the store). */
export function startCli(dataDir: string, passphrase: string, args: string[]): CliProcess {
  const child = spawn(process.execPath, ['dist/node/cli.mjs', ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, FLEET_DATA_DIR: dataDir, FLEET_PASSPHRASE: passphrase },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    child,
    stderr: () => stderr,
    exited,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls the journal (read-only, from outside the console) until the newest job of `kind` has `step` in `state`. */
export async function waitForJobStep(dataDir: string, kind: string, step: string, state: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let db: Database.Database | null = null;
    try {
      db = new Database(path.join(dataDir, 'console.sqlite'), { readonly: true, fileMustExist: true });
      const row = db.prepare('SELECT s.state FROM job_steps s JOIN jobs j ON j.id = s.job_id WHERE j.kind = ? AND s.name = ? ORDER BY j.created_at DESC LIMIT 1').get(kind, step) as { state: string } | undefined;
      if (row?.state === state) return;
    } catch {
      // the store may not hold the job tables yet, or be mid-write
    } finally {
      db?.close();
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`step ${step} of ${kind} never reached ${state}`);
}
