import type { PosStatus } from '../../../shared/pos.js';
import { usePos } from '../app/context.js';
import { money } from '../lib/format.js';

type ParkedMove = NonNullable<NonNullable<PosStatus['cashMoves']>['parkedMoves']>[number];

/**
 * Cash moves Odoo refused, with its reason: recorded on the terminal, not in Odoo, and the
 * closing waits for them. Sent again once the cause is fixed (pos.requeue, as a parked order).
 */
export function ParkedCashMoves({ busy, run }: { busy: boolean; run: (label: string, action: () => Promise<string>) => Promise<void> }) {
  const { api, data, terminal } = usePos();
  const moves: ParkedMove[] = terminal.status?.cashMoves?.parkedMoves ?? [];
  const count = terminal.status?.cashMoves?.parked ?? moves.length;
  if (count === 0) return null;
  const label = (move: ParkedMove) => `Cash ${move.type} ${money(move.amount, data.currency)}`;
  return (
    <>
      <h3>Cash moves parked ({count})</h3>
      <p className="muted">Recorded here, refused by Odoo: the session closes once they are in Odoo.</p>
      <ul className="order-table" data-testid="parked-cash-moves">
        {moves.map((move) => (
          <li key={move.uid} className="order-table-row">
            <strong>{label(move)}</strong>
            <span>{move.reason}</span>
            <span className="error-line">{move.error}</span>
            <button type="button" className="btn" disabled={busy} onClick={() => void run(`requeue:${move.uid}`, async () => (await api.call('pos.requeue', { uid: move.uid }), `${label(move)} will be sent again.`))} data-testid={`requeue-cash-${move.uid.slice(0, 8)}`}>
              Send again
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
