import type { z } from 'zod';
import { contract, ROLE_RANK, type OperationName, type OpOutput, type Role } from '../../shared/contract.js';
import { FleetError, type FleetErrorData, type Result } from '../../shared/errors.js';
import { auditableInput, unvalidatedInputSummary, type AuditLog, type AuditRecord } from '../audit/audit-log.js';
import type { Logger } from '../common/log.js';

export interface CallContext {
  actor: string;
  role: Role;
  transport: 'ipc' | 'ws' | 'cli' | 'internal';
}

export type Handler<N extends OperationName> = (
  input: z.output<(typeof contract)[N]['input']>,
  ctx: CallContext,
) => Promise<OpOutput<N>> | OpOutput<N>;

export type Handlers = { [N in OperationName]?: Handler<N> };

/**
 * The single entry point of every transport: finds the operation, checks that this program
 * serves it and that the caller's role suffices, validates the input (callers are untrusted),
 * runs the handler, validates the output (zod strips anything the schema does not declare, so
 * a stray secret never leaves), and records audited calls. Never throws.
 */
export class Dispatcher {
  constructor(
    private readonly options: {
      program: 'console' | 'pos';
      handlers: Handlers;
      audit: AuditLog;
      log: Logger;
      /** Called after an audited call that acted on a host (its hostId, or a hosts.* call's id). */
      onAudited?: (hostId: string, record: AuditRecord) => void;
    },
  ) {}

  /** Which program's contract it serves. */
  get program(): 'console' | 'pos' {
    return this.options.program;
  }

  serves(op: string): op is OperationName {
    if (!Object.hasOwn(contract, op)) return false;
    const spec = contract[op as OperationName];
    return (spec.program === 'both' || spec.program === this.options.program) && this.options.handlers[op as OperationName] !== undefined;
  }

  /** Runs one call; whatever its input does (any bytes a page sends), it ends in a result. */
  async invoke(op: string, rawInput: unknown, ctx: CallContext): Promise<Result<unknown>> {
    try {
      return await this.run(op, rawInput, ctx);
    } catch (error) {
      this.options.log.error('call failed outside its handler', { op: String(op).slice(0, 100), error: describe(error) });
      return fail({ code: 'INTERNAL', message: 'The call could not be handled.' });
    }
  }

  private async run(op: string, rawInput: unknown, ctx: CallContext): Promise<Result<unknown>> {
    if (!this.serves(op)) {
      return fail({ code: 'NOT_FOUND', message: `Unknown operation "${String(op).slice(0, 100)}".` });
    }
    const spec = contract[op];
    const target = describeTarget(rawInput);
    // A call refused before its input was validated leaves only a summary of it in the trail.
    if (ROLE_RANK[ctx.role] < ROLE_RANK[spec.role]) {
      const error: FleetErrorData = { code: 'FORBIDDEN', message: `"${op}" needs the ${spec.role} role; you are ${ctx.role}.` };
      if (spec.audited) this.record(op, ctx, target, actedOnHost(op, rawInput), unvalidatedInputSummary(rawInput), 'forbidden', error.code);
      return fail(error);
    }
    const parsed = spec.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message }));
      if (spec.audited) this.record(op, ctx, target, null, unvalidatedInputSummary(rawInput), 'error', 'VALIDATION');
      return fail({
        code: 'VALIDATION',
        message: issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; '),
        details: { issues },
      });
    }
    let result: Result<unknown>;
    try {
      const handler = this.options.handlers[op] as Handler<OperationName>;
      const value = await handler(parsed.data as never, ctx);
      const checked = spec.output.safeParse(value);
      if (!checked.success) {
        this.options.log.error('handler returned a value outside its schema', { op, issues: checked.error.issues.slice(0, 5) });
        throw new FleetError('INTERNAL', `"${op}" produced an invalid result.`);
      }
      result = { ok: true, value: checked.data };
    } catch (error) {
      result = fail(toErrorData(error));
      if (!result.ok && result.error.code === 'INTERNAL') this.options.log.error('operation failed', { op, error: describe(error) });
    }
    if (spec.audited) this.record(op, ctx, target, actedOnHost(op, parsed.data), parsed.data, result.ok ? 'ok' : 'error', result.ok ? null : result.error.code);
    return result;
  }

  /** Writes the entry locally and, for a call on a host, to that host's shared trail: either way redacted and size-bounded. */
  private record(op: string, ctx: CallContext, target: string | null, hostId: string | null, input: unknown, outcome: 'ok' | 'error' | 'forbidden', errorCode: string | null) {
    const record: AuditRecord = { actor: ctx.actor, role: ctx.role, operation: op, target, outcome, errorCode, input: auditableInput(input) };
    try {
      this.options.audit.append(record);
    } catch (error) {
      this.options.log.error('could not write the audit trail', { op, error: describe(error) });
    }
    if (hostId && this.options.onAudited) this.options.onAudited(hostId, record);
  }
}

function fail(error: FleetErrorData): Result<never> {
  return { ok: false, error };
}

export function toErrorData(error: unknown): FleetErrorData {
  if (error instanceof FleetError) return error.toData();
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The host an operation acted on: its hostId, or the id of a hosts.* call. Only well-formed ids. */
function actedOnHost(op: string, input: unknown): string | null {
  if (!input || typeof input !== 'object') return null;
  const record = input as Record<string, unknown>;
  const id = typeof record.hostId === 'string' ? record.hostId : op.startsWith('hosts.') && typeof record.id === 'string' ? record.id : null;
  return id && /^[0-9a-f-]{36}$/i.test(id) ? id : null;
}

function describeTarget(input: unknown): string | null {
  if (input && typeof input === 'object') {
    const record = input as Record<string, unknown>;
    for (const key of ['id', 'name', 'item', 'hostId', 'address']) {
      if (typeof record[key] === 'string') return (record[key] as string).slice(0, 200);
    }
  }
  return null;
}
