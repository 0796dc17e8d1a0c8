// Acting on a running testbed from any process that holds its descriptor (test workers included):
// stopping, starting and restarting the SSH servers, rotating host keys, running labelled containers,
// reading Pebble's roots, setting test DNS records and restarting Pebble with other options.
import fs from 'node:fs';
import https from 'node:https';
import * as acme from './acme.js';
import { LABEL, layout, type HostName } from './layout.js';
import * as sshd from './sshd.js';
import type { TestbedDescriptor } from './index.js';
import { dockerJson, dockerRequest, stepError, writeJson } from './util.js';

export type { HostName } from './layout.js';
export type HostKeyType = sshd.HostKeyType;

export interface SshdControlOptions {
  /**
   * Keep established SSH sessions alive (only the listener goes away, as with `systemctl restart ssh`).
   * By default the session processes are killed too, so clients see their connection drop.
   */
  keepSessions?: boolean;
}

/** Stops the host's sshd: connections are refused afterwards. Idempotent. */
export async function stopSshd(desc: TestbedDescriptor, name: HostName, opts: SshdControlOptions = {}): Promise<void> {
  await sshd.stopSshd(desc.dir, name, { dropSessions: !opts.keepSessions });
}

/** Starts the host's sshd again (same port, same key); resolves when it greets. No-op when it runs. */
export async function startSshd(desc: TestbedDescriptor, name: HostName): Promise<void> {
  if (sshd.sshdPid(desc.dir, name)) return;
  await sshd.startSshd(desc.dir, name, desc[name].sshPort);
}

/** Stops and starts the host's sshd; resolves when the port accepts (and greets) again. */
export async function restartSshd(desc: TestbedDescriptor, name: HostName, opts: SshdControlOptions = {}): Promise<void> {
  await stopSshd(desc, name, opts);
  await sshd.startSshd(desc.dir, name, desc[name].sshPort);
}

/** Whether the host's sshd runs. */
export function sshdRunning(desc: TestbedDescriptor, name: HostName): boolean {
  return sshd.sshdPid(desc.dir, name) !== undefined;
}

/**
 * Gives the host a new host key (ed25519 unless told) and restarts its sshd. Returns the new fingerprint;
 * updates `desc` in place and <dir>/descriptor.json.
 */
export async function rotateHostKey(
  desc: TestbedDescriptor,
  name: HostName,
  opts: SshdControlOptions & { type?: HostKeyType } = {},
): Promise<string> {
  return switchHostKey(desc, name, opts, await sshd.generateHostKey(desc.dir, name, opts.type ?? 'ed25519'));
}

/**
 * Gives the host back the key it had when the testbed started and restarts its sshd (undoing rotateHostKey).
 * Returns that fingerprint; updates `desc` in place and <dir>/descriptor.json.
 */
export async function restoreHostKey(desc: TestbedDescriptor, name: HostName, opts: SshdControlOptions = {}): Promise<string> {
  return switchHostKey(desc, name, opts, await sshd.restoreOriginalHostKey(desc.dir, name));
}

/** Restarts the host's sshd on the key now in its key file and records that key in `desc` and descriptor.json. */
async function switchHostKey(desc: TestbedDescriptor, name: HostName, opts: SshdControlOptions, key: { type: string; fingerprint: string; publicLine: string }): Promise<string> {
  await restartSshd(desc, name, opts);
  desc[name].hostKeyType = key.type;
  desc[name].hostKeyFingerprint = key.fingerprint;
  desc[name].hostKeyPublicLine = key.publicLine;
  writeJson(layout(desc.dir).descriptor, desc);
  return key.fingerprint;
}

/**
 * Re-reads each host's key from its <hostKeyPath>.pub into `desc` (in place; returned for convenience): the
 * key files are the truth, whatever process rotated or restored them.
 */
export function refreshHostKeys<T extends TestbedDescriptor>(desc: T): T {
  for (const name of ['alpha', 'beta'] as const) {
    try {
      const key = sshd.readHostKey(desc.dir, name);
      desc[name].hostKeyType = key.type;
      desc[name].hostKeyFingerprint = key.fingerprint;
      desc[name].hostKeyPublicLine = key.publicLine;
    } catch {
      /* testbed gone: keep what the descriptor says */
    }
  }
  return desc;
}

export interface RunContainerOptions {
  /** Extra labels (the testbed adds `odoo-fleet.testbed=<dir>` itself). */
  labels?: Record<string, string>;
  /** Defaults to the image's CMD: ["sleep","3600"]. */
  cmd?: string[];
  env?: Record<string, string>;
  /** A network name (e.g. desc.dockerNetwork.name on alpha); the daemon's default bridge otherwise. */
  network?: string;
  /** Defaults to desc.busyboxImage. */
  image?: string;
  /** Remove an existing container of that name first when it carries the testbed label (default true). */
  replace?: boolean;
}

