// The integration testbed: two SSH "hosts" (alpha, beta) on 127.0.0.1, each fronting a Docker Engine
// (alpha: the machine's default daemon; beta: a private second daemon), PostgreSQL 15, OS users with and
// without docker access, client keys and an ssh-agent, and an ACME server (Pebble, with pebble-challtestsrv
// as its DNS) for HTTPS through a proxy on alpha. Root only (Debian 12 with docker.io,
// openssh-server, postgresql-15, busybox-static, iproute2).
//
// One testbed runs at a time per machine. A state file per testbed under /tmp/odoo-fleet-testbed-state
// names its owner process; startTestbed tears down the testbeds of dead owners (killed runs) and every
// leftover daemon whose command line names a /tmp/odoo-fleet-testbed-* directory before starting anew.
import fs from 'node:fs';
import path from 'node:path';
import { startChallTestSrv, startPebble, stopAcme, type AcmePorts } from './acme.js';
import { createClientKeys, ensureDockerGroup, ensureUsers, startAgent, stopAgent } from './accounts.js';
import {
  busyboxRecipe,
  ensureBusyboxImage,
  ensureDefaultDockerd,
  ensureNetwork,
  markedProcesses,
  planBeta,
  planNetwork,
  removeLabeledContainers,
  removeLabeledVolumes,
  removeNetwork,
  smokeTest,
  startBetaDockerd,
  stopBetaDockerd,
  stopDefaultDockerd,
  tarballOnce,
  type StartedDaemon,
} from './docker.js';
import {
  ADMIN_USER,
  BETA_BRIDGE,
  DEFAULT_DOCKER_SOCKET,
  DIR_PREFIX,
  LOCK_DIR,
  NETWORK_BRIDGE,
  NETWORK_NAME,
  PG_ADMIN_USER,
  STATE_DIR,
  SUPPORT_USER,
  isTestbedDir,
  layout,
  stateFileFor,
  type HostName,
} from './layout.js';
import { ensureTestImages, newTestImageStats, pruneOldTestImages, testImageRecipes, testImageTarballs } from './images/index.js';
import { initPostgres, startPostgres, stopPostgres } from './postgres.js';
import { generateHostKey, saveOriginalHostKey, startSshd, stopSshd, writeSshdConfig } from './sshd.js';
import {
  dockerPing,
  freePorts,
  isAlive,
  killAndWait,
  procStartTime,
  randomSecret,
  readJson,
  readProc,
  removeTree,
  sleep,
  writeJson,
  type Log,
} from './util.js';

export interface TestbedHost {
  name: 'alpha' | 'beta';
  /** sshd listening on 127.0.0.1. */
  sshPort: number;
  /** e.g. 'ssh-ed25519' */
  hostKeyType: string;
  /** 'SHA256:…' exactly as `ssh-keygen -lf` prints it (no padding). */
  hostKeyFingerprint: string;
  /** 'ssh-ed25519 AAAA…' (no comment) */
  hostKeyPublicLine: string;
  /** The docker socket this "host" serves (alpha: the default daemon's, beta: its own). */
  dockerSocket: string;
  sshdConfigPath: string;
  /** The host's private key file (sshd HostKey); `<path>.pub` holds the public line. */
  hostKeyPath: string;
  /** sshd's own log (LogLevel VERBOSE). */
  sshdLogPath: string;
  /** dockerd's log, when the testbed started that daemon. */
  dockerdLogPath?: string;
}

