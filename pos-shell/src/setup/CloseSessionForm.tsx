import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { OpOutput } from '../../../shared/contract.js';
import { countedDifference, currencyRound } from '../../../shared/pos/session-report.js';
import { usePos } from '../app/context.js';
import { errorText } from '../lib/errors.js';
import { money } from '../lib/format.js';
import { ErrorLine, FieldRow } from './Gate.js';
import { ZReport, ZReportPrint, type ZReportData } from './ZReport.js';

type Control = OpOutput<'pos.closingControl'>;
type Method = Control['methods'][number];

const parseAmount = (text: string) => Number(text.trim().replace(',', '.'));

/**
 * End of day as Odoo's closing popup: per payment method what is expected, what was counted and
 * the difference; a note when a difference is above the limit. The server checks all of it again.
 */
export function CloseSessionForm() {
  const { api, data, terminal } = usePos();
  const [control, setControl] = useState<Control | null>(null);
  const [counts, setCounts] = useState<Record<number, string>>({});
  const [notes, setNotes] = useState('');
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ZReportData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const rounding = data.currency.rounding;
  const m = (n: number) => money(n, data.currency);

  const load = useCallback(async () => {
    try {
      const loaded = await api.call('pos.closingControl', {});
      setControl(loaded);
      // Bank methods start as expected (Odoo's popup does the same); cash is counted.
      setCounts(Object.fromEntries(loaded.methods.filter((x) => x.kind === 'bank').map((x) => [x.id, x.expected.toFixed(data.currency.decimalPlaces)])));
    } catch (e) {
      setError(errorText(e));
    }
  }, [api, data.currency.decimalPlaces]);
  useEffect(() => void load(), [load]);

  const countOf = (method: Method): number | null => {
    const text = counts[method.id]?.trim();
    if (method.kind === 'pay_later' || !text) return null;
    const value = parseAmount(text);
    return Number.isFinite(value) ? value : null;
  };
  const differenceOf = (method: Method) => {
    const counted = countOf(method);
    return counted === null ? null : countedDifference(counted, method.expected, rounding);
  };
  const overLimit = control ? control.methods.some((x) => Math.abs(differenceOf(x) ?? 0) > control.limit.amount) : false;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!control) return;
    const cash = control.methods.find((x) => x.kind === 'cash');
    const countedCash = cash ? countOf(cash) : null;
    if (cash && (countedCash === null || countedCash < 0)) return setError('Enter the cash counted in the drawer (0 or more).');
    const unreadable = control.methods.find((x) => x.kind === 'bank' && counts[x.id]?.trim() && countOf(x) === null);
    if (unreadable) return setError(`Enter the amount of ${unreadable.name} as a number (empty: as expected).`);
    if (overLimit && !notes.trim()) return setError(`A difference is above ${m(control.limit.amount)}: say why in the note.`);
    if (!window.confirm('Close the session in Odoo? Selling needs a new session afterwards.')) return;
    setBusy(true);
    setError(null);
    try {
      const counted = control.methods.filter((x) => x.kind === 'bank').flatMap((x) => (countOf(x) === null ? [] : [{ paymentMethodId: x.id, amount: countOf(x)! }]));
      const closed = await api.call('pos.closeSession', { ...(countedCash !== null ? { countedCash } : {}), counted, ...(notes.trim() ? { notes: notes.trim() } : {}) });
      // Once closed, the terminal shows the open-session screen: the report is read (and printed) first.
      if (closed.closed) setReport(closed.report);
      else setError(closed.message);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  if (report) {
    return (
      <section className="page z-report-page" aria-labelledby="close-title" data-testid="close-report">
        <h2 id="close-title">Session closed</h2>
        <ZReport report={report} />
        <div className="actions actions-left">
          <ZReportPrint />
          <button type="button" className="btn btn-primary" onClick={() => void terminal.reload()} data-testid="close-done">
            Done
          </button>
        </div>
      </section>
    );
  }

  return (
    <section className="page" aria-labelledby="close-title">
      <h2 id="close-title">Close the session</h2>
      {control ? (
        <form onSubmit={submit} noValidate>
          <p className="muted" data-testid="closing-source">
            {control.source === 'odoo'
              ? 'Expected: Odoo’s figures for the whole session (every terminal selling in it). “This terminal” is this till’s own share.'
              : 'Expected: this terminal’s own orders only — Odoo did not answer, and other terminals’ sales in this session are not included.'}
          </p>
          <table className="z-table" data-testid="closing-methods">
            <thead>
              <tr>
                <th>Method</th>
                <th>Expected</th>
                <th>This terminal</th>
                <th>Counted</th>
                <th>Difference</th>
              </tr>
            </thead>
            <tbody>
              {control.methods.map((x) => {
                const difference = differenceOf(x);
                return (
                  <tr key={x.id} data-testid={`closing-method-${x.id}`}>
                    <td>{x.name}</td>
                    <td>{m(x.expected)}</td>
                    <td>{m(x.terminal)}</td>
                    <td>
                      {x.kind === 'pay_later' ? (
                        '—'
                      ) : (
                        <input inputMode="decimal" aria-label={`${x.name} counted`} value={counts[x.id] ?? ''} onChange={(e) => setCounts({ ...counts, [x.id]: e.target.value })} data-testid={x.kind === 'cash' ? 'closing-cash' : `closing-count-${x.id}`} />
                      )}
                    </td>
                    <td data-testid={`closing-difference-${x.id}`} className={difference ? 'difference' : undefined}>
                      {difference === null ? '—' : `${difference > 0 ? '+' : ''}${m(difference)}`}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {control.cashMoves.length ? (
            <ul className="cash-moves" data-testid="closing-cash-moves">
              <li>Opening cash: {m(control.openingCash)}</li>
              {control.cashMoves.map((move, i) => (
                <li key={i}>
                  Cash {move.type}: {m(currencyRound(move.type === 'in' ? move.amount : -move.amount, rounding))} — {move.reason}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">Opening cash: {m(control.openingCash)}; no cash moves.</p>
          )}
          <FieldRow label={overLimit ? 'Note (required)' : 'Note'} hint={`Differences above ${m(control.limit.amount)} need a note (${control.limit.source === 'odoo' ? 'Odoo’s maximum difference' : 'this terminal’s limit'}). Sent to Odoo with the closing.`}>
            <textarea value={notes} maxLength={2000} rows={2} onChange={(e) => setNotes(e.target.value)} data-testid="closing-notes" />
          </FieldRow>
          <div className="actions actions-left">
            <button type="button" className="btn" disabled={busy} onClick={() => void load()} data-testid="closing-reload">
              Update the figures
            </button>
            <button type="submit" className="btn btn-danger" disabled={busy} data-testid="close-session">
              {busy ? 'Closing…' : 'Close the session'}
            </button>
          </div>
        </form>
      ) : (
        <p className="muted">Loading the expected amounts…</p>
      )}
      <ErrorLine error={error} testId="close-error" />
    </section>
  );
}
