import { useState, type ReactNode } from 'react';
import type { OrderDetailView } from '../../../shared/pos-order-detail.js';
import { usePos } from '../app/context.js';
import { errorText } from '../lib/errors.js';
import { formatDateTime, money, quantity } from '../lib/format.js';
import { AlertLine } from '../lib/FormLines.js';

// One order in full, as the Orders page shows it: its lines, totals and taxes, payments, customer,
// cashier, date, where it stands with Odoo — and Reprint, Refund… and Invoice.

const SYNC_LABELS: Record<OrderDetailView['sync']['state'], string> = { waiting: 'Waiting', uncertain: 'Uncertain', parked: 'Parked', synced: 'In Odoo' };
const SYNC_BADGES: Record<OrderDetailView['sync']['state'], string> = { waiting: 'pending', uncertain: 'pending', parked: 'parked', synced: 'synced' };

export function OrderDetailPanel({ detail, onReprint, onRefund, refundBusy, onInvoiced }: { detail: OrderDetailView; onReprint: () => void; onRefund: () => void; refundBusy: boolean; onInvoiced: (invoice: string) => void }) {
  const { data } = usePos();
  const amount = (value: number) => money(value, data.currency);
  return (
    <div className="order-full" data-testid="order-detail">
      <p className="muted" data-testid="detail-meta">
        {formatDateTime(`${detail.date.replace(' ', 'T')}Z`)} · Cashier: <span data-testid="detail-cashier">{detail.cashier ?? '—'}</span> · Customer: <span data-testid="detail-customer">{detail.customer?.name ?? 'none'}</span>
      </p>
      <SyncLine detail={detail} />
      <table className="detail-lines" data-testid="detail-lines">
        <thead>
          <tr>
            <th>Product</th>
            <th>Qty</th>
            <th>Unit price</th>
            <th>Disc.</th>
            <th>Taxes</th>
            <th>Excl. tax</th>
            <th>Incl. tax</th>
          </tr>
        </thead>
        <tbody>
          {detail.lines.map((line, i) => (
            <tr key={`${line.uuid ?? ''}-${line.odooLineId ?? i}`} data-testid={`detail-line-${i}`}>
              <td>
                {line.name}
                {line.lots.length ? <span className="muted"> ({line.lots.join(', ')})</span> : null}
              </td>
              <td>
                {quantity(line.qty)}
                {line.refundedQty > 0 ? <span className="muted" data-testid="detail-line-refunded"> ({quantity(line.refundedQty)} given back)</span> : null}
              </td>
              <td>{amount(line.priceUnit)}</td>
              <td>{line.discount ? `${line.discount}%` : ''}</td>
              <td>{line.taxes.join(', ')}</td>
              <td>{amount(line.totalExcl)}</td>
              <td>{amount(line.totalIncl)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="detail-totals" data-testid="detail-totals">
        <Row label="Untaxed">{amount(detail.amountUntaxed)}</Row>
        {detail.taxes?.map((tax) => (
          <Row key={tax.id} label={tax.name}>
            {amount(tax.amount)}
          </Row>
        ))}
        <Row label="Taxes">{amount(detail.amountTax)}</Row>
        <Row label="Total" testId="detail-total">
          {amount(detail.amountTotal)}
        </Row>
        {detail.payments.map((p, i) => (
          <Row key={i} label={p.method} testId={`detail-payment-${i}`}>
            {amount(p.amount)}
          </Row>
        ))}
        {detail.change ? (
          <Row label="Change" testId="detail-change">
            {amount(detail.change)}
          </Row>
        ) : null}
      </dl>
      <div className="actions actions-left">
        <button type="button" className="btn btn-large" onClick={onReprint} data-testid="reprint">
          Reprint receipt
        </button>
        {detail.lines.some((l) => l.refundable > 0) ? (
          <button type="button" className="btn btn-large" disabled={refundBusy} onClick={onRefund} data-testid="refund">
            Refund…
          </button>
        ) : null}
        <InvoiceAction detail={detail} onInvoiced={onInvoiced} />
      </div>
    </div>
  );
}

function Row({ label, testId, children }: { label: string; testId?: string; children: ReactNode }) {
  return (
    <div className="detail-row" data-testid={testId}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** Where the order stands: waiting, uncertain, parked (with Odoo's reason) or in Odoo (its name and id, its invoice). */
function SyncLine({ detail }: { detail: OrderDetailView }) {
  const { sync, odoo } = detail;
  return (
    <p>
      <span className={`badge badge-${SYNC_BADGES[sync.state]}`} data-testid="detail-sync" data-state={sync.state}>
        {SYNC_LABELS[sync.state]}
      </span>
      {sync.reason ? <span className={sync.state === 'parked' ? 'error-line' : 'muted'}> {sync.reason}</span> : null}
      {odoo ? (
        <span data-testid="detail-odoo">
          {' '}
          Odoo: {odoo.name ?? 'name not known (Odoo did not answer)'} (id {odoo.id}){odoo.state ? ` · ${odoo.state}` : ''}
          {odoo.invoice ? <span data-testid="detail-invoice"> · invoice {odoo.invoice}</span> : null}
        </span>
      ) : null}
    </p>
  );
}

/** Invoice: Odoo makes it for an order it holds that has a customer; a waiting order is invoiced once synced. */
function InvoiceAction({ detail, onInvoiced }: { detail: OrderDetailView; onInvoiced: (invoice: string) => void }) {
  const { api } = usePos();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (detail.odoo?.invoice) return null;
  if (detail.sync.state !== 'synced' || !detail.odoo) {
    return (
      <p className="muted" data-testid="invoice-later">
        It can be invoiced once it is in Odoo{detail.toInvoice ? ' (it was sold to invoice: Odoo invoices it as it arrives)' : ''}.
      </p>
    );
  }
  if (detail.odoo.state && detail.odoo.state !== 'paid') {
    return (
      <p className="muted" data-testid="invoice-not-paid">
        Odoo invoices a paid order only (this one is {detail.odoo.state}).
      </p>
    );
  }
  if (!detail.customer) {
    return (
      <p className="muted" data-testid="invoice-needs-customer">
        No customer: Odoo invoices an order only with one.
      </p>
    );
  }
  const target = detail.uid ? { uid: detail.uid } : { orderId: detail.odoo.id };
  const invoice = async () => {
    setBusy(true);
    setError(null);
    try {
      onInvoiced((await api.call('pos.invoiceOrder', target)).invoice);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="btn btn-large" disabled={busy} onClick={() => void invoice()} data-testid="invoice">
        {busy ? 'Invoicing…' : 'Invoice'}
      </button>
      <AlertLine error={error} testId="invoice-error" />
    </>
  );
}
