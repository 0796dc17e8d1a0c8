import { useCallback, useEffect } from 'react';
import type { JobSummary } from '../../../shared/jobs.js';
import { useApi } from '../../../ui-common/api/context.js';
import { useLoad, type Loaded } from './use-load.js';

function newestFirst(a: JobSummary, b: JobSummary): number {
  return b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);
}

/**
 * The journaled jobs (jobs.list), of one target or of all, newest first; asked again when a job
 * of theirs starts or finishes (step events do not change the list).
 */
export function useJobList({ target, limit }: { target?: string; limit: number }): Loaded<JobSummary[]> {
  const api = useApi();
  const fetchJobs = useCallback(async () => [...(await api.call('jobs.list', { ...(target !== undefined ? { target } : {}), limit }))].sort(newestFirst), [api, target, limit]);
  const jobs = useLoad(fetchJobs, { loadingAtFirst: true });
  const { load } = jobs;

  useEffect(() => {
    const ours = (ev: unknown) => target === undefined || (ev as { target?: unknown }).target === target;
    const offs = [api.on('jobs.started', (ev) => ours(ev) && void load()), api.on('jobs.finished', (ev) => ours(ev) && void load())];
    return () => {
      for (const off of offs) off();
    };
  }, [api, load, target]);

  return jobs;
}
