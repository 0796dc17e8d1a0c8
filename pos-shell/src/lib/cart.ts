// A cart (an order being rung up) and the pure operations on it. Every amount derives from the
// pricing engine in shared/pos (Odoo 17's own rules): Odoo stores the totals a POS sends without
// recomputing them, so nothing here does its own arithmetic on money.

import type { SaleInput } from '../../../shared/pos.js';
import { LOT_NAME_MAX_CHARS, PLAIN_TEXT, saleLineName, SALE_MAX_LINES, SALE_MAX_LOTS } from '../../../shared/pos/bounds.js';
import { mapTaxes } from '../../../shared/pos/fiscal-position.js';
import {
  computeOrderTotals,
  newPaymentLineAmount,
  paymentAmount,
  payloadTaxIds,
  paymentRuleBroken,
  roundQuantity,
  storedUnitPrice,
  type OrderLineInput,
  type OrderTotals,
  type PaymentInput,
} from '../../../shared/pos/order-totals.js';
import { engineProduct, listedUnitPrice } from '../../../shared/pos/pos-data.js';
import type { Pricelist } from '../../../shared/pos/pricelist.js';
import { configuredName } from '../../../shared/pos/product-config.js';
import { comboLines, comboRefusal, comboUnitPrice, comboUuids, configProblem, inCombo, sameConfig, type ComboLink, type ComboPick, type LineConfig } from './cart-options.js';
import type { Customer, PosData, Product } from './catalog.js';

export interface CartLine {
  uuid: string;
  product: Product;
  qty: number;
  /** Percent, 0–100. */
  discount: number;
  /** A price the cashier typed (or a refund's original price); null = the pricelist's. */
  manualPrice: number | null;
  /**
   * Set on refund lines: the line this one gives back — a receipt line of this device, or a line
   * in Odoo (`serverLineId`, sent as refunded_orderline_id) — and how much of it is left to give back.
   */
  refundOf?: { orderName: string; lineUuid: string; serverLineId?: number | undefined; refundable: number } | undefined;
  /** Lot or serial numbers of a tracked product. */
  packLots?: string[] | undefined;
  /** The configurator's choice (no-variant attribute values, custom texts, their extra). */
  config?: LineConfig | undefined;
  /** On a combo's picks: the combo's own line and the pos.combo.line picked (cart-options.ts). */
  combo?: ComboLink | undefined;
}

export interface PaymentLine {
  id: string;
  methodId: number;
  amount: number;
}

export interface Cart {
  id: string;
  /** The sale's uuid and access token, fixed when the cart starts. */
  uuid: string;
  accessToken: string;
  createdAt: string;
  lines: CartLine[];
  selectedLine: string | null;
  customer: Customer | null;
  payments: PaymentLine[];
  toInvoice: boolean;
  /** Name of the order this cart refunds, if any. */
  refundOf: string | null;
  /** A pricelist chosen at the till; absent: the customer's, else the configuration's. */
  pricelistId?: number | undefined;
  /** A fiscal position chosen at the till (null: the products' own taxes); absent: the customer's, else the configuration's. */
  fiscalPositionId?: number | null | undefined;
}

export function newCart(): Cart {
  return { id: crypto.randomUUID(), uuid: crypto.randomUUID(), accessToken: crypto.randomUUID(), createdAt: new Date().toISOString(), lines: [], selectedLine: null, customer: null, payments: [], toInvoice: false, refundOf: null };
}

/** The pricelist and fiscal position in force: the customer's, else the config's. */
export function cartPricing(cart: Cart, data: PosData): { pricelist: Pricelist | null; fiscalPositionId: number | null } {
  const chosenPricelist = data.usePricelist && cart.pricelistId !== undefined ? data.pricelists.find((p) => p.id === cart.pricelistId) : undefined;
  const customerPricelist = data.usePricelist && cart.customer?.pricelistId ? data.pricelists.find((p) => p.id === cart.customer?.pricelistId) : undefined;
  const fiscalPositionId = cart.fiscalPositionId !== undefined ? cart.fiscalPositionId : (cart.customer?.fiscalPositionId ?? data.defaultFiscalPositionId);
  return {
    pricelist: chosenPricelist ?? customerPricelist ?? data.defaultPricelist,
    fiscalPositionId: fiscalPositionId !== null && data.fiscalPositions.some((f) => f.id === fiscalPositionId) ? fiscalPositionId : null,
  };
}

/** The pricelist or fiscal position chosen at the till (Odoo's Pricelist and Tax buttons); prices change, so payments start over. */
export function setPricing(cart: Cart, choice: { pricelistId: number } | { fiscalPositionId: number | null }): Cart {
  return { ...cart, ...choice, payments: [] };
}

