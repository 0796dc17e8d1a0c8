import { FleetError, type FleetErrorData } from '../../shared/errors.js';
import type { Store } from '../store/database.js';
import { UNFINISHED_JOB_STATES, type CrashPolicy, type JobListFilter, type JobState, type JobStepView, type JobSummary, type JobView, type Json, type StepState } from './types.js';

// The job journal. Every method is one committed transaction: with synchronous=FULL, once it
// returns, a SIGKILL or power cut cannot lose it, so the runner always writes the journal
// before it acts and the journal always says where a job was.

export const MAX_OUTPUT_BYTES = 64 * 1024;

interface JobRow {
  id: string;
  kind: string;
  target: string;
  input_json: string;
  state: JobState;
  actor: string;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  cancel_requested: number;
  owner_pid: number | null;
  owner_token: string | null;
  resume_count: number;
  error_code: string | null;
  error_message: string | null;
  error_step: string | null;
  error_details_json: string | null;
}

interface StepRow {
  job_id: string;
  idx: number;
  name: string;
  title: string;
  on_crash: CrashPolicy;
  state: StepState;
  attempts: number;
  compensate_attempts: number;
  started_at: string | null;
  finished_at: string | null;
  output_json: string | null;
  error_code: string | null;
  error_message: string | null;
  compensation_error_code: string | null;
  compensation_error_message: string | null;
}

export interface NewJob {
  id: string;
  kind: string;
  target: string;
  input: Json;
  actor: string;
  ownerPid: number;
  ownerToken: string;
  steps: ReadonlyArray<{ name: string; title: string; onCrash: CrashPolicy }>;
}

export interface OwnedJob {
  id: string;
  kind: string;
  target: string;
  state: JobState;
  ownerToken: string | null;
}

export interface JobError {
  code: string;
  message: string;
  step: string | null;
  details?: Record<string, unknown>;
}

const unfinishedList = UNFINISHED_JOB_STATES.map((state) => `'${state}'`).join(', ');

/** JSON text for the journal; refuses what JSON cannot carry faithfully and oversized values. */
export function toJsonText(value: unknown, what: string, limit = MAX_OUTPUT_BYTES): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value ?? null);
  } catch (error) {
    throw new FleetError('VALIDATION', `${what} is not JSON-serialisable: ${(error as Error).message}`);
  }
  if (text === undefined) throw new FleetError('VALIDATION', `${what} is not JSON-serialisable`);
  if (Buffer.byteLength(text) > limit) throw new FleetError('VALIDATION', `${what} exceeds ${limit} bytes`);
  return text;
}

