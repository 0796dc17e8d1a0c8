import type Docker from 'dockerode';
import { FleetError } from '../../shared/errors.js';
import { ChannelHttpClient } from '../docker/channel-http.js';
import type { DockerEndpoint, DockerService } from '../docker/docker-service.js';
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

/**
 * Waits until the named server container answers /web/health (2 minutes at most); fails at once
 * when the container stops.
 */
export async function waitForTenantHealth(
  deps: { pool: SshPool; docker: DockerService },
  endpoint: DockerEndpoint,
  hostId: string,
  container: string,
  signal: AbortSignal,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  // Odoo answers about a second after it starts: asked often at first, then once a second.
  let pauseMs = 100;
  while (Date.now() < deadline) {
    signal.throwIfAborted();
    const info = await deps.docker.call(endpoint, (d) => d.getContainer(container).inspect());
    if (!info.State.Running) throw new FleetError('COMMAND_FAILED', `The Odoo server stopped (exit ${info.State.ExitCode}) before answering its health check.`);
    // Its restart policy would bring a crashing server back again and again: once is enough to tell.
    if (info.State.Restarting || info.RestartCount > 0) throw new FleetError('COMMAND_FAILED', `The Odoo server exited (exit ${info.State.ExitCode}) and is being restarted before answering its health check.`);
    const probe = await probeTenantHealth(deps, hostId, info);
    if (probe.ok) return;
    last = probe.detail;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    pauseMs = Math.min(1000, pauseMs * 1.5);
  }
  throw new FleetError('TIMEOUT', `The Odoo server did not pass /web/health within ${Math.round(timeoutMs / 60_000)} minutes (${last}).`);
}
