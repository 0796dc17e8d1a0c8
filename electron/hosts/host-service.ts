import type { z } from 'zod';
import { FleetError } from '../../shared/errors.js';
import { tenantIsolationOf, type CheckStep, type Container, type HostCheck, type HostInput, type HostOverview, type HostUpdateInput, type HostView, type ProbeResult } from '../../shared/hosts.js';
import type { Logger } from '../common/log.js';
import type { DockerEndpoint, DockerService } from '../docker/docker-service.js';
import { withAdmin, type DbServerTarget } from '../postgres/admin-session.js';
import { openSshClient, probeHostKey, type SshCredentials } from '../ssh/connect.js';
import type { PoolTarget, SshPool } from '../ssh/pool.js';
import { dbServerViewOf, type HostRecord, type HostStore, type ManagedDbServer, type NewHost } from './host-store.js';
import type { KnownHostsLookup } from './known-hosts-lookup.js';

export interface HostServiceOptions {
  store: HostStore;
  pool: SshPool;
  docker: DockerService;
  knownHosts: KnownHostsLookup;
  log: Logger;
  /** ssh-agent socket for hosts that use the agent without naming a socket. */
  defaultAgentSocket?: string | undefined;
}

type AddInput = z.output<typeof HostInput>;
type UpdateInput = z.output<typeof HostUpdateInput>;

/** Adding, checking and looking at hosts; the one place that knows how a host is reached. */
export class HostService {
  constructor(private readonly options: HostServiceOptions) {}

  list(): HostView[] {
    const dbServers = this.options.store.dbServers();
    return this.options.store.list().map((host) => this.view(host, dbServerViewOf(dbServers.get(host.id))));
  }

  get(id: string): HostView {
    return this.view(this.options.store.get(id));
  }

  view(host: HostRecord, dbServer = this.options.store.dbServerView(host.id)): HostView {
    const connection = this.options.pool.state(host.id);
    return {
      id: host.id,
      name: host.name,
      address: host.address,
      port: host.port,
      user: host.user,
      auth: this.options.store.authView(host),
      jumpHostId: host.jumpHostId,
      dockerSocket: host.dockerSocket,
      dbServer,
      isolation: tenantIsolationOf(dbServer),
      hostKey: { type: host.hostKeyType, fingerprint: host.hostKeyFingerprint },
      createdAt: host.createdAt,
      connection: { state: connection.state, lastError: connection.lastError?.message ?? null, since: connection.since },
    };
  }

  /**
   * Opens every stored host's connection in the background so the host list shows live states
   * from the start (the pool then keeps them up). For the UI faces, not for one-shot CLI runs.
   */
  connectAll(): void {
    for (const host of this.options.store.list()) this.options.pool.session(host.id).catch(() => {});
  }

  /** The key a host presents, and what ~/.ssh/known_hosts says of it, for the user to confirm. */
  async probe(input: { address: string; port: number; jumpHostId?: string | undefined }): Promise<ProbeResult> {
    const sock = input.jumpHostId ? await this.jumpChannel(input.jumpHostId, input.address, input.port) : undefined;
    const key = await probeHostKey({ address: input.address, port: input.port, ...(sock ? { sock } : {}) });
    return { ...key, ...this.options.knownHosts.compare(input.address, input.port, key.fingerprint) };
  }

  /**
   * Adds a host only after logging in with the given credentials while insisting on the
   * confirmed fingerprint: nothing is stored for a host we could not verify and reach.
   */
  async add(input: AddInput): Promise<HostView> {
    const { store } = this.options;
    if (store.findByName(input.name)) throw new FleetError('CONFLICT', `A host named "${input.name}" already exists.`, { field: 'name' });
    if (input.jumpHostId) store.get(input.jumpHostId);
    const credentials = this.credentialsFromInput(input.auth);
    const sock = input.jumpHostId ? await this.jumpChannel(input.jumpHostId, input.address, input.port) : undefined;
    const { client, hostKey } = await openSshClient({
      address: input.address,
      port: input.port,
      user: input.user,
      credentials,
      expectedFingerprint: input.trustedFingerprint,
      ...(sock ? { sock } : {}),
    });
    client.end();
    const record: NewHost = {
      name: input.name,
      address: input.address,
      port: input.port,
      user: input.user,
      auth: input.auth,
      jumpHostId: input.jumpHostId ?? null,
      dockerSocket: input.dockerSocket,
      hostKeyType: hostKey.keyType,
      hostKeyFingerprint: input.trustedFingerprint,
      dbServer: input.dbServer,
    };
    const host = store.insert(record);
    this.options.log.info('host added', { hostId: host.id, name: host.name });
    return this.view(host);
  }

