// The shop's ESC/POS receipt printer (optional), as this browser remembers it: printing itself is
// the terminal service's (pos.printReceipt), the browser's print dialog works without one.

export interface PrinterSettings {
  host: string;
  port: number;
  /** Characters per line: 42 on 80 mm paper, 32 on 58 mm. */
  width: number;
}

const KEY = 'fleet-pos.printer.v1';

export function loadPrinter(storage: Storage = localStorage): PrinterSettings | null {
  try {
    const saved = JSON.parse(storage.getItem(KEY) ?? 'null') as PrinterSettings | null;
    return saved && typeof saved.host === 'string' && saved.host ? saved : null;
  } catch {
    return null;
  }
}

export function savePrinter(settings: PrinterSettings | null, storage: Storage = localStorage): void {
  if (settings) storage.setItem(KEY, JSON.stringify(settings));
  else storage.removeItem(KEY);
}
