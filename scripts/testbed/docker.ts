// Docker Engine for the testbed: the default daemon ("alpha", started only when not already running),
// a second private daemon ("beta") with its own bridge, data-root and exec-root, the busybox image and the
// `fleet-testbed` network. Everything talks to the daemons' Engine API over their unix sockets.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  BETA_BRIDGE,
  BETA_CGROUP_PARENT,
  DEFAULT_DOCKER_PIDFILE,
  DEFAULT_DOCKER_SOCKET,
  DIR_PREFIX,
  LABEL,
  NETWORK_BRIDGE,
  NETWORK_NAME,
  layout,
} from './layout.js';
import {
  dockerJson,
  dockerPing,
  descendants,
  dockerRequest,
  fsTypeOf,
  isAlive,
  killAndWait,
  listProcs,
  pidFromFile,
  readProc,
  removeTree,
  run,
  sleep,
  spawnDaemon,
  stepError,
  waitFor,
  which,
  type Log,
} from './util.js';

const DOCKERD_START_TIMEOUT_MS = 60_000;

function dockerdBinary(): string {
  const bin = which('dockerd');
  if (!bin) throw stepError('dockerd', 'dockerd not found (Debian package docker.io)');
  return bin;
}

async function waitForDaemon(step: string, socket: string, pid: number, logFile: string): Promise<void> {
  await waitFor(
    async () => {
      if (await dockerPing(socket)) return true;
      if (!isAlive(pid)) throw stepError(step, `dockerd (pid ${pid}) exited before answering on ${socket}`, logFile);
      return false;
    },
    {
      timeoutMs: DOCKERD_START_TIMEOUT_MS,
      intervalMs: 50,
      onTimeout: () => stepError(step, `dockerd does not answer on ${socket} within ${DOCKERD_START_TIMEOUT_MS / 1000} s`, logFile),
    },
  );
}

/**
 * overlay2 cannot stack on overlayfs (a testbed inside a container): use vfs there. FLEET_TESTBED_STORAGE_DRIVER
 * forces a driver for the daemons the testbed starts. Undefined: let dockerd choose (overlay2 on ext4/xfs/tmpfs).
 */
function storageDriverFor(dataRoot: string): string | undefined {
  const forced = process.env.FLEET_TESTBED_STORAGE_DRIVER;
  if (forced) return forced;
  return fsTypeOf(dataRoot) === 'overlay' ? 'vfs' : undefined;
}

// ---------------------------------------------------------------- alpha: the default daemon

/** A dockerd that serves the default socket and is not one of ours. */
function foreignDefaultDockerd(): number | undefined {
  for (const p of listProcs()) {
    if (path.basename(p.argv[0] ?? '') !== 'dockerd' || p.state === 'Z') continue;
    const cmd = p.argv.join(' ');
    if (cmd.includes(DIR_PREFIX)) continue;
    const explicitHost = p.argv.some((a) => a === '-H' || a.startsWith('-H') || a.startsWith('--host'));
    if (!explicitHost || cmd.includes('/run/docker.sock')) return p.pid;
  }
  return undefined;
}

export interface StartedDaemon {
  pid: number;
  startTime: string;
}

/** Makes sure the default daemon answers; starts it (logging to the temp root) when nothing runs. */
export async function ensureDefaultDockerd(dir: string, log: Log): Promise<StartedDaemon | undefined> {
  const step = 'default dockerd (alpha)';
  if (await dockerPing(DEFAULT_DOCKER_SOCKET)) return undefined;
  const foreign = foreignDefaultDockerd();
  if (foreign) {
    log(`dockerd pid ${foreign} is running but does not answer yet; waiting for it`);
    await waitFor(() => dockerPing(DEFAULT_DOCKER_SOCKET), {
      timeoutMs: 30_000,
      onTimeout: () => stepError(step, `dockerd pid ${foreign} runs but ${DEFAULT_DOCKER_SOCKET} does not answer /_ping`),
    });
    return undefined;
  }
  // A killed dockerd leaves its pidfile behind; dockerd refuses to start if that pid now names a live process.
  if (fs.existsSync(DEFAULT_DOCKER_PIDFILE) && !pidFromFile(DEFAULT_DOCKER_PIDFILE, 'dockerd')) {
    fs.rmSync(DEFAULT_DOCKER_PIDFILE, { force: true });
  }
  const logFile = layout(dir).alphaDockerdLog;
  log(`starting the default dockerd (log ${logFile})`);
  const args = ['--shutdown-timeout', '3'];
  const driver = storageDriverFor('/var/lib/docker');
  if (driver) args.push('--storage-driver', driver);
  const pid = spawnDaemon(dockerdBinary(), args, logFile);
  await waitForDaemon(step, DEFAULT_DOCKER_SOCKET, pid, logFile);
  return { pid, startTime: readProc(pid)?.startTime ?? '' };
}

