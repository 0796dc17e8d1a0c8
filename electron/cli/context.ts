import os from 'node:os';
import type { OperationName, OpInput, OpOutput, Role } from '../../shared/contract.js';
import { FleetError, type ErrorCode } from '../../shared/errors.js';
import type { HostView } from '../../shared/hosts.js';
import type { JobView } from '../../shared/jobs.js';
import { defaultDataDir } from '../common/paths.js';
import { createConsoleServices, type ConsoleServices } from '../console-services.js';
import { UNFINISHED_JOB_STATES } from '../jobs/types.js';
import { actionRunner, printResult } from './actions.js';
import { createJobProgress, followJobEvents } from './job-progress.js';
import { ask, interactive } from './prompt.js';

// What every console command shares: the context that opens the console's services and calls
// operations through the dispatcher (and waits for the jobs it starts), the commands' action
// wrapper, printing a result, and finding a host (the generic pieces: actions.ts).

export interface GlobalOptions {
  json?: boolean;
  /** With --json: still show a job's steps on stderr. */
  progress?: boolean;
  dataDir?: string;
  role?: Role;
}

export class CliContext {
  private services: ConsoleServices | null = null;
  constructor(readonly options: GlobalOptions) {}

  open(): ConsoleServices {
    if (!this.services) {
      const passphrase = process.env.FLEET_PASSPHRASE;
      this.services = createConsoleServices({
        dataDir: this.options.dataDir ?? defaultDataDir('console'),
        ...(passphrase ? { passphrase } : {}),
        version: process.env.npm_package_version ?? '0.1.0',
      });
    }
    return this.services;
  }

  /**
   * Calls an operation — every call of the CLI goes through here, so through the contract's
   * validation, roles and audit; if secrets are locked and a person is at the terminal, asks for
   * the passphrase once.
   */
  async call<N extends OperationName>(op: N, input: OpInput<N>): Promise<OpOutput<N>> {
    const services = this.open();
    let result = await services.dispatcher.invoke(op, input, this.caller());
    if (!result.ok && result.error.code === 'VAULT_LOCKED' && interactive()) {
      await this.unlockInteractively(services);
      result = await services.dispatcher.invoke(op, input, this.caller());
    }
    if (!result.ok) throw new FleetError(result.error.code, result.error.message, result.error.details);
    return result.value as OpOutput<N>;
  }

  private caller() {
    return { actor: `${os.userInfo().username}@cli`, role: this.options.role ?? 'admin', transport: 'cli' as const };
  }

  private async unlockInteractively(services: ConsoleServices) {
    const vault = await services.dispatcher.invoke('vault.status', {}, this.caller());
    const passphraseCall = async (op: 'vault.setup' | 'vault.unlock', passphrase: string) => {
      const done = await services.dispatcher.invoke(op, { passphrase }, this.caller());
      if (!done.ok) throw new FleetError(done.error.code, done.error.message, done.error.details);
    };
    if (vault.ok && (vault.value as { state: string }).state === 'uninitialised') {
      process.stderr.write('Stored passwords and key passphrases are encrypted with a passphrase you choose now (at least 8 characters).\n');
      const first = await ask('New passphrase: ', { hidden: true });
      const second = await ask('Repeat passphrase: ', { hidden: true });
      if (first !== second) throw new FleetError('VALIDATION', 'The two passphrases differ.');
      await passphraseCall('vault.setup', first);
    } else {
      await passphraseCall('vault.unlock', await ask('Passphrase for stored secrets: ', { hidden: true }));
    }
  }

  /**
   * Waits for a job through jobs.get, woken by its 'jobs.finished' event (or every few seconds);
   * each fetched view goes to `seen` too.
   */
  async waitForJob(jobId: string, seen?: (job: JobView) => void): Promise<JobView> {
    const events = this.open().events;
    for (;;) {
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const off = events.on('jobs.finished', (e) => (e as { jobId?: string }).jobId === jobId && wake());
      const timer = setTimeout(wake, 2000);
      try {
        const job = await this.call('jobs.get', { id: jobId });
        seen?.(job);
        if (!(UNFINISHED_JOB_STATES as readonly string[]).includes(job.state)) return job;
        await woken;
      } finally {
        off();
        clearTimeout(timer);
      }
    }
  }

  /**
   * Starts a job this process runs, shows its steps on stderr as they change (cli/job-progress.ts;
   * not with --json unless --progress) and waits for it; a job that did not succeed becomes its error.
   */
  async runJob<S extends { jobId: string }>(start: () => Promise<S>): Promise<{ started: S; job: JobView }> {
    const showProgress = !this.options.json || this.options.progress === true;
    const progress = showProgress ? createJobProgress({ stream: process.stderr }) : null;
    const events = this.open().events;
    const following = progress ? followJobEvents((event, listener) => events.on(event, listener), progress) : null;
    try {
      const started = await start();
      following?.track(started.jobId);
      const job = await this.waitForJob(started.jobId, (view) => progress?.snapshot(view));
      if (job.state !== 'succeeded') {
        throw new FleetError((job.error?.code as ErrorCode | undefined) ?? 'INTERNAL', job.error?.message ?? `The job ended ${job.state}.`, { jobId: job.id });
      }
      return { started, job };
    } finally {
      following?.stop();
      progress?.finish();
    }
  }

  async close() {
    await this.services?.close();
  }
}

/** The action wrapper of the console's commands. */
export const run = actionRunner((command) => new CliContext(command.optsWithGlobals() as GlobalOptions), 'odoo-fleet');

export function print(ctx: CliContext, value: unknown, text: () => string): void {
  printResult(ctx.options.json, value, text);
}

/** A stored host by id or name (any case). */
export async function findHost(ctx: CliContext, ref: string): Promise<HostView> {
  const hosts = await ctx.call('hosts.list', {});
  const host = hosts.find((h) => h.id === ref) ?? hosts.find((h) => h.name.toLowerCase() === ref.toLowerCase());
  if (!host) throw new FleetError('NOT_FOUND', `No host named "${ref}". See: odoo-fleet hosts list`);
  return host;
}
