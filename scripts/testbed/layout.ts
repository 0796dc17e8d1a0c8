// Where the testbed keeps things. Every path derives from the temp root, so any process holding a
// descriptor (a test worker, `cli.ts down`) can find pidfiles, logs and sockets.
import path from 'node:path';

/** Temp roots are mkdtemp(DIR_PREFIX): the prefix is the marker found in our daemons' command lines. */
export const DIR_PREFIX = '/tmp/odoo-fleet-testbed-';
/** One JSON file per testbed (owner pid, what was started), to clean up after a killed run. */
export const STATE_DIR = '/tmp/odoo-fleet-testbed-state';
export const LOCK_DIR = path.join(STATE_DIR, 'lock');

export const NETWORK_NAME = 'fleet-testbed';
/** Linux bridge names (at most 15 characters). */
export const NETWORK_BRIDGE = 'fleettb-net0';
export const BETA_BRIDGE = 'fleettb-beta0';
/** cgroup parent of beta's containers, to find their processes after a crash. */
export const BETA_CGROUP_PARENT = '/fleet-testbed-beta';

/** Label put on everything the testbed creates on a daemon; its value is the temp root. */
export const LABEL = 'odoo-fleet.testbed';

export const ADMIN_USER = 'fleetadmin';
export const SUPPORT_USER = 'fleetsupport';
export const PG_ADMIN_USER = 'fleet_admin';

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
export const DEFAULT_DOCKER_PIDFILE = '/var/run/docker.pid';

export type HostName = 'alpha' | 'beta';

export function isTestbedDir(dir: string): boolean {
  return dir.startsWith(DIR_PREFIX) && !dir.startsWith(STATE_DIR) && !dir.slice(DIR_PREFIX.length).includes('/');
}

export function stateFileFor(dir: string): string {
  return path.join(STATE_DIR, `${path.basename(dir)}.json`);
}

export function layout(dir: string) {
  const host = (name: HostName) => ({
    dir: path.join(dir, name),
    sshdConfig: path.join(dir, name, 'sshd_config'),
    sshdPid: path.join(dir, name, 'sshd.pid'),
    sshdLog: path.join(dir, name, 'sshd.log'),
    hostKey: path.join(dir, name, 'ssh_host_key'),
  });
  return {
    dir,
    descriptor: path.join(dir, 'descriptor.json'),
    alpha: host('alpha'),
    beta: host('beta'),
    alphaDockerdLog: path.join(dir, 'alpha', 'dockerd.log'),
    betaDocker: {
      socket: path.join(dir, 'beta', 'docker.sock'),
      pidFile: path.join(dir, 'beta', 'docker.pid'),
      log: path.join(dir, 'beta', 'dockerd.log'),
      dataRoot: path.join(dir, 'beta', 'data'),
      execRoot: path.join(dir, 'beta', 'exec'),
      config: path.join(dir, 'beta', 'daemon.json'),
    },
    keys: {
      dir: path.join(dir, 'keys'),
      admin: path.join(dir, 'keys', 'admin_ed25519'),
      adminEncrypted: path.join(dir, 'keys', 'admin_ed25519_encrypted'),
      adminRsa: path.join(dir, 'keys', 'admin_rsa'),
      support: path.join(dir, 'keys', 'support_ed25519'),
    },
    authorizedKeysDir: path.join(dir, 'authorized_keys'),
    agent: {
      dir: path.join(dir, 'agent'),
      socket: path.join(dir, 'agent', 'agent.sock'),
      pidFile: path.join(dir, 'agent', 'agent.pid'),
    },
    pg: {
      dir: path.join(dir, 'pg'),
      data: path.join(dir, 'pg', 'data'),
      run: path.join(dir, 'pg', 'run'),
      log: path.join(dir, 'pg', 'postgres.log'),
    },
    acme: {
      dir: path.join(dir, 'acme'),
      opensslConfig: path.join(dir, 'acme', 'openssl.cnf'),
      caCert: path.join(dir, 'acme', 'directory-ca.pem'),
      caKey: path.join(dir, 'acme', 'directory-ca.key'),
      serverCert: path.join(dir, 'acme', 'pebble-cert.pem'),
      serverKey: path.join(dir, 'acme', 'pebble-key.pem'),
      pebbleConfig: path.join(dir, 'acme', 'pebble-config.json'),
      launch: path.join(dir, 'acme', 'pebble-launch.json'),
      pebblePid: path.join(dir, 'acme', 'pebble.pid'),
      pebbleLog: path.join(dir, 'acme', 'pebble.log'),
      dnsPid: path.join(dir, 'acme', 'challtestsrv.pid'),
      dnsLog: path.join(dir, 'acme', 'challtestsrv.log'),
    },
    image: {
      dir: path.join(dir, 'image'),
      rootfs: path.join(dir, 'image', 'rootfs'),
      tar: path.join(dir, 'image', 'rootfs.tar'),
    },
  };
}
export type Layout = ReturnType<typeof layout>;
