import { useState, type FormEvent } from 'react';
import { usePos } from '../app/context.js';
import { errorText } from '../lib/errors.js';
import { formatDateTime, money } from '../lib/format.js';
import { useReceiptPrinter, type ReceiptPrinter } from '../lib/printer.js';
import { ErrorLine, FieldRow } from './Gate.js';
import { CloseSessionForm } from './CloseSessionForm.js';
import { PairForm } from './PairForm.js';

const parseAmount = (text: string) => Number(text.trim().replace(',', '.'));

/** The session and its data: reload Odoo's data, cash in and out, the receipt printer, closing, pairing again. */
export function SessionScreen() {
  const { api, terminal, role } = usePos();
  const admin = role === 'admin';
  const status = terminal.status!;
  const [pairing, setPairing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  if (pairing) return <PairForm pairing={status.pairing} onPaired={() => terminal.reload().then(() => setPairing(false))} onCancel={() => setPairing(false)} />;

  const refresh = async () => {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const loaded = await api.call('pos.refresh', {});
      setMessage(`Loaded ${loaded.products} products from Odoo.`);
      await terminal.reload();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const products = status.cache.find((c) => c.model === 'product.product');
  return (
    <div className="session-page">
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
          <dd>{products ? `${products.count} products, loaded ${formatDateTime(products.loadedAt)}` : 'not loaded'}</dd>
        </dl>
        <div className="actions actions-left">
          <button type="button" className="btn" disabled={busy} onClick={() => void refresh()} data-testid="refresh-data">
            {busy ? 'Loading…' : 'Reload products and prices'}
          </button>
          {admin ? (
            <button type="button" className="btn" disabled={busy} onClick={() => setPairing(true)} data-testid="pair-again">
              Pair again…
            </button>
          ) : null}
        </div>
        {message ? (
          <p className="notice" role="status">
            {message}
          </p>
        ) : null}
        <ErrorLine error={error} />
      </section>
      <CashMoveForm />
      <PrinterSection />
      <CloseSessionForm />
    </div>
  );
}

/** Cash put in or taken out of the drawer, recorded offline too and sent to Odoo by the sync. */
function CashMoveForm() {
  const { api, data } = usePos();
  const [type, setType] = useState<'in' | 'out'>('out');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = parseAmount(amount);
    if (!(value > 0)) return setError('Enter an amount above zero.');
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      await api.call('pos.cashMove', { type, amount: value, reason: reason.trim() });
      setMessage(`Cash ${type === 'in' ? 'in' : 'out'}: ${money(value, data.currency)} recorded.`);
      setAmount('');
      setReason('');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="page" aria-labelledby="cash-title">
      <h2 id="cash-title">Cash in / out</h2>
      <form className="inline-form" onSubmit={submit} noValidate>
        <FieldRow label="Move">
          <select value={type} onChange={(e) => setType(e.target.value === 'in' ? 'in' : 'out')} data-testid="cash-move-type">
            <option value="out">Take cash out</option>
            <option value="in">Put cash in</option>
          </select>
        </FieldRow>
        <FieldRow label="Amount">
          <input inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} data-testid="cash-move-amount" />
        </FieldRow>
        <FieldRow label="Reason">
          <input value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} data-testid="cash-move-reason" />
        </FieldRow>
        <button type="submit" className="btn" disabled={busy} data-testid="cash-move-submit">
          Record
        </button>
      </form>
      {message ? (
        <p className="notice" role="status">
          {message}
        </p>
      ) : null}
      <ErrorLine error={error} testId="cash-move-error" />
    </section>
  );
}

/** The terminal's ESC/POS network printer, set by an admin (the browser's print works without one). */
function PrinterSection() {
  const { api, role } = usePos();
  const saved = useReceiptPrinter(api);
  let body;
  if (saved === undefined) body = <p className="muted">Loading…</p>;
  else if (role === 'admin') body = <PrinterForm saved={saved} />;
  else body = <p className="muted" data-testid="printer-readonly">{saved ? `${saved.host}:${saved.port}, ${saved.width} characters a line.` : 'None: receipts print with the browser.'} An admin sets it (odoo-fleet pos printer).</p>;
  return (
    <section className="page" aria-labelledby="printer-title">
      <h2 id="printer-title">Receipt printer</h2>
      {body}
    </section>
  );
}

const PAPER_WIDTHS = [42, 48, 32] as const;

function PrinterForm({ saved }: { saved: ReceiptPrinter | null }) {
  const { api } = usePos();
  const [host, setHost] = useState(saved?.host ?? '');
  const [port, setPort] = useState(String(saved?.port ?? 9100));
  const [width, setWidth] = useState(String(saved?.width ?? 42));
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const paper = PAPER_WIDTHS.find((w) => w === Number(width)) ?? 42;
      const printer = host.trim() ? { host: host.trim(), port: port.trim() ? Number(port) : 9100, width: paper } : null;
      const set = await api.call('pos.setReceiptPrinter', { printer });
      setMessage(set ? `Receipts can be printed on ${set.host}:${set.port}.` : 'No receipt printer: receipts print with the browser.');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <form className="inline-form" onSubmit={submit} noValidate>
        <FieldRow label="Printer address" hint="An ESC/POS printer on the shop's network (host name or IP address); empty for none. Admins only.">
          <input value={host} onChange={(e) => setHost(e.target.value)} autoCapitalize="off" data-testid="printer-host" />
        </FieldRow>
        <FieldRow label="Port">
          <input inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value)} data-testid="printer-port" />
        </FieldRow>
        <FieldRow label="Paper">
          <select value={width} onChange={(e) => setWidth(e.target.value)} data-testid="printer-width">
            <option value="42">80 mm (42 characters)</option>
            <option value="48">80 mm, small font (48 characters)</option>
            <option value="32">58 mm (32 characters)</option>
          </select>
        </FieldRow>
        <button type="submit" className="btn" disabled={busy} data-testid="printer-save">
          Save
        </button>
      </form>
      {message ? (
        <p className="notice" role="status" data-testid="printer-saved">
          {message}
        </p>
      ) : null}
      <ErrorLine error={error} testId="printer-error" />
    </>
  );
}