/**
 * SIGTERM, then wait for the exit. dockerd lingers about a second after "Daemon shutdown complete" (its gRPC
 * client retries the containerd it has just stopped): once that line is logged and containerd is gone, SIGKILL.
 */
async function stopDockerd(pid: number, logFile: string | undefined, timeoutMs = 30_000): Promise<void> {
  const children = descendants(pid);
  let offset = 0;
  try {
    if (logFile) offset = fs.statSync(logFile).size;
  } catch {
    /* no log */
  }
  const shutDown = () => {
    if (!logFile) return false;
    try {
      const fd = fs.openSync(logFile, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        const buf = Buffer.alloc(Math.max(0, size - offset));
        fs.readSync(fd, buf, 0, buf.length, offset);
        return buf.toString('utf8').includes('Daemon shutdown complete');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return false;
    }
  };
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) {
    if (shutDown() && !children.some(isAlive)) break;
    await sleep(25);
  }
  await killAndWait([pid, ...children], 'SIGKILL', 5000);
}

export async function stopDefaultDockerd(started: StartedDaemon, logFile?: string): Promise<void> {
  const info = readProc(started.pid);
  if (!info || info.startTime !== started.startTime || path.basename(info.argv[0] ?? '') !== 'dockerd') return;
  await stopDockerd(started.pid, logFile && fs.existsSync(logFile) ? logFile : undefined);
}

// ---------------------------------------------------------------- subnets

interface Cidr {
  base: number;
  bits: number;
}

function parseCidr(text: string): Cidr | undefined {
  const [ip, bitsText] = text.split('/');
  const parts = (ip ?? '').split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const addr = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (addr & mask) >>> 0, bits };
}

function overlaps(a: Cidr, b: Cidr): boolean {
  const bits = Math.min(a.bits, b.bits);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((a.base & mask) >>> 0) === ((b.base & mask) >>> 0);
}

export interface BetaPlan {
  subnet: string;
  address: string;
  /** Default address pool of beta's daemon, so that its own networks do not collide with alpha's. */
  pool: string;
}

export interface NetworkPlan {
  subnet: string;
  gateway: string;
}

interface Taken {
  cidrs: Array<Cidr & { text: string; what: string }>;
  /** The subnet of an existing `fleet-testbed` network on alpha. */
  existingNetwork?: string;
}

/** Routes (ignoring our own bridges, which are recreated) and, when the daemon answers, alpha's networks. */
async function takenSubnets(alphaSocket: string | undefined): Promise<Taken> {
  const step = 'choose subnets';
  const taken: Taken = { cidrs: [] };
  const routes = await run('ip', ['-j', '-4', 'route', 'show', 'table', 'all'], { step });
  for (const r of JSON.parse(routes.stdout || '[]') as Array<{ dst?: string; dev?: string }>) {
    if (!r.dst || r.dst === 'default' || r.dev === NETWORK_BRIDGE || r.dev === BETA_BRIDGE) continue;
    const c = parseCidr(r.dst);
    if (c && c.bits > 0) taken.cidrs.push({ ...c, text: r.dst, what: `route ${r.dst} dev ${r.dev ?? '?'}` });
  }
  if (alphaSocket) {
    type Net = { Name: string; IPAM?: { Config?: Array<{ Subnet?: string }> | null } };
    for (const n of await dockerJson<Net[]>(step, alphaSocket, 'GET', '/networks')) {
      for (const cfg of n.IPAM?.Config ?? []) {
        if (!cfg.Subnet) continue;
        if (n.Name === NETWORK_NAME) taken.existingNetwork = cfg.Subnet;
        const c = parseCidr(cfg.Subnet);
        if (c && n.Name !== NETWORK_NAME) taken.cidrs.push({ ...c, text: cfg.Subnet, what: `docker network ${n.Name} (${cfg.Subnet})` });
      }
    }
  }
  return taken;
}

