import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { OpOutput } from '../../../shared/contract.js';
import { SearchInput } from '../../../ui-common/SearchInput.js';
import { usePos } from '../app/context.js';
import type { Cart } from '../lib/cart.js';
import { readCustomer, type Product } from '../lib/catalog.js';
import { errorText } from '../lib/errors.js';
import { formatWhen, money } from '../lib/format.js';
import { AlertLine } from '../lib/FormLines.js';
import { loadReceipts, receiptFromTerminal, type Receipt } from '../lib/receipts.js';
import { refundFromOdoo, refundFromReceipt, type FoundOrder } from '../lib/refunds.js';

type OrderView = OpOutput<'pos.orders'>[number];

const STATE_LABELS: Record<OrderView['state'], string> = { pending: 'Waiting', synced: 'In Odoo', parked: 'Parked' };

/**
 * Orders: this terminal's, newest first (reprint, refund), and — when Odoo answers — any
 * terminal's, found in Odoo by receipt number or customer, refunded line by line.
 */
export function OrdersScreen({ onReprint, onRefund }: { onReprint: (receipt: Receipt) => void; onRefund: () => void }) {
  const [source, setSource] = useState<'terminal' | 'odoo'>('terminal');
  return (
    <div className="orders">
      <section className="orders-list" aria-label="Orders">
        <div className="segmented" role="tablist" aria-label="Whose orders">
          <button type="button" role="tab" aria-selected={source === 'terminal'} className={`seg${source === 'terminal' ? ' active' : ''}`} onClick={() => setSource('terminal')} data-testid="orders-source-terminal">
            This terminal
          </button>
          <button type="button" role="tab" aria-selected={source === 'odoo'} className={`seg${source === 'odoo' ? ' active' : ''}`} onClick={() => setSource('odoo')} data-testid="orders-source-odoo">
            All terminals (Odoo)
          </button>
        </div>
        {source === 'terminal' ? <TerminalOrders onReprint={onReprint} onRefund={onRefund} /> : <OdooOrders onRefund={onRefund} />}
      </section>
    </div>
  );
}

/** Opens a refund cart built from an Odoo order, with the products and customer from this terminal's cache. */
function useOdooRefund(onRefund: () => void): (order: FoundOrder) => Promise<string | null> {
  const { api, products, carts } = usePos();
  return useCallback(
    async (order: FoundOrder) => {
      const cached = await products.get(order.lines.map((l) => l.productId));
      const byId = new Map<number, Product>(cached.map((p) => [p.id, p]));
      const partner = order.partner ? (await api.call('pos.partners', { query: order.partner.name, limit: 50 })).map(readCustomer).find((c) => c.id === order.partner!.id) : undefined;
      const customer = order.partner ? (partner ?? { id: order.partner.id, name: order.partner.name, detail: '', barcode: null, fiscalPositionId: null, pricelistId: null }) : null;
      const cart = refundFromOdoo(order, byId, customer);
      if (typeof cart === 'string') return cart;
      carts.open(cart);
      onRefund();
      return null;
    },
    [api, products, carts, onRefund],
  );
}

