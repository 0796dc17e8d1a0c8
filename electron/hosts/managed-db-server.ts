import type Docker from 'dockerode';
import type { z } from 'zod';
import { FleetError } from '../../shared/errors.js';
import { MANAGED_DB_CONTAINER, type ManagedDbServerInput } from '../../shared/hosts.js';
import type { DockerEndpoint, DockerService } from '../docker/docker-service.js';
import { DB_SERVER_ROLE, HOST_LABEL, ROLE_LABEL } from '../docker/labels.js';
import { ignoringMissing, isMissing } from '../docker/missing.js';
import { logLines } from '../docker/log-stream.js';
import { joinTenantNetworks } from '../docker/networks.js';
import { tarArchive } from '../docker/tar.js';
import type { JobDefinition, JobRegistry, JobRunner, StepContext, StepDefinition } from '../jobs/index.js';
import { withAdmin } from '../postgres/admin-session.js';
import { generatePassword } from '../postgres/scram.js';
import type { Vault } from '../secrets/vault.js';
import type { SshPool } from '../ssh/pool.js';
import type { HostService } from './host-service.js';

/** The role label every managed database server's container, volumes and network carry. */
export { DB_SERVER_ROLE };

const SUPERUSER = 'postgres';
const PORT = 5432;
const PGDATA = '/var/lib/postgresql/data';
/** Where the superuser password file is mounted (read-only) in the server container. */
export const DB_SECRETS_MOUNT = '/run/fleet-postgres';
export const PASSWORD_FILE = `${DB_SECRETS_MOUNT}/superuser_password`;
const READY_TIMEOUT_MS = 120_000;

export type ProvisionDbServerInput = z.output<typeof ManagedDbServerInput>;

export const managedNames = (input: ProvisionDbServerInput) => ({
  container: MANAGED_DB_CONTAINER,
  secretsWriter: `${MANAGED_DB_CONTAINER}-secrets-writer`,
  dataVolume: input.volume,
  secretsVolume: `${MANAGED_DB_CONTAINER}-secrets`,
  network: input.network,
});

export interface ManagedDbServerDeps {
  pool: SshPool;
  docker: DockerService;
  hosts: HostService;
  vault: Vault;
  jobs: JobRunner;
  /** Told when a host's settings changed (the UIs refresh the host). */
  onHostChanged?: (hostId: string) => void;
}

// Keeps the container's volumes (v: false): the database server's data volume outlives its container.
const removeDbContainerIfPresent = (docker: Docker, name: string) => ignoringMissing(() => docker.getContainer(name).remove({ force: true, v: false }));
const removeVolumeIfPresent = (docker: Docker, name: string) => ignoringMissing(() => docker.getVolume(name).remove({ force: true }));

async function exists(probe: () => Promise<unknown>): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

/**
 * Setting up a PostgreSQL container as a host's database server, as a durable job: network,
 * volumes, a generated superuser password (in the vault, and in a 0400 file the image reads
 * through POSTGRES_PASSWORD_FILE: never on a command line or in an environment), the labelled
 * container with no published port, a wait until it accepts connections through the SSH
 * connection, and finally the host's settings. Until the settings are stored, a failure or a
 * crash undoes everything.
 */
export class ManagedDbServerService {
  readonly job: JobDefinition<ProvisionDbServerInput>;

  constructor(private readonly deps: ManagedDbServerDeps) {
    this.job = provisionDbServerJob(deps);
  }

  registerJobs(registry: JobRegistry): void {
    registry.register(this.job);
  }

  provision(input: ProvisionDbServerInput, actor: string): { jobId: string } {
    const host = this.deps.hosts.get(input.hostId); // NOT_FOUND before a job is journaled
    if (host.dbServer) throw alreadySet(host.name, host.dbServer.address, host.dbServer.port);
    return { jobId: this.deps.jobs.runJob(this.job, input, { actor }) };
  }
}

function alreadySet(hostName: string, address: string, port: number): FleetError {
  return new FleetError(
    'CONFLICT',
    `${hostName} already has a database server (${address}:${port}); remove it from the host's settings before setting up a managed one.`,
    { field: 'dbServer' },
  );
}

/** Docker calls on the input's host, the labels of what the job makes, and the stored password's vault id. */
function provisionTools(deps: ManagedDbServerDeps) {
  const endpoint = (input: ProvisionDbServerInput): DockerEndpoint => deps.hosts.endpoint(input.hostId);
  const call = <T>(input: ProvisionDbServerInput, fn: (d: Docker) => Promise<T>, timeoutMs?: number) => deps.docker.call(endpoint(input), fn, timeoutMs);
  const labels = (input: ProvisionDbServerInput) => ({ [ROLE_LABEL]: DB_SERVER_ROLE, [HOST_LABEL]: input.hostId });
  const passwordId = (ctx: StepContext<ProvisionDbServerInput>) => ctx.output<{ passwordId?: string }>('password')?.passwordId;
  return { call, labels, passwordId };
}
type ProvisionTools = ReturnType<typeof provisionTools>;

