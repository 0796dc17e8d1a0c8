import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkHostKey,
  knownHostsName,
  loadKnownHosts,
  lookupHostKeys,
  parseKnownHosts,
  sha256Fingerprint,
  type KnownHostEntry,
} from '../../electron/ssh/known-hosts.js';

const hasKeygen = spawnSync('ssh-keygen', ['-?'], { encoding: 'utf8' }).error === undefined;

function keygen(args: string[]): string {
  const r = spawnSync('ssh-keygen', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe('known-hosts without ssh-keygen', () => {
  // A syntactically valid ed25519 public key blob (type string + 32 zero bytes).
  const blob = Buffer.concat([
    Buffer.from([0, 0, 0, 11]),
    Buffer.from('ssh-ed25519'),
    Buffer.from([0, 0, 0, 32]),
    Buffer.alloc(32),
  ]);
  const b64 = blob.toString('base64');

  it('formats SHA256 fingerprints without padding', () => {
    expect(sha256Fingerprint(Buffer.from('abc'))).toBe('SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0');
  });

  it('skips comments, blanks and invalid lines, reporting why', () => {
    const bad: string[] = [];
    const entries = parseKnownHosts(
      [
        '# comment',
        '',
        `   ok.example ssh-ed25519 ${b64} the comment`,
        `@bogus ok.example ssh-ed25519 ${b64}`,
        'truncated.example',
        `rsa.example ssh-rsa ${b64}`,
        'nob64.example ssh-ed25519 %%%',
        `unknown.example ssh-foo ${b64}`,
        `|1|short|x ssh-ed25519 ${b64}`,
        `crlf.example ssh-ed25519 ${b64}\r`,
      ].join('\n'),
      'kh',
      (line, reason) => bad.push(`${line}: ${reason}`),
    );
    expect(entries.map((e) => [e.line, e.hosts, e.comment])).toEqual([
      [3, 'ok.example', 'the comment'],
      [10, 'crlf.example', undefined],
    ]);
    expect(bad.map((b) => b.split(':')[0])).toEqual(['4', '5', '6', '7', '8', '9']);
    expect(bad[2]).toMatch(/mismatch/);
  });

  it('uses [host]:port names for ports other than 22 and lower-cases names', () => {
    expect(knownHostsName('Web.Example', 22)).toBe('web.example');
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
    expect(knownHostsName('2001:DB8::1', 2200)).toBe('[2001:DB8::1]:2200');
  });

  it('loads several files, skipping missing ones', () => {
    const files: Record<string, string> = {
      '/a': `one.example ssh-ed25519 ${b64}\n`,
      '/c': `\n@revoked two.example ssh-ed25519 ${b64}\n`,
    };
    const entries = loadKnownHosts(['/a', '/b', '/c'], (p) => files[p] ?? null);
    expect(entries.map((e) => [e.file, e.line, e.marker])).toEqual([
      ['/a', 1, undefined],
      ['/c', 2, 'revoked'],
    ]);
    expect(lookupHostKeys(entries, 'two.example', 22)).toEqual([
      { keyType: 'ssh-ed25519', keyBase64: b64, fingerprint: sha256Fingerprint(blob), marker: 'revoked', line: 2, file: '/c' },
    ]);
  });
});

describe.skipIf(!hasKeygen)('known-hosts against ssh-keygen (OpenSSH as oracle)', () => {
  let dir: string;
  const keys: Record<string, { type: string; b64: string; blob: Buffer; fp: string }> = {};
  let plainFile: string;
  let hashedFile: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-kh-'));
    const specs: [string, string[]][] = [
      ['web', ['-t', 'ed25519']],
      ['lab', ['-t', 'ecdsa', '-b', '256']],
      ['corp', ['-t', 'rsa', '-b', '2048']],
      ['p384', ['-t', 'ecdsa', '-b', '384']],
      ['rev', ['-t', 'ed25519']],
      ['ca', ['-t', 'ed25519']],
      ['other', ['-t', 'ed25519']],
    ];
    for (const [name, args] of specs) {
      const f = path.join(dir, name);
      keygen(['-q', ...args, '-N', '', '-C', `${name}@test`, '-f', f]);
      const [type, b64] = fs.readFileSync(`${f}.pub`, 'utf8').trim().split(/\s+/) as [string, string];
      const blob = Buffer.from(b64, 'base64');
      // `ssh-keygen -lf` prints "<bits> SHA256:... <comment> (<TYPE>)".
      const fp = keygen(['-l', '-E', 'sha256', '-f', `${f}.pub`]).split(' ')[1]!;
      keys[name] = { type, b64, blob, fp };
    }
    // A host certificate (ssh-ed25519-cert-v01@openssh.com) signed by the CA key.
    keygen(['-q', '-s', path.join(dir, 'ca'), '-h', '-I', 'cert-id', '-n', 'certhost.example.com', path.join(dir, 'web.pub')]);
    const [certType, certB64] = fs.readFileSync(path.join(dir, 'web-cert.pub'), 'utf8').trim().split(/\s+/) as [string, string];
    keys.cert = { type: certType, b64: certB64, blob: Buffer.from(certB64, 'base64'), fp: '' };
    const k = (n: string): string => `${keys[n]!.type} ${keys[n]!.b64}`;
    const lines = [
      '# known_hosts fixture',
      `web1.example.com,10.0.0.1 ${k('web')} web key`,
      `[127.0.0.1]:2222 ${k('lab')}`,
      `*.corp.example.com,!bad.corp.example.com ${k('corp')}`,
      `@revoked * ${k('rev')}`,
      `@cert-authority *.example.com ${k('ca')}`,
      `host?.lab ${k('lab')}`,
      '',
      `[*.dev]:2200 ${k('p384')}`,
      `\t  indented.example.com ${k('web')}`,
      'garbage',
      `bad.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI`,
      `mismatch.example.com ssh-rsa ${keys.web!.b64}`,
      `MixedCase.Example.com ${k('other')}`,
      `revoked.example.com ${k('rev')}`,
      `[web1.example.com]:2222 ${k('other')}`,
      `certhost.example.com ${k('cert')}`,
    ];
    plainFile = path.join(dir, 'known_hosts');
    fs.writeFileSync(plainFile, lines.join('\n') + '\n');
    // ssh-keygen -H refuses files with unparsable lines: hash without them, then add them back.
    hashedFile = path.join(dir, 'known_hosts_hashed');
    fs.writeFileSync(hashedFile, lines.filter((l) => l !== 'garbage').join('\n') + '\n');
    keygen(['-q', '-H', '-f', hashedFile]);
    fs.appendFileSync(hashedFile, 'garbage\n');
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('computes the same fingerprints as ssh-keygen -lf', () => {
    for (const [name, key] of Object.entries(keys)) {
      if (name !== 'cert') expect(sha256Fingerprint(key.blob), name).toBe(key.fp);
    }
    const entries = parseKnownHosts(fs.readFileSync(plainFile, 'utf8'), plainFile);
    const web = entries.find((e) => e.hosts === 'web1.example.com,10.0.0.1')!;
    expect(web).toMatchObject({ keyType: 'ssh-ed25519', fingerprint: keys.web!.fp, comment: 'web key', line: 2 });
  });

  it('hashes with ssh-keygen -H into |1|salt|hmac names', () => {
    const text = fs.readFileSync(hashedFile, 'utf8');
    expect(text).toMatch(/^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ssh-ed25519 /m);
    const hashed = parseKnownHosts(text, hashedFile).filter((e) => e.hashed);
    expect(hashed.length).toBeGreaterThanOrEqual(6);
    for (const e of hashed) expect(e.patterns).toEqual([]);
  });

  const QUERIES: [string, number][] = [
    ['web1.example.com', 22],
    ['10.0.0.1', 22],
    ['web1.example.com', 2222],
    ['127.0.0.1', 2222],
    ['127.0.0.1', 22],
    ['a.corp.example.com', 22],
    ['bad.corp.example.com', 22],
    ['hosta.lab', 22],
    ['hostab.lab', 22],
    ['x.dev', 2200],
    ['x.dev', 22],
    ['indented.example.com', 22],
    ['bad.example.com', 22],
    ['mismatch.example.com', 22],
    ['mixedcase.example.com', 22],
    ['revoked.example.com', 22],
    ['certhost.example.com', 22],
    ['unknown.org', 22],
  ];

  /** Lines `ssh-keygen -l -F name -f file` reports (it parses keys, like ssh does), with fingerprints. */
  function oracle(file: string, name: string): string[] {
    const r = spawnSync('ssh-keygen', ['-l', '-F', name, '-f', file], { encoding: 'utf8' });
    const out = r.stdout.split('\n');
    const found: string[] = [];
    for (let i = 0; i < out.length; i++) {
      const m = /^# Host .* found: line (\d+) ?(CA|REVOKED)?$/.exec(out[i]!);
      if (!m) continue;
      const fp = out[i + 1]!.split(' ')[2];
      const marker = m[2] === 'CA' ? 'cert-authority' : m[2] === 'REVOKED' ? 'revoked' : '-';
      found.push(`${m[1]} ${marker} ${fp}`);
    }
    return found;
  }

  function ours(entries: KnownHostEntry[], host: string, port: number): string[] {
    return lookupHostKeys(entries, host, port, { includeCertAuthorities: true }).map(
      (k) => `${k.line} ${k.marker ?? '-'} ${k.fingerprint}`,
    );
  }

  for (const which of ['plain', 'hashed'] as const) {
    it(`matches the same ${which} lines as ssh-keygen -F`, () => {
      const file = which === 'plain' ? plainFile : hashedFile;
      const entries = loadKnownHosts([file]);
      const diffs: string[] = [];
      for (const [host, port] of QUERIES) {
        const expected = oracle(file, knownHostsName(host, port));
        const actual = ours(entries, host, port);
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          diffs.push(`${host}:${port}: ours=${JSON.stringify(actual)} ssh-keygen=${JSON.stringify(expected)}`);
        }
      }
      expect(diffs).toEqual([]);
    });
  }

  it('finds the same keys before and after hashing', () => {
    const plain = loadKnownHosts([plainFile]);
    const hashed = loadKnownHosts([hashedFile]);
    for (const [host, port] of QUERIES) {
      const a = lookupHostKeys(plain, host, port).map((k) => `${k.marker ?? '-'} ${k.fingerprint}`);
      const b = lookupHostKeys(hashed, host, port).map((k) => `${k.marker ?? '-'} ${k.fingerprint}`);
      expect(b, `${host}:${port}`).toEqual(a);
    }
    // [127.0.0.1]:2222 is only known for port 2222.
    expect(lookupHostKeys(hashed, '127.0.0.1', 2222).map((k) => k.fingerprint)).toEqual([
      keys.lab!.fp,
      keys.rev!.fp,
    ]);
    expect(lookupHostKeys(hashed, '127.0.0.1', 22).map((k) => k.marker)).toEqual(['revoked']);
  });

  it('leaves @cert-authority keys out of plain lookups', () => {
    const entries = loadKnownHosts([plainFile]);
    expect(lookupHostKeys(entries, 'web1.example.com', 22).some((k) => k.marker === 'cert-authority')).toBe(false);
    expect(
      lookupHostKeys(entries, 'web1.example.com', 22, { includeCertAuthorities: true }).filter(
        (k) => k.marker === 'cert-authority',
      ),
    ).toHaveLength(1);
  });

  it('reports revoked, known, changed and unknown host keys', () => {
    const entries = loadKnownHosts([hashedFile, path.join(dir, 'missing')]);
    expect(checkHostKey(entries, 'web1.example.com', 22, keys.web!.blob).status).toBe('ok');
    expect(checkHostKey(entries, 'Web1.Example.com', 22, keys.web!.blob).status).toBe('ok');
    // Listed as known for this host, but @revoked for every host: revoked wins.
    expect(checkHostKey(entries, 'revoked.example.com', 22, keys.rev!.blob).status).toBe('revoked');
    expect(checkHostKey(entries, 'web1.example.com', 22, keys.other!.blob).status).toBe('changed');
    // A different key type than the recorded one is not a "change" for ssh.
    expect(checkHostKey(entries, 'web1.example.com', 22, keys.lab!.blob).status).toBe('unknown');
    expect(checkHostKey(entries, 'unknown.org', 22, keys.web!.blob).status).toBe('unknown');
    expect(checkHostKey(entries, 'web1.example.com', 2222, keys.other!.blob).status).toBe('ok');
  });
});
