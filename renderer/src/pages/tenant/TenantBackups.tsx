import { useCallback, useMemo, useState } from 'react';
import type { BackupEntry, BackupKeyView, RestoreFindings } from '../../../../shared/backups.js';
import type { HostView } from '../../../../shared/hosts.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { CountedTitle } from '../../components/CountedTitle.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { JobPanel } from '../../components/JobView.js';
import { ReloadButton } from '../../components/ReloadButton.js';
import { DESTINATION_KINDS, hasProblems, specsOfDraft } from '../../lib/destinations.js';
import type { FleetError } from '../../lib/errors.js';
import { NEEDS } from '../../lib/roles.js';
import { useCan } from '../../lib/session.js';
import { useBackupKeys } from '../../lib/use-backup-keys.js';
import { useLoad } from '../../lib/use-load.js';
import { useAction } from '../../lib/use-submit.js';
import { BackupNowOptions, POLICY_CHOICE, type BackupNowChoice } from './BackupNowOptions.js';
import { BackupSchedule } from './BackupSchedule.js';
import { BackupsTable, type BackupRowActions } from './BackupsTable.js';
import { keyInput } from './DestinationFields.js';
import { RebuildCatalogDialog } from './RebuildCatalogDialog.js';
import { KeptCopyPanel, RestoreFindingsNotice } from './RestoreAftermath.js';
import { RestoreDialog } from './RestoreDialog.js';
import { StagingClones } from './StagingClones.js';
import { UpdateDialog } from './UpdateDialog.js';
import type { PosOrdersAfterBackup } from '../../../../shared/tenants-pos.js';
import { PosAfterRestoreNotice } from './PosNotices.js';

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

/** The key useAction runs "Back up now" under; a verification runs under its backup's id. */
const BACK_UP = 'back-up';

type BackupDialog = { kind: 'restore'; backup: BackupEntry } | { kind: 'rebuild' } | { kind: 'update' };

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
  const { keys } = useBackupKeys();
  const hostList = useMemo(() => [...hosts.values()], [hosts]);
  const fetchEntries = useCallback(() => api.call('backups.list', { hostId, name, limit: 100 }), [api, hostId, name]);
  const { value: entries, error, loading, load } = useLoad(fetchEntries, { reloadOn: version });
  const start = useAction<string>();
  const [job, setJob] = useState<{ id: string; title: string } | null>(null);
  const [jobDone, setJobDone] = useState(false);
  const [optionsOpen, setOptionsOpen] = useState(false);
  const [choice, setChoice] = useState<BackupNowChoice>(POLICY_CHOICE);
  const [dialog, setDialog] = useState<BackupDialog | null>(null);
  const [findings, setFindings] = useState<RestoreFindings | null>(null);
  const [lostPosOrders, setLostPosOrders] = useState<PosOrdersAfterBackup | null>(null);
  /** Bumped when a job of this section finishes: the schedule and staging clones reload. */
  const [localVersion, setLocalVersion] = useState(0);

  const follow = (jobId: string, title: string) => {
    setJobDone(false);
    setJob({ id: jobId, title });
  };

  // Options only count while their panel is open: closing it goes back to the schedule's.
  const effective = optionsOpen ? choice : POLICY_CHOICE;
  const destinationProblems = specsOfDraft(effective.destinations).problems;
  const anyChosen = DESTINATION_KINDS.some((k) => effective.destinations.chosen[k]);
  const optionsInvalid = anyChosen && hasProblems(destinationProblems);

  const backUp = () =>
    start.run(BACK_UP, async () => {
      const started = await api.call('backups.create', { hostId, name, ...backupOptions(effective) });
      follow(started.jobId, 'Back up');
      void load(); // the catalog shows it running
    });

  const verify = (b: BackupEntry) =>
    start.run(b.id, async () => {
      const started = await api.call('backups.verify', { hostId, name, backupId: b.id });
      follow(started.jobId, 'Verify (restore drill)');
    });

  const running = job !== null && !jobDone;
  const noDbServer = error?.code === 'VALIDATION';
  const sectionVersion = version + localVersion;

  return (
    <section className="card tenant-backups" aria-label="Backups" data-testid="tenant-backups">
      <BackupsHead
        count={entries ? entries.length : null}
        loading={loading}
        noDbServer={noDbServer}
        onReload={() => void load()}
        onDialog={setDialog}
        backUp={{ optionsOpen, toggleOptions: () => setOptionsOpen((o) => !o), starting: start.busy === BACK_UP, running, optionsInvalid, onBackUp: () => void backUp() }}
      />
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
      {!noDbServer ? <BackupSchedule hostId={hostId} name={name} version={sectionVersion} hosts={hosts} keys={keys} /> : null}
      {start.error ? <ErrorBox error={start.error} compact testId="backup-start-error" /> : null}
      {job ? (
        <JobPanel
          key={job.id}
          jobId={job.id}
          title={job.title}
          onFinished={(finished) => {
            setJobDone(true);
            setLocalVersion((n) => n + 1);
            if (finished.kind === 'tenant.restore') {
              const result = finished.result as { findings?: RestoreFindings | null; pos?: PosOrdersAfterBackup | null } | undefined;
              setFindings(result?.findings ?? null);
              setLostPosOrders(result?.pos ?? null);
            }
            void load();
          }}
        />
      ) : null}
      {findings ? <RestoreFindingsNotice hostId={hostId} name={name} findings={findings} /> : null}
      {lostPosOrders ? <PosAfterRestoreNotice pos={lostPosOrders} /> : null}
      {!noDbServer ? <KeptCopyPanel hostId={hostId} name={name} version={sectionVersion} canAct={canRestore} onJob={follow} /> : null}
      <BackupsCatalog
        entries={entries}
        error={error}
        hosts={hosts}
        keys={keys}
        actions={{
          canVerify,
          canRestore,
          running,
          verifying: start.busy !== null && start.busy !== BACK_UP ? start.busy : null,
          onVerify: (b) => void verify(b),
          onRestore: (b) => setDialog({ kind: 'restore', backup: b }),
        }}
      />
      {!noDbServer ? <StagingClones hostId={hostId} name={name} backups={entries ?? []} version={sectionVersion} /> : null}
      {dialog ? (
        <BackupDialogs
          dialog={dialog}
          hostId={hostId}
          name={name}
          hosts={hostList}
          currentImage={currentImage}
          onClose={() => setDialog(null)}
          onRestoreStarted={(jobId) => {
            setDialog(null);
            follow(jobId, 'Restore');
          }}
          onRebuilt={() => void load()}
          onUpdated={() => {
            setLocalVersion((n) => n + 1);
            void load();
          }}
        />
      ) : null}
    </section>
  );
}

