import type { InputHTMLAttributes } from 'react';

type Props = { value: string; onValue: (value: string) => void; testId: string } & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>;

/** A text box for a name or a tag, typed exactly: monospace, no autocomplete, no spell check. */
export function NameInput({ value, onValue, testId, ...rest }: Props) {
  return <input value={value} onChange={(e) => onValue(e.target.value)} className="mono" autoComplete="off" spellCheck={false} data-testid={testId} {...rest} />;
}
