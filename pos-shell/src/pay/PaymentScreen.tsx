import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { usePos } from '../app/context.js';
import { addPayment, paymentProblem, removePayment, saleInput, setPaymentAmount, type Cart, type PaymentLine } from '../lib/cart.js';
import { useCarts } from '../lib/carts.js';
import { errorText, toFleetError } from '../lib/errors.js';
import { money } from '../lib/format.js';
import { AlertLine } from '../lib/FormLines.js';
import { buildReceipt, saveReceipt, type Receipt } from '../lib/receipts.js';
import { safeTotals } from '../sell/CartPanel.js';

/**
 * Payment methods, amounts tendered, what is still due and the change — all from the pricing
 * engine, cash rounding included. Validating records the sale with pos.sell; only its answer (the
 * sale stored under its final name) makes the order paid.
 */
export function PaymentScreen({ onBack, onPaid }: { onBack: () => void; onPaid: (receipt: Receipt) => void }) {
  const { data, carts } = usePos();
  const { carts: all, activeId } = useCarts(carts);
  // The cart this screen was opened for: if another window sells or drops it, back to the carts.
  const [cartId] = useState(activeId);
  const shown = all.find((c) => c.id === cartId);
  const cart = shown ?? all[0]!;
  const paid = useRef(false);
  useEffect(() => {
    if (!shown && !paid.current) onBack();
  }, [shown, onBack]);
  const [selected, setSelected] = useState<string | null>(cart.payments[cart.payments.length - 1]?.id ?? null);
  const { totals, error: totalsError } = safeTotals(cart, data);
  const change = (update: (c: Cart) => Cart) => carts.update(cart.id, update);
  const problem = totals ? paymentProblem(cart, totals, data) : totalsError;
  const { busy, error, waiting, validate, stopWaiting } = useRecordSale(cart, problem, () => (paid.current = true), onPaid);

  const add = (methodId: number) => {
    const next = addPayment(cart, methodId, data);
    carts.update(cart.id, () => next);
    setSelected(next.payments[next.payments.length - 1]!.id);
  };

  // Escape goes back to the cart, F9 validates (as F9 opened this screen).
  const validateRef = useRef(validate);
  useLayoutEffect(() => {
    validateRef.current = validate;
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !busy) onBack();
      else if (event.key === 'F9') {
        event.preventDefault();
        void validateRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [busy, onBack]);

  const selectedLine = cart.payments.find((p) => p.id === selected) ?? null;
  const due = totals ? Math.max(0, totals.amount_due) : 0;

  return (
    <div className="payment">
      <section className="pay-methods" aria-label="Payment methods">
        <h2>Pay with</h2>
        {data.paymentMethods.map((m, i) => (
          <button key={m.id} type="button" className="tile pay-method" autoFocus={i === 0} disabled={busy} onClick={() => add(m.id)} data-testid={`pay-method-${m.id}`}>
            {m.name}
          </button>
        ))}
      </section>
      <section className="pay-lines" aria-label="Payments">
        <h2>Payments</h2>
        {cart.payments.length === 0 ? <p className="muted">Choose a payment method.</p> : null}
        <ul className="payment-list">
          {cart.payments.map((p, i) => (
            <PaymentRow key={p.id} payment={p} index={i} selected={p.id === selected} disabled={busy} onSelect={() => setSelected(p.id)} onAmount={(amount) => change((c) => setPaymentAmount(c, p.id, amount, data))} onRemove={() => change((c) => removePayment(c, p.id))} />
          ))}
        </ul>
        {selectedLine && (totals?.amount_total ?? 0) > 0 ? (
          <div className="quick-amounts" role="group" aria-label="Amount tendered">
            <button type="button" className="btn" disabled={busy} onClick={() => change((c) => setPaymentAmount(c, selectedLine.id, selectedLine.amount + due, data))} data-testid="pay-exact">
              Exact
            </button>
            {data.bills.filter((b) => b >= 5).map((bill) => (
              <button key={bill} type="button" className="btn" disabled={busy} onClick={() => change((c) => setPaymentAmount(c, selectedLine.id, bill, data))} data-testid={`bill-${bill}`}>
                {money(bill, data.currency)}
              </button>
            ))}
          </div>
        ) : null}
      </section>
      <section className="pay-summary" aria-label="Amounts">
        <PaymentTotals totals={totals} />
        <p className="muted">Customer: {cart.customer?.name ?? 'none'}</p>
        <label className="check">
          <input type="checkbox" checked={cart.toInvoice} disabled={!cart.customer || busy} onChange={(e) => change((c) => ({ ...c, toInvoice: e.target.checked }))} data-testid="to-invoice" />
          Invoice
        </label>
        <p className="muted" data-testid="pay-problem">
          {problem ?? 'Ready to validate.'}
        </p>
        {waiting ? (
          <p className="error-line" role="status" data-testid="pay-waiting">
            The terminal does not answer: the sale is sent again, unchanged, as soon as it does. Do not take the payment twice.{' '}
            <button type="button" className="btn" onClick={stopWaiting} data-testid="pay-stop-waiting">
              Stop waiting
            </button>
          </p>
        ) : null}
        <AlertLine error={error} testId="pay-error" />
        <div className="actions">
          <button type="button" className="btn btn-large" disabled={busy} onClick={onBack} data-testid="pay-back">
            Back
          </button>
          <button type="button" className="btn btn-primary btn-large" disabled={busy || !!problem} onClick={() => void validate()} data-testid="validate-payment">
            {busy ? 'Recording…' : 'Validate (F9)'}
          </button>
        </div>
      </section>
    </div>
  );
}

/**
 * Records the sale with pos.sell, sending the same sale again while the terminal does not answer
 * (until the cashier stops waiting). `markPaid` comes first so the screen does not leave for the
 * carts when the sold cart disappears.
 */
function useRecordSale(cart: Cart, problem: string | null | undefined, markPaid: () => void, onPaid: (receipt: Receipt) => void) {
  const { api, data, carts, cashier } = usePos();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [waiting, setWaiting] = useState(false);
  const stopWaiting = useRef<() => void>(() => {});

  const validate = async () => {
    if (busy || problem) return;
    setBusy(true);
    setError(null);
    const stopped = new Promise<'stopped'>((resolve) => (stopWaiting.current = () => resolve('stopped')));
    const now = new Date();
    // The same sale, byte for byte, until the terminal answers: sent again after a lost answer it
    // gets back the order it already is, never a second one.
    const sale = saleInput(cart, data, now);
    let sent = 0;
    let stored = false;
    carts.selling(cart.uuid);
    try {
      for (;;) {
        sent++;
        const result = await Promise.race([api.result('pos.sell', { sale }), stopped]);
        if (result === 'stopped') {
          setError('Stopped waiting: the sale may have been recorded. Look in Orders before validating again.');
          return;
        }
        if (result.ok && result.value.replayed && sent === 1) {
          // Paid already, from another window (whose sale this page never sent): nothing new was
          // recorded, and this page must not show a payment it did not take.
          stored = true;
          carts.sold(cart.id, cart.uuid, `This order was paid already, in another window, as ${result.value.name}: nothing new was recorded. Do not take the payment.`);
          return;
        }
        if (result.ok) {
          stored = true;
          const receipt = buildReceipt(cart, data, result.value, cashier.name, now);
          saveReceipt(receipt);
          markPaid();
          onPaid(receipt);
          carts.sold(cart.id, cart.uuid);
          return;
        }
        const details = result.error.details ?? {};
        if (details['connectionLost']) {
          setWaiting(true);
          await new Promise((resolve) => setTimeout(resolve, 1000));
          continue;
        }
        if (details['reason'] === 'sale-id-used') {
          // Another window sold under this cart's id: this cart becomes a sale of its own.
          carts.renewIdentity(cart.id);
          setError(`${result.error.message.split(':')[0]}: this cart has a new id now. Check it and validate again.`);
        } else setError(errorText(toFleetError(result.error)));
        return;
      }
    } finally {
      if (!stored) carts.notSelling(cart.uuid);
      setWaiting(false);
      setBusy(false);
    }
  };

  return { busy, error, waiting, validate, stopWaiting: () => stopWaiting.current() };
}

/** Total due (or to refund), cash rounding, what remains and the change. */
function PaymentTotals({ totals }: { totals: ReturnType<typeof safeTotals>['totals'] }) {
  const { data } = usePos();
  const due = totals ? Math.max(0, totals.amount_due) : 0;
  return (
    <dl className="totals totals-large">
      <dt>{(totals?.amount_total ?? 0) < 0 ? 'To refund' : 'Total due'}</dt>
      <dd data-testid="pay-total-due" data-amount={totals?.total_due ?? ''}>
        {totals ? money(totals.total_due, data.currency) : '—'}
      </dd>
      {totals && totals.rounding_applied ? (
        <>
          <dt className="muted">Cash rounding</dt>
          <dd className="muted" data-testid="pay-rounding" data-amount={totals.rounding_applied}>
            {money(totals.rounding_applied, data.currency)}
          </dd>
        </>
      ) : null}
      <dt>Remaining</dt>
      <dd data-testid="pay-remaining" data-amount={due}>
        {money(due, data.currency)}
      </dd>
      <dt>Change</dt>
      <dd className="change" data-testid="pay-change" data-amount={totals?.amount_return ?? 0}>
        {money(totals?.amount_return ?? 0, data.currency)}
      </dd>
    </dl>
  );
}

function PaymentRow({ payment, index, selected, disabled, onSelect, onAmount, onRemove }: { payment: PaymentLine; index: number; selected: boolean; disabled: boolean; onSelect: () => void; onAmount: (amount: number) => void; onRemove: () => void }) {
  const { data } = usePos();
  const method = data.paymentMethods.find((m) => m.id === payment.methodId);
  const [text, setText] = useState(String(payment.amount));
  useEffect(() => setText(String(payment.amount)), [payment.amount]);
  const commit = () => {
    const value = Number(text.replace(',', '.'));
    if (Number.isFinite(value) && text.trim() !== '') onAmount(value);
    else setText(String(payment.amount));
  };
  return (
    <li className={`payment-row${selected ? ' selected' : ''}`} data-testid={`payment-row-${index}`}>
      <button type="button" className="payment-name" aria-pressed={selected} onClick={onSelect}>
        {method?.name ?? `#${payment.methodId}`}
      </button>
      <input
        inputMode="decimal"
        aria-label={`Amount paid by ${method?.name ?? 'this method'}`}
        value={text}
        disabled={disabled}
        onFocus={onSelect}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
        data-testid={`payment-amount-${index}`}
      />
      <button type="button" className="btn btn-icon" aria-label={`Remove the ${method?.name ?? ''} payment`} disabled={disabled} onClick={onRemove}>
        ✕
      </button>
    </li>
  );
}
