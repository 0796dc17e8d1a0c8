import cliProgress from 'cli-progress';
import type { JobView } from '../../shared/jobs.js';

// A durable job's steps on the CLI's stderr, as the UI's job panel shows them: each step's title,
// its state (running, done, failed, skipped, undoing, undone), the time it took, and — when the
// step reported progress — what it last said (the archive steps say bytes read and written).
// On a terminal a running step's progress is also a live bar (cli-progress); elsewhere (CI,
// pipes) one plain line per step state change and never a control code, e.g.
//   step 3/7 Write the archive: done in 12.4 s (filestore: 120.0 of ~130.0 MiB read, 60.2 MiB written, 40.1 MiB/s)
// It is fed the job's events (live, in this process) and its jobs.get views (the journal's
// truth, which also fills in whatever an event did not say); a step only ever moves forward.

/** The slice of the jobs.* event payloads (electron/jobs/types.ts JobEventMap) read here. */
export interface JobEventPayload {
  jobId?: string;
  index?: number;
  total?: number;
  title?: string;
  phase?: 'run' | 'compensate';
  state?: string;
  fraction?: number;
  message?: string | null;
  /** Bytes the step counted so far, and how many it expects (null when it cannot tell). */
  bytes?: { done: number; total: number | null } | null;
  error?: { message: string } | null;
  at?: string;
}

export const JOB_PROGRESS_EVENTS = ['jobs.step.started', 'jobs.step.progress', 'jobs.step.finished'] as const;
export type JobProgressEvent = (typeof JOB_PROGRESS_EVENTS)[number];

/** Where the lines go: process.stderr, or a test's stand-in. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

type StepSnapshot = Pick<JobView['steps'][number], 'index' | 'title' | 'state' | 'startedAt' | 'finishedAt' | 'error' | 'compensationError'>;
export type JobSnapshot = { steps: StepSnapshot[] };

/** How a step's states read, as the UI labels them ('undo-failed': its compensation failed). */
const LABELS: Record<string, string> = {
  pending: 'pending',
  running: 'running',
  done: 'done',
  failed: 'failed',
  skipped: 'skipped',
  compensating: 'undoing',
  compensated: 'undone',
  'undo-failed': 'undo failed',
};

/** The order a step goes through its states: a view fetched before an event never moves it back. */
const RANK: Record<string, number> = { pending: 0, running: 1, done: 2, failed: 2, skipped: 2, compensating: 3, compensated: 4, 'undo-failed': 4 };

interface StepLine {
  title: string;
  state: string;
  /** When its current run or compensation started (ms), for the time it took. */
  since: number | null;
  progress: { fraction: number; message: string | null } | null;
}

interface Change {
  index: number;
  title: string;
  state: string;
  at: string | null;
  startedAt?: string | null;
  error?: string | null;
}

const time = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NaN);

/** "12.4 s", or "3 min 5 s" from a minute on. */
export function formatElapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** A step's last progress message as a finished step's figures: its "~N s left" no longer holds. */
function finalFigures(message: string | null | undefined): string | null {
  const figures = message?.replace(/,\s*~\d+ s left$/, '').trim();
  return figures ? figures : null;
}

export class JobProgress {
  private readonly steps = new Map<number, StepLine>();
  private total = 0;
  private bar: cliProgress.SingleBar | null = null;

  constructor(
    private readonly stream: ProgressStream,
    /** Live bars for a running step's progress; plain lines only when false. */
    private readonly tty: boolean,
  ) {}

  /** A jobs.get view: every step whose state moved on since what was shown is reported. */
  snapshot(job: JobSnapshot): void {
    this.total = Math.max(this.total, job.steps.length);
    for (const step of job.steps) {
      const state = step.compensationError ? 'undo-failed' : step.state;
      const error = state === 'undo-failed' ? step.compensationError?.message : state === 'failed' ? step.error?.message : null;
      const at = state === 'running' ? step.startedAt : step.finishedAt;
      this.change({ index: step.index, title: step.title, state, at, startedAt: step.startedAt, error: error ?? null });
    }
  }

  /** One of the job's jobs.step.* events. */
  event(name: JobProgressEvent, payload: JobEventPayload): void {
    if (typeof payload.index !== 'number') return;
    if (typeof payload.total === 'number') this.total = Math.max(this.total, payload.total);
    const title = payload.title ?? `step ${payload.index + 1}`;
    const compensating = payload.phase === 'compensate';
    if (name === 'jobs.step.started') {
      this.change({ index: payload.index, title, state: compensating ? 'compensating' : 'running', at: payload.at ?? null });
    } else if (name === 'jobs.step.finished') {
      const state = compensating && payload.state === 'failed' ? 'undo-failed' : (payload.state ?? 'done');
      this.change({ index: payload.index, title, state, at: payload.at ?? null, error: payload.error?.message ?? null });
    } else if (typeof payload.fraction === 'number') {
      this.progress(payload.index, title, barPosition(payload.fraction, payload.bytes), payload.message ?? null);
    }
  }

