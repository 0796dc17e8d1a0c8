import { z } from 'zod';

// The terminal's ESC/POS receipt printer: part of its configuration, set by an admin, so the
// selling page can print only there and never aim the terminal at another address.

const ipv4 = z.ipv4();
const ipv6 = z.ipv6();
const hostname = z.hostname();

/** A host name or an IP address; digits and dots only must be a valid IPv4 address. */
export const PrinterHost = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .refine((v) => ipv4.safeParse(v).success || ipv6.safeParse(v).success || (hostname.safeParse(v).success && !/^[0-9.]+$/.test(v)), 'a host name or an IP address');

export const ReceiptPrinter = z
  .object({
    host: PrinterHost,
    port: z.number().int().min(1).max(65535).default(9100),
    /** Characters per line: 42 on 80 mm paper (48 in its small font), 32 on 58 mm. */
    width: z.union([z.literal(32), z.literal(42), z.literal(48)]).default(42),
  })
  .strict();
export type ReceiptPrinter = z.output<typeof ReceiptPrinter>;
