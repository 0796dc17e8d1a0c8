import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../../electron/jobs/runner.js';
import type { JobView } from '../../electron/jobs/types.js';
import { openStore } from '../../electron/store/database.js';
import { buildRegistry, readLines } from '../fixtures/jobs/definitions.js';

// Real processes, real SIGKILL. The worker blocks synchronously at a named point and says so on
// stdout, so every kill lands exactly where intended: no sleeps, no races.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WORKER = path.join(root, 'tests/fixtures/jobs/worker.ts');
const dirs: string[] = [];
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

interface Files {
  store: string;
  resources: string;
}

function files(): Files {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-jobs-crash-'));
  dirs.push(dir);
  return { store: path.join(dir, 'store.sqlite'), resources: path.join(dir, 'resources') };
}

interface WorkerConfig {
  mode: 'run' | 'resume';
  kind?: 'test.create' | 'test.forward';
  failAt?: string;
  block?: string;
}

function startWorker(f: Files, config: WorkerConfig) {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify({ ...f, ...config })], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const lines: string[] = [];
  let stderr = '';
  let buffer = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts);
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      for (const wake of waiters.splice(0)) wake();
      resolve({ code, signal });
    }),
  );
  let alive = true;
  void exited.then(() => (alive = false));
  return {
    lines,
    exited,
    /** Resolves once a line equal to `expected` has been printed. */
    async waitFor(expected: string): Promise<void> {
      while (!lines.includes(expected)) {
        if (!alive) throw new Error(`worker exited before "${expected}"; stdout: ${lines.join(' | ')}; stderr: ${stderr}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    /** SIGKILL, and wait until it is reaped so its pid is really gone. */
    async kill(): Promise<void> {
      child.kill('SIGKILL');
      const { signal } = await exited;
      expect(signal).toBe('SIGKILL');
    },
    async finished(): Promise<string[]> {
      const { code } = await exited;
      if (code !== 0) throw new Error(`worker exited ${code}; stderr: ${stderr}`);
      return lines;
    },
  };
}

/** Runs a job in a worker and kills it at `block`; returns the job id. */
async function crashAt(f: Files, config: Omit<WorkerConfig, 'mode'> & { block: string }): Promise<string> {
  const worker = startWorker(f, { mode: 'run', ...config });
  await worker.waitFor(`BLOCKED ${config.block}`);
  await worker.kill();
  const jobLine = worker.lines.find((line) => line.startsWith('JOB '));
  return jobLine!.slice(4);
}

function inspect(f: Files, jobId: string): JobView {
  const store = openStore(f.store);
  try {
    return new JobRunner({ store, registry: buildRegistry(f.resources).registry }).getJob(jobId)!;
  } finally {
    store.close();
  }
}

/** Resumes in this (test) process, as a restarted console would. */
async function resumeHere(f: Files, jobId: string): Promise<JobView> {
  const store = openStore(f.store);
  try {
    const runner = new JobRunner({ store, registry: buildRegistry(f.resources).registry });
    const report = runner.resumeInterrupted();
    expect(report.resumed.map((r) => r.jobId)).toEqual([jobId]);
    return await runner.wait(jobId);
  } finally {
    store.close();
  }
}

/** Resumes in a fresh worker process. */
async function resumeInWorker(f: Files, jobId: string): Promise<JobView> {
  const lines = await startWorker(f, { mode: 'resume' }).finished();
  expect(lines.find((line) => line.startsWith('RESUMED'))).toContain(jobId);
  return inspect(f, jobId);
}

const states = (view: JobView) => view.steps.map((step) => step.state);

describe.concurrent('jobs after a SIGKILL', () => {
  it('killed during step 1 (compensate on crash): the journal says running, resume removes every effect', async () => {
    const f = files();
    const id = await crashAt(f, { kind: 'test.create', block: 'run:allocate' });
    const before = inspect(f, id);
    expect(before.state).toBe('running');
    expect(states(before)).toEqual(['running', 'pending', 'pending']);
    expect(before.steps[0]!.output).toEqual({ id: `res-${id.slice(0, 8)}` }); // journaled before the effect
    expect(readLines(f.resources)).toEqual([`allocate res-${id.slice(0, 8)}`]);

    const after = await resumeInWorker(f, id);
    expect(after.state).toBe('compensated');
    expect(after.resumeCount).toBe(1);
    expect(states(after)).toEqual(['compensated', 'skipped', 'skipped']);
    expect(fs.existsSync(f.resources)).toBe(false);
  });

  it('killed between steps 1 and 2: resume compensates step 1', async () => {
    const f = files();
    const id = await crashAt(f, { kind: 'test.create', block: 'after:allocate' });
    expect(states(inspect(f, id))).toEqual(['done', 'pending', 'pending']);
    const after = await resumeHere(f, id);
    expect(after.state).toBe('compensated');
    expect(states(after)).toEqual(['compensated', 'skipped', 'skipped']);
    expect(fs.existsSync(f.resources)).toBe(false);
  });

  it('killed during step 2 (compensate on crash): its half-run effect and step 1 are undone', async () => {
    const f = files();
    const id = await crashAt(f, { kind: 'test.create', block: 'run:provision' });
    expect(readLines(f.resources)).toHaveLength(2);
    const after = await resumeInWorker(f, id);
    expect(after.state).toBe('compensated');
    expect(states(after)).toEqual(['compensated', 'compensated', 'skipped']);
    expect(after.steps.map((s) => s.compensateAttempts)).toEqual([1, 1, 0]);
    expect(fs.existsSync(f.resources)).toBe(false);
  });

  it('killed during a compensation after a failure: resume finishes it and the job ends failed naming the step', async () => {
    const f = files();
    const id = await crashAt(f, { kind: 'test.create', failAt: 'provision', block: 'comp:allocate' });
    const before = inspect(f, id);
    expect(before.state).toBe('compensating');
    expect(states(before)).toEqual(['compensating', 'compensated', 'pending']);
    const after = await resumeHere(f, id);
    expect(after.state).toBe('failed');
    expect(after.error).toMatchObject({ code: 'INTERNAL', step: 'provision', message: 'Provision on the resource: provision broke' });
    expect(states(after)).toEqual(['compensated', 'compensated', 'skipped']);
    expect(after.steps[0]!.compensateAttempts).toBe(2); // re-run after the crash, idempotently
    expect(fs.existsSync(f.resources)).toBe(false);
  });

  it('killed during the "ready" step (resume forward): it is re-run once and the job succeeds', async () => {
    const f = files();
    const id = await crashAt(f, { kind: 'test.create', block: 'run:ready' });
    const after = await resumeHere(f, id);
    expect(after.state).toBe('succeeded');
    expect(readLines(f.resources)).toEqual([`allocate res-${id.slice(0, 8)}`, `provision res-${id.slice(0, 8)}`, 'ready']);
    expect(after.steps.map((s) => s.attempts)).toEqual([1, 1, 2]);
  });

  it('killed during a resume-forward step: every effect exactly once, succeeded', async () => {
    const f = files();
    const id = await crashAt(f, { kind: 'test.forward', block: 'run:drop' });
    expect(states(inspect(f, id))).toEqual(['done', 'done', 'running', 'pending']);
    const after = await resumeInWorker(f, id);
    expect(after.state).toBe('succeeded');
    expect(states(after)).toEqual(['done', 'done', 'done', 'done']);
    expect(after.steps.map((s) => s.attempts)).toEqual([1, 1, 2, 1]);
    expect(readLines(f.resources)).toEqual(['archive', 'verify', 'drop', 'cleanup']);
  });

  it('killed right after the point of no return: resumes forward', async () => {
    const f = files();
    const id = await crashAt(f, { kind: 'test.forward', block: 'after:verify' });
    const after = await resumeHere(f, id);
    expect(after.state).toBe('succeeded');
    expect(readLines(f.resources)).toEqual(['archive', 'verify', 'drop', 'cleanup']);
  });

  it('killed before the point of no return: compensates', async () => {
    const f = files();
    const id = await crashAt(f, { kind: 'test.forward', block: 'run:archive' });
    const after = await resumeHere(f, id);
    expect(after.state).toBe('compensated');
    expect(fs.existsSync(f.resources)).toBe(false);
  });

  it('killed again while resuming: a second resume still ends with every effect once', async () => {
    const f = files();
    const id = await crashAt(f, { kind: 'test.forward', block: 'run:drop' });
    const resumer = startWorker(f, { mode: 'resume', block: 'run:cleanup' });
    await resumer.waitFor('BLOCKED run:cleanup');
    await resumer.kill();
    const after = await resumeHere(f, id);
    expect(after.state).toBe('succeeded');
    expect(after.resumeCount).toBe(2);
    expect(after.steps.map((s) => s.attempts)).toEqual([1, 1, 2, 2]);
    expect(readLines(f.resources)).toEqual(['archive', 'verify', 'drop', 'cleanup']);
  });
});
