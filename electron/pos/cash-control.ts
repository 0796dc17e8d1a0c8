import type Database from 'better-sqlite3';
import { FleetError } from '../../shared/errors.js';
import type { ClosingControlView, CloseSessionInput, ZReportView } from '../../shared/pos-cash.js';
import { asRecords, num, str } from '../../shared/pos/pos-data.js';
import { countedDifference, currencyRound, expectedCash, type SessionFigures } from '../../shared/pos/session-report.js';
import type { OdooClosingData } from './adapters.js';
import type { RecordedOrder } from './order-payloads.js';
import type { PosTerminal, TerminalSession } from './terminal.js';

// Cash control as Odoo's own opening and closing popups do it, enforced here so that every page
// and the CLI obey one rule: an opening count that differs from what Odoo expects, or a closing
// difference above the limit, is booked only with a note saying why. The closing's figures and
// the session's end-of-day (Z) report come from this terminal's frozen orders (shared/pos/
// session-report.ts); Odoo's own expected amounts for the whole session are preferred when it answers.

/** The largest closing difference accepted without a note when neither Odoo nor an admin sets one: any difference needs a note. */
export const DEFAULT_CASH_DIFFERENCE_LIMIT = 0;

type MethodKind = 'cash' | 'bank' | 'pay_later';

interface Control {
  view: ClosingControlView;
  figures: SessionFigures;
  orders: RecordedOrder[];
}

export class CashControl {
  private closing: Promise<{ closed: boolean; message: string; report: ZReportView }> | null = null;

  constructor(
    private readonly db: Database.Database,
    private readonly terminal: PosTerminal,
  ) {}

  /** Opens (or resumes) the session; a count that differs from Odoo's expected cash needs a note. */
  async open(input: { openingCash?: number | undefined; notes?: string | undefined }): Promise<TerminalSession> {
    const notes = input.notes?.trim() ?? '';
    const expected = await this.terminal.expectedOpeningCash();
    if (expected !== null && input.openingCash !== undefined) {
      const difference = countedDifference(input.openingCash, expected, this.rounding());
      if (difference !== 0 && !notes) {
        const booked = this.terminal.booksOpeningDifference() ? `which Odoo books as a cash ${difference > 0 ? 'profit' : 'loss'}` : 'which Odoo notes on the session';
        throw new FleetError('VALIDATION', `Counted ${this.money(input.openingCash)} where Odoo expects ${this.money(expected)}: a difference of ${this.money(difference)}, ${booked}. Say why in a note to open the session.`, { field: 'notes' });
      }
    }
    const session = await this.terminal.openSession(input.openingCash, notes);
    // Counted now (Odoo took it): kept for the closing and the Z report. A session resumed counts nothing.
    if (expected !== null) {
      const counted = input.openingCash ?? expected;
      this.db
        .prepare(
          `INSERT INTO session_cash (session_id, opening_expected, opening_counted, opening_notes) VALUES (?, ?, ?, ?)
           ON CONFLICT (session_id) DO UPDATE SET opening_expected = excluded.opening_expected, opening_counted = excluded.opening_counted, opening_notes = excluded.opening_notes`,
        )
        .run(session.id, expected, counted, notes);
    }
    return session;
  }

  /** What the closing screen shows before anything is counted. */
  async closingControl(): Promise<ClosingControlView> {
    const session = this.requireSession();
    return this.control(session, await this.odooFigures(session.id)).view;
  }

  /**
   * Closes the session with the counts: every difference is shown in the report, and any above the
   * limit needs a note. The Z report is stored before Odoo is asked (a killed process keeps it),
   * and marked closed once Odoo has closed the session.
   */
  /** `byManager`: a POS manager (or the terminal's admin) closes; only one may close above Odoo's maximum difference. */
  async close(input: CloseSessionInput, byManager = false): Promise<{ closed: boolean; message: string; report: ZReportView }> {
    // Two closings at once (two tabs, a double click) would each count and ask Odoo: one at a time.
    if (this.closing) throw new FleetError('CONFLICT', 'The session is being closed already: wait for that closing to finish.');
    this.closing = this.closeOnce(input, byManager);
    try {
      return await this.closing;
    } finally {
      this.closing = null;
    }
  }

