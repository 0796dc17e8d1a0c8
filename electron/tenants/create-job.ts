import type Docker from 'dockerode';
import { FleetError } from '../../shared/errors.js';
import type { TenantSpec } from '../../shared/tenants.js';
import { HOST_LABEL, ROLE_LABEL, TENANT_LABEL } from '../docker/labels.js';
import { logLines } from '../docker/log-stream.js';
import { tarArchive } from '../docker/tar.js';
import type { JobDefinition, StepDefinition } from '../jobs/types.js';
import { withAdmin } from '../postgres/admin-session.js';
import { withTenantSession } from '../postgres/tenant-session.js';
import { freezeBaseUrl } from '../tenant-parts/base-url.js';
import { DATA_MOUNT, names, removeContainerIfPresent, removeVolumeIfPresent, requireImage, SECRETS_MOUNT } from '../tenant-parts/containers.js';
import { forgetNames, hasManagedProxy, recordFirstName, removeTenantRoutes, syncTenantRoutes } from '../proxy/tenant-routes.js';
import { waitForTenantHealth } from '../tenant-parts/health.js';
import { adminTarget, endpointOf, storeSecret, type TenantJobDeps } from '../tenant-parts/job-deps.js';
import { tenantLabels } from '../tenant-parts/routing.js';
import { joinSharedNetwork, tenantNetworkName } from '../tenant-parts/tenant-network.js';
import { tenantNetworkStep } from './network-step.js';
import { odooPasswordHash } from './odoo-password.js';
import { createTenantDatabase, dropTenantDatabase } from './tenant-database.js';

export interface CreateTenantInput {
  spec: TenantSpec;
  /** More labels for its server container (a staging clone carries the id of the job that made it). */
  labels?: Record<string, string>;
}

const ODOO_UID = 101;

function tenantDbHost(deps: TenantJobDeps, spec: TenantSpec): { host: string; port: number } {
  const settings = deps.hosts.get(spec.hostId).dbServer!;
  return { host: settings.tenantAddress ?? settings.address, port: settings.port };
}

function odooConfig(spec: TenantSpec, db: { host: string; port: number }, masterPassword: string, dbPassword: string): string {
  return [
    '[options]',
    `db_host = ${db.host}`,
    `db_port = ${db.port}`,
    `db_user = ${spec.role}`,
    `db_password = ${dbPassword}`,
    `db_name = ${spec.database}`,
    `dbfilter = ^${spec.database}$`,
    'list_db = False',
    `admin_passwd = ${masterPassword}`,
    'proxy_mode = True',
    `workers = ${spec.workers}`,
    `data_dir = ${DATA_MOUNT}`,
    ...(spec.mail ? [`smtp_server = ${spec.mail.host}`, `smtp_port = ${spec.mail.port}`, `smtp_ssl = ${spec.mail.security === 'ssl' ? 'True' : 'False'}`, ...(spec.mail.user ? [`smtp_user = ${spec.mail.user}`] : []), ...(spec.mail.from ? [`email_from = ${spec.mail.from}`] : [])] : []),
    '',
  ].join('\n');
}

/** Removes the named container from the tenant's host, if it is there. */
function removeTenantContainer(deps: TenantJobDeps, spec: TenantSpec, name: string): Promise<void> {
  return deps.docker.call(endpointOf(deps, spec), (d) => removeContainerIfPresent(d, name));
}

/**
 * Odoo itself, not the image's entrypoint script: the official one turns PASSWORD_FILE (and even a
 * db_password in the config) into a `--db_password` argument, visible in the host's process
 * list. Odoo reads everything, password included, from the 0400 config that ODOO_RC names.
 */
const ODOO_ENTRYPOINT = ['odoo'];

function containerEnv(spec: TenantSpec, db: { host: string; port: number }): string[] {
  return [
    `HOST=${db.host}`,
    `PORT=${db.port}`,
    `USER=${spec.role}`,
    `PASSWORD_FILE=${SECRETS_MOUNT}/db_password`,
    `ODOO_RC=${SECRETS_MOUNT}/odoo.conf`,
    ...Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
  ];
}

