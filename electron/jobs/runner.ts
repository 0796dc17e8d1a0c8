import { randomUUID } from 'node:crypto';
import { FleetError, isFleetErrorData, type FleetErrorData } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../common/log.js';
import { redactSecrets } from '../common/redact.js';
import type { Store } from '../store/database.js';
import { conflict, JobJournal, toJsonText } from './journal.js';
import { isOwnerAlive, processToken } from './owner.js';
import type { JobRegistry } from './registry.js';
import type { JobDefinition, JobEventMap, JobEventName, JobEventSink, JobListFilter, JobState, JobSummary, JobView, Json, StepBytes, StepContext, StepPhase } from './types.js';

/** Awaited before a job's first step (and before a resumed job acts); the returned function is called when it ends. */
export type AcquireLock = (target: string, job: { jobId: string; kind: string; resumed: boolean }) => Promise<() => void | Promise<void>>;

export interface JobRunnerOptions {
  store: Store;
  registry: JobRegistry;
  events?: JobEventSink;
  logger?: Logger;
  /** Cross-process exclusion per target (PostgreSQL advisory locks later). */
  acquireLock?: AcquireLock;
  /** Test seams: who this runner claims to be, and how it judges other owners. */
  processToken?: string;
  isOwnerAlive?: (token: string) => boolean;
}

export interface RunJobOptions {
  actor: string;
  /** Aborting it is the same as cancel(jobId). */
  signal?: AbortSignal;
}

export type Direction = 'forward' | 'backward';

export interface ResumeReport {
  resumed: Array<{ jobId: string; kind: string; target: string; direction: Direction }>;
  skipped: Array<{ jobId: string; kind: string; target: string; reason: string }>;
}

interface ActiveJob {
  id: string;
  kind: string;
  target: string;
  actor: string;
  input: unknown;
  definition: JobDefinition<unknown>;
  /** Replaced by a fresh one when a cancel arrives past the point of no return. */
  controller: AbortController;
  done: Promise<void>;
}

// Mirrors redact.ts's notion of a secret-looking key; keys naming a vault reference are allowed.
const SECRET_KEY = /pass(word|phrase)?$|^password|passphrase|secret|token|private_?key|privatekey|cookie|authorization/i;
const SECRET_REFERENCE = /secret_?id$|secret_?ref$/i;