export function provisionDbServerJob(deps: ManagedDbServerDeps): JobDefinition<ProvisionDbServerInput> {
  const tools = provisionTools(deps);
  const { call, labels, passwordId } = tools;

  return {
    kind: 'hosts.db-server.provision',
    target: ({ hostId }) => `db-server:${hostId}`,
    steps: [
      preflightStep(deps, tools),
      {
        name: 'network',
        title: 'Create the Docker network if missing',
        onCrash: 'compensate',
        async run(ctx) {
          const { input } = ctx;
          const previous = ctx.output<{ created?: boolean }>('network');
          if (await exists(() => call(input, (d) => d.getNetwork(input.network).inspect()))) return { created: previous?.created ?? false };
          // Journaled first: a crash between here and the create still compensates it.
          ctx.setOutput({ created: true });
          await call(input, (d) => d.createNetwork({ Name: input.network, Driver: 'bridge', CheckDuplicate: true, Labels: labels(input) }));
          return { created: true };
        },
        async compensate(ctx) {
          if (!ctx.output<{ created?: boolean }>('network')?.created) return;
          const { input } = ctx;
          await call(input, async (d) => {
            await removeDbContainerIfPresent(d, managedNames(input).container);
            await ignoringMissing(() => d.getNetwork(input.network).remove());
          });
        },
      },
      {
        name: 'volumes',
        title: 'Create the data and secrets volumes',
        onCrash: 'compensate',
        async run({ input }) {
          const n = managedNames(input);
          for (const name of [n.dataVolume, n.secretsVolume]) await call(input, (d) => d.createVolume({ Name: name, Labels: labels(input) }));
        },
        async compensate({ input }) {
          const n = managedNames(input);
          await call(input, async (d) => {
            await removeDbContainerIfPresent(d, n.secretsWriter);
            await removeDbContainerIfPresent(d, n.container);
            await removeVolumeIfPresent(d, n.secretsVolume);
            await removeVolumeIfPresent(d, n.dataVolume);
          });
        },
      },
      passwordStep(deps, tools),
      {
        name: 'server',
        title: 'Start the PostgreSQL container',
        onCrash: 'compensate',
        async run({ input }) {
          const n = managedNames(input);
          await call(input, async (d) => {
            const found = await d.listContainers({ all: true, filters: { name: [`^/${n.container}$`] } });
            const container = found.length
              ? d.getContainer(found[0]!.Id)
              : await d.createContainer({
                  name: n.container,
                  Image: input.image,
                  Env: [`POSTGRES_USER=${SUPERUSER}`, `POSTGRES_PASSWORD_FILE=${PASSWORD_FILE}`, `PGDATA=${PGDATA}`],
                  Labels: labels(input),
                  HostConfig: {
                    Mounts: [
                      { Type: 'volume', Source: n.dataVolume, Target: PGDATA },
                      { Type: 'volume', Source: n.secretsVolume, Target: DB_SECRETS_MOUNT, ReadOnly: true },
                    ],
                    RestartPolicy: { Name: 'unless-stopped' },
                    NetworkMode: n.network,
                  },
                });
            // Tenants that are there already reach it on their own networks.
            await joinTenantNetworks(d, input.hostId, container.id);
            const info = await container.inspect();
            if (!info.State.Running) await container.start();
          });
        },
        async compensate({ input }) {
          await call(input, (d) => removeDbContainerIfPresent(d, managedNames(input).container));
        },
      },
      readyStep(deps, tools),
      {
        name: 'settings',
        title: "Store it as the host's database server",
        onCrash: 'resume',
        async run(ctx) {
          const { input } = ctx;
          const n = managedNames(input);
          deps.hosts.setManagedDbServer(input.hostId, {
            container: n.container,
            port: PORT,
            adminUser: SUPERUSER,
            database: 'postgres',
            passwordSecretId: passwordId(ctx)!,
            network: n.network,
            image: input.image,
            volume: n.dataVolume,
          });
          deps.onHostChanged?.(input.hostId);
        },
      },
    ],
  };
}

/** Refuses a host that has a database server, a missing image, and names already taken. */
function preflightStep(deps: ManagedDbServerDeps, tools: ProvisionTools): StepDefinition<ProvisionDbServerInput> {
  const { call } = tools;
  return {
    name: 'preflight',
    title: 'Check the host, the image and the names',
    onCrash: 'compensate',
    async run({ input }) {
      const host = deps.hosts.get(input.hostId);
      if (host.dbServer) throw alreadySet(host.name, host.dbServer.address, host.dbServer.port);
      const n = managedNames(input);
      if (!(await exists(() => call(input, (d) => d.getImage(input.image).inspect())))) {
        throw new FleetError('NOT_FOUND', `The image ${input.image} is not on ${host.name}; pull or load it there first (docker pull ${input.image}).`, { field: 'image', image: input.image });
      }
      if (await exists(() => call(input, (d) => d.getContainer(n.container).inspect()))) {
        throw new FleetError('CONFLICT', `A container named ${n.container} already exists on ${host.name}; remove it or adopt it as an existing server.`, { field: 'container' });
      }
      for (const volume of [n.dataVolume, n.secretsVolume]) {
        if (await exists(() => call(input, (d) => d.getVolume(volume).inspect()))) {
          throw new FleetError('CONFLICT', `A volume named ${volume} already exists on ${host.name}; choose another volume name, or remove it if it holds nothing you need.`, { field: 'volume' });
        }
      }
    },
  };
}

