import { useState } from 'react';
import { usePos } from '../app/context.js';
import { errorText } from '../lib/errors.js';
import { formatDateTime } from '../lib/format.js';
import { ErrorLine } from './Gate.js';
import { PairForm } from './PairForm.js';

/** The session and its data: reload Odoo's data, close the session, pair again. */
export function SessionScreen() {
  const { api, terminal } = usePos();
  const status = terminal.status!;
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pairing, setPairing] = useState(false);

  const run = async (label: string, action: () => Promise<string>) => {
    setBusy(label);
    setError(null);
    setMessage(null);
    try {
      setMessage(await action());
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  if (pairing) return <PairForm pairing={status.pairing} onPaired={() => terminal.reload().then(() => setPairing(false))} onCancel={() => setPairing(false)} />;

  const products = status.cache.find((c) => c.model === 'product.product');
  return (
    <section className="page" aria-labelledby="session-title">
      <h2 id="session-title">Session</h2>
      <dl className="facts">
        <dt>Odoo</dt>
        <dd>
          {status.pairing?.url} · {status.pairing?.database} · {status.pairing?.login} · Odoo {status.pairing?.serverVersion}
        </dd>
        <dt>Point of sale</dt>
        <dd>{status.pairing?.configName}</dd>
        <dt>Session</dt>
        <dd>
          {status.session?.name} (login {status.session?.loginNumber}), opened {formatDateTime(status.session?.openedAt)}
        </dd>
        <dt>Data</dt>
        <dd>
          {products ? `${products.count} products, loaded ${formatDateTime(products.loadedAt)}` : 'not loaded'}
        </dd>
      </dl>
      <div className="actions actions-left">
        <button type="button" className="btn" disabled={!!busy} onClick={() => void run('refresh', async () => {
          const loaded = await api.call('pos.refresh', {});
          await terminal.reload();
          return `Loaded ${loaded.products} products from Odoo.`;
        })} data-testid="refresh-data">
          {busy === 'refresh' ? 'Loading…' : 'Reload products and prices'}
        </button>
        <button type="button" className="btn btn-danger" disabled={!!busy} onClick={() => void run('close', async () => {
          const closed = await api.call('pos.closeSession', {});
          if (closed.closed) await terminal.reload();
          return closed.message;
        })} data-testid="close-session">
          {busy === 'close' ? 'Closing…' : 'Close the session'}
        </button>
        <button type="button" className="btn" disabled={!!busy} onClick={() => setPairing(true)} data-testid="pair-again">
          Pair again…
        </button>
      </div>
      {message ? <p className="notice" role="status">{message}</p> : null}
      <ErrorLine error={error} />
    </section>
  );
}