export interface TestbedDescriptor {
  /** Temp root holding everything (/tmp/odoo-fleet-testbed-XXXXXX). */
  dir: string;
  alpha: TestbedHost;
  beta: TestbedHost;
  /** An SSH user in the docker group (not root). */
  admin: {
    user: string;
    password: string;
    /** Unencrypted ed25519 private key (OpenSSH format). */
    keyPath: string;
    /** A second ed25519 key, passphrase-protected (OpenSSH format), also authorised. */
    encryptedKeyPath: string;
    keyPassphrase: string;
    /** An RSA (3072) key, authorised too. */
    rsaKeyPath: string;
    /** An ssh-agent holding keyPath's key. */
    agentSocket: string;
  };
  /** An SSH user without docker access (the docker sockets deny it). */
  support: { user: string; keyPath: string; password: string };
  postgres: {
    host: string;
    port: number;
    adminUser: string;
    adminPassword: string;
    /** Addresses PostgreSQL listens on: 127.0.0.1 and the docker network's gateway. */
    listen: string[];
    /** Unix socket directory (local connections as `postgres` are trusted; root only). */
    socketDir: string;
    logPath: string;
  };
  /** Created by the testbed on alpha's daemon. */
  dockerNetwork: { name: string; subnet: string; gateway: string; bridge: string };
  /** Beta's own Linux bridge (its daemon's default bridge network). */
  betaBridge: { name: string; subnet: string; address: string };
  /** A tiny local image (busybox-static rootfs), present on both daemons; default CMD sleep 3600. */
  busyboxImage: string;
  /**
   * Locally built test images, present on both daemons (scripts/testbed/images): a stand-in `odoo` image
   * honouring the official image's contract, a managed PostgreSQL 15, Debian's nginx (a reverse proxy
   * passing `<tenant>.<domain>` to `fleet-<tenant>`) and Debian's caddy (the official `caddy` image's
   * contract). Hash tags; also tagged fleet-testbed/odoo:17.0, fleet-testbed/postgres:15,
   * fleet-testbed/nginx:latest and fleet-testbed/caddy:latest.
   */
  images: { odoo: string; postgres: string; nginx: string; caddy: string };
  /** What this start did for the test images: rootfs tarballs built (cache misses), images imported per host. */
  imageBuilds: { built: string[]; imported: { alpha: string[]; beta: string[] }; ms: Record<string, number> };
  /**
   * Two free ports on 127.0.0.1 for a proxy on alpha: tests publish its 80 on `127.0.0.1:<http>` and its
   * 443 on `127.0.0.1:<https>`. Pebble validates HTTP-01 on `http` and TLS-ALPN-01 on `https`.
   */
  proxyPorts: { http: number; https: number };
  /** Pebble (the ACME server) and pebble-challtestsrv (its DNS: every name is 127.0.0.1 unless set). */
  acme: {
    /** `https://<dockerNetwork.gateway>:<port>/dir`: reachable from the host and from containers on any bridge. */
    directoryUrl: string;
    /** PEM of the per-testbed CA that signed the directory's (and the management API's) TLS certificate. */
    directoryCaPath: string;
    /** Pebble's management API (`https://127.0.0.1:<port>`; /roots/0, /intermediates/0). */
    managementUrl: string;
    /** challtestsrv's DNS, '127.0.0.1:<port>' (UDP and TCP); Pebble resolves names there. */
    dnsServer: string;
    /** challtestsrv's management API (`http://127.0.0.1:<port>`; /add-a, /clear-a). */
    dnsManagementUrl: string;
    pebbleLogPath: string;
    dnsLogPath: string;
  };
  /** A domain for tenants' names (`<tenant>.fleet.test`): Pebble issues for it, challtestsrv resolves it. */
  testDomain: string;
  /** Whether the testbed started that daemon (and so stops it in stopTestbed). */
  startedDockerd: { alpha: boolean; beta: boolean };
  /** Milliseconds spent in startTestbed, per step and in total (informational). */
  timings: Record<string, number>;
}

/** Pebble issues for its names (a reserved TLD: never a real domain). */
const TEST_DOMAIN = 'fleet.test';

/** What a testbed started, as recorded in its state file (for teardown after a crash). */
interface TestbedState {
  dir: string;
  owner: { pid: number; startTime: string; argv: string[] };
  createdAt: string;
  startedDockerd?: StartedDaemon;
}

function writeState(state: TestbedState): void {
  writeJson(stateFileFor(state.dir), state);
}

function ownerAlive(state: TestbedState): boolean {
  return isAlive(state.owner.pid) && procStartTime(state.owner.pid) === state.owner.startTime;
}

