import type { z } from 'zod';
import { FleetError } from '../../shared/errors.js';
import type { AddDomainInput, DomainRefInput, TenantDomains } from '../../shared/tenants.js';
import type { HostCoordinators } from '../coordination/host-coordinators.js';
import type { JobDefinition, JobRegistry, JobRunner } from '../jobs/index.js';
import { withTenantSession } from '../postgres/tenant-session.js';
import { freezeBaseUrl } from '../tenant-parts/base-url.js';
import { waitForTenantHealth } from '../tenant-parts/health.js';
import { findTenantParts } from '../tenant-parts/tenant-parts.js';
import { checkDomainPointsAtHost, hostAddresses } from './dns-check.js';
import { DomainStore } from './domain-store.js';
import { findProxyContainer } from './proxy-container.js';
import { syncTenantRoutes, type ProxyDeps } from './tenant-routes.js';

export type AddDomain = z.output<typeof AddDomainInput>;
export type DomainRef = z.output<typeof DomainRefInput>;

export interface DomainServiceDeps extends ProxyDeps {
  coordinators: HostCoordinators;
  jobs: JobRunner;
  /** DNS servers for the check before a name is added (default: the system's). */
  dnsServers?: readonly string[] | undefined;
}

const tenantTarget = (ref: { hostId: string; name: string }) => `tenant:${ref.hostId}/${ref.name}`;

/**
 * A tenant's names: listed, added (after DNS and fleet-wide checks), removed, and its main one
 * switched. Each change is a durable job on the tenant (the record in the host's fleet database,
 * then the proxy's routes), so a console killed half-way leaves it to the next one to finish.
 */
export class DomainService {
  readonly jobs: { add: JobDefinition<AddDomain>; remove: JobDefinition<DomainRef>; setMain: JobDefinition<DomainRef> };

  constructor(private readonly deps: DomainServiceDeps) {
    this.jobs = domainJobs(deps, (hostId) => this.store(hostId));
  }

  registerJobs(registry: JobRegistry): void {
    for (const job of Object.values(this.jobs)) registry.register(job as JobDefinition<unknown>);
  }

  private store(hostId: string): DomainStore {
    const coordinator = this.deps.coordinators.of(hostId);
    if (!coordinator) throw new FleetError('VALIDATION', "The host has no database server set: a tenant's names live in its fleet database.");
    return new DomainStore(coordinator);
  }

  async list(hostId: string, name: string): Promise<TenantDomains> {
    const parts = await findTenantParts(this.deps, hostId, name);
    const names = await this.store(hostId).ofTenant(name);
    const served = names.length ? names.map((n) => n.domain) : parts.publicHost ? [parts.publicHost] : [];
    const proxied = await this.deps.docker.call(this.deps.hosts.endpoint(hostId), (d) => findProxyContainer(d, hostId));
    return { names: names.map(({ domain, main, addedAt, addedBy }) => ({ domain, main, addedAt, addedBy })), served, url: proxied && served[0] ? `https://${served[0]}` : null };
  }

  async add(input: AddDomain, actor: string): Promise<{ jobId: string }> {
    await findTenantParts(this.deps, input.hostId, input.name); // NOT_FOUND before anything
    const proxy = await this.deps.docker.call(this.deps.hosts.endpoint(input.hostId), (d) => findProxyContainer(d, input.hostId));
    if (!proxy) throw new FleetError('VALIDATION', `${this.deps.hosts.get(input.hostId).name} has no managed proxy: set one up first (hosts proxy setup) to serve more names.`);
    await this.refuseTakenName(input);
    if (!input.skipDnsCheck) {
      const expected = await hostAddresses(this.deps.hosts.get(input.hostId).address, proxy.bindAddress, this.deps.dnsServers);
      const verdict = await checkDomainPointsAtHost(input.domain, expected, this.deps.dnsServers);
      if (!verdict.ok) throw new FleetError('VALIDATION', `${verdict.advice} Add the name again once DNS answers so (or skip this check).`, { field: 'domain', dns: { ...verdict } });
    }
    return { jobId: this.deps.jobs.runJob(this.jobs.add, input, { actor }) };
  }

