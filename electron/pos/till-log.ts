import type { Logger } from '../common/log.js';
import type { Pairing, TerminalSession } from './terminal.js';

// What the shop's log (logs/pos.log) records of the till's life besides the sync rounds
// (sync-engine.ts): pairing, and each session's opening and closing, whichever face asked —
// and each failure of them, with Odoo's reason. Never a secret: the Odoo login's password or
// key is not among the fields, and the URL is reduced to its origin.

/** Runs `work`, then logs `what` with the figures `describe` picks, or its failure. */
export async function logged<T>(log: Logger, what: string, work: Promise<T>, describe: (value: T) => Record<string, unknown>): Promise<T> {
  try {
    const value = await work;
    log.info(what, describe(value));
    return value;
  } catch (error) {
    log.warn(`${what}: failed`, { error: (error as Error).message });
    throw error;
  }
}

export function pairingFigures({ pairing }: { pairing: Pairing }): Record<string, unknown> {
  return { odoo: originOf(pairing.url), database: pairing.database, login: pairing.login, version: pairing.serverVersion, config: pairing.configName ?? pairing.configId };
}

export function openedSessionFigures(session: TerminalSession): Record<string, unknown> {
  return { session: session.name, sessionId: session.id, state: session.state, loginNumber: session.loginNumber };
}

export function closingFigures(closed: { closed: boolean; message: string; report: { orders: number; total: number } }): Record<string, unknown> {
  return { closed: closed.closed, message: closed.message, orders: closed.report.orders, total: closed.report.total };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(not a URL)';
  }
}