// ---------------------------------------------------------------- machine-wide lock

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });
  const ownerFile = path.join(LOCK_DIR, 'owner');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR);
      fs.writeFileSync(ownerFile, `${process.pid} ${procStartTime(process.pid) ?? ''}\n`);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let stale = false;
      try {
        const [pid, start] = fs.readFileSync(ownerFile, 'utf8').trim().split(' ');
        stale = !isAlive(Number(pid)) || procStartTime(Number(pid)) !== start;
      } catch {
        // Created a moment ago and its owner file not written yet, or abandoned right there.
        try {
          stale = Date.now() - fs.statSync(LOCK_DIR).mtimeMs > 10_000;
        } catch {
          stale = false;
        }
      }
      if (stale) {
        fs.rmSync(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`testbed: another process holds ${LOCK_DIR} for more than 3 minutes`);
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

function readStates(): TestbedState[] {
  let files: string[] = [];
  try {
    files = fs.readdirSync(STATE_DIR).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.map((f) => readJson<TestbedState>(path.join(STATE_DIR, f))).filter((s): s is TestbedState => !!s?.dir);
}

/** Testbeds whose owner process is still alive. */
export function liveTestbeds(): Array<{ dir: string; ownerPid: number; ownerCommand: string }> {
  return readStates()
    .filter(ownerAlive)
    .map((s) => ({ dir: s.dir, ownerPid: s.owner.pid, ownerCommand: s.owner.argv.join(' ') }));
}

/**
 * Tears down what dead runs left: testbeds whose owner died, temp roots without a state file, daemons whose
 * command line names a testbed directory, labelled containers on the default daemon. Refuses (throws) when
 * a testbed with a live owner exists, unless `force`.
 */
async function cleanupLeftovers(log: Log, opts: { force?: boolean } = {}): Promise<void> {
  const states = readStates();
  const live = states.filter(ownerAlive);
  if (live.length && !opts.force) {
    const l = live[0]!;
    throw new Error(
      `testbed: another testbed is running (${l.dir}, owner pid ${l.owner.pid}: ${l.owner.argv.join(' ')}). ` +
        `Stop it (npx tsx scripts/testbed/cli.ts down ${l.dir}) or reuse it with FLEET_TESTBED_JSON=${l.dir}/descriptor.json`,
    );
  }
  for (const s of states) {
    log(`cleaning up testbed ${s.dir} left by pid ${s.owner.pid}`);
    await teardown(s.dir, s, log);
  }
  let dirs: string[] = [];
  try {
    dirs = fs.readdirSync(path.dirname(DIR_PREFIX)).map((d) => path.join(path.dirname(DIR_PREFIX), d)).filter(isTestbedDir);
  } catch {
    /* no /tmp? */
  }
  for (const d of dirs) {
    log(`cleaning up orphan testbed directory ${d}`);
    await teardown(d, undefined, log);
  }
  const orphans = markedProcesses(DIR_PREFIX);
  if (orphans.length) {
    log(`killing leftover testbed processes ${orphans.join(' ')}`);
    await killAndWait(orphans, 'SIGTERM', 5000);
  }
  if (await dockerPing(DEFAULT_DOCKER_SOCKET)) {
    await removeLabeledContainers(DEFAULT_DOCKER_SOCKET).catch(() => undefined);
    await removeLabeledVolumes(DEFAULT_DOCKER_SOCKET).catch(() => undefined);
  }
}

// ---------------------------------------------------------------- teardown

async function teardown(dir: string, state: TestbedState | undefined, log: Log): Promise<void> {
  const stateFile = stateFileFor(dir);
  if (!fs.existsSync(dir) && !state && !fs.existsSync(stateFile)) return;
  state ??= readJson<TestbedState>(stateFile);
  const problems: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      problems.push(`${what}: ${(err as Error).message}`);
    }
  };
  const hosts: HostName[] = ['alpha', 'beta'];
  await Promise.all([
    ...hosts.map((h) => attempt(`stop sshd ${h}`, () => stopSshd(dir, h))),
    attempt('stop ssh-agent', () => stopAgent(dir)),
    attempt('stop pebble and challtestsrv', () => stopAcme(dir)),
    attempt('stop beta dockerd', () => stopBetaDockerd(dir)),
    (async () => {
      await attempt('stop postgres', () => stopPostgres(dir));
      if (await dockerPing(DEFAULT_DOCKER_SOCKET)) {
        await attempt('remove testbed containers on alpha', () => removeLabeledContainers(DEFAULT_DOCKER_SOCKET, dir));
        await attempt('remove testbed volumes on alpha', () => removeLabeledVolumes(DEFAULT_DOCKER_SOCKET, dir));
        await attempt(`remove network ${NETWORK_NAME}`, () => removeNetwork(DEFAULT_DOCKER_SOCKET));
      }
      if (state?.startedDockerd) await attempt('stop the default dockerd', () => stopDefaultDockerd(state.startedDockerd!, layout(dir).alphaDockerdLog));
    })(),
  ]);
  await attempt('kill leftover processes', () => killAndWait(markedProcesses(dir), 'SIGTERM', 5000));
  await attempt(`remove ${dir}`, () => removeTree(dir));
  fs.rmSync(stateFile, { force: true });
  for (const p of problems) log(`teardown warning: ${p}`);
}

