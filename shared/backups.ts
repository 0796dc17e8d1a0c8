import { z } from 'zod';

/** One archive in a host's backup catalog (kept in the host's `fleet` database). */
export const BackupEntry = z.object({
  id: z.string(),
  tenant: z.string(),
  database: z.string(),
  kind: z.enum(['backup', 'final']),
  state: z.enum(['running', 'succeeded', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  bytes: z.number().nullable(),
  sha256: z.string().nullable(),
  odooVersion: z.string().nullable(),
  pgVersion: z.string().nullable(),
  encrypted: z.boolean(),
  /** Where copies are: `{ kind: 'local', path }` for now (host directories and SFTP come next). */
  destinations: z.array(z.object({ kind: z.string(), path: z.string() })),
  /** Exact `count(*)` per `schema.table`, from the dump's own snapshot. */
  rowCounts: z.record(z.string(), z.number()).nullable(),
  filestore: z.object({ files: z.number(), bytes: z.number(), sha256: z.string() }).nullable(),
  /** The latest verification verdict. */
  verification: z.object({ at: z.string(), ok: z.boolean(), method: z.string(), detail: z.string() }).nullable(),
  consoleId: z.string(),
  error: z.string().nullable(),
});
export type BackupEntry = z.infer<typeof BackupEntry>;