function mounts(spec: TenantSpec): Docker.MountSettings[] {
  const n = names(spec);
  return [
    { Type: 'volume', Source: n.dataVolume, Target: DATA_MOUNT },
    { Type: 'volume', Source: n.secretsVolume, Target: SECRETS_MOUNT, ReadOnly: true },
  ];
}

/**
 * Creating a tenant, step by step. Every step is idempotent; until the tenant answers its health
 * check, a failure or a crash compensates backward and leaves nothing behind.
 */
export function createTenantJob(deps: TenantJobDeps): JobDefinition<CreateTenantInput> {
  return {
    kind: 'tenant.create',
    target: ({ spec }) => `tenant:${spec.hostId}/${spec.name}`,
    steps: [
      {
        name: 'preflight',
        title: 'Check the host, the name and the image',
        onCrash: 'compensate',
        async run({ input: { spec } }) {
          adminTarget(deps, spec);
          const endpoint = endpointOf(deps, spec);
          const clash = await deps.docker.call(endpoint, (d) => d.listContainers({ all: true, filters: { label: [`${TENANT_LABEL}=${spec.name}`] } }));
          if (clash.length > 0) throw new FleetError('CONFLICT', `A tenant named "${spec.name}" already exists on this host (container ${clash[0]!.Names[0]?.replace(/^\//, '')}).`, { field: 'name' });
          const exists = await withAdmin(deps.pool, adminTarget(deps, spec), (c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [spec.database]));
          if (exists.rowCount! > 0) throw new FleetError('CONFLICT', `The database "${spec.database}" already exists on the host's database server; pick another name, or adopt it.`, { field: 'database' });
          await requireImage(deps, endpoint, spec);
        },
      },
      {
        name: 'database',
        title: 'Create the role and database',
        onCrash: 'compensate',
        async run(ctx) {
          const { spec } = ctx.input;
          const password = storeSecret(ctx, deps, 'dbPasswordId', 'tenant-db-password');
          await withAdmin(deps.pool, adminTarget(deps, spec), (admin) => createTenantDatabase(admin, spec, password, `tenant.create ${ctx.jobId}`));
        },
        async compensate(ctx) {
          const { spec } = ctx.input;
          await withAdmin(deps.pool, adminTarget(deps, spec), (admin) => dropTenantDatabase(admin, spec, `tenant.create ${ctx.jobId}`));
          deps.vault.remove(ctx.output<Record<string, string>>('database')?.dbPasswordId);
        },
      },
      ...tenantStorageSteps(deps),
      {
        name: 'initialise',
        title: 'Initialise the database (odoo -i … --stop-after-init)',
        onCrash: 'compensate',
        async run(ctx) {
          const { spec } = ctx.input;
          const db = tenantDbHost(deps, spec);
          await removeTenantContainer(deps, spec, names(spec).init);
          // A one-off container with no published port: nothing outside can reach it.
          const container = await deps.docker.call(endpointOf(deps, spec), async (dd) => {
            const made = await dd.createContainer({
              name: names(spec).init,
              Image: `${spec.image}:${spec.tag}`,
              Entrypoint: ODOO_ENTRYPOINT,
              Cmd: ['-d', spec.database, '-i', spec.modules.join(','), '--stop-after-init', '--without-demo=all', '--no-http'],
              Env: containerEnv(spec, db),
              Labels: { [TENANT_LABEL]: spec.name, [HOST_LABEL]: spec.hostId, [ROLE_LABEL]: 'init' },
              HostConfig: { Mounts: mounts(spec), NetworkMode: tenantNetworkName(spec.name) },
            });
            await joinSharedNetwork(deps, dd, spec.hostId, made.id);
            return made;
          });
          await container.start();
          ctx.progress(0.1, 'installing modules');
          const result = (await deps.docker.call(endpointOf(deps, spec), () => container.wait(), 30 * 60_000)) as { StatusCode: number };
          if (result.StatusCode !== 0) {
            const logs = await deps.docker.call(endpointOf(deps, spec), () => container.logs({ stdout: true, stderr: true, tail: 20 }) as unknown as Promise<Buffer>);
            await container.remove({ force: true, v: true }).catch(() => {});
            throw new FleetError('COMMAND_FAILED', `Odoo's initialisation exited with ${result.StatusCode}: ${logLines(logs).slice(-5).join(' | ')}`);
          }
          await container.remove({ force: true, v: true });
        },
        async compensate({ input: { spec } }) {
          await removeTenantContainer(deps, spec, names(spec).init);
        },
      },
      {
        name: 'admin-password',
        title: 'Replace the default admin password',
        onCrash: 'compensate',
        async run(ctx) {
          const { spec } = ctx.input;
          const password = storeSecret(ctx, deps, 'adminPasswordId', 'tenant-admin-password');
          const hash = odooPasswordHash(password);
          // Inside the tenant's database: as the tenant, never as the admin.
          await withTenantSession(deps.pool, adminTarget(deps, spec), spec, async (client) => {
            const updated = await client.query("UPDATE res_users SET password = $1 WHERE login = 'admin'", [hash]);
            if (updated.rowCount === 0) throw new FleetError('COMMAND_FAILED', 'The initialised database has no "admin" user to secure.');
          });
        },
        async compensate(ctx) {
          deps.vault.remove((ctx.output<Record<string, string>>('admin-password') ?? {}).adminPasswordId);
        },
      },
      {
        // Before Odoo starts: it caches its parameters, so a running server would not see the change.
        name: 'base-url',
        title: 'Set web.base.url to its HTTPS address (a host with a managed proxy)',
        onCrash: 'compensate',
        async run({ input: { spec } }) {
          if (!(await hasManagedProxy(deps, spec.hostId))) return { frozen: false };
          // The links Odoo builds (mail, portal) name the address the proxy serves; inside the tenant's database as the tenant.
          await withTenantSession(deps.pool, adminTarget(deps, spec), spec, (client) => freezeBaseUrl(client, `https://${spec.publicHost}`));
          return { frozen: true };
        },
      },
      ...tenantServerSteps(deps),
    ],
  };
}

