import type { HostView } from '../../../../shared/hosts.js';

/** How the host keeps its tenants apart (its view's `isolation`), and why not when it does not. */
export function IsolationLine({ host }: { host: Pick<HostView, 'isolation' | 'dbServer'> }) {
  return (
    <div className="db-line small">
      <span className="muted">Tenant isolation: </span>
      {host.isolation === 'per-tenant' ? (
        <span data-testid="host-isolation" data-isolation="per-tenant">
          each tenant on a network of its own
        </span>
      ) : (
        <span className="isolation-shared" data-testid="host-isolation" data-isolation="shared-network">
          none: every tenant joins the database server&apos;s network {host.dbServer?.tenantNetwork ?? ''}, where tenants reach each other
        </span>
      )}
    </div>
  );
}