const clash = (taken: Taken, cidr: string) => taken.cidrs.find((t) => overlaps(t, parseCidr(cidr)!));
const firstHost = (subnet: string) => subnet.replace(/\.0\/24$/, '.1');

/**
 * Beta's bridge takes a /24 from 10.199.200-254, its daemon's address pool a free /16 of 10.195-198.
 * Planned before alpha's daemon necessarily answers (beta starts in parallel with it); planNetwork checks
 * alpha's networks against it afterwards.
 */
export async function planBeta(): Promise<BetaPlan> {
  const taken = await takenSubnets((await dockerPing(DEFAULT_DOCKER_SOCKET)) ? DEFAULT_DOCKER_SOCKET : undefined);
  let subnet: string | undefined;
  for (let i = 200; i < 255 && !subnet; i++) if (!clash(taken, `10.199.${i}.0/24`)) subnet = `10.199.${i}.0/24`;
  const pool = ['10.198.0.0/16', '10.197.0.0/16', '10.196.0.0/16', '10.195.0.0/16'].find((p) => !clash(taken, p));
  if (!subnet) throw stepError('choose subnets', 'no free /24 in 10.199.200.0-10.199.254.0 for beta\'s bridge');
  if (!pool) throw stepError('choose subnets', 'no free /16 in 10.195-198.0.0 for beta\'s address pool');
  return { subnet, address: firstHost(subnet), pool };
}

/**
 * The `fleet-testbed` network takes a /24 from 10.199.10-199 that clashes with no route and no other network
 * of alpha's (keeping the existing network's subnet when still free, so that it is reused).
 */
export async function planNetwork(alphaSocket: string, beta: BetaPlan): Promise<NetworkPlan> {
  const taken = await takenSubnets(alphaSocket);
  for (const mine of [beta.subnet, beta.pool]) {
    const hit = taken.cidrs.find((t) => overlaps(t, parseCidr(mine)!) && t.what.startsWith('docker network'));
    if (hit) throw stepError('choose subnets', `${hit.what} on the default daemon overlaps beta's ${mine}; remove that network`);
  }
  taken.cidrs.push({ ...parseCidr(beta.subnet)!, text: beta.subnet, what: 'beta bridge' });
  taken.cidrs.push({ ...parseCidr(beta.pool)!, text: beta.pool, what: 'beta pool' });
  const candidates: string[] = [];
  for (let i = 10; i < 200; i++) candidates.push(`10.199.${i}.0/24`);
  const existing = taken.existingNetwork;
  const subnet =
    existing && candidates.includes(existing) && !clash(taken, existing) ? existing : candidates.find((c) => !clash(taken, c));
  if (!subnet) throw stepError('choose subnets', 'no free /24 in 10.199.10.0-10.199.199.0 for the docker network');
  return { subnet, gateway: firstHost(subnet) };
}

// ---------------------------------------------------------------- the fleet-testbed network on alpha

interface NetworkInspect {
  Id: string;
  IPAM?: { Config?: Array<{ Subnet?: string; Gateway?: string }> | null };
  Options?: Record<string, string>;
  Containers?: Record<string, unknown> | null;
}

async function inspectNetwork(socket: string): Promise<NetworkInspect | undefined> {
  const res = await dockerRequest(socket, 'GET', `/networks/${NETWORK_NAME}`);
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw stepError('docker network', `GET /networks/${NETWORK_NAME} answered ${res.status}: ${res.body}`);
  return JSON.parse(res.body) as NetworkInspect;
}

