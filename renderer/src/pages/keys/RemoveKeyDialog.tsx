import { useState, type FormEvent } from 'react';
import { useApi } from '../../api/context.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { Modal } from '../../components/Modal.js';
import { confirmed, TypedConfirm } from '../../components/TypedConfirm.js';
import { toFleetError, type FleetError } from '../../lib/errors.js';

/** Forgets a backup key after its name is typed: archives it encrypts become unreadable here. */
export function RemoveKeyDialog({ name, onRemoved, onClose }: { name: string; onRemoved: () => void; onClose: () => void }) {
  const api = useApi();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FleetError | null>(null);
  const matches = confirmed(typed, name);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!matches || busy) return;
    setBusy(true);
    setError(null);
    try {
      await api.call('keys.remove', { name });
      onRemoved();
    } catch (err) {
      setError(toFleetError(err));
      setBusy(false);
    }
  };

  return (
    <Modal
      title={`Remove key ${name}`}
      testId="key-remove-dialog"
      onClose={onClose}
      closable={!busy}
      description={
        <p>
          This console forgets backup key <strong className="mono">{name}</strong>. Archives encrypted with it <strong>can no longer be read here</strong>{' '}
          (verified, restored or cloned) unless the key is imported again from its exported line.
        </p>
      }
    >
      <form onSubmit={submit} noValidate>
        <TypedConfirm expected={name} what="key’s name" value={typed} onChange={setTyped} testId="key-remove-confirm-input" />
        {error ? <ErrorBox error={error} compact testId="key-remove-error" /> : null}
        <div className="actions">
          <button type="submit" className="btn btn-danger" disabled={!matches || busy} data-testid="key-remove-submit">
            {busy ? 'Removing…' : `Remove ${name}`}
          </button>
          <button type="button" className="btn" onClick={onClose} disabled={busy} data-testid="key-remove-cancel">
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