  update(input: UpdateInput): HostView {
    const host = this.options.store.update(input.id, {
      name: input.name,
      user: input.user,
      dockerSocket: input.dockerSocket,
      auth: input.auth,
      dbServer: input.dbServer === undefined ? undefined : input.dbServer,
    });
    this.forgetConnection(host.id);
    return this.view(host);
  }

  /** After the user verified a changed key out of band: pin the new one. */
  async retrust(id: string, fingerprint: string): Promise<HostView> {
    const host = this.options.store.get(id);
    const sock = host.jumpHostId ? await this.jumpChannel(host.jumpHostId, host.address, host.port) : undefined;
    const presented = await probeHostKey({ address: host.address, port: host.port, ...(sock ? { sock } : {}) });
    if (presented.fingerprint !== fingerprint) {
      throw new FleetError('HOST_KEY_CHANGED', `The host now presents ${presented.fingerprint}, not the ${fingerprint} you confirmed; nothing was changed.`, {
        expected: fingerprint,
        presented: presented.fingerprint,
      });
    }
    const updated = this.options.store.pinKey(id, presented.keyType, presented.fingerprint);
    this.forgetConnection(id);
    return this.view(updated);
  }

  remove(id: string): boolean {
    const removed = this.options.store.remove(id);
    if (removed) this.forgetConnection(id);
    return removed;
  }

  /** What the pool needs to open a host's connection; secrets are decrypted only here. */
  resolveTarget = async (hostId: string): Promise<PoolTarget> => {
    const host = this.options.store.find(hostId);
    if (!host) throw new FleetError('NOT_FOUND', 'No such host.', { id: hostId });
    return {
      hostId,
      address: host.address,
      port: host.port,
      user: host.user,
      jumpHostId: host.jumpHostId,
      expectedFingerprint: host.hostKeyFingerprint,
      credentials: this.credentialsOf(host),
    };
  };

  endpoint(hostId: string): DockerEndpoint {
    const host = this.options.store.get(hostId);
    return { hostId, hostName: host.name, user: host.user, socketPath: host.dockerSocket };
  }

  dbTarget(hostId: string): DbServerTarget | null {
    const db = this.options.store.dbServer(hostId);
    if (!db) return null;
    const password = this.options.store.secret(db.passwordSecretId);
    return {
      hostId,
      address: db.address,
      port: db.port,
      user: db.adminUser,
      database: db.database,
      ...(password !== undefined ? { password } : {}),
      ...(db.managed ? { resolveAddress: () => this.managedDbAddress(hostId, db.address, db.tenantNetwork) } : {}),
    };
  }

  /** Records a managed server (hosts.provisionDbServer); idempotent for the job that set it up. */
  setManagedDbServer(hostId: string, db: ManagedDbServer): void {
    const current = this.options.store.dbServer(hostId);
    if (current && current.passwordSecretId !== db.passwordSecretId) {
      throw new FleetError('CONFLICT', `The host's database server was set meanwhile (${current.address}:${current.port}); the managed one was not recorded.`, { field: 'dbServer' });
    }
    this.options.store.setManagedDbServer(hostId, db);
  }

  /** A managed server's IP on its network, read from its container now: it can change on restart. */
  private async managedDbAddress(hostId: string, container: string, network: string | null): Promise<string> {
    const host = this.options.store.get(hostId);
    let info;
    try {
      info = await this.options.docker.call(this.endpoint(hostId), (docker) => docker.getContainer(container).inspect());
    } catch (error) {
      if (error instanceof FleetError && error.code === 'NOT_FOUND') {
        throw new FleetError('POSTGRES_UNAVAILABLE', `The managed database server's container ${container} is gone from ${host.name}.`, { container });
      }
      throw error;
    }
    if (!info.State.Running) {
      throw new FleetError('POSTGRES_UNAVAILABLE', `The managed database server's container ${container} on ${host.name} is not running (${info.State.Status}); start it with docker start ${container}.`, { container });
    }
    const networks = info.NetworkSettings.Networks ?? {};
    const ip = (network ? networks[network]?.IPAddress : undefined) || Object.values(networks).find((n) => n.IPAddress)?.IPAddress;
    if (!ip) throw new FleetError('POSTGRES_UNAVAILABLE', `The managed database server's container ${container} on ${host.name} has no IP address on ${network ?? 'any network'}.`, { container });
    return ip;
  }

  async containers(hostId: string): Promise<Container[]> {
    return this.options.docker.listContainers(this.endpoint(hostId));
  }

