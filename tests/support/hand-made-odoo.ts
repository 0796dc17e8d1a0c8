import { expect } from 'vitest';
import { tarArchive } from '../../electron/docker/tar.js';
import { withPostgres } from '../../electron/postgres/pg-over-ssh.js';
import type { TestConsole } from './console.js';
import type { TestbedDescriptor } from './testbed.js';

/**
 * An Odoo database made by hand, as someone would before the fleet existed: a login role, its
 * database, `odoo -i base` from the test image with the password in a 0400 file (volume
 * `<prefix>-secrets`) and the filestore in `<prefix>-data`. Returns what a container running it needs.
 */
export async function handMadeOdooDatabase(
  fleet: TestConsole,
  testbed: TestbedDescriptor,
  hostId: string,
  names: { prefix: string; role: string; database: string; password: string; secretsVolume?: string },
): Promise<{ env: string[]; mounts: Array<{ Type: 'volume'; Source: string; Target: string }> }> {
  const { prefix, role, database, password } = names;
  const secrets = names.secretsVolume ?? `${prefix}-secrets`;
  await withPostgres(fleet.services.pool, fleet.services.hosts.dbTarget(hostId)!, async (c) => {
    await c.query(`CREATE ROLE ${role} LOGIN PASSWORD ${c.escapeLiteral(password)}`);
    await c.query(`CREATE DATABASE ${database} OWNER ${role}`);
  });
  const d = fleet.services.docker.client(fleet.services.hosts.endpoint(hostId));
  // The password as a 0400 file of Odoo's uid, written through the archive API (never on a command line).
  await d.createVolume({ Name: secrets }).catch(() => {});
  const writer = await d.createContainer({ name: `${prefix}-writer`, Image: testbed.images.odoo, Entrypoint: ['true'], HostConfig: { Mounts: [{ Type: 'volume', Source: secrets, Target: '/run/hand' }] } });
  await writer.putArchive(tarArchive([{ name: 'pw', content: Buffer.from(password), mode: 0o400, uid: 101, gid: 101 }]), { path: '/run/hand' });
  await writer.remove({ force: true });
  const env = [`HOST=${testbed.dockerNetwork.gateway}`, `PORT=${testbed.postgres.port}`, `USER=${role}`, 'PASSWORD_FILE=/run/hand/pw'];
  const mounts = [
    { Type: 'volume' as const, Source: `${prefix}-data`, Target: '/var/lib/odoo' },
    { Type: 'volume' as const, Source: secrets, Target: '/run/hand' },
  ];
  const init = await d.createContainer({
    name: `${prefix}-init`,
    Image: testbed.images.odoo,
    Cmd: ['odoo', '-d', database, '-i', 'base', '--stop-after-init', '--without-demo=all', '--no-http'],
    Env: env,
    HostConfig: { Mounts: mounts, NetworkMode: testbed.dockerNetwork.name },
  });
  await init.start();
  expect(((await init.wait()) as { StatusCode: number }).StatusCode).toBe(0);
  await init.remove({ force: true });
  return { env, mounts };
}
