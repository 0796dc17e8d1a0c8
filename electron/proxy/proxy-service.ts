import type { HostCertificates, TenantCertificates } from '../../shared/certificates.js';
import { FleetError } from '../../shared/errors.js';
import type { ProxyStatus } from '../../shared/hosts.js';
import type { JobRegistry, JobRunner } from '../jobs/index.js';
import { provisionProxyJob, type ProvisionProxyInput } from './managed-proxy-job.js';
import { hostCertificates, tenantCertificates } from './proxy-certificates.js';
import { PROXY_CONTAINER, findProxyContainer, findTraefik } from './proxy-container.js';
import { syncAllRoutes, withProxyAdmin, type ProxyDeps } from './tenant-routes.js';

export interface ProxyServiceDeps extends ProxyDeps {
  jobs: JobRunner;
  /** Told when a host's routing changed (the UIs refresh the host). */
  onHostChanged?: (hostId: string) => void;
}

/** The host's managed proxy as the operations see it: set it up or upgrade it, look at it, re-route its tenants. */
export class ProxyService {
  private readonly job;

  constructor(private readonly deps: ProxyServiceDeps) {
    this.job = provisionProxyJob(deps);
  }

  registerJobs(registry: JobRegistry): void {
    registry.register(this.job);
  }

  provision(input: ProvisionProxyInput, actor: string): { jobId: string } {
    this.deps.hosts.get(input.hostId); // NOT_FOUND before a job is journaled
    return { jobId: this.deps.jobs.runJob(this.job, input, { actor }) };
  }

  async status(hostId: string): Promise<ProxyStatus> {
    const endpoint = this.deps.hosts.endpoint(hostId);
    const [proxy, traefik] = await this.deps.docker.call(endpoint, (d) => Promise.all([findProxyContainer(d, hostId), findTraefik(d)]));
    if (!proxy) return { managed: null, traefik };
    let routes: number | null = null;
    let acmeDirectory: string | null = null;
    let error: string | null = null;
    try {
      await withProxyAdmin(this.deps, hostId, async (admin) => {
        routes = (await admin.tenantRoutes()).length;
        const policies = await admin.get<Array<{ issuers?: Array<{ ca?: string }> }> | null>('/config/apps/tls/automation/policies');
        acmeDirectory = policies?.[0]?.issuers?.[0]?.ca ?? null;
      });
    } catch (cause) {
      error = (cause as Error).message;
    }
    return {
      managed: { container: PROXY_CONTAINER, image: proxy.image, running: proxy.running, baseDomain: proxy.baseDomain, bindAddress: proxy.bindAddress, httpPort: proxy.httpPort, httpsPort: proxy.httpsPort, routes, acmeDirectory, error },
      traefik,
    };
  }

  /** Re-applies every tenant's routes (after a change by hand, or to repair drift). */
  async syncRoutes(hostId: string): Promise<{ routed: number; removed: number }> {
    const result = await syncAllRoutes(this.deps, hostId);
    if (!result) throw new FleetError('NOT_FOUND', `${this.deps.hosts.get(hostId).name} has no managed proxy; set one up first (hosts proxy setup).`);
    this.deps.onHostChanged?.(hostId);
    return result;
  }

  /** Every certificate on the host's proxy, and the latest failures to obtain one. */
  certificates(hostId: string): Promise<HostCertificates> {
    return hostCertificates(this.deps, hostId);
  }

  /** The certificates of a tenant's names, each with its state. */
  tenantCertificates(hostId: string, tenant: string): Promise<TenantCertificates> {
    return tenantCertificates(this.deps, hostId, tenant);
  }
}
