import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import { FleetError } from '../../shared/errors.js';
import type { OdooRecord } from '../../shared/pos/pos-data.js';
import { cashierAuthority } from '../../shared/pos/sale-check.js';

// Who sells at this terminal is the server's to say: a cashier logs in here (pos_hr PIN or badge,
// or the paired POS user where there are no employees), the login is kept in the store, and every
// sale is attributed to it — never to an id a page sends. Wrong PINs and badges are counted per
// cashier and kept across restarts: a few are free, then each waits longer, then the cashier is
// locked until a POS manager (pos_hr) lifts it at the terminal, or an admin does.

/** Wrong PINs in a row answered at once; after that each waits, doubling from 1 s to a minute. */
export const FREE_FAILURES = 3;
/** Wrong PINs in a row that lock a cashier (a 4-digit PIN: 10 guesses in 10,000). */
export const LOCK_AFTER_FAILURES = 10;
const MAX_DELAY_MS = 60_000;
/** Unknown badges are counted together: delayed the same way, never locked (nobody to lock). */
const BADGE_SUBJECT = 'badge';

export interface Cashier {
  name: string;
  userId: number;
  employeeId: number | null;
  /** pos_hr's manager role (the employee's user has the POS manager group). */
  manager: boolean;
}

export interface CashierLock {
  employeeId: number;
  name: string;
  failures: number;
  locked: boolean;
  /** How long until the next attempt is heard (0: now). */
  retryAfterMs: number;
}

interface Employee {
  id: number;
  name: string;
  pin?: string | false;
  barcode?: string | false;
}

export interface CashierDeps {
  /** The cached pos_hr employees (empty without pos_hr). */
  employees(): Employee[];
  /** The cached POS users (with their POS role, as Odoo loads them). */
  users(): OdooRecord[];
  /** The paired POS user and the open session, or null. */
  pairing(): { uid: number; login: string } | null;
  sessionId(): number | null;
  now?: () => number;
}

/** How long a subject with this many failures in a row waits before its next attempt is heard. */
export function delayAfter(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(MAX_DELAY_MS, 1000 * 2 ** (failures - FREE_FAILURES));
}

const sha1 = (text: string) => crypto.createHash('sha1').update(text).digest('hex');

export class Cashiers {
  private readonly now: () => number;

  constructor(
    private readonly db: Database.Database,
    private readonly deps: CashierDeps,
  ) {
    this.now = deps.now ?? Date.now;
  }

  /** Whether Odoo's POS counts them a manager: the price check's own rule (shared/pos/sale-check.ts). */
  private isManager(who: { userId: number; employeeId: number | null }): boolean {
    return cashierAuthority(who, { employees: this.deps.employees() as unknown as OdooRecord[], users: this.deps.users() }).isManager;
  }

  /** The cashier logged in for the open session, if any (and still one of the terminal's). */
  current(): Cashier | null {
    const row = this.db.prepare('SELECT * FROM cashier_login WHERE id = 1').get() as { session_id: number; user_id: number; employee_id: number | null; name: string; manager: number } | undefined;
    if (!row || row.session_id !== this.deps.sessionId()) return null;
    if (row.employee_id !== null && !this.deps.employees().some((e) => e.id === row.employee_id)) return null;
    return { name: row.name, userId: row.user_id, employeeId: row.employee_id, manager: row.manager === 1 };
  }

  /** The cashier sales are attributed to; refused when nobody is logged in. */
  require(): Cashier {
    const cashier = this.current();
    if (!cashier) throw new FleetError('FORBIDDEN', 'No cashier is logged in at this terminal: log in to sell.', { cashier: null });
    return cashier;
  }

