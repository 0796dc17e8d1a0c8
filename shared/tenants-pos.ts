import { z } from 'zod';

// What the console shows of a tenant's point of sale: the sessions open on its tills before a
// restore, an update or a decommission, and after a restore the orders it lost, which Fleet POS
// terminals send again (docs/pos.md, "After a restore").

export const PosActivity = z.object({
  /** Whether the tenant has Odoo's point of sale at all. */
  installed: z.boolean(),
  openSessions: z.array(
    z.object({ name: z.string(), config: z.string().nullable(), state: z.string(), openedAt: z.string().nullable(), orders: z.number(), lastOrderAt: z.string().nullable() }),
  ),
  lastOrderAt: z.string().nullable(),
});
export type PosActivity = z.infer<typeof PosActivity>;

/** The POS orders and sessions the database had beyond the backup's newest: lost by the restore. */
export const PosOrdersAfterBackup = z.object({
  /** The backup's newest order (UTC), null when it held none. */
  since: z.string().nullable(),
  count: z.number(),
  /** The first of them (at most 200): the terminal's reference, Odoo's name, the session. */
  orders: z.array(z.object({ reference: z.string().nullable(), name: z.string(), session: z.string().nullable(), createdAt: z.string().nullable() })),
  lostSessions: z.array(z.string()),
  /** Odoo's order names the restore's sequences will give out again (Shop/0049 twice). */
  reissuedNames: z.array(z.string()),
});
export type PosOrdersAfterBackup = z.infer<typeof PosOrdersAfterBackup>;
