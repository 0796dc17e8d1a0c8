import type { TenantSpec } from '../../shared/tenants.js';
import { DATABASE_LABEL, HOST_LABEL, TENANT_LABEL } from '../docker/labels.js';

export interface RoutingOptions {
  /** Traefik entry point serving HTTPS (Traefik's default naming). */
  entryPoint?: string;
  /** A certificate resolver configured in Traefik, if any. */
  certResolver?: string;
}

/** Odoo's HTTP port; with workers it serves /websocket on its gevent port instead. */
export const ODOO_HTTP_PORT = 8069;
export const ODOO_GEVENT_PORT = 8072;

/**
 * Traefik labels for a tenant: HTTP to port 8069, and the websocket path (Odoo 16+ serves
 * /websocket on the gevent port, 8072, when it runs workers; on 8069 without) on its own
 * higher-priority router. The managed proxy reads the same labels back (websocketPortOf).
 */
export function tenantLabels(spec: Pick<TenantSpec, 'name' | 'hostId' | 'database' | 'publicHost'> & { workers?: number }, options: RoutingOptions = {}): Record<string, string> {
  const router = `fleet-${spec.name}`;
  const host = `Host(\`${spec.publicHost}\`)`;
  const entryPoint = options.entryPoint ?? 'websecure';
  const labels: Record<string, string> = {
    [TENANT_LABEL]: spec.name,
    [HOST_LABEL]: spec.hostId,
    [DATABASE_LABEL]: spec.database,
    'traefik.enable': 'true',
    [`traefik.http.routers.${router}.rule`]: host,
    [`traefik.http.routers.${router}.entrypoints`]: entryPoint,
    [`traefik.http.routers.${router}.service`]: router,
    [`traefik.http.services.${router}.loadbalancer.server.port`]: String(ODOO_HTTP_PORT),
    [`traefik.http.routers.${router}-ws.rule`]: `${host} && PathPrefix(\`/websocket\`)`,
    [`traefik.http.routers.${router}-ws.entrypoints`]: entryPoint,
    [`traefik.http.routers.${router}-ws.service`]: `${router}-ws`,
    [`traefik.http.routers.${router}-ws.priority`]: '100',
    [`traefik.http.services.${router}-ws.loadbalancer.server.port`]: String(spec.workers === 0 ? ODOO_HTTP_PORT : ODOO_GEVENT_PORT),
  };
  if (options.certResolver) {
    labels[`traefik.http.routers.${router}.tls.certresolver`] = options.certResolver;
    labels[`traefik.http.routers.${router}-ws.tls.certresolver`] = options.certResolver;
  }
  return labels;
}

/** The public host name a tenant's router rule serves (`Host(\`…\`)`), or null. */
export function publicHostOf(labels: Record<string, string> | undefined): string | null {
  const rule = Object.entries(labels ?? {}).find(([key]) => /^traefik\.http\.routers\.[^.]+\.rule$/.test(key) && !key.includes('-ws.'))?.[1];
  return rule ? (/Host\(`([^`]+)`\)/.exec(rule)?.[1] ?? null) : null;
}

/** The port a tenant's server serves /websocket on, from its websocket router's label (the gevent port when none says). */
export function websocketPortOf(labels: Record<string, string> | undefined): number {
  const value = Object.entries(labels ?? {}).find(([key]) => /^traefik\.http\.services\.[^.]+-ws\.loadbalancer\.server\.port$/.test(key))?.[1];
  const port = Number(value);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : ODOO_GEVENT_PORT;
}