export class JobJournal {
  constructor(
    private readonly db: Store,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /** Inserts a queued job and its pending steps, or throws CONFLICT naming the unfinished job on the target. */
  insert(job: NewJob): void {
    const at = this.now();
    const inputText = toJsonText(job.input, 'Job input', 1024 * 1024);
    this.db.transaction(() => {
      const busy = this.unfinishedOn(job.target);
      if (busy) throw conflict(job.target, busy);
      this.db
        .prepare(
          `INSERT INTO jobs (id, kind, target, input_json, state, actor, created_at, updated_at, owner_pid, owner_token)
           VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?)`,
        )
        .run(job.id, job.kind, job.target, inputText, job.actor, at, at, job.ownerPid, job.ownerToken);
      const step = this.db.prepare(`INSERT INTO job_steps (job_id, idx, name, title, on_crash, state) VALUES (?, ?, ?, ?, ?, 'pending')`);
      job.steps.forEach((s, index) => step.run(job.id, index, s.name, s.title, s.onCrash));
    }).immediate();
  }

  unfinishedOn(target: string): { id: string; kind: string; state: JobState } | undefined {
    return this.db.prepare(`SELECT id, kind, state FROM jobs WHERE target = ? AND state IN (${unfinishedList}) LIMIT 1`).get(target) as
      | { id: string; kind: string; state: JobState }
      | undefined;
  }

  unfinished(): OwnedJob[] {
    const rows = this.db.prepare(`SELECT id, kind, target, state, owner_token FROM jobs WHERE state IN (${unfinishedList}) ORDER BY created_at, id`).all() as Array<
      Pick<JobRow, 'id' | 'kind' | 'target' | 'state' | 'owner_token'>
    >;
    return rows.map((row) => ({ id: row.id, kind: row.kind, target: row.target, state: row.state, ownerToken: row.owner_token }));
  }

  /** Takes over an orphaned job; false when another process claimed it first. */
  claim(id: string, previousToken: string | null, pid: number, token: string): boolean {
    const result = this.db
      .prepare(
        `UPDATE jobs SET owner_pid = ?, owner_token = ?, resume_count = resume_count + 1, updated_at = ?
         WHERE id = ? AND owner_token IS ? AND state IN (${unfinishedList})`,
      )
      .run(pid, token, this.now(), id, previousToken);
    return result.changes === 1;
  }

  setJobState(id: string, state: JobState): void {
    const at = this.now();
    this.db.prepare(`UPDATE jobs SET state = ?, updated_at = ?, started_at = CASE WHEN ? = 'running' THEN coalesce(started_at, ?) ELSE started_at END WHERE id = ?`).run(state, at, state, at, id);
  }

  requestCancel(id: string): void {
    this.db.prepare('UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?').run(this.now(), id);
  }

  /** Marks the step running and returns which attempt this is (1 unless a crash cut an earlier one short). */
  stepStarted(id: string, index: number): number {
    const at = this.now();
    this.db.transaction(() => {
      this.db.prepare(`UPDATE job_steps SET state = 'running', attempts = attempts + 1, started_at = coalesce(started_at, ?) WHERE job_id = ? AND idx = ?`).run(at, id, index);
      this.touch(id, at);
    }).immediate();
    return this.attempts(id, index).attempts;
  }

  output(id: string, stepName: string): Json | undefined {
    const row = this.db.prepare('SELECT output_json FROM job_steps WHERE job_id = ? AND name = ?').get(id, stepName) as { output_json: string | null } | undefined;
    return row?.output_json == null ? undefined : (JSON.parse(row.output_json) as Json);
  }

  setStepOutput(id: string, index: number, output: Json): void {
    this.db.prepare('UPDATE job_steps SET output_json = ? WHERE job_id = ? AND idx = ?').run(toJsonText(output, 'Step output'), id, index);
  }

  /** Marks the step done; when it was the last one, the job succeeds in the same transaction. */
  stepDone(id: string, index: number, output: Json | undefined, last: boolean): void {
    const at = this.now();
    const outputText = output === undefined ? undefined : toJsonText(output, 'Step output');
    this.db.transaction(() => {
      if (outputText === undefined) {
        this.db.prepare(`UPDATE job_steps SET state = 'done', finished_at = ? WHERE job_id = ? AND idx = ?`).run(at, id, index);
      } else {
        this.db.prepare(`UPDATE job_steps SET state = 'done', finished_at = ?, output_json = ? WHERE job_id = ? AND idx = ?`).run(at, outputText, id, index);
      }
      if (last) this.db.prepare(`UPDATE jobs SET state = 'succeeded', finished_at = ?, updated_at = ? WHERE id = ?`).run(at, at, id);
      else this.touch(id, at);
    }).immediate();
  }

  /** The step failed (or was cut short by a cancel): the job turns to compensating in the same transaction. */
  stepFailed(id: string, index: number, error: FleetErrorData, jobError: JobError | null): void {
    const at = this.now();
    this.db.transaction(() => {
      this.db.prepare(`UPDATE job_steps SET state = 'failed', finished_at = ?, error_code = ?, error_message = ? WHERE job_id = ? AND idx = ?`).run(at, error.code, error.message, id, index);
      if (jobError) this.setError(id, jobError);
      this.db.prepare(`UPDATE jobs SET state = 'compensating', updated_at = ? WHERE id = ?`).run(at, id);
    }).immediate();
  }

  /** Records the job's error (the first one wins: it is the cause). */
  setError(id: string, error: JobError): void {
    this.db
      .prepare('UPDATE jobs SET error_code = ?, error_message = ?, error_step = ?, error_details_json = ?, updated_at = ? WHERE id = ? AND error_code IS NULL')
      .run(error.code, error.message, error.step, error.details === undefined ? null : toJsonText(error.details, 'Error details'), this.now(), id);
  }

  stepCompensating(id: string, index: number): number {
    this.db.transaction(() => {
      this.db.prepare(`UPDATE job_steps SET state = 'compensating', compensate_attempts = compensate_attempts + 1 WHERE job_id = ? AND idx = ?`).run(id, index);
      this.touch(id, this.now());
    }).immediate();
    return this.attempts(id, index).compensateAttempts;
  }

  stepCompensated(id: string, index: number): void {
    const at = this.now();
    this.db.transaction(() => {
      this.db.prepare(`UPDATE job_steps SET state = 'compensated', finished_at = ? WHERE job_id = ? AND idx = ?`).run(at, id, index);
      this.touch(id, at);
    }).immediate();
  }

  /** The compensation threw: the step ends failed with both its errors; the job's error lists it too. */
  stepCompensationFailed(id: string, index: number, error: FleetErrorData & { step: string }): void {
    const at = this.now();
    this.db.transaction(() => {
      this.db
        .prepare(`UPDATE job_steps SET state = 'failed', finished_at = ?, compensation_error_code = ?, compensation_error_message = ? WHERE job_id = ? AND idx = ?`)
        .run(at, error.code, error.message, id, index);
      const row = this.db.prepare('SELECT error_code, error_details_json FROM jobs WHERE id = ?').get(id) as Pick<JobRow, 'error_code' | 'error_details_json'>;
      const entry = { step: error.step, code: error.code, message: error.message };
      if (row.error_code === null) {
        // No earlier failure (a cancel or crash recovery): this compensation error is the cause.
        this.setError(id, { code: error.code, message: error.message, step: error.step, details: { step: error.step, compensationErrors: [entry] } });
      } else {
        const details = row.error_details_json === null ? {} : (JSON.parse(row.error_details_json) as Record<string, unknown>);
        const list = Array.isArray(details.compensationErrors) ? (details.compensationErrors as unknown[]) : [];
        this.db.prepare('UPDATE jobs SET error_details_json = ? WHERE id = ?').run(toJsonText({ ...details, compensationErrors: [...list, entry] }, 'Error details'), id);
      }
      this.touch(id, at);
    }).immediate();
  }

  /** Gives up ownership so that a later resumeInterrupted (of any process) takes the job again. */
  disown(id: string): void {
    this.db.prepare('UPDATE jobs SET owner_pid = NULL, owner_token = NULL, updated_at = ? WHERE id = ?').run(this.now(), id);
  }

  /** A step that has no compensation but was cut short by a crash: say so rather than leave it "running". */
  stepInterrupted(id: string, index: number, message: string): void {
    this.db.prepare(`UPDATE job_steps SET state = 'failed', finished_at = ?, error_code = 'INTERNAL', error_message = ? WHERE job_id = ? AND idx = ?`).run(this.now(), message, id, index);
  }

  finish(id: string, state: JobState): void {
    const at = this.now();
    this.db.transaction(() => {
      this.db.prepare(`UPDATE job_steps SET state = 'skipped' WHERE job_id = ? AND state = 'pending'`).run(id);
      this.db.prepare('UPDATE jobs SET state = ?, finished_at = ?, updated_at = ? WHERE id = ?').run(state, at, at, id);
    }).immediate();
  }

  get(id: string): JobView | null {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    if (!row) return null;
    const steps = this.db.prepare('SELECT * FROM job_steps WHERE job_id = ? ORDER BY idx').all(id) as StepRow[];
    return { ...summary(row), input: JSON.parse(row.input_json) as Json, steps: steps.map(stepView) };
  }

  list(filter: JobListFilter = {}): JobSummary[] {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: Math.max(1, Math.min(filter.limit ?? 100, 1000)) };
    if (filter.target !== undefined) {
      where.push('target = @target');
      params.target = filter.target;
    }
    if (filter.kind !== undefined) {
      where.push('kind = @kind');
      params.kind = filter.kind;
    }
    if (filter.state !== undefined) {
      const states = typeof filter.state === 'string' ? [filter.state] : [...filter.state];
      if (states.length === 0) return [];
      where.push(`state IN (${states.map((_, i) => `@state${i}`).join(', ')})`);
      states.forEach((state, i) => (params[`state${i}`] = state));
    }
    const rows = this.db
      .prepare(`SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, rowid DESC LIMIT @limit`)
      .all(params) as JobRow[];
    return rows.map(summary);
  }

