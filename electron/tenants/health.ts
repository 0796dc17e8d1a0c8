import type Docker from 'dockerode';
import { ChannelHttpClient } from '../docker/channel-http.js';
import type { SshPool } from '../ssh/pool.js';

/**
 * Asks a tenant's server for /web/health from the host itself, through the SSH connection: no
 * port is ever published for it.
 */
export async function probeTenantHealth(deps: { pool: SshPool }, hostId: string, info: Docker.ContainerInspectInfo): Promise<{ ok: boolean; detail: string }> {
  const ip = Object.values(info.NetworkSettings.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress;
  if (!ip) return { ok: false, detail: 'the container has no network address' };
  const http = new ChannelHttpClient(async () => (await deps.pool.session(hostId)).forwardTcp(ip, 8069), { maxIdle: 0 });
  try {
    const response = await http.request({ method: 'GET', path: '/web/health', timeoutMs: 5000 });
    return response.statusCode === 200 ? { ok: true, detail: '/web/health answered 200' } : { ok: false, detail: `/web/health answered HTTP ${response.statusCode}` };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  } finally {
    http.close();
  }
}
