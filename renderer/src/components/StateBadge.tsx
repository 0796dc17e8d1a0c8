import type { ConnectionState } from '../../../shared/hosts.js';

const LABELS: Record<ConnectionState, string> = {
  idle: 'idle',
  connecting: 'connecting',
  connected: 'connected',
  backoff: 'retrying',
  failed: 'failed',
};

export function stateLabel(state: ConnectionState): string {
  return LABELS[state];
}

/** A coloured dot plus the state's word (colour is never the only signal). */
export function StateBadge({ state, testId, title }: { state: ConnectionState; testId?: string; title?: string }) {
  return (
    <span className={`state state-${state}`} data-testid={testId} data-state={state} title={title}>
      <span className="dot" aria-hidden="true" />
      {LABELS[state]}
    </span>
  );
}
