import type { FleetErrorData } from '../../shared/errors.js';
import type { Logger } from '../common/log.js';

// Everything a UI sees about jobs is plain JSON data, so the shared contract can expose these
// types unchanged later.

export const JOB_STATES = ['queued', 'running', 'compensating', 'succeeded', 'failed', 'compensated', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];
/** States in which a job still holds its target; the store refuses a second one per target. */
export const UNFINISHED_JOB_STATES: readonly JobState[] = ['queued', 'running', 'compensating'];

export const STEP_STATES = ['pending', 'running', 'done', 'failed', 'compensating', 'compensated', 'skipped'] as const;
export type StepState = (typeof STEP_STATES)[number];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * What recovery does when a process died during or after this step (the last step it reached):
 * 'resume' re-runs the interrupted step and carries on; 'compensate' undoes everything back to
 * the start. A completed 'resume' step is also a point of no return: failure or cancellation
 * later on never compensates it or the steps before it.
 */
export type CrashPolicy = 'resume' | 'compensate';

export interface StepContext<I> {
  readonly jobId: string;
  readonly kind: string;
  readonly target: string;
  readonly actor: string;
  readonly input: I;
  readonly step: { readonly index: number; readonly name: string; readonly title: string };
  /** 1 on the first run (or compensation) of this step; higher when repeated after a crash. */
  readonly attempt: number;
  /** Aborted when the job is cancelled. Compensations get a signal that never aborts. */
  readonly signal: AbortSignal;
  /** The journaled output of any step of this job (its own included), or undefined. */
  output<T extends Json = Json>(stepName: string): T | undefined;
  /**
   * Journals this step's output now (committed before returning), e.g. a resource id recorded
   * before the resource is created, so a compensation after a crash mid-step can find it.
   */
  setOutput(value: Json): void;
  /** Progress within the step, 0..1, with the bytes it counted if it counts any; streamed, not journaled. */
  progress(fraction: number, message?: string, bytes?: StepBytes): void;
  readonly log: Logger;
}

export interface StepDefinition<I> {
  /** Stable identifier, unique within the job; journaled, so never rename a released step. */
  name: string;
  title: string;
  onCrash: CrashPolicy;
  /** Must be idempotent. A returned value (if not undefined) becomes the step's output. */
  run(ctx: StepContext<I>): Promise<Json | undefined | void>;
  /** Undoes run, also a partial run; must be idempotent. */
  compensate?(ctx: StepContext<I>): Promise<void>;
}

export interface JobDefinition<I> {
  kind: string;
  /** e.g. `tenant:<hostId>/<name>`; at most one unfinished job per target. */
  target(input: I): string;
  steps: readonly StepDefinition<I>[];
  /**
   * What the UIs may see of a finished job's outputs (step outputs themselves stay inside:
   * they hold ids of stored secrets), e.g. where a final archive was written.
   */
  publicResult?(output: (stepName: string) => Json | undefined): { [key: string]: Json };
}

export interface JobStepView {
  index: number;
  name: string;
  title: string;
  onCrash: CrashPolicy;
  state: StepState;
  attempts: number;
  compensateAttempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  output: Json | null;
  error: { code: string; message: string } | null;
  compensationError: { code: string; message: string } | null;
}

export interface JobSummary {
  id: string;
  kind: string;
  target: string;
  state: JobState;
  actor: string;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  cancelRequested: boolean;
  resumeCount: number;
  error: (FleetErrorData & { step: string | null }) | null;
}

export interface JobView extends JobSummary {
  input: Json;
  steps: JobStepView[];
  /** The definition's publicResult, when it has one. */
  result?: { [key: string]: Json };
}

export interface JobListFilter {
  target?: string;
  kind?: string;
  state?: JobState | readonly JobState[];
  limit?: number;
}

// Progress events.
export type StepPhase = 'run' | 'compensate';

export interface JobStartedEvent {
  jobId: string;
  kind: string;
  target: string;
  actor: string;
  totalSteps: number;
  /** True when a restarted process picked the job up after its owner died. */
  resumed: boolean;
  direction: 'forward' | 'backward';
  at: string;
}

/** What every step event says of its step. */
export interface JobStepEvent {
  jobId: string;
  index: number;
  total: number;
  name: string;
  title: string;
  phase: StepPhase;
}

export interface JobStepStartedEvent extends JobStepEvent {
  attempt: number;
  at: string;
}

/** Bytes a step has handled so far, and how many it expects (null when it cannot tell). */
export interface StepBytes {
  done: number;
  total: number | null;
}

export interface JobStepProgressEvent extends JobStepEvent {
  fraction: number;
  message: string | null;
  bytes: StepBytes | null;
  at: string;
}

export interface JobStepFinishedEvent extends JobStepEvent {
  state: StepState;
  error: FleetErrorData | null;
  at: string;
}

export interface JobFinishedEvent {
  jobId: string;
  kind: string;
  target: string;
  state: JobState;
  error: (FleetErrorData & { step: string | null }) | null;
  at: string;
}

export interface JobEventMap {
  'jobs.started': JobStartedEvent;
  'jobs.step.started': JobStepStartedEvent;
  'jobs.step.progress': JobStepProgressEvent;
  'jobs.step.finished': JobStepFinishedEvent;
  'jobs.finished': JobFinishedEvent;
}
export type JobEventName = keyof JobEventMap;

/** The slice of EventBus the runner needs; EventBus satisfies it once the contract lists these. */
export interface JobEventSink {
  emit<E extends JobEventName>(event: E, payload: JobEventMap[E]): void;
}
