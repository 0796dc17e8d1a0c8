import { useMemo } from 'react';
import type { ConnectionState, HostView } from '../../../shared/hosts.js';
import { StateBadge, stateLabel } from '../components/StateBadge.js';
import { TableHead } from '../components/TableHead.js';
import type { HostsStore } from '../lib/hosts-store.js';
import { formatAgo } from '../lib/format.js';
import { NEEDS } from '../lib/roles.js';
import { href } from '../lib/router.js';
import { useCan } from '../lib/session.js';

const ORDER: ConnectionState[] = ['connected', 'connecting', 'backoff', 'failed', 'idle'];
const ATTENTION_LIMIT = 100;

export function Overview({ store }: { store: HostsStore }) {
  const canAdd = useCan(NEEDS.addHost);
  const canImport = useCan(NEEDS.importHosts);
  const { counts, attention, attentionTotal } = useMemo(() => {
    const counts: Record<ConnectionState, number> = { connected: 0, connecting: 0, backoff: 0, failed: 0, idle: 0 };
    const attention: HostView[] = [];
    let attentionTotal = 0;
    for (const h of store.hosts ?? []) {
      counts[h.connection.state]++;
      if (h.connection.state === 'failed' || h.connection.state === 'backoff') {
        attentionTotal++;
        if (attention.length < ATTENTION_LIMIT) attention.push(h);
      }
    }
    return { counts, attention, attentionTotal };
  }, [store.hosts]);

  if (store.hosts === null) return <div className="loading">{store.error ? `Could not load hosts: ${store.error.message}` : 'Loading hosts…'}</div>;

  if (store.hosts.length === 0)
    return (
      <section className="empty-state" data-testid="overview-empty">
        <h2>No hosts yet</h2>
        <p className="muted">
          Add a Linux host running Docker. The console connects over SSH, shows you the host's key fingerprint to confirm, and pins
          it.
        </p>
        <div className="actions">
          {canAdd ? (
            <a className="btn btn-primary" href={href.add} data-testid="empty-add-host">
              Add host
            </a>
          ) : null}
          {canImport ? (
            <a className="btn" href={href.import} data-testid="empty-import">
              Import from ~/.ssh/config
            </a>
          ) : null}
          {!canAdd ? <p className="muted">Ask an admin to add hosts.</p> : null}
        </div>
      </section>
    );

  return (
    <div className="overview">
      <section className="stat-row" aria-label="Hosts by connection state" data-testid="overview-counts">
        <div className="stat">
          <div className="stat-value">{store.hosts.length}</div>
          <div className="stat-label">hosts</div>
        </div>
        {ORDER.map((s) => (
          <div className={`stat stat-${s}`} key={s} data-testid={`overview-count-${s}`}>
            <div className="stat-value">{counts[s]}</div>
            <div className="stat-label">{stateLabel(s)}</div>
          </div>
        ))}
      </section>
      <section className="card">
        <h2 className="card-title">Needs attention</h2>
        {attention.length === 0 ? (
          <p className="muted">No host is failing or retrying its connection.</p>
        ) : (
          <>
            <table className="table" data-testid="attention-table">
              <TableHead labels={['Host', 'State', 'Since', 'Last error']} />
              <tbody>
                {attention.map((h) => (
                  <tr key={h.id}>
                    <td>
                      <a href={href.host(h.id)}>{h.name}</a>
                    </td>
                    <td>
                      <StateBadge state={h.connection.state} />
                    </td>
                    <td className="nowrap">{formatAgo(h.connection.since)}</td>
                    <td className="wrap-anywhere">{h.connection.lastError ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {attentionTotal > attention.length ? (
              <p className="muted small">
                Showing {attention.length} of {attentionTotal}.
              </p>
            ) : null}
          </>
        )}
      </section>
    </div>
  );
}
