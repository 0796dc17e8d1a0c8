import type Docker from 'dockerode';
import { HOST_LABEL, MAINTENANCE_ROLE, ROLE_LABEL, TENANT_LABEL } from '../docker/labels.js';
import { MAINTENANCE_PAGE, RETRY_AFTER_SECONDS } from '../tenant-parts/maintenance-page.js';

export { MAINTENANCE_ROLE };
export const maintenanceName = (tenant: string) => `fleet-${tenant}-maintenance`;
/** The ports Odoo serves (HTTP, websocket) and so the ports the proxy routes to. */
export const MAINTENANCE_PORTS = [8069, 8072] as const;
export { RETRY_AFTER_SECONDS };


/**
 * A 503 responder for every method and path on Odoo's two ports, in Python 3's standard library
 * only: every Odoo image has it, so the responder runs in the tenant's own image (already on the
 * host, no registry, nothing to install) as that image's user, on a read-only root filesystem.
 * SIGTERM exits at once (PID 1 ignores it otherwise).
 */
export const RESPONDER_SCRIPT = [
  'import http.server as h, os, signal, threading',
  `B = ${JSON.stringify(MAINTENANCE_PAGE)}.encode()`,
  'class R(h.BaseHTTPRequestHandler):',
  '    server_version = "maintenance"',
  '    sys_version = ""',
  '    def answer(s):',
  '        s.send_response(503)',
  '        s.send_header("Content-Type", "text/html; charset=utf-8")',
  `        s.send_header("Retry-After", "${RETRY_AFTER_SECONDS}")`,
  '        s.send_header("Cache-Control", "no-store")',
  '        s.send_header("Content-Length", str(len(B)))',
  '        s.send_header("Connection", "close")',
  '        s.end_headers()',
  '        if s.command != "HEAD": s.wfile.write(B)',
  '    def __getattr__(s, name):',
  '        if name.startswith("do_"): return s.answer',
  '        raise AttributeError(name)',
  'signal.signal(signal.SIGTERM, lambda *a: os._exit(0))',
  'def serve(port): h.ThreadingHTTPServer(("", port), R).serve_forever()',
  ...MAINTENANCE_PORTS.slice(1).map((port) => `threading.Thread(target=serve, args=(${port},), daemon=True).start()`),
  `serve(${MAINTENANCE_PORTS[0]})`,
  '',
].join('\n');

/** Network modes a container can join with an alias (user-defined networks; not the default bridge). */
function aliasable(networkMode: string | undefined): networkMode is string {
  return !!networkMode && !['default', 'bridge', 'host', 'none'].includes(networkMode) && !networkMode.startsWith('container:');
}

/**
 * The maintenance container for a tenant, modelled on its server container: the same image and
 * network, the same proxy routing labels (so Traefik routes the tenant's Host to it on both
 * routers), and on a user-defined network the server's own name as an alias (so DNS-based proxies
 * that pass to `fleet-<name>` reach it while the server is stopped). No published port, small
 * limits, no capabilities, read-only root filesystem.
 */
export function maintenanceContainer(tenant: string, server: Docker.ContainerInspectInfo): Docker.ContainerCreateOptions {
  const labels = server.Config.Labels ?? {};
  const routing = Object.fromEntries(Object.entries(labels).filter(([key]) => key.startsWith('traefik.')));
  const network = server.HostConfig.NetworkMode;
  const serverName = server.Name.replace(/^\//, '');
  return {
    name: maintenanceName(tenant),
    Image: server.Image,
    Entrypoint: ['python3', '-c', RESPONDER_SCRIPT],
    Cmd: [],
    Env: ['PYTHONDONTWRITEBYTECODE=1', 'PYTHONUNBUFFERED=1', 'LANG=C.UTF-8'],
    Labels: { ...routing, [TENANT_LABEL]: tenant, [HOST_LABEL]: labels[HOST_LABEL] ?? '', [ROLE_LABEL]: MAINTENANCE_ROLE },
    ExposedPorts: Object.fromEntries(MAINTENANCE_PORTS.map((p) => [`${p}/tcp`, {}])),
    HostConfig: {
      RestartPolicy: { Name: 'unless-stopped' },
      Memory: 64 * 2 ** 20,
      MemorySwap: 64 * 2 ** 20,
      NanoCpus: 250_000_000,
      PidsLimit: 64,
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ...(network ? { NetworkMode: network } : {}),
    },
    ...(aliasable(network) ? { NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [serverName] } } } } : {}),
  };
}

/**
 * The other user-defined networks the server is on (a proxy's own network, say) that the
 * maintenance container has not joined yet, each with the server's name as alias: wherever a proxy
 * reached the server, it reaches the maintenance page.
 */
export function networksToJoin(server: Docker.ContainerInspectInfo, maintenance: Docker.ContainerInspectInfo): Array<{ network: string; alias: string }> {
  const joined = new Set(Object.keys(maintenance.NetworkSettings.Networks ?? {}));
  const alias = server.Name.replace(/^\//, '');
  return Object.keys(server.NetworkSettings.Networks ?? {})
    .filter((network) => aliasable(network) && !joined.has(network))
    .map((network) => ({ network, alias }));
}
