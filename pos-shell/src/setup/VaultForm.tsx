import { useState, type FormEvent } from 'react';
import type { VaultStatus } from '../../../shared/contract.js';
import { useApi } from '../../../ui-common/api/context.js';
import { errorText } from '../lib/errors.js';
import { ErrorLine, FieldRow, Gate } from './Gate.js';

/** The terminal keeps its Odoo password or API key in an encrypted vault: set it up or unlock it. */
export function VaultForm({ status, onDone }: { status: VaultStatus; onDone: () => void }) {
  const api = useApi();
  const setup = status.state === 'uninitialised';
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (setup && passphrase.length < 8) return setError('Use at least 8 characters.');
    if (setup && confirm !== passphrase) return setError('The two passphrases differ.');
    setBusy(true);
    setError(null);
    try {
      const next = setup ? await api.call('vault.setup', { passphrase }) : await api.call('vault.unlock', { passphrase });
      if (next.state === 'unlocked') onDone();
      else setError(`The vault is still ${next.state}.`);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Gate title={setup ? 'Protect this terminal’s secrets' : 'Unlock this terminal'}>
      <p className="muted">{setup ? 'Choose a passphrase: it encrypts the Odoo password or API key stored on this terminal, and is asked each time the terminal service starts.' : 'Enter the passphrase that protects the Odoo credentials stored on this terminal.'}</p>
      {status.warning ? <p className="notice">{status.warning}</p> : null}
      <form onSubmit={submit} noValidate>
        <FieldRow label="Passphrase">
          <input type="password" autoComplete={setup ? 'new-password' : 'current-password'} autoFocus value={passphrase} onChange={(e) => setPassphrase(e.target.value)} data-testid="vault-passphrase" />
        </FieldRow>
        {setup ? (
          <FieldRow label="Repeat the passphrase">
            <input type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} data-testid="vault-passphrase-confirm" />
          </FieldRow>
        ) : null}
        <ErrorLine error={error} />
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="vault-submit">
            {busy ? 'Working…' : setup ? 'Set passphrase' : 'Unlock'}
          </button>
        </div>
      </form>
    </Gate>
  );
}
