import { MAINTENANCE_PAGE, RETRY_AFTER_SECONDS } from '../tenant-parts/maintenance-page.js';

/**
 * The managed proxy's Caddy configuration, as Caddy's JSON. Everything the console changes later
 * carries an `@id`, so one tenant's change is one admin call on one object (`/id/<id>`), never a
 * rewrite of the whole configuration; Caddy swaps configurations gracefully, so open connections
 * survive every change.
 */

/** Where the proxy's admin socket lives inside its container (a directory bind-mounted from the host). */
export const ADMIN_DIR_IN_CONTAINER = '/run/fleet-proxy';
export const ADMIN_SOCKET_NAME = 'admin.sock';
/** The proxy's one volume in its container: Caddy's certificates and saved configuration, and the console's files. */
export const PROXY_DATA_DIR = '/data';
/** Where the console's files for Caddy (the first configuration, a private ACME root) live. */
export const FLEET_CONFIG_DIR = `${PROXY_DATA_DIR}/fleet`;
export const BASE_CONFIG_PATH = `${FLEET_CONFIG_DIR}/base.json`;
export const ACME_ROOT_PATH = `${FLEET_CONFIG_DIR}/acme-root.pem`;
/** The approvals server: Caddy asks it before obtaining a certificate on demand. Loopback inside the proxy's container only. */
export const APPROVALS_LISTEN = '127.0.0.1:5001';

export const TENANTS_SERVER = 'fleet';
export const APPROVALS_SERVER = 'approvals';
export const TENANT_ROUTES_PATH = `/config/apps/http/servers/${TENANTS_SERVER}/routes`;
export const APPROVAL_ROUTES_PATH = `/config/apps/http/servers/${APPROVALS_SERVER}/routes`;

export const SUSPENDED_RETRY_AFTER_SECONDS = RETRY_AFTER_SECONDS;
/** Odoo's largest imports and attachments pass; anything bigger is refused by the proxy. */
export const MAX_REQUEST_BYTES = 1024 * 2 ** 20;

export interface AcmeSettings {
  /** The ACME directory (default: Caddy's own issuers, Let's Encrypt and ZeroSSL). */
  directoryUrl?: string | undefined;
  /** The account's contact address. */
  email?: string | undefined;
  /** Set when the directory's TLS certificate chains to a private root (written to ACME_ROOT_PATH). */
  hasPrivateRoot?: boolean | undefined;
}

/** A Caddy JSON object with an `@id` (a route). */
export type CaddyRoute = Record<string, unknown> & { '@id': string };

export const tenantRouteId = (tenant: string) => `fleet-tenant-${tenant}`;
/** The last route of each server, after every tenant's: unknown names get a 404, and no certificate. */
export const NO_SUCH_SITE_ID = 'fleet-no-such-site';
export const DENY_OTHER_NAMES_ID = 'fleet-deny-other-names';
export const approvalRouteId = (tenant: string) => `fleet-approve-${tenant}`;

/** The tls app: certificates on demand, from the configured ACME directory, for names the approvals server accepts. */
export function tlsApp(acme: AcmeSettings): Record<string, unknown> {
  const issuer = acme.directoryUrl
    ? [
        {
          module: 'acme',
          ca: acme.directoryUrl,
          ...(acme.email ? { email: acme.email } : {}),
          ...(acme.hasPrivateRoot ? { trusted_roots_pem_files: [ACME_ROOT_PATH] } : {}),
        },
      ]
    : undefined;
  return {
    automation: {
      policies: [{ '@id': 'fleet-tls-policy', ...(issuer ? { issuers: issuer } : {}), on_demand: true }],
      on_demand: { ask: `http://${APPROVALS_LISTEN}/` },
    },
  };
}

/**
 * The whole first configuration: the admin socket (and Caddy's autosave, so what the console
 * changed survives a restart with `--resume`), the tenants' server on 443 (Caddy adds the port 80
 * server that answers ACME challenges and redirects to HTTPS), the approvals server with its
 * deny-all fallback, and the tls app.
 */
export function baseConfig(acme: AcmeSettings, routes: { tenants: CaddyRoute[]; approvals: CaddyRoute[] } = { tenants: [], approvals: [] }): Record<string, unknown> {
  return {
    admin: { listen: `unix/${ADMIN_DIR_IN_CONTAINER}/${ADMIN_SOCKET_NAME}`, config: { persist: true } },
    logging: { logs: { default: { encoder: { format: 'json' }, level: 'INFO' } } },
    apps: {
      http: {
        servers: {
          [TENANTS_SERVER]: {
            listen: [':443'],
            // HTTP/3 would need UDP 443 published too; Odoo gains nothing from it.
            protocols: ['h1', 'h2'],
            routes: [...routes.tenants, { '@id': NO_SUCH_SITE_ID, handle: [{ handler: 'static_response', status_code: 404, body: 'No site is served at this address.\n' }] }],
          },
          [APPROVALS_SERVER]: {
            listen: [APPROVALS_LISTEN],
            automatic_https: { disable: true },
            routes: [...routes.approvals, { '@id': DENY_OTHER_NAMES_ID, handle: [{ handler: 'static_response', status_code: 404 }] }],
          },
        },
      },
      tls: tlsApp(acme),
    },
  };
}

export interface TenantRouteSpec {
  tenant: string;
  /** The names it answers to: its main domain first. */
  hosts: string[];
  /** The server container's name, resolved by Docker's DNS on the tenant's network. */
  upstream: string;
  /** Where Odoo serves /websocket: its gevent port (8072) with workers, its HTTP port (8069) without. */
  websocketPort: number;
  /** A suspended tenant's names get the proxy's own 503 page. */
  suspended: boolean;
}


function maintenanceHandler(): Record<string, unknown> {
  return {
    handler: 'static_response',
    status_code: 503,
    headers: { 'Retry-After': [String(SUSPENDED_RETRY_AFTER_SECONDS)], 'Content-Type': ['text/html; charset=utf-8'], 'Cache-Control': ['no-store'] },
    body: MAINTENANCE_PAGE,
  };
}

function proxyTo(dial: string): Record<string, unknown> {
  // Caddy sets X-Forwarded-For/-Proto/-Host and keeps Host, which Odoo's proxy_mode reads; no
  // read timeout, so long reports and imports finish.
  return { handler: 'reverse_proxy', upstreams: [{ dial }], transport: { protocol: 'http', dial_timeout: '5s' } };
}

/** A tenant's route on the tenants' server: its names to its Odoo (websocket included), or to the 503 page. */
export function tenantRoute(spec: TenantRouteSpec): CaddyRoute {
  const httpPort = 8069;
  const { websocketPort } = spec;
  const handle = spec.suspended
    ? [maintenanceHandler()]
    : [
        { handler: 'request_body', max_size: MAX_REQUEST_BYTES },
        {
          handler: 'subroute',
          routes: [
            { match: [{ path: ['/websocket', '/websocket/*'] }], handle: [proxyTo(`${spec.upstream}:${websocketPort}`)], terminal: true },
            { handle: [proxyTo(`${spec.upstream}:${httpPort}`)] },
          ],
        },
      ];
  return { '@id': tenantRouteId(spec.tenant), match: [{ host: spec.hosts }], handle, terminal: true };
}

/** The approval of a tenant's names: Caddy may obtain certificates for them on demand. */
export function approvalRoute(tenant: string, hosts: string[]): CaddyRoute {
  return { '@id': approvalRouteId(tenant), match: [{ query: { domain: hosts } }], handle: [{ handler: 'static_response', status_code: 200 }] };
}