  private async closeOnce(input: CloseSessionInput, byManager: boolean): Promise<{ closed: boolean; message: string; report: ZReportView }> {
    const session = this.requireSession();
    this.terminal.refuseWhileWaiting();
    const control = this.control(session, await this.odooFigures(session.id));
    const counted = this.withCounts(control.view, input);
    const notes = input.notes?.trim() ?? '';
    this.refuseUnexplained(counted, notes, byManager);
    const report = this.report(session, { ...control, view: counted }, notes);
    this.db
      // A report marked closed is final: never written over.
      .prepare('INSERT INTO session_cash (session_id, z_report) VALUES (?, ?) ON CONFLICT (session_id) DO UPDATE SET z_report = excluded.z_report WHERE session_cash.closed_at IS NULL')
      .run(session.id, JSON.stringify(report));
    const cash = counted.methods.find((m) => m.kind === 'cash');
    const bankDifferences = counted.methods.filter((m) => m.kind === 'bank').map((m): [number, number] => [m.id, m.difference ?? 0]);
    const result = await this.terminal.closeSession({ countedCash: cash?.counted ?? undefined, notes, bankDifferences });
    if (!result.closed) return { closed: false, message: result.message, report };
    const closed = { ...report, closedAt: new Date().toISOString() };
    this.db.prepare('UPDATE session_cash SET z_report = ?, closed_at = ? WHERE session_id = ?').run(JSON.stringify(closed), closed.closedAt, session.id);
    return { closed: true, message: result.message, report: closed };
  }

  /** The Z report of the last session closed here (null: none yet). */
  lastZReport(): ZReportView | null {
    const row = this.db.prepare('SELECT z_report FROM session_cash WHERE closed_at IS NOT NULL AND z_report IS NOT NULL ORDER BY closed_at DESC LIMIT 1').get() as { z_report: string } | undefined;
    return row ? (JSON.parse(row.z_report) as ZReportView) : null;
  }

  /** The terminal's own limit (used when Odoo sets none); null puts the default back. */
  setDifferenceLimit(amount: number | null): { amount: number } {
    if (amount === null) this.db.prepare('DELETE FROM cash_difference_limit').run();
    else this.db.prepare('INSERT INTO cash_difference_limit (id, amount, set_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET amount = excluded.amount, set_at = excluded.set_at').run(amount, new Date().toISOString());
    return { amount: this.terminalLimit() };
  }

  private terminalLimit(): number {
    return (this.db.prepare('SELECT amount FROM cash_difference_limit WHERE id = 1').get() as { amount: number } | undefined)?.amount ?? DEFAULT_CASH_DIFFERENCE_LIMIT;
  }

  private requireSession(): TerminalSession {
    const session = this.terminal.session();
    if (!session) throw new FleetError('VALIDATION', 'No open POS session.');
    return session;
  }

  /** Odoo's figures for the whole session, or null when Odoo does not answer (this terminal's are shown then). */
  private async odooFigures(sessionId: number): Promise<OdooClosingData | null> {
    try {
      return await this.terminal.odoo().closingControlData(sessionId);
    } catch {
      return null;
    }
  }

  private control(session: TerminalSession, odoo: OdooClosingData | null): Control {
    const rounding = this.rounding();
    const { figures, orders } = this.terminal.sessionFigures(session.id);
    const moves = figures.cashMoves;
    const opening = this.opening(session.id)?.counted ?? odoo?.cash?.opening ?? 0;
    const kinds = this.methodKinds();
    const firstCash = figures.byPaymentMethod.find((m) => m.isCash);
    const view: ClosingControlView = {
      sessionName: session.name,
      source: odoo ? 'odoo' : 'terminal',
      openingCash: opening,
      methods: figures.byPaymentMethod.map((m) => {
        const terminal = m === firstCash ? expectedCash(opening, figures, rounding) : m.amount;
        const fromOdoo = m === firstCash ? (odoo?.cash?.id === m.id ? odoo.cash.expected : undefined) : odoo?.others.find((o) => o.id === m.id)?.amount;
        const kind: MethodKind = m === firstCash ? 'cash' : m.isCash ? 'pay_later' : (kinds.get(m.id) ?? 'bank');
        return { id: m.id, name: m.name, kind, expected: currencyRound(odoo ? (fromOdoo ?? 0) : terminal, rounding), terminal, counted: null, difference: null };
      }),
      cashMoves: moves,
      limit: this.limit(odoo),
    };
    return { view, figures, orders };
  }

  /** Counted amounts and differences: cash as counted, bank methods as the statement says (expected when not given). */
  private withCounts(view: ClosingControlView, input: CloseSessionInput): ClosingControlView {
    const rounding = this.rounding();
    for (const given of input.counted ?? []) {
      const method = view.methods.find((m) => m.id === given.paymentMethodId);
      if (method?.kind !== 'bank') throw new FleetError('VALIDATION', `Payment method ${given.paymentMethodId} is not one whose amount is counted at closing here.`, { field: 'counted' });
    }
    const cashControl = asRecords(this.terminal.cached('pos.config'))[0]?.cash_control === true;
    const methods = view.methods.map((m) => {
      let counted: number | null = null;
      if (m.kind === 'cash') counted = input.countedCash ?? null;
      if (m.kind === 'bank') counted = input.counted?.find((c) => c.paymentMethodId === m.id)?.amount ?? m.expected;
      if (m.kind === 'cash' && counted === null && cashControl) throw new FleetError('VALIDATION', `Count the cash in the drawer: Odoo's cash control needs it (expected ${this.money(m.expected)}).`, { field: 'countedCash' });
      return { ...m, counted, difference: counted === null ? null : countedDifference(counted, m.expected, rounding) };
    });
    return { ...view, methods };
  }

