import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { backupsToKeep, isoWeek } from '../../electron/backup/retention.js';
import type { BackupEntry } from '../../shared/backups.js';

function backup(id: string, startedAt: string, extra: Partial<BackupEntry> = {}): BackupEntry {
  return {
    id, tenant: 'acme', database: 'acme', kind: 'backup', state: 'succeeded', startedAt, finishedAt: startedAt, durationMs: 1, bytes: 1, sha256: 'x',
    odooVersion: '17.0', pgVersion: '15.0', encrypted: false, keyId: null, destinations: [], rowCounts: {}, filestore: null, verification: null, consoleId: 'c', error: null, ...extra,
  };
}

describe('retention', () => {
  it('numbers ISO weeks as Python does', () => {
    const days = Array.from({ length: 800 }, (_, i) => new Date(Date.UTC(2020, 11, 1) + i * 86_400_000).toISOString().slice(0, 10));
    const python = execFileSync('/usr/bin/python3', ['-c', 'import sys,datetime\nfor d in sys.argv[1:]:\n  y,w,_=datetime.date.fromisoformat(d).isocalendar(); print("%d-W%02d" % (y,w))', ...days]).toString().trim().split('\n');
    expect(days.map((d) => isoWeek(new Date(`${d}T12:00:00Z`)))).toEqual(python);
  });

  it('keeps the newest per day, ISO week and month, plus the newest and the newest verified', () => {
    const entries = [
      backup('A', '2026-11-21T10:00:00Z'),
      backup('B', '2026-11-21T02:00:00Z'),
      backup('C', '2026-11-20T02:00:00Z'),
      backup('D', '2026-11-16T02:00:00Z'), // Monday of the same ISO week as A
      backup('E', '2026-11-15T02:00:00Z'), // Sunday: the week before
      backup('F', '2026-11-01T02:00:00Z'),
      backup('G', '2026-10-31T02:00:00Z'),
      backup('H', '2026-09-30T02:00:00Z', { verification: { at: '2026-09-30T03:00:00Z', ok: true, method: 'restore', detail: '' } }),
      backup('I', '2026-08-01T02:00:00Z'),
      backup('J', '2026-11-21T11:00:00Z', { state: 'failed' }),
      backup('K', '2026-11-19T02:00:00Z', { kind: 'final' }),
    ];
    // daily 2 → A (21st), C (20th); weekly 2 → A (W47), E (W46); monthly 2 → A (Nov), G (Oct);
    // the newest verified → H. Failed and final entries are not the policy's to keep or prune.
    expect([...backupsToKeep(entries, { keepDaily: 2, keepWeekly: 2, keepMonthly: 2 })].sort()).toEqual(['A', 'C', 'E', 'G', 'H']);
    expect([...backupsToKeep(entries, { keepDaily: 0, keepWeekly: 0, keepMonthly: 0 })].sort()).toEqual(['A', 'H']);
    expect(backupsToKeep([], { keepDaily: 7, keepWeekly: 4, keepMonthly: 12 }).size).toBe(0);
  });
});
