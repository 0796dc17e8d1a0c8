// account.tax.compute_all as Odoo 17 computes it, in two flavours:
//  - 'pos' (default): PosStore.compute_all / _compute_all in point_of_sale/static/src/app/store/
//    pos_store.js. This is what the 17 POS puts in price_subtotal / price_subtotal_incl, and the
//    server stores those numbers without recomputing them.
//  - 'server': account.tax.compute_all / _compute_amount in account/models/account_tax.py, for
//    checks against the backend (invoices are recomputed there from the order lines).
// The flavours differ only at the edges, listed where they branch below.

import { floatRound, roundPrecision } from './rounding.js';

export type TaxAmountType = 'percent' | 'fixed' | 'division' | 'group';
export type TaxRoundingMethod = 'round_per_line' | 'round_globally';
export type ComputeAllFlavor = 'pos' | 'server';

/** A tax repartition line of type 'tax' (factor = factor_percent / 100). */
export interface TaxRepartitionLine {
  factor: number;
  /** False when the line has no account: its amount then counts in total_void. */
  hasAccount?: boolean;
}

/**
 * An account.tax as load_pos_data gives it (children_tax_ids as nested taxes). The 17 POS does not
 * load `sequence`; without it taxes are used in the order given, which is the ORM's
 * (sequence, id) order for product.taxes_id.
 */
export interface Tax {
  id: number;
  name?: string;
  amount_type: TaxAmountType | string;
  amount: number;
  price_include: boolean;
  include_base_amount: boolean;
  is_base_affected: boolean;
  sequence?: number;
  children_tax_ids?: readonly Tax[];
  /** Sum of the invoice 'tax' repartition factors, as _get_pos_ui_account_tax adds it. Default 1. */
  sum_repartition_factor?: number;
  /** Invoice 'tax' repartition lines (server flavour: one result entry per line; total_void). */
  invoice_repartition_lines?: readonly TaxRepartitionLine[];
  /** Refund 'tax' repartition lines, used when options.isRefund (server flavour). */
  refund_repartition_lines?: readonly TaxRepartitionLine[];
}

export interface Currency {
  /** res.currency.rounding, e.g. 0.01 */
  rounding: number;
}

export interface ComputeAllOptions {
  /** res.company.tax_calculation_rounding_method; default round_per_line. */
  roundingMethod?: TaxRoundingMethod;
  /** false: every tax is treated as price-excluded (compute_all's handle_price_include). */
  handlePriceInclude?: boolean;
  /** Company country code: 'IN' splits included percent taxes evenly (both flavours). */
  companyCountryCode?: string | null;
  flavor?: ComputeAllFlavor;
  /** Server flavour: use refund repartition lines. */
  isRefund?: boolean;
  /** Server flavour: compute_all's fixed_multiplicator (fixed amounts are multiplied by |m|). */
  fixedMultiplicator?: number;
}

export interface TaxResult {
  id: number;
  name: string;
  amount: number;
  base: number;
  price_include: boolean;
  /** The group tax this one was flattened from, if any. */
  groupId: number | null;
  /** Server flavour with repartition lines: index of the repartition line. */
  repartitionLineIndex: number | null;
}

export interface ComputeAllResult {
  total_excluded: number;
  total_included: number;
  /** total_excluded plus the taxes (repartition lines) that have no account. */
  total_void: number;
  taxes: TaxResult[];
}

export class UnsupportedTaxError extends Error {
  constructor(readonly tax: Tax) {
    super(`tax ${tax.id} (${tax.name ?? ''}) has amount_type '${tax.amount_type}', which cannot be computed offline`);
    this.name = 'UnsupportedTaxError';
  }
}

interface FlatTax {
  tax: Tax;
  groupId: number | null;
}

/** flatten_taxes_hierarchy / _collect_taxes: groups replaced by their children, in order. */
export function flattenTaxes(taxes: readonly Tax[]): Tax[] {
  return flatten(taxes).map((flat) => flat.tax);
}