  /**
   * A cashier starts: an employee by PIN (sha1 of it, as pos_hr loads it) or badge, or the paired
   * POS user where the configuration has no employees. Works offline.
   */
  login(input: { employeeId?: number | undefined; userId?: number | undefined; pin?: string | undefined; badge?: string | undefined }): Cashier {
    const pairing = this.deps.pairing();
    const sessionId = this.deps.sessionId();
    if (!pairing || sessionId === null) throw new FleetError('VALIDATION', 'Open a POS session first.');
    const employees = this.deps.employees();
    let cashier: Cashier;
    if (input.badge !== undefined) cashier = this.byBadge(employees, pairing.uid, input.badge, input.pin);
    else if (input.employeeId !== undefined) cashier = this.byPin(employees, pairing.uid, input.employeeId, input.pin);
    else if (employees.length > 0) throw new FleetError('VALIDATION', 'Choose who is selling (this configuration sells by employee).');
    else if (input.userId !== undefined && input.userId !== pairing.uid) throw new FleetError('FORBIDDEN', 'Only the paired POS user can sell without an employee PIN.');
    else cashier = { name: pairing.login, userId: pairing.uid, employeeId: null, manager: this.isManager({ userId: pairing.uid, employeeId: null }) };
    this.db
      .prepare(
        `INSERT INTO cashier_login (id, session_id, user_id, employee_id, name, manager, since) VALUES (1, @sessionId, @userId, @employeeId, @name, @manager, @since)
         ON CONFLICT (id) DO UPDATE SET session_id = excluded.session_id, user_id = excluded.user_id, employee_id = excluded.employee_id, name = excluded.name, manager = excluded.manager, since = excluded.since`,
      )
      .run({ sessionId, userId: cashier.userId, employeeId: cashier.employeeId, name: cashier.name, manager: cashier.manager ? 1 : 0, since: new Date(this.now()).toISOString() });
    return cashier;
  }

  logout(): void {
    this.db.prepare('DELETE FROM cashier_login WHERE id = 1').run();
  }

  /** Cashiers with wrong PINs counted against them: waiting, or locked until a manager lifts it. */
  locks(): CashierLock[] {
    const names = new Map(this.deps.employees().map((e) => [e.id, e.name]));
    const rows = this.db.prepare("SELECT subject, failures, last_failure_at, locked_at FROM login_failures WHERE subject LIKE 'employee:%'").all() as FailureRow[];
    return rows.map((row) => {
      const employeeId = Number(row.subject.slice('employee:'.length));
      return { employeeId, name: names.get(employeeId) ?? `Employee ${employeeId}`, failures: row.failures, locked: row.locked_at !== null, retryAfterMs: row.locked_at !== null ? 0 : this.waitFor(row) };
    });
  }

  /**
   * Lifts a cashier's lock (and delay): by a pos_hr manager who types their own PIN here — their
   * attempts count like anyone's — or by an admin of the terminal (its OS account: the CLI).
   */
  unlock(employeeId: number, by: { manager: { employeeId: number; pin: string } } | { admin: true }): { unlocked: string } {
    const employee = this.deps.employees().find((e) => e.id === employeeId);
    if (!employee) throw new FleetError('NOT_FOUND', `No cashier ${employeeId} on this terminal (refresh the POS data?).`);
    if ('manager' in by) {
      const manager = this.deps.employees().find((e) => e.id === by.manager.employeeId);
      if (!manager || !this.isManager({ userId: this.deps.pairing()?.uid ?? 0, employeeId: manager.id })) throw new FleetError('FORBIDDEN', 'Only a POS manager can lift a lock.');
      if (!manager.pin) throw new FleetError('FORBIDDEN', `${manager.name} has no PIN: a manager proves who they are with one (set it in Odoo).`);
      this.checkPin(manager, by.manager.pin);
    }
    this.db.prepare('DELETE FROM login_failures WHERE subject = ?').run(`employee:${employeeId}`);
    return { unlocked: employee.name };
  }

