import { useCallback, useEffect, useState } from 'react';
import type { OpOutput } from '../../../shared/contract.js';
import { usePos } from '../app/context.js';
import { errorText } from '../lib/errors.js';
import { money } from '../lib/format.js';
import { AlertLine } from '../lib/FormLines.js';

type ParkedRecord = OpOutput<'pos.parkedRecords'>[number];

/**
 * Cash moves and customers Odoo refused: shown with its reason (the closing waits for them), each
 * sent again once the cause is fixed. Nothing is shown while there are none.
 */
export function ParkedRecords() {
  const { api, data, terminal } = usePos();
  const [records, setRecords] = useState<ParkedRecord[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const status = terminal.status;

  const load = useCallback(() => {
    api.call('pos.parkedRecords', {}).then(setRecords, (e: unknown) => setError(errorText(e)));
  }, [api]);
  // Every sync round (a new sync state) may have parked one or sent one.
  useEffect(load, [load, status?.sync]);

  const requeue = (record: ParkedRecord) => {
    setBusy(record.uid);
    setError(null);
    api
      .call('pos.requeue', { uid: record.uid })
      .catch((e: unknown) => setError(errorText(e)))
      .finally(() => {
        setBusy(null);
        load();
      });
  };

  if (records.length === 0 && !error) return null;
  return (
    <>
      <h3>Cash moves and customers parked ({records.length})</h3>
      <p className="muted">Odoo refused these; the session cannot close until they are sent. Fix the cause, then send again.</p>
      <AlertLine error={error} testId="parked-records-error" />
      <ul className="order-table" data-testid="parked-records">
        {records.map((r) => (
          <li key={r.uid} className="order-table-row" data-testid={`parked-record-${r.kind}`}>
            <strong>{r.label}</strong>
            <span>{r.amount === null ? 'customer' : money(r.amount, data.currency)}</span>
            <span className="error-line">{r.lastError}</span>
            <button type="button" className="btn" disabled={busy !== null} onClick={() => requeue(r)} data-testid={`requeue-record-${r.uid}`}>
              Send again
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
