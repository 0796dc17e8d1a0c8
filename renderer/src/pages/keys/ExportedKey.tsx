import type { BackupKeyView } from '../../../../shared/backups.js';
import { CopyButton } from '../../components/CopyButton.js';

/**
 * An exported key's line, shown once: it is the key itself. Hiding it forgets it here; exporting
 * again is an audited call.
 */
export function ExportedKey({ exported, onHide }: { exported: BackupKeyView & { secret: string }; onHide: () => void }) {
  return (
    <section className="card key-exported notice-warn" aria-label={`Exported key ${exported.name}`} data-testid="key-exported" data-key={exported.name}>
      <h3 className="card-title">Key “{exported.name}” as one line</h3>
      <p className="small">
        <strong>Store this line offline</strong> (a password manager or paper in a safe), not next to the backups. Anyone holding it can read the archives it
        encrypts; without it, no other console can, and neither can this one if its vault is lost.
      </p>
      <div className="inline-row">
        <input
          readOnly
          value={exported.secret}
          className="mono grow"
          aria-label="Exported key line"
          onFocus={(e) => e.currentTarget.select()}
          data-testid="key-secret"
        />
        <CopyButton text={exported.secret} label="Copy the key line" className="btn btn-small" testId="key-secret-copy" />
      </div>
      <button type="button" className="btn btn-small" onClick={onHide} data-testid="key-secret-hide">
        I stored it — hide the line
      </button>
    </section>
  );
}