/** Tears down everything the testbed started. Idempotent; never throws (problems go to `log`, default console.warn). */
export async function stopTestbed(desc: Pick<TestbedDescriptor, 'dir'>, opts: { log?: Log } = {}): Promise<void> {
  const log = opts.log ?? ((line: string) => console.warn(line));
  if (!isTestbedDir(desc.dir)) {
    log(`stopTestbed: ${desc.dir} is not a testbed directory; nothing done`);
    return;
  }
  try {
    await teardown(desc.dir, undefined, log);
  } catch (err) {
    log(`stopTestbed: ${(err as Error).message}`);
  }
}

/** Tears down every testbed recorded on this machine, live or not, and all leftovers. */
export async function stopAllTestbeds(opts: { log?: Log } = {}): Promise<void> {
  const log = opts.log ?? ((line: string) => console.warn(line));
  await withLock(() => cleanupLeftovers(log, { force: true }));
}

// ---------------------------------------------------------------- startup

/** Settles every step before reporting, so that teardown never races a step still creating things. */
async function settleAll(steps: Array<Promise<unknown>>): Promise<void> {
  const results = await Promise.allSettled(steps);
  const errors = [...new Set(results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown))];
  if (!errors.length) return;
  const first = errors[0] instanceof Error ? errors[0] : new Error(String(errors[0]));
  if (errors.length > 1) {
    first.message += `\n(${errors.length - 1} more failed step(s): ${errors
      .slice(1)
      .map((e) => (e instanceof Error ? e.message.split('\n')[0] : String(e)))
      .join('; ')})`;
  }
  throw first;
}