  /** Stops a live bar; call once the job is over (or given up on). */
  finish(): void {
    this.stopBar();
  }

  private change(change: Change): void {
    const known = this.steps.get(change.index);
    const current = known?.state ?? 'pending';
    if ((RANK[change.state] ?? 0) <= (RANK[current] ?? 0)) {
      if (!known) this.steps.set(change.index, { title: change.title, state: current, since: null, progress: null });
      return;
    }
    const line: StepLine = known ?? { title: change.title, state: current, since: null, progress: null };
    const began = change.state === 'running' || change.state === 'compensating';
    const startedAt = line.since ?? (change.state === 'compensated' || change.state === 'undo-failed' ? Number.NaN : time(change.startedAt));
    const elapsed = began ? Number.NaN : time(change.at) - startedAt;
    const figures = change.state === 'done' ? finalFigures(line.progress?.message) : null;
    this.steps.set(change.index, { title: change.title, state: change.state, since: began ? time(change.at) : null, progress: began ? null : line.progress });
    this.say(
      `step ${change.index + 1}/${Math.max(this.total, change.index + 1)} ${change.title}: ${LABELS[change.state] ?? change.state}` +
        `${Number.isFinite(elapsed) && elapsed >= 0 ? ` in ${formatElapsed(elapsed)}` : ''}${figures ? ` (${figures})` : ''}${change.error ? `: ${change.error}` : ''}`,
    );
  }

  private progress(index: number, title: string, position: BarPosition, message: string | null): void {
    const line = this.steps.get(index) ?? { title, state: 'running', since: null, progress: null };
    line.progress = { fraction: position.value / position.total, message };
    this.steps.set(index, line);
    if (!this.tty) return;
    const payload = { step: `step ${index + 1}/${Math.max(this.total, index + 1)} ${title}`, message: message ?? '' };
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        { stream: this.stream as NodeJS.WritableStream, format: '{step} {bar} {percentage}% {message}', barsize: 24, clearOnComplete: true, hideCursor: true, barCompleteChar: '█', barIncompleteChar: '░' },
      );
      this.bar.start(position.total, position.value, payload);
    } else {
      this.bar.setTotal(position.total);
      this.bar.update(position.value, payload);
    }
  }

  private say(text: string): void {
    this.stopBar();
    this.stream.write(`${text}\n`);
  }

  private stopBar(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

interface BarPosition {
  value: number;
  total: number;
}

/** Where the bar stands: in bytes when the step counts them against a known total, else in percent. */
export function barPosition(fraction: number, bytes: JobEventPayload['bytes']): BarPosition {
  if (bytes && bytes.total !== null && bytes.total > 0) return { value: Math.min(bytes.done, bytes.total), total: bytes.total };
  return { value: Math.round(Math.max(0, Math.min(1, fraction)) * 100), total: 100 };
}

/** Progress on `stream`: live bars only when it is a terminal. */
export function createJobProgress(options: { stream: ProgressStream; tty?: boolean }): JobProgress {
  return new JobProgress(options.stream, options.tty ?? options.stream.isTTY === true);
}

/** Subscribes to one of the jobs.* events; returns the unsubscribe. */
export type JobEventSubscribe = (event: JobProgressEvent, listener: (payload: unknown) => void) => () => void;

/**
 * Feeds a job's events into `progress`. Listening starts before the job does, so events that
 * arrive before its id is known are kept, and replayed once `track` names it.
 */
export function followJobEvents(subscribe: JobEventSubscribe, progress: JobProgress): { track(jobId: string): void; stop(): void } {
  let jobId: string | null = null;
  const early: Array<[JobProgressEvent, JobEventPayload]> = [];
  const offs = JOB_PROGRESS_EVENTS.map((name) =>
    subscribe(name, (raw) => {
      const payload = raw as JobEventPayload;
      if (jobId === null) early.push([name, payload]);
      else if (payload.jobId === jobId) progress.event(name, payload);
    }),
  );
  return {
    track(id) {
      jobId = id;
      for (const [name, payload] of early.splice(0)) if (payload.jobId === id) progress.event(name, payload);
    },
    stop() {
      for (const off of offs) off();
    },
  };
}
