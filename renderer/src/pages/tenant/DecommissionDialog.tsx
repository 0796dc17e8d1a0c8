import { useEffect, useState, type FormEvent } from 'react';
import type { JobView } from '../../../../shared/jobs.js';
import { useApi } from '../../api/context.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { JobPanel } from '../../components/JobView.js';
import { Modal } from '../../components/Modal.js';
import { confirmed, TypedConfirm } from '../../components/TypedConfirm.js';
import { toFleetError, type FleetError } from '../../lib/errors.js';
import { pushFlash } from '../../lib/flash.js';
import { formatBytes } from '../../lib/format.js';
import { href, navigate } from '../../lib/router.js';
import { jobFinished, useJob } from '../../lib/use-job.js';

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
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FleetError | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const { job } = useJob(jobId);
  const matches = confirmed(typed, name);
  const running = jobId !== null && !jobFinished(job?.state);

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

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!matches || busy) return;
    setBusy(true);
    setError(null);
    try {
      const started = await api.call('tenants.decommission', { hostId, name, confirm: typed });
      setJobId(started.jobId);
    } catch (err) {
      setError(toFleetError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title={`Decommission ${name}`}
      testId="decommission-dialog"
      onClose={onClose}
      closable={!running && !busy}
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
          <p className="small muted">
            Until the archive is verified, a failure puts the tenant back as it was. After that the removal only goes forward: the archive is the only copy
            left.
          </p>
        </>
      }
    >
      {jobId ? (
        <>
          <JobPanel jobId={jobId} title="Decommission" />
          {job && jobFinished(job.state) && job.state !== 'succeeded' ? (
            <p className="small" data-testid="decommission-outcome">
              The tenant was not removed. <a href={href.job(jobId)}>Job details</a>
            </p>
          ) : null}
          <div className="actions">
            <button type="button" className="btn" onClick={onClose} disabled={running} data-testid="decommission-close">
              {running ? 'Running…' : 'Close'}
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <TypedConfirm expected={name} what="tenant’s name" value={typed} onChange={setTyped} testId="decommission-confirm-input" />
          {error ? <ErrorBox error={error} compact testId="decommission-error" /> : null}
          <div className="actions">
            <button type="submit" className="btn btn-danger" disabled={!matches || busy} data-testid="decommission-submit">
              {busy ? 'Starting…' : `Decommission ${name}`}
            </button>
            <button type="button" className="btn" onClick={onClose} disabled={busy} data-testid="decommission-cancel">
              Cancel
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
