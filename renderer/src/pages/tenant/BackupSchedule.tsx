import { useCallback, useState, type FormEvent } from 'react';
import type { BackupPolicyView } from '../../../../shared/backup-policies.js';
import type { BackupKeyView } from '../../../../shared/backups.js';
import type { HostView } from '../../../../shared/hosts.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { draftLosesSome, draftOfSpecs, hasProblems, specLabel, specsOfDraft, type DestinationsDraft } from '../../lib/destinations.js';
import { formatDateTime } from '../../lib/format.js';
import { NEEDS } from '../../lib/roles.js';
import { useCan } from '../../lib/session.js';
import { keyLabel, keyName } from '../../lib/use-backup-keys.js';
import { useLoad } from '../../lib/use-load.js';
import { useAction } from '../../lib/use-submit.js';
import { DestinationFields, KEY_NONE, KEY_UNKNOWN, keyInput, KeySelect } from './DestinationFields.js';

// A tenant's backup schedule and retention (backups.policies, filtered to the tenant), a form to
// set it (backups.setPolicy, with its destinations and encryption key), "Stop schedule"
// (backups.removePolicy) and "Prune now" (backups.prune).

interface Draft {
  everyHours: string;
  jitterMinutes: string;
  keepDaily: string;
  keepWeekly: string;
  keepMonthly: string;
}

const DEFAULT_DRAFT: Draft = { everyHours: '24', jitterMinutes: '10', keepDaily: '7', keepWeekly: '4', keepMonthly: '12' };
const LIMITS: Record<keyof Draft, [number, number]> = {
  everyHours: [1, 744],
  jitterMinutes: [0, 240],
  keepDaily: [0, 366],
  keepWeekly: [0, 520],
  keepMonthly: [0, 240],
};
const LABELS: Record<keyof Draft, string> = {
  everyHours: 'Every (hours)',
  jitterMinutes: 'Jitter (minutes)',
  keepDaily: 'Keep daily',
  keepWeekly: 'Keep weekly',
  keepMonthly: 'Keep monthly',
};
const KEYS = Object.keys(LABELS) as (keyof Draft)[];

function draftOf(p: BackupPolicyView | null): Draft {
  if (!p) return DEFAULT_DRAFT;
  return {
    everyHours: String(p.everyHours),
    jitterMinutes: String(p.jitterMinutes),
    keepDaily: String(p.keepDaily),
    keepWeekly: String(p.keepWeekly),
    keepMonthly: String(p.keepMonthly),
  };
}

/** The policy's key as the select's value: its name when this console holds it. */
function keyValueOf(p: BackupPolicyView | null, keys: readonly BackupKeyView[] | null): string {
  if (!p?.keyId) return KEY_NONE;
  return keyName(keys, p.keyId) ?? KEY_UNKNOWN;
}

function parseDraft(d: Draft): { values: Record<keyof Draft, number> | null; invalid: (keyof Draft)[] } {
  const values = {} as Record<keyof Draft, number>;
  const invalid: (keyof Draft)[] = [];
  for (const k of KEYS) {
    const n = Number(d[k]);
    const [min, max] = LIMITS[k];
    if (d[k].trim() === '' || !Number.isInteger(n) || n < min || n > max) invalid.push(k);
    else values[k] = n;
  }
  return { values: invalid.length ? null : values, invalid };
}

type Busy = 'save' | 'remove' | 'prune';

/** What backups.setPolicy takes beyond the tenant. */
type PolicyInput = Record<keyof Draft, number> & { destinations: ReturnType<typeof specsOfDraft>['specs']; key: Exclude<ReturnType<typeof keyInput>, undefined> };

