import { useEffect, useRef, useState } from 'react';
import type { JobView as Job } from '../../../shared/jobs.js';
import { useApi } from '../../../ui-common/api/context.js';
import { toFleetError, type FleetError } from '../lib/errors.js';
import { formatDateTime } from '../lib/format.js';
import { NEEDS } from '../lib/roles.js';
import { useCan } from '../lib/session.js';
import { jobFinished, jobFraction, useJob, type StepProgress } from '../lib/use-job.js';
import { ErrorBox } from './ErrorBox.js';

const STEP_LABELS: Record<string, { icon: string; label: string }> = {
  pending: { icon: '○', label: 'pending' },
  running: { icon: '◐', label: 'running' },
  done: { icon: '✓', label: 'done' },
  failed: { icon: '✕', label: 'failed' },
  compensating: { icon: '↺', label: 'undoing' },
  compensated: { icon: '↶', label: 'undone' },
  skipped: { icon: '–', label: 'skipped' },
};

const JOB_LABELS: Record<string, string> = {
  queued: 'queued',
  running: 'running',
  compensating: 'undoing',
  succeeded: 'succeeded',
  failed: 'failed',
  compensated: 'failed, undone',
  cancelled: 'cancelled',
};

export function jobStateLabel(state: string): string {
  return JOB_LABELS[state] ?? state;
}

/** "Step <title> failed: <message>" — names the failed step, as the journal recorded it. */
export function jobErrorText(job: Job): string | null {
  if (!job.error) return null;
  const step = job.error.step ? job.steps.find((s) => s.name === job.error?.step) : undefined;
  const where = step ? `Step “${step.title}” (${step.name}) failed` : job.error.step ? `Step ${job.error.step} failed` : 'The job failed';
  return `${where}: ${job.error.message} [${job.error.code}]`;
}

