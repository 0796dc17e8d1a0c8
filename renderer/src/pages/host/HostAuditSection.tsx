import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { OpOutput } from '../../../../shared/contract.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { ReloadButton } from '../../components/ReloadButton.js';
import { VirtualTable, type Column } from '../../components/VirtualList.js';
import { toFleetError, type FleetError } from '../../lib/errors.js';
import { formatDateTime, formatTime } from '../../lib/format.js';

// The host's shared audit trail (hosts.audit): what every console did to this host, kept in the
// host's own fleet database. Virtualized: a busy host has thousands of entries.

type Entry = OpOutput<'hosts.audit'>[number];

const LIMITS = [200, 1000] as const;
const ROW_H = 28;
const MAX_VISIBLE = 12;

function inputText(v: unknown): string {
  if (v === undefined || v === null) return '';
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

export function HostAuditSection({ hostId, reloadKey }: { hostId: string; reloadKey: number }) {
  const api = useApi();
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [error, setError] = useState<FleetError | null>(null);
  const [loading, setLoading] = useState(false);
  const [limit, setLimit] = useState<number>(LIMITS[0]);
  const [loadedAt, setLoadedAt] = useState<string | null>(null);
  const seq = useRef(0);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const list = await api.call('hosts.audit', { id: hostId, limit });
      if (mine !== seq.current) return;
      setEntries(list);
      setError(null);
      setLoadedAt(new Date().toISOString());
    } catch (e) {
      if (mine === seq.current) setError(toFleetError(e));
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [api, hostId, limit]);

  useEffect(() => {
    void load();
  }, [load, reloadKey]);

  // No database server: the trail has nowhere to live. The server says so; show it as a note.
  const noDbServer = error?.code === 'VALIDATION';
  const columns = useMemo(() => auditColumns(hostId), [hostId]);
  const rows = entries ?? [];

  return (
    <section className="card host-audit" aria-label="Shared audit trail" data-testid="host-audit-section">
      <div className="section-head">
        <h3 className="card-title">
          Audit trail on this host{' '}
          <span className="muted small" data-testid="host-audit-count">
            {entries ? `${entries.length}${entries.length === limit ? '+' : ''}` : ''}
          </span>
        </h3>
        <div className="inline-row">
          {loadedAt ? <span className="small muted">{formatTime(loadedAt)}</span> : null}
          <select
            className="select-small"
            value={limit}
            onChange={(e) => setLimit(Number(e.target.value))}
            aria-label="How many entries"
            data-testid="host-audit-limit"
            disabled={noDbServer}
          >
            {LIMITS.map((l) => (
              <option key={l} value={l}>
                last {l}
              </option>
            ))}
          </select>
          <ReloadButton loading={loading} onReload={() => void load()} label="Refresh" busyLabel="Loading…" small testId="host-audit-refresh" />
        </div>
      </div>
      <p className="small muted">What every console and face did to this host, newest first, from the host’s fleet database. Secrets are redacted.</p>
      {noDbServer ? (
        <p className="notice small" data-testid="host-audit-unavailable">
          {error?.message}
        </p>
      ) : error ? (
        <ErrorBox error={error} compact testId="host-audit-error" />
      ) : null}
      {!noDbServer ? (
        <VirtualTable
          className="containers-table host-audit-table"
          ariaLabel="Audit trail on this host"
          testId="host-audit-table"
          items={rows}
          rowHeight={ROW_H}
          minWidth={720}
          height={Math.max(3, Math.min(rows.length, MAX_VISIBLE)) * ROW_H + 30 + 2}
          getKey={(a) => `${a.consoleId}/${a.id}`}
          rowTestId={(a) => `host-audit-row-${a.id}`}
          rowClassName={(a) => (a.outcome === 'ok' ? undefined : 'is-unhealthy')}
          columns={columns}
          empty={entries ? 'Nothing recorded yet.' : loading ? 'Loading…' : ''}
        />
      ) : null}
    </section>
  );
}

function targetText(target: string | null, hostId: string): string {
  if (!target) return '—';
  if (target === hostId) return 'this host';
  return target;
}

function auditColumns(hostId: string): readonly Column<Entry>[] {
  return [
    { key: 'at', title: 'When', width: '136px', render: (a) => formatDateTime(a.at), tooltip: (a) => a.at, className: 'nowrap' },
    { key: 'actor', title: 'Actor', width: 'minmax(80px, 1fr)', render: (a) => a.actor, tooltip: (a) => a.actor },
    { key: 'role', title: 'Role', width: '64px', className: 'small', render: (a) => a.role },
    {
      key: 'operation',
      title: 'Operation',
      width: 'minmax(120px, 1.3fr)',
      className: 'mono',
      render: (a) => <span data-testid="host-audit-operation">{a.operation}</span>,
      tooltip: (a) => `${a.operation} ${inputText(a.input)}`,
    },
    { key: 'target', title: 'Target', width: 'minmax(80px, 1fr)', render: (a) => targetText(a.target, hostId), tooltip: (a) => a.target ?? '' },
    {
      key: 'outcome',
      title: 'Outcome',
      width: '96px',
      render: (a) => (
        <span data-testid="host-audit-outcome" data-outcome={a.outcome}>
          <span className={`outcome outcome-${a.outcome}`}>{a.outcome}</span>
          {a.errorCode ? <code className="small"> {a.errorCode}</code> : null}
        </span>
      ),
      tooltip: (a) => (a.errorCode ? `${a.outcome} ${a.errorCode}` : a.outcome),
    },
    { key: 'console', title: 'Console', width: '74px', className: 'mono', render: (a) => a.consoleId.slice(0, 8), tooltip: (a) => a.consoleId },
  ];
}
