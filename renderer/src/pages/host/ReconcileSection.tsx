import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { JobView } from '../../../../shared/jobs.js';
import type { ReconcileItem, ReconcileKind, ReconcileReport } from '../../../../shared/reconcile.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { JobPanel } from '../../components/JobView.js';
import { toFleetError, type FleetError } from '../../lib/errors.js';
import { formatDateTime, formatTime } from '../../lib/format.js';
import { NEEDS } from '../../lib/roles.js';
import { href } from '../../lib/router.js';
import { useCan } from '../../lib/session.js';
import { useSubmit } from '../../lib/use-submit.js';
import { AdoptDialog } from './AdoptDialog.js';

// The host's drift, on demand: tenants.reconcile (admin, audited) compares its labelled
// containers and volumes, its databases and this console's journal. Each item offers what its
// `actions` allow: clean up (a confirmed job that re-checks the item's fingerprint first) or adopt.

const KIND_LABELS: Record<ReconcileKind, { label: string; tone: 'bad' | 'warn' | 'info' | 'idle' }> = {
  'server-missing': { label: 'server missing', tone: 'bad' },
  'database-missing': { label: 'database missing', tone: 'bad' },
  'orphan-helper': { label: 'orphan helper', tone: 'warn' },
  'foreign-host': { label: 'foreign host', tone: 'idle' },
  'adoptable-container': { label: 'adoptable container', tone: 'info' },
  'adoptable-database': { label: 'adoptable database', tone: 'info' },
  'not-isolated': { label: 'not isolated', tone: 'warn' },
  'orphan-network': { label: 'orphan network', tone: 'warn' },
};

const CONFLICT_NOTE = 'The host changed since this report (the item is gone or no longer what it was). Check for drift again before cleaning up.';

interface RunningJob {
  jobId: string;
  action: 'cleanup' | 'adopt';
  itemId: string;
  done: boolean;
}

export function ReconcileSection({ hostId, onTenantsChanged }: { hostId: string; onTenantsChanged: () => void }) {
  const api = useApi();
  const canReconcile = useCan(NEEDS.reconcile);
  const canCleanup = useCan(NEEDS.cleanup);
  const canAdopt = useCan(NEEDS.adopt);
  const [report, setReport] = useState<ReconcileReport | null>(null);
  const [error, setError] = useState<FleetError | null>(null);
  const [checking, setChecking] = useState(false);
  const [cleanupOf, setCleanupOf] = useState<ReconcileItem | null>(null);
  const [adoptOf, setAdoptOf] = useState<ReconcileItem | null>(null);
  const [job, setJob] = useState<RunningJob | null>(null);
  const [jobNote, setJobNote] = useState<string | null>(null);
  const seq = useRef(0);

  const check = useCallback(async () => {
    const mine = ++seq.current;
    setChecking(true);
    try {
      const r = await api.call('tenants.reconcile', { hostId });
      if (mine !== seq.current) return;
      setReport(r);
      setError(null);
    } catch (e) {
      if (mine === seq.current) setError(toFleetError(e));
    } finally {
      if (mine === seq.current) setChecking(false);
    }
  }, [api, hostId]);

  const started = (action: RunningJob['action'], itemId: string, jobId: string) => {
    setCleanupOf(null);
    setAdoptOf(null);
    setJobNote(null);
    setJob({ jobId, action, itemId, done: false });
  };

  const finished = (j: JobView) => {
    setJob((cur) => (cur && cur.jobId === j.id ? { ...cur, done: true } : cur));
    if (j.state !== 'succeeded' && j.error?.code === 'CONFLICT') setJobNote(CONFLICT_NOTE);
    onTenantsChanged();
    void check();
  };

  /** A clean-up or adoption at work: the other items wait for it (and for the report that follows). */
  const running = job !== null && !job.done;
  const items = report?.items ?? [];

  return (
    <section className="card reconcile" aria-label="Drift" data-testid="reconcile-section">
      <div className="section-head">
        <h3 className="card-title">
          Drift <span className="muted small">reconcile labels, volumes, databases and this console’s journal</span>
        </h3>
        <div className="inline-row">
          {canReconcile ? (
            <button type="button" className="btn btn-small btn-primary" onClick={() => void check()} disabled={checking} data-testid="reconcile-check">
              {checking ? 'Checking…' : report ? 'Check again' : 'Check for drift'}
            </button>
          ) : null}
        </div>
      </div>
      {!canReconcile ? (
        <p className="muted small" data-testid="reconcile-role-note">
          Checking for drift needs the admin role: it reads every container, volume and database of the host and is audited.
        </p>
      ) : !report && !error ? (
        <p className="muted small">
          Not checked yet. <em>Check for drift</em> compares what is on the host with what the console expects: servers or databases removed by hand,
          leftover helpers and volumes, Odoo containers and databases that no tenant claims. It is audited.
        </p>
      ) : null}
      {error ? <ErrorBox error={error} compact testId="reconcile-error" /> : null}
      {job ? (
        <div className="reconcile-job" data-testid="reconcile-job" data-action={job.action} data-item={job.itemId}>
          <JobPanel key={job.jobId} jobId={job.jobId} title={`${job.action === 'cleanup' ? 'Clean up' : 'Adopt'} ${job.itemId}`} onFinished={finished} />
          {jobNote ? (
            <p className="notice notice-warn small" data-testid="reconcile-job-note">
              {jobNote}
            </p>
          ) : null}
          <div className="actions">
            <a className="small" href={href.job(job.jobId)}>
              Job details
            </a>
            <button type="button" className="btn btn-small btn-ghost" onClick={() => setJob(null)} disabled={running} data-testid="reconcile-job-dismiss">
              Dismiss
            </button>
          </div>
        </div>
      ) : null}
      {report ? (
        <>
          <div className="reconcile-summary small" data-testid="reconcile-summary" data-items={items.length} data-in-order={report.tenantsInOrder}>
            <span>
              <strong data-testid="reconcile-in-order">{report.tenantsInOrder}</strong> tenant{report.tenantsInOrder === 1 ? '' : 's'} in order
            </span>
            <span>
              · <strong>{items.length}</strong> item{items.length === 1 ? '' : 's'} of drift
            </span>
            <span className="muted" title={report.at}>
              · checked {formatTime(report.at)}
            </span>
          </div>
          {!report.databasesChecked ? (
            <p className="notice notice-warn small" data-testid="reconcile-db-note">
              Databases were not checked: the host has no database server set, so missing or unclaimed databases are not reported.
            </p>
          ) : null}
          {items.length === 0 ? (
            <p className="muted small" data-testid="reconcile-empty">
              No drift: every labelled container, volume and database is accounted for.
            </p>
          ) : (
            <ul className="reconcile-items" data-testid="reconcile-items">
              {items.map((item) => (
                <ReconcileRow
                  key={item.id}
                  item={item}
                  busy={running || checking}
                  canCleanup={canCleanup}
                  canAdopt={canAdopt}
                  onCleanup={() => setCleanupOf(item)}
                  onAdopt={() => setAdoptOf(item)}
                />
              ))}
            </ul>
          )}
        </>
      ) : null}
      {cleanupOf ? (
        <CleanupDialog
          hostId={hostId}
          item={cleanupOf}
          onClose={() => setCleanupOf(null)}
          onStarted={(jobId) => started('cleanup', cleanupOf.id, jobId)}
          onCheckAgain={() => {
            setCleanupOf(null);
            void check();
          }}
        />
      ) : null}
      {adoptOf ? <AdoptDialog hostId={hostId} item={adoptOf} onClose={() => setAdoptOf(null)} onStarted={(jobId) => started('adopt', adoptOf.id, jobId)} /> : null}
    </section>
  );
}