function TerminalOrders({ onReprint, onRefund }: { onReprint: (receipt: Receipt) => void; onRefund: () => void }) {
  const { api, data, carts, terminal, cashier } = usePos();
  const [orders, setOrders] = useState<OrderView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const receipts = useMemo(() => loadReceipts(), []);
  const outbox = terminal.status?.outbox;
  const refundFromOdooOrder = useOdooRefund(onRefund);

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

  /**
   * An order Odoo holds is refunded as Odoo's POS does, linked to its lines (and counting every
   * refund of it, from any terminal); offline, or not in Odoo yet, from this device's receipt.
   */
  const refund = async (view: OrderView, original: Receipt) => {
    setBusy(true);
    try {
      if (view.state === 'synced') {
        const found = await api.call('pos.findOrders', { query: view.name, limit: 5 }).catch(() => null);
        const inOdoo = found?.find((o) => o.name === view.name);
        if (inOdoo) {
          const problem = await refundFromOdooOrder(inOdoo);
          if (problem) setError(problem);
          return;
        }
      }
      const cart: Cart | string = refundFromReceipt(original, receipts);
      if (typeof cart === 'string') return setError(cart);
      carts.open(cart);
      onRefund();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <AlertLine error={error} />
      <Columns
        list={
          <>
            {orders === null ? <p className="muted">Loading…</p> : null}
            {orders?.length === 0 ? <p className="muted">No orders yet.</p> : null}
            <ul className="pick-list" data-testid="orders-list">
              {orders?.map((o) => (
                <OrderPick key={o.uid} name={o.name} detail={formatWhen(o.createdAt)} amount={money(o.amountTotal, data.currency)} selected={o.uid === selected} onSelect={() => setSelected(o.uid)} testId={`order-${o.name}`}>
                  <span className={`badge badge-${o.state}`} data-testid="order-state" data-state={o.state}>
                    {STATE_LABELS[o.state]}
                  </span>
                </OrderPick>
              ))}
            </ul>
          </>
        }
        order={order}
        detail={(order) => (
          <>
            <p>
              {money(order.amountTotal, data.currency)} · {STATE_LABELS[order.state]}
              {order.lastError ? <span className="error-line"> — {order.lastError}</span> : null}
            </p>
            <div className="actions actions-left">
              <button type="button" className="btn btn-large" onClick={() => (receipt ? onReprint(receipt) : void reprintFromTerminal(order))} data-testid="reprint">
                Reprint receipt
              </button>
              {receipt && receipt.amountTotal > 0 ? (
                <button type="button" className="btn btn-large" disabled={busy} onClick={() => void refund(order, receipt)} data-testid="refund">
                  Refund…
                </button>
              ) : null}
            </div>
            {receipt ? null : <p className="muted">Rung up in another browser: find it under “All terminals (Odoo)” to refund it.</p>}
          </>
        )}
        hint={<p className="muted">Choose an order to reprint or refund it.</p>}
      />
    </>
  );
}

/** Orders of every terminal, looked up in Odoo (it must answer): refunded line by line, linked to Odoo's lines. */
function OdooOrders({ onRefund }: { onRefund: () => void }) {
  const { api, data } = usePos();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<FoundOrder[] | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refund = useOdooRefund(onRefund);
  // Only the latest search's answer is shown: an earlier one (e.g. the latest orders asked on
  // opening) that comes back late must not replace it, nor drop the order the cashier picked.
  const latest = useRef(0);

  const search = useCallback(
    async (q: string) => {
      const ticket = ++latest.current;
      setBusy(true);
      setError(null);
      try {
        const orders = await api.call('pos.findOrders', { query: q.trim(), limit: 20 });
        if (ticket !== latest.current) return;
        setFound(orders);
        setSelected((current) => (current !== null && orders.some((o) => o.id === current) ? current : null));
      } catch (e) {
        if (ticket === latest.current) setError(errorText(e));
      } finally {
        if (ticket === latest.current) setBusy(false);
      }
    },
    [api],
  );
  // The configuration's latest orders first.
  useEffect(() => void search(''), [search]);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void search(query);
  };
  const order = found?.find((o) => o.id === selected) ?? null;
  const left = (line: FoundOrder['lines'][number]) => Math.max(0, line.qty - line.refundedQty);

  return (
    <>
      <form className="find-row" onSubmit={onSubmit}>
        <SearchInput placeholder="Receipt number or customer" label="Find an order in Odoo by receipt number or customer" value={query} onValue={setQuery} testId="odoo-order-search" />
        <button type="submit" className="btn" disabled={busy} data-testid="odoo-order-search-submit">
          Find
        </button>
      </form>
      <AlertLine error={error} testId="odoo-orders-error" />
      <Columns
        list={
          <>
            {busy ? <p className="muted">Asking Odoo…</p> : null}
            {found?.length === 0 ? <p className="muted">No paid order matches in Odoo.</p> : null}
            <ul className="pick-list" data-testid="odoo-orders-list">
              {found?.map((o) => (
                <OrderPick key={o.id} name={o.name} detail={o.partner?.name ?? o.configName} amount={money(o.amountTotal, data.currency)} selected={o.id === selected} onSelect={() => setSelected(o.id)} testId={`odoo-order-${o.name}`}>
                  <span className="badge">{o.state}</span>
                </OrderPick>
              ))}
            </ul>
          </>
        }
        order={order}
        detail={(order) => (
          <>
            <p className="muted">
              {formatWhen(order.date.replace(' ', 'T') + 'Z')} · {order.configName}
              {order.partner ? ` · ${order.partner.name}` : ''}
            </p>
            <ul className="order-table">
              {order.lines.map((line) => (
                <li key={line.id} className="found-line" data-testid={`odoo-line-${line.id}`}>
                  <span>{line.name}</span>
                  <span>
                    {line.qty}
                    {line.refundedQty > 0 ? <span className="muted"> ({line.refundedQty} given back)</span> : null}
                  </span>
                  <span>{money(line.priceSubtotalIncl, data.currency)}</span>
                </li>
              ))}
            </ul>
            <div className="actions actions-left">
              <button
                type="button"
                className="btn btn-large"
                disabled={busy || !order.lines.some((l) => left(l) > 0)}
                onClick={() => {
                  // One refund cart per click, however fast the clicks.
                  setBusy(true);
                  void refund(order)
                    .then((problem) => problem && setError(problem), (e: unknown) => setError(errorText(e)))
                    .finally(() => setBusy(false));
                }}
                data-testid="odoo-refund"
              >
                Refund…
              </button>
            </div>
          </>
        )}
      />
    </>
  );
}

/** The orders page's two columns: the list, and the chosen order's detail (or a hint). */
function Columns<T extends { name: string }>({ list, order, detail, hint = null }: { list: ReactNode; order: T | null | undefined; detail: (order: T) => ReactNode; hint?: ReactNode }) {
  return (
    <div className="orders-columns">
      <div className="orders-col">{list}</div>
      <div className="orders-col">{order ? <OrderDetail name={order.name}>{detail(order)}</OrderDetail> : hint}</div>
    </div>
  );
}

/** One order of a list: its name, a detail (when, or who), its amount and its state badge. */
function OrderPick({ name, detail, amount, selected, onSelect, testId, children }: { name: string; detail: string; amount: string; selected: boolean; onSelect: () => void; testId: string; children: ReactNode }) {
  return (
    <li>
      <button type="button" className={`pick order-row${selected ? ' selected' : ''}`} aria-pressed={selected} onClick={onSelect} data-testid={testId}>
        <strong>{name}</strong>
        <span className="muted">{detail}</span>
        <span>{amount}</span>
        {children}
      </button>
    </li>
  );
}

/** The selected order: its name, then what the list knows of it and what can be done. */
function OrderDetail({ name, children }: { name: string; children: ReactNode }) {
  return (
    <div className="order-detail" aria-label="Selected order">
      <h2>{name}</h2>
      {children}
    </div>
  );
}
