import { useEffect, useState } from 'react';
import type { JobView } from '../../../../shared/jobs.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { FollowedJob } from '../../components/DialogActions.js';
import { Modal } from '../../components/Modal.js';
import { TypedConfirm } from '../../components/TypedConfirm.js';
import { pushFlash } from '../../lib/flash.js';
import { formatBytes } from '../../lib/format.js';
import { href, navigate } from '../../lib/router.js';
import { jobFinished, useStartedJob } from '../../lib/use-job.js';
import { useSubmit } from '../../lib/use-submit.js';
import { PosSessionsNotice } from './PosNotices.js';

export interface ArchiveInfo {
  path: string;
  sha256: string | null;
  bytes: number | null;
}

function pick(o: unknown): ArchiveInfo | null {
  if (typeof o !== 'object' || o === null) return null;
  const r = o as Record<string, unknown>;
  const p = typeof r['path'] === 'string' ? r['path'] : typeof r['archivePath'] === 'string' ? r['archivePath'] : null;
  if (!p) return null;
  const sha = typeof r['sha256'] === 'string' ? r['sha256'] : null;
  const bytes = typeof r['bytes'] === 'number' ? r['bytes'] : null;
  return { path: p, sha256: sha, bytes };
}

/**
 * Where a decommission job wrote the final archive: the job's public result (jobs.get → result,
 * `{path,…}` or `{archive: {path,…}}`), when the backend exposes it.
 */
export function archiveOf(job: JobView | null): ArchiveInfo | null {
  const result = (job as { result?: unknown } | null)?.result;
  if (typeof result !== 'object' || result === null) return null;
  return pick(result) ?? pick((result as Record<string, unknown>)['archive']);
}

/**
 * Decommission after typing the tenant's name: explains what happens, starts the job, follows it,
 * and on success returns to the host page, which shows where the final archive was written.
 */
export function DecommissionDialog({ hostId, hostName, name, onClose }: { hostId: string; hostName: string; name: string; onClose: () => void }) {
  const api = useApi();
  const submit = useSubmit();
  const [jobId, setJobId] = useState<string | null>(null);
  const { job, running } = useStartedJob(jobId);

  // Succeeded: back to the host page, with the archive's whereabouts as a notice there.
  const done = job?.state === 'succeeded' ? job : null;
  useEffect(() => {
    if (!done) return;
    const archive = archiveOf(done);
    pushFlash({
      id: `decommission-${done.id}`,
      hostId,
      tone: 'ok',
      title: `Tenant ${name} was decommissioned.`,
      lines: archive
        ? [
            { label: 'Final archive (on this machine)', value: archive.path, testId: 'decommission-archive-path' },
            ...(archive.sha256 ? [{ label: 'SHA-256', value: archive.sha256 }] : []),
            ...(archive.bytes !== null ? [{ label: 'Size', value: formatBytes(archive.bytes) }] : []),
          ]
        : [{ label: 'Final archive', value: 'written and verified; this console version does not report its path — see the job', testId: 'decommission-archive-path' }],
      jobId: done.id,
    });
    navigate(href.host(hostId));
  }, [done, hostId, name]);

  const decommission = async (typed: string) => {
    const started = await api.call('tenants.decommission', { hostId, name, confirm: typed });
    setJobId(started.jobId);
  };

  return (
    <Modal
      title={`Decommission ${name}`}
      testId="decommission-dialog"
      onClose={onClose}
      closable={!running && !submit.busy}
      description={
        <>
          <p>
            This removes tenant <strong className="mono">{name}</strong> from <strong>{hostName}</strong> for good. The console runs it as a job:
          </p>
          <ol className="modal-steps">
            <li>stops the Odoo server;</li>
            <li>
              writes a <strong>final archive in Odoo’s backup format</strong> (database dump and filestore, a .zip) <strong>on this machine</strong>, where
              the console runs, and verifies it;
            </li>
            <li>
              then removes the tenant’s <strong>containers, database, database role, filestore and secrets volumes and stored passwords</strong>.
            </li>
          </ol>
          <PosSessionsNotice hostId={hostId} name={name} action="decommission" />
          <p className="small muted">
            Until the archive is verified, a failure puts the tenant back as it was. After that the removal only goes forward: the archive is the only copy
            left.
          </p>
        </>
      }
    >
      {jobId ? (
        <FollowedJob jobId={jobId} title="Decommission" running={running} onClose={onClose} testIdPrefix="decommission">
          {job && jobFinished(job.state) && job.state !== 'succeeded' ? (
            <p className="small" data-testid="decommission-outcome">
              The tenant was not removed. <a href={href.job(jobId)}>Job details</a>
            </p>
          ) : null}
        </FollowedJob>
      ) : (
        <TypedConfirm expected={name} what="tenant’s name" testId="decommission" submit={submit} onConfirm={decommission} onCancel={onClose} label={`Decommission ${name}`} />
      )}
    </Modal>
  );
}
