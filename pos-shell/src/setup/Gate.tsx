import type { ReactNode } from 'react';
import { AlertLine } from '../lib/FormLines.js';

/** The frame of the admin screens shown before selling can start. */
export function Gate({ title, children, wide }: { title: string; children: ReactNode; wide?: boolean }) {
  return (
    <main className="gate">
      <div className={`gate-card${wide ? ' gate-wide' : ''}`}>
        <div className="gate-brand">
          <span aria-hidden="true">◆</span> Fleet POS
        </div>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

export function FieldRow({ label, hint, children }: { label: string; hint?: string; children: ReactNode }) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      {children}
      {hint ? <span className="field-hint">{hint}</span> : null}
    </label>
  );
}

export function ErrorLine({ error, testId = 'form-error' }: { error: string | null; testId?: string }) {
  return <AlertLine error={error} testId={testId} />;
}
