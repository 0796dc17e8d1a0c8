import { useEffect, useState, type FormEvent } from 'react';
import { useApi } from '../../../ui-common/api/context.js';
import { countedDifference } from '../../../shared/pos/session-report.js';
import { errorText } from '../lib/errors.js';
import { ErrorLine, FieldRow, Gate } from './Gate.js';
import { LastZReport } from './LastZReport.js';

/**
 * Opens (or resumes) the configuration's session in Odoo, counting the opening cash, then loads
 * Odoo's POS data into the terminal's cache. `refreshOnly`: the session is open, the data is not loaded.
 */
export function OpenSessionForm({ onOpened, refreshOnly }: { onOpened: () => void | Promise<void>; refreshOnly?: boolean }) {
  const api = useApi();
  // Empty: the cash Odoo expects (the last closing count), as Odoo's opening popup proposes.
  const [cash, setCash] = useState('');
  const [notes, setNotes] = useState('');
  const [step, setStep] = useState<'idle' | 'opening' | 'loading'>('idle');
  const [error, setError] = useState<string | null>(null);
  // What Odoo expects, shown as Odoo's opening popup shows it (unknown while Odoo does not answer).
  const [expected, setExpected] = useState<number | null>(null);
  // 16/17 book the difference as a cash profit or loss; 18 only notes it on the session.
  const [booksDifference, setBooksDifference] = useState(true);
  useEffect(() => {
    if (refreshOnly) return;
    let live = true;
    api.call('pos.expectedOpeningCash', {}).then(
      (answer) => {
        if (!live) return;
        setExpected(answer.amount);
        setBooksDifference(answer.booksDifference);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, refreshOnly]);

  const counted = cash.trim() !== '';
  const openingCash = Number(cash.trim().replace(',', '.'));
  // As Odoo's opening popup: the gap between the count and what Odoo expects, shown before it is booked.
  // The page's figure is a preview at cent precision; the server checks it in the currency's own rounding.
  const difference = counted && expected !== null && openingCash >= 0 ? countedDifference(openingCash, expected, 0.01) : 0;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!refreshOnly && counted && !(openingCash >= 0)) return setError('Enter the cash in the drawer (0 or more), or leave it empty.');
    if (!refreshOnly && difference !== 0 && !notes.trim()) return setError('The count differs from what Odoo expects: say why in the note.');
    setError(null);
    try {
      if (!refreshOnly) {
        setStep('opening');
        await api.call('pos.openSession', { ...(counted ? { openingCash } : {}), ...(notes.trim() ? { notes: notes.trim() } : {}) });
      }
      setStep('loading');
      await api.call('pos.refresh', {});
      await onOpened();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setStep('idle');
    }
  };

  return (
    <Gate title={refreshOnly ? 'Load the shop’s products' : 'Open the session'}>
      <form onSubmit={submit} noValidate>
        {refreshOnly ? (
          <p className="muted">The session is open; this terminal has not loaded Odoo’s products, prices and taxes yet.</p>
        ) : (
          <FieldRow label="Cash in the drawer" hint="Counted now, recorded as the session’s opening balance. Left empty: what Odoo expects (the last closing count).">
            <input
              inputMode="decimal"
              autoFocus
              value={cash}
              placeholder={expected === null ? 'as at the last closing' : `${expected.toFixed(2)} expected (the last closing count)`}
              onChange={(e) => setCash(e.target.value)}
              data-testid="opening-cash"
            />
          </FieldRow>
        )}
        {difference !== 0 ? (
          <p className="notice" role="status" data-testid="opening-difference">
            Difference: {difference > 0 ? '+' : '−'}
            {Math.abs(difference).toFixed(2)} against the {expected?.toFixed(2)} Odoo expects. {booksDifference ? `Odoo books it as a cash ${difference > 0 ? 'profit' : 'loss'}.` : 'Odoo notes it on the session (no cash entry is booked).'}
          </p>
        ) : null}
        {refreshOnly ? null : (
          // Always there, as in Odoo's opening popup: required when the count differs (the server says so too).
          <FieldRow label={difference !== 0 ? 'Why the count differs (required)' : 'Note'} hint="Sent to Odoo with the count, as its opening popup does.">
            <textarea value={notes} maxLength={2000} rows={2} onChange={(e) => setNotes(e.target.value)} data-testid="opening-notes" />
          </FieldRow>
        )}
        <ErrorLine error={error} />
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={step !== 'idle'} data-testid="open-session-submit">
            {step === 'opening' ? 'Opening the session…' : step === 'loading' ? 'Loading products…' : refreshOnly ? 'Load products' : 'Open session'}
          </button>
        </div>
      </form>
      {refreshOnly ? null : <LastZReport />}
    </Gate>
  );
}
