// The bounds of the POS operations whose inputs can be large: a sale, and moving waiting orders
// between terminals by file. The contract's schemas (shared/pos.ts re-exports these), the selling
// UI and the CLI all use them. No zod here, so the selling UI imports them without bundling it.
//
// Why these numbers: a WebSocket message holds at most 1 MiB (the web servers' limit). With every
// field at its longest (names and lots of 3-byte characters or of quotes, numbers of 24
// characters, ids of 10 digits, every attribute value, custom text and combo link a sale may
// carry), the largest valid sale is a message of 624 KB (60 % of one), its stored payload 517,079
// characters, and that order 735 KB once written into an exported file: one order always fits in
// a piece of 768 KiB. tests/unit/pos-bounds.test.ts builds that sale
// and measures it; change a bound or a payload's shape and it says whether they still agree.

/** Odoo's ids are PostgreSQL integers. */
export const ODOO_ID_MAX = 2_147_483_647;

/** Lines in one sale. */
export const SALE_MAX_LINES = 500;
/** Taxes on one line. */
export const SALE_LINE_MAX_TAXES = 10;
/** A line's product name as the order keeps it (longer names are shortened by the selling UI). */
export const SALE_LINE_NAME_MAX_CHARS = 100;
/** Lot and serial numbers in one sale, all lines together (a serial number per unit). */
export const SALE_MAX_LOTS = 1000;
/** One lot or serial number (GS1 allows 20). */
export const LOT_NAME_MAX_CHARS = 40;
/** Attribute values chosen on one line (Odoo's configurator: one per attribute line, any number on a multi one). */
export const SALE_LINE_MAX_ATTRIBUTE_VALUES = 30;
/** Attribute values chosen in one sale, all lines together. */
export const SALE_MAX_ATTRIBUTE_VALUES = 500;
/** Custom texts typed for custom attribute values, all lines of a sale together. */
export const SALE_MAX_CUSTOM_VALUES = 20;
/** One custom attribute text ("Other: …"). */
export const CUSTOM_VALUE_MAX_CHARS = 60;
/** Payment lines in one sale. */
export const SALE_MAX_PAYMENTS = 50;

/** The longest payload a valid sale gives (Odoo 17's shape, every name of quotes); an order's payload is never longer. */
export const ORDER_PAYLOAD_MAX_CHARS = 520_000;

/** Orders in one piece of an export or an import. */
export const OUTBOX_CHUNK_MAX_ORDERS = 200;
/** Bytes of one piece (its JSON): three quarters of a WebSocket message, and room for the largest order. */
export const OUTBOX_CHUNK_MAX_BYTES = 768 * 1024;
/** Orders in one exported file. */
export const OUTBOX_FILE_MAX_ORDERS = 100_000;
/** Customers made offline in one exported file. */
export const OUTBOX_FILE_MAX_CUSTOMERS = 10_000;
/** Bytes of one exported file: what the selling UI and the CLI read and write at once. */
export const OUTBOX_FILE_MAX_BYTES = 128 * 1024 * 1024;

/** Open carts a terminal keeps (orders being rung up at once). */
export const OPEN_CARTS_MAX = 20;
/**
 * One open cart as the terminal keeps it (the selling UI's own JSON, products by id): a cart of
 * the largest sale fits (500 lines with 1,000 lots of 40 characters: about 200 KB), and all the
 * carts together stay a few MiB in one answer.
 */
export const OPEN_CART_MAX_BYTES = 256 * 1024;

/** Text without control characters or unpaired surrogates (which JSON would write as 6-byte escapes). */
export const PLAIN_TEXT = /^[^\p{Cc}\p{Cs}]*$/u;

/** A product's name as a sale line keeps it: plain text, shortened with an ellipsis past SALE_LINE_NAME_MAX_CHARS. */
export function saleLineName(name: string): string {
  const plain = name.replace(/\p{Cc}+/gu, ' ').replace(/\p{Cs}/gu, '\uFFFD');
  if (plain.length <= SALE_LINE_NAME_MAX_CHARS) return plain;
  const cut = plain.slice(0, SALE_LINE_NAME_MAX_CHARS - 1);
  // Never half of a character written as a surrogate pair.
  return `${/\p{Cs}$/u.test(cut) ? cut.slice(0, -1) : cut}…`;
}

/** The size of a value as JSON text in UTF-8, as a WebSocket message carries it. */
export function jsonBytes(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).length;
}

/** A byte count in KiB or MiB for messages, rounded up: a size past a bound never reads as the bound. */
export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.ceil((bytes / (1024 * 1024)) * 10) / 10} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}