/**
 * The tenant's own network, the filestore and secrets volumes, then the database password and
 * Odoo's configuration written into the secrets volume. Shared by creation and database adoption;
 * both journal the tenant's database password as `dbPasswordId` in a step named 'database'.
 */
export function tenantStorageSteps(deps: TenantJobDeps): StepDefinition<CreateTenantInput>[] {
  return [
  tenantNetworkStep<CreateTenantInput>(deps),
  {
    name: 'volumes',
    title: 'Create the filestore and secrets volumes',
    onCrash: 'compensate',
    async run({ input: { spec } }) {
      const labels = { [TENANT_LABEL]: spec.name, [HOST_LABEL]: spec.hostId };
      for (const name of [names(spec).dataVolume, names(spec).secretsVolume]) {
        await deps.docker.call(endpointOf(deps, spec), (d) => d.createVolume({ Name: name, Labels: labels }));
      }
    },
    async compensate({ input: { spec } }) {
      await deps.docker.call(endpointOf(deps, spec), async (d) => {
        await removeContainerIfPresent(d, names(spec).init);
        await removeContainerIfPresent(d, names(spec).server);
        await removeVolumeIfPresent(d, names(spec).secretsVolume);
        await removeVolumeIfPresent(d, names(spec).dataVolume);
      });
    },
  },
  {
    name: 'secrets',
    title: 'Write the database password and Odoo configuration (0400)',
    onCrash: 'compensate',
    async run(ctx) {
      const { spec } = ctx.input;
      const dbPassword = deps.vault.get(ctx.output<Record<string, string>>('database')!.dbPasswordId!);
      const master = storeSecret(ctx, deps, 'masterPasswordId', 'tenant-master-password');
      const archive = tarArchive([
        { name: 'db_password', content: Buffer.from(dbPassword), mode: 0o400, uid: ODOO_UID, gid: ODOO_UID },
        { name: 'odoo.conf', content: Buffer.from(odooConfig(spec, tenantDbHost(deps, spec), master, dbPassword)), mode: 0o400, uid: ODOO_UID, gid: ODOO_UID },
      ]);
      // Written through the archive API into a never-started container: the secrets travel
      // in an API body over SSH, never on a command line or in an environment.
      const helper = `fleet-${spec.name}-secrets-writer`;
      await deps.docker.call(endpointOf(deps, spec), async (d) => {
        await removeContainerIfPresent(d, helper);
        const container = await d.createContainer({
          name: helper,
          Image: `${spec.image}:${spec.tag}`,
          Entrypoint: ['true'],
          Labels: { [TENANT_LABEL]: spec.name, [HOST_LABEL]: spec.hostId, [ROLE_LABEL]: 'secrets-writer' },
          HostConfig: { Mounts: [{ Type: 'volume', Source: names(spec).secretsVolume, Target: SECRETS_MOUNT }] },
        });
        try {
          await container.putArchive(archive, { path: SECRETS_MOUNT });
        } finally {
          await container.remove({ force: true, v: true });
        }
      });
    },
    async compensate(ctx) {
      const ids = ctx.output<Record<string, string>>('secrets') ?? {};
      deps.vault.remove(ids.masterPasswordId);
      await removeTenantContainer(deps, ctx.input.spec, `fleet-${ctx.input.spec.name}-secrets-writer`);
    },
  },
  ];
}

