import { z } from 'zod';
import { DestinationSpec } from './backups.js';

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
    /** Where the archives go; this console's own folder by default. */
    destinations: z.array(DestinationSpec).min(1).max(5).default([{ kind: 'local' }]),
    /** The name of the user's backup key that encrypts them (none: not encrypted). */
    key: z.string().min(1).max(63).nullable().default(null),
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
  destinations: z.array(DestinationSpec),
  keyId: z.string().nullable(),
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
