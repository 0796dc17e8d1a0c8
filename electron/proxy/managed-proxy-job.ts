import type Docker from 'dockerode';
import type { z } from 'zod';
import { FleetError } from '../../shared/errors.js';
import type { ManagedProxyInput } from '../../shared/hosts.js';
import { HOST_LABEL, PROXY_ROLE, ROLE_LABEL } from '../docker/labels.js';
import { ignoringMissing, isMissing } from '../docker/missing.js';
import { joinTenantNetworks } from '../docker/networks.js';
import { logLines } from '../docker/log-stream.js';
import { tarArchive } from '../docker/tar.js';
import type { JobDefinition, StepDefinition } from '../jobs/types.js';
import { ACME_ROOT_PATH, ADMIN_DIR_IN_CONTAINER, ADMIN_SOCKET_NAME, BASE_CONFIG_PATH, PROXY_DATA_DIR, baseConfig, type AcmeSettings } from './caddy-config.js';
import { ADMIN_DIR_ON_HOST, ADMIN_SOCKET_LABEL, BASE_DOMAIN_LABEL, PROXY_CONTAINER, PROXY_NETWORK, PROXY_VOLUME, findProxyContainer, findTraefik, publishedPorts } from './proxy-container.js';
import { syncAllRoutes, withProxyAdmin, type ProxyDeps } from './tenant-routes.js';

export type ProvisionProxyInput = z.output<typeof ManagedProxyInput>;

const READY_TIMEOUT_MS = 60_000;

const acmeOf = (input: ProvisionProxyInput): AcmeSettings => ({ directoryUrl: input.acme.directoryUrl, email: input.acme.email, hasPrivateRoot: !!input.acme.rootPem });

/**
 * Caddy's start in the container: the admin directory belongs to the Docker socket's group
 * (setgid, so the socket Caddy makes does too) and umask 007 keeps everyone else off the socket;
 * `--resume` restarts from what the console last set (Caddy's autosave), the base file only the first time.
 */
function startScript(): string {
  return [
    `chgrp "$FLEET_ADMIN_GID" ${ADMIN_DIR_IN_CONTAINER}`,
    `chmod 2770 ${ADMIN_DIR_IN_CONTAINER}`,
    `rm -f ${ADMIN_DIR_IN_CONTAINER}/${ADMIN_SOCKET_NAME}`,
    'umask 0007',
    `exec caddy run --resume --config ${BASE_CONFIG_PATH}`,
  ].join(' && ');
}

function containerSpec(input: ProvisionProxyInput, adminGid: number): Docker.ContainerCreateOptions {
  const host = (port: number) => [{ HostIp: input.bindAddress, HostPort: String(port) }];
  return {
    name: PROXY_CONTAINER,
    Image: input.image,
    Entrypoint: ['/bin/sh', '-c', startScript()],
    Cmd: [],
    // One volume holds Caddy's certificates, its saved configuration and the console's files.
    Env: [`FLEET_ADMIN_GID=${adminGid}`, `XDG_CONFIG_HOME=${PROXY_DATA_DIR}/config`, `XDG_DATA_HOME=${PROXY_DATA_DIR}`],
    Labels: {
      [ROLE_LABEL]: PROXY_ROLE,
      [HOST_LABEL]: input.hostId,
      [ADMIN_SOCKET_LABEL]: `${ADMIN_DIR_ON_HOST}/${ADMIN_SOCKET_NAME}`,
      [BASE_DOMAIN_LABEL]: input.baseDomain ?? '',
    },
    ExposedPorts: { '80/tcp': {}, '443/tcp': {} },
    HostConfig: {
      Binds: [`${ADMIN_DIR_ON_HOST}:${ADMIN_DIR_IN_CONTAINER}`],
      Mounts: [{ Type: 'volume', Source: PROXY_VOLUME, Target: PROXY_DATA_DIR }],
      PortBindings: { '80/tcp': host(input.httpPort), '443/tcp': host(input.httpsPort) },
      RestartPolicy: { Name: 'unless-stopped' },
      NetworkMode: PROXY_NETWORK,
      CapDrop: ['ALL'],
      // CHOWN and FSETID for the admin directory's group and setgid bit (dropped otherwise), NET_BIND_SERVICE for 80 and 443.
      CapAdd: ['NET_BIND_SERVICE', 'CHOWN', 'FOWNER', 'FSETID', 'DAC_OVERRIDE'],
      SecurityOpt: ['no-new-privileges'],
    },
  };
}

/** Whether the running proxy already is what the input asks for (same image, ports and settings). */
function matches(info: Docker.ContainerInspectInfo, wanted: Docker.ContainerCreateOptions): boolean {
  const labels = info.Config.Labels ?? {};
  const sameLabels = Object.entries(wanted.Labels ?? {}).every(([key, value]) => labels[key] === value);
  const samePorts = JSON.stringify(info.HostConfig.PortBindings ?? {}) === JSON.stringify(wanted.HostConfig?.PortBindings ?? {});
  return info.Config.Image === wanted.Image && sameLabels && samePorts && (info.Config.Env ?? []).includes(wanted.Env![0]!);
}