export async function startTestbed(opts: { log?: (line: string) => void } = {}): Promise<TestbedDescriptor> {
  const log: Log = opts.log ?? (() => undefined);
  const t0 = Date.now();
  if (process.getuid?.() !== 0) throw new Error('testbed: must run as root (it starts sshd, dockerd and PostgreSQL, and adds OS users)');

  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    try {
      return await fn();
    } catch (err) {
      // Errors from our helpers already name their step; name it for the others (fs, pg, …).
      if (err instanceof Error && err.message.startsWith('testbed:')) throw err;
      throw new Error(`testbed: ${name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    } finally {
      timings[name] = Date.now() - start;
    }
  };

  let state!: TestbedState;
  await timed('cleanup', () =>
    withLock(async () => {
      await cleanupLeftovers(log);
      const dir = fs.mkdtempSync(DIR_PREFIX);
      fs.chmodSync(dir, 0o755); // the users sshd logs in as, and postgres, must traverse it
      const me = readProc(process.pid);
      state = { dir, owner: { pid: process.pid, startTime: me?.startTime ?? '', argv: me?.argv ?? [] }, createdAt: new Date().toISOString() };
      writeState(state);
    }),
  );
  const dir = state.dir;
  const l = layout(dir);
  log(`testbed directory ${dir}`);

  try {
    for (const d of [l.alpha.dir, l.beta.dir]) fs.mkdirSync(d, { recursive: true, mode: 0o755 });
    const secrets = {
      adminPassword: randomSecret(),
      supportPassword: randomSecret(),
      keyPassphrase: randomSecret(),
      pgPassword: randomSecret(),
    };
    const [alphaPort, betaPort, pgPort, http, https, directory, management, dns, dnsManagement] = (await freePorts(9)) as [number, number, number, number, number, number, number, number, number];
    const acmePorts: AcmePorts = { http, https, directory, management, dns, dnsManagement };
    await timed('docker group', ensureDockerGroup);
    const ports: Record<HostName, number> = { alpha: alphaPort, beta: betaPort };

    const users = timed('users', () => ensureUsers(secrets.adminPassword, secrets.supportPassword));
    const clientKeys = timed('client keys', () => createClientKeys(dir, secrets.keyPassphrase));
    const hostKey = async (h: HostName) => {
      const key = await generateHostKey(dir, h);
      await saveOriginalHostKey(dir, h);
      return key;
    };
    const hostKeys = timed('host keys', () => Promise.all([hostKey('alpha'), hostKey('beta')]));
    const sshds = timed('sshd', async () => {
      await hostKeys;
      for (const h of ['alpha', 'beta'] as const) writeSshdConfig(dir, h, ports[h]);
      await Promise.all([startSshd(dir, 'alpha', alphaPort), startSshd(dir, 'beta', betaPort)]);
    });
    const agent = timed('ssh-agent', async () => {
      await clientKeys;
      await startAgent(dir);
    });
    const recipe = timed('image recipe', () => busyboxRecipe());
    const tarball = (async () => tarballOnce(dir, await recipe))();
    const imageStats = newTestImageStats();
    const imageRecipes = timed('test image recipes', () => testImageRecipes(recipe));
    const imageTarballs = testImageTarballs(l.image.dir, imageStats, log);
    const pgInit = timed('initdb', () => initPostgres(dir));
    const alphaDocker = timed('alpha dockerd', async () => {
      const started = await ensureDefaultDockerd(dir, log);
      if (started) {
        state.startedDockerd = started;
        writeState(state);
      }
      return started;
    });
    const betaPlan = planBeta();
    const networkPlan = (async () => {
      await alphaDocker;
      return planNetwork(DEFAULT_DOCKER_SOCKET, await betaPlan);
    })();
    const network = timed('network', async () => {
      const p = await networkPlan;
      await ensureNetwork(DEFAULT_DOCKER_SOCKET, dir, p.subnet, p.gateway, log);
    });
    const alphaImage = timed('alpha image+smoke', async () => {
      await alphaDocker;
      const r = await recipe;
      await ensureBusyboxImage(DEFAULT_DOCKER_SOCKET, r, await tarball, log);
      await smokeTest(DEFAULT_DOCKER_SOCKET, r.tag, dir);
    });
    const alphaTestImages = timed('alpha test images', async () => {
      await alphaDocker;
      await ensureTestImages(DEFAULT_DOCKER_SOCKET, await imageRecipes, imageTarballs, imageStats, log);
      await pruneOldTestImages(DEFAULT_DOCKER_SOCKET, await imageRecipes).catch(() => undefined);
    });
    const betaDockerd = timed('beta dockerd', async () => startBetaDockerd(dir, await betaPlan, log));
    const betaTestImages = timed('beta test images', async () => {
      await betaDockerd;
      await ensureTestImages(l.betaDocker.socket, await imageRecipes, imageTarballs, imageStats, log);
    });
    const beta = timed('beta dockerd+image+smoke', async () => {
      await betaDockerd;
      const r = await recipe;
      await ensureBusyboxImage(l.betaDocker.socket, r, await tarball, log);
      await smokeTest(l.betaDocker.socket, r.tag, dir, l.betaDocker.log);
    });
    const postgres = timed('postgres', async () => {
      await pgInit;
      await network;
      const [n, b] = [await networkPlan, await betaPlan];
      await startPostgres(dir, {
        port: pgPort,
        listen: ['127.0.0.1', n.gateway],
        hostCidrs: [n.subnet, b.subnet, '10.213.0.0/16'], // and tenants on their own networks (the console's range)
        adminPassword: secrets.pgPassword,
      });
    });

    const challtestsrv = timed('challtestsrv', () => startChallTestSrv(dir, acmePorts));
    const pebble = timed('pebble', async () => {
      await Promise.all([network, challtestsrv]);
      await startPebble(dir, { gateway: (await networkPlan).gateway, ports: acmePorts });
    });

    await settleAll([challtestsrv, pebble, users, clientKeys, hostKeys, sshds, agent, recipe, tarball, pgInit, alphaDocker, betaPlan, networkPlan, network, alphaImage, betaDockerd, beta, postgres, imageRecipes, alphaTestImages, betaTestImages]);

    const [n, b] = [await networkPlan, await betaPlan];
    const started = await alphaDocker;
    const [alphaKey, betaKey] = await hostKeys;
    const host = (name: HostName, key: typeof alphaKey, dockerSocket: string, dockerdLogPath?: string): TestbedHost => ({
      name,
      sshPort: ports[name],
      hostKeyType: key.type,
      hostKeyFingerprint: key.fingerprint,
      hostKeyPublicLine: key.publicLine,
      dockerSocket,
      sshdConfigPath: l[name].sshdConfig,
      hostKeyPath: l[name].hostKey,
      sshdLogPath: l[name].sshdLog,
      ...(dockerdLogPath ? { dockerdLogPath } : {}),
    });
    timings.total = Date.now() - t0;
    const desc: TestbedDescriptor = {
      dir,
      alpha: host('alpha', alphaKey, DEFAULT_DOCKER_SOCKET, started ? l.alphaDockerdLog : undefined),
      beta: host('beta', betaKey, l.betaDocker.socket, l.betaDocker.log),
      admin: {
        user: ADMIN_USER,
        password: secrets.adminPassword,
        keyPath: l.keys.admin,
        encryptedKeyPath: l.keys.adminEncrypted,
        keyPassphrase: secrets.keyPassphrase,
        rsaKeyPath: l.keys.adminRsa,
        agentSocket: l.agent.socket,
      },
      support: { user: SUPPORT_USER, keyPath: l.keys.support, password: secrets.supportPassword },
      postgres: {
        host: '127.0.0.1',
        port: pgPort,
        adminUser: PG_ADMIN_USER,
        adminPassword: secrets.pgPassword,
        listen: ['127.0.0.1', n.gateway],
        socketDir: l.pg.run,
        logPath: l.pg.log,
      },
      dockerNetwork: { name: NETWORK_NAME, subnet: n.subnet, gateway: n.gateway, bridge: NETWORK_BRIDGE },
      betaBridge: { name: BETA_BRIDGE, subnet: b.subnet, address: b.address },
      busyboxImage: (await recipe).tag,
      images: Object.fromEntries(Object.entries(await imageRecipes).map(([name, r]) => [name, r.tag])) as TestbedDescriptor['images'],
      imageBuilds: {
        built: imageStats.built,
        imported: { alpha: imageStats.imported[DEFAULT_DOCKER_SOCKET] ?? [], beta: imageStats.imported[l.betaDocker.socket] ?? [] },
        ms: imageStats.ms,
      },
      proxyPorts: { http, https },
      acme: {
        directoryUrl: `https://${n.gateway}:${directory}/dir`,
        directoryCaPath: l.acme.caCert,
        managementUrl: `https://127.0.0.1:${management}`,
        dnsServer: `127.0.0.1:${dns}`,
        dnsManagementUrl: `http://127.0.0.1:${dnsManagement}`,
        pebbleLogPath: l.acme.pebbleLog,
        dnsLogPath: l.acme.dnsLog,
      },
      testDomain: TEST_DOMAIN,
      startedDockerd: { alpha: started !== undefined, beta: true },
      timings,
    };
    writeJson(l.descriptor, desc);
    log(`testbed up in ${timings.total} ms (${Object.entries(timings).map(([k, v]) => `${k} ${v}`).join(', ')})`);
    return desc;
  } catch (err) {
    log(`testbed startup failed; tearing down ${dir}`);
    await teardown(dir, state, log);
    throw err;
  }
}

/** Reads a descriptor written by startTestbed (<dir>/descriptor.json, or the file `cli.ts up` points at). */
export function readDescriptor(file: string): TestbedDescriptor {
  const desc = readJson<TestbedDescriptor>(file);
  if (!desc?.dir || !desc.alpha || !desc.beta) throw new Error(`testbed: ${file} is not a testbed descriptor`);
  return desc;
}

export { DIR_PREFIX, STATE_DIR } from './layout.js';
