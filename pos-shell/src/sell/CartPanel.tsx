import { useEffect, useState } from 'react';
import type { OrderTotals } from '../../../shared/pos/order-totals.js';
import { usePos } from '../app/context.js';
import { cartPricing, cartTotals, lineName, removeLine, setCustomer, setDiscount, setPrice, setPricing, setQty, unitPrice, type Cart, type CartLine } from '../lib/cart.js';
import { inCombo } from '../lib/cart-options.js';
import { useCarts } from '../lib/carts.js';
import type { PosData } from '../lib/catalog.js';
import { errorText } from '../lib/errors.js';
import { AlertLine } from '../lib/FormLines.js';
import { Modal } from '../lib/Modal.js';
import { money, quantity } from '../lib/format.js';
import { CustomerPicker } from './CustomerPicker.js';

/** The engine's totals, or why they cannot be computed (a tax the POS cannot compute offline). */
export function safeTotals(cart: Cart, data: PosData): { totals: OrderTotals | null; error: string | null } {
  try {
    return { totals: cartTotals(cart, data), error: null };
  } catch (e) {
    return { totals: null, error: errorText(e) };
  }
}

export function CartPanel({ cart, onPay }: { cart: Cart; onPay: () => void }) {
  const { data, carts } = usePos();
  const [picking, setPicking] = useState(false);
  const [choosing, setChoosing] = useState<'pricelist' | 'tax' | null>(null);
  const pricing = cartPricing(cart, data);
  const canChoosePricelist = data.usePricelist && data.pricelists.length > 1;
  const canChooseTax = data.taxRegimeSelection && data.fiscalPositions.length > 0;
  const fiscalName = data.fiscalPositions.find((f) => f.id === pricing.fiscalPositionId)?.name ?? 'Original';
  const { totals, error } = safeTotals(cart, data);
  const change = (update: (c: Cart) => Cart) => carts.update(cart.id, update);
  const selected = cart.lines.find((l) => l.uuid === cart.selectedLine) ?? null;

  return (
    <section className="cart-panel" aria-label="Current order">
      <CartTabs />
      {cart.refundOf ? <p className="refund-banner">Refund of {cart.refundOf}</p> : null}
      <ol className="cart-lines" data-testid="cart-lines" aria-label="Order lines">
        {cart.lines.length === 0 ? <li className="muted cart-empty">Scan or tap a product to start.</li> : null}
        {cart.lines.map((line, i) => (
          <CartLineRow key={line.uuid} line={line} cart={cart} total={totals?.lines[i]?.price_subtotal_incl ?? null} selected={line.uuid === cart.selectedLine} onSelect={() => change((c) => ({ ...c, selectedLine: line.uuid }))} />
        ))}
      </ol>
      {selected ? <LineEditor key={selected.uuid} line={selected} cart={cart} /> : null}
      <div className="cart-footer">
        <button type="button" className="btn customer-btn" onClick={() => setPicking(true)} data-testid="customer-button">
          Customer: <strong>{cart.customer?.name ?? 'none'}</strong>
        </button>
        {canChoosePricelist || canChooseTax ? (
          <div className="pricing-row">
            {canChoosePricelist ? (
              <button type="button" className="btn" onClick={() => setChoosing('pricelist')} data-testid="pricelist-button">
                Pricelist: <strong>{pricing.pricelist?.name ?? '—'}</strong>
              </button>
            ) : null}
            {canChooseTax ? (
              <button type="button" className="btn" onClick={() => setChoosing('tax')} data-testid="tax-button">
                Tax: <strong>{fiscalName}</strong>
              </button>
            ) : null}
          </div>
        ) : null}
        <AlertLine error={error} />
        <dl className="totals">
          <dt>Taxes</dt>
          <dd data-testid="cart-taxes">{totals ? money(totals.amount_tax, data.currency) : '—'}</dd>
          <dt className="total-label">Total</dt>
          <dd className="total-value" data-testid="cart-total" data-amount={totals?.amount_total ?? ''}>
            {totals ? money(totals.amount_total, data.currency) : '—'}
          </dd>
        </dl>
        <button type="button" className="btn btn-primary btn-large pay-btn" disabled={!cart.lines.length || !totals} onClick={onPay} data-testid="pay-button">
          Payment (F9)
        </button>
      </div>
      {choosing === 'pricelist' ? (
        <Modal title="Pricelist" onClose={() => setChoosing(null)}>
          <ul className="pick-list">
            {data.pricelists.map((p) => (
              <li key={p.id}>
                <button type="button" className={`pick${p.id === pricing.pricelist?.id ? ' selected' : ''}`} onClick={() => { change((c) => setPricing(c, { pricelistId: p.id })); setChoosing(null); }} data-testid={`pricelist-${p.id}`}>
                  {p.name ?? `Pricelist ${p.id}`}
                </button>
              </li>
            ))}
          </ul>
        </Modal>
      ) : null}
      {choosing === 'tax' ? (
        <Modal title="Tax (fiscal position)" onClose={() => setChoosing(null)}>
          <ul className="pick-list">
            {[{ id: null, name: 'Original' }, ...data.fiscalPositions].map((f) => (
              <li key={f.id ?? 'original'}>
                <button type="button" className={`pick${f.id === pricing.fiscalPositionId ? ' selected' : ''}`} onClick={() => { change((c) => setPricing(c, { fiscalPositionId: f.id })); setChoosing(null); }} data-testid={`fiscal-${f.id ?? 'none'}`}>
                  {f.name ?? `Fiscal position ${f.id}`}
                </button>
              </li>
            ))}
          </ul>
        </Modal>
      ) : null}
      {picking ? <CustomerPicker current={cart.customer} onPick={(customer) => { change((c) => setCustomer(c, customer)); setPicking(false); }} onClose={() => setPicking(false)} /> : null}
    </section>
  );
}