export function provisionProxyJob(deps: ProxyDeps): JobDefinition<ProvisionProxyInput> {
  return {
    kind: 'hosts.proxy.provision',
    target: ({ hostId }) => `proxy:${hostId}`,
    steps: [preflightStep(deps), networkAndVolumeStep(deps), containerStep(deps), readyStep(deps), routesStep(deps)],
    publicResult: (output) => ({ routes: output('routes') ?? null }),
  };
}

const call = <T>(deps: ProxyDeps, hostId: string, fn: (d: Docker) => Promise<T>, timeoutMs?: number) => deps.docker.call(deps.hosts.endpoint(hostId), fn, timeoutMs);

/** Refuses a host that routes with its own Traefik, a missing image and ports other containers publish; finds the Docker socket's group. */
function preflightStep(deps: ProxyDeps): StepDefinition<ProvisionProxyInput> {
  return {
    name: 'preflight',
    title: 'Check the host, the image and the ports',
    onCrash: 'compensate',
    async run({ input }) {
      const host = deps.hosts.get(input.hostId);
      const traefik = await call(deps, input.hostId, findTraefik);
      if (traefik) {
        throw new FleetError('CONFLICT', `${host.name} routes with its own Traefik (container ${traefik.container}); the console leaves routing to it and tenants carry its labels. Remove that Traefik first to let the console manage a proxy.`, { traefik });
      }
      try {
        await call(deps, input.hostId, (d) => d.getImage(input.image).inspect());
      } catch (error) {
        if (error instanceof FleetError && error.code === 'NOT_FOUND') throw new FleetError('NOT_FOUND', `The image ${input.image} is not on ${host.name}; pull or load it there first (docker pull ${input.image}).`, { field: 'image' });
        throw error;
      }
      const existing = await call(deps, input.hostId, (d) => findProxyContainer(d, input.hostId));
      const taken = await call(deps, input.hostId, (d) => publishedPorts(d, existing?.id));
      for (const [field, port] of [['httpPort', input.httpPort], ['httpsPort', input.httpsPort]] as const) {
        const holder = taken.get(port);
        if (holder) throw new FleetError('CONFLICT', `Port ${port} on ${host.name} is published by the container ${holder}; stop it or choose another port.`, { field });
      }
      return { adminGid: await dockerSocketGroup(deps, input.hostId, host.dockerSocket), upgrade: !!existing };
    },
  };
}

/** The group of the host's Docker socket: whoever may use Docker may use the proxy's admin socket, nobody else. */
async function dockerSocketGroup(deps: ProxyDeps, hostId: string, socketPath: string): Promise<number> {
  const result = await (await deps.pool.session(hostId)).exec(['stat', '-L', '-c', '%g', socketPath], { timeoutMs: 15_000 });
  const gid = Number(result.stdout.trim());
  if (result.code !== 0 || !Number.isInteger(gid)) throw new FleetError('COMMAND_FAILED', `Could not read the group of ${socketPath} on the host: ${result.stderr.trim() || `exit ${result.code}`}`);
  return gid;
}

const ignoringConflict = async (create: () => Promise<unknown>) => {
  try {
    await create();
  } catch (error) {
    if (!(error instanceof FleetError && error.code === 'CONFLICT') && (error as { statusCode?: number }).statusCode !== 409) throw error;
  }
};


/** The network and volume, made when missing; a first set-up that fails removes what it made. */
function networkAndVolumeStep(deps: ProxyDeps): StepDefinition<ProvisionProxyInput> {
  const labels = (input: ProvisionProxyInput) => ({ [ROLE_LABEL]: PROXY_ROLE, [HOST_LABEL]: input.hostId });
  type Made = { network?: boolean; volume?: boolean };
  return {
    name: 'network-volume',
    title: "Create the proxy's network and volume if missing",
    onCrash: 'compensate',
    async run(ctx) {
      const { input } = ctx;
      const made: Made = { ...ctx.output<Made>('network-volume') };
      await call(deps, input.hostId, async (d) => {
        if (!(await d.listNetworks({ filters: { name: [PROXY_NETWORK] } })).some((n) => n.Name === PROXY_NETWORK)) {
          ctx.setOutput({ ...made, network: true }); // journaled first: a crash before the create still compensates it
          made.network = true;
          await ignoringConflict(() => d.createNetwork({ Name: PROXY_NETWORK, Driver: 'bridge', CheckDuplicate: true, Labels: labels(input) }));
        }
        if (!(await d.listVolumes({ filters: { name: [PROXY_VOLUME] } })).Volumes?.some((v) => v.Name === PROXY_VOLUME)) {
          ctx.setOutput({ ...made, volume: true });
          made.volume = true;
          await ignoringConflict(() => d.createVolume({ Name: PROXY_VOLUME, Labels: labels(input) }));
        }
      });
      return made;
    },
    async compensate(ctx) {
      const made = ctx.output<Made>('network-volume') ?? {};
      await call(deps, ctx.input.hostId, async (d) => {
        if (made.network || made.volume) await ignoringMissing(() => d.getContainer(PROXY_CONTAINER).remove({ force: true, v: false }));
        if (made.network) await ignoringMissing(() => d.getNetwork(PROXY_NETWORK).remove());
        if (made.volume) await ignoringMissing(() => d.getVolume(PROXY_VOLUME).remove({ force: true }));
      });
    },
  };
}

