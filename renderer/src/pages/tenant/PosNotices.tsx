import { useEffect, useState } from 'react';
import type { PosActivity, PosOrdersAfterBackup } from '../../../../shared/tenants-pos.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { formatDateTime } from '../../lib/format.js';

type Action = 'restore' | 'update' | 'decommission';

/** What each action means for the tills (docs/pos.md, "After a restore"). */
const CONSEQUENCE: Record<Action, string> = {
  restore:
    'The restore loses every order synced after the backup. Fleet POS terminals send those again by themselves once the tenant answers; Odoo gives their names (Shop/0049…) out again. Orders from Odoo’s own POS in a browser are lost.',
  update: 'The tills lose Odoo while it restarts; Fleet POS terminals keep selling and send their orders once it answers again.',
  decommission: 'Close these sessions on their tills first: orders still waiting on a terminal cannot reach a removed tenant.',
};

/**
 * The sessions open on a tenant's tills and their last orders, read as the tenant when a restore,
 * update or decommission dialog opens.
 */
export function PosSessionsNotice({ hostId, name, action }: { hostId: string; name: string; action: Action }) {
  const api = useApi();
  const [activity, setActivity] = useState<PosActivity | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.call('tenants.posActivity', { hostId, name }).then(
      (found) => live && setActivity(found),
      (e: unknown) => live && setError((e as Error).message),
    );
    return () => {
      live = false;
    };
  }, [api, hostId, name]);
  if (error) return <p className="small muted" data-testid="pos-sessions-error">The tenant’s point of sale could not be read: {error}</p>;
  if (!activity?.installed) return null;
  if (activity.openSessions.length === 0) {
    return (
      <p className="small muted" data-testid="pos-sessions">
        Point of sale: no session is open on the tenant’s tills (last order {formatDateTime(activity.lastOrderAt)}).
      </p>
    );
  }
  return (
    <div className="notice small" data-testid="pos-sessions">
      <p>
        <strong>Point of sale: {activity.openSessions.length} session(s) open</strong> on the tenant’s tills, last order {formatDateTime(activity.lastOrderAt)}.
      </p>
      <ul>
        {activity.openSessions.map((s) => (
          <li key={s.name} data-testid="pos-session">
            <span className="mono">{s.name}</span>
            {s.config ? ` (${s.config})` : ''}: opened {formatDateTime(s.openedAt)}, {s.orders} order(s), last {formatDateTime(s.lastOrderAt)}
          </li>
        ))}
      </ul>
      <p>{CONSEQUENCE[action]}</p>
    </div>
  );
}

/** After a restore: the POS orders it lost, which Fleet POS terminals send again, and the names Odoo gives out again. */
export function PosAfterRestoreNotice({ pos }: { pos: PosOrdersAfterBackup }) {
  if (pos.count === 0 && pos.lostSessions.length === 0) return null;
  return (
    <div className="notice small" data-testid="restore-pos">
      <p>
        <strong>{pos.count} POS order(s)</strong> synced after the backup{pos.since ? ` (its newest order: ${formatDateTime(pos.since)})` : ''} are not in the
        restored database. Fleet POS terminals send them again by themselves once the tenant answers:
      </p>
      <ul data-testid="restore-pos-orders">
        {pos.orders.map((o) => (
          <li key={`${o.reference ?? ''}/${o.name}`}>
            <span className="mono">{o.reference ?? '(no reference)'}</span> — was {o.name}
            {o.session ? ` in ${o.session}` : ''}
          </li>
        ))}
        {pos.count > pos.orders.length ? <li>…and {pos.count - pos.orders.length} more</li> : null}
      </ul>
      {pos.lostSessions.length ? <p>Sessions the restored database lacks: {pos.lostSessions.join(', ')} (their orders go to a rescue session on Odoo 16/17, the open session on 18).</p> : null}
      {pos.reissuedNames.length ? (
        <p data-testid="restore-pos-reissued">
          Odoo will give these names out again, to other orders: <span className="mono">{pos.reissuedNames.join(', ')}</span>. Match receipts by the terminal’s reference.
        </p>
      ) : null}
    </div>
  );
}
