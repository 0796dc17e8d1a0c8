import { useState } from 'react';
import type { HostView } from '../../../../shared/hosts.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { Modal } from '../../components/Modal.js';
import { draftOfSpecs, hasProblems, specsOfDraft } from '../../lib/destinations.js';
import { useSubmit } from '../../lib/use-submit.js';
import { DestinationFields } from './DestinationFields.js';

interface Rebuilt {
  added: number;
  updated: number;
  skipped: string[];
}

/**
 * Reads the sidecars in one destination and records the host's archives the catalog lacks: after
 * a lost `fleet` database, or to see another console's archives.
 */
export function RebuildCatalogDialog({ hostId, hosts, onClose, onRebuilt }: { hostId: string; hosts: readonly HostView[]; onClose: () => void; onRebuilt: () => void }) {
  const api = useApi();
  const [draft, setDraft] = useState(draftOfSpecs([{ kind: 'local' }]));
  const { busy, error, onSubmit } = useSubmit();
  const [result, setResult] = useState<Rebuilt | null>(null);
  const { specs, problems } = specsOfDraft(draft);
  const destination = specs[0];

  const ready = destination !== undefined && !hasProblems(problems);

  const submit = onSubmit(ready, async () => {
    if (!destination) return;
    setResult(null);
    const r = await api.call('backups.rebuildCatalog', { hostId, destination });
    setResult(r);
    if (r.added + r.updated > 0) onRebuilt();
  });

  return (
    <Modal
      title="Rebuild the catalog from a destination"
      testId="rebuild-dialog"
      onClose={onClose}
      closable={!busy}
      description={
        <p>
          Every archive leaves a small sidecar file beside it. This reads the sidecars in one destination and records this host’s archives that the catalog
          lacks, or adds the copy to an archive it knows elsewhere. Nothing is deleted.
        </p>
      }
    >
      <form onSubmit={submit} noValidate>
        <DestinationFields draft={draft} onChange={setDraft} problems={problems} hosts={hosts} tenantHostId={hostId} mode="one" testIdPrefix="rebuild-dest" legend="Read from" />
        {error ? <ErrorBox error={error} compact testId="rebuild-error" /> : null}
        {result ? (
          <div className="notice small" role="status" data-testid="rebuild-result" data-added={result.added} data-updated={result.updated} data-skipped={result.skipped.length}>
            Added {result.added}, updated {result.updated}, skipped {result.skipped.length}.
            {result.skipped.length > 0 ? (
              <ul className="rebuild-skipped mono wrap-anywhere">
                {result.skipped.map((s, i) => (
                  <li key={i}>{s}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={!ready || busy} data-testid="rebuild-submit">
            {busy ? 'Reading…' : 'Rebuild'}
          </button>
          <button type="button" className="btn" onClick={onClose} disabled={busy} data-testid="rebuild-close">
            {result ? 'Close' : 'Cancel'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