function flatten(taxes: readonly Tax[], enclosingGroups: ReadonlySet<number> = new Set()): FlatTax[] {
  const flat: FlatTax[] = [];
  for (const tax of sortTaxes(taxes)) {
    if (tax.amount_type === 'group') {
      if (enclosingGroups.has(tax.id)) throw new RangeError(`tax group ${tax.id} contains itself`);
      const children = flatten(tax.children_tax_ids ?? [], new Set([...enclosingGroups, tax.id]));
      // Like groups_map in Python, the outermost group wins.
      flat.push(...children.map((child) => ({ tax: child.tax, groupId: tax.id })));
    } else {
      flat.push({ tax, groupId: null });
    }
  }
  return flat;
}

/**
 * Python sorts by (sequence, id). The POS sorts by sequence, which it does not load, so its sort
 * keeps the given order: sort only when every tax carries a sequence.
 */
function sortTaxes(taxes: readonly Tax[]): readonly Tax[] {
  if (!taxes.every((tax) => typeof tax.sequence === 'number')) return taxes;
  return [...taxes].sort((a, b) => (a.sequence as number) - (b.sequence as number) || a.id - b.id);
}

function repartitionLines(tax: Tax, isRefund: boolean): readonly TaxRepartitionLine[] | null {
  const lines = isRefund ? tax.refund_repartition_lines ?? tax.invoice_repartition_lines : tax.invoice_repartition_lines;
  return lines ?? null;
}

function repartitionFactor(tax: Tax, isRefund: boolean): number {
  const lines = repartitionLines(tax, isRefund);
  if (lines) return lines.reduce((sum, line) => sum + line.factor, 0);
  return tax.sum_repartition_factor ?? 1;
}

/**
 * _compute_amount (server) / _compute_all (POS): one tax on a base. `priceInclude` says whether
 * the base already contains the tax.
 */
export function computeTaxAmount(
  tax: Tax,
  baseAmount: number,
  quantity: number,
  priceInclude: boolean,
  fixedMultiplicator = 1,
): number {
  switch (tax.amount_type) {
    case 'fixed':
      // The sign follows the base (which carries the signs of quantity and price); a zero base
      // takes the quantity's sign, so a refunded free product still refunds its fixed tax.
      if (baseAmount) return Math.sign(baseAmount) * Math.abs(quantity) * tax.amount * Math.abs(fixedMultiplicator);
      return quantity * tax.amount * Math.abs(fixedMultiplicator);
    case 'percent':
      return priceInclude ? baseAmount - baseAmount / (1 + tax.amount / 100) : (baseAmount * tax.amount) / 100;
    case 'division':
      if (priceInclude) return baseAmount - baseAmount * (tax.amount / 100);
      // The server guards a 100% division; the JS would return Infinity.
      return 1 - tax.amount / 100 ? baseAmount / (1 - tax.amount / 100) - baseAmount : 0;
    default:
      throw new UnsupportedTaxError(tax);
  }
}

interface IncludedAmounts {
  percentTaxes: { index: number; amount: number; repartition: number }[];
  divisionTaxes: { index: number; factor: number }[];
  fixedAmount: number;
}

/**
 * compute_all: taxes on priceUnit × quantity. product and partner are only used by Python-code
 * taxes, which cannot run offline; they are accepted to keep Odoo's signature.
 */
