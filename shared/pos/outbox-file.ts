import type { Api } from '../api.js';
import { FleetError } from '../errors.js';
import type { OutboxFile, OutboxPage } from '../pos.js';
import { formatBytes, jsonBytes, OUTBOX_CHUNK_MAX_BYTES, OUTBOX_CHUNK_MAX_ORDERS, OUTBOX_FILE_MAX_BYTES } from './bounds.js';

// Waiting orders moved to another terminal by file, in pieces no WebSocket message refuses: the
// selling UI and the CLI export page by page and join the pages into one file (the format files
// always had), and import a file piece by piece. No zod here: the selling UI bundles this.

type Caller = Pick<Api, 'call'>;
type FileOrder = OutboxFile['orders'][number];
type FileCustomer = NonNullable<OutboxFile['customers']>[number];

/** Every page of pos.exportOrders, joined into one file; `onPage` hears how many orders so far. */
export async function exportInPages(api: Caller, onPage?: (orders: number) => void): Promise<OutboxFile> {
  const first = await api.call('pos.exportOrders', {});
  const file: OutboxFile = { format: first.format, exportedAt: first.exportedAt, orders: [], customers: [] };
  // A customer whose orders span pages comes with each of those pages: the file keeps it once.
  const refs = new Set<string>();
  for (let page: OutboxPage | null = first; page; page = page.next ? await api.call('pos.exportOrders', { after: page.next }) : null) {
    file.orders.push(...page.orders);
    file.customers!.push(...(page.customers ?? []).filter((c) => !refs.has(c.ref)));
    for (const customer of page.customers ?? []) refs.add(customer.ref);
    onPage?.(file.orders.length);
  }
  return file;
}

/** The file as written (indented, as exports always were), refused past OUTBOX_FILE_MAX_BYTES: no import could read it. */
export function outboxFileText(file: OutboxFile): string {
  const text = JSON.stringify(file, null, 2);
  assertOutboxFileSize(new TextEncoder().encode(text).length, 'The export');
  return text;
}

/** A file of orders is read whole: one over OUTBOX_FILE_MAX_BYTES is refused before reading. */
export function assertOutboxFileSize(bytes: number, what: string): void {
  if (bytes > OUTBOX_FILE_MAX_BYTES) throw new FleetError('VALIDATION', `${what} is ${formatBytes(bytes)}; a file of orders may be at most ${formatBytes(OUTBOX_FILE_MAX_BYTES)}.`);
}

/**
 * The file in the pieces pos.importOrders takes: at most OUTBOX_CHUNK_MAX_ORDERS orders and
 * OUTBOX_CHUNK_MAX_BYTES each, in the file's order, each carrying the customers its orders wait
 * for (an import links an order to its customer within the piece; a customer sent again is known
 * by its reference). Customers no order waits for are left out: nothing here would use them.
 */
export function splitOutboxFile(file: OutboxFile): OutboxFile[] {
  const customers = new Map((file.customers ?? []).map((c) => [c.localId, c]));
  const pieces: OutboxFile[] = [];
  const empty = (): OutboxFile => ({ format: file.format, exportedAt: file.exportedAt, orders: [], customers: [] });
  const emptyBytes = jsonBytes(empty());
  let piece = empty();
  let bytes = emptyBytes;
  for (const order of file.orders) {
    const customer = customerOf(order, customers);
    let added = orderBytes(order, customer, piece);
    if (piece.orders.length === OUTBOX_CHUNK_MAX_ORDERS || (piece.orders.length > 0 && bytes + added > OUTBOX_CHUNK_MAX_BYTES)) {
      pieces.push(piece);
      piece = empty();
      bytes = emptyBytes;
      added = orderBytes(order, customer, piece);
    }
    if (bytes + added > OUTBOX_CHUNK_MAX_BYTES) throw new FleetError('VALIDATION', `${order.name} is too large to import (${formatBytes(bytes + added)}; a piece holds at most ${formatBytes(OUTBOX_CHUNK_MAX_BYTES)}); nothing was imported.`);
    piece.orders.push(order);
    if (customer && !piece.customers!.includes(customer)) piece.customers!.push(customer);
    bytes += added;
  }
  if (piece.orders.length > 0) pieces.push(piece);
  return pieces;
}

function customerOf(order: FileOrder, customers: ReadonlyMap<number, FileCustomer>): FileCustomer | null {
  if (!order.partnerLocalId) return null;
  const customer = customers.get(order.partnerLocalId);
  if (!customer) throw new FleetError('VALIDATION', `${order.name} waits for a customer the file does not carry; nothing was imported.`);
  return customer;
}

/** What an order adds to a piece's JSON: itself, a comma, and its customer if the piece lacks it. */
function orderBytes(order: FileOrder, customer: FileCustomer | null, piece: OutboxFile): number {
  return jsonBytes(order) + 1 + (customer && !piece.customers!.includes(customer) ? jsonBytes(customer) + 1 : 0);
}

/** Sends the file piece after piece; `onPiece` hears how many orders were sent. A piece sent twice adds nothing, so a failed import can be run again. */
export async function importInPieces(api: Caller, file: OutboxFile, onPiece?: (sent: number, total: number) => void): Promise<{ imported: number; known: number }> {
  const total = { imported: 0, known: 0 };
  let sent = 0;
  for (const piece of splitOutboxFile(file)) {
    try {
      const result = await api.call('pos.importOrders', { file: piece });
      total.imported += result.imported;
      total.known += result.known;
    } catch (error) {
      if (sent === 0 || !(error instanceof FleetError)) throw error;
      throw new FleetError(error.code, `${error.message} (${sent} of ${file.orders.length} orders were imported before; importing the file again adds only the others)`, error.details);
    }
    sent += piece.orders.length;
    onPiece?.(sent, file.orders.length);
  }
  return total;
}
