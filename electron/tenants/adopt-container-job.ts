import type Docker from 'dockerode';
import { FleetError } from '../../shared/errors.js';
import { ADOPTED_FROM_LABEL, FLEET_LABEL_PREFIX, ROLE_LABEL, TENANT_LABEL } from '../docker/labels.js';
import type { JobDefinition, Json, StepContext } from '../jobs/types.js';
import { removeContainerIfPresent } from '../tenant-parts/containers.js';
import { waitForTenantHealth } from '../tenant-parts/health.js';
import type { TenantJobDeps } from '../tenant-parts/job-deps.js';
import { tenantLabels } from '../tenant-parts/routing.js';
import { databaseFromCommand, odooEvidence } from './reconcile.js';

export interface AdoptContainerInput {
  hostId: string;
  /** The tenant's name; its server becomes fleet-<name>. */
  name: string;
  /** The unlabelled container, by id or name. */
  container: string;
  /** <name>.<domain> gets routing labels; none when null. */
  domain: string | null;
  /** The database it serves when its command line does not name it. */
  database: string | null;
}

/** The old container as found: ids and names only (its environment may hold a password). */
interface Found {
  [key: string]: Json;
  oldId: string;
  oldName: string;
  wasRunning: boolean;
  database: string;
  /** The old container had the new one's name: it is renamed out of the way while adopting. */
  parkedName: string | null;
}

const HOST_CONFIG_KEYS = [
  'RestartPolicy', 'Memory', 'MemorySwap', 'MemoryReservation', 'NanoCpus', 'CpuShares', 'CpuPeriod', 'CpuQuota', 'CpusetCpus', 'PidsLimit',
  'PortBindings', 'ExtraHosts', 'Dns', 'DnsSearch', 'DnsOptions', 'LogConfig', 'CapAdd', 'CapDrop', 'SecurityOpt', 'ReadonlyRootfs', 'ShmSize',
  'Ulimits', 'Init', 'Privileged', 'NetworkMode', 'Devices', 'GroupAdd', 'Sysctls', 'OomKillDisable', 'IpcMode', 'PidMode', 'Runtime',
] as const;

function aliasable(network: string | undefined): network is string {
  return !!network && !['default', 'bridge', 'host', 'none'].includes(network) && !network.startsWith('container:');
}

/**
 * The new server's options: the old container's image, command, environment, mounts (its
 * anonymous volumes included, by name), limits, restart policy and primary network with its
 * aliases — plus the fleet labels, and the old name as an alias so whatever reached it by name
 * still does.
 */
export function adoptedServerOptions(old: Docker.ContainerInspectInfo, image: string, labels: Record<string, string>, newName: string): Docker.ContainerCreateOptions {
  const oldName = old.Name.replace(/^\//, '');
  const hostConfig: Record<string, unknown> = {};
  for (const key of HOST_CONFIG_KEYS) {
    const value = (old.HostConfig as Record<string, unknown>)[key];
    if (value !== undefined && value !== null && value !== '') hostConfig[key] = value;
  }
  hostConfig.Mounts = old.Mounts.flatMap((m): Docker.MountSettings[] => {
    if (m.Type === 'volume' && m.Name) return [{ Type: 'volume', Source: m.Name, Target: m.Destination, ReadOnly: !m.RW }];
    if (m.Type === 'bind') return [{ Type: 'bind', Source: m.Source, Target: m.Destination, ReadOnly: !m.RW }];
    if (m.Type === 'tmpfs') return [{ Type: 'tmpfs', Source: '', Target: m.Destination }];
    return [];
  });
  const network = old.HostConfig.NetworkMode;
  const endpoint = network ? old.NetworkSettings.Networks?.[network] : undefined;
  const aliases = ((endpoint?.Aliases ?? []) as string[]).filter((a) => a !== old.Id.slice(0, 12) && a !== oldName);
  const config = old.Config;
  const hostname = config.Hostname && config.Hostname !== old.Id.slice(0, 12) ? config.Hostname : undefined;
  return {
    name: newName,
    Image: image,
    Env: config.Env ?? [],
    ...(config.Cmd ? { Cmd: config.Cmd } : {}),
    ...(config.Entrypoint ? { Entrypoint: config.Entrypoint as string[] } : {}),
    ...(config.WorkingDir ? { WorkingDir: config.WorkingDir } : {}),
    ...(config.User ? { User: config.User } : {}),
    ...(hostname ? { Hostname: hostname } : {}),
    ...(config.Domainname ? { Domainname: config.Domainname } : {}),
    ...((config as { StopSignal?: string }).StopSignal ? { StopSignal: (config as { StopSignal?: string }).StopSignal } : {}),
    ExposedPorts: config.ExposedPorts ?? {},
    Labels: { ...(config.Labels ?? {}), ...labels },
    HostConfig: hostConfig as Docker.HostConfig,
    ...(aliasable(network) ? { NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [...new Set([...aliases, oldName])], ...(endpoint?.IPAMConfig ? { IPAMConfig: endpoint.IPAMConfig } : {}) } } } } : {}),
  };
}

