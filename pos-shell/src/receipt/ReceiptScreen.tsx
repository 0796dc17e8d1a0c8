import { useEffect, useRef, useState } from 'react';
import { usePos } from '../app/context.js';
import { errorText } from '../lib/errors.js';
import { useReceiptPrinter } from '../lib/printer.js';
import type { Receipt as ReceiptData } from '../lib/receipts.js';
import { Receipt } from './Receipt.js';

/** After a sale (recorded, hence "Paid") or for a reprint: the ticket, Print, and back to selling. */
export function ReceiptScreen({ receipt, justPaid, onDone }: { receipt: ReceiptData; justPaid: boolean; onDone: () => void }) {
  const next = useRef<HTMLButtonElement>(null);
  useEffect(() => next.current?.focus(), []);
  return (
    <div className="receipt-screen">
      <div className="receipt-side">
        {justPaid ? (
          <p className="paid-banner" role="status" data-testid="paid-banner">
            Paid — {receipt.name}
          </p>
        ) : (
          <p className="muted">Reprint of {receipt.name}</p>
        )}
        <div className="actions actions-column">
          <button type="button" className="btn btn-large" onClick={() => window.print()} data-testid="print-receipt">
            Print receipt
          </button>
          {/* Only this terminal's own orders: the printer is asked by the order's uid, never sent a receipt. */}
          {receipt.uid ? <NetworkPrint uid={receipt.uid} /> : null}
          <button ref={next} type="button" className="btn btn-primary btn-large" onClick={onDone} data-testid={justPaid ? 'new-order' : 'back-to-orders'}>
            {justPaid ? 'New order' : 'Back to orders'}
          </button>
        </div>
      </div>
      <div className="receipt-paper">
        <Receipt receipt={receipt} />
      </div>
    </div>
  );
}

/** The terminal's ESC/POS printer, when an admin set one on the Session page. */
function NetworkPrint({ uid }: { uid: string }) {
  const { api, cashier } = usePos();
  const printer = useReceiptPrinter(api);
  const [state, setState] = useState<{ busy: boolean; message: string | null; error: boolean }>({ busy: false, message: null, error: false });
  if (!printer) return null;
  const print = async () => {
    setState({ busy: true, message: null, error: false });
    try {
      const printed = await api.call('pos.printReceipt', { uid, cashier: cashier.name });
      setState({ busy: false, message: `Sent to ${printed.printer}.`, error: false });
    } catch (e) {
      setState({ busy: false, message: errorText(e), error: true });
    }
  };
  return (
    <>
      <button type="button" className="btn btn-large" disabled={state.busy} onClick={() => void print()} data-testid="print-network">
        {state.busy ? 'Printing…' : `Print on ${printer.host}`}
      </button>
      {state.message ? (
        <p className={state.error ? 'error-line' : 'muted'} role="status">
          {state.message}
        </p>
      ) : null}
    </>
  );
}
