// A test ACME server for the testbed: Debian's Pebble, validating through a proxy's published ports on
// 127.0.0.1, with pebble-challtestsrv as its DNS (every name answers 127.0.0.1 unless a test says
// otherwise). Both are host processes whose command lines name the testbed directory (so a killed run's
// leftovers are found); Pebble's directory is served with a per-testbed CA made here with openssl.
import fs from 'node:fs';
import { layout } from './layout.js';
import { canConnect, killAndWait, pidFromFile, run, spawnDaemon, stepError, waitFor, which } from './util.js';

export interface AcmePorts {
  /** Pebble's ACME directory, on the testbed network's gateway. */
  directory: number;
  /** Pebble's management API, on 127.0.0.1. */
  management: number;
  /** challtestsrv's DNS (UDP and TCP), on 127.0.0.1. */
  dns: number;
  /** challtestsrv's management API, on 127.0.0.1. */
  dnsManagement: number;
  /** Where Pebble validates HTTP-01 and TLS-ALPN-01: the proxy's published ports. */
  http: number;
  https: number;
}

export interface PebbleOptions {
  /** Percentage of valid nonces Pebble rejects as bad (PEBBLE_WFE_NONCEREJECT); 0 by default. */
  nonceRejectPercent?: number;
}

/** What Pebble needs to be started again (by a test, with other options): kept in <dir>/acme/pebble.json. */
interface PebbleLaunch {
  gateway: string;
  ports: AcmePorts;
}

const DAYS = '30';

/** The absolute path of a binary of Debian's pebble package, or a clear error naming the package. */
function pebbleBinary(name: 'pebble' | 'pebble-challtestsrv'): string {
  const bin = which(name);
  if (!bin) throw stepError(name, `${name} not found (Debian package pebble; scripts/install-system-deps.sh installs it)`);
  return bin;
}

/** openssl config of the directory CA and of Pebble's server certificate (for the gateway, 127.0.0.1, localhost). */
function opensslConfig(gateway: string): string {
  return [
    '[req]',
    'distinguished_name = dn',
    'prompt = no',
    '[dn]',
    'CN = fleet testbed ACME directory CA',
    '[ca]',
    'basicConstraints = critical, CA:TRUE',
    'keyUsage = critical, keyCertSign, cRLSign',
    'subjectKeyIdentifier = hash',
    '[server]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = serverAuth',
    `subjectAltName = IP:${gateway}, IP:127.0.0.1, DNS:localhost`,
    '',
  ].join('\n');
}

/** A CA and a server certificate signed by it (ECDSA P-256), in <dir>/acme. */
async function makeDirectoryCertificates(dir: string, gateway: string): Promise<void> {
  const a = layout(dir).acme;
  fs.writeFileSync(a.opensslConfig, opensslConfig(gateway));
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-noenc'];
  const step = 'pebble: directory certificates';
  await run('openssl', ['req', '-x509', ...key, '-keyout', a.caKey, '-out', a.caCert, '-days', DAYS, '-config', a.opensslConfig, '-extensions', 'ca'], { step });
  await run(
    'openssl',
    ['req', '-x509', ...key, '-keyout', a.serverKey, '-out', a.serverCert, '-days', DAYS, '-config', a.opensslConfig, '-extensions', 'server', '-CA', a.caCert, '-CAkey', a.caKey, '-subj', '/CN=pebble'],
    { step },
  );
}

function pebbleConfig(dir: string, launch: PebbleLaunch): unknown {
  const a = layout(dir).acme;
  return {
    pebble: {
      listenAddress: `${launch.gateway}:${launch.ports.directory}`,
      managementListenAddress: `127.0.0.1:${launch.ports.management}`,
      certificate: a.serverCert,
      privateKey: a.serverKey,
      httpPort: launch.ports.http,
      tlsPort: launch.ports.https,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
    },
  };
}

/** Starts pebble-challtestsrv: DNS and its management API only, A queries answered 127.0.0.1, no AAAA. */
export async function startChallTestSrv(dir: string, ports: Pick<AcmePorts, 'dns' | 'dnsManagement'>): Promise<void> {
  const a = layout(dir).acme;
  fs.mkdirSync(a.dir, { recursive: true, mode: 0o755 });
  const args = ['-dns01', `127.0.0.1:${ports.dns}`, '-management', `127.0.0.1:${ports.dnsManagement}`];
  args.push('-http01', '', '-https01', '', '-tlsalpn01', '', '-defaultIPv4', '127.0.0.1', '-defaultIPv6', '');
  // The trailing argument is ignored by challtestsrv; it puts the testbed directory in the command line.
  const pid = spawnDaemon(pebbleBinary('pebble-challtestsrv'), [...args, dir], a.dnsLog);
  fs.writeFileSync(a.dnsPid, `${pid}\n`);
  await waitFor(() => canConnect(ports.dnsManagement), {
    timeoutMs: 10_000,
    onTimeout: () => stepError('challtestsrv', `not listening on 127.0.0.1:${ports.dnsManagement}`, a.dnsLog),
  });
}

/** Writes Pebble's certificates and config, then starts it; resolves when its directory answers. */
export async function startPebble(dir: string, launch: PebbleLaunch, opts: PebbleOptions = {}): Promise<void> {
  const a = layout(dir).acme;
  fs.mkdirSync(a.dir, { recursive: true, mode: 0o755 });
  if (!fs.existsSync(a.caCert)) await makeDirectoryCertificates(dir, launch.gateway);
  fs.writeFileSync(a.launch, JSON.stringify(launch));
  fs.writeFileSync(a.pebbleConfig, JSON.stringify(pebbleConfig(dir, launch), null, 2));
  const env = {
    ...process.env,
    PEBBLE_VA_NOSLEEP: '1',
    PEBBLE_WFE_NONCEREJECT: String(opts.nonceRejectPercent ?? 0),
  };
  const pid = spawnDaemon(pebbleBinary('pebble'), ['-config', a.pebbleConfig, '-dnsserver', `127.0.0.1:${launch.ports.dns}`], a.pebbleLog, env);
  fs.writeFileSync(a.pebblePid, `${pid}\n`);
  await waitFor(async () => (await canConnect(launch.ports.directory, launch.gateway)) && canConnect(launch.ports.management), {
    timeoutMs: 10_000,
    onTimeout: () => stepError('pebble', `not listening on ${launch.gateway}:${launch.ports.directory}`, a.pebbleLog),
  });
}

/** Stops Pebble (idempotent). */
export async function stopPebble(dir: string): Promise<void> {
  const a = layout(dir).acme;
  const pid = pidFromFile(a.pebblePid, a.pebbleConfig);
  if (pid) await killAndWait([pid], 'SIGTERM', 5000);
}

/** Stops Pebble and starts it again with other options (same ports and directory certificate; new ACME roots). */
export async function restartPebble(dir: string, opts: PebbleOptions = {}): Promise<void> {
  const a = layout(dir).acme;
  const launch = JSON.parse(fs.readFileSync(a.launch, 'utf8')) as PebbleLaunch;
  await stopPebble(dir);
  await startPebble(dir, launch, opts);
}

/** Stops Pebble and challtestsrv (idempotent). */
export async function stopAcme(dir: string): Promise<void> {
  const a = layout(dir).acme;
  const pids = [pidFromFile(a.pebblePid, a.pebbleConfig), pidFromFile(a.dnsPid, dir)].filter((p): p is number => p !== undefined);
  await killAndWait(pids, 'SIGTERM', 5000);
}
