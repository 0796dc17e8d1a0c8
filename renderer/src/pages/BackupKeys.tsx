import { useState } from 'react';
import type { BackupKeyView } from '../../../shared/backups.js';
import { useApi } from '../../../ui-common/api/context.js';
import { CountedTitle } from '../components/CountedTitle.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { ReloadButton } from '../components/ReloadButton.js';
import { RowActions } from '../components/TableHead.js';
import { TableOrEmpty } from '../components/TableOrEmpty.js';
import { formatDateTime } from '../lib/format.js';
import { NEEDS } from '../lib/roles.js';
import { useCan } from '../lib/session.js';
import { useBackupKeys } from '../lib/use-backup-keys.js';
import { useAction } from '../lib/use-submit.js';
import { ExportedKey } from './keys/ExportedKey.js';
import { CreateKeyForm, ImportKeyForm } from './keys/KeyForms.js';
import { RemoveKeyDialog } from './keys/RemoveKeyDialog.js';

type Exported = BackupKeyView & { secret: string };

/** The backup keys this console holds: list, create, export (shown once), import, remove. */
export function BackupKeysPage() {
  const api = useApi();
  const { keys, error, loading, reload } = useBackupKeys();
  const canCreate = useCan(NEEDS.createKey);
  const canImport = useCan(NEEDS.importKey);
  const canExport = useCan(NEEDS.exportKey);
  const canRemove = useCan(NEEDS.removeKey);
  const [exported, setExported] = useState<Exported | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const exporting = useAction<string>();
  const [notice, setNotice] = useState<string | null>(null);

  const exportKey = (name: string) =>
    exporting.run(name, async () => {
      setExported(await api.call('keys.export', { name }));
    });

  const added = (verb: string) => (key: BackupKeyView) => {
    setNotice(`${verb} key “${key.name}” (${key.id}).`);
    void reload();
  };

  const showActions = canExport || canRemove;

  return (
    <div className="keys-page" data-testid="keys-page">
      <div className="inline-row">
        <p className="muted grow">
          Backup keys encrypt archives before they leave this console. Each is kept in this console’s vault; export it and keep the line offline, or
          encrypted archives are lost with the vault.
        </p>
        <ReloadButton loading={loading} onReload={() => void reload()} label="Refresh" busyLabel="Loading…" testId="keys-refresh" />
      </div>
      {!canCreate ? <p className="small muted">Creating, exporting, importing and removing keys needs the admin role.</p> : null}
      {error ? <ErrorBox error={error} testId="keys-error" /> : null}
      {exporting.error ? <ErrorBox error={exporting.error} compact testId="key-action-error" /> : null}
      {notice ? (
        <p className="notice small" role="status" data-testid="keys-notice">
          {notice}
        </p>
      ) : null}
      {exported ? <ExportedKey exported={exported} onHide={() => setExported(null)} /> : null}

      <section className="card" aria-label="Backup keys">
        <CountedTitle title="Keys" count={keys ? keys.length : ''} testId="keys-count" />
        <TableOrEmpty
          items={keys}
          error={error}
          empty="No backup keys yet: archives are written unencrypted."
          emptyTestId="keys-empty"
          testId="keys-table"
          labels={['Name', 'Id (fingerprint)', 'Created']}
          actions={showActions}
          row={(k) => (
            <tr key={k.id} data-testid={`key-row-${k.name}`} data-key-id={k.id}>
              <td className="mono">{k.name}</td>
              <td className="mono">{k.id}</td>
              <td className="nowrap">{formatDateTime(k.createdAt)}</td>
              {showActions ? (
                <RowActions className="key-actions">
                  {canExport ? (
                    <button type="button" className="btn btn-small" onClick={() => void exportKey(k.name)} disabled={exporting.busy !== null} data-testid="key-export">
                      {exporting.busy === k.name ? 'Exporting…' : 'Export'}
                    </button>
                  ) : null}
                  {canRemove ? (
                    <button type="button" className="btn btn-small btn-danger-ghost" onClick={() => setRemoving(k.name)} data-testid="key-remove">
                      Remove…
                    </button>
                  ) : null}
                </RowActions>
              ) : null}
            </tr>
          )}
        />
      </section>

      {canCreate || canImport ? (
        <div className="cards keys-forms">
          {canCreate ? <CreateKeyForm onCreated={added('Created')} /> : null}
          {canImport ? <ImportKeyForm onImported={added('Imported')} /> : null}
        </div>
      ) : null}

      {removing ? (
        <RemoveKeyDialog
          name={removing}
          onClose={() => setRemoving(null)}
          onRemoved={() => {
            setNotice(`Removed key “${removing}”.`);
            if (exported?.name === removing) setExported(null);
            setRemoving(null);
            void reload();
          }}
        />
      ) : null}
    </div>
  );
}
