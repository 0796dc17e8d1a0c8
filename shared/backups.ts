import { z } from 'zod';

/**
 * Where a user sends archives: this console's own folder, a folder on the tenant's host, or a
 * folder on another SSH host this console knows (an SFTP target; SFTP alone suffices).
 */
export const DestinationSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local') }).strict(),
  z.object({ kind: z.literal('host'), folder: z.string().min(1).max(1024) }).strict(),
  z.object({ kind: z.literal('sftp'), hostId: z.string().uuid(), folder: z.string().min(1).max(1024) }).strict(),
]);
export type DestinationSpec = z.infer<typeof DestinationSpec>;

/** A backup key as the UIs see it: never its material. */
export const BackupKeyView = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });
export type BackupKeyView = z.infer<typeof BackupKeyView>;

export const BackupKeyName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'letters, digits, ".", "_" and "-", up to 63');

/** One stored copy of an archive, as the catalog records it. */
export const ArchiveCopy = z.object({
  kind: z.enum(['local', 'host', 'sftp']),
  /** The SSH host keeping a `host` or `sftp` copy, by the id the writing console gave it… */
  hostId: z.string().optional(),
  /** …and by its SSH host key fingerprint: the one identity every console shares. */
  hostKey: z.string().optional(),
  path: z.string(),
});
export type ArchiveCopy = z.infer<typeof ArchiveCopy>;

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
  /** The copies written, all with the same bytes (`sha256`). */
  destinations: z.array(ArchiveCopy),
  /** The id of the user's key that encrypts the archive, when it is encrypted. */
  keyId: z.string().nullable(),
  /** Exact `count(*)` per `schema.table`, from the dump's own snapshot. */
  rowCounts: z.record(z.string(), z.number()).nullable(),
  filestore: z.object({ files: z.number(), bytes: z.number(), sha256: z.string() }).nullable(),
  /** The latest verification verdict. */
  verification: z.object({ at: z.string(), ok: z.boolean(), method: z.string(), detail: z.string() }).nullable(),
  consoleId: z.string(),
  error: z.string().nullable(),
});
export type BackupEntry = z.infer<typeof BackupEntry>;

/** The data a tenant's last restore replaced, kept for a one-step undo until its window ends. */
export const KeptCopyView = z.object({
  tenant: z.string(),
  database: z.string(),
  jobId: z.string(),
  restoredAt: z.string(),
  keptUntil: z.string(),
  databaseBytes: z.number().nullable(),
  filestoreBytes: z.number().nullable(),
});
export type KeptCopyView = z.infer<typeof KeptCopyView>;

/** What a finished restore found in the restored database (a job's `result.findings`). */
export const RestoreFindings = z.object({
  adminsOnDefaultPassword: z.array(z.string()),
  baseUrl: z.object({ stored: z.string().nullable(), servedAt: z.string().nullable(), stale: z.boolean() }).nullable(),
  keptUntil: z.string().nullable(),
});
export type RestoreFindings = z.infer<typeof RestoreFindings>;
