import { useCallback, useEffect, useState } from 'react';
import type { OpOutput } from '../../../shared/contract.js';
import { usePos } from '../app/context.js';
import { errorText } from '../lib/errors.js';
import { formatWhen } from '../lib/format.js';
import { AlertLine } from '../lib/FormLines.js';

type RestoreCheck = OpOutput<'pos.restoreCheck'>;

/**
 * What the terminal's check of its synced orders found: a tenant restored to an earlier backup
 * loses the orders synced after it, and the terminal sends those again (docs/pos.md, "After a restore").
 */
export function RestoreCheckPanel({ revision }: { revision: unknown }) {
  const { api } = usePos();
  const [check, setCheck] = useState<RestoreCheck | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    (now: boolean) => {
      setBusy(now);
      setError(null);
      api.call('pos.restoreCheck', now ? { now } : {}).then(setCheck, (e: unknown) => setError(errorText(e))).finally(() => setBusy(false));
    },
    [api],
  );
  useEffect(() => load(false), [load, revision]);
  const last = check?.last;
  return (
    <section aria-labelledby="restore-check-title" data-testid="restore-check">
      <h3 id="restore-check-title">Orders checked in Odoo</h3>
      <p className="muted">
        The orders synced in the last {check?.retentionDays ?? 30} days are looked up in Odoo every hour and whenever it answers again: any its database lost (restored from
        an earlier backup) is sent again, once.{' '}
        {last ? `Last check ${formatWhen(last.at)}: ${last.checked} order(s) looked up.` : 'Not checked yet.'}
      </p>
      <button type="button" className="btn" disabled={busy} onClick={() => load(true)} data-testid="restore-check-now">
        {busy ? 'Checking…' : 'Check now'}
      </button>
      {last?.refused ? (
        <p className="error-line" role="alert" data-testid="restore-check-refused">
          {last.refused}
        </p>
      ) : null}
      {last?.sessions.map((s) => (
        <p key={s.lost} className="notice" data-testid="restore-check-session">
          Odoo no longer has session {s.lost}: {s.into ? `its orders go to ${s.into}.` : 'its orders wait until a session is open in Odoo.'}
        </p>
      ))}
      {check?.waiting ? <p className="notice" data-testid="restore-check-waiting">{check.waiting} order(s) missing from Odoo wait for a session there to take them.</p> : null}
      {check?.resent.length ? (
        <>
          <p className="notice" data-testid="restore-check-resent">
            {check.resent.length} order(s) synced earlier were missing from Odoo and were sent again:
          </p>
          <ul className="order-table" data-testid="resent-list">
            {check.resent.map((o) => (
              <li key={o.name} className="order-table-row">
                <strong>{o.name}</strong>
                <span className="muted">
                  sent again {formatWhen(o.resentAt)} — {o.state === 'synced' ? 'in Odoo again' : o.state}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <AlertLine error={error} testId="restore-check-error" />
    </section>
  );
}