/**
 * Adopting an unlabelled Odoo container: Docker cannot add labels to a container, so it is
 * recreated as fleet-<name> with the same configuration plus the fleet labels. The old one is
 * stopped (renamed if it had the new name), the new one created and started, and only after
 * /web/health answers is the old one removed. Until then a failure or a crash removes the new
 * one and starts the old one again.
 */
export function adoptContainerJob(deps: TenantJobDeps): JobDefinition<AdoptContainerInput> {
  const endpoint = (input: AdoptContainerInput) => deps.hosts.endpoint(input.hostId);
  const serverName = (input: AdoptContainerInput) => `fleet-${input.name}`;
  const found = (ctx: StepContext<AdoptContainerInput>) => {
    const value = ctx.output<Found>('preflight');
    if (!value) throw new FleetError('INTERNAL', 'The preflight step recorded nothing.');
    return value;
  };
  return {
    kind: 'tenant.adopt-container',
    target: (input) => `tenant:${input.hostId}/${input.name}`,
    steps: [
      {
        name: 'preflight',
        title: 'Check the container (unlabelled, Odoo) and the name',
        onCrash: 'compensate',
        async run({ input }) {
          const info = await deps.docker.call(endpoint(input), (d) => d.getContainer(input.container).inspect());
          if (Object.keys(info.Config.Labels ?? {}).some((k) => k.startsWith(FLEET_LABEL_PREFIX))) {
            throw new FleetError('CONFLICT', `Container ${info.Name.replace(/^\//, '')} already carries fleet labels: it is not adoptable.`, { field: 'container' });
          }
          if (odooEvidence(info).length === 0) throw new FleetError('VALIDATION', `Container ${info.Name.replace(/^\//, '')} does not look like Odoo (image, HOST/USER/PASSWORD env, port 8069).`, { field: 'container' });
          const clash = await deps.docker.call(endpoint(input), (d) => d.listContainers({ all: true, filters: { label: [`${TENANT_LABEL}=${input.name}`] } }));
          if (clash.length > 0) throw new FleetError('CONFLICT', `A tenant named "${input.name}" already exists on this host.`, { field: 'name' });
          const database = input.database ?? databaseFromCommand([...(info.Config.Entrypoint ?? []), ...(info.Config.Cmd ?? [])]);
          if (!database) throw new FleetError('VALIDATION', "The container's command line names no database (-d): give the database it serves.", { field: 'database' });
          const oldName = info.Name.replace(/^\//, '');
          if (oldName !== serverName(input)) {
            const taken = await deps.docker.call(endpoint(input), (d) => d.listContainers({ all: true, filters: { name: [`^/${serverName(input)}$`] } }));
            if (taken.length > 0) throw new FleetError('CONFLICT', `A container named ${serverName(input)} already exists.`, { field: 'name' });
          }
          return { oldId: info.Id, oldName, wasRunning: info.State.Running, database, parkedName: oldName === serverName(input) ? `${oldName}-pre-adoption` : null } satisfies Found;
        },
      },
      {
        name: 'stop-old',
        title: 'Stop the old container',
        onCrash: 'compensate',
        async run(ctx) {
          const { oldId, parkedName } = found(ctx);
          await deps.docker.call(endpoint(ctx.input), async (d) => {
            const old = d.getContainer(oldId);
            const info = await old.inspect();
            if (info.State.Running) await old.stop({ t: 20 });
            if (parkedName && info.Name.replace(/^\//, '') !== parkedName) await old.rename({ name: parkedName });
          }, 60_000);
        },
        async compensate(ctx) {
          const value = ctx.output<Found>('preflight');
          if (!value) return;
          await deps.docker.call(endpoint(ctx.input), async (d) => {
            const old = d.getContainer(value.oldId);
            const info = await old.inspect();
            if (value.parkedName && info.Name.replace(/^\//, '') !== value.oldName) await old.rename({ name: value.oldName });
            if (value.wasRunning && !info.State.Running) await old.start();
          }, 60_000);
        },
      },
      {
        name: 'server',
        title: 'Create and start the labelled server container',
        onCrash: 'compensate',
        async run(ctx) {
          const { input } = ctx;
          const { oldId, database } = found(ctx);
          await deps.docker.call(endpoint(input), async (d) => {
            const old = await d.getContainer(oldId).inspect();
            const existing = await d.listContainers({ all: true, filters: { name: [`^/${serverName(input)}$`] } });
            let container: Docker.Container;
            if (existing.length > 0) {
              if (existing[0]!.Labels?.[ADOPTED_FROM_LABEL] !== oldId) throw new FleetError('CONFLICT', `A container named ${serverName(input)} appeared meanwhile.`);
              container = d.getContainer(existing[0]!.Id);
            } else {
              // The image by name when that name still means the same image; otherwise by id.
              const named = await d.getImage(old.Config.Image).inspect().catch(() => null);
              const image = named?.Id === old.Image ? old.Config.Image : old.Image;
              const labels: Record<string, string> = {
                ...tenantLabels({ name: input.name, hostId: input.hostId, database, publicHost: `${input.name}.${input.domain ?? ''}` }),
                [ROLE_LABEL]: 'server',
                [ADOPTED_FROM_LABEL]: oldId,
              };
              if (!input.domain) for (const key of Object.keys(labels)) if (key.startsWith('traefik.')) delete labels[key];
              container = await d.createContainer(adoptedServerOptions(old, image, labels, serverName(input)));
            }
            // The old container's other user-defined networks, with the same aliases.
            const now = await container.inspect();
            for (const [network, settings] of Object.entries(old.NetworkSettings.Networks ?? {})) {
              if (!aliasable(network) || now.NetworkSettings.Networks?.[network]) continue;
              const aliases = ((settings.Aliases ?? []) as string[]).filter((a) => a !== old.Id.slice(0, 12));
              await d.getNetwork(network).connect({ Container: now.Id, EndpointConfig: { Aliases: [...new Set([...aliases, old.Name.replace(/^\//, '')])] } });
            }
            if (!now.State.Running) await container.start();
          }, 120_000);
        },
        async compensate(ctx) {
          const value = ctx.output<Found>('preflight');
          await deps.docker.call(endpoint(ctx.input), async (d) => {
            const existing = await d.listContainers({ all: true, filters: { name: [`^/${serverName(ctx.input)}$`] } });
            // Only the container this job made (an old container named fleet-<name> was renamed away).
            for (const c of existing) if (value && c.Labels?.[ADOPTED_FROM_LABEL] === value.oldId) await d.getContainer(c.Id).remove({ force: true, v: false });
          }, 60_000);
        },
      },
      {
        name: 'health',
        title: 'Wait for /web/health',
        onCrash: 'compensate',
        async run(ctx) {
          await waitForTenantHealth(deps, endpoint(ctx.input), ctx.input.hostId, serverName(ctx.input), ctx.signal);
        },
      },
      {
        name: 'remove-old',
        title: 'Remove the old container (its volumes stay, in use by the new one)',
        onCrash: 'resume',
        async run(ctx) {
          const { oldId } = found(ctx);
          await deps.docker.call(endpoint(ctx.input), (d) => removeContainerIfPresent(d, oldId), 60_000);
        },
      },
    ],
  };
}
