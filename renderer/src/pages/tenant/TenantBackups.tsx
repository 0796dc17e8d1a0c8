import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BackupEntry, RestoreFindings } from '../../../../shared/backups.js';
import type { HostView } from '../../../../shared/hosts.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { JobPanel } from '../../components/JobView.js';
import { DESTINATION_KINDS, hasProblems, specsOfDraft } from '../../lib/destinations.js';
import { toFleetError, type FleetError } from '../../lib/errors.js';
import { NEEDS } from '../../lib/roles.js';
import { useCan } from '../../lib/session.js';
import { useBackupKeys } from '../../lib/use-backup-keys.js';
import { BackupNowOptions, POLICY_CHOICE, type BackupNowChoice } from './BackupNowOptions.js';
import { BackupSchedule } from './BackupSchedule.js';
import { BackupsTable } from './BackupsTable.js';
import { keyInput } from './DestinationFields.js';
import { RebuildCatalogDialog } from './RebuildCatalogDialog.js';
import { KeptCopyPanel, RestoreFindingsNotice } from './RestoreAftermath.js';
import { RestoreDialog } from './RestoreDialog.js';
import { StagingClones } from './StagingClones.js';
import { UpdateDialog } from './UpdateDialog.js';

// A tenant's backups: "Back up now" (backups.create, a job; destinations and key optional), the
// host's catalog for the tenant (backups.list, kept in the host's fleet database, so every
// console's backups are there) with Verify and Restore… per complete backup, the schedule,
// "Rebuild catalog from…", the host's staging clones and "Update safely…".

/** The backups.create input beyond the tenant: only what the user changed, so the schedule decides the rest. */
function backupOptions(choice: BackupNowChoice) {
  const { specs } = specsOfDraft(choice.destinations);
  const key = keyInput(choice.key);
  return { ...(specs.length > 0 ? { destinations: specs } : {}), ...(key !== undefined ? { key } : {}) };
}

