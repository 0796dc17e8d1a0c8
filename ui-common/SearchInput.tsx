import { forwardRef, type InputHTMLAttributes } from 'react';

type Props = {
  value: string;
  onValue: (value: string) => void;
  /** Its accessible name (the placeholder is only a hint). */
  label: string;
  /** Classes besides `search`. */
  className?: string;
  testId?: string;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'type' | 'className'>;

/** A search box: both UIs' filters and finders, styled by the `search` class of each UI. */
export const SearchInput = forwardRef<HTMLInputElement, Props>(function SearchInput({ value, onValue, label, className, testId, ...rest }, ref) {
  return (
    <input
      ref={ref}
      type="search"
      className={className ? `search ${className}` : 'search'}
      aria-label={label}
      value={value}
      onChange={(e) => onValue(e.target.value)}
      data-testid={testId}
      {...rest}
    />
  );
});
