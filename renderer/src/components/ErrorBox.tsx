import type { ReactNode } from 'react';
import { errorHint, errorTitle, type FleetError, type Issue } from '../lib/errors.js';

/** A call's error: title, code, the server's message, a fix hint, and issues no field shows. */
export function ErrorBox({
  error,
  rest,
  testId = 'form-error',
  children,
  compact,
}: {
  error: FleetError;
  rest?: readonly Issue[];
  testId?: string;
  children?: ReactNode;
  compact?: boolean;
}) {
  const hint = errorHint(error.code);
  return (
    <div className={`error-box${compact ? ' compact' : ''}`} role="alert" data-testid={testId} data-code={error.code}>
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
