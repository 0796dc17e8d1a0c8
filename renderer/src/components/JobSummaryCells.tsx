import type { JobSummary } from '../../../shared/jobs.js';
import { href } from '../lib/router.js';
import { jobStateLabel } from './JobView.js';

// What a row of a jobs table shows of one job, the same on the Jobs page and a tenant's history.

/** The job's kind, a link to its page (the row's own click goes there too). */
export function JobKindLink({ job }: { job: JobSummary }) {
  return (
    <a href={href.job(job.id)} onClick={(e) => e.stopPropagation()}>
      {job.kind}
    </a>
  );
}

export function JobStateTag({ state }: { state: string }) {
  return <span className={`job-state job-state-${state}`}>{jobStateLabel(state)}</span>;
}

/** The failed step and message, or a dash. */
export function JobErrorText({ error }: { error: JobSummary['error'] }) {
  return error ? (
    <span className="danger-text">
      {error.step ? <code>{error.step}</code> : null} {error.message}
    </span>
  ) : (
    <span className="muted">—</span>
  );
}
