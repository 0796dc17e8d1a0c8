import { useCallback, useState } from 'react';
import { useApi } from '../../../../ui-common/api/context.js';
import { UsageBar } from '../../components/Bar.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { formatBytes, formatTime } from '../../lib/format.js';
import { useIntervalRefresh } from '../../lib/use-interval-refresh.js';
import { useLoad } from '../../lib/use-load.js';

export const FIGURES_REFRESH_MS = 10_000;

/** Database and filestore sizes, CPU and memory of one tenant; refreshed every 10 s while visible. */
export function TenantFiguresCard({ hostId, name, version, limitSet }: { hostId: string; name: string; version: number; limitSet: boolean }) {
  const api = useApi();
  const [auto, setAuto] = useState(true);
  const fetchFigures = useCallback(() => api.call('tenants.figures', { hostId, name }), [api, hostId, name]);
  // Also after each lifecycle job (version changes).
  const { value: figures, error, loading, load } = useLoad(fetchFigures, { loadingAtFirst: true, reloadOn: version });
  useIntervalRefresh(load, FIGURES_REFRESH_MS, auto && error?.code !== 'NOT_FOUND');

  const f = figures;
  return (
    <section className="card tenant-figures" aria-label="Figures" data-testid="tenant-figures">
      <div className="section-head">
        <h3 className="card-title">Figures</h3>
        <div className="inline-row">
          <label className="inline-check small">
            <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.target.checked)} data-testid="figures-auto" />
            every {FIGURES_REFRESH_MS / 1000} s
          </label>
          <button type="button" className="btn btn-small" onClick={() => void load()} disabled={loading} data-testid="figures-refresh">
            {loading ? 'Measuring…' : 'Refresh figures'}
          </button>
        </div>
      </div>
      {error ? <ErrorBox error={error} compact testId="figures-error" /> : null}
      {f ? (
        <>
          <dl className="kv">
            <dt>Database</dt>
            <dd data-testid="figure-database">{f.databaseBytes === null ? '—' : formatBytes(f.databaseBytes)}</dd>
            <dt>Filestore</dt>
            <dd data-testid="figure-filestore">{f.filestoreBytes === null ? '—' : formatBytes(f.filestoreBytes)}</dd>
            <dt>CPU</dt>
            <dd data-testid="figure-cpu">{f.cpuPercent === null ? '— (not running)' : `${f.cpuPercent.toFixed(1)} %`}</dd>
            {f.memoryBytes === null || !f.memoryLimitBytes ? (
              <>
                <dt>Memory</dt>
                <dd data-testid="figure-memory">{f.memoryBytes === null ? '— (not running)' : formatBytes(f.memoryBytes)}</dd>
              </>
            ) : null}
          </dl>
          {f.memoryBytes !== null && f.memoryLimitBytes ? (
            <UsageBar label="Memory" used={f.memoryBytes} total={f.memoryLimitBytes} detail={limitSet ? "of the container's memory limit" : 'no memory limit set: of the memory Docker sees on the host'} testId="figure-memory" />
          ) : null}
          <div className="small muted" data-testid="figures-measured">
            measured {formatTime(f.measuredAt)}
          </div>
        </>
      ) : (
        <p className="muted">{loading ? 'Measuring…' : 'No figures.'}</p>
      )}
    </section>
  );
}