/** The superuser password: generated once (kept in the vault), written as a 0400 file into the secrets volume. */
function passwordStep(deps: ManagedDbServerDeps, tools: ProvisionTools): StepDefinition<ProvisionDbServerInput> {
  const { call, labels, passwordId } = tools;
  return {
    name: 'password',
    title: 'Generate the superuser password and write it as a 0400 file',
    onCrash: 'compensate',
    async run(ctx) {
      const { input } = ctx;
      const n = managedNames(input);
      let id = passwordId(ctx);
      let password: string;
      if (id) password = deps.vault.get(id);
      else {
        password = generatePassword();
        id = deps.vault.put('db-admin-password', password);
        ctx.setOutput({ passwordId: id });
      }
      // Read by the image's entrypoint as root (POSTGRES_PASSWORD_FILE), so root's 0400 file.
      const archive = tarArchive([{ name: 'superuser_password', content: Buffer.from(password), mode: 0o400, uid: 0, gid: 0 }]);
      // Through the archive API into a never-started container: the password travels in an
      // API body over SSH, never on a command line or in an environment.
      await call(input, async (d) => {
        await removeDbContainerIfPresent(d, n.secretsWriter);
        const writer = await d.createContainer({
          name: n.secretsWriter,
          Image: input.image,
          Entrypoint: ['true'],
          Cmd: [],
          Labels: { ...labels(input), [ROLE_LABEL]: 'secrets-writer' },
          HostConfig: { Mounts: [{ Type: 'volume', Source: n.secretsVolume, Target: DB_SECRETS_MOUNT }], NetworkMode: 'none' },
        });
        try {
          await writer.putArchive(archive, { path: DB_SECRETS_MOUNT });
        } finally {
          await writer.remove({ force: true, v: true });
        }
      });
      return { passwordId: id };
    },
    async compensate(ctx) {
      deps.vault.remove(passwordId(ctx));
      await call(ctx.input, (d) => removeDbContainerIfPresent(d, managedNames(ctx.input).secretsWriter));
    },
  };
}

/** Waits until PostgreSQL accepts the generated password, from the host itself; fails at once when the container stops. */
function readyStep(deps: ManagedDbServerDeps, tools: ProvisionTools): StepDefinition<ProvisionDbServerInput> {
  const { call, passwordId } = tools;
  return {
    name: 'ready',
    title: 'Wait until PostgreSQL accepts connections',
    onCrash: 'compensate',
    async run(ctx) {
      const { input } = ctx;
      const n = managedNames(input);
      const password = deps.vault.get(passwordId(ctx)!);
      const deadline = Date.now() + READY_TIMEOUT_MS;
      let last = 'no answer yet';
      while (Date.now() < deadline) {
        ctx.signal.throwIfAborted();
        const info = await call(input, (d) => d.getContainer(n.container).inspect());
        if (!info.State.Running) {
          const logs = await call(input, (d) => d.getContainer(n.container).logs({ stdout: true, stderr: true, tail: 20 }) as unknown as Promise<Buffer>);
          throw new FleetError('COMMAND_FAILED', `The PostgreSQL container stopped (exit ${info.State.ExitCode}) before accepting connections: ${logLines(logs).slice(-5).join(' | ') || 'no output'}`);
        }
        const ip = info.NetworkSettings.Networks?.[n.network]?.IPAddress;
        if (ip) {
          try {
            // From the host itself, through the SSH connection: no port is published.
            const version = await withAdmin(deps.pool, { hostId: input.hostId, address: ip, port: PORT, user: SUPERUSER, password, database: 'postgres' }, async (c) =>
              (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version,
            );
            return { version: version ?? null, address: ip };
          } catch (error) {
            if (error instanceof FleetError && error.code === 'POSTGRES_AUTH_FAILED') {
              throw new FleetError('POSTGRES_AUTH_FAILED', `PostgreSQL in ${n.container} refused the generated password: does the image ${input.image} read POSTGRES_PASSWORD_FILE? (${error.message})`);
            }
            last = (error as Error).message;
          }
        }
        ctx.progress(Math.min(0.95, 1 - (deadline - Date.now()) / READY_TIMEOUT_MS), 'initialising the database cluster');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      throw new FleetError('TIMEOUT', `PostgreSQL in ${n.container} did not accept connections within ${READY_TIMEOUT_MS / 1000} s (${last}).`);
    },
  };
}