function CartLineRow({ line, cart, total, selected, onSelect }: { line: CartLine; cart: Cart; total: number | null; selected: boolean; onSelect: () => void }) {
  const { data } = usePos();
  let price = '—';
  try {
    price = money(unitPrice(line, cart, data), data.currency);
  } catch {
    // shown by the panel's error line
  }
  return (
    <li>
      <button type="button" className={`cart-line${selected ? ' selected' : ''}`} aria-pressed={selected} onClick={onSelect} data-testid={`cart-line-${line.product.id}`}>
        <span className={`line-name${line.combo ? ' combo-pick' : ''}`}>{lineName(line)}</span>
        <span className="line-amount" data-testid="line-total" data-amount={total ?? ''}>
          {total === null ? '—' : money(total, data.currency)}
        </span>
        <span className="line-detail">
          <span data-testid="line-qty">{quantity(line.qty)}</span> {line.product.uomName && line.product.uomName !== 'Units' ? line.product.uomName : '×'} {price}
          {line.discount ? ` · −${quantity(line.discount)} %` : ''}
          {line.manualPrice !== null && !line.refundOf ? ' · price set' : ''}
          {line.packLots?.length ? ` · ${line.product.tracking === 'serial' ? 'SN' : 'Lot'} ${line.packLots.join(', ')}` : ''}
        </span>
      </button>
    </li>
  );
}