/** The line's unit price: typed, a combo's share, or the pricelist's (with its attribute extra) for its quantity after the fiscal position. */
export function unitPrice(line: CartLine, cart: Cart, data: PosData, now = Date.now()): number {
  if (line.manualPrice !== null) return storedUnitPrice(line.manualPrice, data.settings);
  const terms = cartPricing(cart, data);
  const combo = comboUnitPrice(line, cart, data, terms, now);
  if (combo !== null) return combo;
  return listedUnitPrice(data, engineProduct(line.product.record, line.product.taxIds), line.qty, terms, now, line.config?.priceExtra ?? 0);
}

/** The name a line is sold under: the product's, with its chosen values ("Chair (Red, Metal)"). */
export function lineName(line: Pick<CartLine, 'product' | 'config'>): string {
  return configuredName(line.product.name, line.config?.label ?? '');
}

function orderLines(cart: Cart, data: PosData, now: number): OrderLineInput[] {
  const { fiscalPositionId } = cartPricing(cart, data);
  const fiscalPosition = data.fiscalPositions.find((f) => f.id === fiscalPositionId) ?? null;
  return cart.lines.map((line) => ({
    priceUnit: unitPrice(line, cart, data, now),
    quantity: line.qty,
    discount: line.discount,
    taxes: mapTaxes(line.product.taxIds, fiscalPosition, data.taxesById),
  }));
}

function paymentInputs(cart: Cart, data: PosData): PaymentInput[] {
  return cart.payments.map((p) => ({ amount: p.amount, isCash: data.paymentMethods.find((m) => m.id === p.methodId)?.isCash === true }));
}

export function cartTotals(cart: Cart, data: PosData, now = Date.now()): OrderTotals {
  return computeOrderTotals(orderLines(cart, data, now), paymentInputs(cart, data), data.settings);
}

/** A product's shelf price for one unit, taxes included as the line would show them. */
export function shelfPrice(product: Product, cart: Cart, data: PosData): number {
  const probe: Cart = { ...cart, lines: [{ uuid: 'probe', product, qty: 1, discount: 0, manualPrice: null }], payments: [] };
  return cartTotals(probe, data).lines[0]?.price_subtotal_incl ?? 0;
}

export interface AddOptions {
  qty?: number;
  price?: number;
  discount?: number;
  /** false: always a new line (weighed items, embedded prices), as Odoo's merge: false. */
  merge?: boolean;
  packLots?: string[];
  /** The configurator's choice: merges only with a line of the same choice. */
  config?: LineConfig;
}

function roundedQty(qty: number, product: Product, data: PosData): number {
  const unit = product.uomId === null ? null : (data.uoms.get(product.uomId) ?? null);
  return roundQuantity(qty, unit, data.uomDigits);
}

/** Why this terminal will not sell a product (null: it will): a combo its data does not describe. */
export function refusedProduct(product: Product, data: PosData): string | null {
  return comboRefusal(product, data);
}

/** The line adding this product would add to (Odoo's merge), or undefined for a new line. */
function lineToMergeInto(cart: Cart, product: Product, options: AddOptions): CartLine | undefined {
  const merge = options.merge !== false && options.price === undefined && !options.discount && !options.packLots?.length;
  return merge ? cart.lines.find((l) => l.product.id === product.id && l.manualPrice === null && l.discount === 0 && !l.refundOf && l.qty > 0 && !inCombo(l) && sameConfig(l.config, options.config)) : undefined;
}

/** Why adding this product would make a sale larger than a sale may be (null: it would not). */
export function addProblem(cart: Cart, product: Product, options: AddOptions = {}): string | null {
  if (cart.lines.length >= SALE_MAX_LINES && !lineToMergeInto(cart, product, options)) return `A sale holds at most ${SALE_MAX_LINES} lines: pay this one and ring the rest up as a new order.`;
  return configProblem(cart, options.config) ?? (options.packLots ? lotsProblem(cart, options.packLots) : null);
}

/** Why these lot or serial numbers cannot join the cart (null: they can). */
export function lotsProblem(cart: Cart, lots: readonly string[]): string | null {
  const long = lots.find((lot) => lot.length > LOT_NAME_MAX_CHARS);
  if (long) return `${long.slice(0, 20)}… is too long: a lot or serial number has at most ${LOT_NAME_MAX_CHARS} characters.`;
  if (lots.some((lot) => !PLAIN_TEXT.test(lot))) return 'A lot or serial number may not hold control characters.';
  if (lotsIn(cart) + lots.length > SALE_MAX_LOTS) return `A sale holds at most ${SALE_MAX_LOTS} lot and serial numbers: pay this one and ring the rest up as a new order.`;
  return null;
}

