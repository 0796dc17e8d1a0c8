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

/** The console's own audit trail: append-only, inputs stored with secrets redacted. */
export class AuditLog {
  constructor(private readonly db: Store) {}

  append(record: AuditRecord): number {
    const result = this.db
      .prepare('INSERT INTO audit (at, actor, role, operation, target, outcome, error_code, input_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(new Date().toISOString(), record.actor, record.role, record.operation, record.target, record.outcome, record.errorCode, JSON.stringify(redactSecrets(record.input) ?? null));
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
