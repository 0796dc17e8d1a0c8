import { useCallback, useEffect, useRef, useState } from 'react';
import type { JobSummary } from '../../../shared/jobs.js';
import { useApi } from '../../../ui-common/api/context.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { JobPanel, jobStateLabel } from '../components/JobView.js';
import { toFleetError, type FleetError } from '../lib/errors.js';
import { formatDateTime } from '../lib/format.js';
import { href, navigate } from '../lib/router.js';

/** `tenant:<hostId>/<name>` reads as `<host name>/<name>` when the host is known. */
export function targetText(target: string, hostName: (id: string) => string | undefined): string {
  const m = /^tenant:([^/]+)\/(.+)$/.exec(target);
  if (!m || !m[1] || !m[2]) return target;
  return `${hostName(m[1]) ?? m[1]}/${m[2]}`;
}

function newestFirst(a: JobSummary, b: JobSummary): number {
  return b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);
}

export function JobsPage({ hostName }: { hostName: (id: string) => string | undefined }) {
  const api = useApi();
  const [jobs, setJobs] = useState<JobSummary[] | null>(null);
  const [error, setError] = useState<FleetError | null>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const list = await api.call('jobs.list', { limit: 200 });
      if (mine !== seq.current) return;
      setJobs([...list].sort(newestFirst));
      setError(null);
    } catch (e) {
      if (mine === seq.current) setError(toFleetError(e));
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [api]);

  useEffect(() => {
    void load();
    // New and finished jobs change the list; step events do not.
    const offs = [api.on('jobs.started', () => void load()), api.on('jobs.finished', () => void load())];
    return () => {
      for (const off of offs) off();
    };
  }, [api, load]);

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
          <thead>
            <tr>
              <th>Kind</th>
              <th>Target</th>
              <th>State</th>
              <th>Created</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {(jobs ?? []).map((j) => (
              <tr
                key={j.id}
                data-testid={`job-row-${j.id}`}
                data-state={j.state}
                tabIndex={0}
                onClick={() => navigate(href.job(j.id))}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') navigate(href.job(j.id));
                }}
              >
                <td className="mono ellipsis-cell" title={j.kind}>
                  <a href={href.job(j.id)} onClick={(e) => e.stopPropagation()}>
                    {j.kind}
                  </a>
                </td>
                <td className="ellipsis-cell" title={j.target}>
                  {targetText(j.target, hostName)}
                </td>
                <td className="ellipsis-cell">
                  <span className={`job-state job-state-${j.state}`}>{jobStateLabel(j.state)}</span>
                </td>
                <td className="ellipsis-cell" title={j.createdAt}>
                  {formatDateTime(j.createdAt)}
                </td>
                <td className="ellipsis-cell" title={j.error ? `${j.error.step ? `${j.error.step}: ` : ''}${j.error.message}` : ''}>
                  {j.error ? (
                    <span className="danger-text">
                      {j.error.step ? <code>{j.error.step}</code> : null} {j.error.message}
                    </span>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
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