/** The section's title with its count, and its buttons: reload, rebuild, update, options, back up now. */
function BackupsHead({
  count,
  loading,
  noDbServer,
  onReload,
  onDialog,
  backUp,
}: {
  count: number | null;
  loading: boolean;
  noDbServer: boolean;
  onReload: () => void;
  onDialog: (dialog: BackupDialog) => void;
  backUp: { optionsOpen: boolean; toggleOptions: () => void; starting: boolean; running: boolean; optionsInvalid: boolean; onBackUp: () => void };
}) {
  const canBackup = useCan(NEEDS.createBackup);
  const canRebuild = useCan(NEEDS.rebuildCatalog);
  const canUpdate = useCan(NEEDS.updateTenant);
  return (
    <div className="section-head">
      <CountedTitle title="Backups" count={count ?? ''} testId="backups-count" />
      <div className="inline-row">
        <ReloadButton loading={loading} onReload={onReload} label="Reload" busyLabel="Loading…" small testId="backups-refresh" />
        {canRebuild && !noDbServer ? (
          <button type="button" className="btn btn-small" onClick={() => onDialog({ kind: 'rebuild' })} data-testid="rebuild-open">
            Rebuild catalog from…
          </button>
        ) : null}
        {canUpdate && !noDbServer ? (
          <button type="button" className="btn btn-small" onClick={() => onDialog({ kind: 'update' })} data-testid="update-open">
            Update safely…
          </button>
        ) : null}
        {canBackup ? (
          <>
            <button
              type="button"
              className="btn btn-small"
              onClick={backUp.toggleOptions}
              aria-expanded={backUp.optionsOpen}
              aria-controls="backup-options"
              data-testid="backup-options-toggle"
            >
              {backUp.optionsOpen ? 'Hide options' : 'Options…'}
            </button>
            <button
              type="button"
              className="btn btn-small btn-primary"
              onClick={backUp.onBackUp}
              disabled={backUp.starting || backUp.running || backUp.optionsInvalid}
              data-testid="backup-now"
            >
              {backUp.starting ? 'Starting…' : backUp.running ? 'Job running…' : 'Back up now'}
            </button>
          </>
        ) : null}
      </div>
    </div>
  );
}

/** The section's dialogs: restore a backup, rebuild the catalog, update safely. */
function BackupDialogs({
  dialog,
  hostId,
  name,
  hosts,
  currentImage,
  onClose,
  onRestoreStarted,
  onRebuilt,
  onUpdated,
}: {
  dialog: BackupDialog;
  hostId: string;
  name: string;
  hosts: readonly HostView[];
  currentImage: string | undefined;
  onClose: () => void;
  onRestoreStarted: (jobId: string) => void;
  onRebuilt: () => void;
  onUpdated: () => void;
}) {
  switch (dialog.kind) {
    case 'restore':
      return <RestoreDialog hostId={hostId} name={name} backup={dialog.backup} onClose={onClose} onStarted={onRestoreStarted} />;
    case 'rebuild':
      return <RebuildCatalogDialog hostId={hostId} hosts={hosts} onClose={onClose} onRebuilt={onRebuilt} />;
    case 'update':
      return <UpdateDialog hostId={hostId} name={name} currentImage={currentImage} onClose={onClose} onFinished={onUpdated} />;
  }
}

/** The host's catalog of the tenant's backups, or why there is none (no database server, an error, none yet). */
function BackupsCatalog({
  entries,
  error,
  hosts,
  keys,
  actions,
}: {
  entries: readonly BackupEntry[] | null;
  error: FleetError | null;
  hosts: ReadonlyMap<string, HostView>;
  keys: readonly BackupKeyView[] | null;
  actions: BackupRowActions;
}) {
  const unavailable = error?.code === 'VALIDATION';
  return (
    <>
      {unavailable ? (
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
          actions={actions}
        />
      ) : !unavailable && !error ? (
        <p className="muted small" data-testid="backups-empty">
          {entries ? 'No backups of this tenant yet.' : 'Loading…'}
        </p>
      ) : null}
    </>
  );
}
