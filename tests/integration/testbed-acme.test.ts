// The testbed's HTTPS pieces without the console: a fleet-testbed/caddy container on alpha gets a certificate
// for a test name from Pebble (validated through the proxy ports), Node and a Chromium that trusts Pebble's
// root reach it by name, and plain HTTP redirects to HTTPS.
import crypto from 'node:crypto';
import dns from 'node:dns';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearDnsRecord, pebbleIssuerRoots, restartPebble, setDnsRecord } from '../../scripts/testbed/control.js';
import { LABEL } from '../../scripts/testbed/layout.js';
import { dockerJson, dockerRequest } from '../../scripts/testbed/util.js';
import { getTestbed } from '../support/testbed.js';
import { launchTrustedChromium } from '../support/trusted-chromium.js';

const tb = getTestbed();
const socket = tb.alpha.dockerSocket;
const name = `hello.${tb.testDomain}`;
const container = 'fleet-testbed-acme-caddy';
const PAGE = 'hello from caddy';

/** Caddy's JSON config: `name` answered on :443 with a static page, its certificate from Pebble. */
function caddyConfig(): unknown {
  return {
    apps: {
      http: {
        servers: {
          tenants: {
            listen: [':443'],
            routes: [{ match: [{ host: [name] }], handle: [{ handler: 'static_response', status_code: 200, body: PAGE }] }],
          },
        },
      },
      tls: {
        automation: {
          policies: [{ subjects: [name], issuers: [{ module: 'acme', ca: tb.acme.directoryUrl, trusted_roots_pem_files: ['/etc/caddy/directory-ca.pem'] }] }],
        },
      },
    },
  };
}

async function startCaddy(): Promise<void> {
  await dockerRequest(socket, 'DELETE', `/containers/${container}?force=true&v=true`);
  const created = await dockerJson<{ Id: string }>('create caddy', socket, 'POST', `/containers/create?name=${container}`, {
    Image: tb.images.caddy,
    // The config and the directory's CA go in through the environment (public data), written by busybox.
    Cmd: ['sh', '-c', 'printf %s "$CADDY_JSON" >/etc/caddy/caddy.json && printf %s "$DIRECTORY_CA" >/etc/caddy/directory-ca.pem && exec caddy run --config /etc/caddy/caddy.json'],
    Env: [`CADDY_JSON=${JSON.stringify(caddyConfig())}`, `DIRECTORY_CA=${fs.readFileSync(tb.acme.directoryCaPath, 'utf8')}`],
    Labels: { [LABEL]: tb.dir },
    HostConfig: {
      PortBindings: {
        '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(tb.proxyPorts.http) }],
        '443/tcp': [{ HostIp: '127.0.0.1', HostPort: String(tb.proxyPorts.https) }],
      },
    },
  });
  await dockerJson('start caddy', socket, 'POST', `/containers/${created.Id}/start`);
}

/** GET https://<name>/ through the https proxy port, trusting only `ca`; the status, body and peer chain. */
function getByName(ca: string): Promise<{ status: number; body: string; chain: crypto.X509Certificate[] }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port: tb.proxyPorts.https, servername: name, headers: { host: name }, ca, timeout: 10_000, agent: false }, (res) => {
      // The certificates the server sent (Node leaves the trusted root out).
      const chain: crypto.X509Certificate[] = [];
      for (let c = (res.socket as TLSSocket).getPeerX509Certificate(); c && !chain.some((s) => s.fingerprint256 === c!.fingerprint256); c = c.issuerCertificate) chain.push(c);
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, chain }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

let root: string;

beforeAll(async () => {
  root = await pebbleIssuerRoots(tb);
  await startCaddy();
});

afterAll(async () => {
  await dockerRequest(socket, 'DELETE', `/containers/${container}?force=true&v=true`);
});

describe('testbed ACME: Caddy, Pebble and a Chromium that trusts Pebble', () => {
  it(`Caddy gets a certificate for ${name} from Pebble, chaining to Pebble's root`, async () => {
    const rootCert = new crypto.X509Certificate(root);
    // Issuance takes a few seconds (order, HTTP-01 or TLS-ALPN-01 through the proxy ports): poll until served.
    await expect.poll(() => getByName(root).catch((err: Error) => err), { timeout: 60_000, interval: 500 }).not.toBeInstanceOf(Error);
    const { status, body, chain } = await getByName(root);
    expect(status).toBe(200);
    expect(body).toBe(PAGE);
    expect(chain[0]!.subjectAltName).toContain(`DNS:${name}`);
    // Node verified the chain against `root` alone; the served chain (leaf, intermediate) ends under it.
    const top = chain.at(-1)!;
    expect(top.checkIssued(rootCert) || top.fingerprint256 === rootCert.fingerprint256).toBe(true);
    expect(top.verify(rootCert.publicKey)).toBe(true);
    // Trusting only the directory's CA is not enough: the certificate really is Pebble's.
    await expect(getByName(fs.readFileSync(tb.acme.directoryCaPath, 'utf8'))).rejects.toThrow(/certificate/);
  });

  it('plain HTTP on the http proxy port redirects to HTTPS', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: tb.proxyPorts.http, path: '/some/page', headers: { host: name }, agent: false }, resolve).on('error', reject);
    });
    res.resume();
    expect(res.statusCode).toBe(308);
    expect(res.headers.location).toBe(`https://${name}/some/page`);
  });

  it(`Chromium trusting Pebble's root opens https://${name}/; trusting another root it refuses`, async () => {
    const hostMap = { [`*.${tb.testDomain}`]: `127.0.0.1:${tb.proxyPorts.https}` };
    const homes = () => fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('fleet-trusted-chromium-')).length;
    const homesBefore = homes();
    const open = async (rootsPem: string[]) => {
      const browser = await launchTrustedChromium({ rootsPem, hostMap });
      try {
        const page = await browser.newPage();
        const res = await page.goto(`https://${name}/`);
        return { status: res?.status(), text: await page.textContent('body') };
      } finally {
        await browser.close();
      }
    };
    expect(await open([root])).toEqual({ status: 200, text: PAGE });
    await expect(open([fs.readFileSync(tb.acme.directoryCaPath, 'utf8')])).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
    expect(homes()).toBe(homesBefore);
  });

  it('challtestsrv answers 127.0.0.1 for any name, and a record set until it is cleared', async () => {
    const resolver = new dns.promises.Resolver();
    resolver.setServers([tb.acme.dnsServer]);
    const other = `other.${tb.testDomain}`;
    expect(await resolver.resolve4(other)).toEqual(['127.0.0.1']);
    await setDnsRecord(tb, other, '10.11.12.13');
    expect(await resolver.resolve4(other)).toEqual(['10.11.12.13']);
    await clearDnsRecord(tb, other);
    expect(await resolver.resolve4(other)).toEqual(['127.0.0.1']);
  });

  // Last: Pebble forgets its accounts and makes new roots when it starts again.
  it('restartPebble starts Pebble again with the options given (new roots, same directory)', async () => {
    await restartPebble(tb, { nonceRejectPercent: 100 });
    expect(fs.readFileSync(tb.acme.pebbleLogPath, 'utf8')).toMatch(/reject 100% of good nonces/);
    await restartPebble(tb);
    expect(fs.readFileSync(tb.acme.pebbleLogPath, 'utf8').split('Starting Pebble').at(-1)).toMatch(/reject 0% of good nonces/);
    expect(await pebbleIssuerRoots(tb)).not.toBe(root);
  });
});