async function removeContainers(step: string, socket: string, ids: string[]): Promise<void> {
  await Promise.all(ids.map((id) => dockerJson(step, socket, 'DELETE', `/containers/${id}?force=true&v=true`, undefined, [200, 204, 404, 409])));
}

/** Creates the network (recreating it when it exists with other settings; reusing it otherwise). */
export async function ensureNetwork(socket: string, dir: string, subnet: string, gateway: string, log: Log): Promise<void> {
  const step = `docker network ${NETWORK_NAME}`;
  const existing = await inspectNetwork(socket);
  if (existing) {
    const cfg = existing.IPAM?.Config?.[0];
    // Whatever is still attached is left over from an earlier run.
    await removeContainers(step, socket, Object.keys(existing.Containers ?? {}));
    if (cfg?.Subnet === subnet && cfg.Gateway === gateway && existing.Options?.['com.docker.network.bridge.name'] === NETWORK_BRIDGE) {
      log(`reusing docker network ${NETWORK_NAME} (${subnet})`);
      return;
    }
    log(`recreating docker network ${NETWORK_NAME} (had ${cfg?.Subnet ?? 'no subnet'})`);
    await dockerJson(step, socket, 'DELETE', `/networks/${existing.Id}`, undefined, [200, 204, 404]);
  } else {
    // A bridge device without its network (lost docker state) would make the create fail.
    await run('ip', ['link', 'del', NETWORK_BRIDGE], { step, allowFail: true });
  }
  await dockerJson(step, socket, 'POST', '/networks/create', {
    Name: NETWORK_NAME,
    Driver: 'bridge',
    CheckDuplicate: true,
    Attachable: true,
    IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: gateway }] },
    Options: { 'com.docker.network.bridge.name': NETWORK_BRIDGE },
    Labels: { [LABEL]: dir },
  });
}

export async function removeNetwork(socket: string): Promise<void> {
  const step = `remove docker network ${NETWORK_NAME}`;
  const existing = await inspectNetwork(socket);
  if (!existing) return;
  await removeContainers(step, socket, Object.keys(existing.Containers ?? {}));
  await dockerJson(step, socket, 'DELETE', `/networks/${existing.Id}`, undefined, [200, 204, 404]);
}

/** Force-removes containers carrying the testbed label (any value, or exactly `dir`). */
export async function removeLabeledContainers(socket: string, dir?: string): Promise<void> {
  const filter = encodeURIComponent(JSON.stringify({ label: [dir ? `${LABEL}=${dir}` : LABEL] }));
  const list = await dockerJson<Array<{ Id: string }>>('remove testbed containers', socket, 'GET', `/containers/json?all=true&filters=${filter}`);
  await removeContainers('remove testbed containers', socket, list.map((c) => c.Id));
}

/** Removes volumes carrying the testbed label (any value, or exactly `dir`) that no container uses any more. */
export async function removeLabeledVolumes(socket: string, dir?: string): Promise<void> {
  const step = 'remove testbed volumes';
  const filter = encodeURIComponent(JSON.stringify({ label: [dir ? `${LABEL}=${dir}` : LABEL] }));
  const list = await dockerJson<{ Volumes?: Array<{ Name: string }> | null }>(step, socket, 'GET', `/volumes?filters=${filter}`);
  await Promise.all(
    (list.Volumes ?? []).map((v) => dockerJson(step, socket, 'DELETE', `/volumes/${encodeURIComponent(v.Name)}`, undefined, [200, 204, 404, 409])),
  );
}

// ---------------------------------------------------------------- beta: a second daemon