export function KindBadge({ kind }: { kind: ReconcileKind }) {
  const k = KIND_LABELS[kind];
  return (
    <span className={`tag kind-tag kind-${k.tone}`} data-testid="reconcile-kind" data-kind={kind}>
      {k.label}
    </span>
  );
}

function ReconcileRow({
  item,
  busy,
  canCleanup,
  canAdopt,
  onCleanup,
  onAdopt,
}: {
  item: ReconcileItem;
  busy: boolean;
  canCleanup: boolean;
  canAdopt: boolean;
  onCleanup: () => void;
  onAdopt: () => void;
}) {
  const dbState = item.database ? (item.databaseExists === null ? 'not checked' : item.databaseExists ? 'exists' : 'gone') : null;
  return (
    <li className="reconcile-item" data-testid={`reconcile-item-${item.id}`} data-kind={item.kind} data-tenant={item.tenant ?? ''}>
      <div className="reconcile-item-head">
        <KindBadge kind={item.kind} />
        <span className="mono reconcile-tenant" data-testid="reconcile-tenant">
          {item.tenant ?? <span className="muted">no tenant</span>}
        </span>
        <span className="muted mono small ellipsis" title={`${item.id} · fingerprint ${item.fingerprint}`}>
          {item.id}
        </span>
        <span className="grow" />
        <div className="reconcile-actions">
          {item.actions.includes('adopt') && canAdopt ? (
            <button type="button" className="btn btn-small btn-primary" onClick={onAdopt} disabled={busy} data-testid={`reconcile-adopt-${item.id}`}>
              Adopt…
            </button>
          ) : null}
          {item.actions.includes('cleanup') && canCleanup ? (
            <button type="button" className="btn btn-small btn-danger-ghost" onClick={onCleanup} disabled={busy} data-testid={`reconcile-cleanup-${item.id}`}>
              Clean up…
            </button>
          ) : null}
          {item.actions.length === 0 || (item.actions.length === 1 && item.actions[0] === 'report-only') ? (
            <span className="small muted" data-testid="reconcile-report-only">
              reported only
            </span>
          ) : null}
        </div>
      </div>
      <p className="reconcile-text" data-testid="reconcile-summary-text">
        {item.summary}
      </p>
      <p className="reconcile-text small">
        <span className="muted">Suggestion: </span>
        {item.suggestion}
      </p>
      <dl className="kv reconcile-kv small">
        {item.containers.length > 0 ? (
          <>
            <dt>Containers</dt>
            <dd>
              {item.containers.map((c) => (
                <div key={c.id} className="mono wrap-anywhere" title={c.id}>
                  {c.name} <span className="muted">({c.image}, {c.state}{c.role ? `, ${c.role}` : ''})</span>
                </div>
              ))}
            </dd>
          </>
        ) : null}
        {item.volumes.length > 0 ? (
          <>
            <dt>Volumes</dt>
            <dd className="mono wrap-anywhere">{item.volumes.join(', ')}</dd>
          </>
        ) : null}
        {item.database ? (
          <>
            <dt>Database</dt>
            <dd>
              <span className="mono">{item.database}</span> <span className={item.databaseExists === false ? 'danger-text' : 'muted'}>({dbState})</span>
            </dd>
          </>
        ) : null}
        {item.role ? (
          <>
            <dt>Role</dt>
            <dd className="mono">{item.role}</dd>
          </>
        ) : null}
        {item.configPresent !== undefined ? (
          <>
            <dt>odoo.conf</dt>
            <dd>{item.configPresent ? 'still in the secrets volume' : 'not found'}</dd>
          </>
        ) : null}
        {item.foreignHostId ? (
          <>
            <dt>fleet.host</dt>
            <dd className="mono wrap-anywhere">{item.foreignHostId}</dd>
          </>
        ) : null}
        {item.evidence && item.evidence.length > 0 ? (
          <>
            <dt>Evidence</dt>
            <dd>{item.evidence.join('; ')}</dd>
          </>
        ) : null}
        {item.createdHere || item.decommissionedHere ? (
          <>
            <dt>This console</dt>
            <dd data-testid="reconcile-journal">
              {item.createdHere ? `created here ${formatDateTime(item.createdHere)}` : ''}
              {item.createdHere && item.decommissionedHere ? ' · ' : ''}
              {item.decommissionedHere ? `decommissioned here ${formatDateTime(item.decommissionedHere)}` : ''}
            </dd>
          </>
        ) : null}
      </dl>
    </li>
  );
}

