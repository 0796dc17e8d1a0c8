import { useState, type FormEvent } from 'react';
import type { OrderDetailView } from '../../../shared/pos-order-detail.js';
import { quantity } from '../lib/format.js';
import { AlertLine, BackAndSubmit } from '../lib/FormLines.js';
import { Modal } from '../lib/Modal.js';
import { lineKey, refundQtyProblem } from '../lib/order-detail.js';

// Refund…: which lines to give back, and how much of each (at most what is left of it). The
// terminal checks the quantities again when the refund is sold; this only keeps the cashier right.

export function RefundPicker({ detail, onCancel, onRefund }: { detail: OrderDetailView; onCancel: () => void; onRefund: (quantities: ReadonlyMap<string, number>) => string | null | Promise<string | null> }) {
  const open = detail.lines.filter((line) => line.refundable > 0);
  // Every line unchosen at first: the cashier picks what comes back.
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const quantities = new Map<string, number>();
    for (const line of open) {
      const text = chosen[lineKey(line)];
      if (text === undefined) continue;
      const qty = Number(text.replace(',', '.'));
      const problem = refundQtyProblem(line, qty);
      if (problem) return setError(problem);
      quantities.set(lineKey(line), qty);
    }
    setBusy(true);
    const problem = await onRefund(quantities);
    setBusy(false);
    setError(problem);
  };

  return (
    <Modal title={`Refund of ${detail.name}`} onClose={onCancel}>
      <form onSubmit={(e) => void submit(e)} data-testid="refund-picker">
        <p className="muted">Choose the lines given back and how many of each.</p>
        <ul className="order-table">
          {open.map((line) => {
            const key = lineKey(line);
            const i = detail.lines.indexOf(line);
            const picked = chosen[key] !== undefined;
            return (
              <li key={key} className="found-line" data-testid={`refund-line-${i}`}>
                <label>
                  <input
                    type="checkbox"
                    checked={picked}
                    onChange={(e) =>
                      setChosen((c) => {
                        const { [key]: _dropped, ...rest } = c;
                        return e.target.checked ? { ...rest, [key]: quantity(line.refundable) } : rest;
                      })
                    }
                    data-testid={`refund-pick-${i}`}
                  />{' '}
                  {line.name}
                </label>
                <span className="muted">{quantity(line.refundable)} left</span>
                <input
                  type="text"
                  inputMode="decimal"
                  aria-label={`Quantity of ${line.name} given back`}
                  disabled={!picked}
                  value={chosen[key] ?? ''}
                  onChange={(e) => setChosen((c) => ({ ...c, [key]: e.target.value }))}
                  data-testid={`refund-qty-${i}`}
                />
              </li>
            );
          })}
        </ul>
        <AlertLine error={error} testId="refund-picker-error" />
        <BackAndSubmit back="Cancel" onBack={onCancel} submit="Refund these" submitTestId="refund-picker-submit" busy={busy} />
      </form>
    </Modal>
  );
}
