import { useState } from 'react';
import type { BackupKeyView } from '../../../../shared/backups.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { Field } from '../../components/Field.js';
import { NameInput } from '../../components/NameInput.js';
import { useSubmit } from '../../lib/use-submit.js';

// Making a new key and importing an exported one. The server checks the name and the line (its
// checksum); its message is what the user needs, so it is shown as is.

export function CreateKeyForm({ onCreated }: { onCreated: (key: BackupKeyView) => void }) {
  const api = useApi();
  const [name, setName] = useState('');
  const { busy, error, onSubmit } = useSubmit();

  const submit = onSubmit(name.trim() !== '', async () => {
    const key = await api.call('keys.create', { name: name.trim() });
    setName('');
    onCreated(key);
  });

  return (
    <form className="card key-form" onSubmit={submit} noValidate aria-label="New backup key" data-testid="key-create-form">
      <h3 className="card-title">New key</h3>
      <Field label="Name" hint="Letters, digits, “.”, “_” and “-”, e.g. office-2025.">
        <NameInput value={name} onValue={setName} testId="key-create-name" />
      </Field>
      {error ? <ErrorBox error={error} compact testId="key-create-error" /> : null}
      <button type="submit" className="btn btn-primary" disabled={!name.trim() || busy} data-testid="key-create-submit">
        {busy ? 'Creating…' : 'Create key'}
      </button>
    </form>
  );
}

export function ImportKeyForm({ onImported }: { onImported: (key: BackupKeyView) => void }) {
  const api = useApi();
  const [name, setName] = useState('');
  const [line, setLine] = useState('');
  const { busy, error, onSubmit } = useSubmit();
  const ready = name.trim() !== '' && line.trim() !== '';

  const submit = onSubmit(ready, async () => {
    const key = await api.call('keys.import', { name: name.trim(), secret: line.trim() });
    setName('');
    setLine('');
    onImported(key);
  });

  return (
    <form className="card key-form" onSubmit={submit} noValidate aria-label="Import a backup key" data-testid="key-import-form">
      <h3 className="card-title">Import a key</h3>
      <Field label="Name" hint="How this console will call it.">
        <NameInput value={name} onValue={setName} testId="key-import-name" />
      </Field>
      <Field label="Exported line" hint="The whole line another console exported (odoo-fleet-backup-key-v1:…).">
        <input
          type="password"
          value={line}
          onChange={(e) => setLine(e.target.value)}
          className="mono"
          autoComplete="off"
          spellCheck={false}
          data-testid="key-import-secret"
        />
      </Field>
      {error ? <ErrorBox error={error} compact testId="key-import-error" /> : null}
      <button type="submit" className="btn btn-primary" disabled={!ready || busy} data-testid="key-import-submit">
        {busy ? 'Importing…' : 'Import key'}
      </button>
    </form>
  );
}