/** Processes (daemons only) whose command line names `marker`: leftovers of a testbed. */
export function markedProcesses(marker: string): number[] {
  const daemons = new Set([
    'sshd',
    'dockerd',
    'containerd',
    'containerd-shim',
    'containerd-shim-runc-v2',
    'docker-proxy',
    'ssh-agent',
    'postgres',
    'runc',
    'pebble',
    'pebble-challtestsrv',
  ]);
  const protectedPids = new Set<number>();
  for (let p: number | undefined = process.pid; p && p > 1; p = readProc(p)?.ppid) protectedPids.add(p);
  return listProcs()
    .filter((p) => !protectedPids.has(p.pid) && p.state !== 'Z')
    .filter((p) => daemons.has(path.basename(p.argv[0] ?? '')) && p.argv.join(' ').includes(marker))
    .map((p) => p.pid);
}

/** Kills processes left in beta's cgroups and removes the cgroups. */
async function cleanBetaCgroups(): Promise<void> {
  const roots: string[] = [];
  try {
    for (const controller of fs.readdirSync('/sys/fs/cgroup')) {
      const candidate = path.join('/sys/fs/cgroup', controller, BETA_CGROUP_PARENT);
      if (fs.existsSync(candidate)) roots.push(candidate);
    }
    const unified = path.join('/sys/fs/cgroup', BETA_CGROUP_PARENT);
    if (fs.existsSync(path.join(unified, 'cgroup.procs'))) roots.push(unified);
  } catch {
    return;
  }
  if (!roots.length) return;
  const dirs: string[] = [];
  const walk = (d: string) => {
    dirs.push(d);
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  for (const r of roots) {
    try {
      walk(r);
    } catch {
      /* vanished */
    }
  }
  const pids = new Set<number>();
  for (const d of dirs) {
    try {
      for (const line of fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n')) if (line.trim()) pids.add(Number(line));
    } catch {
      /* vanished */
    }
  }
  await killAndWait([...pids], 'SIGKILL', 3000);
  for (const d of dirs.sort((a, b) => b.length - a.length)) {
    try {
      fs.rmdirSync(d);
    } catch {
      /* busy or gone */
    }
  }
}

async function deleteLink(name: string): Promise<void> {
  await run('ip', ['link', 'del', name], { step: `delete ${name}`, allowFail: true });
}

export async function startBetaDockerd(dir: string, plan: BetaPlan, log: Log): Promise<void> {
  const step = 'beta dockerd';
  const l = layout(dir).betaDocker;
  await cleanBetaCgroups();
  await deleteLink(BETA_BRIDGE);
  await run('ip', ['link', 'add', BETA_BRIDGE, 'type', 'bridge'], { step: `${step}: create bridge` });
  await run('ip', ['addr', 'add', `${plan.address}/24`, 'dev', BETA_BRIDGE], { step: `${step}: bridge address` });
  await run('ip', ['link', 'set', BETA_BRIDGE, 'up'], { step: `${step}: bridge up` });
  fs.mkdirSync(l.dataRoot, { recursive: true, mode: 0o711 });
  fs.mkdirSync(l.execRoot, { recursive: true, mode: 0o700 });
  // Our own (empty) config file: /etc/docker/daemon.json is the default daemon's and may name hosts or bridges.
  fs.writeFileSync(l.config, '{}\n');
  const args = [
    '--config-file', l.config,
    '--data-root', l.dataRoot,
    '--exec-root', l.execRoot,
    '--pidfile', l.pidFile,
    '-H', `unix://${l.socket}`,
    '--group', 'docker',
    '--bridge', BETA_BRIDGE,
    // Two daemons sharing iptables chains would rewrite each other's rules: beta stays off iptables.
    '--iptables=false',
    '--ip6tables=false',
    '--ip-masq=false',
    '--cgroup-parent', BETA_CGROUP_PARENT,
    '--default-address-pool', `base=${plan.pool},size=24`,
    '--shutdown-timeout', '3',
  ];
  const driver = storageDriverFor(l.dataRoot);
  if (driver) args.push('--storage-driver', driver);
  log(`starting beta dockerd on ${l.socket} (bridge ${BETA_BRIDGE} ${plan.address}/24, log ${l.log})`);
  const pid = spawnDaemon(dockerdBinary(), args, l.log);
  await waitForDaemon(step, l.socket, pid, l.log);
  const info = await dockerJson<{ Driver?: string }>(step, l.socket, 'GET', '/info');
  log(`beta dockerd answers (storage driver ${info.Driver ?? '?'})`);
}

export async function stopBetaDockerd(dir: string): Promise<void> {
  const l = layout(dir).betaDocker;
  if (await dockerPing(l.socket)) {
    // Removing the containers first spares dockerd's shutdown timeout (sleep as PID 1 ignores SIGTERM).
    try {
      const list = await dockerJson<Array<{ Id: string }>>('stop beta', l.socket, 'GET', '/containers/json?all=true');
      await removeContainers('stop beta', l.socket, list.map((c) => c.Id));
    } catch {
      /* the daemon is stopped below anyway */
    }
  }
  const pid = pidFromFile(l.pidFile, dir);
  if (pid) await stopDockerd(pid, l.log);
  // containerd, shims and proxies left by a dockerd that did not stop cleanly.
  await killAndWait(markedProcesses(path.join(dir, 'beta')), 'SIGTERM', 5000);
  await cleanBetaCgroups();
  await removeTree(path.join(dir, 'beta', 'exec')).catch(() => undefined);
  await deleteLink(BETA_BRIDGE);
}

// ---------------------------------------------------------------- the busybox image

const IMAGE_RECIPE_VERSION = '1';
const IMAGE_REPO = 'fleet-testbed/busybox';
const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';
const CHANGES = [
  'CMD ["sleep","3600"]',
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  `LABEL ${LABEL}.image=busybox`,
];

function isStaticElf(file: string): boolean {
  const buf = fs.readFileSync(file);
  if (buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2) return false; // ELF64 only
  const phoff = Number(buf.readBigUInt64LE(0x20));
  const phentsize = buf.readUInt16LE(0x36);
  const phnum = buf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) if (buf.readUInt32LE(phoff + i * phentsize) === 3 /* PT_INTERP */) return false;
  return true;
}

export interface ImageRecipe {
  tag: string;
  busybox: string;
  applets: string[];
}

/** The image tag: a hash of the busybox binary, its applet list and the image settings. */
export async function busyboxRecipe(): Promise<ImageRecipe> {
  const step = 'busybox image';
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
  if (!busybox) throw stepError(step, 'busybox not found (Debian package busybox-static)');
  if (!isStaticElf(busybox)) throw stepError(step, `${busybox} is not statically linked: install busybox-static`);
  const list = await run(busybox, ['--list-full'], { step });
  const applets = list.stdout.split('\n').map((s) => s.trim()).filter((s) => s && s !== 'bin/busybox' && !s.includes('..'));
  const hash = crypto.createHash('sha256');
  hash.update(`recipe ${IMAGE_RECIPE_VERSION}\n`).update(await fsp.readFile(busybox));
  hash.update(applets.join('\n')).update(PASSWD).update(GROUP).update(CHANGES.join('\n'));
  return { tag: `${IMAGE_REPO}:${hash.digest('hex').slice(0, 12)}`, busybox, applets };
}

/**
 * Fills `rootfs` with the busybox userland: /bin/busybox, a link per applet, /etc/passwd and /etc/group, the
 * usual empty directories (/tmp and /var/tmp sticky). Shared by the busybox image and the test images
 * (scripts/testbed/images), which add their own files on top.
 */
export async function populateBusyboxRootfs(
  rootfs: string,
  recipe: ImageRecipe,
  accounts: { passwd: string; group: string } = { passwd: PASSWD, group: GROUP },
): Promise<void> {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'root', 'tmp', 'var/tmp', 'proc', 'sys', 'dev']) {
    await fsp.mkdir(path.join(rootfs, d), { recursive: true });
  }
  await fsp.chmod(path.join(rootfs, 'tmp'), 0o1777);
  await fsp.chmod(path.join(rootfs, 'var/tmp'), 0o1777);
  await fsp.copyFile(recipe.busybox, path.join(rootfs, 'bin/busybox'));
  await fsp.chmod(path.join(rootfs, 'bin/busybox'), 0o755);
  await fsp.writeFile(path.join(rootfs, 'etc/passwd'), accounts.passwd);
  await fsp.writeFile(path.join(rootfs, 'etc/group'), accounts.group);
  for (const applet of recipe.applets) {
    const target = path.join(rootfs, applet);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.symlink('/bin/busybox', target).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
}

