import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { OpOutput } from '../../../shared/contract.js';
import type { OrderDetailView } from '../../../shared/pos-order-detail.js';
import { SearchInput } from '../../../ui-common/SearchInput.js';
import { usePos } from '../app/context.js';
import { readCustomer, type Product } from '../lib/catalog.js';
import { errorText } from '../lib/errors.js';
import { formatWhen, money } from '../lib/format.js';
import { AlertLine } from '../lib/FormLines.js';
import { detailFromOdoo, receiptFromDetail, refundCartOf } from '../lib/order-detail.js';
import { loadReceipts, receiptFromTerminal, type Receipt } from '../lib/receipts.js';
import type { FoundOrder } from '../lib/refunds.js';
import { OrderDetailPanel } from './OrderDetailPanel.js';
import { RefundPicker } from './RefundPicker.js';

type OrderView = OpOutput<'pos.orders'>[number];

const STATE_LABELS: Record<OrderView['state'], string> = { pending: 'Waiting', synced: 'In Odoo', parked: 'Parked' };

/**
 * Orders: this terminal's, newest first, and — when Odoo answers — any terminal's, found in Odoo by
 * receipt number or customer. The chosen order is shown in full; it can be reprinted, refunded
 * (the lines and quantities the cashier picks) and invoiced.
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
        {source === 'terminal' ? <TerminalOrders onReprint={onReprint} onRefund={onRefund} /> : <OdooOrders onReprint={onReprint} onRefund={onRefund} />}
      </section>
    </div>
  );
}

/**
 * Refund…: the lines to give back are chosen in a dialog; the cart then holds only those, with the
 * products and customer from this terminal's cache. Returns the dialog (or nothing) and its opener.
 */
function useRefundPicker(onRefund: () => void): { start: (source: OrderDetailView) => void; picker: ReactNode } {
  const { api, products, carts } = usePos();
  const [source, setSource] = useState<OrderDetailView | null>(null);
  const refund = useCallback(
    async (detail: OrderDetailView, quantities: ReadonlyMap<string, number>): Promise<string | null> => {
      try {
        const cached = await products.get(detail.lines.map((l) => l.productId));
        const byId = new Map<number, Product>(cached.map((p) => [p.id, p]));
        const partner = detail.customer ? (await api.call('pos.partners', { query: detail.customer.name, limit: 50 })).map(readCustomer).find((c) => c.id === detail.customer!.id) : undefined;
        const customer = detail.customer ? (partner ?? { id: detail.customer.id, name: detail.customer.name, detail: '', barcode: null, fiscalPositionId: null, pricelistId: null }) : null;
        const cart = refundCartOf(detail, quantities, byId, customer);
        if (typeof cart === 'string') return cart;
        carts.open(cart);
        setSource(null);
        onRefund();
        return null;
      } catch (e) {
        return errorText(e);
      }
    },
    [api, products, carts, onRefund],
  );
  const picker = source ? <RefundPicker detail={source} onCancel={() => setSource(null)} onRefund={(quantities) => refund(source, quantities)} /> : null;
  return { start: setSource, picker };
}

function TerminalOrders({ onReprint, onRefund }: { onReprint: (receipt: Receipt) => void; onRefund: () => void }) {
  const { api, data, terminal, cashier } = usePos();
  const [orders, setOrders] = useState<OrderView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const receipts = useMemo(() => loadReceipts(), []);
  const outbox = terminal.status?.outbox;
  const { start, picker } = useRefundPicker(onRefund);

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
  const { detail, reload } = useOrderDetail(selected, [outbox?.pending, outbox?.parked, outbox?.synced]);

  /** Rung up in this browser: its own receipt; else the terminal rebuilds it from the order it stored. */
  const reprint = async (uid: string) => {
    const own = receipts.find((r) => r.uid === uid);
    if (own) return onReprint(own);
    try {
      onReprint(receiptFromTerminal(uid, await api.call('pos.receipt', { uid, cashier: cashier.name })));
    } catch (e) {
      setError(errorText(e));
    }
  };

  /**
   * A synced order is refunded from Odoo's lines when Odoo answers (linked to them, counting every
   * refund of it from any terminal); offline, or before it reaches Odoo, from the terminal's copy.
   */
  const refund = async (view: OrderDetailView) => {
    setBusy(true);
    try {
      if (view.sync.state === 'synced') {
        const found = await api.call('pos.findOrders', { query: view.name, limit: 5 }).catch(() => null);
        const inOdoo = found?.find((o) => o.name === view.name);
        if (inOdoo) return start(detailFromOdoo(inOdoo, data));
      }
      start(view);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <AlertLine error={error ?? detail.error} />
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
        order={detail.view}
        detail={(view) => <OrderDetailPanel detail={view} onReprint={() => void reprint(view.uid!)} onRefund={() => void refund(view)} refundBusy={busy} onInvoiced={reload} />}
        hint={<p className="muted">{selected ? 'Loading…' : 'Choose an order to see it in full, reprint, refund or invoice it.'}</p>}
      />
      {picker}
    </>
  );
}

/** The chosen order of this terminal in full (pos.orderDetail), read again when `changes` change. */
function useOrderDetail(uid: string | null, changes: unknown[]): { detail: { view: OrderDetailView | null; error: string | null }; reload: () => void } {
  const { api } = usePos();
  const [detail, setDetail] = useState<{ view: OrderDetailView | null; error: string | null }>({ view: null, error: null });
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (!uid) return setDetail({ view: null, error: null });
    let current = true;
    setDetail((d) => (d.view?.uid === uid ? d : { view: null, error: null }));
    api.call('pos.orderDetail', { uid }).then(
      (view) => current && setDetail({ view, error: null }),
      (e: unknown) => current && setDetail({ view: null, error: errorText(e) }),
    );
    return () => void (current = false);
    // `changes`: the outbox counts — the order may have been synced or parked meanwhile.
  }, [api, uid, round, ...changes]);
  return { detail, reload: () => setRound((n) => n + 1) };
}

/** Orders of every terminal, looked up in Odoo (it must answer): seen in full, refunded line by line, linked to Odoo's lines. */
function OdooOrders({ onReprint, onRefund }: { onReprint: (receipt: Receipt) => void; onRefund: () => void }) {
  const { api, data } = usePos();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<FoundOrder[] | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { start, picker } = useRefundPicker(onRefund);
  // Only the latest search's answer is shown: an earlier one (e.g. the latest orders asked on
  // opening) that comes back late must not replace it, nor drop the order the cashier picked.
  const latest = useRef(0);
  const lastQuery = useRef('');

  const search = useCallback(
    async (q: string) => {
      const ticket = ++latest.current;
      lastQuery.current = q;
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
  const view = useMemo(() => (order ? detailFromOdoo(order, data) : null), [order, data]);

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
        order={view}
        detail={(v) => (
          <>
            <p className="muted">{order?.configName}</p>
            <OrderDetailPanel detail={v} onReprint={() => onReprint(receiptFromDetail(v, data))} onRefund={() => start(v)} refundBusy={busy} onInvoiced={() => void search(lastQuery.current)} />
          </>
        )}
      />
      {picker}
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
