import { describe, expect, it } from 'vitest';
import { barPosition, createJobProgress, followJobEvents, formatElapsed, type JobEventPayload, type JobProgressEvent, type JobSnapshot } from '../../electron/cli/job-progress.js';

// The CLI's display of a durable job's steps (electron/cli/job-progress.ts), fed the events and
// jobs.get views a job produces; off a terminal it must be plain lines and no control codes.

/** ESC, which starts every terminal control sequence. */
const ESCAPE = String.fromCharCode(27);

function stream(tty: boolean) {
  let text = '';
  return { isTTY: tty, columns: 100, write: (chunk: string) => ((text += chunk), true), text: () => text };
}

const at = (seconds: number) => new Date(Date.UTC(2026, 11, 7, 9, 0, 0) + seconds * 1000).toISOString();
const TITLES = ['Check name, database and image', 'Create the role and database', 'Write the archive'];

function step(index: number, extra: Partial<JobSnapshot['steps'][number]> = {}): JobSnapshot['steps'][number] {
  return { index, title: TITLES[index]!, state: 'pending', startedAt: null, finishedAt: null, error: null, compensationError: null, ...extra };
}

const ev = (index: number, extra: JobEventPayload): JobEventPayload => ({ jobId: 'job-1', index, total: 3, title: TITLES[index], phase: 'run', ...extra });

describe('job progress off a terminal', () => {
  it('prints one plain line per step state change, with the time it took and the last figures reported', () => {
    const out = stream(false);
    const progress = createJobProgress({ stream: out });
    progress.snapshot({ steps: [step(0), step(1), step(2)] });
    progress.event('jobs.step.started', ev(0, { at: at(0) }));
    progress.event('jobs.step.finished', ev(0, { state: 'done', at: at(1.25) }));
    progress.event('jobs.step.started', ev(1, { at: at(1.3) }));
    progress.event('jobs.step.finished', ev(1, { state: 'done', at: at(3.3) }));
    progress.event('jobs.step.started', ev(2, { at: at(4) }));
    progress.event('jobs.step.progress', ev(2, { fraction: 0.5, message: 'dump: 60.0 of ~120.0 MiB read, 30.0 MiB written, 20.0 MiB/s, ~3 s left', at: at(7) }));
    progress.event('jobs.step.progress', ev(2, { fraction: 0.99, message: 'filestore: 120.0 of ~120.0 MiB read, 61.5 MiB written, 20.0 MiB/s, ~0 s left', at: at(10) }));
    progress.event('jobs.step.finished', ev(2, { state: 'done', at: at(76.4) }));
    progress.finish();
    expect(out.text()).toBe(
      [
        'step 1/3 Check name, database and image: running',
        'step 1/3 Check name, database and image: done in 1.3 s',
        'step 2/3 Create the role and database: running',
        'step 2/3 Create the role and database: done in 2.0 s',
        'step 3/3 Write the archive: running',
        'step 3/3 Write the archive: done in 1 min 12 s (filestore: 120.0 of ~120.0 MiB read, 61.5 MiB written, 20.0 MiB/s)',
        '',
      ].join('\n'),
    );
    expect(out.text()).not.toContain(ESCAPE);
  });

  it('reports a failure, the steps skipped and those undone, and never moves a step back for an older view', () => {
    const out = stream(false);
    const progress = createJobProgress({ stream: out });
    progress.event('jobs.step.started', ev(0, { at: at(0) }));
    progress.event('jobs.step.finished', ev(0, { state: 'done', at: at(2) }));
    // A view fetched before that event still says running: nothing is printed for it.
    progress.snapshot({ steps: [step(0, { state: 'running', startedAt: at(0) }), step(1), step(2)] });
    progress.event('jobs.step.started', ev(1, { at: at(2) }));
    progress.event('jobs.step.finished', ev(1, { state: 'failed', at: at(2.5), error: { message: 'role it_cli exists' } }));
    progress.event('jobs.step.started', ev(1, { phase: 'compensate', at: at(3) }));
    progress.event('jobs.step.finished', ev(1, { phase: 'compensate', state: 'compensated', at: at(3.2) }));
    progress.event('jobs.step.started', ev(0, { phase: 'compensate', at: at(3.2) }));
    progress.event('jobs.step.finished', ev(0, { phase: 'compensate', state: 'failed', at: at(4), error: { message: 'Check name: compensation failed: gone' } }));
    progress.snapshot({
      steps: [
        step(0, { state: 'failed', startedAt: at(0), finishedAt: at(4), compensationError: { code: 'INTERNAL', message: 'Check name: compensation failed: gone' } }),
        step(1, { state: 'compensated', startedAt: at(2), finishedAt: at(3.2), error: { code: 'CONFLICT', message: 'role it_cli exists' } }),
        step(2, { state: 'skipped' }),
      ],
    });
    expect(out.text().split('\n')).toEqual([
      'step 1/3 Check name, database and image: running',
      'step 1/3 Check name, database and image: done in 2.0 s',
      'step 2/3 Create the role and database: running',
      'step 2/3 Create the role and database: failed in 0.5 s: role it_cli exists',
      'step 2/3 Create the role and database: undoing',
      'step 2/3 Create the role and database: undone in 0.2 s',
      'step 1/3 Check name, database and image: undoing',
      'step 1/3 Check name, database and image: undo failed in 0.8 s: Check name: compensation failed: gone',
      'step 3/3 Write the archive: skipped',
      '',
    ]);
    expect(out.text()).not.toContain(ESCAPE);
  });

  it('fills in from a jobs.get view what no event said, with the journal’s times', () => {
    const out = stream(false);
    const progress = createJobProgress({ stream: out });
    progress.snapshot({ steps: [step(0, { state: 'done', startedAt: at(0), finishedAt: at(12.4) }), step(1, { state: 'running', startedAt: at(12.4) }), step(2)] });
    progress.snapshot({ steps: [step(0, { state: 'done', startedAt: at(0), finishedAt: at(12.4) }), step(1, { state: 'done', startedAt: at(12.4), finishedAt: at(13) }), step(2)] });
    expect(out.text()).toBe(
      ['step 1/3 Check name, database and image: done in 12.4 s', 'step 2/3 Create the role and database: running', 'step 2/3 Create the role and database: done in 0.6 s', ''].join('\n'),
    );
  });

  it('follows only its own job, keeping the events that came before its id was known', () => {
    const listeners = new Map<JobProgressEvent, Array<(payload: unknown) => void>>();
    const emit = (name: JobProgressEvent, payload: JobEventPayload) => listeners.get(name)?.forEach((l) => l(payload));
    const out = stream(false);
    const following = followJobEvents((name, listener) => {
      listeners.set(name, [...(listeners.get(name) ?? []), listener]);
      return () => listeners.set(name, (listeners.get(name) ?? []).filter((l) => l !== listener));
    }, createJobProgress({ stream: out }));
    emit('jobs.step.started', ev(0, { at: at(0) }));
    emit('jobs.step.started', { ...ev(0, { at: at(0) }), jobId: 'someone-else', title: 'Another job' });
    following.track('job-1');
    emit('jobs.step.finished', ev(0, { state: 'done', at: at(1) }));
    emit('jobs.step.finished', { ...ev(0, { state: 'done', at: at(1) }), jobId: 'someone-else', title: 'Another job' });
    following.stop();
    emit('jobs.step.started', ev(1, { at: at(1) }));
    expect(out.text()).toBe('step 1/3 Check name, database and image: running\nstep 1/3 Check name, database and image: done in 1.0 s\n');
    expect([...listeners.values()].flat()).toEqual([]);
  });

  it('formats the time a step took', () => {
    expect(formatElapsed(0)).toBe('0.0 s');
    expect(formatElapsed(12_449)).toBe('12.4 s');
    expect(formatElapsed(59_940)).toBe('59.9 s');
    expect(formatElapsed(60_000)).toBe('1 min 0 s');
    expect(formatElapsed(3_725_000)).toBe('62 min 5 s');
  });
});