export function BackupSchedule({
  hostId,
  name,
  version,
  hosts,
  keys,
}: {
  hostId: string;
  name: string;
  version: number;
  hosts: ReadonlyMap<string, HostView>;
  keys: readonly BackupKeyView[] | null;
}) {
  const api = useApi();
  const canSet = useCan(NEEDS.setBackupPolicy);
  const canRemove = useCan(NEEDS.removeBackupPolicy);
  const canPrune = useCan(NEEDS.pruneBackups);
  const pick = useCallback((list: readonly BackupPolicyView[]) => ({ policy: list.find((p) => p.tenant === name) ?? null }), [name]);
  const fetchPolicy = useCallback(async () => pick(await api.call('backups.policies', { hostId })), [api, hostId, pick]);
  const loaded = useLoad(fetchPolicy, { reloadOn: version });
  const { error, settle } = loaded;
  /** undefined until the first answer, null when the tenant has no schedule. */
  const policy = loaded.value?.policy;
  const [editing, setEditing] = useState(false);
  const action = useAction<Busy>();
  const [pruned, setPruned] = useState<number | null>(null);

  /** Saving and stopping both answer the host's policies: the tenant's is shown at once. */
  const write = (busy: 'save' | 'remove', call: () => Promise<readonly BackupPolicyView[]>) =>
    action.run(busy, async () => {
      settle(pick(await call()));
      setEditing(false);
    });

  const save = (input: PolicyInput) => {
    if (action.busy) return;
    void write('save', () => api.call('backups.setPolicy', { hostId, name, ...input }));
  };

  const remove = () => write('remove', () => api.call('backups.removePolicy', { hostId, name }));

  const prune = () => {
    setPruned(null);
    return action.run('prune', async () => {
      const r = await api.call('backups.prune', { hostId, name });
      setPruned(r.pruned.length);
      void loaded.load();
    });
  };

  const startEditing = () => {
    action.clear();
    setEditing(true);
  };

  const unavailable = error?.code === 'VALIDATION';
  const idle = action.busy === null;

  return (
    <div className="backup-schedule" data-testid="backup-schedule" data-state={policy === undefined ? 'loading' : policy ? 'scheduled' : 'none'}>
      <div className="section-head">
        <h4 className="card-title">Schedule</h4>
        <div className="inline-row">
          {canSet && policy !== undefined && !editing ? (
            <button type="button" className="btn btn-small" onClick={startEditing} disabled={!idle} data-testid="schedule-edit">
              {policy ? 'Change schedule' : 'Schedule backups'}
            </button>
          ) : null}
          {canRemove && policy && !editing ? (
            <button type="button" className="btn btn-small btn-danger-ghost" onClick={() => void remove()} disabled={!idle} data-testid="schedule-remove">
              {action.busy === 'remove' ? 'Stopping…' : 'Stop schedule'}
            </button>
          ) : null}
          {canPrune && policy && !editing ? (
            <button type="button" className="btn btn-small" onClick={() => void prune()} disabled={!idle} data-testid="schedule-prune">
              {action.busy === 'prune' ? 'Pruning…' : 'Prune now'}
            </button>
          ) : null}
        </div>
      </div>
      {unavailable ? (
        <p className="notice small" data-testid="schedule-unavailable">
          {error?.message}
        </p>
      ) : error ? (
        <ErrorBox error={error} compact testId="schedule-error" />
      ) : null}
      {policy === undefined ? (
        !error ? <p className="muted small">Loading…</p> : null
      ) : policy ? (
        <PolicyFacts policy={policy} hosts={hosts} hostId={hostId} keys={keys} />
      ) : !error ? (
        <p className="muted small" data-testid="schedule-none">
          No schedule: this tenant is backed up only when asked.{canSet ? '' : ' Scheduling needs the admin role.'}
        </p>
      ) : null}
      {pruned !== null ? (
        <p className="small" data-testid="schedule-pruned" data-count={pruned}>
          Pruned {pruned} backup{pruned === 1 ? '' : 's'}.
        </p>
      ) : null}
      {editing ? <ScheduleForm policy={policy ?? null} hosts={hosts} hostId={hostId} keys={keys} busy={action.busy} onSave={save} onCancel={() => setEditing(false)} /> : null}
      {action.error ? <ErrorBox error={action.error} compact testId="schedule-action-error" /> : null}
    </div>
  );
}

