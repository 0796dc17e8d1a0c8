import { Field } from './Field.js';

/** Whether what the user typed confirms a destructive action on `expected` (exactly, case included). */
export function confirmed(typed: string, expected: string): boolean {
  return typed === expected;
}

/**
 * The "type its name to confirm" field of a destructive dialog; `what` names the thing typed,
 * e.g. "tenant’s name". The dialog enables its action when `confirmed(value, expected)`.
 */
export function TypedConfirm({ expected, what, value, onChange, testId }: { expected: string; what: string; value: string; onChange: (v: string) => void; testId: string }) {
  return (
    <Field label={`Type the ${what} (${expected}) to confirm`} hint={value && !confirmed(value, expected) ? `Does not match the ${what} yet.` : undefined}>
      <input value={value} onChange={(e) => onChange(e.target.value)} className="mono" autoComplete="off" spellCheck={false} autoFocus data-testid={testId} />
    </Field>
  );
}