/** Quantity, discount and price of the selected line, for touch (± buttons) and keyboard (fields). */
function LineEditor({ line, cart }: { line: CartLine; cart: Cart }) {
  const { data, carts, cashier } = usePos();
  // As Odoo's numpad, and as the terminal checks again on paying.
  // A combo's lines keep the combo's price.
  const mayDiscount = data.lineEdits.manualDiscount && !inCombo(line);
  const mayChangePrice = (!data.lineEdits.restrictPriceControl || cashier.manager) && !inCombo(line);
  const change = (update: (c: Cart) => Cart) => carts.update(cart.id, update);
  const [qty, setQtyText] = useState(quantity(line.qty));
  const [discount, setDiscountText] = useState(line.discount ? String(line.discount) : '');
  const [price, setPriceText] = useState(line.manualPrice === null ? '' : String(line.manualPrice));
  // Scans and the ± buttons change the line too: show its current values.
  useEffect(() => setQtyText(quantity(line.qty)), [line.qty]);
  useEffect(() => setDiscountText(line.discount ? String(line.discount) : ''), [line.discount]);
  useEffect(() => setPriceText(line.manualPrice === null ? '' : String(line.manualPrice)), [line.manualPrice]);
  const parse = (text: string) => Number(text.replace(',', '.'));

  return (
    <div className="line-editor" aria-label={`Edit ${line.product.name}`} data-testid="line-editor">
      <label className="mini-field">
        <span>Qty</span>
        <span className="stepper">
          <button type="button" className="btn btn-icon" aria-label="One less" onClick={() => change((c) => setQty(c, line.uuid, line.qty - 1, data))} data-testid="qty-minus">
            −
          </button>
          <input inputMode="decimal" value={qty} onChange={(e) => setQtyText(e.target.value)} onBlur={() => change((c) => setQty(c, line.uuid, parse(qty), data))} onKeyDown={(e) => e.key === 'Enter' && change((c) => setQty(c, line.uuid, parse(qty), data))} aria-label="Quantity" data-testid="qty-input" />
          <button type="button" className="btn btn-icon" aria-label="One more" onClick={() => change((c) => setQty(c, line.uuid, line.qty + 1, data))} data-testid="qty-plus">
            +
          </button>
        </span>
      </label>
      <label className="mini-field">
        <span>Disc. %</span>
        <input inputMode="decimal" value={discount} placeholder="0" disabled={!mayDiscount} title={mayDiscount ? undefined : 'Line discounts are off in this configuration'} onChange={(e) => setDiscountText(e.target.value)} onBlur={() => change((c) => setDiscount(c, line.uuid, parse(discount || '0')))} onKeyDown={(e) => e.key === 'Enter' && change((c) => setDiscount(c, line.uuid, parse(discount || '0')))} data-testid="discount-input" />
      </label>
      <label className="mini-field">
        <span>Price</span>
        <input
          inputMode="decimal"
          value={price}
          placeholder="list"
          disabled={!!line.refundOf || !mayChangePrice}
          title={mayChangePrice ? undefined : 'Only a manager may change prices in this configuration'}
          onChange={(e) => setPriceText(e.target.value)}
          onBlur={() => change((c) => setPrice(c, line.uuid, price.trim() ? parse(price) : null))}
          onKeyDown={(e) => e.key === 'Enter' && change((c) => setPrice(c, line.uuid, price.trim() ? parse(price) : null))}
          data-testid="price-input"
        />
      </label>
      <button type="button" className="btn btn-danger" onClick={() => change((c) => removeLine(c, line.uuid))} data-testid="remove-line">
        Remove
      </button>
    </div>
  );
}

/** The open carts: switch between them, start another, drop one. */
function CartTabs() {
  const { carts, data } = usePos();
  const { carts: all, activeId } = useCarts(carts);
  return (
    <div className="cart-tabs" role="tablist" aria-label="Open orders">
      {all.map((c, i) => {
        const { totals } = safeTotals(c, data);
        return (
          <button key={c.id} type="button" role="tab" aria-selected={c.id === activeId} className={`cart-tab${c.id === activeId ? ' active' : ''}`} onClick={() => carts.select(c.id)} data-testid={`cart-tab-${i}`}>
            #{i + 1}
            <span className="muted"> {c.lines.length ? money(totals?.amount_total ?? 0, data.currency) : 'empty'}</span>
          </button>
        );
      })}
      <button type="button" className="cart-tab cart-tab-new" onClick={() => carts.open()} aria-label="New order" data-testid="new-cart">
        + New
      </button>
      {all.length > 1 || all[0]?.lines.length ? (
        <button type="button" className="cart-tab cart-tab-drop" onClick={() => (carts.active().lines.length === 0 || window.confirm('Drop this order and its lines?')) && carts.close(activeId)} aria-label="Drop this order" data-testid="drop-cart">
          ✕
        </button>
      ) : null}
    </div>
  );
}
