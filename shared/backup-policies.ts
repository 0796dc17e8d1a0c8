import { z } from 'zod';

/** A tenant's backup schedule and retention, kept in its host's `fleet` database. */
export const BackupPolicyInput = z
  .object({
    hostId: z.string().uuid(),
    name: z.string().min(1).max(63),
    /** Hours between backups (1 hour to 31 days). */
    everyHours: z.number().int().min(1).max(744),
    /** Random delay added to each run, so many tenants do not all start at once. */
    jitterMinutes: z.number().int().min(0).max(240).default(10),
    keepDaily: z.number().int().min(0).max(366).default(7),
    keepWeekly: z.number().int().min(0).max(520).default(4),
    keepMonthly: z.number().int().min(0).max(240).default(12),
  })
  .strict();
export type BackupPolicyInput = z.input<typeof BackupPolicyInput>;

export const BackupPolicyView = z.object({
  tenant: z.string(),
  everyHours: z.number(),
  jitterMinutes: z.number(),
  keepDaily: z.number(),
  keepWeekly: z.number(),
  keepMonthly: z.number(),
  nextRunAt: z.string(),
  lastRunAt: z.string().nullable(),
  lastOutcome: z.string().nullable(),
  /** Which console holds the run now, until when. */
  lease: z.object({ holder: z.string(), until: z.string() }).nullable(),
  /** When the newest complete backup was taken, if any. */
  newestBackupAt: z.string().nullable(),
  /** The newest complete backup is older than the schedule allows (or there is none). */
  overdue: z.boolean(),
});
export type BackupPolicyView = z.infer<typeof BackupPolicyView>;
