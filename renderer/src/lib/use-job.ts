import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventName } from '../../../shared/contract.js';
import type { JobView } from '../../../shared/jobs.js';
import { useApi } from '../../../ui-common/api/context.js';
import { toFleetError, type FleetError } from './errors.js';
import { useIntervalRefresh } from './use-interval-refresh.js';

// Follows one durable job: jobs.get for the journaled truth, the jobs.* events for live updates
// between fetches. Events carry only what changed, so they are laid over the last fetch; a fetch
// replaces the view and then replays the events that arrived after it was started.

export const FINISHED_JOB_STATES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'compensated', 'cancelled']);

export function jobFinished(state: string | undefined): boolean {
  return state !== undefined && FINISHED_JOB_STATES.has(state);
}

/** The fields of the jobs.* payloads (electron/jobs/types.ts JobEventMap) that the UI reads. */
interface JobEventPayload {
  jobId: string;
  index?: number;
  name?: string;
  phase?: 'run' | 'compensate';
  state?: string;
  direction?: 'forward' | 'backward';
  fraction?: number;
  message?: string | null;
  error?: { code: string; message: string; step?: string | null } | null;
}

type Seen = { seq: number; event: EventName; payload: JobEventPayload };

export interface StepProgress {
  fraction: number;
  message: string | null;
}

export interface JobFollow {
  job: JobView | null;
  error: FleetError | null;
  loading: boolean;
  /** Progress inside running steps, by step index (streamed, never journaled). */
  progress: ReadonlyMap<number, StepProgress>;
  refetch: () => Promise<void>;
}

const JOB_EVENTS: readonly EventName[] = ['jobs.started', 'jobs.step.started', 'jobs.step.progress', 'jobs.step.finished', 'jobs.finished'];
const POLL_MS = 4000;

function apply(job: JobView, { event, payload }: Seen): JobView {
  const setStep = (patch: Partial<JobView['steps'][number]>) => {
    const steps = job.steps.map((s) => (s.index === payload.index || (payload.index === undefined && s.name === payload.name) ? { ...s, ...patch } : s));
    return steps;
  };
  switch (event) {
    case 'jobs.started':
      return { ...job, state: payload.direction === 'backward' ? 'compensating' : 'running' };
    case 'jobs.step.started':
      return {
        ...job,
        state: jobFinished(job.state) ? job.state : payload.phase === 'compensate' ? 'compensating' : 'running',
        steps: setStep({ state: payload.phase === 'compensate' ? 'compensating' : 'running' }),
      };
    case 'jobs.step.finished':
      return payload.state ? { ...job, steps: setStep({ state: payload.state, ...(payload.error !== undefined && payload.phase !== 'compensate' ? { error: payload.error } : {}) }) } : job;
    case 'jobs.finished':
      return {
        ...job,
        state: payload.state ?? job.state,
        error: payload.error ? { code: payload.error.code, message: payload.error.message, step: payload.error.step ?? null } : job.error,
      };
    default:
      return job;
  }
}

export function useJob(jobId: string | null): JobFollow {
  const api = useApi();
  const [job, setJob] = useState<JobView | null>(null);
  const [error, setError] = useState<FleetError | null>(null);
  const [loading, setLoading] = useState(false);
  const [progress, setProgress] = useState<ReadonlyMap<number, StepProgress>>(new Map());
  const seen = useRef<Seen[]>([]);
  const seq = useRef(0);
  const fetchSeq = useRef(0);

  const refetch = useCallback(async () => {
    if (!jobId) return;
    const mine = ++fetchSeq.current;
    const from = seq.current;
    setLoading(true);
    try {
      const fetched = await api.call('jobs.get', { id: jobId });
      if (mine !== fetchSeq.current) return;
      const later = seen.current.filter((s) => s.seq > from);
      seen.current = later;
      setJob(later.reduce(apply, fetched));
      setError(null);
    } catch (e) {
      if (mine === fetchSeq.current) setError(toFleetError(e));
    } finally {
      if (mine === fetchSeq.current) setLoading(false);
    }
  }, [api, jobId]);

  useEffect(() => {
    setJob(null);
    setError(null);
    setProgress(new Map());
    seen.current = [];
    if (!jobId) return;
    void refetch();
    const offs = JOB_EVENTS.map((event) =>
      api.on(event, (raw) => {
        const payload = raw as JobEventPayload;
        if (payload.jobId !== jobId) return;
        if (event === 'jobs.step.progress') {
          if (typeof payload.index === 'number' && typeof payload.fraction === 'number') {
            const index = payload.index;
            const entry: StepProgress = { fraction: payload.fraction, message: payload.message ?? null };
            setProgress((m) => new Map(m).set(index, entry));
          }
          return;
        }
        const s: Seen = { seq: ++seq.current, event, payload };
        seen.current.push(s);
        setJob((j) => (j ? apply(j, s) : j));
        if (event === 'jobs.step.finished' || event === 'jobs.finished') void refetch();
      }),
    );
    return () => {
      for (const off of offs) off();
    };
  }, [api, jobId, refetch]);

  // A safety net for events lost while the link was down: poll until the job has finished.
  useIntervalRefresh(refetch, POLL_MS, jobId !== null && job !== null && !jobFinished(job.state));

  return { job, error, loading, progress, refetch };
}

/** Overall progress 0..1: finished steps plus the running step's own fraction. */
export function jobFraction(job: JobView, progress: ReadonlyMap<number, StepProgress>): number {
  if (job.state === 'succeeded') return 1;
  const total = job.steps.length;
  if (total === 0) return 0;
  let done = 0;
  for (const s of job.steps) {
    if (s.state === 'done' || s.state === 'skipped') done += 1;
    else if (s.state === 'running') done += Math.max(0, Math.min(1, progress.get(s.index)?.fraction ?? 0));
  }
  return Math.max(0, Math.min(1, done / total));
}

/** A dialog's job once it has started: its view, and whether it still runs (the dialog stays open). */
export function useStartedJob(jobId: string | null): { job: JobView | null; running: boolean } {
  const { job } = useJob(jobId);
  return { job, running: jobId !== null && !jobFinished(job?.state) };
}