  /**
   * Above the limit a note says why; above Odoo's own maximum difference, as Odoo's closing popup
   * has it, only a manager may close (a cashier is told to fetch one).
   */
  private refuseUnexplained(view: ClosingControlView, notes: string, byManager: boolean): void {
    const over = view.methods.filter((m) => m.difference !== null && currencyRound(Math.abs(m.difference) - view.limit.amount, this.rounding()) > 0);
    if (!over.length) return;
    const list = over.map((m) => `${m.name} ${this.money(m.difference!)}`).join(', ');
    if (view.limit.source === 'odoo' && !byManager) {
      throw new FleetError('FORBIDDEN', `Differences above the ${this.money(view.limit.amount)} Odoo allows (${list}): a manager must close this session (log in as a POS manager), or count again.`, { field: 'countedCash' });
    }
    if (!notes) throw new FleetError('VALIDATION', `Differences above ${this.money(view.limit.amount)} (${list}): say why in a note to close the session.`, { field: 'notes' });
  }

  /** Odoo's maximum difference (get_closing_control_data, else the cached config), else the terminal's. */
  private limit(odoo: OdooClosingData | null): ClosingControlView['limit'] {
    if (odoo?.authorizedDifference != null) return { amount: odoo.authorizedDifference, source: 'odoo' };
    const config = asRecords(this.terminal.cached('pos.config'))[0];
    if (!odoo && config?.set_maximum_difference === true && typeof config.amount_authorized_diff === 'number') return { amount: config.amount_authorized_diff, source: 'odoo' };
    return { amount: this.terminalLimit(), source: 'terminal' };
  }

  private report(session: TerminalSession, control: Control, notes: string): ZReportView {
    const { view, figures, orders } = control;
    const opening = this.opening(session.id);
    const currency = asRecords(this.terminal.cached('res.currency'))[0];
    const cashiers = [...new Set(orders.map((o) => this.terminal.soldBy(o.employeeId, o.userId)).filter((n): n is string => n !== null))];
    return {
      sessionId: session.id,
      sessionName: session.name,
      configName: this.terminal.pairing()?.configName ?? null,
      openedAt: session.openedAt,
      closedAt: null,
      cashiers,
      orders: figures.orders,
      total: figures.total,
      opening: {
        expected: opening?.expected ?? null,
        counted: view.openingCash,
        difference: opening?.expected == null ? 0 : countedDifference(view.openingCash, opening.expected, this.rounding()),
        notes: opening?.notes ?? '',
      },
      closing: { source: view.source, notes },
      byPaymentMethod: view.methods.map((m) => {
        const taken = figures.byPaymentMethod.find((f) => f.id === m.id);
        return { id: m.id, name: m.name, kind: m.kind, amount: taken?.amount ?? 0, count: taken?.count ?? 0, expected: m.expected, counted: m.counted, difference: m.difference };
      }),
      byTax: figures.byTax,
      refunds: figures.refunds,
      discounts: figures.discounts,
      cashMoves: view.cashMoves,
      currency: { symbol: str(currency?.symbol) || str(currency?.name), decimals: num(currency?.decimal_places, 2), position: currency?.position === 'after' ? 'after' : 'before' },
    };
  }

  private opening(sessionId: number): { expected: number | null; counted: number | null; notes: string } | null {
    const row = this.db.prepare('SELECT opening_expected, opening_counted, opening_notes FROM session_cash WHERE session_id = ?').get(sessionId) as { opening_expected: number | null; opening_counted: number | null; opening_notes: string } | undefined;
    return row && row.opening_counted !== null ? { expected: row.opening_expected, counted: row.opening_counted, notes: row.opening_notes } : null;
  }

  /** pos.payment.method.type as Odoo computes it: cash, bank (a journal), pay_later (none). */
  private methodKinds(): Map<number, MethodKind> {
    return new Map(
      asRecords(this.terminal.cached('pos.payment.method')).map((m) => {
        const kind: MethodKind = m.type === 'cash' || m.type === 'pay_later' ? m.type : m.split_transactions === true ? 'pay_later' : 'bank';
        return [Number(m.id), kind];
      }),
    );
  }

  private rounding(): number {
    const rounding = num(asRecords(this.terminal.cached('res.currency'))[0]?.rounding, 0.01);
    return rounding > 0 ? rounding : 0.01;
  }

  private money(amount: number): string {
    const decimals = num(asRecords(this.terminal.cached('res.currency'))[0]?.decimal_places, 2);
    return currencyRound(amount, this.rounding()).toFixed(Math.min(Math.max(decimals, 0), 6));
  }
}

