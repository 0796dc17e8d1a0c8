import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listConfiguredAliases,
  resolveSshHost,
  SshConfigError,
  type JumpSpec,
  type ResolvedSshHost,
  type SshConfigContext,
} from '../../electron/ssh/openssh-config.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/ssh-config/', import.meta.url));
const hasSsh = spawnSync('ssh', ['-V'], { encoding: 'utf8' }).status === 0;
const me = os.userInfo();

/** In-memory config files for the cases that need no oracle. */
function memCtx(files: Record<string, string>, extra: Partial<SshConfigContext> = {}): SshConfigContext {
  return {
    configPath: '/home/u/.ssh/config',
    homeDir: '/home/u',
    localUser: 'u',
    localHostName: 'box.example.net',
    uid: 1000,
    env: {},
    readFile: (p) => files[p] ?? null,
    glob: (pattern) => {
      const re = new RegExp(
        '^' + pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$',
      );
      return Object.keys(files)
        .filter((f) => re.test(f))
        .sort();
    },
    ...extra,
  };
}

describe('openssh-config without the oracle', () => {
  it('reads keywords case-insensitively, "=" syntax, quotes and comments', () => {
    const r = resolveSshHost(
      'a',
      memCtx({
        '/home/u/.ssh/config': [
          '# comment',
          '',
          '  HOST=a   # trailing comment',
          '\tHostName = A.Example.COM',
          '    pORt 2200',
          'IdentityFile "~/.ssh/my key"',
          "IdentityFile '~/.ssh/single quoted'",
          'IdentityFile ~/.ssh/escaped\\ space',
        ].join('\n'),
      }),
    );
    expect(r.hostName).toBe('a.example.com');
    expect(r.port).toBe(2200);
    expect(r.user).toBe('u');
    expect(r.identityFiles).toEqual([
      '/home/u/.ssh/my key',
      '/home/u/.ssh/single quoted',
      '/home/u/.ssh/escaped space',
    ]);
    expect(r.identityFilesAreDefault).toBe(false);
    expect(r.warnings).toEqual([]);
  });

  it('uses the default identity files when none is configured', () => {
    const r = resolveSshHost('plain', memCtx({}));
    expect(r).toMatchObject({ hostName: 'plain', port: 22, user: 'u', identityFilesAreDefault: true });
    expect(r.identityFiles).toEqual(
      ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'].map(
        (n) => `/home/u/.ssh/${n}`,
      ),
    );
    expect(r.userKnownHostsFiles).toEqual(['/home/u/.ssh/known_hosts', '/home/u/.ssh/known_hosts2']);
    expect(r.proxyJump).toEqual([]);
  });

  it('names file and line of a syntax error, also inside an inactive included file', () => {
    const files = {
      '/home/u/.ssh/config': 'Host elsewhere\n  Include conf.d/*.conf\n',
      '/home/u/.ssh/conf.d/a.conf': '# ok\nHost x\n  Port notaport\n',
    };
    let err: unknown;
    try {
      resolveSshHost('a', memCtx(files));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SshConfigError);
    expect(err).toMatchObject({ file: '/home/u/.ssh/conf.d/a.conf', line: 3 });
    expect((err as Error).message).toContain("Bad port 'notaport'");

    expect(() => resolveSshHost('a', memCtx({ '/home/u/.ssh/config': 'Host a\nUser "unterminated\n' }))).toThrow(
      /config line 2: invalid quotes/,
    );
    expect(() => resolveSshHost('a', memCtx({ '/home/u/.ssh/config': 'HostName\n' }))).toThrow(
      /line 1: no argument after keyword "hostname"/,
    );
    expect(() => resolveSshHost('a', memCtx({ '/home/u/.ssh/config': 'HostName a b\n' }))).toThrow(
      /extra arguments at end of line/,
    );
    expect(() => resolveSshHost('a', memCtx({ '/home/u/.ssh/config': 'Host z\nProxyJump u@:22\n' }))).toThrow(
      /line 2: Invalid ProxyJump/,
    );
    expect(() => resolveSshHost('a', memCtx({ '/home/u/.ssh/config': 'Match hots a\n' }))).toThrow(
      /Unsupported Match attribute hots/,
    );
    expect(() => resolveSshHost('a', memCtx({ '/home/u/.ssh/config': 'Match host a all\n' }))).not.toThrow();
    expect(() => resolveSshHost('a', memCtx({ '/home/u/.ssh/config': 'Match all host a\n' }))).toThrow(
      /cannot be combined/,
    );
    expect(() => resolveSshHost('a', memCtx({ '/home/u/.ssh/config': 'HostName %p.example\n' }))).toThrow(
      /unknown key %p/,
    );
  });

  it('stops Include recursion at the OpenSSH depth limit', () => {
    const files = { '/home/u/.ssh/config': 'Include config\n' };
    expect(() => resolveSshHost('a', memCtx(files))).toThrow(SshConfigError);
    expect(() => resolveSshHost('a', memCtx(files))).toThrow(/Too many recursive configuration includes/);
    expect(() => listConfiguredAliases(memCtx(files))).toThrow(/Too many recursive/);
  });

  it('does not run Match exec: the block does not apply and a warning says so', () => {
    const files = {
      '/home/u/.ssh/config': [
        'Match host a exec "test -e /etc/corp"',
        '  User from-exec',
        'Match host other exec "never-run"',
        '  User skipped',
        'Host a',
        '  User plain',
      ].join('\n'),
    };
    const r = resolveSshHost('a', memCtx(files));
    expect(r.user).toBe('plain');
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/config line 1: Match exec "test -e \/etc\/corp" is not evaluated/);
  });

  it('warns about unknown keywords unless IgnoreUnknown covers them', () => {
    const r = resolveSshHost('a', memCtx({ '/home/u/.ssh/config': 'FrobnicateHosts yes\nUseKeychain yes\n' }));
    expect(r.warnings).toEqual([
      '/home/u/.ssh/config line 1: Bad configuration option: frobnicatehosts (ignored)',
      '/home/u/.ssh/config line 2: Bad configuration option: usekeychain (ignored)',
    ]);
    const q = resolveSshHost(
      'a',
      memCtx({ '/home/u/.ssh/config': 'IgnoreUnknown UseKeychain,Frob*\nFrobnicateHosts yes\nUseKeychain yes\n' }),
    );
    expect(q.warnings).toEqual([]);
  });

  it('drops values whose ${VAR} is unset, with a warning', () => {
    const files = { '/home/u/.ssh/config': 'IdentityFile ${KEYS}/a\nIdentityFile ${NOPE}/b\nIdentityAgent ${SOCK}\n' };
    const r = resolveSshHost('a', memCtx(files, { env: { KEYS: '/keys', SOCK: '/run/agent' } }));
    expect(r.identityFiles).toEqual(['/keys/a']);
    expect(r.identityAgent).toBe('/run/agent');
    expect(r.warnings.join('\n')).toMatch(/\$\{NOPE\} is not set/);
  });

  it('keeps a CanonicalizeHostname re-parse but says DNS was not consulted', () => {
    const files = {
      '/home/u/.ssh/config': 'CanonicalizeHostname yes\nHost a\n  HostName b\nHost b\n  Port 2000\n',
    };
    const r = resolveSshHost('a', memCtx(files));
    expect(r).toMatchObject({ hostName: 'b', port: 2000 });
    expect(r.warnings.join('\n')).toMatch(/DNS canonicalization/);
  });

  it('reads the system config after the user config when no configPath is given', () => {
    const files = {
      '/home/u/.ssh/config': 'Host a\n  Port 2001\n',
      '/etc/ssh/ssh_config': 'Include /etc/ssh/ssh_config.d/*.conf\nHost *\n  Port 9\n  User sysuser\n',
      '/etc/ssh/ssh_config.d/x.conf': 'IdentityFile ~/.ssh/from_system\n',
    };
    const ctx = memCtx(files);
    delete ctx.configPath;
    expect(resolveSshHost('a', ctx)).toMatchObject({ port: 2001, user: 'sysuser', identityFiles: ['/home/u/.ssh/from_system'] });
    expect(resolveSshHost('a', memCtx(files))).toMatchObject({ port: 2001, user: 'u' });
  });

  it('lists concrete aliases in file order, following includes', () => {
    const files = {
      '/home/u/.ssh/config': 'Host b a\nInclude inc/*\nHost *.x !neg c? d\nHost a e\nMatch all\n',
      '/home/u/.ssh/inc/1': 'Host f\n',
    };
    expect(listConfiguredAliases(memCtx(files))).toEqual(['b', 'a', 'f', 'd', 'e']);
  });
});

