import { refundableQty, taxNames, taxShares, untaxedAmount } from '../../shared/pos/order-detail.js';
import type { PricingData } from '../../shared/pos/pos-data.js';
import type { OrderDetailView } from '../../shared/pos-order-detail.js';
import type { OdooOrderStanding } from './adapters.js';
import type { RecordedOrder } from './order-payloads.js';
import type { OutboxOrder } from './outbox.js';

// pos.orderDetail: an order of this terminal in full, from its frozen payload (what Odoo gets or
// got) and the cached names; where it stands (waiting, uncertain, parked with Odoo's reason,
// synced) and, once synced and Odoo answers, Odoo's own name and invoice for it.

/** What the detail reads beside the order: the terminal's names, the refund ledger, Odoo's answer. */
export interface OrderDetailSources {
  /** The pricing data (null: not loaded; the tax split is then left out). */
  pricing: PricingData | null;
  paymentMethodName(id: number): string;
  customerName(partnerId: number): string | null;
  cashier: string | null;
  /** What this terminal gave back of a line it sold (its refund ledger). */
  givenBack(lineUuid: string): number;
  /** Odoo's standing of the order (null: not synced, or Odoo did not answer in time). */
  odoo: OdooOrderStanding | null;
}

export function describeOrder(order: OutboxOrder, recorded: RecordedOrder, sources: OrderDetailSources): OrderDetailView {
  const { pricing } = sources;
  const lines = recorded.lines.map((line) => {
    const refundedQty = line.qty > 0 && line.uuid ? sources.givenBack(line.uuid) : 0;
    return {
      uuid: line.uuid,
      odooLineId: null,
      productId: line.productId,
      name: line.name ?? `Product ${line.productId}`,
      qty: line.qty,
      priceUnit: line.priceUnit,
      discount: line.discount,
      taxIds: line.taxIds,
      taxes: pricing ? taxNames(line.taxIds, pricing) : line.taxIds.map((id) => `Tax ${id}`),
      totalExcl: line.amountWithoutTax,
      totalIncl: line.amountWithTax,
      refundedQty,
      // A line sold here without a uuid cannot be named by a refund: nothing to give back from here.
      refundable: line.uuid ? refundableQty(line.qty, refundedQty) : 0,
      lots: line.lots,
    };
  });
  const customer = recorded.partnerId ? { id: recorded.partnerId, name: sources.customerName(recorded.partnerId) ?? `Customer ${recorded.partnerId}` } : null;
  return {
    source: 'terminal',
    uid: order.uid,
    name: order.name,
    date: recorded.dateOrder,
    customer,
    cashier: sources.cashier,
    sync: syncState(order),
    odoo: order.serverId ? { id: order.serverId, name: sources.odoo?.name ?? null, state: sources.odoo?.state ?? null, invoice: sources.odoo?.invoice?.name ?? null } : null,
    lines,
    amountUntaxed: pricing ? untaxedAmount(recorded.amountTotal, recorded.amountTax, pricing) : recorded.amountTotal - recorded.amountTax,
    amountTax: recorded.amountTax,
    amountTotal: recorded.amountTotal,
    taxes: pricing ? taxShares(recorded.lines, recorded.fiscalPositionId, pricing) : null,
    payments: recorded.payments.map((p) => ({ method: sources.paymentMethodName(p.paymentMethodId), amount: p.amount })),
    change: recorded.amountReturn,
    toInvoice: recorded.toInvoice,
    pricelistId: recorded.pricelistId,
    fiscalPositionId: recorded.fiscalPositionId,
  };
}

/** Where an outbox order stands, as the page says it. */
export function syncState(order: Pick<OutboxOrder, 'state' | 'uncertain' | 'lastError'>): OrderDetailView['sync'] {
  if (order.state === 'synced') return { state: 'synced', reason: null };
  if (order.state === 'parked') return { state: 'parked', reason: order.lastError ?? 'Parked' };
  if (order.uncertain) return { state: 'uncertain', reason: 'Sent without an answer: Odoo is asked before it is sent again.' };
  return { state: 'waiting', reason: order.lastError };
}
