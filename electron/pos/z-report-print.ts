import type { ZReportView } from '../../shared/pos-cash.js';
import { escposLines } from './escpos.js';

// The end-of-day (Z) report laid out for a receipt printer: `width` characters a line (32 on
// 58 mm paper, 42 or 48 on 80 mm), every amount right-aligned on the last column, long names and
// notes cut or wrapped so no line is longer than the paper.

/** Printable ASCII only (a printer takes single bytes): any other character becomes '?'. */
function ascii(text: string): string {
  return [...text].map((c) => (/^[\x20-\x7e]$/.test(c) ? c : '?')).join('');
}

/** Odoo's "YYYY-MM-DD HH:MM:SS" or an ISO time, as "YYYY-MM-DD HH:MM UTC". */
function when(at: string | null): string {
  return at ? `${at.replace('T', ' ').slice(0, 16)} UTC` : '-';
}

/** The Z report as lines of at most `width` characters. */
export function zReportLines(report: ZReportView, width: number): string[] {
  const decimals = Math.min(Math.max(report.currency.decimals, 0), 6);
  const money = (n: number) => n.toFixed(decimals);
  const signed = (n: number) => (n > 0 ? `+${money(n)}` : money(n));
  const spread = (left: string, right: string) => {
    const room = Math.max(width - right.length - 1, 0);
    const label = ascii(left);
    return `${label.length > room ? label.slice(0, room) : label.padEnd(room)} ${right}`.slice(-width);
  };
  const wrap = (text: string) => {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(/\s+/).filter(Boolean).map(ascii)) {
      for (let rest = word; rest; rest = rest.slice(width)) {
        const part = rest.slice(0, width);
        if (line && line.length + 1 + part.length > width) {
          lines.push(line);
          line = '';
        }
        line = line ? `${line} ${part}` : part;
      }
    }
    if (line) lines.push(line);
    return lines;
  };
  const centre = (text: string) => {
    const t = ascii(text).slice(0, width);
    return `${' '.repeat(Math.floor((width - t.length) / 2))}${t}`;
  };
  const rule = (title: string) => centre(` ${title} `.padStart(Math.floor((width + title.length + 2) / 2), '-').padEnd(width, '-'));
  const out = [centre('Z REPORT'), ...(report.configName ? [centre(report.configName)] : []), spread('Session', report.sessionName.slice(0, width - 9)), spread('Opened', when(report.openedAt)), spread('Closed', when(report.closedAt))];
  if (report.cashiers.length) out.push(...wrap(`Cashiers: ${report.cashiers.join(', ')}`));
  out.push('-'.repeat(width), spread('Orders', String(report.orders)), spread('Total', money(report.total)));
  out.push(rule('Payments'));
  for (const m of report.byPaymentMethod) {
    out.push(spread(`${m.name} (${m.count})`, money(m.amount)));
    if (m.counted !== null) out.push(spread('  Expected', money(m.expected)), spread('  Counted', money(m.counted)), spread('  Difference', signed(m.difference ?? 0)));
  }
  out.push(rule('Taxes'));
  for (const t of report.byTax) out.push(spread(t.name, ''), spread('  Base', money(t.base)), spread('  Tax', money(t.amount)));
  out.push('-'.repeat(width), spread(`Refunds (${report.refunds.count})`, money(report.refunds.total)), spread(`Discounts (${report.discounts.count})`, money(report.discounts.total)));
  out.push(rule('Cash'));
  if (report.opening.expected !== null) out.push(spread('Opening expected', money(report.opening.expected)));
  out.push(spread('Opening counted', money(report.opening.counted)), spread('Opening difference', signed(report.opening.difference)));
  if (report.opening.notes) out.push(...wrap(`Opening note: ${report.opening.notes}`));
  for (const move of report.cashMoves) out.push(spread(`Cash ${move.type} ${move.reason}`, signed(move.type === 'in' ? move.amount : -move.amount)));
  if (report.closing.notes) out.push(...wrap(`Closing note: ${report.closing.notes}`));
  out.push(ascii(report.closing.source === 'odoo' ? 'Expected: Odoo, whole session' : 'Expected: this terminal only').slice(0, width));
  return out.map((line) => line.trimEnd());
}

/** The Z report as printer bytes. */
export function escposZReport(report: ZReportView, width: number): Buffer {
  return escposLines(zReportLines(report, width));
}
