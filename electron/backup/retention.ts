import type { BackupEntry } from '../../shared/backups.js';

/** Keep N daily / weekly / monthly backups (grandfather-father-son). */
export interface RetentionPolicy {
  keepDaily: number;
  keepWeekly: number;
  keepMonthly: number;
}

/**
 * Which complete backups a policy keeps: the newest of each of the last `keepDaily` days,
 * `keepWeekly` ISO weeks and `keepMonthly` months that have one (UTC), plus — whatever the
 * policy — the newest backup and the newest one a restore drill verified. Failed and running entries are
 * neither kept nor pruned here.
 */
export function backupsToKeep(entries: readonly BackupEntry[], policy: RetentionPolicy): Set<string> {
  const complete = entries.filter((e) => e.kind === 'backup' && e.state === 'succeeded').sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const keep = new Set<string>();
  if (complete[0]) keep.add(complete[0].id);
  // Verified = passed a restore drill (not only the archive's own checksum pass).
  const newestVerified = complete.find((e) => e.verification?.ok === true && e.verification.method === 'restore');
  if (newestVerified) keep.add(newestVerified.id);
  const bucket = (count: number, key: (at: Date) => string) => {
    const seen = new Set<string>();
    for (const entry of complete) {
      if (seen.size >= count) break;
      const k = key(new Date(entry.startedAt));
      if (seen.has(k)) continue;
      seen.add(k);
      keep.add(entry.id);
    }
  };
  bucket(policy.keepDaily, (at) => at.toISOString().slice(0, 10));
  bucket(policy.keepWeekly, isoWeek);
  bucket(policy.keepMonthly, (at) => at.toISOString().slice(0, 7));
  return keep;
}

/** ISO 8601 week, e.g. 2026-W47 (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(at: Date): string {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