/** The labelled server container, then its health check. Shared by creation and database adoption. */
export function tenantServerSteps(deps: TenantJobDeps): StepDefinition<CreateTenantInput>[] {
  return [
  {
    name: 'server',
    title: 'Start the Odoo server container',
    onCrash: 'compensate',
    async run({ input: { spec, labels } }) {
      const db = tenantDbHost(deps, spec);
      await deps.docker.call(endpointOf(deps, spec), async (d) => {
        const existing = await d.listContainers({ all: true, filters: { name: [`^/${names(spec).server}$`] } });
        const container = existing.length
          ? d.getContainer(existing[0]!.Id)
          : await d.createContainer({
              name: names(spec).server,
              Image: `${spec.image}:${spec.tag}`,
              Entrypoint: ODOO_ENTRYPOINT,
              Cmd: [],
              Env: containerEnv(spec, db),
              Labels: { ...labels, ...tenantLabels(spec), [ROLE_LABEL]: 'server' },
              ExposedPorts: { '8069/tcp': {}, '8072/tcp': {} },
              HostConfig: {
                Mounts: mounts(spec),
                RestartPolicy: { Name: 'unless-stopped' },
                ...(spec.memoryMb ? { Memory: spec.memoryMb * 2 ** 20 } : {}),
                ...(spec.cpus ? { NanoCpus: Math.round(spec.cpus * 1e9) } : {}),
                NetworkMode: tenantNetworkName(spec.name),
              },
            });
        await joinSharedNetwork(deps, d, spec.hostId, container.id);
        const info = await container.inspect();
        if (!info.State.Running) await container.start();
      });
    },
    async compensate({ input: { spec } }) {
      await removeTenantContainer(deps, spec, names(spec).server);
    },
  },
  {
    name: 'health',
    title: 'Wait for /web/health',
    onCrash: 'compensate',
    async run(ctx) {
      const { spec } = ctx.input;
      await waitForTenantHealth(deps, endpointOf(deps, spec), spec.hostId, names(spec).server, ctx.signal);
    },
  },
  {
    name: 'route',
    title: "Route its domain through the host's proxy",
    onCrash: 'compensate',
    async run({ input: { spec }, actor }) {
      await recordFirstName(deps, spec.hostId, spec.name, spec.publicHost, actor);
      return { route: await syncTenantRoutes(deps, spec.hostId, spec.name) };
    },
    async compensate({ input: { spec } }) {
      await removeTenantRoutes(deps, spec.hostId, spec.name);
      await forgetNames(deps, spec.hostId, spec.name);
    },
  },
  ];
}
