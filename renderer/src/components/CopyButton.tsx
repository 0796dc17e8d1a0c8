import { useEffect, useRef, useState } from 'react';
import { copyText } from '../lib/clipboard.js';

/** A "copy" link-button that says for a moment whether the copy worked ("select it" when it did not). */
export function CopyButton({ text, label, testId, className = 'link-button small' }: { text: string; label: string; testId?: string; className?: string }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const copy = async () => {
    const ok = await copyText(text);
    setCopied(ok);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setCopied(null), 1500);
  };
  return (
    <button type="button" className={className} onClick={() => void copy()} aria-label={label} data-testid={testId} data-copied={copied === null ? undefined : String(copied)}>
      {copied === null ? 'copy' : copied ? 'copied' : 'select it'}
    </button>
  );
}