export function TenantBackups({
  hostId,
  name,
  version,
  hosts,
  currentImage,
}: {
  hostId: string;
  name: string;
  version: number;
  hosts: ReadonlyMap<string, HostView>;
  currentImage?: string;
}) {
  const api = useApi();
  const canBackup = useCan(NEEDS.createBackup);
  const canVerify = useCan(NEEDS.verifyBackup);
  const canRestore = useCan(NEEDS.restoreBackup);
  const canRebuild = useCan(NEEDS.rebuildCatalog);
  const canUpdate = useCan(NEEDS.updateTenant);
  const { keys } = useBackupKeys();
  const hostList = useMemo(() => [...hosts.values()], [hosts]);
  const [entries, setEntries] = useState<BackupEntry[] | null>(null);
  const [error, setError] = useState<FleetError | null>(null);
  const [loading, setLoading] = useState(false);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<FleetError | null>(null);
  const [job, setJob] = useState<{ id: string; title: string } | null>(null);
  const [jobDone, setJobDone] = useState(false);
  const [optionsOpen, setOptionsOpen] = useState(false);
  const [choice, setChoice] = useState<BackupNowChoice>(POLICY_CHOICE);
  const [dialog, setDialog] = useState<{ kind: 'restore'; backup: BackupEntry } | { kind: 'rebuild' } | { kind: 'update' } | null>(null);
  const [verifying, setVerifying] = useState<string | null>(null);
  const [findings, setFindings] = useState<RestoreFindings | null>(null);
  /** Bumped when a job of this section finishes: the schedule and staging clones reload. */
  const [localVersion, setLocalVersion] = useState(0);
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

  const follow = (jobId: string, title: string) => {
    setJobDone(false);
    setJob({ id: jobId, title });
  };

  // Options only count while their panel is open: closing it goes back to the schedule's.
  const effective = optionsOpen ? choice : POLICY_CHOICE;
  const destinationProblems = specsOfDraft(effective.destinations).problems;
  const anyChosen = DESTINATION_KINDS.some((k) => effective.destinations.chosen[k]);
  const optionsInvalid = anyChosen && hasProblems(destinationProblems);

  const backUp = async () => {
    setStarting(true);
    setStartError(null);
    try {
      const started = await api.call('backups.create', { hostId, name, ...backupOptions(effective) });
      follow(started.jobId, 'Back up');
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
      follow(started.jobId, 'Verify (restore drill)');
    } catch (e) {
      setStartError(toFleetError(e));
    } finally {
      setVerifying(null);
    }
  };

  const running = job !== null && !jobDone;
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
          {canRebuild && !noDbServer ? (
            <button type="button" className="btn btn-small" onClick={() => setDialog({ kind: 'rebuild' })} data-testid="rebuild-open">
              Rebuild catalog from…
            </button>
          ) : null}
          {canUpdate && !noDbServer ? (
            <button type="button" className="btn btn-small" onClick={() => setDialog({ kind: 'update' })} data-testid="update-open">
              Update safely…
            </button>
          ) : null}
          {canBackup ? (
            <>
              <button
                type="button"
                className="btn btn-small"
                onClick={() => setOptionsOpen((o) => !o)}
                aria-expanded={optionsOpen}
                aria-controls="backup-options"
                data-testid="backup-options-toggle"
              >
                {optionsOpen ? 'Hide options' : 'Options…'}
              </button>
              <button
                type="button"
                className="btn btn-small btn-primary"
                onClick={() => void backUp()}
                disabled={starting || running || optionsInvalid}
                data-testid="backup-now"
              >
                {starting ? 'Starting…' : running ? 'Job running…' : 'Back up now'}
              </button>
            </>
          ) : null}
        </div>
      </div>
      {!canBackup ? <p className="small muted">Backing up needs the support role.</p> : null}
      <p className="small muted">
        Odoo’s backup format (database dump from one snapshot, filestore), verified, written to each destination and optionally encrypted; the catalog
        lives on the host, so every console sees it.
      </p>
      {canBackup && optionsOpen ? (
        <div id="backup-options">
          <BackupNowOptions choice={choice} onChange={setChoice} problems={destinationProblems} hosts={hostList} hostId={hostId} keys={keys} />
        </div>
      ) : null}
      {!noDbServer ? <BackupSchedule hostId={hostId} name={name} version={version + localVersion} hosts={hosts} keys={keys} /> : null}
      {startError ? <ErrorBox error={startError} compact testId="backup-start-error" /> : null}
      {job ? (
        <JobPanel
          key={job.id}
          jobId={job.id}
          title={job.title}
          onFinished={(finished) => {
            setJobDone(true);
            setLocalVersion((n) => n + 1);
            if (finished.kind === 'tenant.restore') setFindings((finished.result as { findings?: RestoreFindings | null } | undefined)?.findings ?? null);
            void load();
          }}
        />
      ) : null}
      {findings ? <RestoreFindingsNotice hostId={hostId} name={name} findings={findings} /> : null}
      {!noDbServer ? <KeptCopyPanel hostId={hostId} name={name} version={version + localVersion} canAct={canRestore} onJob={follow} /> : null}
      {noDbServer ? (
        <p className="notice small" data-testid="backups-unavailable">
          {error?.message}
        </p>
      ) : error ? (
        <ErrorBox error={error} compact testId="backups-error" />
      ) : null}
      {entries && entries.length > 0 ? (
        <BackupsTable
          entries={entries}
          hosts={hosts}
          keys={keys}
          actions={{
            canVerify,
            canRestore,
            running,
            verifying,
            onVerify: (b) => void verify(b),
            onRestore: (b) => setDialog({ kind: 'restore', backup: b }),
          }}
        />
      ) : !noDbServer && !error ? (
        <p className="muted small" data-testid="backups-empty">
          {entries ? 'No backups of this tenant yet.' : 'Loading…'}
        </p>
      ) : null}
      {!noDbServer ? <StagingClones hostId={hostId} name={name} backups={entries ?? []} version={version + localVersion} /> : null}
      {dialog?.kind === 'restore' ? (
        <RestoreDialog
          hostId={hostId}
          name={name}
          backup={dialog.backup}
          onClose={() => setDialog(null)}
          onStarted={(jobId) => {
            setDialog(null);
            follow(jobId, 'Restore');
          }}
        />
      ) : null}
      {dialog?.kind === 'rebuild' ? <RebuildCatalogDialog hostId={hostId} hosts={hostList} onClose={() => setDialog(null)} onRebuilt={() => void load()} /> : null}
      {dialog?.kind === 'update' ? (
        <UpdateDialog
          hostId={hostId}
          name={name}
          currentImage={currentImage}
          onClose={() => setDialog(null)}
          onFinished={() => {
            setLocalVersion((n) => n + 1);
            void load();
          }}
        />
      ) : null}
    </section>
  );
}
