import { usePos } from '../app/context.js';
import { formatDateTime, money, quantity } from '../lib/format.js';
import type { Receipt as ReceiptData } from '../lib/receipts.js';

/** The ticket, as printed (print.css shows only this on paper). */
export function Receipt({ receipt }: { receipt: ReceiptData }) {
  const { data } = usePos();
  const m = (amount: number) => money(amount, data.currency);
  return (
    <article className="receipt" aria-label={`Receipt ${receipt.name}`} data-testid="receipt">
      <header className="receipt-head">
        <strong>{receipt.company.name}</strong>
        {receipt.company.lines.map((line) => (
          <span key={line}>{line}</span>
        ))}
        <span>{receipt.configName}</span>
      </header>
      <p className="receipt-meta">
        <span data-testid="receipt-name">{receipt.name}</span>
        <span>{formatDateTime(receipt.date)}</span>
        <span>Served by {receipt.cashier}</span>
        {receipt.customer || receipt.customerName ? <span>Customer: {receipt.customer?.name ?? receipt.customerName}</span> : null}
        {receipt.refundOf ? <span>Refund of {receipt.refundOf}</span> : null}
      </p>
      <table className="receipt-lines">
        <tbody>
          {receipt.lines.map((line) => (
            <tr key={line.uuid}>
              <td>
                {line.name}
                <span className="receipt-detail">
                  {quantity(line.qty)} {line.uomName && line.uomName !== 'Units' ? line.uomName : '×'} {m(line.unitDisplay ?? line.priceUnit)}
                  {line.discount ? ` −${quantity(line.discount)} %` : ''}
                </span>
                {line.packLots?.length ? <span className="receipt-detail">Lot/SN: {line.packLots.join(', ')}</span> : null}
              </td>
              <td className="num">{m(line.subtotalIncl)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="receipt-totals">
        <tbody>
          <tr hidden={receipt.fromTerminal}>
            <td>Untaxed</td>
            <td className="num">{m(receipt.amountUntaxed)}</td>
          </tr>
          <tr>
            <td>Taxes</td>
            <td className="num">{m(receipt.amountTax)}</td>
          </tr>
          <tr className="receipt-total">
            <td>Total</td>
            <td className="num" data-testid="receipt-total" data-amount={receipt.amountTotal}>
              {m(receipt.amountTotal)}
            </td>
          </tr>
          {receipt.rounding ? (
            <>
              <tr>
                <td>Rounding</td>
                <td className="num">{m(receipt.rounding)}</td>
              </tr>
              <tr>
                <td>To pay</td>
                <td className="num" data-testid="receipt-to-pay" data-amount={receipt.totalDue}>
                  {m(receipt.totalDue)}
                </td>
              </tr>
            </>
          ) : null}
          {receipt.payments.map((p, i) => (
            <tr key={i}>
              <td>{p.method}</td>
              <td className="num">{m(p.amount)}</td>
            </tr>
          ))}
          <tr>
            <td>Change</td>
            <td className="num" data-testid="receipt-change" data-amount={receipt.change}>
              {m(receipt.change)}
            </td>
          </tr>
        </tbody>
      </table>
      <footer className="receipt-foot">Thank you!</footer>
    </article>
  );
}