  private byBadge(employees: Employee[], uid: number, badge: string, pin: string | undefined): Cashier {
    this.refuseWhileWaiting(BADGE_SUBJECT, null);
    const hash = sha1(badge);
    const employee = employees.find((e) => e.barcode && e.barcode === hash);
    if (!employee) {
      this.fail(BADGE_SUBJECT, false);
      throw new FleetError('NOT_FOUND', 'No cashier has this badge on this terminal (refresh the POS data?).');
    }
    this.clear(BADGE_SUBJECT);
    // pos_hr: the PIN still applies after a badge.
    if (employee.pin && pin === undefined) throw new FleetError('VALIDATION', `Enter the PIN of ${employee.name}.`, { employeeId: employee.id, needsPin: true });
    return this.byPin(employees, uid, employee.id, pin);
  }

  private byPin(employees: Employee[], uid: number, employeeId: number, pin: string | undefined): Cashier {
    const employee = employees.find((e) => e.id === employeeId);
    if (!employee) throw new FleetError('NOT_FOUND', 'No such cashier on this terminal (refresh the POS data?).');
    if (employee.pin) this.checkPin(employee, pin ?? '');
    // As Odoo's pos_hr: the order's user is the session's (the paired user), its employee the cashier.
    return { name: employee.name, userId: uid, employeeId: employee.id, manager: this.isManager({ userId: uid, employeeId: employee.id }) };
  }

  /** An employee's PIN, counted: refused unheard while locked or waiting, each failure remembered. */
  private checkPin(employee: Employee, pin: string): void {
    const subject = `employee:${employee.id}`;
    this.refuseWhileWaiting(subject, employee.name);
    if (sha1(pin) !== employee.pin) {
      const failures = this.fail(subject, true);
      const left = LOCK_AFTER_FAILURES - failures;
      if (left <= 0) throw new FleetError('LOCKED_OUT', `Wrong PIN. ${employee.name} is locked after ${LOCK_AFTER_FAILURES} wrong PINs in a row: a POS manager must unlock them.`, { employeeId: employee.id });
      throw new FleetError('AUTH_FAILED', `Wrong PIN.${left <= 3 ? ` ${left} more wrong PIN${left === 1 ? '' : 's'} lock ${employee.name}.` : ''}`, { employeeId: employee.id, retryAfterMs: delayAfter(failures) });
    }
    this.clear(subject);
  }

  private refuseWhileWaiting(subject: string, name: string | null): void {
    const row = this.db.prepare('SELECT * FROM login_failures WHERE subject = ?').get(subject) as FailureRow | undefined;
    if (!row) return;
    if (row.locked_at !== null) throw new FleetError('LOCKED_OUT', `${name ?? 'This cashier'} is locked after ${LOCK_AFTER_FAILURES} wrong PINs in a row: a POS manager must unlock them.`, { locked: true });
    const wait = this.waitFor(row);
    if (wait > 0) throw new FleetError('RATE_LIMITED', `Too many wrong ${name ? 'PINs' : 'badges'} in a row: try again in ${Math.ceil(wait / 1000)} s.`, { retryAfterMs: wait });
  }

  private waitFor(row: FailureRow): number {
    if (row.locked_at !== null) return Number.POSITIVE_INFINITY;
    return Math.max(0, Date.parse(row.last_failure_at) + delayAfter(row.failures) - this.now());
  }

  /** One more failure in a row; returns how many. */
  private fail(subject: string, canLock: boolean): number {
    const at = new Date(this.now()).toISOString();
    const row = this.db
      .prepare(
        `INSERT INTO login_failures (subject, failures, last_failure_at) VALUES (?, 1, ?)
         ON CONFLICT (subject) DO UPDATE SET failures = failures + 1, last_failure_at = excluded.last_failure_at
         RETURNING failures`,
      )
      .get(subject, at) as { failures: number };
    if (canLock && row.failures >= LOCK_AFTER_FAILURES) this.db.prepare('UPDATE login_failures SET locked_at = ? WHERE subject = ?').run(at, subject);
    return row.failures;
  }

  private clear(subject: string): void {
    this.db.prepare('DELETE FROM login_failures WHERE subject = ?').run(subject);
  }
}

interface FailureRow {
  subject: string;
  failures: number;
  last_failure_at: string;
  locked_at: string | null;
}
