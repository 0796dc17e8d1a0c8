import { nameCertificate, type HostCertificates, type TenantCertificates } from '../../shared/certificates.js';
import { FleetError } from '../../shared/errors.js';
import { HOST_LABEL, TENANT_LABEL, roleFilter } from '../docker/labels.js';
import { logLines } from '../docker/log-stream.js';
import { LOG_TAIL_LINES, certificateFailures } from './certificate-failures.js';
import { readCertificates } from './certificates.js';
import { findProxyContainer } from './proxy-container.js';
import { namesOf, recordedNames, type ProxyDeps } from './tenant-routes.js';

/** Every certificate in the host's proxy storage, and the latest failure per name from the proxy's recent log. */
export async function hostCertificates(deps: ProxyDeps, hostId: string): Promise<HostCertificates> {
  return deps.docker.call(deps.hosts.endpoint(hostId), async (docker) => {
    const proxy = await findProxyContainer(docker, hostId);
    if (!proxy) return { proxy: false, certificates: [], failures: [] };
    const logs = (await docker.getContainer(proxy.id).logs({ stdout: true, stderr: true, tail: LOG_TAIL_LINES })) as unknown as Buffer;
    return { proxy: true, certificates: await readCertificates(docker, proxy.id), failures: certificateFailures(logLines(logs)) };
  });
}

/** The certificates of a tenant's names and their state. */
export async function tenantCertificates(deps: ProxyDeps, hostId: string, tenant: string): Promise<TenantCertificates> {
  const servers = await deps.docker.call(deps.hosts.endpoint(hostId), (docker) =>
    docker.listContainers({ all: true, filters: { label: [roleFilter('server'), `${HOST_LABEL}=${hostId}`, `${TENANT_LABEL}=${tenant}`] } }),
  );
  const server = servers[0];
  if (!server) throw new FleetError('NOT_FOUND', `No tenant ${tenant} on ${deps.hosts.get(hostId).name}.`);
  const host = await hostCertificates(deps, hostId);
  // The names the proxy serves it at: the same list its routes are made from.
  const names = namesOf(server, await recordedNames(deps, hostId)).map((name) => name.toLowerCase());
  return { proxy: host.proxy, names: names.map((domain) => nameCertificate(domain, host)) };
}
