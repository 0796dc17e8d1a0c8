import type Docker from 'dockerode';
import { FleetError } from '../../shared/errors.js';
import { sharedTenantNetworkOf } from '../../shared/hosts.js';
import { DATABASE_LABEL, ROLE_LABEL } from '../docker/labels.js';
import { tarArchive } from '../docker/tar.js';
import type { HostService } from '../hosts/host-service.js';
import type { DockerService } from '../docker/docker-service.js';
import { withAdmin } from '../postgres/admin-session.js';
import type { Login } from '../postgres/throwaway-roles.js';
import type { SshPool } from '../ssh/pool.js';
import { ensureTenantNetwork } from '../tenant-parts/tenant-network.js';

/** The PostgreSQL client image for a server of this major version. */
export function clientImageFor(settings: { managed?: boolean; image?: string | null; clientImage?: string | null }, major: number): string {
  if (settings.managed && settings.image) return settings.image;
  return (settings.clientImage ?? 'postgres:{major}').replaceAll('{major}', String(major));
}

/**
 * One-off containers running PostgreSQL's client tools (pg_dump, psql) on the host, on the
 * tenant's own network (or the shared one an existing server imposes), logged in as the role named — a tenant's throw-away
 * session or an archive loader, never the admin. The password reaches them as a 0600 file put
 * into the container before it starts, never on a command line or in an environment. They run
 * confined: an unprivileged user, no capabilities, no privilege gain, a read-only root file
 * system (the password file sits on a volume of the container's own).
 */
export interface PgClient {
  image: string;
  major: number;
  /** Whether its psql knows pg_dump's `\restrict` / `\unrestrict` (17.6, 16.10, 15.14, 14.19, 13.22 and later). */
  knowsRestrict: boolean;
  /** Container options and the password file for `tool args…` against `database`. */
  container(tool: 'pg_dump' | 'psql', args: string[], database: string, login: Login): { options: Docker.ContainerCreateOptions; files: { path: string; tar: Buffer } };
}

/** nobody:nogroup, in Debian's and Alpine's images alike. */
const CLIENT_UID = 65534;
const SECRET_DIR = '/run/fleet-pg';

export async function pgClient(deps: { pool: SshPool; docker: DockerService; hosts: HostService }, hostId: string, tenant: string): Promise<PgClient> {
  const settings = deps.hosts.get(hostId).dbServer;
  const admin = deps.hosts.dbTarget(hostId);
  if (!settings || !admin) throw new FleetError('VALIDATION', 'The host has no database server set.');
  const num = await withAdmin(deps.pool, admin, async (c) => Number((await c.query<{ server_version_num: string }>('SHOW server_version_num')).rows[0]!.server_version_num));
  const major = Math.floor(num / 10000);
  const image = clientImageFor(settings, major);
  const endpoint = deps.hosts.endpoint(hostId);
  let env: string[];
  try {
    env = (await deps.docker.call(endpoint, (d) => d.getImage(image).inspect())).Config?.Env ?? [];
  } catch (error) {
    if (error instanceof FleetError && error.code === 'NOT_FOUND') {
      throw new FleetError('NOT_FOUND', `The image ${image} is not on the host: a PostgreSQL ${major} client image (pg_dump, psql) is needed there; load ${image} or set the host's client image.`, { image });
    }
    throw error;
  }
  // A tenant made before tenants had networks of their own gets its network now.
  const network = sharedTenantNetworkOf(settings) ?? (await ensureTenantNetwork(deps, hostId, tenant)).name;
  const dbHost = settings.tenantAddress ?? settings.address;
  const pgpass = (user: string, password: string) => `${escapePgpass(dbHost)}:${settings.port}:*:${escapePgpass(user)}:${escapePgpass(password)}\n`;
  return {
    image,
    major,
    knowsRestrict: knowsRestrict(env),
    container: (tool, args, database, login) => ({
      options: {
        Image: image,
        User: `${CLIENT_UID}:${CLIENT_UID}`,
        Entrypoint: [tool],
        Cmd: [`--host=${dbHost}`, `--port=${settings.port}`, `--username=${login.user}`, '--no-password', ...args, tool === 'psql' ? `--dbname=${database}` : database],
        Env: [`PGPASSFILE=${SECRET_DIR}/pgpass`],
        Labels: { [ROLE_LABEL]: 'archive', [DATABASE_LABEL]: database },
        HostConfig: {
          NetworkMode: network,
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges'],
          ReadonlyRootfs: true,
          Mounts: [{ Type: 'volume', Source: '', Target: SECRET_DIR }], // anonymous: removed with the container
        },
      },
      files: { path: SECRET_DIR, tar: tarArchive([{ name: 'pgpass', content: Buffer.from(pgpass(login.user, login.password)), mode: 0o600, uid: CLIENT_UID, gid: CLIENT_UID }]) },
    }),
  };
}

// The first release of each series whose psql takes \restrict (August 2025).
const RESTRICT_SINCE: Record<number, number> = { 13: 22, 14: 19, 15: 14, 16: 10, 17: 6 };

/** From the official image's PG_VERSION ("16.10-1.pgdg120+1"); unknown means no. */
export function knowsRestrict(env: string[]): boolean {
  const version = /^PG_VERSION=(\d+)\.(\d+)/.exec(env.find((e) => e.startsWith('PG_VERSION=')) ?? '');
  if (!version) return false;
  const [major, minor] = [Number(version[1]), Number(version[2])];
  const since = RESTRICT_SINCE[major];
  return major > 17 || (since !== undefined && minor >= since);
}

/** .pgpass fields escape ':' and '\'. */
function escapePgpass(value: string): string {
  return value.replace(/[\\:]/g, (c) => `\\${c}`);
}
