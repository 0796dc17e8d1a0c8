import type { OpOutput } from '../../../shared/contract.js';
import { newCart, type Cart, type CartLine } from './cart.js';
import { readProduct, type Customer, type Product } from './catalog.js';
import { refundedQuantities, type Receipt } from './receipts.js';

// Refund carts: every line negative, at its original price and discount, never more than what is
// left of the line it gives back. From a receipt of this device, or from an order found in Odoo
// (any terminal), whose lines are then linked by refunded_orderline_id as Odoo's own POS does.

export type FoundOrder = OpOutput<'pos.findOrders'>[number];

/** A refund of an order rung up on this device (its receipt), given back lines counted. */
export function refundFromReceipt(original: Receipt, receipts: readonly Receipt[]): Cart | string {
  const given = refundedQuantities(original, receipts);
  const lines: CartLine[] = original.lines
    .map((line) => ({ line, left: line.qty - (given.get(line.uuid) ?? 0) }))
    .filter(({ line, left }) => line.qty > 0 && left > 0)
    .map(({ line, left }) => ({
      uuid: crypto.randomUUID(),
      product: readProduct(line.productRecord),
      qty: -left,
      discount: line.discount,
      manualPrice: line.priceUnit,
      refundOf: { orderName: original.name, lineUuid: line.uuid, refundable: left },
      packLots: line.packLots,
    }));
  if (lines.length === 0) return `${original.name} has been refunded in full already.`;
  return { ...newCart(), refundOf: original.name, customer: original.customer, lines };
}

/**
 * A refund of an order found in Odoo: its lines' own taxes (not today's product taxes), linked to
 * Odoo's lines. `products` are the cached products by id; a line whose product is not cached
 * (archived, or not sold in the POS) cannot be refunded here.
 */
export function refundFromOdoo(order: FoundOrder, products: ReadonlyMap<number, Product>, customer: Customer | null): Cart | string {
  const open = order.lines.map((line) => ({ line, left: line.qty - line.refundedQty })).filter(({ line, left }) => line.qty > 0 && left > 0);
  if (open.length === 0) return `${order.name} has been refunded in full already.`;
  const unknown = open.find(({ line }) => !products.has(line.productId));
  if (unknown) return `${unknown.line.name} is not in this terminal's products (archived, or not sold in the POS): refund it in Odoo.`;
  const lines: CartLine[] = open.map(({ line, left }) => {
    const product = products.get(line.productId)!;
    return {
      uuid: crypto.randomUUID(),
      product: { ...product, taxIds: line.taxIds },
      qty: -left,
      discount: line.discount,
      manualPrice: line.priceUnit,
      // The sold line's own uuid where Odoo keeps it: this device's receipts then count the refund too.
      refundOf: { orderName: order.name, lineUuid: line.uuid ?? `odoo-${line.id}`, serverLineId: line.id, refundable: left },
      // A serial number per unit given back; a lot's name as sold.
      ...(line.lots.length ? { packLots: product.tracking === 'serial' ? line.lots.slice(0, Math.ceil(left)) : line.lots } : {}),
    };
  });
  // At the sale's terms, as Odoo's ticket screen: its pricelist, and its fiscal position — none
  // when it had none, or when this terminal does not have it (the lines' taxes are the sale's own).
  return { ...newCart(), refundOf: order.name, customer, lines, pricelistId: order.pricelistId ?? undefined, fiscalPositionId: order.fiscalPositionId };
}
