import { useCallback, useEffect, useRef, useState } from 'react';
import type { JobSummary } from '../../../../shared/jobs.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { jobStateLabel } from '../../components/JobView.js';
import { toFleetError, type FleetError } from '../../lib/errors.js';
import { formatDateTime } from '../../lib/format.js';
import { href, navigate } from '../../lib/router.js';

/** The jobs journaled for one tenant (jobs.list by target), newest first, live on jobs.* events. */
export function TenantJobs({ target }: { target: string }) {
  const api = useApi();
  const [jobs, setJobs] = useState<JobSummary[] | null>(null);
  const [error, setError] = useState<FleetError | null>(null);
  const seq = useRef(0);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const list = await api.call('jobs.list', { target, limit: 100 });
      if (mine !== seq.current) return;
      setJobs([...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)));
      setError(null);
    } catch (e) {
      if (mine === seq.current) setError(toFleetError(e));
    }
  }, [api, target]);

  useEffect(() => {
    void load();
    const mine = (ev: unknown) => (ev as { target?: unknown }).target === target;
    const offs = [api.on('jobs.started', (ev) => mine(ev) && void load()), api.on('jobs.finished', (ev) => mine(ev) && void load())];
    return () => {
      for (const off of offs) off();
    };
  }, [api, load, target]);

  return (
    <section className="card tenant-jobs" aria-label="Jobs history" data-testid="tenant-jobs">
      <div className="section-head">
        <h3 className="card-title">
          Jobs <span className="muted">{jobs ? jobs.length : ''}</span>
        </h3>
        <a className="small" href={href.jobs}>
          All jobs
        </a>
      </div>
      {error ? <ErrorBox error={error} compact testId="tenant-jobs-error" /> : null}
      {jobs && jobs.length > 0 ? (
        <div className="table-wrap">
          <table className="table table-dense table-hover" data-testid="tenant-jobs-table">
            <thead>
              <tr>
                <th>Kind</th>
                <th>State</th>
                <th>By</th>
                <th>Created</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => (
                <tr key={j.id} data-testid={`tenant-job-row-${j.id}`} data-kind={j.kind} data-state={j.state} onClick={() => navigate(href.job(j.id))}>
                  <td className="mono">
                    <a href={href.job(j.id)} onClick={(e) => e.stopPropagation()}>
                      {j.kind}
                    </a>
                  </td>
                  <td>
                    <span className={`job-state job-state-${j.state}`}>{jobStateLabel(j.state)}</span>
                  </td>
                  <td className="small">{j.actor}</td>
                  <td className="nowrap small" title={j.createdAt}>
                    {formatDateTime(j.createdAt)}
                  </td>
                  <td className="wrap-anywhere small">
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
      ) : (
        <p className="muted">{jobs ? 'No jobs for this tenant.' : 'Loading…'}</p>
      )}
    </section>
  );
}