/** The schedule in force: how often, what is kept, where copies go, the key, the runs. */
function PolicyFacts({ policy, hosts, hostId, keys }: { policy: BackupPolicyView; hosts: ReadonlyMap<string, HostView>; hostId: string; keys: readonly BackupKeyView[] | null }) {
  return (
    <dl className="kv small" data-testid="schedule-policy">
      <dt>Every</dt>
      <dd data-testid="schedule-every">
        {policy.everyHours} h{policy.jitterMinutes > 0 ? ` (+ up to ${policy.jitterMinutes} min jitter)` : ''}
      </dd>
      <dt>Keeps</dt>
      <dd data-testid="schedule-keep">
        {policy.keepDaily} daily · {policy.keepWeekly} weekly · {policy.keepMonthly} monthly
      </dd>
      <dt>Copies to</dt>
      <dd className="wrap-anywhere" data-testid="schedule-destinations" data-count={policy.destinations.length}>
        {policy.destinations.map((d) => specLabel(d, hosts, hostId)).join(' · ')}
      </dd>
      <dt>Encrypted</dt>
      <dd data-testid="schedule-key" data-key-id={policy.keyId ?? ''}>
        {policy.keyId ? `with ${keyLabel(keys, policy.keyId)}` : 'no'}
      </dd>
      <dt>Next run</dt>
      <dd data-testid="schedule-next" title={policy.nextRunAt}>
        {formatDateTime(policy.nextRunAt)}
        {policy.lease ? <span className="muted"> · running on {policy.lease.holder}</span> : null}
      </dd>
      <dt>Newest backup</dt>
      <dd data-testid="schedule-newest">
        {policy.newestBackupAt ? formatDateTime(policy.newestBackupAt) : 'none'}{' '}
        {policy.overdue ? (
          <span className="tag tag-bad" data-testid="schedule-overdue">
            overdue
          </span>
        ) : null}
      </dd>
      <dt>Last run</dt>
      <dd data-testid="schedule-last">
        {policy.lastRunAt ? `${formatDateTime(policy.lastRunAt)}: ${policy.lastOutcome ?? '—'}` : 'not yet'}
      </dd>
    </dl>
  );
}

/** The form that sets the schedule, filled from the one in force (or the defaults). */
function ScheduleForm({
  policy,
  hosts,
  hostId,
  keys,
  busy,
  onSave,
  onCancel,
}: {
  policy: BackupPolicyView | null;
  hosts: ReadonlyMap<string, HostView>;
  hostId: string;
  keys: readonly BackupKeyView[] | null;
  busy: Busy | null;
  onSave: (input: PolicyInput) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(policy));
  const [destinations, setDestinations] = useState<DestinationsDraft>(() => draftOfSpecs(policy?.destinations ?? [{ kind: 'local' }]));
  const [keyValue, setKeyValue] = useState(() => keyValueOf(policy, keys));
  const parsed = parseDraft(draft);
  const chosen = specsOfDraft(destinations);
  const key = keyInput(keyValue);
  const ready = parsed.values !== null && !hasProblems(chosen.problems) && key !== undefined;

  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!ready || !parsed.values || key === undefined) return;
    onSave({ ...parsed.values, destinations: chosen.specs, key });
  };

  return (
    <form className="schedule-form inline-row" onSubmit={save} noValidate data-testid="schedule-form">
      {KEYS.map((k) => (
        <label key={k} className="schedule-field small">
          <span>{LABELS[k]}</span>
          <input
            type="number"
            inputMode="numeric"
            min={LIMITS[k][0]}
            max={LIMITS[k][1]}
            value={draft[k]}
            onChange={(e) => setDraft((d) => ({ ...d, [k]: e.target.value }))}
            aria-invalid={parsed.invalid.includes(k) ? true : undefined}
            data-testid={`schedule-${k}`}
          />
        </label>
      ))}
      <DestinationFields
        draft={destinations}
        onChange={setDestinations}
        problems={chosen.problems}
        hosts={[...hosts.values()]}
        tenantHostId={hostId}
        mode="many"
        testIdPrefix="schedule-dest"
        legend="Copies go to"
      />
      <KeySelect keys={keys} value={keyValue} onChange={setKeyValue} allowPolicy={false} unknownKeyId={policy?.keyId} testId="schedule-key-select" />
      {policy && draftLosesSome(policy.destinations) ? (
        <p className="small notice-warn">The schedule has more destinations than this form shows: saving keeps one of each kind.</p>
      ) : null}
      {chosen.problems.none ? <p className="small field-error">{chosen.problems.none}</p> : null}
      <button type="submit" className="btn btn-small btn-primary" disabled={!ready || busy !== null} data-testid="schedule-save">
        {busy === 'save' ? 'Saving…' : 'Save schedule'}
      </button>
      <button type="button" className="btn btn-small" onClick={onCancel} disabled={busy !== null} data-testid="schedule-cancel">
        Cancel
      </button>
    </form>
  );
}
