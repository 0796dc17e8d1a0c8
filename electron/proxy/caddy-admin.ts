import type { Duplex } from 'node:stream';
import { FleetError } from '../../shared/errors.js';
import { ChannelHttpClient, type RawResponse } from '../docker/channel-http.js';
import { APPROVAL_ROUTES_PATH, TENANT_ROUTES_PATH, approvalRouteId, tenantRouteId, type CaddyRoute } from './caddy-config.js';

const TIMEOUT_MS = 30_000;

/**
 * Caddy's admin API on the proxy's Unix socket, reached through the host's SSH connection: the
 * socket is the host's file (root and the Docker group only), never a port a tenant could reach.
 * Over a Unix socket Caddy accepts only an empty Host header.
 */
export class CaddyAdmin {
  private readonly http: ChannelHttpClient;

  constructor(openChannel: () => Promise<Duplex>) {
    // A channel per request: Caddy restarts its admin endpoint with every configuration change,
    // closing the connection a kept channel holds, and a change (PATCH, PUT) is not sent twice.
    this.http = new ChannelHttpClient(openChannel, { maxIdle: 0 });
  }

  close(): void {
    this.http.close();
  }

  async get<T>(path: string): Promise<T> {
    return JSON.parse((await this.send('GET', path)).body.toString('utf8') || 'null') as T;
  }

  /** Loads a whole configuration (provisioning and upgrades only; changes go by id). */
  async load(config: unknown): Promise<void> {
    await this.send('POST', '/load', config);
  }

  async set(path: string, value: unknown): Promise<void> {
    await this.send('PATCH', `/config${path}`, value);
  }

  /** Replaces the route with the same @id, or inserts it first in the list at `listPath` (before the fallback that ends each list). */
  async upsertRoute(listPath: string, route: CaddyRoute): Promise<'replaced' | 'added'> {
    const response = await this.send('PATCH', `/id/${route['@id']}`, route, { allowNotFound: true });
    if (response.statusCode !== 404) return 'replaced';
    await this.send('PUT', `${listPath}/0`, route);
    return 'added';
  }

  /** Removes the route with this @id; true when it was there. */
  async removeRoute(id: string): Promise<boolean> {
    return (await this.send('DELETE', `/id/${id}`, undefined, { allowNotFound: true })).statusCode !== 404;
  }

  /** The tenants' routes (without the fallback). */
  async tenantRoutes(): Promise<CaddyRoute[]> {
    return ((await this.get<CaddyRoute[] | null>(TENANT_ROUTES_PATH)) ?? []).filter((route) => route['@id']?.startsWith(tenantRouteId('')));
  }

  /** The tenants' approvals (without the fallback). */
  async approvalRoutes(): Promise<CaddyRoute[]> {
    return ((await this.get<CaddyRoute[] | null>(APPROVAL_ROUTES_PATH)) ?? []).filter((route) => route['@id']?.startsWith(approvalRouteId('')));
  }

  private async send(method: string, path: string, body?: unknown, options: { allowNotFound?: boolean } = {}): Promise<RawResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const response = await this.http.request({
      method,
      path,
      headers: { Host: '', ...(payload ? { 'Content-Type': 'application/json' } : {}) },
      ...(payload ? { body: payload } : {}),
      timeoutMs: TIMEOUT_MS,
    });
    if (response.statusCode < 300 || (options.allowNotFound && response.statusCode === 404)) return response;
    throw new FleetError('PROXY_ERROR', `The proxy refused ${method} ${path.split('?')[0]}: ${caddyError(response)}`, { statusCode: response.statusCode });
  }
}

function caddyError(response: RawResponse): string {
  const text = response.body.toString('utf8').slice(0, 2000);
  try {
    return (JSON.parse(text) as { error?: string }).error ?? text;
  } catch {
    return text || `HTTP ${response.statusCode}`;
  }
}
