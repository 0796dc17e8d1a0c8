import type { ReactNode } from 'react';

/** A card's title with a muted count beside it (empty until the list is known). */
export function CountedTitle({ title, count, testId, level = 3 }: { title: string; count: ReactNode; testId?: string; level?: 3 | 4 }) {
  const Heading = level === 4 ? 'h4' : 'h3';
  return (
    <Heading className="card-title">
      {title}{' '}
      <span className="muted" data-testid={testId}>
        {count}
      </span>
    </Heading>
  );
}
