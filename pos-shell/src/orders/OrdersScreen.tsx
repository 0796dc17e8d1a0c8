import { useCallback, useEffect, useMemo, useState } from 'react';
import type { OpOutput } from '../../../shared/contract.js';
import { usePos } from '../app/context.js';
import { newCart, type Cart } from '../lib/cart.js';
import { readProduct } from '../lib/catalog.js';
import { errorText } from '../lib/errors.js';
import { formatWhen, money } from '../lib/format.js';
import { loadReceipts, receiptFromTerminal, refundedQuantities, type Receipt } from '../lib/receipts.js';

type OrderView = OpOutput<'pos.orders'>[number];

const STATE_LABELS: Record<OrderView['state'], string> = { pending: 'Waiting', synced: 'In Odoo', parked: 'Parked' };

/** The terminal's orders, newest first: reprint one, or refund it (from the receipt kept on this device). */
export function OrdersScreen({ onReprint, onRefund }: { onReprint: (receipt: Receipt) => void; onRefund: () => void }) {
  const { api, data, carts, terminal, cashier } = usePos();
  const [orders, setOrders] = useState<OrderView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const receipts = useMemo(() => loadReceipts(), []);
  const outbox = terminal.status?.outbox;

  const load = useCallback(() => {
    api.call('pos.orders', { limit: 200 }).then(
      (rows) => {
        setOrders(rows);
        setError(null);
      },
      (e: unknown) => setError(errorText(e)),
    );
  }, [api]);
  // Read again whenever a sale or a sync round changes the counts.
  useEffect(load, [load, outbox?.pending, outbox?.parked, outbox?.synced]);

  const order = orders?.find((o) => o.uid === selected) ?? null;
  const receipt = order ? (receipts.find((r) => r.uid === order.uid) ?? null) : null;

  /** Not rung up in this browser: the terminal rebuilds the receipt from the order it stored. */
  const reprintFromTerminal = async (view: OrderView) => {
    try {
      onReprint(receiptFromTerminal(view.uid, await api.call('pos.receipt', { uid: view.uid, cashier: cashier.name })));
    } catch (e) {
      setError(errorText(e));
    }
  };

  const refund = (original: Receipt) => {
    const given = refundedQuantities(original, receipts);
    const cart: Cart = {
      ...newCart(),
      refundOf: original.name,
      customer: original.customer,
      lines: original.lines
        .filter((line) => line.qty > 0 && line.qty - (given.get(line.uuid) ?? 0) > 0)
        .map((line) => ({
          uuid: crypto.randomUUID(),
          product: readProduct(line.productRecord),
          qty: -(line.qty - (given.get(line.uuid) ?? 0)),
          discount: line.discount,
          manualPrice: line.priceUnit,
          refundOf: { orderName: original.name, lineUuid: line.uuid },
          packLots: line.packLots,
        })),
    };
    if (cart.lines.length === 0) return setError(`${original.name} has been refunded in full already.`);
    carts.open(cart);
    onRefund();
  };

  return (
    <div className="orders">
      <section className="orders-list" aria-label="Orders">
        <h2>Orders</h2>
        {error ? (
          <p className="error-line" role="alert">
            {error}
          </p>
        ) : null}
        {orders === null ? <p className="muted">Loading…</p> : null}
        {orders?.length === 0 ? <p className="muted">No orders yet.</p> : null}
        <ul className="pick-list" data-testid="orders-list">
          {orders?.map((o) => (
            <li key={o.uid}>
              <button type="button" className={`pick order-row${o.uid === selected ? ' selected' : ''}`} aria-pressed={o.uid === selected} onClick={() => setSelected(o.uid)} data-testid={`order-${o.name}`}>
                <strong>{o.name}</strong>
                <span className="muted">{formatWhen(o.createdAt)}</span>
                <span>{money(o.amountTotal, data.currency)}</span>
                <span className={`badge badge-${o.state}`} data-testid="order-state" data-state={o.state}>
                  {STATE_LABELS[o.state]}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section className="order-detail" aria-label="Selected order">
        {order ? (
          <>
            <h2>{order.name}</h2>
            <p>
              {money(order.amountTotal, data.currency)} · {STATE_LABELS[order.state]}
              {order.lastError ? <span className="error-line"> — {order.lastError}</span> : null}
            </p>
            <div className="actions actions-left">
              <button type="button" className="btn btn-large" onClick={() => (receipt ? onReprint(receipt) : void reprintFromTerminal(order))} data-testid="reprint">
                Reprint receipt
              </button>
              {receipt && receipt.amountTotal > 0 ? (
                <button type="button" className="btn btn-large" onClick={() => refund(receipt)} data-testid="refund">
                  Refund…
                </button>
              ) : null}
            </div>
            {receipt ? null : <p className="muted">Rung up elsewhere (another browser or terminal): it can be reprinted, not refunded from here.</p>}
          </>
        ) : (
          <p className="muted">Choose an order to reprint or refund it.</p>
        )}
      </section>
    </div>
  );
}
