import { useId } from 'react';
import type { BackupKeyView } from '../../../../shared/backups.js';
import type { HostView } from '../../../../shared/hosts.js';
import { DESTINATION_LABELS, type DestinationKind, type DestinationProblems, type DestinationsDraft } from '../../lib/destinations.js';

// The destination rows and the key select that "Back up now", the schedule form and "Rebuild
// catalog from…" share.

const LOCAL_HINT = 'this console’s backup folder';

export function DestinationFields({
  draft,
  onChange,
  problems,
  hosts,
  tenantHostId,
  mode,
  testIdPrefix,
  legend,
}: {
  draft: DestinationsDraft;
  onChange: (d: DestinationsDraft) => void;
  problems: DestinationProblems;
  hosts: readonly HostView[];
  tenantHostId: string;
  /** Several destinations at once (checkboxes) or exactly one (radio buttons). */
  mode: 'many' | 'one';
  testIdPrefix: string;
  legend: string;
}) {
  const group = useId();
  const choose = (kind: DestinationKind, on: boolean) =>
    onChange({ ...draft, chosen: mode === 'one' ? { local: false, host: false, sftp: false, [kind]: true } : { ...draft.chosen, [kind]: on } });
  const check = (kind: DestinationKind) => (
    <label className="inline-check dest-kind">
      <input
        type={mode === 'one' ? 'radio' : 'checkbox'}
        name={mode === 'one' ? group : undefined}
        checked={draft.chosen[kind]}
        onChange={(e) => choose(kind, e.target.checked)}
        data-testid={`${testIdPrefix}-${kind}`}
      />
      <span>{DESTINATION_LABELS[kind]}</span>
    </label>
  );
  const problem = (key: keyof DestinationProblems) =>
    problems[key] ? (
      <span className="field-error" data-testid={`${testIdPrefix}-problem-${key}`}>
        {problems[key]}
      </span>
    ) : null;

  return (
    <fieldset className="dest-fields" data-testid={testIdPrefix}>
      <legend className="small strong">{legend}</legend>
      <div className="dest-row">
        {check('local')}
        <span className="muted small">{LOCAL_HINT}</span>
      </div>
      <div className="dest-row">
        {check('host')}
        <input
          value={draft.hostFolder}
          onChange={(e) => onChange({ ...draft, hostFolder: e.target.value })}
          disabled={!draft.chosen.host}
          placeholder="/srv/odoo-backups"
          aria-label="Folder on the tenant’s host"
          aria-invalid={problems.hostFolder ? true : undefined}
          className="mono dest-folder"
          data-testid={`${testIdPrefix}-host-folder`}
        />
        {problem('hostFolder')}
      </div>
      <div className="dest-row">
        {check('sftp')}
        <select
          value={draft.sftpHostId}
          onChange={(e) => onChange({ ...draft, sftpHostId: e.target.value })}
          disabled={!draft.chosen.sftp}
          aria-label="Host to copy to over SFTP"
          aria-invalid={problems.sftpHostId ? true : undefined}
          className="dest-host"
          data-testid={`${testIdPrefix}-sftp-host`}
        >
          <option value="">Host…</option>
          {hosts.map((h) => (
            <option key={h.id} value={h.id}>
              {h.name}
              {h.id === tenantHostId ? ' (the tenant’s host)' : ''}
            </option>
          ))}
        </select>
        <input
          value={draft.sftpFolder}
          onChange={(e) => onChange({ ...draft, sftpFolder: e.target.value })}
          disabled={!draft.chosen.sftp}
          placeholder="/srv/offsite"
          aria-label="Folder on that host"
          aria-invalid={problems.sftpFolder ? true : undefined}
          className="mono dest-folder"
          data-testid={`${testIdPrefix}-sftp-folder`}
        />
        {problem('sftpHostId')}
        {problem('sftpFolder')}
      </div>
      {mode === 'many' ? (
        <p className="small muted dest-hint">
          Each destination gets the same bytes. A folder on the tenant’s host is fast but is lost with the host; another host needs only SFTP.
        </p>
      ) : null}
    </fieldset>
  );
}

/** Select values that cannot be key names (those start with a letter or digit). */
export const KEY_POLICY = ':policy';
export const KEY_NONE = ':none';
/** A policy's key that this console does not hold: the user must choose. */
export const KEY_UNKNOWN = ':unknown';

export function KeySelect({
  keys,
  value,
  onChange,
  allowPolicy,
  unknownKeyId,
  testId,
}: {
  keys: readonly BackupKeyView[] | null;
  value: string;
  onChange: (v: string) => void;
  /** Offer "as the tenant's schedule says" (Back up now). */
  allowPolicy: boolean;
  unknownKeyId?: string | null;
  testId: string;
}) {
  return (
    <label className="schedule-field small key-select">
      <span>Encryption key</span>
      <select value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={value === KEY_UNKNOWN ? true : undefined} data-testid={testId}>
        {allowPolicy ? <option value={KEY_POLICY}>as the schedule says</option> : null}
        {value === KEY_UNKNOWN ? <option value={KEY_UNKNOWN}>key {unknownKeyId ?? '?'}: not on this console</option> : null}
        <option value={KEY_NONE}>none (not encrypted)</option>
        {(keys ?? []).map((k) => (
          <option key={k.id} value={k.name}>
            {k.name} ({k.id})
          </option>
        ))}
      </select>
    </label>
  );
}

/** The select's value as the contract's `key`: undefined leaves the policy's. */
export function keyInput(value: string): string | null | undefined {
  if (value === KEY_POLICY || value === KEY_UNKNOWN) return undefined;
  return value === KEY_NONE ? null : value;
}
