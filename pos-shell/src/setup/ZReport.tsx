import { useState } from 'react';
import type { OpOutput } from '../../../shared/contract.js';
import { useApi } from '../../../ui-common/api/context.js';
import { errorText } from '../lib/errors.js';
import { formatDateTime, money } from '../lib/format.js';
import { useReceiptPrinter } from '../lib/printer.js';

export type ZReportData = NonNullable<OpOutput<'pos.zReport'>>;

/**
 * The end-of-day (Z) report as an accountant files it, in the currency it was closed in (it is
 * shown again before the next session's data is loaded); printed alone on paper (print CSS: `.z-report`).
 */
export function ZReport({ report }: { report: ZReportData }) {
  const currency = { symbol: report.currency.symbol, position: report.currency.position ?? 'before', decimalPlaces: report.currency.decimals, rounding: 10 ** -report.currency.decimals };
  const m = (n: number) => money(n, currency);
  const signed = (n: number) => (n > 0 ? `+${m(n)}` : m(n));
  return (
    <article className="z-report" data-testid="z-report">
      <h3>Z report — {report.sessionName}</h3>
      <dl className="facts">
        <dt>Point of sale</dt>
        <dd>{report.configName ?? '—'}</dd>
        <dt>Opened</dt>
        <dd>{formatDateTime(report.openedAt)}</dd>
        <dt>Closed</dt>
        <dd>{report.closedAt ? formatDateTime(report.closedAt) : 'not yet'}</dd>
        <dt>Cashiers</dt>
        <dd>{report.cashiers.join(', ') || '—'}</dd>
        <dt>Orders</dt>
        <dd data-testid="z-orders">{report.orders}</dd>
        <dt>Total</dt>
        <dd data-testid="z-total">{m(report.total)}</dd>
      </dl>
      <table className="z-table">
        <thead>
          <tr>
            <th>Payment method</th>
            <th>Taken</th>
            <th>Expected</th>
            <th>Counted</th>
            <th>Difference</th>
          </tr>
        </thead>
        <tbody>
          {report.byPaymentMethod.map((p) => (
            <tr key={p.id} data-testid={`z-method-${p.id}`}>
              <td>
                {p.name} ({p.count})
              </td>
              <td>{m(p.amount)}</td>
              <td>{m(p.expected)}</td>
              <td>{p.counted === null ? '—' : m(p.counted)}</td>
              <td>{p.difference === null ? '—' : signed(p.difference)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="z-table">
        <thead>
          <tr>
            <th>Tax</th>
            <th>Base</th>
            <th>Tax amount</th>
          </tr>
        </thead>
        <tbody>
          {report.byTax.map((t) => (
            <tr key={t.id} data-testid={`z-tax-${t.id}`}>
              <td>{t.name}</td>
              <td>{m(t.base)}</td>
              <td>{m(t.amount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="facts">
        <dt>Refunds</dt>
        <dd data-testid="z-refunds">
          {report.refunds.count}, {m(report.refunds.total)}
        </dd>
        <dt>Discounts</dt>
        <dd data-testid="z-discounts">
          {report.discounts.count} line(s), {m(report.discounts.total)}
        </dd>
        <dt>Opening cash</dt>
        <dd data-testid="z-opening">
          {m(report.opening.counted)}
          {report.opening.expected !== null ? ` counted, ${m(report.opening.expected)} expected, difference ${signed(report.opening.difference)}` : ''}
        </dd>
        {report.opening.notes ? <FactRow label="Opening note" value={report.opening.notes} /> : null}
        {report.cashMoves.map((move, i) => (
          <FactRow key={i} label={`Cash ${move.type}`} value={`${signed(move.type === 'in' ? move.amount : -move.amount)} — ${move.reason}`} />
        ))}
        {report.closing.notes ? <FactRow label="Closing note" value={report.closing.notes} /> : null}
      </dl>
      <p className="muted">{report.closing.source === 'odoo' ? 'Expected amounts: Odoo’s, for the whole session (every terminal).' : 'Expected amounts: this terminal’s own orders only (Odoo did not answer).'}</p>
    </article>
  );
}

/** Print buttons: the browser's print (the report alone on paper), and the terminal's ESC/POS printer when set. */
export function ZReportPrint() {
  const api = useApi();
  const printer = useReceiptPrinter(api);
  const [state, setState] = useState<{ busy: boolean; message: string | null; error: boolean }>({ busy: false, message: null, error: false });
  const printOnNetwork = async () => {
    setState({ busy: true, message: null, error: false });
    try {
      const printed = await api.call('pos.printZReport', {});
      setState({ busy: false, message: `Sent to ${printed.printer}.`, error: false });
    } catch (e) {
      setState({ busy: false, message: errorText(e), error: true });
    }
  };
  return (
    <>
      <button type="button" className="btn" onClick={() => window.print()} data-testid="print-z-report">
        Print the Z report
      </button>
      {printer ? (
        <button type="button" className="btn" disabled={state.busy} onClick={() => void printOnNetwork()} data-testid="print-z-network">
          {state.busy ? 'Printing…' : `Print on ${printer.host}`}
        </button>
      ) : null}
      {state.message ? (
        <p className={state.error ? 'error-line' : 'muted'} role="status" data-testid="z-print-status">
          {state.message}
        </p>
      ) : null}
    </>
  );
}

function FactRow({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
}
