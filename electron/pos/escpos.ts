import net from 'node:net';
import { FleetError } from '../../shared/errors.js';

// Receipts for ESC/POS printers on the shop's network (raw TCP, usually port 9100): the text laid
// out for the paper's width in characters, then a cut. Only the common subset of ESC/POS every
// receipt printer understands: initialize, bold, alignment, feed, partial cut.

const ESC = 0x1b;
const GS = 0x1d;

export interface Receipt {
  header: string[];
  orderName: string;
  date: string;
  cashier: string | null;
  customer: string | null;
  lines: Array<{ name: string; qty: number; amount: number }>;
  total: number;
  tax: number;
  payments: Array<{ name: string; amount: number }>;
  change: number;
  footer: string[];
}

/** The receipt as printer bytes, `width` characters per line (42 on 80 mm paper, 32 on 58 mm). */
export function escposReceipt(receipt: Receipt, width = 42): Buffer {
  const out: Buffer[] = [];
  const raw = (...bytes: number[]) => out.push(Buffer.from(bytes));
  // Printers take single-byte text: anything outside printable ASCII becomes '?'.
  const text = (line: string) => out.push(Buffer.from(`${line.replace(/[^\x20-\x7e]/g, '?')}\n`, 'latin1'));
  const money = (n: number) => n.toFixed(2);
  const spread = (left: string, right: string) => {
    const room = width - right.length - 1;
    return `${left.length > room ? left.slice(0, room) : left.padEnd(room)} ${right}`;
  };
  raw(ESC, 0x40); // initialize
  raw(ESC, 0x61, 1); // center
  raw(ESC, 0x45, 1);
  for (const line of receipt.header) text(line.slice(0, width));
  raw(ESC, 0x45, 0);
  text(receipt.orderName);
  text(receipt.date);
  raw(ESC, 0x61, 0); // left
  if (receipt.cashier) text(`Served by ${receipt.cashier}`.slice(0, width));
  if (receipt.customer) text(`Customer: ${receipt.customer}`.slice(0, width));
  text('-'.repeat(width));
  for (const line of receipt.lines) {
    text(spread(line.name, money(line.amount)));
    if (line.qty !== 1) text(`  ${line.qty} x ${money(line.amount / line.qty)}`);
  }
  text('-'.repeat(width));
  raw(ESC, 0x45, 1);
  text(spread('TOTAL', money(receipt.total)));
  raw(ESC, 0x45, 0);
  if (receipt.tax) text(spread('  incl. taxes', money(receipt.tax)));
  for (const p of receipt.payments) text(spread(p.name, money(p.amount)));
  if (receipt.change) text(spread('CHANGE', money(receipt.change)));
  raw(ESC, 0x61, 1);
  for (const line of receipt.footer) text(line.slice(0, width));
  raw(ESC, 0x64, 4); // feed 4 lines
  raw(GS, 0x56, 1); // partial cut
  return Buffer.concat(out);
}

/** Lines laid out already (each within the paper's width, printable ASCII) as printer bytes: a report rather than a receipt. */
export function escposLines(lines: readonly string[]): Buffer {
  const out: Buffer[] = [Buffer.from([ESC, 0x40])];
  for (const line of lines) out.push(Buffer.from(`${line.replace(/[^\x20-\x7e]/g, '?')}\n`, 'latin1'));
  out.push(Buffer.from([ESC, 0x64, 4, GS, 0x56, 1])); // feed 4 lines, partial cut
  return Buffer.concat(out);
}

/** host:port as people write it, IPv6 addresses in brackets. */
export function printerAddress({ host, port }: { host: string; port: number }): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Sends bytes to a network printer; a printer that does not take them within `timeoutMs` is an error. */
export function sendToPrinter(printer: { host: string; port: number }, bytes: Buffer, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: printer.host, port: printer.port });
    const fail = (why: string) => {
      socket.destroy();
      reject(new FleetError('HOST_UNREACHABLE', `The receipt printer at ${printerAddress(printer)} ${why}.`));
    };
    socket.setTimeout(timeoutMs, () => fail(`did not take the receipt within ${timeoutMs} ms`));
    socket.once('error', (error: NodeJS.ErrnoException) => fail(`cannot be reached (${error.code ?? error.message})`));
    socket.once('connect', () => socket.end(bytes));
    socket.once('close', (hadError) => {
      if (!hadError) resolve();
    });
  });
}
