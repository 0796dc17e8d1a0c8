import type { Command } from 'commander';
import { FleetError } from '../../shared/errors.js';
import type { CheckStep, HostView } from '../../shared/hosts.js';
import { EXIT } from './exit-codes.js';
import { existingDbServer, registerHostAdd, registerHostImport } from './hosts-add.js';
import { int, table } from './actions.js';
import { registerHostProxy } from './hosts-proxy.js';
import { findHost, print, run } from './context.js';
import { confirm, interactive, readSecret } from './prompt.js';

// `odoo-fleet hosts …` (adding and importing: hosts-add.ts).

function stepLine(step: CheckStep): string {
  const mark = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skipped: 'skip' }[step.status];
  return `[${mark}] ${step.step.padEnd(9)} ${step.detail}${step.hint && step.status !== 'ok' ? `\n       hint: ${step.hint}` : ''}`;
}

export function registerHostCommands(program: Command): void {
  const hosts = program.command('hosts').description('add, list, check, remove and import hosts');

  hosts
    .command('list')
    .description('stored hosts')
    .action(
      run(async (ctx) => {
        const list = await ctx.call('hosts.list', {});
        print(ctx, list, () =>
          list.length === 0 ? 'No hosts yet. Add one: odoo-fleet hosts add <name> --address … --user …' : table([['NAME', 'ADDRESS', 'USER', 'AUTH', 'DOCKER SOCKET', 'KEY'], ...list.map((h) => [h.name, `${h.address}:${h.port}`, h.user, h.auth.kind, h.dockerSocket, h.hostKey.fingerprint])]),
        );
      }),
    );

  registerHostAdd(hosts);

  hosts
    .command('check <host>')
    .description('connect → OS → Docker → PostgreSQL → disk and memory, with a fix hint for each failure')
    .action(
      run(async (ctx, ref: string) => {
        const host = await findHost(ctx, ref);
        const check = await ctx.call('hosts.check', { id: host.id });
        print(ctx, check, () => [`Checking ${host.name}:`, ...check.steps.map(stepLine), check.ok ? 'All checks passed.' : 'Some checks failed.'].join('\n'));
        return check.ok ? EXIT.ok : EXIT.checkFailed;
      }),
    );

  registerDbServer(hosts);

  hosts
    .command('show <host>')
    .description("a host's Docker Engine, containers, disk and memory")
    .action(
      run(async (ctx, ref: string) => {
        const host = await findHost(ctx, ref);
        const overview = await ctx.call('hosts.overview', { id: host.id });
        print(ctx, overview, () =>
          [
            `${host.name}: Docker ${overview.docker.version} (API ${overview.docker.apiVersion}) on ${overview.docker.os}, ${overview.docker.cpus} CPUs`,
            `containers: ${overview.docker.containersRunning} running of ${overview.docker.containersTotal}; images: ${overview.docker.images}`,
            `disk ${overview.disk.path}: ${(overview.disk.availableBytes / 2 ** 30).toFixed(1)} GiB free of ${(overview.disk.totalBytes / 2 ** 30).toFixed(1)} GiB; memory ${(overview.memory.availableBytes / 2 ** 30).toFixed(1)} GiB available of ${(overview.memory.totalBytes / 2 ** 30).toFixed(1)} GiB`,
            '',
            table([['NAME', 'IMAGE', 'STATE', 'PORTS', 'CREATED'], ...overview.containers.map((c) => [c.name, c.image, c.state, c.ports.join(',') || '-', c.created])]),
          ].join('\n'),
        );
      }),
    );

  hosts
    .command('rm <host>')
    .description('forget a host (its pinned key and stored secrets)')
    .option('-y, --yes', 'do not ask')
    .action(
      run(async (ctx, ref: string, opts: { yes?: boolean }) => {
        const host = await findHost(ctx, ref);
        if (!opts.yes) {
          if (!interactive()) throw new FleetError('VALIDATION', 'Removing a host needs --yes when there is no terminal to confirm on.');
          if (!(await confirm(`Forget ${host.name} and its stored secrets?`))) return EXIT.failed;
        }
        const result = await ctx.call('hosts.remove', { id: host.id });
        print(ctx, result, () => `Removed ${host.name}.`);
      }),
    );

  registerHostImport(hosts);
  registerHostProxy(hosts);
}

function registerDbServer(hosts: Command): void {
  hosts
    .command('db-server <host>')
    .description("the host's database server: show it; --db-address … sets an existing one; --managed sets up a PostgreSQL container as that server (a durable job)")
    .option('--managed', 'set up a PostgreSQL container the console manages')
    .option('--image <image>', 'its image (any image with the official postgres contract)', 'postgres:16')
    .option('--network <name>', 'the Docker network it and the tenants share (created if missing)', 'fleet')
    .option('--volume <name>', 'its data volume (must not exist yet)', 'fleet-postgres-data')
    .option('--db-address <address>', 'an existing server, as seen from the host')
    .option('--db-port <port>', 'its port', int)
    .option('--db-user <role>', 'its admin role')
    .option('--db-password-env <VAR>', "the admin role's password, from this environment variable (else asked)")
    .option('--db-name <db>', 'maintenance database', 'postgres')
    .option('--db-tenant-address <address>', "how tenants' containers reach it (default: --db-address)")
    .option('--db-tenant-network <name>', "the Docker network tenants' containers join to reach it")
    .option('--db-client-image <image>', "PostgreSQL client image for backups, {major} = the server's major version", 'postgres:{major}')
    .action(
      run(async (ctx, ref: string, opts: { managed?: boolean; image: string; network: string; volume: string; dbAddress?: string; dbUser?: string; dbPasswordEnv?: string }) => {
        const host = await findHost(ctx, ref);
        const describe = (db: HostView['dbServer']) =>
          db
            ? `${host.name}: ${db.managed ? `managed container (${db.image}, volume ${db.volume}, network ${db.tenantNetwork})` : 'existing server'} ${db.adminUser}@${db.address}:${db.port}/${db.database}${db.tenantAddress ? `; tenants reach it at ${db.tenantAddress}` : ''}`
            : `${host.name} has no database server. Set one up: odoo-fleet hosts db-server ${host.name} --managed`;
        if (opts.dbAddress || opts.dbUser) {
          if (opts.managed) throw new FleetError('VALIDATION', 'Either --managed or an existing server (--db-address …), not both.');
          const dbPassword = await readSecret(opts.dbPasswordEnv, 'Database admin password (empty for none): ');
          await ctx.call('hosts.update', { id: host.id, dbServer: existingDbServer(opts as Record<string, unknown>, dbPassword || undefined) });
        } else if (opts.managed) {
          await ctx.runJob(() => ctx.call('hosts.provisionDbServer', { hostId: host.id, image: opts.image, network: opts.network, volume: opts.volume }));
        }
        const db = await ctx.call('hosts.dbServer', { id: host.id });
        print(ctx, db, () => describe(db));
      }),
    );
}
