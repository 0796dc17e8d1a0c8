import type { BackupKeyView } from '../../../../shared/backups.js';
import type { HostView } from '../../../../shared/hosts.js';
import { NO_DESTINATIONS, type DestinationProblems, type DestinationsDraft } from '../../lib/destinations.js';
import { DestinationFields, KEY_POLICY, KeySelect } from './DestinationFields.js';

export interface BackupNowChoice {
  destinations: DestinationsDraft;
  key: string;
}

/** Untouched: "Back up now" sends neither destinations nor key, so the tenant's schedule decides. */
export const POLICY_CHOICE: BackupNowChoice = { destinations: NO_DESTINATIONS, key: KEY_POLICY };

/** Where one backup goes and which key encrypts it, instead of what the schedule says. */
export function BackupNowOptions({
  choice,
  onChange,
  problems,
  hosts,
  hostId,
  keys,
}: {
  choice: BackupNowChoice;
  onChange: (c: BackupNowChoice) => void;
  problems: DestinationProblems;
  hosts: readonly HostView[];
  hostId: string;
  keys: readonly BackupKeyView[] | null;
}) {
  return (
    <div className="backup-options" data-testid="backup-options">
      <p className="small muted">
        For this backup only. Choose nothing to write it where the tenant’s schedule says (this console’s folder if it has none).
      </p>
      <DestinationFields
        draft={choice.destinations}
        onChange={(destinations) => onChange({ ...choice, destinations })}
        problems={problems}
        hosts={hosts}
        tenantHostId={hostId}
        mode="many"
        testIdPrefix="backup-dest"
        legend="Write copies to"
      />
      <div className="inline-row">
        <KeySelect keys={keys} value={choice.key} onChange={(key) => onChange({ ...choice, key })} allowPolicy testId="backup-key" />
        <button type="button" className="btn btn-small" onClick={() => onChange(POLICY_CHOICE)} data-testid="backup-options-reset">
          Reset
        </button>
      </div>
    </div>
  );
}