export function dockerSocketOf(desc: TestbedDescriptor, name: HostName): string {
  return desc[name].dockerSocket;
}

/** Creates and starts a (busybox `sleep 3600`) container on that host's daemon; returns its id. */
export async function runContainer(
  desc: TestbedDescriptor,
  name: HostName,
  containerName: string,
  opts: RunContainerOptions = {},
): Promise<string> {
  const socket = dockerSocketOf(desc, name);
  const step = `run container ${containerName} on ${name}`;
  if (opts.replace !== false) {
    const existing = await dockerRequest(socket, 'GET', `/containers/${encodeURIComponent(containerName)}/json`);
    if (existing.status === 200) {
      const labels = (JSON.parse(existing.body) as { Config?: { Labels?: Record<string, string> | null } }).Config?.Labels ?? {};
      if (!(LABEL in labels)) throw stepError(step, `a container named ${containerName} exists and is not the testbed's`);
      await removeContainer(desc, name, containerName);
    }
  }
  const created = await dockerJson<{ Id: string }>(step, socket, 'POST', `/containers/create?name=${encodeURIComponent(containerName)}`, {
    Image: opts.image ?? desc.busyboxImage,
    ...(opts.cmd ? { Cmd: opts.cmd } : {}),
    Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
    Labels: { ...opts.labels, [LABEL]: desc.dir },
    HostConfig: { ...(opts.network ? { NetworkMode: opts.network } : {}), Init: false },
  });
  try {
    await dockerJson(step, socket, 'POST', `/containers/${created.Id}/start`);
  } catch (err) {
    await dockerRequest(socket, 'DELETE', `/containers/${created.Id}?force=true`).catch(() => undefined);
    throw err;
  }
  return created.Id;
}

/** Force-removes a container (by name or id) and its anonymous volumes; no error when it does not exist. */
export async function removeContainer(desc: TestbedDescriptor, name: HostName, containerNameOrId: string): Promise<void> {
  await dockerJson(
    `remove container ${containerNameOrId} on ${name}`,
    dockerSocketOf(desc, name),
    'DELETE',
    `/containers/${encodeURIComponent(containerNameOrId)}?force=true&v=true`,
    undefined,
    [200, 204, 404, 409],
  );
}

// ---------------------------------------------------------------- ACME (Pebble and its DNS)

/** GET over HTTPS trusting only the testbed's directory CA (Pebble's directory and management API). */
function getTrustingDirectoryCa(desc: TestbedDescriptor, url: string): Promise<string> {
  const ca = fs.readFileSync(desc.acme.directoryCaPath);
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolve(body);
        else reject(stepError(`GET ${url}`, `answered ${res.statusCode}: ${body.slice(0, 200)}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => reject(stepError(`GET ${url}`, err.message, undefined, err)));
  });
}

/**
 * PEM of the root Pebble issues under (its management API's /roots/0). Pebble makes new roots whenever it
 * starts (restartPebble included): read them after the last restart. Servers send the intermediate.
 */
export async function pebbleIssuerRoots(desc: TestbedDescriptor): Promise<string> {
  return getTrustingDirectoryCa(desc, `${desc.acme.managementUrl}/roots/0`);
}

/** PEM of the intermediate Pebble signs certificates with (/intermediates/0). */
export async function pebbleIntermediate(desc: TestbedDescriptor): Promise<string> {
  return getTrustingDirectoryCa(desc, `${desc.acme.managementUrl}/intermediates/0`);
}

async function postDns(desc: TestbedDescriptor, route: string, body: unknown): Promise<void> {
  const res = await fetch(`${desc.acme.dnsManagementUrl}${route}`, { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw stepError(`challtestsrv ${route}`, `answered ${res.status}: ${await res.text()}`);
}

const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`);

/** Makes challtestsrv (Pebble's DNS) answer A queries for `name` with `ipv4` instead of 127.0.0.1. */
export async function setDnsRecord(desc: TestbedDescriptor, name: string, ipv4: string): Promise<void> {
  await postDns(desc, '/add-a', { host: fqdn(name), addresses: [ipv4] });
}

/** Forgets the A record set for `name`: it answers the default, 127.0.0.1, again. */
export async function clearDnsRecord(desc: TestbedDescriptor, name: string): Promise<void> {
  await postDns(desc, '/clear-a', { host: fqdn(name) });
}

export type PebbleOptions = acme.PebbleOptions;

/**
 * Restarts Pebble with other options (e.g. `{ nonceRejectPercent: 50 }`; without options, the defaults
 * again). Same URLs and directory CA; Pebble forgets its accounts and orders and makes new roots.
 */
export async function restartPebble(desc: TestbedDescriptor, opts: PebbleOptions = {}): Promise<void> {
  await acme.restartPebble(desc.dir, opts);
}