/** Where a secret-looking value sits in a job input, if anywhere: inputs are journaled in clear. */
function secretPath(value: unknown, path: string, depth = 0): string | null {
  if (depth > 12 || value === null || typeof value !== 'object') return null;
  for (const [key, inner] of Object.entries(value)) {
    const here = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`;
    if (SECRET_KEY.test(key) && !SECRET_REFERENCE.test(key) && typeof inner === 'string' && inner !== '') return here;
    const nested = secretPath(inner, here, depth + 1);
    if (nested) return nested;
  }
  return null;
}

export function toErrorData(error: unknown): FleetErrorData {
  if (error instanceof FleetError) return { ...error.toData(), ...(error.details ? { details: redactSecrets(error.details) as Record<string, unknown> } : {}) };
  if (isFleetErrorData(error)) return { code: error.code, message: error.message, ...(error.details ? { details: redactSecrets(error.details) as Record<string, unknown> } : {}) };
  if (error instanceof Error) return { code: 'INTERNAL', message: error.message || error.name };
  return { code: 'INTERNAL', message: String(error) };
}

/**
 * Runs durable jobs: every transition is journaled before the next action, so after a crash
 * resumeInterrupted() continues each job forward or compensates it backward per its steps'
 * crash policy.
 */
export class JobRunner {
  private readonly journal: JobJournal;
  private readonly registry: JobRegistry;
  private readonly events: JobEventSink | undefined;
  private readonly log: Logger;
  private readonly acquireLock: AcquireLock | undefined;
  private readonly token: string;
  private readonly ownerAlive: (token: string) => boolean;
  private readonly active = new Map<string, ActiveJob>();
  private readonly byTarget = new Map<string, string>();

  constructor(options: JobRunnerOptions) {
    this.journal = new JobJournal(options.store);
    this.registry = options.registry;
    this.events = options.events;
    this.log = (options.logger ?? silentLogger).child({ component: 'jobs' });
    this.acquireLock = options.acquireLock;
    this.token = options.processToken ?? processToken();
    this.ownerAlive = options.isOwnerAlive ?? isOwnerAlive;
  }

  /** Journals and starts a job; returns its id at once. Throws CONFLICT if its target is busy. */
  runJob<I>(definition: JobDefinition<I>, input: I, options: RunJobOptions): string {
    if (this.registry.get(definition.kind) !== (definition as JobDefinition<unknown>)) {
      throw new FleetError('INTERNAL', `Job kind "${definition.kind}" is not registered: a restarted process could not recover it`);
    }
    const secret = secretPath(input, 'input');
    if (secret) throw new FleetError('VALIDATION', `Job inputs are journaled in clear: pass a secret id instead of ${secret}`, { field: secret });
    // The steps see the journaled form of the input, the same one a resumed run will see.
    const stored = JSON.parse(toJsonText(input, 'Job input', 1024 * 1024)) as Json;
    const target = definition.target(input);
    const busy = this.byTarget.get(target);
    if (busy !== undefined) throw conflict(target, { id: busy, kind: this.active.get(busy)?.kind ?? '?', state: 'running' });
    const id = randomUUID();
    this.journal.insert({
      id,
      kind: definition.kind,
      target,
      input: stored,
      actor: options.actor,
      ownerPid: process.pid,
      ownerToken: this.token,
      steps: definition.steps.map((step) => ({ name: step.name, title: step.title, onCrash: step.onCrash })),
    });
    const active = this.start(id, definition as JobDefinition<unknown>, target, options.actor, stored, false, 'forward');
    const signal = options.signal;
    if (signal) {
      // Past the point of no return a cancel is refused; the caller's signal then changes nothing.
      const cancel = () => {
        try {
          this.cancel(id);
        } catch {
          // refused: the job finishes
        }
      };
      if (signal.aborted) cancel();
      else {
        const onAbort = cancel;
        signal.addEventListener('abort', onAbort, { once: true });
        void active.done.then(() => signal.removeEventListener('abort', onAbort));
      }
    }
    return id;
  }

  /**
   * Takes over the unfinished jobs whose owner process is gone and drives each one to an end:
   * forward from the interrupted step, or backward through the compensations.
   */
  resumeInterrupted(): ResumeReport {
    const report: ResumeReport = { resumed: [], skipped: [] };
    for (const job of this.journal.unfinished()) {
      const skip = (reason: string) => report.skipped.push({ jobId: job.id, kind: job.kind, target: job.target, reason });
      if (this.active.has(job.id)) continue;
      if (job.ownerToken !== null && this.ownerAlive(job.ownerToken)) {
        skip('its owner process is still running');
        continue;
      }
      const definition = this.registry.get(job.kind);
      if (!definition) {
        skip(`no definition registered for kind "${job.kind}"`);
        continue;
      }
      const view = this.journal.get(job.id);
      if (!view) continue;
      const journaled = view.steps.map((step) => step.name).join('\n');
      if (journaled !== definition.steps.map((step) => step.name).join('\n')) {
        skip('its steps differ from this version of the definition');
        continue;
      }
      if (this.byTarget.has(job.target)) {
        skip(`job ${this.byTarget.get(job.target)} is running on the same target`);
        continue;
      }
      if (!this.journal.claim(job.id, job.ownerToken, process.pid, this.token)) {
        skip('another process took it over first');
        continue;
      }
      const direction = decideDirection(view);
      this.log.warn('resuming an interrupted job', { jobId: job.id, kind: job.kind, target: job.target, direction });
      this.start(job.id, definition, job.target, view.actor, view.input, true, direction);
      report.resumed.push({ jobId: job.id, kind: job.kind, target: job.target, direction });
    }
    return report;
  }

  /**
   * Asks a job to stop: its running step sees an aborted signal, and after that step the job
   * compensates and ends cancelled. The request is journaled, so it survives a crash and reaches
   * a job run by another process before its next step. False when the job already ended.
   */
  cancel(jobId: string): boolean {
    const view = this.journal.get(jobId);
    if (!view) throw new FleetError('NOT_FOUND', `No job ${jobId}`);
    const active = this.active.get(jobId);
    if (!active && !isUnfinished(view.state)) return false;
    const definition = this.registry.get(view.kind);
    const noReturn = definition && pastPointOfNoReturn(view, definition);
    if (noReturn) throw new FleetError('CONFLICT', `The job is past its point of no return ("${noReturn}" is done): it can only finish.`, { jobId });
    if (!view.cancelRequested) this.journal.requestCancel(jobId);
    if (active && !active.controller.signal.aborted) active.controller.abort(new FleetError('CONFLICT', 'The job was cancelled', { jobId }));
    return true;
  }

  /** Resolves with the job once it has ended here (at once if it is not running in this process). */
  async wait(jobId: string): Promise<JobView> {
    const active = this.active.get(jobId);
    if (active) await active.done;
    const view = this.getJob(jobId);
    if (!view) throw new FleetError('NOT_FOUND', `No job ${jobId}`);
    return view;
  }

  /** Resolves when no job runs in this process. */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.all([...this.active.values()].map((job) => job.done));
  }

  getJob(jobId: string): JobView | null {
    const job = this.journal.get(jobId);
    const publicResult = job && this.registry.get(job.kind)?.publicResult;
    if (!job || !publicResult) return job;
    const outputs = new Map(job.steps.map((s) => [s.name, s.output ?? undefined]));
    return { ...job, result: publicResult((name) => outputs.get(name)) };
  }

  listJobs(filter: JobListFilter = {}): JobSummary[] {
    return this.journal.list(filter);
  }

  private start(id: string, definition: JobDefinition<unknown>, target: string, actor: string, input: unknown, resumed: boolean, direction: Direction): ActiveJob {
    let resolve!: () => void;
    const active: ActiveJob = {
      id,
      kind: definition.kind,
      target,
      actor,
      input,
      definition,
      controller: new AbortController(),
      done: new Promise<void>((r) => (resolve = r)),
    };
    this.active.set(id, active);
    this.byTarget.set(target, id);
    void this.drive(active, resumed, direction).finally(() => {
      this.active.delete(id);
      if (this.byTarget.get(target) === id) this.byTarget.delete(target);
      resolve();
    });
    return active;
  }

  private async drive(job: ActiveJob, resumed: boolean, initial: Direction): Promise<void> {
    let release: (() => void | Promise<void>) | undefined;
    try {
      await Promise.resolve(); // runJob returns the id before any step code runs
      if (this.acquireLock) {
        try {
          release = await this.acquireLock(job.target, { jobId: job.id, kind: job.kind, resumed });
        } catch (error) {
          const data = toErrorData(error);
          if (resumed) {
            // Someone else holds the target: leave the journal as it is for a later resume.
            this.log.warn('could not lock the target of an interrupted job; left for a later resume', { jobId: job.id, error: data.message });
            this.journal.disown(job.id);
            return;
          }
          this.journal.setError(job.id, { code: data.code, message: `Could not lock ${job.target}: ${data.message}`, step: null, details: data.details });
          this.finish(job, 'failed');
          return;
        }
      }
      const cancelled = this.journal.get(job.id)?.cancelRequested === true;
      const direction: Direction = cancelled ? 'backward' : initial;
      this.journal.setJobState(job.id, direction === 'forward' ? 'running' : 'compensating');
      this.emit('jobs.started', { jobId: job.id, kind: job.kind, target: job.target, actor: job.actor, totalSteps: job.definition.steps.length, resumed, direction, at: now() });
      this.log.info(resumed ? 'job resumed' : 'job started', { jobId: job.id, kind: job.kind, target: job.target, direction });
      const next = direction === 'forward' ? await this.forward(job) : 'backward';
      if (next === 'backward') await this.backward(job);
    } catch (error) {
      // The journal itself failed (disk full, store closed): record what we still can.
      const data = toErrorData(error);
      this.log.error('job engine failure', { jobId: job.id, error: data.message });
      try {
        this.journal.setError(job.id, { code: 'INTERNAL', message: `Job engine failure: ${data.message}`, step: null });
        this.finish(job, 'failed');
      } catch {
        // Nothing more can be written; the job stays unfinished and a restart resumes it.
      }
    } finally {
      if (release) {
        try {
          await release();
        } catch (error) {
          this.log.warn('releasing the target lock failed', { jobId: job.id, error: toErrorData(error).message });
        }
      }
    }
  }

  /** Runs the steps not yet done; 'backward' when a step failed or the job was cancelled. */
  private async forward(job: ActiveJob): Promise<Direction | 'ended'> {
    const steps = job.definition.steps;
    let signal = job.controller.signal;
    for (let index = 0; index < steps.length; index++) {
      const step = steps[index]!;
      const view = this.journal.get(job.id);
      if (!view) throw new Error('the job vanished from the journal');
      if (view.steps[index]?.state === 'done') continue;
      // A cancel journaled by another process is honoured between steps too — unless the job is
      // past its point of no return (it came while that step ran): then it can only finish.
      if (signal.aborted || view.cancelRequested) {
        if (!pastPointOfNoReturn(view, job.definition)) {
          this.journal.setJobState(job.id, 'compensating');
          return 'backward';
        }
        if (signal.aborted) {
          job.controller = new AbortController();
          signal = job.controller.signal;
        }
      }
      const attempt = this.journal.stepStarted(job.id, index);
      this.emitStep('jobs.step.started', job, index, 'run', { attempt });
      let output: Json | undefined;
      try {
        const result = await step.run(this.context(job, index, 'run', attempt, signal));
        output = result === undefined ? undefined : (result as Json);
        if (output !== undefined) toJsonText(output, 'Step output'); // refuse it as this step's failure
      } catch (error) {
        const data = toErrorData(error);
        if (signal.aborted) {
          // Cut short by the cancel: recorded on the step, not a failure of the job.
          this.journal.stepFailed(job.id, index, data, null);
        } else {
          const message = `${step.title}: ${data.message}`;
          this.journal.stepFailed(job.id, index, { code: data.code, message: data.message }, { code: data.code, message, step: step.name, details: { ...data.details, step: step.name } });
          this.log.warn('job step failed', { jobId: job.id, step: step.name, code: data.code, error: data.message });
        }
        this.emitStep('jobs.step.finished', job, index, 'run', { state: 'failed', error: data });
        return 'backward';
      }
      const last = index === steps.length - 1 && !signal.aborted;
      this.journal.stepDone(job.id, index, output, last);
      this.emitStep('jobs.step.finished', job, index, 'run', { state: 'done', error: null });
      if (last) {
        this.emitFinished(job);
        return 'ended';
      }
    }
    // Only reached when the last step finished under a cancel.
    this.journal.setJobState(job.id, 'compensating');
    return 'backward';
  }

  /**
   * Compensates in reverse order every step that ran or may have half-run, down to (not past)
   * the last completed resume-forward step: that step is a point of no return.
   */
  private async backward(job: ActiveJob): Promise<void> {
    const steps = job.definition.steps;
    const start = this.journal.get(job.id);
    if (!start) throw new Error('the job vanished from the journal');
    let floor = -1;
    start.steps.forEach((step, index) => {
      if (step.onCrash === 'resume' && step.state === 'done') floor = index;
    });
    const never = new AbortController().signal; // compensations run to completion
    for (let index = steps.length - 1; index > floor; index--) {
      const step = steps[index]!;
      const journaled = start.steps[index]!;
      if (journaled.state === 'pending' || journaled.state === 'skipped' || journaled.state === 'compensated') continue;
      if (journaled.compensationError) continue; // already attempted and recorded
      if (!step.compensate) {
        if (journaled.state === 'running') this.journal.stepInterrupted(job.id, index, 'Interrupted by a crash; this step has no compensation');
        continue;
      }
      const attempt = this.journal.stepCompensating(job.id, index);
      this.emitStep('jobs.step.started', job, index, 'compensate', { attempt });
      try {
        await step.compensate(this.context(job, index, 'compensate', attempt, never));
        this.journal.stepCompensated(job.id, index);
        this.emitStep('jobs.step.finished', job, index, 'compensate', { state: 'compensated', error: null });
      } catch (error) {
        // Recorded, and the remaining compensations still run: nothing is silently dropped.
        const data = toErrorData(error);
        const failure = { code: data.code, message: `${step.title}: compensation failed: ${data.message}`, step: step.name };
        this.journal.stepCompensationFailed(job.id, index, failure);
        this.log.error('job compensation failed', { jobId: job.id, step: step.name, code: data.code, error: data.message });
        this.emitStep('jobs.step.finished', job, index, 'compensate', { state: 'failed', error: { code: failure.code, message: failure.message, details: { step: step.name } } });
      }
    }
    const end = this.journal.get(job.id)!;
    const state: JobState = end.error ? 'failed' : end.cancelRequested ? 'cancelled' : 'compensated';
    this.finish(job, state);
  }

  private finish(job: ActiveJob, state: JobState): void {
    this.journal.finish(job.id, state);
    this.emitFinished(job);
  }

  private emitFinished(job: ActiveJob): void {
    const view = this.journal.get(job.id)!;
    this.log.info('job finished', { jobId: job.id, state: view.state, error: view.error?.message });
    this.emit('jobs.finished', { jobId: job.id, kind: job.kind, target: job.target, state: view.state, error: view.error, at: now() });
  }

  private context(job: ActiveJob, index: number, phase: StepPhase, attempt: number, signal: AbortSignal): StepContext<unknown> {
    const step = job.definition.steps[index]!;
    return {
      jobId: job.id,
      kind: job.kind,
      target: job.target,
      actor: job.actor,
      input: job.input,
      step: { index, name: step.name, title: step.title },
      attempt,
      signal,
      output: <T extends Json = Json>(stepName: string) => this.journal.output(job.id, stepName) as T | undefined,
      setOutput: (value: Json) => this.journal.setStepOutput(job.id, index, value),
      progress: (fraction: number, message?: string, bytes?: StepBytes) => {
        const clamped = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
        this.emitStep('jobs.step.progress', job, index, phase, { fraction: clamped, message: message ?? null, bytes: countedBytes(bytes) });
      },
      log: this.log.child({ jobId: job.id, step: step.name, phase }),
    };
  }

  private emitStep<E extends 'jobs.step.started' | 'jobs.step.finished' | 'jobs.step.progress'>(
    event: E,
    job: ActiveJob,
    index: number,
    phase: StepPhase,
    extra: Omit<JobEventMap[E], 'jobId' | 'index' | 'total' | 'name' | 'title' | 'phase' | 'at'>,
  ): void {
    const step = job.definition.steps[index]!;
    const payload = { jobId: job.id, index, total: job.definition.steps.length, name: step.name, title: step.title, phase, at: now(), ...extra } as JobEventMap[E];
    this.emit(event, payload);
  }

  private emit<E extends JobEventName>(event: E, payload: JobEventMap[E]): void {
    if (!this.events) return;
    try {
      this.events.emit(event, payload);
    } catch (error) {
      // A faulty listener must not derail a job whose journal is already written.
      this.log.warn('job event listener failed', { event, error: toErrorData(error).message });
    }
  }
}

function isUnfinished(state: JobState): boolean {
  return state === 'queued' || state === 'running' || state === 'compensating';
}

/**
 * The direction a crashed job takes: backward if it was already compensating or cancelled;
 * otherwise the crash policy of the last step it reached (started or finished) decides, and
 * before any step, the first step's.
 */
export function decideDirection(view: JobView): Direction {
  if (view.state === 'compensating' || view.cancelRequested) return 'backward';
  let reached = 0;
  view.steps.forEach((step, index) => {
    if (step.state !== 'pending') reached = index;
  });
  const step = view.steps[reached];
  if (!step || step.state === 'failed') return 'backward';
  return step.onCrash === 'resume' ? 'forward' : 'backward';
}

function now(): string {
  return new Date().toISOString();
}

/** The completed 'resume' step a job cannot go back past, if any. */
function pastPointOfNoReturn(view: JobView, definition: JobDefinition<unknown>): string | null {
  for (let i = view.steps.length - 1; i >= 0; i--) {
    if (view.steps[i]?.state === 'done' && definition.steps[i]?.onCrash === 'resume') return definition.steps[i]!.name;
  }
  return null;
}

/** A step's byte counts as events carry them: whole, non-negative numbers, or none at all. */
function countedBytes(bytes: StepBytes | undefined): StepBytes | null {
  const count = (n: number | null) => (n !== null && Number.isFinite(n) && n >= 0 ? Math.round(n) : null);
  const done = bytes ? count(bytes.done) : null;
  return done === null ? null : { done, total: count(bytes!.total) };
}