// ---------------------------------------------------------------------------------------------
// OpenSSH as the oracle

/** The keys of `ssh -G` output that resolveSshHost answers for. */
const G_KEYS = [
  'hostname',
  'port',
  'user',
  'proxyjump',
  'proxycommand',
  'identityagent',
  'userknownhostsfile',
  'identitiesonly',
  'stricthostkeychecking',
  'connecttimeout',
  'serveraliveinterval',
  'hostkeyalias',
] as const;

/** Formats a hop the way readconf.c dump_client_config() prints the last ProxyJump hop. */
function fmtHop(j: JumpSpec, bracketNumeric: boolean): string {
  const numeric = j.host.includes(':') || (bracketNumeric && /^[0-9.]+$/.test(j.host));
  return `${j.user ? `${j.user}@` : ''}${numeric ? `[${j.host}]` : j.host}${j.port ? `:${j.port}` : ''}`;
}

const STRICT_DUMP: Record<string, string> = { yes: 'true', no: 'false', ask: 'ask', 'accept-new': 'accept-new' };

/** Our resolution in `ssh -G` terms. */
function asDump(r: ResolvedSshHost): Record<string, string | undefined> {
  const hops = r.proxyJump;
  return {
    hostname: r.hostName,
    port: String(r.port),
    user: r.user,
    proxyjump: hops.length
      ? hops.map((h, i) => fmtHop(h, i === hops.length - 1)).join(',')
      : undefined,
    proxycommand: r.proxyCommand,
    identityagent: r.identityAgent,
    userknownhostsfile: r.userKnownHostsFiles.length ? r.userKnownHostsFiles.join(' ') : 'none',
    identitiesonly: r.identitiesOnly ? 'yes' : 'no',
    stricthostkeychecking: STRICT_DUMP[r.strictHostKeyChecking ?? 'ask'],
    connecttimeout: r.connectTimeoutSeconds === undefined ? 'none' : String(r.connectTimeoutSeconds),
    serveraliveinterval: String(r.serverAliveIntervalSeconds ?? 0),
    hostkeyalias: r.hostKeyAlias,
  };
}

