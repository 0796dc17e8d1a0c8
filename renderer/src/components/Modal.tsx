import { useEffect, useId, type ReactNode } from 'react';

/**
 * A modal dialog: title, a description (aria-describedby) and the rest. Escape closes it unless
 * `closable` is false (a call or a job in flight).
 */
export function Modal({
  title,
  description,
  testId,
  onClose,
  closable = true,
  children,
}: {
  title: ReactNode;
  description?: ReactNode;
  testId: string;
  onClose: () => void;
  closable?: boolean;
  children?: ReactNode;
}) {
  const titleId = useId();
  const descId = useId();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && closable) onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [closable, onClose]);
  return (
    <div className="modal-backdrop">
      <div className="modal card" role="dialog" aria-modal="true" aria-labelledby={titleId} aria-describedby={description ? descId : undefined} data-testid={testId}>
        <h2 id={titleId} className="modal-title">
          {title}
        </h2>
        {description ? (
          <div id={descId} className="modal-body">
            {description}
          </div>
        ) : null}
        {children}
      </div>
    </div>
  );
}