  async overview(hostId: string): Promise<HostOverview> {
    const endpoint = this.endpoint(hostId);
    const [info, version, containers, resources] = await Promise.all([
      this.options.docker.call(endpoint, (docker) => docker.info() as Promise<Record<string, unknown>>),
      this.options.docker.call(endpoint, (docker) => docker.version()),
      this.options.docker.listContainers(endpoint),
      this.resources(hostId),
    ]);
    return {
      hostId,
      docker: {
        version: version.Version,
        apiVersion: version.ApiVersion,
        os: String(info.OperatingSystem ?? ''),
        kernel: String(info.KernelVersion ?? ''),
        cpus: Number(info.NCPU ?? 0),
        memoryBytes: Number(info.MemTotal ?? 0),
        containersRunning: Number(info.ContainersRunning ?? 0),
        containersTotal: Number(info.Containers ?? 0),
        images: Number(info.Images ?? 0),
        storageDriver: String(info.Driver ?? ''),
      },
      disk: resources.disk,
      memory: resources.memory,
      containers,
      fetchedAt: new Date().toISOString(),
    };
  }

  /** Connect → OS → Docker → PostgreSQL → disk and memory, each with its result and a fix hint. */
  async check(hostId: string): Promise<HostCheck> {
    const host = this.options.store.get(hostId);
    const steps: CheckStep[] = [];
    const run = async (step: CheckStep['step'], fn: () => Promise<Omit<CheckStep, 'step' | 'ms'>>): Promise<boolean> => {
      const started = performance.now();
      let result: Omit<CheckStep, 'step' | 'ms'>;
      try {
        result = await fn();
      } catch (error) {
        const failure = error instanceof FleetError ? error : new FleetError('INTERNAL', (error as Error).message);
        result = { status: 'fail', detail: failure.message, hint: hintFor(failure, host) };
      }
      steps.push({ step, ...result, ms: Math.round(performance.now() - started) });
      return result.status !== 'fail';
    };

    const connected = await run('connect', async () => {
      await this.options.pool.session(hostId);
      return { status: 'ok', detail: `Logged in as ${host.user}@${host.address}:${host.port}; host key ${host.hostKeyFingerprint} verified.` };
    });
    if (!connected) {
      for (const step of ['os', 'docker', 'postgres', 'resources'] as const) {
        steps.push({ step, status: 'skipped', detail: 'Needs a working SSH connection.', ms: 0 });
      }
      return { hostId, ok: false, steps };
    }
    await run('os', async () => {
      const result = await this.options.pool.withSession(hostId, (session) =>
        session.execScript('uname -srm; . /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}"', { timeoutMs: 15_000 }),
      );
      const [kernel = 'unknown', distro = 'unknown'] = result.stdout.trim().split('\n');
      if (!/^Linux /.test(kernel)) return { status: 'warn', detail: `${distro}; ${kernel}`, hint: 'Odoo Fleet manages Linux hosts; other systems are untested.' };
      return { status: 'ok', detail: `${distro}; ${kernel}` };
    });
    await run('docker', async () => {
      const version = await this.options.docker.call(this.endpoint(hostId), (docker) => docker.version());
      const major = Number.parseInt(version.Version, 10);
      if (Number.isFinite(major) && major < 20) {
        return { status: 'warn', detail: `Docker ${version.Version} (API ${version.ApiVersion})`, hint: 'Docker Engine 20.10 or newer is recommended; upgrade the host\'s Docker.' };
      }
      return { status: 'ok', detail: `Docker ${version.Version} (API ${version.ApiVersion}, ${version.Os}/${version.Arch}) at ${host.dockerSocket}` };
    });
    await run('postgres', async () => {
      const target = this.dbTarget(hostId);
      if (!target) {
        return { status: 'skipped', detail: 'No database server is set for this host.', hint: "Set the host's database server (address, port, admin role) so tenants can use it." };
      }
      const version = await withAdmin(this.options.pool, target, async (client) => (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? 'unknown');
      return { status: 'ok', detail: `PostgreSQL ${version} at ${target.address}:${target.port} as ${target.user}` };
    });
    await run('resources', async () => {
      const { disk, memory } = await this.resources(hostId);
      const freeRatio = disk.totalBytes > 0 ? disk.availableBytes / disk.totalBytes : 0;
      const detail = `Disk ${gib(disk.availableBytes)} free of ${gib(disk.totalBytes)} (${disk.path}); memory ${gib(memory.availableBytes)} available of ${gib(memory.totalBytes)}`;
      if (freeRatio < 0.1 || disk.availableBytes < 5 * 2 ** 30) return { status: 'warn', detail, hint: 'Less than 10% or 5 GiB of disk is free: backups and new tenants may fail. Free space or grow the disk.' };
      if (memory.availableBytes < 2 ** 30) return { status: 'warn', detail, hint: 'Less than 1 GiB of memory is available: each Odoo tenant needs several hundred MiB.' };
      return { status: 'ok', detail };
    });
    return { hostId, ok: steps.every((s) => s.status !== 'fail'), steps };
  }

  private async resources(hostId: string): Promise<Pick<HostOverview, 'disk' | 'memory'>> {
    const host = this.options.store.get(hostId);
    // Docker's data root may be unreadable for the SSH user; fall back to the root file system.
    const script = 'for p in /var/lib/docker /; do out=$(df -P -k "$p" 2>/dev/null | tail -n 1) && [ -n "$out" ] && { echo "$p $out"; break; }; done; grep -E "^(MemTotal|MemAvailable):" /proc/meminfo';
    const result = await this.options.pool.withSession(hostId, (session) => session.execScript(script, { timeoutMs: 15_000 }));
    const lines = result.stdout.trim().split('\n');
    const df = (lines[0] ?? '').split(/\s+/);
    const meminfo = Object.fromEntries(
      lines.slice(1).map((line) => {
        const [key, value] = line.split(':');
        return [key?.trim(), Number.parseInt(value ?? '0', 10) * 1024];
      }),
    ) as Record<string, number>;
    if (df.length < 6) throw new FleetError('COMMAND_FAILED', `Could not read disk usage on ${host.name}: ${result.stderr.trim() || 'df printed nothing'}`);
    return {
      disk: { path: df[0]!, totalBytes: Number(df[2]) * 1024, usedBytes: Number(df[3]) * 1024, availableBytes: Number(df[4]) * 1024 },
      memory: { totalBytes: meminfo.MemTotal ?? 0, availableBytes: meminfo.MemAvailable ?? 0 },
    };
  }

  private forgetConnection(hostId: string) {
    this.options.docker.forget(hostId);
    this.options.pool.invalidate(hostId);
  }

  private async jumpChannel(jumpHostId: string, address: string, port: number) {
    const session = await this.options.pool.session(jumpHostId);
    try {
      return await session.forwardTcp(address, port);
    } catch (error) {
      throw new FleetError('HOST_UNREACHABLE', `The jump host could not reach ${address}:${port}: ${(error as Error).message}`, { address, port });
    }
  }

  private credentialsFromInput(auth: AddInput['auth']): SshCredentials {
    if (auth.kind === 'key') return { kind: 'key', keyPaths: auth.keyPaths, ...(auth.passphrase ? { passphrase: auth.passphrase } : {}) };
    if (auth.kind === 'password') return { kind: 'password', password: auth.password };
    return { kind: 'agent', socketPath: auth.socketPath ?? this.options.defaultAgentSocket ?? '' };
  }

  private credentialsOf(host: HostRecord): SshCredentials {
    const { store } = this.options;
    if (host.authKind === 'key') {
      const passphrase = store.secret(host.passphraseSecretId);
      return { kind: 'key', keyPaths: host.keyPaths, ...(passphrase ? { passphrase } : {}) };
    }
    if (host.authKind === 'password') return { kind: 'password', password: store.secret(host.passwordSecretId) ?? '' };
    return { kind: 'agent', socketPath: host.agentSocket ?? this.options.defaultAgentSocket ?? '' };
  }
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

function hintFor(error: FleetError, host: HostRecord): string {
  switch (error.code) {
    case 'CONNECTION_REFUSED':
      return `Start sshd on the host or correct the port (now ${host.port}).`;
    case 'HOST_UNREACHABLE':
      return 'Check the address, the network path and any firewall between this machine and the host.';
    case 'AUTH_FAILED':
      return `Check that user "${host.user}" exists and that its authorized_keys holds your public key, or the password is right.`;
    case 'HOST_KEY_CHANGED':
      return 'Confirm the new key with the host\'s administrator, then trust it on the host page.';
    case 'KEY_FILE':
      return 'Check the private key path and its passphrase in the host settings.';
    case 'VAULT_LOCKED':
      return 'Unlock stored secrets with your passphrase first.';
    case 'DOCKER_UNAVAILABLE':
      return `Install and start Docker Engine on the host (Debian: apt install docker.io), or set the host's Docker socket path (now ${host.dockerSocket}).`;
    case 'DOCKER_PERMISSION_DENIED':
      return `On the host: usermod -aG docker ${host.user}, then reconnect — or use an account with Docker access.`;
    case 'POSTGRES_AUTH_FAILED':
      return "Check the admin role's password, and that pg_hba.conf allows it from the host itself.";
    case 'POSTGRES_UNAVAILABLE':
      return 'Start PostgreSQL on the host, or correct the database server\'s address and port (as seen from the host).';
    case 'TIMEOUT':
      return 'The host is slow to answer; retry, and check its load.';
    default:
      return 'See the detail above.';
  }
}