function lotsIn(cart: Cart): number {
  return cart.lines.reduce((n, line) => n + (line.packLots?.length ?? 0), 0);
}

/** Refuses what the sale's bounds refuse (shared/pos/bounds.ts): use addProblem first to tell the cashier why. */
export function addProduct(cart: Cart, product: Product, data: PosData, options: AddOptions = {}): Cart {
  const problem = addProblem(cart, product, options);
  if (problem) throw new Error(problem);
  const existing = lineToMergeInto(cart, product, options);
  if (existing) return setQty({ ...cart, selectedLine: existing.uuid }, existing.uuid, existing.qty + (options.qty ?? 1), data);
  const line: CartLine = {
    uuid: crypto.randomUUID(),
    product,
    qty: roundedQty(options.qty ?? 1, product, data),
    discount: options.discount ?? 0,
    manualPrice: options.price ?? null,
    ...(options.packLots?.length ? { packLots: options.packLots } : {}),
    ...(options.config ? { config: options.config } : {}),
  };
  return { ...cart, lines: [...cart.lines, line], selectedLine: line.uuid, payments: [] };
}

/** A combo and its picks (the combo chooser's answer, in the combos' pricing order) as new lines, the combo's own selected. */
export function addCombo(cart: Cart, parent: Product, picks: readonly ComboPick[]): Cart {
  if (cart.lines.length + picks.length + 1 > SALE_MAX_LINES) throw new Error(`A sale holds at most ${SALE_MAX_LINES} lines: pay this one and ring the rest up as a new order.`);
  for (const { config } of picks) {
    const problem = configProblem(cart, config);
    if (problem) throw new Error(problem);
  }
  const lines = comboLines(parent, picks, 1);
  return { ...cart, lines: [...cart.lines, ...lines], selectedLine: lines[0]!.uuid, payments: [] };
}

function updateLine(cart: Cart, uuid: string, change: (line: CartLine) => CartLine): Cart {
  // Any change to the lines voids the payments entered so far: the amount due changed.
  return { ...cart, lines: cart.lines.map((l) => (l.uuid === uuid ? change(l) : l)), payments: [] };
}

export function setQty(cart: Cart, uuid: string, qty: number, data: PosData): Cart {
  if (!Number.isFinite(qty)) return cart;
  const line = cart.lines.find((l) => l.uuid === uuid);
  // A combo's lines go together: its quantity is each of its lines'.
  const together = line ? comboUuids(cart, line) : new Set([uuid]);
  // A refund line gives back between nothing and what is left of the line it refunds.
  return { ...cart, lines: cart.lines.map((l) => (together.has(l.uuid) ? { ...l, qty: roundedQty(l.refundOf ? Math.max(-l.refundOf.refundable, Math.min(0, qty)) : qty, l.product, data) } : l)), payments: [] };
}

/** A combo's lines keep the combo's price: no discount or typed price on them (the terminal refuses both). */
const priceFixed = (cart: Cart, uuid: string) => cart.lines.some((l) => l.uuid === uuid && inCombo(l));

export function setDiscount(cart: Cart, uuid: string, discount: number): Cart {
  if (!Number.isFinite(discount) || priceFixed(cart, uuid)) return cart;
  return updateLine(cart, uuid, (l) => ({ ...l, discount: Math.min(100, Math.max(0, discount)) }));
}

export function setPrice(cart: Cart, uuid: string, price: number | null): Cart {
  if ((price !== null && !Number.isFinite(price)) || priceFixed(cart, uuid)) return cart;
  return updateLine(cart, uuid, (l) => ({ ...l, manualPrice: price === null ? null : Math.max(0, price) }));
}

/** Removes the line, or the whole combo it is part of. */
export function removeLine(cart: Cart, uuid: string): Cart {
  const index = cart.lines.findIndex((l) => l.uuid === uuid);
  const line = cart.lines[index];
  const gone = line ? comboUuids(cart, line) : new Set([uuid]);
  const lines = cart.lines.filter((l) => !gone.has(l.uuid));
  const next = lines[Math.min(index, lines.length - 1)];
  return { ...cart, lines, selectedLine: next?.uuid ?? null, payments: [] };
}

/** As Odoo's POS: a new customer brings their own pricelist and fiscal position, replacing any chosen at the till. */
export function setCustomer(cart: Cart, customer: Customer | null): Cart {
  const { pricelistId: _pricelist, fiscalPositionId: _fiscal, ...rest } = cart;
  return { ...rest, customer, toInvoice: customer ? cart.toInvoice : false, payments: [] };
}