function ProgressBar({ job, progress, compact }: { job: Job; progress: ReadonlyMap<number, StepProgress>; compact?: boolean }) {
  const pct = Math.round(jobFraction(job, progress) * 100);
  const level = job.state === 'succeeded' ? 'ok' : job.state === 'failed' || job.state === 'compensated' || job.state === 'compensating' ? 'danger' : job.state === 'cancelled' ? 'warn' : 'run';
  return (
    <div
      className={`bar job-bar job-bar-${level}${compact ? ' job-bar-compact' : ''}`}
      role="progressbar"
      aria-label="Job progress"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      data-testid="job-progress"
      data-value={pct}
    >
      <div className="bar-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}

/** A running step's own progress (e.g. a backup's bytes read of the estimate), under its title. */
function StepProgressBar({ progress }: { progress: StepProgress }) {
  const pct = Math.round(Math.max(0, Math.min(1, progress.fraction)) * 100);
  return (
    <div
      className="bar job-step-bar"
      role="progressbar"
      aria-label="Step progress"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      aria-valuetext={progress.message ?? `${pct}%`}
      data-testid="job-step-progress"
      data-value={pct}
    >
      <div className="bar-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}

function CancelButton({ job, onDone, small }: { job: Job; onDone: () => void; small?: boolean }) {
  const api = useApi();
  const canCancel = useCan(NEEDS.cancelJob);
  const [state, setState] = useState<{ busy: boolean; error: FleetError | null }>({ busy: false, error: null });
  if (!canCancel || jobFinished(job.state) || job.state === 'compensating') return null;
  const cancel = async () => {
    setState({ busy: true, error: null });
    try {
      await api.call('jobs.cancel', { id: job.id });
      setState({ busy: false, error: null });
    } catch (e) {
      setState({ busy: false, error: toFleetError(e) });
    }
    onDone();
  };
  return (
    <>
      <button
        type="button"
        className={`btn btn-danger-ghost${small ? ' btn-small' : ''}`}
        onClick={() => void cancel()}
        disabled={state.busy || job.cancelRequested}
        data-testid="job-cancel"
      >
        {job.cancelRequested ? 'Cancelling…' : state.busy ? 'Cancelling…' : 'Cancel'}
      </button>
      {state.error ? <ErrorBox error={state.error} compact testId="job-cancel-error" /> : null}
    </>
  );
}

/** A job with its progress bar, steps and outcome; follows it live. `onFinished` is called once it has finished. */
export function JobPanel({ jobId, title, onFinished }: { jobId: string; title?: string; onFinished?: (job: Job) => void }) {
  const { job, error, progress, refetch } = useJob(jobId);
  const finishedRef = useRef(onFinished);
  useEffect(() => {
    finishedRef.current = onFinished;
  });
  const finalJob = job && jobFinished(job.state) ? job : null;
  const reported = useRef<string | null>(null);
  useEffect(() => {
    // Once per final state, not on every refetch of the finished job.
    if (!finalJob || reported.current === finalJob.state) return;
    reported.current = finalJob.state;
    finishedRef.current?.(finalJob);
  }, [finalJob]);

  if (!job) {
    return error ? <ErrorBox error={error} testId="job-load-error" /> : <div className="loading">Loading job…</div>;
  }

  const errText = jobErrorText(job);
  return (
    <section className="card job-panel" aria-label="Job" data-testid="job-view" data-job-id={job.id}>
      <div className="job-head">
        <h3 className="card-title">
          {title ?? job.kind} <span className="muted mono small">{job.target}</span>
        </h3>
        <span className={`job-state job-state-${job.state}`} data-testid="job-state" data-state={job.state}>
          {jobStateLabel(job.state)}
        </span>
      </div>
      <ProgressBar job={job} progress={progress} />
      <ol className="job-steps">
        {job.steps.map((s) => {
          const l = STEP_LABELS[s.state] ?? { icon: '?', label: s.state };
          const p = s.state === 'running' ? progress.get(s.index) : undefined;
          return (
            <li key={s.index} className={`job-step job-step-${s.state}`} data-testid={`job-step-${s.name}`} data-state={s.state}>
              <span className="job-step-icon" aria-hidden="true">
                {l.icon}
              </span>
              <span className="job-step-title">{s.title}</span>
              <span className="job-step-state">
                {l.label}
                {p ? ` ${Math.round(p.fraction * 100)}%` : ''}
                {s.attempts > 1 ? ` (attempt ${s.attempts})` : ''}
              </span>
              {p ? <StepProgressBar progress={p} /> : null}
              {p?.message ? (
                <span className="job-step-msg muted small" data-testid="job-step-message">
                  {p.message}
                </span>
              ) : null}
              {s.error ? <span className="job-step-err small">{s.error.message}</span> : null}
              {s.compensationError ? <span className="job-step-err small">undo failed: {s.compensationError.message}</span> : null}
            </li>
          );
        })}
      </ol>
      {errText ? (
        <div className="error-box compact" role="alert" data-testid="job-error" data-code={job.error?.code} data-step={job.error?.step ?? undefined}>
          {errText}
        </div>
      ) : null}
      {error ? <ErrorBox error={error} compact testId="job-load-error" /> : null}
      <div className="job-foot small muted">
        <span>
          by {job.actor} · created {formatDateTime(job.createdAt)}
          {job.finishedAt ? ` · finished ${formatDateTime(job.finishedAt)}` : ''}
          {job.resumeCount > 0 ? ` · resumed ${job.resumeCount}×` : ''}
        </span>
        <CancelButton job={job} onDone={() => void refetch()} />
      </div>
    </section>
  );
}

/** One line for a table row: a small bar, the running step and the state. */
export function JobInline({ jobId, onFinished }: { jobId: string; onFinished?: (state: string) => void }) {
  const { job, error, progress, refetch } = useJob(jobId);
  const finishedRef = useRef(onFinished);
  useEffect(() => {
    finishedRef.current = onFinished;
  });
  const finalState = job && jobFinished(job.state) ? job.state : null;
  useEffect(() => {
    if (finalState) finishedRef.current?.(finalState);
  }, [finalState]);
  if (!job) return <span className="muted small">{error ? error.message : 'starting…'}</span>;
  const current = job.steps.find((s) => s.state === 'running' || s.state === 'compensating' || s.state === 'failed');
  const errText = jobErrorText(job);
  return (
    <span className="job-inline" data-testid="job-inline" data-job-id={job.id}>
      <ProgressBar job={job} progress={progress} compact />
      <span className={`job-state job-state-${job.state}`} data-testid="job-state" data-state={job.state}>
        {jobStateLabel(job.state)}
      </span>
      {current && !jobFinished(job.state) ? <span className="muted small ellipsis">{current.title}</span> : null}
      {errText ? (
        <span className="job-inline-err small" data-testid="job-error" title={errText}>
          {errText}
        </span>
      ) : null}
      <CancelButton job={job} onDone={() => void refetch()} small />
    </span>
  );
}
