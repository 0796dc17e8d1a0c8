import type Database from 'better-sqlite3';
import { FleetError } from '../../shared/errors.js';
import type { ReceiptPrinter } from '../../shared/receipt-printer.js';

/** The terminal's ESC/POS network printer (one, or none), kept in its store. */
export class ReceiptPrinterSetting {
  constructor(private readonly db: Database.Database) {}

  get(): ReceiptPrinter | null {
    const row = this.db.prepare('SELECT host, port, width FROM receipt_printer WHERE id = 1').get() as { host: string; port: number; width: ReceiptPrinter['width'] } | undefined;
    return row ? { host: row.host, port: row.port, width: row.width } : null;
  }

  /** Sets the printer, or removes it (null): receipts then print with the browser only. */
  set(printer: ReceiptPrinter | null): ReceiptPrinter | null {
    if (printer === null) this.db.prepare('DELETE FROM receipt_printer').run();
    else {
      this.db
        .prepare('INSERT INTO receipt_printer (id, host, port, width, set_at) VALUES (1, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET host = excluded.host, port = excluded.port, width = excluded.width, set_at = excluded.set_at')
        .run(printer.host, printer.port, printer.width, new Date().toISOString());
    }
    return this.get();
  }

  /** The printer to print on, or an error saying how to set one. */
  require(): ReceiptPrinter {
    const printer = this.get();
    if (!printer) throw new FleetError('NOT_FOUND', 'No receipt printer is set on this terminal: an admin sets it on the Session page (or odoo-fleet pos printer --host …).');
    return printer;
  }
}
