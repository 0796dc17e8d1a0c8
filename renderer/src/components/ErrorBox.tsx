import { useEffect, useRef, type ReactNode } from 'react';
import { errorHint, errorTitle, type FleetError, type Issue } from '../lib/errors.js';

/** A call's error: title, code, the server's message, a fix hint, and issues no field shows. */
export function ErrorBox({
  error,
  rest,
  testId = 'form-error',
  children,
  compact,
  reveal,
}: {
  error: FleetError;
  rest?: readonly Issue[];
  testId?: string;
  children?: ReactNode;
  compact?: boolean;
  /** Scroll the box into view when it appears (long forms). */
  reveal?: boolean;
}) {
  const hint = errorHint(error.code);
  const ref = useRef<HTMLDivElement>(null);
  // Bring a new error into view: it may appear below the fold of a long form.
  useEffect(() => {
    if (reveal) ref.current?.scrollIntoView?.({ block: 'nearest' });
  }, [error, reveal]);
  return (
    <div ref={ref} className={`error-box${compact ? ' compact' : ''}`} role="alert" data-testid={testId} data-code={error.code}>
      <div className="error-head">
        <strong>{errorTitle(error.code)}</strong>
        <code className="error-code">{error.code}</code>
      </div>
      {error.code !== 'VALIDATION' || !rest || rest.length === 0 ? <p className="error-message">{error.message}</p> : null}
      {rest && rest.length > 0 ? (
        <ul className="error-issues">
          {rest.map((i, n) => (
            <li key={n}>
              {i.path ? <code>{i.path}</code> : null} {i.message}
            </li>
          ))}
        </ul>
      ) : null}
      {hint && !compact ? <p className="error-hint">{hint}</p> : null}
      {children}
    </div>
  );
}
