import { Fragment, useCallback, useEffect, useRef, useState } from 'react';
import type { BackupEntry } from '../../../../shared/backups.js';
import { useApi } from '../../api/context.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { JobPanel } from '../../components/JobView.js';
import { toFleetError, type FleetError } from '../../lib/errors.js';
import { formatBytes, formatDateTime, formatDuration } from '../../lib/format.js';
import { NEEDS } from '../../lib/roles.js';
import { useCan } from '../../lib/session.js';
import { BackupSchedule } from './BackupSchedule.js';
import { RestoreDialog } from './RestoreDialog.js';

// A tenant's backups: "Back up now" (backups.create, a job), the host's catalog for the tenant
// (backups.list, kept in the host's fleet database, so every console's backups are there) with
// Verify (backups.verify, a restore drill) and Restore… (backups.restore) per complete local
// backup, and the tenant's schedule and retention.

const STATE_CLASS: Record<BackupEntry['state'], string> = { running: 'tag', succeeded: 'tag tag-ok', failed: 'tag tag-bad' };

/** Copies text to the clipboard; on a page that is not a secure context, through a selected textarea. */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall back below
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}

/** Verify and restore need a complete archive on this machine. */
function restorable(b: BackupEntry): boolean {
  return b.state === 'succeeded' && b.destinations.some((d) => d.kind === 'local');
}

function Sha({ sha }: { sha: string | null }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  if (!sha) return <span className="muted">—</span>;
  return (
    <span className="sha" title={sha}>
      <code data-testid="backup-sha" data-sha={sha}>
        {sha.slice(0, 12)}
      </code>
      <button
        type="button"
        className="link-button small"
        onClick={() => void copyText(sha).then((ok) => {
          setCopied(ok);
          window.setTimeout(() => setCopied(null), 1500);
        })}
        aria-label="Copy the SHA-256"
        data-testid="backup-sha-copy"
      >
        {copied === null ? 'copy' : copied ? 'copied' : 'select it'}
      </button>
    </span>
  );
}

