import type { JobSummary } from '../../../shared/jobs.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { JobErrorText, JobKindLink, JobStateTag } from '../components/JobSummaryCells.js';
import { JobPanel } from '../components/JobView.js';
import { TableHead } from '../components/TableHead.js';
import { formatDateTime } from '../lib/format.js';
import { href, navigate } from '../lib/router.js';
import { useJobList } from '../lib/use-job-list.js';

/** `tenant:<hostId>/<name>` reads as `<host name>/<name>` when the host is known. */
export function targetText(target: string, hostName: (id: string) => string | undefined): string {
  const m = /^tenant:([^/]+)\/(.+)$/.exec(target);
  if (!m || !m[1] || !m[2]) return target;
  return `${hostName(m[1]) ?? m[1]}/${m[2]}`;
}

export function JobsPage({ hostName }: { hostName: (id: string) => string | undefined }) {
  const { value: jobs, error, loading, load } = useJobList({ limit: 200 });

  return (
    <div className="jobs-page">
      <div className="inline-row">
        <p className="muted grow">Durable jobs (tenant creation and lifecycle), newest first. Open one to follow its steps.</p>
        <button type="button" className="btn" onClick={() => void load()} disabled={loading} data-testid="jobs-refresh">
          Refresh
        </button>
      </div>
      {error ? <ErrorBox error={error} testId="jobs-error" /> : null}
      <div className="table-wrap">
        <table className="table table-dense table-hover table-fixed" data-testid="jobs-table">
          <colgroup>
            <col className="w-op" />
            <col />
            <col className="w-outcome" />
            <col className="w-time" />
            <col />
          </colgroup>
          <TableHead labels={['Kind', 'Target', 'State', 'Created', 'Error']} />
          <tbody>
            {(jobs ?? []).map((j) => <JobRow key={j.id} job={j} hostName={hostName} />)}
          </tbody>
        </table>
      </div>
      {jobs && jobs.length === 0 ? <p className="muted">No jobs yet.</p> : null}
      {!jobs && loading ? <p className="muted">Loading…</p> : null}
    </div>
  );
}

export function JobPage({ id }: { id: string }) {
  return (
    <div className="job-page">
      <p>
        <a href={href.jobs} data-testid="back-to-jobs">
          ← All jobs
        </a>
      </p>
      <JobPanel jobId={id} />
    </div>
  );
}

/** One job of the list; the row opens the job (click, or Enter once focused). */
function JobRow({ job: j, hostName }: { job: JobSummary; hostName: (id: string) => string | undefined }) {
  return (
    <tr
      data-testid={`job-row-${j.id}`}
      data-state={j.state}
      tabIndex={0}
      onClick={() => navigate(href.job(j.id))}
      onKeyDown={(e) => {
        if (e.key === 'Enter') navigate(href.job(j.id));
      }}
    >
      <td className="mono ellipsis-cell" title={j.kind}>
        <JobKindLink job={j} />
      </td>
      <td className="ellipsis-cell" title={j.target}>
        {targetText(j.target, hostName)}
      </td>
      <td className="ellipsis-cell">
        <JobStateTag state={j.state} />
      </td>
      <td className="ellipsis-cell" title={j.createdAt}>
        {formatDateTime(j.createdAt)}
      </td>
      <td className="ellipsis-cell" title={j.error ? `${j.error.step ? `${j.error.step}: ` : ''}${j.error.message}` : ''}>
        <JobErrorText error={j.error} />
      </td>
    </tr>
  );
}
