import { useState, type ReactNode } from 'react';
import type { Submit } from '../lib/use-submit.js';
import { SubmitActions } from './DialogActions.js';
import { ErrorBox } from './ErrorBox.js';
import { Field } from './Field.js';
import { NameInput } from './NameInput.js';

/** Whether what the user typed confirms a destructive action on `expected` (exactly, case included). */
function confirmed(typed: string, expected: string): boolean {
  return typed === expected;
}

/**
 * The form of a destructive dialog: its own options (`children`), a field where the user types
 * `expected` to confirm (`what` names it, e.g. "tenant’s name"), the last error, and a danger
 * button that runs `onConfirm` through `submit` once the name matches. Test ids are
 * `${testId}-confirm-input`, `-error`, `-submit` and `-cancel`.
 */
export function TypedConfirm({
  expected,
  what,
  testId,
  submit,
  onConfirm,
  onCancel,
  label,
  busyLabel = 'Starting…',
  children,
}: {
  expected: string;
  what: string;
  testId: string;
  submit: Submit;
  /** Gets what was typed, the same as `expected`. */
  onConfirm: (typed: string) => Promise<void>;
  onCancel: () => void;
  label: string;
  busyLabel?: string;
  children?: ReactNode;
}) {
  const [typed, setTyped] = useState('');
  const matches = confirmed(typed, expected);
  const { busy, error } = submit;
  return (
    <form onSubmit={submit.onSubmit(matches, () => onConfirm(typed))} noValidate>
      {children}
      <Field label={`Type the ${what} (${expected}) to confirm`} hint={typed && !matches ? `Does not match the ${what} yet.` : undefined}>
        <NameInput value={typed} onValue={setTyped} autoFocus testId={`${testId}-confirm-input`} />
      </Field>
      {error ? <ErrorBox error={error} compact testId={`${testId}-error`} /> : null}
      <SubmitActions label={label} busyLabel={busyLabel} busy={busy} ready={matches} onCancel={onCancel} testIdPrefix={testId} danger />
    </form>
  );
}
