import { Fragment, useCallback, useEffect, useState } from 'react';
import type { AuditEntry } from '../../../shared/contract.js';
import { useApi } from '../../../ui-common/api/context.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { TableHead } from '../components/TableHead.js';
import { toFleetError, type FleetError } from '../lib/errors.js';
import { formatDateTime } from '../lib/format.js';

const PAGE = 200;

function inputText(v: unknown): string {
  if (v === undefined || v === null) return '';
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

export function AuditPage({ hostName }: { hostName: (id: string) => string | undefined }) {
  const api = useApi();
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [state, setState] = useState<{ loading: boolean; error: FleetError | null; done: boolean }>({ loading: true, error: null, done: false });
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const toggle = (id: number) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  const load = useCallback(
    (before?: number) => {
      setState((s) => ({ ...s, loading: true, error: null }));
      const input: { limit: number; before?: number } = { limit: PAGE };
      if (before !== undefined) input.before = before;
      api.call('audit.list', input).then(
        (page) => {
          setEntries((prev) => (before === undefined ? page : [...prev, ...page]));
          setState({ loading: false, error: null, done: page.length < PAGE });
        },
        (e: unknown) => setState((s) => ({ ...s, loading: false, error: toFleetError(e) })),
      );
    },
    [api],
  );

  useEffect(() => load(), [load]);

  const last = entries[entries.length - 1];

  return (
    <div className="audit-page">
      <div className="inline-row">
        <p className="muted grow">Every audited call this console made or refused, newest first. Secrets are redacted.</p>
        <button type="button" className="btn" onClick={() => load()} disabled={state.loading} data-testid="audit-refresh">
          Refresh
        </button>
      </div>
      {state.error ? <ErrorBox error={state.error} testId="audit-error" /> : null}
      <div className="table-wrap">
        <table className="table table-dense table-fixed" data-testid="audit-table">
          <colgroup>
            <col className="w-time" />
            <col className="w-actor" />
            <col className="w-op" />
            <col className="w-target" />
            <col className="w-outcome" />
            <col />
          </colgroup>
          <TableHead labels={['Time', 'Actor', 'Operation', 'Target', 'Outcome', 'Input']} />
          <tbody>
            {entries.map((a) => {
              const text = inputText(a.input);
              const expanded = open.has(a.id);
              return (
                <Fragment key={a.id}>
                  <tr data-testid={`audit-row-${a.id}`} className={expanded ? 'is-open' : undefined} onClick={() => toggle(a.id)}>
                    <td className="ellipsis-cell" title={a.at}>
                      {formatDateTime(a.at)}
                    </td>
                    <td className="ellipsis-cell" title={`${a.actor} (${a.role})`}>
                      {a.actor}
                    </td>
                    <td className="mono ellipsis-cell" title={a.operation}>
                      {a.operation}
                    </td>
                    <td className="ellipsis-cell" title={a.target ?? ''}>
                      {a.target ? (hostName(a.target) ?? <span className="mono">{a.target}</span>) : '—'}
                    </td>
                    <td className="ellipsis-cell" title={a.errorCode ? `${a.outcome} ${a.errorCode}` : a.outcome}>
                      <span className={`outcome outcome-${a.outcome}`}>{a.outcome}</span>
                      {a.errorCode ? <code className="small"> {a.errorCode}</code> : null}
                    </td>
                    <td className="mono small ellipsis-cell">
                      <button
                        type="button"
                        className="link-button"
                        aria-expanded={expanded}
                        onClick={(e) => {
                          e.stopPropagation();
                          toggle(a.id);
                        }}
                      >
                        {text || '—'}
                      </button>
                    </td>
                  </tr>
                  {expanded ? (
                    <tr className="audit-detail" data-testid={`audit-detail-${a.id}`}>
                      <td colSpan={6}>
                        <div className="small muted">
                          {a.at} · {a.actor} ({a.role}) · {a.operation}
                          {a.target ? ` · ${a.target}` : ''}
                        </div>
                        <pre>{JSON.stringify(a.input, null, 2)}</pre>
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      {!state.loading && entries.length === 0 && !state.error ? <p className="muted">Nothing recorded yet.</p> : null}
      <div className="actions">
        {state.loading ? <span className="muted">Loading…</span> : null}
        {!state.loading && !state.done && last ? (
          <button type="button" className="btn" onClick={() => load(last.id)} data-testid="audit-more">
            Load older
          </button>
        ) : null}
      </div>
    </div>
  );
}
