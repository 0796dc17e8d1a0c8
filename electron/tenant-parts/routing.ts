import type { TenantSpec } from '../../shared/tenants.js';
import { DATABASE_LABEL, HOST_LABEL, TENANT_LABEL } from '../docker/labels.js';

export interface RoutingOptions {
  /** Traefik entry point serving HTTPS (Traefik's default naming). */
  entryPoint?: string;
  /** A certificate resolver configured in Traefik, if any. */
  certResolver?: string;
}

/**
 * Traefik labels for a tenant: HTTP to port 8069, and the websocket path (Odoo 16+ serves
 * /websocket on the gevent port, 8072) on its own higher-priority router.
 */
export function tenantLabels(spec: Pick<TenantSpec, 'name' | 'hostId' | 'database' | 'publicHost'>, options: RoutingOptions = {}): Record<string, string> {
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
    [`traefik.http.services.${router}.loadbalancer.server.port`]: '8069',
    [`traefik.http.routers.${router}-ws.rule`]: `${host} && PathPrefix(\`/websocket\`)`,
    [`traefik.http.routers.${router}-ws.entrypoints`]: entryPoint,
    [`traefik.http.routers.${router}-ws.service`]: `${router}-ws`,
    [`traefik.http.routers.${router}-ws.priority`]: '100',
    [`traefik.http.services.${router}-ws.loadbalancer.server.port`]: '8072',
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
