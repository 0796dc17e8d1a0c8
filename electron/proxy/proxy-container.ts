import type Docker from 'dockerode';
import { HOST_LABEL, PROXY_ROLE, ROLE_LABEL, roleFilter } from '../docker/labels.js';

/** The managed proxy's container, its volume (certificates, Caddy's saved configuration) and its own network (ACME traffic out). */
export const PROXY_CONTAINER = 'fleet-proxy';
export const PROXY_VOLUME = 'fleet-proxy-data';
export const PROXY_NETWORK = 'fleet-proxy';
/** The host directory holding the admin socket: root and the Docker socket's group only (mode 2770). */
export const ADMIN_DIR_ON_HOST = '/var/lib/odoo-fleet/proxy';

/** Settings the proxy's container carries as labels, so every console reads the same proxy from the host. */
export const BASE_DOMAIN_LABEL = 'fleet.proxy.base-domain';
export const ADMIN_SOCKET_LABEL = 'fleet.proxy.admin-socket';

export interface ProxyContainerInfo {
  id: string;
  image: string;
  running: boolean;
  /** The admin socket's path on the host. */
  adminSocket: string;
  baseDomain: string | null;
  /** Host ports published for 80 and 443 (null when not published). */
  httpPort: number | null;
  httpsPort: number | null;
  bindAddress: string | null;
}

/** The host's managed proxy, read from its labelled container (the console's own: it names its admin socket); null when it has none. */
export async function findProxyContainer(docker: Docker, hostId: string): Promise<ProxyContainerInfo | null> {
  const found = await docker.listContainers({ all: true, filters: { label: [roleFilter(PROXY_ROLE), `${HOST_LABEL}=${hostId}`, ADMIN_SOCKET_LABEL] } });
  const summary = found[0];
  if (!summary) return null;
  const published = (port: number) => summary.Ports.find((p) => p.PrivatePort === port && p.Type === 'tcp' && p.PublicPort);
  return {
    id: summary.Id,
    image: summary.Image,
    running: summary.State === 'running',
    adminSocket: summary.Labels[ADMIN_SOCKET_LABEL] ?? `${ADMIN_DIR_ON_HOST}/admin.sock`,
    baseDomain: summary.Labels[BASE_DOMAIN_LABEL] || null,
    httpPort: published(80)?.PublicPort ?? null,
    httpsPort: published(443)?.PublicPort ?? null,
    bindAddress: published(443)?.IP ?? null,
  };
}

/** A Traefik the admin runs on the host (any running container of a `traefik` image): it routes from the tenants' labels. */
export async function findTraefik(docker: Docker): Promise<{ container: string; image: string } | null> {
  const running = await docker.listContainers({ filters: { status: ['running'] } });
  const traefik = running.find((c) => /(^|\/)traefik(:|@|$)/.test(c.Image) && c.Labels[ROLE_LABEL] === undefined);
  return traefik ? { container: (traefik.Names[0] ?? traefik.Id).replace(/^\//, ''), image: traefik.Image } : null;
}

/** Host ports already published by other containers (a new proxy cannot take them). */
export async function publishedPorts(docker: Docker, exceptId?: string): Promise<Map<number, string>> {
  const taken = new Map<number, string>();
  for (const c of await docker.listContainers({ filters: { status: ['running'] } })) {
    if (c.Id === exceptId) continue;
    for (const p of c.Ports) if (p.PublicPort && p.Type === 'tcp') taken.set(p.PublicPort, (c.Names[0] ?? c.Id).replace(/^\//, ''));
  }
  return taken;
}
