import type { ReactNode } from 'react';

// The small pieces every form and dialog of the selling page ends with.

/** A message the cashier must see at once (role="alert"), or nothing. */
export function AlertLine({ error, testId }: { error: string | null | undefined; testId?: string }) {
  if (!error) return null;
  return (
    <p className="error-line" role="alert" data-testid={testId}>
      {error}
    </p>
  );
}

/** A form's way back (Back, Cancel) and its submit button. */
export function BackAndSubmit({ back, onBack, submit, submitTestId, busy }: { back: string; onBack: () => void; submit: ReactNode; submitTestId: string; busy?: boolean }) {
  return (
    <div className="actions">
      <button type="button" className="btn" onClick={onBack}>
        {back}
      </button>
      <button type="submit" className="btn btn-primary" disabled={busy} data-testid={submitTestId}>
        {submit}
      </button>
    </div>
  );
}
