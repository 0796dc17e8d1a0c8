import type { CurrencyFormat } from './catalog.js';

/** An amount in the POS currency, e.g. "$ 12.50" or "12,50 €" (decimal point as the locale writes it). */
export function money(amount: number, currency: CurrencyFormat): string {
  const negative = amount < 0 && Math.abs(amount) >= 0.5 * 10 ** -currency.decimalPlaces;
  const fixed = Math.abs(amount).toLocaleString(undefined, { minimumFractionDigits: currency.decimalPlaces, maximumFractionDigits: currency.decimalPlaces });
  const sign = negative ? '−' : '';
  return currency.position === 'after' ? `${sign}${fixed} ${currency.symbol}` : `${sign}${currency.symbol} ${fixed}`;
}

/** A quantity without float noise (up to 3 decimals). */
export function quantity(qty: number): string {
  return String(Math.round(qty * 1000) / 1000);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '—' : dateTime.format(d);
}

/** Today's times alone; older ones with their date. */
export function formatWhen(value: string | null | undefined, now = new Date()): string {
  if (!value) return 'never';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return '—';
  return d.toDateString() === now.toDateString() ? timeOnly.format(d) : dateTime.format(d);
}