export function TenantBackups({ hostId, name, version }: { hostId: string; name: string; version: number }) {
  const api = useApi();
  const canBackup = useCan(NEEDS.createBackup);
  const canVerify = useCan(NEEDS.verifyBackup);
  const canRestore = useCan(NEEDS.restoreBackup);
  const [entries, setEntries] = useState<BackupEntry[] | null>(null);
  const [error, setError] = useState<FleetError | null>(null);
  const [loading, setLoading] = useState(false);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<FleetError | null>(null);
  const [job, setJob] = useState<{ id: string; title: string } | null>(null);
  const [jobDone, setJobDone] = useState(false);
  const [restoring, setRestoring] = useState<BackupEntry | null>(null);
  const [verifying, setVerifying] = useState<string | null>(null);
  const [scheduleBump, setScheduleBump] = useState(0);
  const seq = useRef(0);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const list = await api.call('backups.list', { hostId, name, limit: 100 });
      if (mine !== seq.current) return;
      setEntries(list);
      setError(null);
    } catch (e) {
      if (mine === seq.current) setError(toFleetError(e));
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [api, hostId, name]);

  useEffect(() => {
    void load();
  }, [load, version]);

  const backUp = async () => {
    setStarting(true);
    setStartError(null);
    try {
      const started = await api.call('backups.create', { hostId, name });
      setJobDone(false);
      setJob({ id: started.jobId, title: 'Back up' });
      void load(); // the catalog shows it running
    } catch (e) {
      setStartError(toFleetError(e));
    } finally {
      setStarting(false);
    }
  };

  const verify = async (b: BackupEntry) => {
    setVerifying(b.id);
    setStartError(null);
    try {
      const started = await api.call('backups.verify', { hostId, name, backupId: b.id });
      setJobDone(false);
      setJob({ id: started.jobId, title: 'Verify (restore drill)' });
    } catch (e) {
      setStartError(toFleetError(e));
    } finally {
      setVerifying(null);
    }
  };

  const running = job !== null && !jobDone;
  const showActions = canVerify || canRestore;
  const noDbServer = error?.code === 'VALIDATION';

  return (
    <section className="card tenant-backups" aria-label="Backups" data-testid="tenant-backups">
      <div className="section-head">
        <h3 className="card-title">
          Backups{' '}
          <span className="muted" data-testid="backups-count">
            {entries ? entries.length : ''}
          </span>
        </h3>
        <div className="inline-row">
          <button type="button" className="btn btn-small" onClick={() => void load()} disabled={loading} data-testid="backups-refresh">
            {loading ? 'Loading…' : 'Reload'}
          </button>
          {canBackup ? (
            <button type="button" className="btn btn-small btn-primary" onClick={() => void backUp()} disabled={starting || running} data-testid="backup-now">
              {starting ? 'Starting…' : running ? 'Job running…' : 'Back up now'}
            </button>
          ) : null}
        </div>
      </div>
      {!canBackup ? <p className="small muted">Backing up needs the support role.</p> : null}
      <p className="small muted">
        Odoo’s backup format (database dump from one snapshot, filestore), verified, on this machine; the catalog lives on the host, so every console
        sees it.
      </p>
      {!noDbServer ? <BackupSchedule hostId={hostId} name={name} version={version + scheduleBump} /> : null}
      {startError ? <ErrorBox error={startError} compact testId="backup-start-error" /> : null}
      {job ? (
        <JobPanel
          key={job.id}
          jobId={job.id}
          title={job.title}
          onFinished={() => {
            setJobDone(true);
            setScheduleBump((n) => n + 1);
            void load();
          }}
        />
      ) : null}
      {noDbServer ? (
        <p className="notice small" data-testid="backups-unavailable">
          {error?.message}
        </p>
      ) : error ? (
        <ErrorBox error={error} compact testId="backups-error" />
      ) : null}
      {entries && entries.length > 0 ? (
        <div className="table-wrap">
          <table className="table table-dense backups-table" data-testid="backups-table">
            <thead>
              <tr>
                <th>Started</th>
                <th>Archive</th>
                <th className="num">Size</th>
                <th className="num">Took</th>
                <th>SHA-256</th>
                <th>Odoo · PG</th>
                <th>Verified</th>
                {showActions ? <th aria-label="Actions" /> : null}
              </tr>
            </thead>
            <tbody>
              {entries.map((b) => (
                <Fragment key={b.id}>
                  <tr data-testid={`backup-row-${b.id}`} data-state={b.state} data-kind={b.kind} className={`backup-main${b.state === 'failed' ? ' is-failed' : ''}`}>
                    <td className="nowrap" title={b.startedAt}>
                      {formatDateTime(b.startedAt)}
                    </td>
                    <td className="nowrap">
                      <span className={b.kind === 'final' ? 'tag tag-bad' : 'tag'} data-testid="backup-kind" title={b.kind === 'final' ? 'The final archive of a decommission' : 'A backup'}>
                        {b.kind}
                      </span>{' '}
                      <span className={STATE_CLASS[b.state]} data-testid="backup-state" data-state={b.state}>
                        {b.state}
                      </span>
                    </td>
                    <td className="num nowrap" title={b.bytes === null ? '' : `${b.bytes} bytes`} data-testid="backup-size">
                      {b.bytes === null ? '—' : formatBytes(b.bytes)}
                    </td>
                    <td className="num nowrap">{formatDuration(b.durationMs)}</td>
                    <td className="nowrap">
                      <Sha sha={b.sha256} />
                    </td>
                    <td className="nowrap small" title={`Odoo ${b.odooVersion ?? '?'} · PostgreSQL ${b.pgVersion ?? '?'}`}>
                      {b.odooVersion || b.pgVersion ? `${b.odooVersion ?? '?'} · ${b.pgVersion ?? '?'}` : '—'}
                    </td>
                    <td className="nowrap small" title={b.verification ? `${b.verification.method}, ${formatDateTime(b.verification.at)}: ${b.verification.detail}` : ''}>
                      {b.verification ? (
                        <span
                          className={b.verification.ok ? 'text-ok' : 'text-fail'}
                          data-testid="backup-verdict"
                          data-ok={b.verification.ok ? 'true' : 'false'}
                          data-method={b.verification.method}
                        >
                          {b.verification.ok ? '✓' : '✕'} {b.verification.method} {b.verification.ok ? 'ok' : 'failed'}
                        </span>
                      ) : (
                        <span className="muted" data-testid="backup-verdict" data-ok="">
                          not verified
                        </span>
                      )}
                    </td>
                    {showActions ? (
                      <td className="nowrap">
                        {restorable(b) ? (
                          <span className="inline-row backup-actions">
                            {canVerify ? (
                              <button
                                type="button"
                                className="btn btn-small"
                                onClick={() => void verify(b)}
                                disabled={running || verifying !== null}
                                data-testid="backup-verify"
                              >
                                {verifying === b.id ? 'Starting…' : 'Verify'}
                              </button>
                            ) : null}
                            {canRestore ? (
                              <button type="button" className="btn btn-small btn-danger-ghost" onClick={() => setRestoring(b)} disabled={running} data-testid="backup-restore">
                                Restore…
                              </button>
                            ) : null}
                          </span>
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                  <tr className={`backup-detail${b.state === 'failed' ? ' is-failed' : ''}`} data-testid={`backup-detail-${b.id}`}>
                    <td colSpan={showActions ? 8 : 7} className="small">
                      <span data-testid="backup-contents">
                        {b.rowCounts ? `${Object.keys(b.rowCounts).length} tables counted` : 'no table counts'}
                        {b.filestore ? ` · ${b.filestore.files} filestore files` : ''}
                      </span>
                      {b.destinations.length > 0 ? (
                        <>
                          <span className="muted"> · </span>
                          <span className="mono wrap-anywhere" title={b.destinations.map((d) => `${d.kind}: ${d.path}`).join('\n')} data-testid="backup-path">
                            {b.destinations.map((d) => d.path).join(', ')}
                          </span>
                        </>
                      ) : null}
                      {b.verification ? (
                        <div className="wrap-anywhere" data-testid="backup-verdict-detail">
                          <span className="muted">
                            {b.verification.method === 'restore' ? 'Restore drill' : 'Check'} {formatDateTime(b.verification.at)}:{' '}
                          </span>
                          {b.verification.detail}
                        </div>
                      ) : null}
                      {b.error ? (
                        <div className="danger-text wrap-anywhere" data-testid={`backup-error-${b.id}`}>
                          {b.error}
                        </div>
                      ) : null}
                    </td>
                  </tr>
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      ) : !noDbServer && !error ? (
        <p className="muted small" data-testid="backups-empty">
          {entries ? 'No backups of this tenant yet.' : 'Loading…'}
        </p>
      ) : null}
      {restoring ? (
        <RestoreDialog
          hostId={hostId}
          name={name}
          backup={restoring}
          onClose={() => setRestoring(null)}
          onStarted={(jobId) => {
            setRestoring(null);
            setJobDone(false);
            setJob({ id: jobId, title: 'Restore' });
          }}
        />
      ) : null}
    </section>
  );
}
