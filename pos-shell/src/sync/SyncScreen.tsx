import { useCallback, useEffect, useRef, useState, type ChangeEvent } from 'react';
import type { OpOutput } from '../../../shared/contract.js';
import { assertOutboxFileSize, exportInPages, importInPieces, outboxFileText } from '../../../shared/pos/outbox-file.js';
import { usePos } from '../app/context.js';
import { errorText } from '../lib/errors.js';
import { formatWhen, money } from '../lib/format.js';
import { AlertLine } from '../lib/FormLines.js';
import { ParkedRecords } from './ParkedRecords.js';
import { RestoreCheckPanel } from './RestoreCheckPanel.js';

type OrderView = OpOutput<'pos.orders'>[number];

/** Offer JSON text as a file download (no server round trip; works offline). */
function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Orders not in Odoo yet: the waiting ones (sent as soon as Odoo answers) and the parked ones
 * (Odoo refused them; fix the cause, then send again). Export them to a file for another
 * terminal, or import such a file here: both move in pieces (shared/pos/outbox-file.ts), with
 * the count so far shown.
 */
export function SyncScreen() {
  const { api, data, terminal, role } = usePos();
  const [waiting, setWaiting] = useState<OrderView[]>([]);
  const [parked, setParked] = useState<OrderView[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [progress, setProgress] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const outbox = terminal.status?.outbox;

  const load = useCallback(() => {
    Promise.all([api.call('pos.orders', { state: 'pending', limit: 500 }), api.call('pos.orders', { state: 'parked', limit: 500 })]).then(
      ([pending, refused]) => {
        setWaiting(pending);
        setParked(refused);
      },
      (e: unknown) => setError(errorText(e)),
    );
  }, [api]);
  useEffect(load, [load, outbox?.pending, outbox?.parked, outbox?.synced]);

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
      setProgress(null);
      load();
    }
  };

  const syncNow = () =>
    run('sync', async () => {
      const round = await api.call('pos.sync', {});
      if (round.status === 'offline' || round.status === 'auth-failed') return `Odoo did not answer: ${round.error ?? round.status}. Orders keep waiting here.`;
      return `Sent ${round.synced} order(s)${round.parked ? `, ${round.parked} parked` : ''}${round.deferred ? `, ${round.deferred} left for later` : ''}.`;
    });

  const exportOrders = () =>
    run('export', async () => {
      const file = await exportInPages(api, (orders) => setProgress(`Exporting… ${orders} order(s) so far`));
      download(`fleet-pos-orders-${file.exportedAt.replace(/[:.]/g, '-')}.json`, outboxFileText(file));
      return `Exported ${file.orders.length} order(s).`;
    });

  const importOrders = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    void run('import', async () => {
      assertOutboxFileSize(file.size, file.name);
      // The schemas (and zod with them) load only when a file is imported.
      const { readOutboxFile } = await import('../../../shared/pos.js');
      const orders = readOutboxFile(await file.text(), file.name);
      const result = await importInPieces(api, orders, (sent, total) => setProgress(`Importing… ${sent} of ${total} order(s)`));
      return `Imported ${result.imported} order(s); ${result.known} were already here.`;
    });
  };

  return (
    <section className="page sync-page" aria-labelledby="sync-title">
      <h2 id="sync-title">Sync with Odoo</h2>
      <p className="muted">
        {terminal.status?.sync.status === 'online' ? 'Odoo answers.' : terminal.status?.sync.lastError ? `Last error: ${terminal.status.sync.lastError}` : 'No answer from Odoo yet.'} Last sync: {formatWhen(outbox?.lastSyncedAt)}.
      </p>
      <div className="actions actions-left">
        <button type="button" className="btn btn-primary" disabled={!!busy} onClick={() => void syncNow()} data-testid="sync-now">
          {busy === 'sync' ? 'Sending…' : 'Sync now'}
        </button>
        {role === 'admin' ? (
          <>
            <button type="button" className="btn" disabled={!!busy} onClick={() => void exportOrders()} data-testid="export-orders">
              Export waiting orders
            </button>
            <button type="button" className="btn" disabled={!!busy} onClick={() => fileInput.current?.click()} data-testid="import-orders">
              Import orders…
            </button>
            <input ref={fileInput} type="file" accept="application/json,.json" hidden onChange={importOrders} data-testid="import-file" />
          </>
        ) : null}
      </div>
      {role === 'admin' ? null : <p className="muted">Moving orders to another terminal is an admin's: odoo-fleet pos export and pos import.</p>}
      {progress ? (
        <p className="muted" role="status" data-testid="sync-progress">
          {progress}
        </p>
      ) : null}
      {message ? (
        <p className="notice" role="status" data-testid="sync-result">
          {message}
        </p>
      ) : null}
      <AlertLine error={error} testId="sync-error" />

      <h3>Parked ({parked.length})</h3>
      {parked.length === 0 ? <p className="muted">None: Odoo refused no order.</p> : null}
      <ul className="order-table" data-testid="parked-list">
        {parked.map((o) => (
          <li key={o.uid} className="order-table-row">
            <strong>{o.name}</strong>
            <span>{money(o.amountTotal, data.currency)}</span>
            <span className="error-line">{o.lastError}</span>
            <button type="button" className="btn" disabled={!!busy} onClick={() => void run(`requeue:${o.uid}`, async () => (await api.call('pos.requeue', { uid: o.uid }), `${o.name} will be sent again.`))} data-testid={`requeue-${o.name}`}>
              Send again
            </button>
          </li>
        ))}
      </ul>

      <ParkedRecords />

      <h3>Waiting ({waiting.length})</h3>
      {waiting.length === 0 ? <p className="muted">Every order is in Odoo.</p> : null}
      <ul className="order-table" data-testid="waiting-list">
        {waiting.map((o) => (
          <li key={o.uid} className="order-table-row">
            <strong>{o.name}</strong>
            <span>{money(o.amountTotal, data.currency)}</span>
            <span className="muted">
              {o.attempts ? `${o.attempts} attempt(s), next ${formatWhen(o.nextAttemptAt)}` : 'not sent yet'}
              {o.lastError ? ` — ${o.lastError}` : ''}
            </span>
          </li>
        ))}
      </ul>
      <RestoreCheckPanel revision={outbox?.synced} />
    </section>
  );
}
