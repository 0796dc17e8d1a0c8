import { describe, expect, it } from 'vitest';
import { archiveProgress } from '../../electron/backup/archive-steps.js';

describe('archive progress', () => {
  it('reports bytes, rate and time left against the tenant’s size', () => {
    let now = 1_000_000;
    const progress = archiveProgress(100 * 2 ** 20, () => now);
    now += 10_000; // 10 s later, 20 MiB of 100 read
    const at = progress('dump', 5 * 2 ** 20, 20 * 2 ** 20);
    expect(at.fraction).toBeCloseTo(0.2);
    expect(at.message).toBe('dump: 20.0 of ~100.0 MiB read, 5.0 MiB written, 2.0 MiB/s, ~40 s left');
    expect(at.bytes).toEqual({ done: 20 * 2 ** 20, total: 100 * 2 ** 20 });
    // Reading past the estimate (a dump larger than its on-disk size) never claims to be done.
    expect(progress('filestore', 50 * 2 ** 20, 120 * 2 ** 20).fraction).toBe(0.99);
  });

  it('falls back to phases when the size is unknown', () => {
    const progress = archiveProgress(null, () => 0);
    expect(progress('filestore', 0, 0)).toEqual({ fraction: 0.7, message: 'filestore: 0.0 MiB read, 0.0 MiB written, 0.0 MiB/s', bytes: { done: 0, total: null } });
  });
});
