// Debian's Chromium that trusts given PEM roots (e.g. Pebble's) and resolves test names to a local port.
// Chromium on Linux reads trust from the NSS database under $HOME/.pki/nssdb, not from its profile: each
// browser gets a temporary HOME holding a database with the roots, removed when the browser closes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser.js';

export interface TrustedChromiumOptions {
  /** PEM texts of the roots to trust for TLS servers (each may hold several certificates). */
  rootsPem: string[];
  /**
   * Host patterns mapped to an address, e.g. `{ '*.fleet.test': '127.0.0.1:37521' }`: Chromium connects
   * there whatever port the URL names, keeping the name for SNI and certificate checks.
   */
  hostMap?: Record<string, string>;
}

/** Certificates of a PEM text, one PEM block each. */
function pemBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** A temporary HOME whose NSS database trusts every certificate of `rootsPem` to identify TLS servers. */
function homeTrusting(rootsPem: string[]): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-trusted-chromium-'));
  try {
    const db = `sql:${path.join(home, '.pki', 'nssdb')}`;
    fs.mkdirSync(path.join(home, '.pki', 'nssdb'), { recursive: true, mode: 0o700 });
    execFileSync('certutil', ['-N', '--empty-password', '-d', db], { stdio: 'pipe' });
    const certs = rootsPem.flatMap(pemBlocks);
    if (!certs.length) throw new Error('trusted-chromium: no certificate in the roots given');
    certs.forEach((cert, i) => {
      const file = path.join(home, `root-${i}.pem`);
      fs.writeFileSync(file, `${cert}\n`);
      execFileSync('certutil', ['-A', '-d', db, '-n', `fleet-test-root-${i}`, '-t', 'C,,', '-i', file], { stdio: 'pipe' });
    });
    return home;
  } catch (err) {
    fs.rmSync(home, { recursive: true, force: true });
    throw err;
  }
}

/** Launches headless Chromium trusting `rootsPem`; closing the browser removes its temporary HOME. */
export async function launchTrustedChromium(opts: TrustedChromiumOptions): Promise<Browser> {
  const home = homeTrusting(opts.rootsPem);
  const rules = Object.entries(opts.hostMap ?? {}).map(([pattern, target]) => `MAP ${pattern} ${target}`);
  try {
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS, ...(rules.length ? [`--host-resolver-rules=${rules.join(',')}`] : [])],
      env: { ...process.env, HOME: home },
    });
    browser.on('disconnected', () => fs.rmSync(home, { recursive: true, force: true }));
    return browser;
  } catch (err) {
    fs.rmSync(home, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Runs a browser action again when Chromium dropped it with ERR_NETWORK_CHANGED: Chromium cancels
 * requests in flight whenever a network interface of the machine appears or goes, and Docker adds
 * and removes one for every container the testbed starts or stops. Anything else fails at once.
 */
export async function retryOnNetworkChange<T>(action: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      const changed = /ERR_NETWORK_CHANGED|Failed to fetch/.test((error as Error).message);
      if (!changed || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
