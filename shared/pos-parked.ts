import { z } from 'zod';

/**
 * A cash move or a customer made at the till that Odoo refused: parked, not sent again until a
 * person has fixed the cause (`pos.requeue` with its `uid`: the move's uid, the customer's ref).
 */
export const ParkedRecordView = z.object({
  kind: z.enum(['cashMove', 'customer']),
  uid: z.string(),
  /** "Cash out: Window cleaner [e5df9b77]", or the customer's name. */
  label: z.string(),
  /** The cash move's amount, signed (out is negative); null for a customer. */
  amount: z.number().nullable(),
  lastError: z.string().nullable(),
});
export type ParkedRecordView = z.infer<typeof ParkedRecordView>;
