import { useEffect, useRef } from 'react';
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
          <button ref={next} type="button" className="btn btn-primary btn-large" onClick={onDone} data-testid="new-order">
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
