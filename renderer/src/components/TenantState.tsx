import { tenantStateText } from '../lib/tenant-state.js';

/** A tenant's container state (Docker's word), or "suspended" when a maintenance page stands in. */
export function TenantState({ state, suspended, status, testId }: { state: string; suspended?: boolean | undefined; status?: string; testId?: string }) {
  const text = tenantStateText({ state, suspended });
  return (
    <span className={`cstate cstate-${suspended ? 'suspended' : state}`} data-testid={testId} data-state={state} data-suspended={suspended ? 'true' : undefined} title={status}>
      {text}
    </span>
  );
}