async function buildRootfsTar(dir: string, recipe: ImageRecipe): Promise<string> {
  const l = layout(dir).image;
  await fsp.rm(l.rootfs, { recursive: true, force: true });
  await populateBusyboxRootfs(l.rootfs, recipe);
  await run('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', l.rootfs, '-cf', l.tar, '.'], { step: 'busybox image: tar' });
  return l.tar;
}

export async function imageExists(socket: string, tag: string): Promise<boolean> {
  const res = await dockerRequest(socket, 'GET', `/images/${encodeURIComponent(tag)}/json`);
  return res.status === 200;
}

/** The rootfs tarball, built at most once per testbed however many daemons need it. */
export function tarballOnce(dir: string, recipe: ImageRecipe): () => Promise<Buffer> {
  let tarPromise: Promise<Buffer> | undefined;
  return () => (tarPromise ??= buildRootfsTar(dir, recipe).then((file) => fsp.readFile(file)));
}

/** Imports the image into the daemon unless it already holds that tag. */
export async function ensureBusyboxImage(socket: string, recipe: ImageRecipe, tarball: () => Promise<Buffer>, log: Log): Promise<void> {
  if (await imageExists(socket, recipe.tag)) return;
  log(`importing ${recipe.tag} into ${socket}`);
  await importImage(socket, recipe.tag, CHANGES, await tarball());
}

