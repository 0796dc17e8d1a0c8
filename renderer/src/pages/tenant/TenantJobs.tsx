import type { JobSummary } from '../../../../shared/jobs.js';
import { CountedTitle } from '../../components/CountedTitle.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { JobErrorText, JobKindLink, JobStateTag } from '../../components/JobSummaryCells.js';
import { TableHead } from '../../components/TableHead.js';
import { formatDateTime } from '../../lib/format.js';
import { href, navigate } from '../../lib/router.js';
import { useJobList } from '../../lib/use-job-list.js';

/** The jobs journaled for one tenant (jobs.list by target), newest first, live on jobs.* events. */
export function TenantJobs({ target }: { target: string }) {
  const { value: jobs, error } = useJobList({ target, limit: 100 });

  return (
    <section className="card tenant-jobs" aria-label="Jobs history" data-testid="tenant-jobs">
      <div className="section-head">
        <CountedTitle title="Jobs" count={jobs ? jobs.length : ''} />
        <a className="small" href={href.jobs}>
          All jobs
        </a>
      </div>
      {error ? <ErrorBox error={error} compact testId="tenant-jobs-error" /> : null}
      {jobs && jobs.length > 0 ? (
        <div className="table-wrap">
          <table className="table table-dense table-hover" data-testid="tenant-jobs-table">
            <TableHead labels={['Kind', 'State', 'By', 'Created', 'Error']} />
            <tbody>
              {jobs.map((j) => <TenantJobRow key={j.id} job={j} />)}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted">{jobs ? 'No jobs for this tenant.' : 'Loading…'}</p>
      )}
    </section>
  );
}

/** One job of the tenant; the row opens it. */
function TenantJobRow({ job: j }: { job: JobSummary }) {
  return (
    <tr data-testid={`tenant-job-row-${j.id}`} data-kind={j.kind} data-state={j.state} onClick={() => navigate(href.job(j.id))}>
      <td className="mono">
        <JobKindLink job={j} />
      </td>
      <td>
        <JobStateTag state={j.state} />
      </td>
      <td className="small">{j.actor}</td>
      <td className="nowrap small" title={j.createdAt}>
        {formatDateTime(j.createdAt)}
      </td>
      <td className="wrap-anywhere small">
        <JobErrorText error={j.error} />
      </td>
    </tr>
  );
}
