import type { OrderDetailView } from '../../../shared/pos-order-detail.js';
import { refundableQty, taxNames, taxShares, untaxedAmount } from '../../../shared/pos/order-detail.js';
import type { PricingData } from '../../../shared/pos/pos-data.js';
import { floatCompare } from '../../../shared/pos/rounding.js';
import { newCart, type Cart, type CartLine } from './cart.js';
import type { Customer, PosData, Product } from './catalog.js';
import type { Receipt } from './receipts.js';
import type { FoundOrder } from './refunds.js';

// The Orders page's detail and its refunds. An order of this terminal comes from the server whole
// (pos.orderDetail); one found in Odoo is turned into the same view here. A refund gives back the
// lines and quantities the cashier chose, each at most what is left of it — and the terminal checks
// that again whatever this page sends (shared/pos/sale-check.ts).

export type DetailLine = OrderDetailView['lines'][number];

/** Quantities are compared at Odoo's default 'Product Unit of Measure' precision. */
const QTY_DIGITS = { digits: 3 };

/** A line's key in a refund's choices: Odoo's line id when known, else the uuid it was sold with. */
export function lineKey(line: Pick<DetailLine, 'odooLineId' | 'uuid'>): string {
  return line.odooLineId !== null ? `odoo:${line.odooLineId}` : `uuid:${line.uuid ?? ''}`;
}

/** An order found in Odoo (any terminal) as the detail shows it. */
export function detailFromOdoo(order: FoundOrder, data: PricingData): OrderDetailView {
  return {
    source: 'odoo',
    uid: null,
    name: order.name,
    date: order.date,
    customer: order.partner,
    cashier: order.cashier,
    sync: { state: 'synced', reason: null },
    odoo: { id: order.id, name: order.odooName || null, state: order.state, invoice: order.invoice },
    lines: order.lines.map((line) => ({
      uuid: line.uuid,
      odooLineId: line.id,
      productId: line.productId,
      name: line.name,
      qty: line.qty,
      priceUnit: line.priceUnit,
      discount: line.discount,
      taxIds: line.taxIds,
      taxes: taxNames(line.taxIds, data),
      totalExcl: line.priceSubtotal,
      totalIncl: line.priceSubtotalIncl,
      refundedQty: line.refundedQty,
      refundable: refundableQty(line.qty, line.refundedQty),
      lots: line.lots,
    })),
    amountUntaxed: untaxedAmount(order.amountTotal, order.amountTax, data),
    amountTax: order.amountTax,
    amountTotal: order.amountTotal,
    taxes: taxShares(order.lines, order.fiscalPositionId, data),
    payments: order.payments,
    change: order.amountReturn,
    toInvoice: order.toInvoice,
    pricelistId: order.pricelistId,
    fiscalPositionId: order.fiscalPositionId,
  };
}

/** Whether a quantity may be given back of a line: more than 0, at most what is left of it. */
export function refundQtyProblem(line: DetailLine, qty: number): string | null {
  if (!Number.isFinite(qty) || floatCompare(qty, 0, QTY_DIGITS) <= 0) return `${line.name}: give back more than 0, or leave it out.`;
  if (floatCompare(qty, line.refundable, QTY_DIGITS) > 0) return `${line.name}: only ${line.refundable} is left to give back.`;
  return null;
}

/**
 * A refund cart of the chosen lines (`quantities`: how much to give back, by lineKey; lines left
 * out or at 0 are not refunded), at the sale's price, discount, taxes, pricelist and fiscal
 * position, with its lots. `products`: the cached products by id (a product not cached cannot be
 * refunded here). A message instead when the choice cannot be refunded.
 */
export function refundCartOf(detail: OrderDetailView, quantities: ReadonlyMap<string, number>, products: ReadonlyMap<number, Product>, customer: Customer | null): Cart | string {
  const chosen = detail.lines.map((line) => ({ line, qty: quantities.get(lineKey(line)) ?? 0 })).filter(({ qty }) => qty !== 0);
  if (chosen.length === 0) return 'Choose at least one line to give back.';
  const lines: CartLine[] = [];
  for (const { line, qty } of chosen) {
    const problem = refundQtyProblem(line, qty);
    if (problem) return problem;
    if (line.uuid === null && line.odooLineId === null) return `${line.name} cannot be named by a refund: refund it in Odoo.`;
    const product = products.get(line.productId);
    if (!product) return `${line.name} is not in this terminal's products (archived, or not sold in the POS): refund it in Odoo.`;
    lines.push({
      uuid: crypto.randomUUID(),
      product: { ...product, taxIds: line.taxIds },
      qty: -qty,
      discount: line.discount,
      manualPrice: line.priceUnit,
      // Odoo's line id where known (linked as Odoo's POS does); else the uuid sold here, linked at sync.
      refundOf: { orderName: detail.name, lineUuid: line.uuid ?? `odoo-${line.odooLineId}`, serverLineId: line.odooLineId ?? undefined, refundable: line.refundable },
      // A serial number per unit given back; a lot's name as sold.
      ...(line.lots.length ? { packLots: product.tracking === 'serial' ? line.lots.slice(0, Math.ceil(qty)) : line.lots } : {}),
    });
  }
  return { ...newCart(), refundOf: detail.name, customer, lines, pricelistId: detail.pricelistId ?? undefined, fiscalPositionId: detail.fiscalPositionId };
}

/**
 * The receipt of an order found in Odoo, for the browser's print (a reprint of this terminal's own
 * orders comes from the terminal, pos.receipt, and may go to its ESC/POS printer too).
 */
export function receiptFromDetail(detail: OrderDetailView, data: Pick<PosData, 'company'>): Receipt {
  return {
    uid: detail.uid ?? '',
    name: detail.name,
    date: `${detail.date.replace(' ', 'T')}Z`,
    cashier: detail.cashier ?? '',
    customer: null,
    customerName: detail.customer?.name ?? null,
    configName: '',
    company: data.company,
    lines: detail.lines.map((line, i) => ({ uuid: line.uuid ?? String(line.odooLineId ?? i), productId: line.productId, name: line.name, qty: line.qty, uomName: '', priceUnit: line.priceUnit, discount: line.discount, subtotalIncl: line.totalIncl, taxIds: line.taxIds, productRecord: {}, packLots: line.lots })),
    amountUntaxed: detail.amountUntaxed,
    amountTax: detail.amountTax,
    amountTotal: detail.amountTotal,
    rounding: 0,
    totalDue: detail.amountTotal,
    payments: detail.payments,
    change: detail.change,
    refundOf: null,
    fromTerminal: true,
  };
}
