import type { AuditEntry } from '../../shared/contract.js';
import { redactSecrets } from '../common/redact.js';
import type { Store } from '../store/database.js';

export interface AuditRecord {
  actor: string;
  role: string;
  operation: string;
  target: string | null;
  outcome: 'ok' | 'error' | 'forbidden';
  errorCode: string | null;
  input: unknown;
}

/** The most JSON of one call's input an audit entry keeps. */
export const AUDIT_INPUT_MAX_BYTES = 4096;

/**
 * What an audit entry keeps of a validated input: secrets redacted first, then, when its JSON is
 * longer than AUDIT_INPUT_MAX_BYTES, its beginning and how many bytes were dropped.
 */
export function auditableInput(input: unknown): unknown {
  const redacted = redactSecrets(input) ?? null;
  let json: Buffer;
  try {
    json = Buffer.from(JSON.stringify(redacted));
  } catch {
    return { unserializable: true }; // a bigint, say: only internal callers can send one
  }
  if (json.length <= AUDIT_INPUT_MAX_BYTES) return redacted;
  // Escaping makes the kept text longer in the entry than in the input: shrink until it fits.
  let keep = AUDIT_INPUT_MAX_BYTES - 100;
  for (;;) {
    const head = json.subarray(0, Math.max(0, keep)).toString('utf8').replace(/\uFFFD$/, ''); // no half character
    const marker = { truncated: head, droppedBytes: json.length - Buffer.byteLength(head) };
    const excess = Buffer.byteLength(JSON.stringify(marker)) - AUDIT_INPUT_MAX_BYTES;
    if (excess <= 0) return marker;
    keep -= excess;
  }
}

/**
 * What an audit entry keeps of an input that was never validated (refused by role, or invalid):
 * its size and top-level keys, never its contents, so a refused call cannot fill the trail.
 */
export function unvalidatedInputSummary(input: unknown): { unvalidated: true; bytes: number | null; type: string; keys?: string[]; keyCount?: number } {
  let bytes: number | null;
  try {
    bytes = Buffer.byteLength(JSON.stringify(input) ?? '');
  } catch {
    bytes = null; // a cycle or a bigint: only internal callers can send one
  }
  if (input === null || typeof input !== 'object') return { unvalidated: true, bytes, type: input === null ? 'null' : typeof input };
  if (Array.isArray(input)) return { unvalidated: true, bytes, type: 'array' };
  const keys = Object.keys(input);
  return { unvalidated: true, bytes, type: 'object', keys: keys.slice(0, 20).map((key) => key.slice(0, 40)), keyCount: keys.length };
}

/** The console's own audit trail: append-only, inputs stored with secrets redacted, each at most AUDIT_INPUT_MAX_BYTES. */
export class AuditLog {
  constructor(private readonly db: Store) {}

  append(record: AuditRecord): number {
    const result = this.db
      .prepare('INSERT INTO audit (at, actor, role, operation, target, outcome, error_code, input_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(new Date().toISOString(), record.actor, record.role, record.operation, record.target, record.outcome, record.errorCode, JSON.stringify(auditableInput(record.input)));
    return Number(result.lastInsertRowid);
  }

  list(limit: number, before?: number): AuditEntry[] {
    const rows = this.db
      .prepare(`SELECT * FROM audit ${before === undefined ? '' : 'WHERE id < @before'} ORDER BY id DESC LIMIT @limit`)
      .all({ limit, before }) as Array<{
      id: number;
      at: string;
      actor: string;
      role: string;
      operation: string;
      target: string | null;
      outcome: AuditEntry['outcome'];
      error_code: string | null;
      input_json: string;
    }>;
    return rows.map((row) => ({
      id: row.id,
      at: row.at,
      actor: row.actor,
      role: row.role,
      operation: row.operation,
      target: row.target,
      outcome: row.outcome,
      errorCode: row.error_code,
      input: JSON.parse(row.input_json) as unknown,
    }));
  }
}