/** What a clean-up removes, confirmed; the job re-checks the item's fingerprint before removing anything. */
function CleanupDialog({
  hostId,
  item,
  onClose,
  onStarted,
  onCheckAgain,
}: {
  hostId: string;
  item: ReconcileItem;
  onClose: () => void;
  onStarted: (jobId: string) => void;
  onCheckAgain: () => void;
}) {
  const api = useApi();
  const titleId = useId();
  const { busy, error, run } = useSubmit({ holdOnSuccess: true });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !busy) onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [busy, onClose]);

  const confirm = () =>
    run(async () => {
      const { jobId } = await api.call('tenants.cleanup', { hostId, item: item.id, fingerprint: item.fingerprint });
      onStarted(jobId);
    });

  const conflict = error?.code === 'CONFLICT';
  return (
    <div className="modal-backdrop">
      <div className="modal card" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid="cleanup-dialog">
        <h2 id={titleId} className="modal-title">
          Clean up {item.tenant ?? item.id}
        </h2>
        <div className="modal-body">
          <p>{item.summary}</p>
          <p>The console removes exactly what this item names, as a job:</p>
          <ul className="modal-steps">
            {item.containers.length > 0 ? <li>containers: {item.containers.map((c) => c.name).join(', ')}</li> : null}
            {item.volumes.length > 0 ? <li>volumes: {item.volumes.join(', ')}</li> : null}
            {item.database && item.databaseExists ? <li>database {item.database}</li> : null}
            {item.role ? <li>database role {item.role} (if it is there)</li> : null}
            {item.tenant && (item.kind === 'server-missing' || item.kind === 'database-missing') ? <li>the tenant’s stored passwords on this console</li> : null}
          </ul>
          <p className="small muted">
            It first checks the host again and refuses if anything changed since this report. Nothing is archived: if the data matters, adopt or back it
            up by hand first.
          </p>
        </div>
        {error ? (
          <ErrorBox error={error} compact testId="cleanup-error">
            {conflict ? <p className="small" data-testid="cleanup-conflict-note">{CONFLICT_NOTE}</p> : null}
          </ErrorBox>
        ) : null}
        <div className="actions">
          {conflict ? (
            <button type="button" className="btn btn-primary" onClick={onCheckAgain} data-testid="cleanup-check-again">
              Check again
            </button>
          ) : (
            <button type="button" className="btn btn-danger" onClick={() => void confirm()} disabled={busy} data-testid="cleanup-confirm" autoFocus>
              {busy ? 'Starting…' : 'Clean up'}
            </button>
          )}
          <button type="button" className="btn" onClick={onClose} disabled={busy && !error} data-testid="cleanup-cancel">
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
