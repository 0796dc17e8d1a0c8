import type Docker from 'dockerode';
import { FleetError } from '../../shared/errors.js';
import { tarArchive } from '../docker/tar.js';
import type { HostService } from '../hosts/host-service.js';
import type { DockerService } from '../docker/docker-service.js';
import { withPostgres } from '../postgres/pg-over-ssh.js';
import type { SshPool } from '../ssh/pool.js';
import { DATABASE_LABEL } from '../tenants/routing.js';

/** The PostgreSQL client image for a server of this major version. */
export function clientImageFor(settings: { managed?: boolean; image?: string | null; clientImage?: string | null }, major: number): string {
  if (settings.managed && settings.image) return settings.image;
  return (settings.clientImage ?? 'postgres:{major}').replaceAll('{major}', String(major));
}

/**
 * One-off containers running PostgreSQL's client tools (pg_dump, psql) on the host, as the
 * admin role, on the network tenants use to reach the server. The admin password reaches them
 * as a 0600 file put into the container before it starts, never on a command line or in an
 * environment.
 */
export interface PgClient {
  image: string;
  major: number;
  /**
   * Container options and the password file for `tool args…` against `database`, as the admin
   * role unless `login` names another.
   */
  container(tool: 'pg_dump' | 'psql', args: string[], database: string, extraEnv?: string[], login?: { user: string; password: string }): { options: Docker.ContainerCreateOptions; files: { path: string; tar: Buffer } };
}

export async function pgClient(deps: { pool: SshPool; docker: DockerService; hosts: HostService }, hostId: string): Promise<PgClient> {
  const settings = deps.hosts.get(hostId).dbServer;
  const admin = deps.hosts.dbTarget(hostId);
  if (!settings || !admin) throw new FleetError('VALIDATION', 'The host has no database server set.');
  const num = await withPostgres(deps.pool, admin, async (c) => Number((await c.query<{ server_version_num: string }>('SHOW server_version_num')).rows[0]!.server_version_num));
  const major = Math.floor(num / 10000);
  const image = clientImageFor(settings, major);
  const endpoint = deps.hosts.endpoint(hostId);
  try {
    await deps.docker.call(endpoint, (d) => d.getImage(image).inspect());
  } catch (error) {
    if (error instanceof FleetError && error.code === 'NOT_FOUND') {
      throw new FleetError('NOT_FOUND', `The image ${image} is not on the host: a PostgreSQL ${major} client image (pg_dump, psql) is needed there; load ${image} or set the host's client image.`, { image });
    }
    throw error;
  }
  const dbHost = settings.tenantAddress ?? settings.address;
  const pgpass = (user: string, password: string) => `${escapePgpass(dbHost)}:${settings.port}:*:${escapePgpass(user)}:${escapePgpass(password)}\n`;
  return {
    image,
    major,
    container: (tool, args, database, extraEnv = [], login = { user: admin.user, password: admin.password ?? '' }) => ({
      options: {
        Image: image,
        User: '0',
        Entrypoint: [tool],
        Cmd: [`--host=${dbHost}`, `--port=${settings.port}`, `--username=${login.user}`, '--no-password', ...args, tool === 'psql' ? `--dbname=${database}` : database],
        Env: ['PGPASSFILE=/tmp/.fleet-pgpass', ...extraEnv],
        Labels: { 'fleet.role': 'archive', [DATABASE_LABEL]: database },
        HostConfig: settings.tenantNetwork ? { NetworkMode: settings.tenantNetwork } : {},
      },
      files: { path: '/tmp', tar: tarArchive([{ name: '.fleet-pgpass', content: Buffer.from(pgpass(login.user, login.password)), mode: 0o600, uid: 0, gid: 0 }]) },
    }),
  };
}

/** .pgpass fields escape ':' and '\'. */
function escapePgpass(value: string): string {
  return value.replace(/[\\:]/g, (c) => `\\${c}`);
}