  private attempts(id: string, index: number): { attempts: number; compensateAttempts: number } {
    const row = this.db.prepare('SELECT attempts, compensate_attempts FROM job_steps WHERE job_id = ? AND idx = ?').get(id, index) as { attempts: number; compensate_attempts: number };
    return { attempts: row.attempts, compensateAttempts: row.compensate_attempts };
  }

  private touch(id: string, at: string): void {
    this.db.prepare('UPDATE jobs SET updated_at = ? WHERE id = ?').run(at, id);
  }
}

export function conflict(target: string, busy: { id: string; kind: string; state: JobState }): FleetError {
  return new FleetError('CONFLICT', `Job ${busy.id} (${busy.kind}) is still ${busy.state} on ${target}`, { target, jobId: busy.id, kind: busy.kind, state: busy.state });
}

function summary(row: JobRow): JobSummary {
  return {
    id: row.id,
    kind: row.kind,
    target: row.target,
    state: row.state,
    actor: row.actor,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    cancelRequested: row.cancel_requested === 1,
    resumeCount: row.resume_count,
    error:
      row.error_code === null
        ? null
        : {
            code: row.error_code as FleetErrorData['code'],
            message: row.error_message ?? '',
            step: row.error_step,
            ...(row.error_details_json === null ? {} : { details: JSON.parse(row.error_details_json) as Record<string, unknown> }),
          },
  };
}

function stepView(row: StepRow): JobStepView {
  return {
    index: row.idx,
    name: row.name,
    title: row.title,
    onCrash: row.on_crash,
    state: row.state,
    attempts: row.attempts,
    compensateAttempts: row.compensate_attempts,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    output: row.output_json === null ? null : (JSON.parse(row.output_json) as Json),
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    compensationError: row.compensation_error_code === null ? null : { code: row.compensation_error_code, message: row.compensation_error_message ?? '' },
  };
}