describe.skipIf(!hasSsh)('openssh-config against ssh -G / ssh -v (OpenSSH as oracle)', () => {
  let home: string;
  let config: string;
  let ctx: SshConfigContext;
  /**
   * ssh takes Include's "~" from $HOME (glob GLOB_TILDE) but expands "~" and %d in values from the
   * passwd entry. Only $HOME can point at the fixtures, so map the passwd home back onto it.
   */
  const fromPw = (v: string): string =>
    me.homedir !== home && (v === me.homedir || v.startsWith(`${me.homedir}/`)) ? home + v.slice(me.homedir.length) : v;

  function ssh(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync('ssh', args, {
      env: { ...process.env, HOME: home },
      encoding: 'utf8',
      input: '',
      timeout: 60_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  function oracleDump(alias: string): Record<string, string | undefined> {
    const r = ssh(['-G', '-F', config, alias]);
    if (r.status !== 0) throw new Error(`ssh -G ${alias} failed: ${r.stderr}`);
    const out: Record<string, string | undefined> = {};
    for (const line of r.stdout.split('\n')) {
      const sp = line.indexOf(' ');
      if (sp < 0) continue;
      const key = line.slice(0, sp);
      if ((G_KEYS as readonly string[]).includes(key)) out[key] = line.slice(sp + 1);
    }
    for (const k of ['identityagent', 'userknownhostsfile'] as const) {
      if (out[k] !== undefined) out[k] = out[k]!.split(' ').map(fromPw).join(' ');
    }
    for (const k of G_KEYS) if (!(k in out)) out[k] = undefined;
    return out;
  }

  /**
   * `ssh -G` prints IdentityFile unexpanded; `ssh -v` logs each expanded identity as it loads it.
   * A dummy ProxyCommand makes ssh get that far without any network (it also masks ProxyJump).
   */
  function oracleKeys(alias: string): { identityFiles: string[]; certificateFiles: string[] } {
    const r = ssh(['-v', '-F', config, '-o', 'ProxyCommand=true', '-o', 'BatchMode=yes', alias, 'true']);
    const identityFiles: string[] = [];
    const certificateFiles: string[] = [];
    for (const line of r.stderr.split('\n')) {
      const id = /^debug1: identity file (.*) type -?\d+$/.exec(line.trimEnd());
      if (id) {
        // ssh also probes "<key>-cert" right after each key when no CertificateFile is set.
        if (identityFiles.length && id[1] === `${identityFiles[identityFiles.length - 1]}-cert`) continue;
        identityFiles.push(id[1]!);
      }
      const cert = /^debug1: certificate file (.*) type -?\d+$/.exec(line.trimEnd());
      if (cert) certificateFiles.push(cert[1]!);
    }
    return { identityFiles: identityFiles.map(fromPw), certificateFiles: certificateFiles.map(fromPw) };
  }

  beforeAll(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-sshcfg-'));
    fs.cpSync(path.join(FIXTURES, 'main'), path.join(home, '.ssh'), { recursive: true });
    config = path.join(home, '.ssh', 'config');
    ctx = {
      configPath: config,
      homeDir: home,
      localUser: me.username,
      localHostName: os.hostname(),
      uid: me.uid,
      env: { ...process.env, HOME: home },
    };
  });
  afterAll(() => {
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('lists the aliases of the fixture', () => {
    expect(listConfiguredAliases(ctx)).toEqual([
      'web2',
      'db-legacy',
      'web1',
      'v6',
      'v4jump',
      'urijump',
      'noproxy',
      'pc',
      'eqsyntax',
      'tokens',
      'dup',
      'nokey',
      'cond',
      'cond-also',
      'gated',
      'corp-ops',
      'finalalias',
      'final.example.com',
      'MixedCase',
    ]);
  });

  const EXTRA_ALIASES = [
    'web3', // only web* from conf.d
    'db-main', // db-* with negation not hit
    'corp-x', // Match host ... !user ops
    'plain', // excluded from "Host * !plain": default identities
    'mixedcase', // Host patterns are case-sensitive
    'MIXEDCASE',
    '10.0.0.5',
    '127.1', // ssh normalises numeric addresses
    'unknown.example.org',
  ];

  it('resolves every alias exactly like ssh -G', () => {
    const aliases = [...listConfiguredAliases(ctx), ...EXTRA_ALIASES];
    const diffs: string[] = [];
    for (const alias of aliases) {
      const expected = oracleDump(alias);
      const actual = asDump(resolveSshHost(alias, ctx));
      for (const key of G_KEYS) {
        if (actual[key] !== expected[key]) {
          diffs.push(`${alias}: ${key}: ours=${JSON.stringify(actual[key])} ssh=${JSON.stringify(expected[key])}`);
        }
      }
    }
    expect(diffs).toEqual([]);
  });

  it('expands IdentityFile / CertificateFile exactly like ssh -v loads them', () => {
    const aliases = [...listConfiguredAliases(ctx), ...EXTRA_ALIASES];
    const diffs: string[] = [];
    for (const alias of aliases) {
      const expected = oracleKeys(alias);
      const r = resolveSshHost(alias, ctx);
      if (JSON.stringify(r.identityFiles) !== JSON.stringify(expected.identityFiles)) {
        diffs.push(`${alias}: identityfile: ours=${JSON.stringify(r.identityFiles)} ssh=${JSON.stringify(expected.identityFiles)}`);
      }
      if (JSON.stringify(r.certificateFiles) !== JSON.stringify(expected.certificateFiles)) {
        diffs.push(`${alias}: certificatefile: ours=${JSON.stringify(r.certificateFiles)} ssh=${JSON.stringify(expected.certificateFiles)}`);
      }
    }
    expect(diffs).toEqual([]);
  });

  it('spot-checks a few resolutions by hand', () => {
    const web1 = resolveSshHost('web1', ctx);
    expect(web1).toMatchObject({ hostName: 'web1.internal.example.com', port: 2201, user: 'deploy' });
    expect(web1.identityFiles.map((f) => path.basename(f))).toEqual([
      'id_web_glob',
      'id_web',
      'id_web1.internal.example.com_2201_deploy',
      'id_shared',
      'id_fallback',
    ]);
    expect(resolveSshHost('db-legacy', ctx).proxyJump).toEqual([
      { user: 'admin', host: 'bastion.example.com', port: 2222 },
      { host: 'jump2' },
    ]);
    expect(resolveSshHost('v6', ctx).proxyJump).toEqual([{ user: 'ops', host: '2001:db8::1', port: 2022 }]);
    expect(resolveSshHost('cond', ctx)).toMatchObject({ hostName: 'cond.example.com', port: 2345, user: 'conduser' });
    expect(resolveSshHost('cond-also', ctx)).toMatchObject({ port: 2345, user: 'from-extra' });
    expect(resolveSshHost('plain', ctx)).toMatchObject({ user: me.username, identityFilesAreDefault: true });
    expect(resolveSshHost('finalalias', ctx)).toMatchObject({
      hostName: 'final.example.com',
      port: 2424,
      user: 'fallback',
      connectTimeoutSeconds: 7,
    });
    expect(resolveSshHost('urijump', ctx).proxyJump).toEqual([
      { host: 'gw2.example.com' },
      { user: 'alice', host: 'gw.example.com', port: 2022 },
    ]);
    expect(resolveSshHost('noproxy', ctx)).toMatchObject({ proxyJump: [], proxyCommand: 'nc %h %p' });
    for (const alias of listConfiguredAliases(ctx)) expect(resolveSshHost(alias, ctx).warnings).toEqual([]);
  });

  it('expands %h %p %r %n in ProxyJump hops like the ProxyCommand ssh builds from them', () => {
    const jhome = path.join(home, '.ssh', 'pj');
    fs.mkdirSync(jhome, { recursive: true });
    const cfg = path.join(jhome, 'config');
    fs.writeFileSync(
      cfg,
      [
        'Host target',
        '  HostName Target.Example.COM',
        '  User tuser',
        '  Port 2022',
        '  ProxyJump %r@hop-%n.example.com:2200,gw-%h-%p',
        // The nested ssh processes then fail fast on 127.0.0.1:9 instead of going to DNS.
        'Host gw-* hop-*',
        '  HostName 127.0.0.1',
        '  Port 9',
        '  ConnectTimeout 1',
      ].join('\n') + '\n',
    );
    const r = ssh(['-v', '-F', cfg, '-o', 'BatchMode=yes', 'target', 'true']);
    const line = r.stderr.split('\n').find((l) => l.startsWith('debug1: Executing proxy command: exec ssh '));
    expect(line, r.stderr).toBeDefined();
    // e.g. exec ssh -J tuser@hop-target.example.com:2200 -F <cfg> -v -W '[target.example.com]:2022' gw-...
    const m = /exec ssh (?:-l (\S+) )?(?:-p (\d+) )?(?:-J (\S+) )?-F \S+ -v -W '\[[^\]]+\]:\d+' (\S+)$/.exec(line!.trim());
    expect(m, line).not.toBeNull();
    const extra = m![3]!.split(',').map((h) => {
      const hm = /^(?:(.+)@)?([^:@]+)(?::(\d+))?$/.exec(h)!;
      return { ...(hm[1] ? { user: hm[1] } : {}), host: hm[2]!, ...(hm[3] ? { port: Number(hm[3]) } : {}) };
    });
    const last = { ...(m![1] ? { user: m![1] } : {}), host: m![4]!, ...(m![2] ? { port: Number(m![2]) } : {}) };
    expect(resolveSshHost('target', { ...ctx, configPath: cfg }).proxyJump).toEqual([...extra, last]);
    expect(last.host).toBe('gw-target.example.com-2022');
  });

  it('rejects what ssh rejects, naming file and line', () => {
    const cases: { files: Record<string, string>; line: number; file: string; msg: RegExp }[] = [
      { files: { 'config': 'Host a\n  Port 0\n' }, file: 'config', line: 2, msg: /Bad port/ },
      { files: { 'config': 'Include bad.d/*\n', 'bad.d/x': '\n\nUser "a\n' }, file: 'bad.d/x', line: 3, msg: /invalid quotes/ },
      { files: { 'config': 'Host nomatch\n  Include loop\n', 'loop': 'Include loop\n' }, file: 'loop', line: 1, msg: /recursive/ },
      { files: { 'config': 'Match # nothing\n' }, file: 'config', line: 1, msg: /One or more attributes/ },
      { files: { 'config': 'Host a\n  StrictHostKeyChecking maybe\n' }, file: 'config', line: 2, msg: /unsupported option/ },
      { files: { 'config': 'Host a\n  UserKnownHostsFile none /x\n' }, file: 'config', line: 2, msg: /must appear alone/ },
      { files: { 'config': 'Host a ""\n' }, file: 'config', line: 1, msg: /empty argument/ },
      { files: { 'config': 'ConnectTimeout 5x\n' }, file: 'config', line: 1, msg: /invalid time value/ },
    ];
    for (const [i, c] of cases.entries()) {
      const dir = path.join(home, '.ssh', `bad${i}`);
      for (const [name, text] of Object.entries(c.files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
      }
      // Relative includes resolve against ~/.ssh, so point them at this case's directory.
      const cfgText = fs.readFileSync(path.join(dir, 'config'), 'utf8').replace(/Include (?!\/)(\S+)/g, `Include bad${i}/$1`);
      fs.writeFileSync(path.join(dir, 'config'), cfgText);
      const loop = path.join(dir, 'loop');
      if (fs.existsSync(loop)) fs.writeFileSync(loop, `Include bad${i}/loop\n`);

      const cfg = path.join(dir, 'config');
      expect(ssh(['-G', '-F', cfg, 'a']).status, `ssh accepted case ${i}`).not.toBe(0);
      let err: unknown;
      try {
        resolveSshHost('a', { ...ctx, configPath: cfg });
      } catch (e) {
        err = e;
      }
      expect(err, `case ${i}`).toBeInstanceOf(SshConfigError);
      expect(err, `case ${i}`).toMatchObject({ file: path.join(dir, c.file), line: c.line });
      expect((err as Error).message).toMatch(c.msg);
    }
  });
});