/** The console's files in the proxy's volume: Caddy's first configuration and a private ACME root. */
function proxyFiles(input: ProvisionProxyInput): Buffer {
  const relative = (path: string) => path.slice(PROXY_DATA_DIR.length + 1);
  return tarArchive([
    { name: relative(BASE_CONFIG_PATH), content: Buffer.from(JSON.stringify(baseConfig(acmeOf(input)), null, 2)), mode: 0o600, uid: 0, gid: 0 },
    ...(input.acme.rootPem ? [{ name: relative(ACME_ROOT_PATH), content: Buffer.from(input.acme.rootPem), mode: 0o644, uid: 0, gid: 0 }] : []),
  ]);
}

const inspectOrNull = (d: Docker, name: string) => d.getContainer(name).inspect().catch((error: unknown) => {
  if (isMissing(error)) return null;
  throw error;
});

/**
 * The proxy's container as the input asks: kept when it already is, else replaced (an upgrade:
 * the volume, so certificates and routes, stays). Converges, so a crash resumes it.
 */
function containerStep(deps: ProxyDeps): StepDefinition<ProvisionProxyInput> {
  return {
    name: 'container',
    title: 'Start Caddy (replacing an older proxy container)',
    onCrash: 'resume',
    async run(ctx) {
      const { input } = ctx;
      const { adminGid } = ctx.output<{ adminGid: number }>('preflight')!;
      const wanted = containerSpec(input, adminGid);
      return call(deps, input.hostId, async (d) => {
        const existing = await inspectOrNull(d, PROXY_CONTAINER);
        const replaced = !!existing && !matches(existing, wanted);
        if (replaced) await d.getContainer(PROXY_CONTAINER).remove({ force: true, v: false });
        const container = existing && !replaced ? d.getContainer(PROXY_CONTAINER) : await d.createContainer(wanted);
        await container.putArchive(proxyFiles(input), { path: PROXY_DATA_DIR });
        // Every tenant's own network, so Docker's DNS resolves each server for it.
        await joinTenantNetworks(d, input.hostId, PROXY_CONTAINER);
        if (!(await container.inspect()).State.Running) await container.start();
        return { replaced };
      }, 120_000);
    },
    async compensate(ctx) {
      if (ctx.output<{ upgrade?: boolean }>('preflight')?.upgrade) return; // an upgrade never removes the proxy it failed to replace
      await call(deps, ctx.input.hostId, (d) => ignoringMissing(() => d.getContainer(PROXY_CONTAINER).remove({ force: true, v: false })));
    },
  };
}

/**
 * Waits for the admin socket, then loads the configuration the input asks for with the routes the
 * proxy already has (an upgrade keeps them): the one whole-configuration load, graceful as every
 * Caddy change is.
 */
function readyStep(deps: ProxyDeps): StepDefinition<ProvisionProxyInput> {
  return {
    name: 'ready',
    title: "Wait for the proxy's admin socket and apply the settings",
    onCrash: 'resume',
    async run(ctx) {
      const { input } = ctx;
      const deadline = Date.now() + READY_TIMEOUT_MS;
      let last = 'no answer yet';
      while (Date.now() < deadline) {
        ctx.signal.throwIfAborted();
        const info = await call(deps, input.hostId, (d) => d.getContainer(PROXY_CONTAINER).inspect());
        if (!info.State.Running) {
          const logs = await call(deps, input.hostId, (d) => d.getContainer(PROXY_CONTAINER).logs({ stdout: true, stderr: true, tail: 20 }) as unknown as Promise<Buffer>);
          throw new FleetError('COMMAND_FAILED', `The proxy container stopped (exit ${info.State.ExitCode}): ${logLines(logs).slice(-5).join(' | ') || 'no output'}`);
        }
        try {
          const loaded = await withProxyAdmin(deps, input.hostId, async (admin) => {
            const routes = { tenants: await admin.tenantRoutes(), approvals: await admin.approvalRoutes() };
            await admin.load(baseConfig(acmeOf(input), routes));
            return routes.tenants.length;
          });
          return { routesKept: loaded ?? 0 };
        } catch (error) {
          last = (error as Error).message;
        }
        ctx.progress(Math.min(0.95, 1 - (deadline - Date.now()) / READY_TIMEOUT_MS), 'waiting for Caddy');
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      throw new FleetError('TIMEOUT', `The proxy's admin socket did not answer within ${READY_TIMEOUT_MS / 1000} s (${last}).`);
    },
  };
}

/** Routes every tenant already on the host (and drops routes of tenants gone meanwhile). */
function routesStep(deps: ProxyDeps): StepDefinition<ProvisionProxyInput> {
  return {
    name: 'routes',
    title: "Route the host's tenants",
    onCrash: 'resume',
    async run(ctx) {
      return (await syncAllRoutes(deps, ctx.input.hostId)) ?? { routed: 0, removed: 0 };
    },
  };
}
