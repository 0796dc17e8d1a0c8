import Docker from 'dockerode';
import { FleetError } from '../../shared/errors.js';
import type { Container } from '../../shared/hosts.js';
import type { SshPool, SshSession } from '../ssh/pool.js';
import { ChannelHttpClient } from './channel-http.js';
import { SshDockerAgent } from './ssh-docker-agent.js';
import { SshModem } from './ssh-modem.js';

export interface DockerEndpoint {
  hostId: string;
  hostName: string;
  user: string;
  socketPath: string;
}

interface Cached {
  socketPath: string;
  docker: Docker;
  agent: SshDockerAgent;
  http: ChannelHttpClient;
}

/** The Docker channels open on each SSH connection. */
const channelsOf = new WeakMap<object, Set<{ destroy(): void }>>();

/** Docker Engine API of each host, through the host's pooled SSH connection. */
export class DockerService {
  private readonly clients = new Map<string, Cached>();

  constructor(private readonly pool: SshPool) {}

  /** A dockerode client for the host; every request rides the pooled SSH connection. */
  client(endpoint: DockerEndpoint): Docker {
    const cached = this.clients.get(endpoint.hostId);
    if (cached && cached.socketPath === endpoint.socketPath) return cached.docker;
    if (cached) this.forget(endpoint.hostId);
    const openChannel = async () => {
      const session = await this.pool.session(endpoint.hostId);
      let channel;
      try {
        channel = await session.openUnixSocket(endpoint.socketPath);
      } catch (error) {
        throw await diagnoseSocketFailure(session, endpoint, error as Error);
      }
      // A kept-alive channel must die with its connection, or the agent would hand out a dead one.
      // One listener per connection for all its channels (dozens may be open at once).
      let open = channelsOf.get(session.client);
      if (!open) {
        const channels = new Set<{ destroy(): void }>();
        channelsOf.set(session.client, channels);
        session.client.once('close', () => channels.forEach((c) => c.destroy()));
        open = channels;
      }
      const channels = open;
      channels.add(channel);
      channel.once('close', () => channels.delete(channel));
      return channel;
    };
    const agent = new SshDockerAgent(openChannel);
    const http = new ChannelHttpClient(openChannel);
    const docker = new Docker({ modem: new SshModem(agent, http) } as Docker.DockerOptions);
    this.clients.set(endpoint.hostId, { socketPath: endpoint.socketPath, docker, agent, http });
    return docker;
  }

  forget(hostId: string): void {
    const cached = this.clients.get(hostId);
    cached?.agent.destroy();
    cached?.http.close();
    this.clients.delete(hostId);
  }

  /**
   * Runs a Docker call with a deadline, mapping transport and daemon failures to clear errors;
   * retries once if the channel died under it.
   */
  async call<T>(endpoint: DockerEndpoint, fn: (docker: Docker) => Promise<T>, timeoutMs = 30_000): Promise<T> {
    try {
      return await withDeadline(fn(this.client(endpoint)), timeoutMs, () => this.forget(endpoint.hostId));
    } catch (error) {
      if (error instanceof FleetError) throw error;
      if (isStaleChannel(error)) {
        this.forget(endpoint.hostId);
        try {
          return await withDeadline(fn(this.client(endpoint)), timeoutMs, () => this.forget(endpoint.hostId));
        } catch (retryError) {
          throw toDockerError(retryError);
        }
      }
      throw toDockerError(error);
    }
  }

  async listContainers(endpoint: DockerEndpoint): Promise<Container[]> {
    const list = await this.call(endpoint, (docker) => docker.listContainers({ all: true }));
    return list.map(toContainer);
  }
}

export function toContainer(info: Docker.ContainerInfo): Container {
  return {
    id: info.Id,
    name: (info.Names[0] ?? info.Id.slice(0, 12)).replace(/^\//, ''),
    image: info.Image,
    state: info.State,
    status: info.Status,
    ports: (info.Ports ?? []).map((p) => (p.PublicPort ? `${p.IP ?? ''}:${p.PublicPort}->${p.PrivatePort}/${p.Type}`.replace(/^:/, '') : `${p.PrivatePort}/${p.Type}`)),
    created: new Date(info.Created * 1000).toISOString(),
    labels: info.Labels ?? {},
  };
}

function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new FleetError('TIMEOUT', `Docker did not answer within ${Math.round(ms / 1000)} s.`));
    }, ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function isStaleChannel(error: unknown): boolean {
  const err = error as NodeJS.ErrnoException;
  return err?.code === 'ECONNRESET' || /socket hang up/i.test(err?.message ?? '');
}

function toDockerError(error: unknown): FleetError {
  if (error instanceof FleetError) return error;
  const err = error as Error & { statusCode?: number; json?: { message?: string } };
  if (typeof err.statusCode === 'number') {
    const message = err.json?.message ?? err.message;
    return new FleetError(err.statusCode === 404 ? 'NOT_FOUND' : err.statusCode === 409 ? 'CONFLICT' : 'DOCKER_ERROR', `Docker: ${message}`, { statusCode: err.statusCode });
  }
  return new FleetError('DOCKER_ERROR', `Docker request failed: ${err.message}`);
}

/**
 * sshd reports any failure to open the socket the same way; ask the host which one it was, so
 * the user learns whether Docker is missing or the account lacks permission.
 */
async function diagnoseSocketFailure(session: SshSession, endpoint: DockerEndpoint, original: Error): Promise<FleetError> {
  const probe = await session
    .exec(['sh', '-c', 'if [ ! -e "$1" ]; then echo missing; elif [ ! -S "$1" ]; then echo not-socket; elif [ -r "$1" ] && [ -w "$1" ]; then echo ok; else echo denied; fi', 'sh', endpoint.socketPath], { timeoutMs: 10_000 })
    .catch(() => null);
  const verdict = probe?.stdout.trim();
  const socket = endpoint.socketPath;
  switch (verdict) {
    case 'missing':
      return new FleetError('DOCKER_UNAVAILABLE', `No Docker socket at ${socket} on ${endpoint.hostName}. Is Docker Engine installed and running there, and is the host's Docker socket path right?`, { socketPath: socket, reason: 'missing' });
    case 'not-socket':
      return new FleetError('DOCKER_UNAVAILABLE', `${socket} on ${endpoint.hostName} is not a socket; check the host's Docker socket path.`, { socketPath: socket, reason: 'not-socket' });
    case 'denied':
      return new FleetError('DOCKER_PERMISSION_DENIED', `User "${endpoint.user}" may not use the Docker socket ${socket} on ${endpoint.hostName}. Add the user to the "docker" group on the host (then reconnect), or use an account that has access.`, { socketPath: socket, user: endpoint.user, reason: 'denied' });
    case 'ok':
      return new FleetError('DOCKER_UNAVAILABLE', `The Docker socket ${socket} on ${endpoint.hostName} exists but nothing answers: is the Docker daemon running? (${original.message})`, { socketPath: socket, reason: 'not-answering' });
    default:
      return new FleetError('DOCKER_UNAVAILABLE', `Cannot reach the Docker socket ${socket} on ${endpoint.hostName}: ${original.message}`, { socketPath: socket });
  }
}