export function computeAll(
  taxes: readonly Tax[],
  priceUnit: number,
  currency: Currency,
  quantity = 1,
  _product?: unknown,
  _partner?: unknown,
  options: ComputeAllOptions = {},
): ComputeAllResult {
  const flavor = options.flavor ?? 'pos';
  const server = flavor === 'server';
  const isRefund = server && options.isRefund === true;
  const fixedMultiplicator = server ? options.fixedMultiplicator ?? 1 : 1;
  const handlePriceInclude = options.handlePriceInclude ?? true;
  const india = options.companyCountryCode === 'IN';
  const round = server
    ? (value: number, rounding: number) => floatRound(value, { rounding })
    : (value: number, rounding: number) => roundPrecision(value, rounding);

  // 1) Flatten the taxes.
  const flat = flatten(taxes);

  // 2) Rounding: round_globally keeps 5 more digits on each line; totals stay at the currency's.
  const currencyRounding = currency.rounding;
  const prec = options.roundingMethod === 'round_globally' ? currencyRounding * 0.00001 : currencyRounding;

  const cachedTaxAmounts = new Map<number, number>();
  const cachedBaseAmounts = new Map<number, number>();
  const totalIncludedCheckpoints = new Map<number, number>();

  let base = round(priceUnit * quantity, currencyRounding);
  // Compute with positive amounts and negate at the end (refunds, negative prices).
  let sign = 1;
  if (server && base === 0) {
    sign = fixedMultiplicator < 0 ? -1 : 1;
  } else if (base < 0) {
    sign = -1;
    base = -base;
  }

  const recomputeBase = (baseAmount: number, included: IncludedAmounts): number => {
    let fixedAmount = included.fixedAmount;
    const divisionAmount = included.divisionTaxes.reduce((sum, t) => sum + t.factor, 0);
    let percentAmount = included.percentTaxes.reduce((sum, t) => sum + t.amount * t.repartition, 0);
    if (india) {
      // Two included percent taxes of the same rate must yield the same amount: compute each
      // directly on the included total. (Both implementations read the outer `base` here.)
      let totalTaxAmount = 0;
      for (const { index, amount, repartition } of included.percentTaxes) {
        if (server) {
          const grossTaxAmount = round((base * amount) / (100 + percentAmount), prec);
          const factoredTaxAmount = round(grossTaxAmount * repartition, prec);
          totalTaxAmount += factoredTaxAmount;
          cachedTaxAmounts.set(index, grossTaxAmount);
          fixedAmount += factoredTaxAmount;
        } else {
          const taxAmount = round((base * amount * repartition) / (100 + percentAmount), prec);
          totalTaxAmount += taxAmount;
          cachedTaxAmounts.set(index, taxAmount);
          fixedAmount += taxAmount;
        }
      }
      for (const { index } of included.percentTaxes) cachedBaseAmounts.set(index, base - totalTaxAmount);
      percentAmount = 0;
    }
    included.percentTaxes = [];
    included.divisionTaxes = [];
    included.fixedAmount = 0;
    return (((baseAmount - fixedAmount) / (1 + percentAmount / 100)) * (100 - divisionAmount)) / 100;
  };

  // 3) Walk the taxes backwards to find the base without the included taxes (total_excluded).
  const included: IncludedAmounts = { percentTaxes: [], divisionTaxes: [], fixedAmount: 0 };
  let storeIncludedTaxTotal = true;
  if (handlePriceInclude) {
    let nextIsBaseAffected = true;
    for (let i = flat.length - 1; i >= 0; i--) {
      const tax = (flat[i] as FlatTax).tax;
      const factor = repartitionFactor(tax, isRefund);
      if (tax.include_base_amount && nextIsBaseAffected) {
        base = recomputeBase(base, included);
        storeIncludedTaxTotal = true;
      }
      if (tax.price_include) {
        if (tax.amount_type === 'percent') {
          included.percentTaxes.push({ index: i, amount: tax.amount, repartition: factor });
        } else if (tax.amount_type === 'division') {
          included.divisionTaxes.push({ index: i, factor: tax.amount * factor });
        } else if (tax.amount_type === 'fixed') {
          const amount = Math.abs(quantity) * tax.amount * factor * Math.abs(fixedMultiplicator);
          // The server overwrites (a second included fixed tax replaces the first), the POS adds.
          included.fixedAmount = server ? amount : included.fixedAmount + amount;
        } else {
          throw new UnsupportedTaxError(tax);
        }
        // The server skips zero-rate taxes here so that a 0% tax never absorbs rounding.
        const storesCheckpoint = !server || tax.amount !== 0;
        if (storeIncludedTaxTotal && storesCheckpoint) {
          totalIncludedCheckpoints.set(i, base);
          storeIncludedTaxTotal = false;
        }
      }
      nextIsBaseAffected = tax.is_base_affected;
    }
  }

  const totalExcluded = round(recomputeBase(base, included), currencyRounding);

  // 4) Walk the taxes forwards to compute each amount on its base.
  base = totalExcluded;
  let totalIncluded = totalExcluded;
  let totalVoid = totalExcluded;
  let skipCheckpoint = false;
  let cumulatedTaxIncludedAmount = 0;
  const results: TaxResult[] = [];

  flat.forEach(({ tax, groupId }, i) => {
    const factor = repartitionFactor(tax, isRefund);
    let taxBaseAmount: number;
    if (tax.price_include && cachedBaseAmounts.has(i)) taxBaseAmount = cachedBaseAmounts.get(i) as number;
    else if (tax.price_include || tax.is_base_affected) taxBaseAmount = base;
    else taxBaseAmount = totalExcluded;

    let taxAmount: number;
    const checkpoint = totalIncludedCheckpoints.get(i);
    if (tax.price_include && cachedTaxAmounts.has(i)) {
      taxAmount = cachedTaxAmounts.get(i) as number;
    } else if (!skipCheckpoint && tax.price_include && checkpoint !== undefined && (!server || factor !== 0)) {
      // The last included tax takes whatever makes the included total exact.
      taxAmount = checkpoint - (base + cumulatedTaxIncludedAmount);
      cumulatedTaxIncludedAmount = 0;
    } else {
      taxAmount = computeTaxAmount(tax, taxBaseAmount, quantity, false, fixedMultiplicator);
    }

    taxAmount = round(taxAmount, prec);
    const factorizedTaxAmount = round(taxAmount * factor, prec);
    if (tax.price_include && checkpoint === undefined) cumulatedTaxIncludedAmount += factorizedTaxAmount;

    const common = { id: tax.id, name: tax.name ?? '', price_include: tax.price_include, groupId };
    const lines = server ? repartitionLines(tax, isRefund) : null;
    if (lines) {
      const signedBase = round(sign * taxBaseAmount, prec);
      for (const { index, amount, hasAccount } of spreadOnRepartitionLines(taxAmount, factorizedTaxAmount, lines, prec, currencyRounding, round)) {
        results.push({ ...common, amount: sign * amount, base: signedBase, repartitionLineIndex: index });
        if (!hasAccount) totalVoid += amount;
      }
    } else {
      results.push({
        ...common,
        amount: sign * factorizedTaxAmount,
        base: server ? round(sign * taxBaseAmount, prec) : sign * round(taxBaseAmount, prec),
        repartitionLineIndex: null,
      });
    }

    if (tax.include_base_amount) {
      base += factorizedTaxAmount;
      // Mixing an excluded include_base_amount tax with included ones moves the base: the
      // included total is no longer a valid target.
      if (!tax.price_include) skipCheckpoint = true;
    }
    totalIncluded += factorizedTaxAmount;
  });

  return {
    taxes: results,
    total_excluded: sign * (server ? totalExcluded : round(totalExcluded, currencyRounding)),
    total_included: sign * round(totalIncluded, currencyRounding),
    total_void: sign * totalVoid,
  };
}

/**
 * Server: each repartition line gets factor × amount, and the rounding difference with the
 * factorised amount is spread one currency unit at a time over the first lines.
 */
function spreadOnRepartitionLines(
  taxAmount: number,
  factorizedTaxAmount: number,
  lines: readonly TaxRepartitionLine[],
  prec: number,
  currencyRounding: number,
  round: (value: number, rounding: number) => number,
): { index: number; amount: number; hasAccount: boolean }[] {
  const amounts = lines.map((line) => round(taxAmount * line.factor, prec));
  const totalRoundingError = round(factorizedTaxAmount - amounts.reduce((sum, amount) => sum + amount, 0), prec);
  let steps = Math.trunc(Math.abs(totalRoundingError / currencyRounding));
  const roundingError = round(steps ? totalRoundingError / steps : 0, prec);
  return lines.map((line, index) => {
    let amount = amounts[index] as number;
    if (steps) {
      amount += roundingError;
      steps -= 1;
    }
    return { index, amount, hasAccount: line.hasAccount ?? true };
  });
}
