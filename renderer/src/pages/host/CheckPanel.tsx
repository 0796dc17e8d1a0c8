import type { CheckStep, HostCheck } from '../../../../shared/hosts.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import type { FleetError } from '../../lib/errors.js';

const STEP_LABEL: Record<CheckStep['step'], string> = {
  connect: 'SSH connection',
  os: 'Operating system',
  docker: 'Docker',
  postgres: 'PostgreSQL',
  resources: 'Disk and memory',
};

const ICON: Record<CheckStep['status'], string> = { ok: '✓', warn: '!', fail: '✕', skipped: '–' };
const STATUS_WORD: Record<CheckStep['status'], string> = { ok: 'passed', warn: 'warning', fail: 'failed', skipped: 'skipped' };

export function CheckPanel({
  running,
  result,
  error,
  onClose,
}: {
  running: boolean;
  result: HostCheck | null;
  error: FleetError | null;
  onClose: () => void;
}) {
  return (
    <section className="card check-card" aria-label="Host check" aria-busy={running} data-testid="check-result" data-ok={result ? String(result.ok) : undefined}>
      <div className="card-head">
        <h3 className="card-title">
          Host check{' '}
          {running ? (
            <span className="muted">running…</span>
          ) : result ? (
            <span className={result.ok ? 'text-ok' : 'text-fail'} data-testid="check-summary">
              {result.ok ? 'all good' : 'problems found'}
            </span>
          ) : null}
        </h3>
        {!running ? (
          <button type="button" className="btn btn-small btn-ghost" onClick={onClose} aria-label="Close the check results">
            Close
          </button>
        ) : null}
      </div>
      {running ? <div className="progress-line" aria-hidden="true" /> : null}
      {error ? <ErrorBox error={error} testId="check-error" /> : null}
      {result ? (
        <ol className="steps" data-testid="check-steps">
          {result.steps.map((s) => (
            <li key={s.step} className={`step step-${s.status}`} data-testid={`check-step-${s.step}`} data-status={s.status}>
              <span className="step-icon" role="img" aria-label={STATUS_WORD[s.status]}>
                {ICON[s.status]}
              </span>
              <div className="step-body">
                <div className="step-line">
                  <span className="step-name">{STEP_LABEL[s.step] ?? s.step}</span>
                  <span className="step-detail">{s.detail}</span>
                  <span className="step-ms">{Math.round(s.ms)} ms</span>
                </div>
                {s.hint ? (
                  <div className="step-hint" data-testid={`check-hint-${s.step}`}>
                    {s.hint}
                  </div>
                ) : null}
              </div>
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
