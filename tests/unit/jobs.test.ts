import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetError } from '../../shared/errors.js';
import { isOwnerAlive, processToken } from '../../electron/jobs/owner.js';
import { JobRegistry } from '../../electron/jobs/registry.js';
import { decideDirection, JobRunner, type JobRunnerOptions } from '../../electron/jobs/runner.js';
import type { JobDefinition, JobEventMap, JobEventName, StepContext, StepDefinition } from '../../electron/jobs/types.js';
import { openStore, type Store } from '../../electron/store/database.js';

interface Input {
  name: string;
}

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function storeFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-jobs-'));
  dirs.push(dir);
  return path.join(dir, 'store.sqlite');
}

function open(file: string): Store {
  const store = openStore(file);
  stores.push(store);
  return store;
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

type Recorded = { event: JobEventName; payload: JobEventMap[JobEventName] };

function setup(definitions: JobDefinition<Input>[], options: Partial<JobRunnerOptions> = {}, file = storeFile()) {
  const registry = new JobRegistry();
  for (const definition of definitions) registry.register(definition);
  const events: Recorded[] = [];
  const store = open(file);
  const runner = new JobRunner({
    store,
    registry,
    events: { emit: (event, payload) => events.push({ event, payload }) },
    ...options,
  });
  return { runner, events, store, file, registry };
}

/** A step that records its runs and compensations in `log`. */
function step(log: string[], name: string, extra: Partial<StepDefinition<Input>> = {}): StepDefinition<Input> {
  return {
    name,
    title: `Step ${name}`,
    onCrash: 'compensate',
    async run() {
      log.push(`run ${name}`);
    },
    async compensate() {
      log.push(`undo ${name}`);
    },
    ...extra,
  };
}

function job(kind: string, steps: StepDefinition<Input>[]): JobDefinition<Input> {
  return { kind, target: (input) => `tenant:h1/${input.name}`, steps };
}

describe('job runner', () => {
  it('runs the steps in order, journals them and streams progress', async () => {
    const log: string[] = [];
    const definition = job('t.forward', [
      step(log, 'a', {
        async run(ctx) {
          ctx.progress(0.5, 'half way', { done: 2048.4, total: -1 });
          log.push('run a');
          return { half: true };
        },
      }),
      step(log, 'b'),
    ]);
    const { runner, events } = setup([definition]);
    const id = runner.runJob(definition, { name: 'acme' }, { actor: 'alice' });
    expect(log).toEqual([]); // the id comes back before any step runs
    const view = await runner.wait(id);
    expect(log).toEqual(['run a', 'run b']);
    expect(view).toMatchObject({ state: 'succeeded', kind: 't.forward', target: 'tenant:h1/acme', actor: 'alice', input: { name: 'acme' }, error: null });
    expect(view.finishedAt).not.toBeNull();
    expect(view.steps.map((s) => [s.name, s.state, s.attempts, s.output])).toEqual([
      ['a', 'done', 1, { half: true }],
      ['b', 'done', 1, null],
    ]);
    expect(events.map((e) => e.event)).toEqual(['jobs.started', 'jobs.step.started', 'jobs.step.progress', 'jobs.step.finished', 'jobs.step.started', 'jobs.step.finished', 'jobs.finished']);
    expect(events[2]!.payload).toMatchObject({ jobId: id, index: 0, total: 2, title: 'Step a', fraction: 0.5, message: 'half way', phase: 'run', bytes: { done: 2048, total: null } });
    expect(events[5]!.payload).toMatchObject({ index: 1, total: 2, state: 'done', error: null });
    expect(events[6]!.payload).toMatchObject({ jobId: id, state: 'succeeded', error: null });
    // JSON-serialisable payloads, as every transport needs.
    for (const { payload } of events) expect(JSON.parse(JSON.stringify(payload))).toEqual(payload);
  });

  it('on a failed step compensates it and the completed steps in reverse order, and names the step', async () => {
    const log: string[] = [];
    const definition = job('t.fail', [
      step(log, 'a'),
      step(log, 'b'),
      step(log, 'c', {
        async run() {
          log.push('run c');
          throw new FleetError('COMMAND_FAILED', 'docker exited 125', { exitCode: 125 });
        },
      }),
      step(log, 'd'),
    ]);
    const { runner, events } = setup([definition]);
    const view = await runner.wait(runner.runJob(definition, { name: 'acme' }, { actor: 'alice' }));
    expect(log).toEqual(['run a', 'run b', 'run c', 'undo c', 'undo b', 'undo a']);
    expect(view.state).toBe('failed');
    expect(view.error).toEqual({ code: 'COMMAND_FAILED', message: 'Step c: docker exited 125', step: 'c', details: { exitCode: 125, step: 'c' } });
    expect(view.steps.map((s) => s.state)).toEqual(['compensated', 'compensated', 'compensated', 'skipped']);
    expect(view.steps[2]!.error).toEqual({ code: 'COMMAND_FAILED', message: 'docker exited 125' });
    const finished = events.find((e) => e.event === 'jobs.finished')!.payload;
    expect(finished).toMatchObject({ state: 'failed', error: { code: 'COMMAND_FAILED', step: 'c' } });
  });

  it('records a failing compensation, still runs the others, and ends failed with both errors', async () => {
    const log: string[] = [];
    const definition = job('t.compfail', [
      step(log, 'a'),
      step(log, 'b', {
        async compensate() {
          throw new Error('volume busy');
        },
      }),
      step(log, 'c', {
        async run() {
          throw new Error('boom');
        },
      }),
    ]);
    const { runner } = setup([definition]);
    const view = await runner.wait(runner.runJob(definition, { name: 'acme' }, { actor: 'alice' }));
    expect(log).toEqual(['run a', 'run b', 'undo c', 'undo a']);
    expect(view.state).toBe('failed');
    expect(view.error).toMatchObject({ code: 'INTERNAL', message: 'Step c: boom', step: 'c' });
    expect(view.error!.details!.compensationErrors).toEqual([{ step: 'b', code: 'INTERNAL', message: 'Step b: compensation failed: volume busy' }]);
    expect(view.steps.map((s) => s.state)).toEqual(['compensated', 'failed', 'compensated']);
    expect(view.steps[1]!.compensationError).toEqual({ code: 'INTERNAL', message: 'Step b: compensation failed: volume busy' });
  });

  it('cancels: the running step sees the abort, then the job compensates and ends cancelled', async () => {
    const log: string[] = [];
    const started = deferred();
    const definition = job('t.cancel', [
      step(log, 'a'),
      step(log, 'b', {
        run: (ctx) =>
          new Promise((_, reject) => {
            log.push('run b');
            started.resolve();
            ctx.signal.addEventListener('abort', () => reject(new Error('aborted')));
          }),
      }),
      step(log, 'c'),
    ]);
    const { runner } = setup([definition]);
    const id = runner.runJob(definition, { name: 'acme' }, { actor: 'alice' });
    await started.promise;
    expect(runner.cancel(id)).toBe(true);
    const view = await runner.wait(id);
    expect(log).toEqual(['run a', 'run b', 'undo b', 'undo a']);
    expect(view).toMatchObject({ state: 'cancelled', cancelRequested: true, error: null });
    expect(view.steps.map((s) => s.state)).toEqual(['compensated', 'compensated', 'skipped']);
    expect(runner.cancel(id)).toBe(false); // already ended
  });

  it('finishes a job a cancel reached past its point of no return, and refuses later cancels', async () => {
    const log: string[] = [];
    const release = deferred();
    const started = deferred();
    let lastSignalAborted: boolean | null = null;
    const definition = job('t.no-return', [
      step(log, 'a'),
      step(log, 'swap', {
        onCrash: 'resume',
        async run() {
          log.push('run swap');
          started.resolve();
          await release.promise; // the point of no return completes whatever the cancel says
        },
      }),
      step(log, 'start', {
        onCrash: 'resume',
        async run(ctx) {
          log.push('run start');
          lastSignalAborted = ctx.signal.aborted;
        },
      }),
    ]);
    const { runner } = setup([definition]);
    const id = runner.runJob(definition, { name: 'acme' }, { actor: 'alice' });
    await started.promise;
    expect(runner.cancel(id)).toBe(true); // 'swap' is not done yet: the cancel is accepted…
    release.resolve();
    const view = await runner.wait(id);
    // …but 'swap' completed: going back is impossible, so the job finishes forward.
    expect(log).toEqual(['run a', 'run swap', 'run start']);
    expect(lastSignalAborted).toBe(false);
    expect(view.state).toBe('succeeded');

    const blocked = deferred();
    const entered = deferred();
    const second = job('t.no-return-2', [
      step(log, 'done-first', { onCrash: 'resume' }),
      step(log, 'slow', {
        onCrash: 'resume',
        async run() {
          entered.resolve();
          await blocked.promise;
        },
      }),
    ]);
    const other = setup([second]);
    const id2 = other.runner.runJob(second, { name: 'beta' }, { actor: 'alice' });
    await entered.promise;
    expect(() => other.runner.cancel(id2)).toThrow(expect.objectContaining({ code: 'CONFLICT', message: expect.stringMatching(/point of no return/) }));
    blocked.resolve();
    expect((await other.runner.wait(id2)).state).toBe('succeeded');
  });

  it('cancels through the caller signal, after a step that ignores it', async () => {
    const log: string[] = [];
    const release = deferred();
    const started = deferred();
    const definition = job('t.signal', [
      step(log, 'a', {
        async run() {
          log.push('run a');
          started.resolve();
          await release.promise;
        },
      }),
      step(log, 'b'),
    ]);
    const { runner } = setup([definition]);
    const controller = new AbortController();
    const id = runner.runJob(definition, { name: 'acme' }, { actor: 'alice', signal: controller.signal });
    await started.promise;
    controller.abort();
    release.resolve();
    const view = await runner.wait(id);
    expect(log).toEqual(['run a', 'undo a']);
    expect(view.state).toBe('cancelled');
    expect(view.steps.map((s) => s.state)).toEqual(['compensated', 'skipped']);
  });

  it('lets later steps and compensations read earlier outputs', async () => {
    const seen: unknown[] = [];
    const definition = job('t.outputs', [
      {
        name: 'create',
        title: 'Create',
        onCrash: 'compensate',
        async run(ctx) {
          ctx.setOutput({ containerId: 'pending' });
          return { containerId: 'c-123' };
        },
        async compensate(ctx) {
          seen.push(['undo create', ctx.output('create')]);
        },
      },
      {
        name: 'use',
        title: 'Use',
        onCrash: 'compensate',
        async run(ctx: StepContext<Input>) {
          seen.push(['use', ctx.output<{ containerId: string }>('create')?.containerId]);
          ctx.setOutput({ used: true });
          throw new Error('fails after recording');
        },
        async compensate(ctx) {
          seen.push(['undo use', ctx.output('use'), ctx.output('create')]);
        },
      },
    ]);
    const { runner } = setup([definition]);
    const view = await runner.wait(runner.runJob(definition, { name: 'acme' }, { actor: 'alice' }));
    expect(seen).toEqual([
      ['use', 'c-123'],
      ['undo use', { used: true }, { containerId: 'c-123' }],
      ['undo create', { containerId: 'c-123' }],
    ]);
    expect(view.steps.map((s) => s.output)).toEqual([{ containerId: 'c-123' }, { used: true }]);
  });

  it('refuses a second job on the same target with CONFLICT naming the running one', async () => {
    const log: string[] = [];
    const gate = deferred();
    const definition = job('t.busy', [
      step(log, 'a', {
        async run() {
          await gate.promise;
        },
      }),
    ]);
    const { runner, file, registry } = setup([definition]);
    const first = runner.runJob(definition, { name: 'acme' }, { actor: 'alice' });
    const refusal = (() => {
      try {
        runner.runJob(definition, { name: 'acme' }, { actor: 'bob' });
      } catch (error) {
        return error as FleetError;
      }
      return null;
    })();
    expect(refusal).toBeInstanceOf(FleetError);
    expect(refusal!.code).toBe('CONFLICT');
    expect(refusal!.message).toContain(first);
    expect(refusal!.details).toMatchObject({ jobId: first, target: 'tenant:h1/acme' });
    // Another runner on the same store file is refused by the journal itself.
    const other = new JobRunner({ store: open(file), registry });
    expect(() => other.runJob(definition, { name: 'acme' }, { actor: 'bob' })).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    // A different target runs at once.
    const parallel = runner.runJob(definition, { name: 'other' }, { actor: 'bob' });
    gate.resolve();
    expect((await runner.wait(first)).state).toBe('succeeded');
    expect((await runner.wait(parallel)).state).toBe('succeeded');
    const again = runner.runJob(definition, { name: 'acme' }, { actor: 'bob' });
    expect((await runner.wait(again)).state).toBe('succeeded');
  });

  it('re-runs an interrupted step once after a simulated crash, without doubling its effect', async () => {
    const effects = new Map<string, number>();
    const entered = deferred();
    let hang = true;
    let runs = 0;
    const definition = job('t.crash', [
      {
        name: 'create',
        title: 'Create',
        onCrash: 'resume',
        async run(ctx) {
          runs++;
          // Idempotent: check before acting.
          if (!effects.has(ctx.target)) effects.set(ctx.target, 1);
          entered.resolve();
          if (hang) await new Promise(() => {}); // the "process" dies here
          return { attempt: ctx.attempt };
        },
      },
      {
        name: 'finish',
        title: 'Finish',
        onCrash: 'resume',
        async run() {},
      },
    ]);
    const first = setup([definition], { processToken: 'pid:1:dead' });
    const id = first.runner.runJob(definition, { name: 'acme' }, { actor: 'alice' });
    await entered.promise;
    expect(first.runner.getJob(id)!.steps[0]!.state).toBe('running');
    // While its owner looks alive, nobody else touches the job.
    const live = setup([definition], { processToken: 'pid:2:other', isOwnerAlive: () => true }, first.file);
    expect(live.runner.resumeInterrupted()).toEqual({ resumed: [], skipped: [{ jobId: id, kind: 't.crash', target: 'tenant:h1/acme', reason: 'its owner process is still running' }] });
    // "Restart": a second runner, on its own connection to the same file, with the owner dead.
    hang = false;
    const second = setup([definition], { processToken: 'pid:3:new', isOwnerAlive: (token) => token === 'pid:3:new' }, first.file);
    expect(second.runner.resumeInterrupted().resumed).toEqual([{ jobId: id, kind: 't.crash', target: 'tenant:h1/acme', direction: 'forward' }]);
    const view = await second.runner.wait(id);
    expect(view.state).toBe('succeeded');
    expect(runs).toBe(2);
    expect(effects.get('tenant:h1/acme')).toBe(1);
    expect(view.steps[0]).toMatchObject({ attempts: 2, output: { attempt: 2 } });
    expect(view.resumeCount).toBe(1);
    expect(second.events[0]).toMatchObject({ event: 'jobs.started', payload: { resumed: true, direction: 'forward' } });
  });

  it('never compensates past a completed resume-forward step (the point of no return)', async () => {
    const log: string[] = [];
    const definition = job('t.pivot', [
      step(log, 'archive'),
      step(log, 'verify', { onCrash: 'resume' }),
      step(log, 'stop', { onCrash: 'resume' }),
      step(log, 'drop', {
        onCrash: 'resume',
        async run() {
          throw new Error('database in use');
        },
      }),
    ]);
    const { runner } = setup([definition]);
    const view = await runner.wait(runner.runJob(definition, { name: 'acme' }, { actor: 'alice' }));
    expect(log).toEqual(['run archive', 'run verify', 'run stop', 'undo drop']);
    expect(view.state).toBe('failed');
    expect(view.error).toMatchObject({ step: 'drop', message: 'Step drop: database in use' });
    expect(view.steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'compensated']);
  });

  it('holds the acquireLock hook around the whole job, and fails cleanly when it is refused', async () => {
    const log: string[] = [];
    const definition = job('t.lock', [step(log, 'a')]);
    const { runner } = setup([definition], {
      acquireLock: async (target) => {
        log.push(`lock ${target}`);
        if (target.endsWith('/held')) throw new FleetError('CONFLICT', 'another console holds it');
        return () => void log.push(`unlock ${target}`);
      },
    });
    const ok = await runner.wait(runner.runJob(definition, { name: 'acme' }, { actor: 'alice' }));
    expect(ok.state).toBe('succeeded');
    expect(log).toEqual(['lock tenant:h1/acme', 'run a', 'unlock tenant:h1/acme']);
    const refused = await runner.wait(runner.runJob(definition, { name: 'held' }, { actor: 'alice' }));
    expect(refused).toMatchObject({ state: 'failed', error: { code: 'CONFLICT', message: 'Could not lock tenant:h1/held: another console holds it', step: null } });
    expect(refused.steps.map((s) => s.state)).toEqual(['skipped']);
  });

  it('lists and gets jobs with filters', async () => {
    const log: string[] = [];
    const good = job('t.good', [step(log, 'a')]);
    const bad = job('t.bad', [step(log, 'a', { run: async () => Promise.reject(new Error('no')) })]);
    const { runner } = setup([good, bad]);
    const a = runner.runJob(good, { name: 'one' }, { actor: 'alice' });
    await runner.wait(a);
    const b = runner.runJob(bad, { name: 'two' }, { actor: 'alice' });
    await runner.wait(b);
    const c = runner.runJob(good, { name: 'one' }, { actor: 'alice' });
    await runner.idle();
    expect(runner.listJobs().map((j) => j.id)).toEqual([c, b, a]);
    expect(runner.listJobs({ target: 'tenant:h1/one' }).map((j) => j.id)).toEqual([c, a]);
    expect(runner.listJobs({ state: 'failed' }).map((j) => j.id)).toEqual([b]);
    expect(runner.listJobs({ state: ['failed', 'succeeded'], limit: 2 }).map((j) => j.id)).toEqual([c, b]);
    expect(runner.listJobs({ kind: 't.bad' })).toHaveLength(1);
    expect(runner.getJob(b)!.steps).toHaveLength(1);
    expect(runner.getJob('missing')).toBeNull();
    expect(() => runner.cancel('missing')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('refuses inputs carrying secrets and kinds a restart could not rebuild', () => {
    const log: string[] = [];
    const definition = job('t.input', [step(log, 'a')]);
    const { runner } = setup([definition]);
    expect(() => runner.runJob(definition, { name: 'x', admin: { password: 'hunter2' } } as Input, { actor: 'a' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION', message: expect.stringContaining('input.admin.password') }),
    );
    expect(() => runner.runJob(definition, { name: 'x', passwordSecretId: 'sec-1' } as Input, { actor: 'a' })).not.toThrow();
    const unregistered = job('t.unregistered', [step(log, 'a')]);
    expect(() => runner.runJob(unregistered, { name: 'y' }, { actor: 'a' })).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
    expect(() => new JobRegistry().register(job('t.dupe', [step(log, 'a'), step(log, 'a')]))).toThrow(/unique/);
  });

  it('decides the recovery direction from the last step reached', () => {
    const base = { state: 'running', cancelRequested: false } as const;
    const steps = (...entries: Array<[string, 'resume' | 'compensate']>) => entries.map(([state, onCrash]) => ({ state, onCrash }));
    const decide = (view: object) => decideDirection(view as Parameters<typeof decideDirection>[0]);
    expect(decide({ ...base, steps: steps(['pending', 'compensate'], ['pending', 'resume']) })).toBe('backward');
    expect(decide({ ...base, steps: steps(['done', 'compensate'], ['running', 'resume']) })).toBe('forward');
    expect(decide({ ...base, steps: steps(['done', 'resume'], ['pending', 'compensate']) })).toBe('forward');
    expect(decide({ ...base, steps: steps(['done', 'compensate'], ['pending', 'resume']) })).toBe('backward');
    expect(decide({ ...base, state: 'compensating', steps: steps(['done', 'resume']) })).toBe('backward');
    expect(decide({ ...base, cancelRequested: true, steps: steps(['done', 'resume']) })).toBe('backward');
  });
});

describe('job owner tokens', () => {
  it('knows this process is alive and a reaped child is not', () => {
    expect(isOwnerAlive(processToken())).toBe(true);
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const pid = Number(child.stdout);
    const token = processToken().startsWith('linux:') ? processToken().replace(`:${process.pid}:`, `:${pid}:`) : `pid:${pid}:x`;
    expect(isOwnerAlive(token)).toBe(false);
    if (processToken().startsWith('linux:')) {
      // Same pid, different start time: a recycled pid is not the owner.
      expect(isOwnerAlive(processToken().replace(/:\d+$/, ':1'))).toBe(false);
      expect(isOwnerAlive(processToken().replace(/^linux:[^:]+/, 'linux:other-boot'))).toBe(false);
    }
    expect(isOwnerAlive('garbage')).toBe(false);
  });
});