describe('job progress on a terminal', () => {
  it('draws a bar for a running step’s progress and clears it before the next line', () => {
    const out = stream(true);
    const progress = createJobProgress({ stream: out });
    progress.event('jobs.step.started', ev(2, { at: at(0) }));
    progress.event('jobs.step.progress', ev(2, { fraction: 0.42, message: 'dump: 50.4 of ~120.0 MiB read', at: at(1) }));
    progress.event('jobs.step.finished', ev(2, { state: 'done', at: at(2) }));
    progress.finish();
    const text = out.text();
    expect(text).toContain(ESCAPE);
    expect(text).toContain('42% dump: 50.4 of ~120.0 MiB read');
    expect(text).toContain('step 3/3 Write the archive: done in 2.0 s (dump: 50.4 of ~120.0 MiB read)\n');
  });

  it('counts the bar in bytes when the step counts them against a total', () => {
    expect(barPosition(0.99, { done: 50 * 2 ** 20, total: 200 * 2 ** 20 })).toEqual({ value: 50 * 2 ** 20, total: 200 * 2 ** 20 });
    expect(barPosition(0.3, { done: 10, total: null })).toEqual({ value: 30, total: 100 });
    expect(barPosition(0.3, null)).toEqual({ value: 30, total: 100 });
    const out = stream(true);
    const progress = createJobProgress({ stream: out });
    progress.event('jobs.step.started', ev(2, { at: at(0) }));
    progress.event('jobs.step.progress', ev(2, { fraction: 0.99, message: 'dump: 25.0 of ~100.0 MiB read', bytes: { done: 25 * 2 ** 20, total: 100 * 2 ** 20 }, at: at(1) }));
    progress.finish();
    expect(out.text()).toContain('25% dump: 25.0 of ~100.0 MiB read');
  });
});