/** A new payment line takes what is still due (after cash rounding, as Odoo's add_paymentline). */
export function addPayment(cart: Cart, methodId: number, data: PosData): Cart {
  const isCash = data.paymentMethods.find((m) => m.id === methodId)?.isCash === true;
  const amount = newPaymentLineAmount(orderLines(cart, data, Date.now()), paymentInputs(cart, data), isCash, data.settings);
  return { ...cart, payments: [...cart.payments, { id: crypto.randomUUID(), methodId, amount }] };
}

export function setPaymentAmount(cart: Cart, id: string, amount: number, data: PosData): Cart {
  if (!Number.isFinite(amount)) return cart;
  return { ...cart, payments: cart.payments.map((p) => (p.id === id ? { ...p, amount: paymentAmount(amount, data.settings) } : p)) };
}

export function removePayment(cart: Cart, id: string): Cart {
  return { ...cart, payments: cart.payments.filter((p) => p.id !== id) };
}

/** Why the payment cannot be validated yet, or null when it can (Odoo's _isOrderValid checks). */
export function paymentProblem(cart: Cart, totals: OrderTotals, data: PosData): string | null {
  if (cart.lines.length === 0) return 'The order is empty.';
  // A refund cart is made whole from an order: it may be larger than a sale may be.
  if (cart.lines.length > SALE_MAX_LINES) return `A sale holds at most ${SALE_MAX_LINES} lines (this one has ${cart.lines.length}).`;
  if (lotsIn(cart) > SALE_MAX_LOTS) return `A sale holds at most ${SALE_MAX_LOTS} lot and serial numbers (this one has ${lotsIn(cart)}).`;
  if (cart.payments.length === 0) return 'Choose a payment method.';
  const broken = paymentRuleBroken(totals, paymentInputs(cart, data), data.settings);
  if (broken) return broken.message;
  if (cart.toInvoice && !cart.customer) return 'An invoice needs a customer.';
  // Odoo's PaymentScreen asks for a customer ("Customer Required"); without one Odoo stores the
  // order but refuses to close the session ('You have enabled the "Identify Customer" option…').
  const identify = cart.customer ? undefined : data.paymentMethods.find((m) => m.needsCustomer && cart.payments.some((p) => p.methodId === m.id));
  if (identify) return `${identify.name} needs a customer on the order.`;
  const serials = cart.lines.find((l) => l.product.tracking === 'serial' && l.packLots?.length && l.packLots.length !== Math.abs(l.qty));
  if (serials) return `${serials.product.name}: one serial number per unit (${serials.packLots?.length ?? 0} for ${Math.abs(serials.qty)}).`;
  return null;
}

/** The sale as pos.sell records it, every amount from the engine (the terminal adds its cashier). */
export function saleInput(cart: Cart, data: PosData, now = new Date()): SaleInput {
  const totals = cartTotals(cart, data, now.getTime());
  const { pricelist, fiscalPositionId } = cartPricing(cart, data);
  return {
    lines: cart.lines.map((line, i) => {
      const t = totals.lines[i]!;
      return {
        productId: line.product.id,
        qty: t.qty,
        priceUnit: t.price_unit,
        discount: t.discount,
        priceSubtotal: t.price_subtotal,
        priceSubtotalIncl: t.price_subtotal_incl,
        taxIds: payloadTaxIds(line.product.taxIds, data.taxes),
        fullProductName: saleLineName(lineName(line)),
        uuid: line.uuid,
        ...(line.packLots?.length ? { packLots: line.packLots } : {}),
        ...(line.config ? { attributeValueIds: [...line.config.valueIds], customAttributeValues: line.config.customValues.map((c) => ({ ...c })), priceExtra: line.config.priceExtra } : {}),
        ...(line.combo ? { comboParentUuid: line.combo.parentUuid, comboLineId: line.combo.comboLineId } : {}),
        ...(line.refundOf?.serverLineId ? { refundedOrderlineId: line.refundOf.serverLineId } : {}),
        // Refunded from this device's receipt (offline, or before the sale reached Odoo): the sync links it.
        ...(line.refundOf && !line.refundOf.serverLineId ? { refundedLineUuid: line.refundOf.lineUuid } : {}),
      };
    }),
    payments: cart.payments.map((p) => ({ paymentMethodId: p.methodId, amount: p.amount })),
    amountTotal: totals.amount_total,
    amountTax: totals.amount_tax,
    amountPaid: totals.amount_paid,
    amountReturn: totals.amount_return,
    partnerId: cart.customer?.id ?? null,
    pricelistId: pricelist?.id ?? null,
    fiscalPositionId,
    toInvoice: cart.toInvoice,
    uuid: cart.uuid,
    accessToken: cart.accessToken,
    dateOrder: now.toISOString(),
  };
}