  /** A name belongs to one tenant across the fleet: every host's fleet database is asked; a host that cannot be is refused unless vouched for by name. */
  private async refuseTakenName(input: AddDomain): Promise<void> {
    const unreachable: string[] = [];
    for (const host of this.deps.hosts.list()) {
      const coordinator = this.deps.coordinators.of(host.id);
      if (!coordinator) continue; // no database server: no tenants
      let owner;
      try {
        owner = await new DomainStore(coordinator).owner(input.domain);
      } catch {
        if (!input.allowUnreachable.includes(host.name)) unreachable.push(host.name);
        continue;
      }
      if (owner && !(owner.tenant === input.name && host.id === input.hostId)) {
        throw new FleetError('CONFLICT', `${input.domain} already belongs to the tenant ${owner.tenant} on ${host.name}; remove it there first.`, { field: 'domain' });
      }
    }
    if (unreachable.length) {
      throw new FleetError('HOST_UNREACHABLE', `Could not ask ${unreachable.join(', ')} whether a tenant there has ${input.domain}. Try again when reachable, or vouch for ${unreachable.length > 1 ? 'them' : 'it'} by name (allowUnreachable).`, { unreachable });
    }
  }

  async remove(input: DomainRef, actor: string): Promise<{ jobId: string }> {
    const names = await this.store(input.hostId).ofTenant(input.name);
    const found = names.find((n) => n.domain === input.domain);
    if (!found) throw new FleetError('NOT_FOUND', `${input.name} does not answer to ${input.domain}.`, { field: 'domain' });
    if (found.main) throw new FleetError('CONFLICT', `${input.domain} is ${input.name}'s main name: make another name the main one first.`, { field: 'domain' });
    return { jobId: this.deps.jobs.runJob(this.jobs.remove, input, { actor }) };
  }

  async setMain(input: DomainRef, actor: string): Promise<{ jobId: string }> {
    const names = await this.store(input.hostId).ofTenant(input.name);
    if (!names.some((n) => n.domain === input.domain)) throw new FleetError('NOT_FOUND', `${input.name} does not answer to ${input.domain}: add it first.`, { field: 'domain' });
    return { jobId: this.deps.jobs.runJob(this.jobs.setMain, input, { actor }) };
  }
}

function domainJobs(deps: DomainServiceDeps, store: (hostId: string) => DomainStore) {
  const routeStep = <I extends { hostId: string; name: string }>() => ({
    name: 'route',
    title: "Update the proxy's routes",
    onCrash: 'resume' as const,
    async run(ctx: { input: I }) {
      return { route: await syncTenantRoutes(deps, ctx.input.hostId, ctx.input.name) };
    },
  });
  const add: JobDefinition<AddDomain> = {
    kind: 'tenant.domain.add',
    target: tenantTarget,
    steps: [
      {
        name: 'record',
        title: "Record the name in the host's fleet database",
        onCrash: 'compensate',
        async run({ input, actor }) {
          if (!(await store(input.hostId).add(input.domain, input.name, actor))) throw new FleetError('CONFLICT', `${input.domain} already belongs to another tenant of this host.`, { field: 'domain' });
        },
        async compensate({ input }) {
          await store(input.hostId).remove(input.domain, input.name);
        },
      },
      routeStep<AddDomain>(),
    ],
  };
  const remove: JobDefinition<DomainRef> = {
    kind: 'tenant.domain.remove',
    target: tenantTarget,
    steps: [
      { name: 'forget', title: "Remove the name from the host's fleet database", onCrash: 'resume', run: async ({ input }) => void (await store(input.hostId).remove(input.domain, input.name)) },
      routeStep<DomainRef>(),
    ],
  };
  const setMain: JobDefinition<DomainRef> = {
    kind: 'tenant.domain.set-main',
    target: tenantTarget,
    steps: [
      { name: 'record', title: 'Make it the main name', onCrash: 'resume', run: async ({ input }) => void (await store(input.hostId).setMain(input.name, input.domain)) },
      {
        name: 'base-url',
        title: 'Set web.base.url to it, and restart Odoo so it reads it',
        onCrash: 'resume',
        async run({ input, signal }) {
          const parts = await findTenantParts(deps, input.hostId, input.name);
          const admin = deps.hosts.dbTarget(input.hostId);
          if (!admin) throw new FleetError('VALIDATION', 'The host has no database server set.');
          await withTenantSession(deps.pool, admin, parts, (client) => freezeBaseUrl(client, `https://${input.domain}`));
          if (!parts.wasRunning) return;
          const endpoint = deps.hosts.endpoint(input.hostId);
          await deps.docker.call(endpoint, (d) => d.getContainer(`fleet-${input.name}`).restart({ t: 20 }), 60_000);
          await waitForTenantHealth(deps, endpoint, input.hostId, `fleet-${input.name}`, signal);
        },
      },
      routeStep<DomainRef>(),
    ],
  };
  return { add, remove, setMain };
}