/** `docker import` of a rootfs tarball as `tag` (repo:tag) with Dockerfile-like `changes`; checks the result. */
export async function importImage(socket: string, tag: string, changes: string[], tarball: Buffer): Promise<void> {
  const step = `import ${tag} on ${socket}`;
  const [repo, version] = tag.split(':');
  const query = new URLSearchParams({ fromSrc: '-', repo: repo!, tag: version! });
  for (const c of changes) query.append('changes', c);
  const res = await dockerRequest(socket, 'POST', `/images/create?${query.toString()}`, tarball, {
    contentType: 'application/x-tar',
    timeoutMs: 300_000,
  });
  const errorLine = res.body.split('\n').find((line) => line.includes('"error"'));
  if (res.status !== 200 || errorLine) throw stepError(step, `answered ${res.status}: ${errorLine ?? res.body.slice(0, 500)}`);
  if (!(await imageExists(socket, tag))) throw stepError(step, 'the image is missing after the import');
}

/** Runs `echo ok` in a throw-away container: proves that the daemon can actually run containers. */
export async function smokeTest(socket: string, image: string, dir: string, logFile?: string): Promise<void> {
  const step = `run a container on ${socket}`;
  const created = await dockerJson<{ Id: string }>(step, socket, 'POST', '/containers/create', {
    Image: image,
    Cmd: ['sh', '-c', 'echo ok'],
    Labels: { [LABEL]: dir },
    HostConfig: { NetworkMode: 'none' },
  });
  try {
    await dockerJson(step, socket, 'POST', `/containers/${created.Id}/start`);
    const waited = await dockerJson<{ StatusCode: number }>(step, socket, 'POST', `/containers/${created.Id}/wait`);
    if (waited.StatusCode !== 0) {
      const logs = await dockerRequest(socket, 'GET', `/containers/${created.Id}/logs?stdout=true&stderr=true`);
      throw stepError(step, `the container exited with ${waited.StatusCode}: ${logs.body}`, logFile);
    }
  } catch (err) {
    if (logFile && err instanceof Error && !err.message.includes('--- last lines')) throw stepError(step, err.message, logFile, err);
    throw err;
  } finally {
    await dockerRequest(socket, 'DELETE', `/containers/${created.Id}?force=true`).catch(() => undefined);
  }
}
