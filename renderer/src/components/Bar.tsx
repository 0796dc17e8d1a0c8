import { formatBytes, percent } from '../lib/format.js';

/** A usage bar: used of total, amber from 80 %, red from 90 %. */
export function UsageBar({ label, used, total, detail, testId }: { label: string; used: number; total: number; detail?: string; testId?: string }) {
  const pct = percent(used, total);
  const level = pct >= 90 ? 'danger' : pct >= 80 ? 'warn' : 'ok';
  return (
    <div className="usage" data-testid={testId}>
      <div className="usage-head">
        <span className="usage-label">{label}</span>
        <span className="usage-figures">
          {formatBytes(used)} / {formatBytes(total)} <strong>{Math.round(pct)}%</strong>
        </span>
      </div>
      <div
        className={`bar bar-${level}`}
        role="meter"
        aria-label={`${label} used`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(pct)}
      >
        <div className="bar-fill" style={{ width: `${pct}%` }} />
      </div>
      {detail ? <div className="usage-detail">{detail}</div> : null}
    </div>
  );
}
