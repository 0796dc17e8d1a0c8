import { useState, type FormEvent } from 'react';
import type { OpOutput } from '../../../shared/contract.js';
import { useApi } from '../../../ui-common/api/context.js';
import { errorText } from '../lib/errors.js';
import { ErrorLine, FieldRow, Gate } from './Gate.js';

type Pairing = OpOutput<'pos.status'>['pairing'];

/**
 * Pairs the terminal with an Odoo database (its version is detected and the login checked by the
 * service). When the user may use several POS configurations, a second step picks one.
 */
export function PairForm({ pairing, onPaired, onCancel }: { pairing: Pairing; onPaired: () => void | Promise<void>; onCancel?: () => void }) {
  const api = useApi();
  const [url, setUrl] = useState(pairing?.url ?? '');
  const [database, setDatabase] = useState(pairing?.database ?? '');
  const [login, setLogin] = useState(pairing?.login ?? '');
  const [secret, setSecret] = useState('');
  const [configs, setConfigs] = useState<Array<{ id: number; name: string }> | null>(null);
  const [configId, setConfigId] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!url || !database || !login || !secret) return setError('Fill in every field.');
    setBusy(true);
    setError(null);
    try {
      const result = await api.call('pos.pair', { url: url.trim(), database: database.trim(), login: login.trim(), secret, ...(configId ? { configId } : {}) });
      if (result.pairing.configId) await onPaired();
      else if (result.configs.length === 0) setError('This Odoo user sees no POS configuration: check its Point of Sale access rights.');
      else {
        setConfigs(result.configs);
        setConfigId(result.configs[0]!.id);
      }
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Gate title="Pair this terminal with Odoo">
      <form onSubmit={submit} noValidate>
        <FieldRow label="Odoo address" hint="e.g. https://shop.example.com">
          <input type="url" inputMode="url" autoFocus value={url} onChange={(e) => setUrl(e.target.value)} data-testid="pair-url" disabled={!!configs} />
        </FieldRow>
        <FieldRow label="Database">
          <input value={database} onChange={(e) => setDatabase(e.target.value)} autoCapitalize="off" data-testid="pair-db" disabled={!!configs} />
        </FieldRow>
        <FieldRow label="Login">
          <input value={login} onChange={(e) => setLogin(e.target.value)} autoCapitalize="off" autoComplete="username" data-testid="pair-login" disabled={!!configs} />
        </FieldRow>
        <FieldRow label="Password or API key" hint="Stored encrypted on this terminal.">
          <input type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="current-password" data-testid="pair-secret" disabled={!!configs} />
        </FieldRow>
        {configs ? (
          <FieldRow label="Point of sale">
            <select value={configId ?? ''} onChange={(e) => setConfigId(Number(e.target.value))} data-testid="pair-config">
              {configs.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </FieldRow>
        ) : null}
        <ErrorLine error={error} />
        <div className="actions">
          {onCancel ? (
            <button type="button" className="btn" onClick={onCancel}>
              Cancel
            </button>
          ) : null}
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="pair-submit">
            {busy ? 'Checking…' : configs ? 'Use this point of sale' : 'Pair'}
          </button>
        </div>
      </form>
    </Gate>
  );
}
