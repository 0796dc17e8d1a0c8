/**
 * Resolves a host alias from ~/.ssh/config the way the OpenSSH 9.2 client does (readconf.c + ssh.c),
 * so importing hosts gives the same HostName/Port/User/keys/jumps that `ssh <alias>` would use.
 *
 * Plain Node on purpose (no electron import); file access goes through injectable readFile/glob so
 * tests can run against fixtures.
 */
import fs from 'node:fs';
import os from 'node:os';
import { createHash } from 'node:crypto';

export interface JumpSpec {
  user?: string;
  host: string;
  port?: number;
}

export interface ResolvedSshHost {
  alias: string;
  hostName: string;
  port: number;
  user: string;
  identityFiles: string[];
  identityFilesAreDefault: boolean;
  identitiesOnly: boolean;
  /** Expanded path, or passed through as ssh keeps them: "none", "SSH_AUTH_SOCK", "$VAR". */
  identityAgent?: string;
  /** Jump hosts in visiting order; `host` may itself be an alias to resolve with resolveSshHost. */
  proxyJump: JumpSpec[];
  /** Raw, unexpanded (as `ssh -G` prints it). */
  proxyCommand?: string;
  /** Expanded; empty for "UserKnownHostsFile none". */
  userKnownHostsFiles: string[];
  /** Normalised to yes | no | ask | accept-new; undefined = not configured (ssh's default is ask). */
  strictHostKeyChecking?: string;
  connectTimeoutSeconds?: number;
  serverAliveIntervalSeconds?: number;
  certificateFiles: string[];
  /** Lower-cased like ssh does; known_hosts lookups must use it instead of hostName when set. */
  hostKeyAlias?: string;
  warnings: string[];
}

export interface SshConfigContext {
  /** User config; default `<homeDir>/.ssh/config`. Giving it behaves like `ssh -F`: no system config. */
  configPath?: string;
  /** System config; default /etc/ssh/ssh_config when configPath is omitted, none when it is given. */
  systemConfigPath?: string | null;
  homeDir: string;
  localUser: string;
  /** %l / %L; default os.hostname(). */
  localHostName?: string;
  /** %i; default process.getuid(). */
  uid?: number;
  /** ${VAR} expansion; default process.env. */
  env?: Record<string, string | undefined>;
  /** Returns null when the file does not exist. */
  readFile?: (path: string) => string | null;
  /** glob(3)-style expansion of an absolute pattern (`*`, `?`, `[...]`), sorted. */
  glob?: (pattern: string) => string[];
  /**
   * Sees every file of the user config before it is read: the main file, then each file an
   * Include matched (with that directive), so a caller can confine what gets read. It refuses by
   * throwing; its error passes through unchanged. The system config and its includes are not shown.
   */
  vetUserFile?: (file: string, includedBy?: IncludeDirective) => void;
}

/** Where an Include directive is, and what it says (e.g. `Include conf.d/*`). */
export interface IncludeDirective {
  file: string;
  line: number;
  directive: string;
}

export class SshConfigError extends Error {
  readonly file: string;
  readonly line: number;
  constructor(message: string, file: string, line: number) {
    super(`${file} line ${line}: ${message}`);
    this.name = 'SshConfigError';
    this.file = file;
    this.line = line;
  }
}

// ---------------------------------------------------------------------------------------------
// Constants mirrored from OpenSSH 9.2

const READCONF_MAX_DEPTH = 16;
const WHITESPACE = ' \t\r\n';
const SYSTEM_CONFIG = '/etc/ssh/ssh_config';
const SYSTEM_DIR = '/etc/ssh';
const DEFAULT_IDENTITY_FILES = [
  '~/.ssh/id_rsa',
  '~/.ssh/id_ecdsa',
  '~/.ssh/id_ecdsa_sk',
  '~/.ssh/id_ed25519',
  '~/.ssh/id_ed25519_sk',
  '~/.ssh/id_xmss',
  '~/.ssh/id_dsa',
];
const DEFAULT_USER_KNOWN_HOSTS = ['~/.ssh/known_hosts', '~/.ssh/known_hosts2'];

/**
 * Every keyword the 9.2 client accepts, plus ones added up to 10.x: a config written for a newer
 * ssh must not be rejected for them. Unknown keywords only produce a warning (9.2 would refuse the
 * whole file, but the user's own ssh may be newer).
 */
const KNOWN_KEYWORDS = new Set(
  (
    'protocol cipher fallbacktorsh globalknownhostsfile2 rhostsauthentication userknownhostsfile2 useroaming ' +
    'usersh useprivilegedport afstokenpassing kerberosauthentication kerberostgtpassing rsaauthentication ' +
    'rhostsrsaauthentication compressionlevel gssapiauthentication gssapidelegatecredentials pkcs11provider ' +
    'smartcarddevice forwardagent forwardx11 forwardx11trusted forwardx11timeout exitonforwardfailure ' +
    'xauthlocation gatewayports passwordauthentication kbdinteractiveauthentication kbdinteractivedevices ' +
    'challengeresponseauthentication skeyauthentication tisauthentication pubkeyauthentication ' +
    'dsaauthentication hostbasedauthentication identityfile identityfile2 identitiesonly certificatefile ' +
    'addkeystoagent identityagent hostname hostkeyalias proxycommand port ciphers macs remoteforward ' +
    'localforward permitremoteopen user host match escapechar globalknownhostsfile userknownhostsfile ' +
    'connectionattempts batchmode checkhostip stricthostkeychecking compression tcpkeepalive keepalive ' +
    'numberofpasswordprompts syslogfacility loglevel logverbose dynamicforward preferredauthentications ' +
    'hostkeyalgorithms casignaturealgorithms bindaddress bindinterface clearallforwardings enablesshkeysign ' +
    'verifyhostkeydns nohostauthenticationforlocalhost rekeylimit connecttimeout addressfamily ' +
    'serveraliveinterval serveralivecountmax sendenv setenv controlpath controlmaster controlpersist ' +
    'hashknownhosts include tunnel tunneldevice localcommand permitlocalcommand remotecommand visualhostkey ' +
    'kexalgorithms ipqos requesttty sessiontype stdinnull forkafterauthentication proxyusefdpass ' +
    'canonicaldomains canonicalizefallbacklocal canonicalizehostname canonicalizemaxdots ' +
    'canonicalizepermittedcnames streamlocalbindmask streamlocalbindunlink revokedhostkeys fingerprinthash ' +
    'updatehostkeys hostbasedacceptedalgorithms hostbasedkeytypes pubkeyacceptedalgorithms ' +
    'pubkeyacceptedkeytypes ignoreunknown proxyjump securitykeyprovider knownhostscommand requiredrsasize ' +
    'enableescapecommandline ' +
    // newer than 9.2
    'channeltimeout obscurekeystroketiming refuseconnection tag versionaddendum warnweakcrypto'
  ).split(' '),
);

/** Match criteria from OpenSSH releases after 9.2 whose outcome we cannot evaluate. */
const NEWER_MATCH_CRITERIA = new Set(['tagged', 'command', 'localnetwork', 'version', 'sessiontype']);

const FLAG_VALUES: Record<string, boolean> = { true: true, false: false, yes: true, no: false };
const STRICT_VALUES: Record<string, string> = {
  true: 'yes',
  yes: 'yes',
  false: 'no',
  no: 'no',
  off: 'no',
  ask: 'ask',
  'accept-new': 'accept-new',
};
const CANONICALIZE_VALUES: Record<string, 'no' | 'yes' | 'always'> = {
  true: 'yes',
  yes: 'yes',
  false: 'no',
  no: 'no',
  always: 'always',
};

// ---------------------------------------------------------------------------------------------
// Internal state

interface Where {
  file: string;
  line: number;
}
interface Valued<T> extends Where {
  value: T;
}
interface RawJump {
  user?: string;
  host: string;
  port?: number;
}

/** Option slots: `undefined` means "not obtained yet", so the first obtained value wins. */
interface Options {
  hostname?: Valued<string>;
  user?: string;
  port?: number;
  hostKeyAlias?: string;
  ignoreUnknown?: string;
  identityFiles: (Valued<string> & { userProvided: boolean })[];
  certificateFiles: (Valued<string> & { userProvided: boolean })[];
  identityAgent?: Valued<string>;
  identitiesOnly?: boolean;
  userKnownHostsFiles?: Valued<string[]>;
  strictHostKeyChecking?: string;
  connectTimeout?: number;
  serverAliveInterval?: number;
  canonicalizeHostname?: 'no' | 'yes' | 'always';
  proxyCommand?: string;
  jump?: Valued<RawJump[] | 'none'>;
}

interface Ctx {
  homeDir: string;
  localUser: string;
  localHostName: string;
  uid: number;
  env: Record<string, string | undefined>;
  readFile: (path: string) => string | null;
  glob: (pattern: string) => string[];
  vetUserFile: NonNullable<SshConfigContext['vetUserFile']>;
  userConfig: string;
  systemConfig: string | null;
}

interface Pass {
  ctx: Ctx;
  /** Host lines match this: the alias in the first pass, the resolved hostname in the final pass. */
  host: string;
  originalHost: string;
  finalPass: boolean;
  wantFinalPass: boolean;
  opts: Options;
  warn: (msg: string) => void;
  onHostLine?: (patterns: string[]) => void;
}

interface FileFlags {
  userConf: boolean;
  /** Set for files included from an inactive block: parsed for errors, never applied. */
  neverMatch: boolean;
}

// ---------------------------------------------------------------------------------------------
// Public API

export function resolveSshHost(alias: string, ctx: SshConfigContext): ResolvedSshHost {
  const c = normalizeContext(ctx);
  const warnings: string[] = [];
  const warn = (msg: string): void => {
    if (!warnings.includes(msg)) warnings.push(msg);
  };
  const opts: Options = { identityFiles: [], certificateFiles: [] };
  const pass: Pass = {
    ctx: c,
    host: alias,
    originalHost: alias,
    finalPass: false,
    wantFinalPass: false,
    opts,
    warn,
  };
  processConfigFiles(pass);

  // ssh.c: HostName takes %h (the alias as typed), then names are lower-cased, addresses normalised.
  let host = alias;
  if (opts.hostname) host = expandTokens(opts.hostname.value, { h: alias }, null, opts.hostname, 'HostName');
  host = canonicalHostName(host);

  const canon = opts.canonicalizeHostname ?? 'no';
  if (canon !== 'no') {
    const direct =
      (opts.proxyCommand === undefined || asciiLower(opts.proxyCommand) === 'none') && opts.jump === undefined;
    if ((direct || canon === 'always') && !isAddrFast(host) && numericAddress(host) === null) {
      warn(`CanonicalizeHostname ${canon}: DNS canonicalization of "${host}" is not performed; using it as is`);
    }
  }
  if (canon !== 'no' || pass.wantFinalPass) {
    // Final pass: Host lines now match the resolved hostname; "Match final/canonical" become true.
    opts.hostname = { value: host, file: '(final pass)', line: 0 };
    processConfigFiles({ ...pass, host, finalPass: true, wantFinalPass: false });
  }

  const user = opts.user ?? c.localUser;
  const port = opts.port ?? 22;
  const portStr = String(port);
  const keyAlias = opts.hostKeyAlias !== undefined ? asciiLower(opts.hostKeyAlias) : undefined;

  const tokens: Record<string, string> = {
    C: createHash('sha1').update(c.localHostName + host + portStr + user).digest('hex'),
    L: c.localHostName.split('.')[0] ?? c.localHostName,
    i: String(c.uid),
    k: keyAlias ?? alias,
    l: c.localHostName,
    n: alias,
    p: portStr,
    d: c.homeDir,
    h: host,
    r: user,
    u: c.localUser,
  };
  const expandPath = (v: Valued<string>, keyword: string): string | undefined => {
    const tilde = tildeExpand(v.value, c);
    if (tilde === undefined) {
      warn(`${v.file} line ${v.line}: ${keyword} ${v.value}: only ~ and ~${c.localUser} can be expanded; ignored`);
      return undefined;
    }
    const out = expandTokens(tilde, tokens, c.env, v, keyword);
    if (typeof out !== 'string') {
      warn(`${v.file} line ${v.line}: ${keyword} ${v.value}: environment variable \${${out.missing}} is not set; ignored`);
      return undefined;
    }
    return out;
  };

  const identityFilesAreDefault = opts.identityFiles.length === 0;
  const rawIdentities: Valued<string>[] = identityFilesAreDefault
    ? DEFAULT_IDENTITY_FILES.map((value) => ({ value, file: '(default)', line: 0 }))
    : opts.identityFiles;
  const identityFiles: string[] = [];
  for (const v of rawIdentities) {
    if (asciiLower(v.value) === 'none') continue; // ssh drops "none" when loading keys
    const p = expandPath(v, 'IdentityFile');
    if (p !== undefined) identityFiles.push(p);
  }
  const certificateFiles: string[] = [];
  for (const v of opts.certificateFiles) {
    const p = expandPath(v, 'CertificateFile');
    if (p !== undefined) certificateFiles.push(p);
  }
  const identityAgent = opts.identityAgent ? expandPath(opts.identityAgent, 'IdentityAgent') : undefined;

  const khRaw = opts.userKnownHostsFiles ?? {
    value: DEFAULT_USER_KNOWN_HOSTS,
    file: '(default)',
    line: 0,
  };
  const userKnownHostsFiles: string[] = [];
  if (!(khRaw.value.length === 1 && asciiLower(khRaw.value[0]!) === 'none')) {
    for (const value of khRaw.value) {
      const p = expandPath({ ...khRaw, value }, 'UserKnownHostsFile');
      if (p !== undefined) userKnownHostsFiles.push(p);
    }
  }

  // ProxyJump hosts end up in ssh's generated ProxyCommand, which expands %h %k %n %p %r.
  const proxyJump: JumpSpec[] = [];
  const jump = opts.jump;
  if (jump && jump.value !== 'none') {
    const jt = { h: host, k: keyAlias ?? alias, n: alias, p: portStr, r: user };
    for (const j of jump.value) {
      const spec: JumpSpec = { host: expandTokens(j.host, jt, null, jump, 'ProxyJump') };
      if (j.user !== undefined) spec.user = expandTokens(j.user, jt, null, jump, 'ProxyJump');
      if (j.port !== undefined) spec.port = j.port;
      proxyJump.push(spec);
    }
    const last = proxyJump[proxyJump.length - 1];
    if (last && last.host === host && (last.port ?? 22) === port && (last.user ?? user) === user) {
      warn(`ProxyJump loop: ${alias} jumps through itself (ssh refuses this)`);
    }
  }
  const proxyCommand =
    opts.proxyCommand !== undefined && asciiLower(opts.proxyCommand) !== 'none' ? opts.proxyCommand : undefined;

  const result: ResolvedSshHost = {
    alias,
    hostName: host,
    port,
    user,
    identityFiles,
    identityFilesAreDefault,
    identitiesOnly: opts.identitiesOnly ?? false,
    proxyJump,
    userKnownHostsFiles,
    certificateFiles,
    warnings,
  };
  if (identityAgent !== undefined) result.identityAgent = identityAgent;
  if (proxyCommand !== undefined) result.proxyCommand = proxyCommand;
  if (opts.strictHostKeyChecking !== undefined) result.strictHostKeyChecking = opts.strictHostKeyChecking;
  if (opts.connectTimeout !== undefined) result.connectTimeoutSeconds = opts.connectTimeout;
  if (opts.serverAliveInterval !== undefined) result.serverAliveIntervalSeconds = opts.serverAliveInterval;
  if (keyAlias !== undefined) result.hostKeyAlias = keyAlias;
  return result;
}

/**
 * Concrete names on Host lines of the user config and everything it includes (no wildcard or
 * negated patterns), in file order, deduplicated. Includes are followed unconditionally, as ssh
 * itself reads them even inside blocks that do not apply.
 */
export function listConfiguredAliases(ctx: SshConfigContext): string[] {
  const c = normalizeContext(ctx);
  const seen = new Set<string>();
  const out: string[] = [];
  const pass: Pass = {
    ctx: { ...c, systemConfig: null },
    host: '',
    originalHost: '',
    finalPass: false,
    wantFinalPass: false,
    opts: { identityFiles: [], certificateFiles: [] },
    warn: () => {},
    onHostLine: (patterns) => {
      for (const p of patterns) {
        if (p.startsWith('!') || /[*?]/.test(p) || seen.has(p)) continue;
        seen.add(p);
        out.push(p);
      }
    },
  };
  processConfigFiles(pass);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading files

function normalizeContext(ctx: SshConfigContext): Ctx {
  const homeDir = ctx.homeDir.replace(/\/+$/, '') || '/';
  const userConfig = ctx.configPath ?? `${homeDir === '/' ? '' : homeDir}/.ssh/config`;
  const systemConfig =
    ctx.systemConfigPath !== undefined ? ctx.systemConfigPath : ctx.configPath === undefined ? SYSTEM_CONFIG : null;
  return {
    homeDir,
    localUser: ctx.localUser,
    localHostName: ctx.localHostName ?? os.hostname(),
    uid: ctx.uid ?? (typeof process.getuid === 'function' ? process.getuid() : 0),
    env: ctx.env ?? process.env,
    readFile: ctx.readFile ?? defaultReadFile,
    glob: ctx.glob ?? defaultGlob,
    vetUserFile: ctx.vetUserFile ?? (() => {}),
    userConfig,
    systemConfig,
  };
}

function processConfigFiles(pass: Pass): void {
  readConfigFile(pass, pass.ctx.userConfig, { userConf: true, neverMatch: false }, { active: true }, 0);
  if (pass.ctx.systemConfig) {
    readConfigFile(pass, pass.ctx.systemConfig, { userConf: false, neverMatch: false }, { active: true }, 0);
  }
}

function readConfigFile(
  pass: Pass,
  file: string,
  flags: FileFlags,
  state: { active: boolean },
  depth: number,
  includedFrom?: IncludeDirective,
): boolean {
  if (depth > READCONF_MAX_DEPTH) {
    const at = includedFrom ?? { file, line: 0 };
    throw new SshConfigError('Too many recursive configuration includes', at.file, at.line);
  }
  if (flags.userConf) pass.ctx.vetUserFile(file, includedFrom);
  let text: string | null;
  try {
    text = pass.ctx.readFile(file);
  } catch (err) {
    const at = includedFrom ?? { file, line: 0 };
    throw new SshConfigError(`Can't open config file ${file}: ${(err as Error).message}`, at.file, at.line);
  }
  if (text === null) return false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    processLine(pass, lines[i]!, { file, line: i + 1 }, flags, state, depth);
  }
  return true;
}

function defaultReadFile(p: string): string | null {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    if (code === 'EISDIR') return ''; // ssh fopen()s a directory fine and reads no lines
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Line parsing

function strspn(s: string, from: number, set: string): number {
  let n = 0;
  while (from + n < s.length && set.includes(s[from + n]!)) n++;
  return n;
}

/** misc.c strdelim(): next token split on whitespace or one '=', with "double quotes". */
function strdelim(s: string, i: number | null): { tok: string | null; next: number | null } {
  if (i === null) return { tok: null, next: null };
  let j = i;
  while (j < s.length && !' \t\r\n"='.includes(s[j]!)) j++;
  if (j >= s.length) return { tok: s.slice(i), next: null };
  if (s[j] === '"') {
    const k = s.indexOf('"', j + 1);
    if (k < 0) return { tok: null, next: null };
    return { tok: s.slice(i, j) + s.slice(j + 1, k), next: k + 1 + strspn(s, k + 1, WHITESPACE) };
  }
  const wasEquals = s[j] === '=';
  let next = j + 1 + strspn(s, j + 1, WHITESPACE);
  if (!wasEquals && s[next] === '=') next = next + 1 + strspn(s, next + 1, WHITESPACE);
  return { tok: s.slice(i, j), next };
}

/** misc.c argv_split(): '...' and "..." quoting, backslash escapes, '#' at a token start ends the line. */
function argvSplit(s: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === ' ' || s[i] === '\t') {
      i++;
      continue;
    }
    if (s[i] === '#') break;
    let quote = '';
    let arg = '';
    for (; i < s.length; i++) {
      const ch = s[i]!;
      if (ch === '\\') {
        const nx = s[i + 1];
        if (nx === "'" || nx === '"' || nx === '\\' || (quote === '' && nx === ' ')) {
          i++;
          arg += nx;
        } else {
          arg += ch;
        }
      } else if (quote === '' && (ch === ' ' || ch === '\t')) {
        break;
      } else if (quote === '' && (ch === '"' || ch === "'")) {
        quote = ch;
      } else if (quote !== '' && ch === quote) {
        quote = '';
      } else {
        arg += ch;
      }
    }
    if (quote !== '') return null;
    out.push(arg);
  }
  return out;
}

/** One directive's arguments as readconf.c walks them: a cursor, and the typed readers it uses. */
class DirectiveArgs {
  private index = 0;
  constructor(
    readonly keyword: string,
    /** The line after the keyword and its separator. */
    private readonly rest: string,
    private readonly argv: string[],
    readonly where: Where,
  ) {}

  fail(msg: string): never {
    throw new SshConfigError(msg, this.where.file, this.where.line);
  }

  next(): string | undefined {
    return this.argv[this.index++];
  }

  hasMore(): boolean {
    return this.index < this.argv.length;
  }

  /** Every argument not read yet, marked read. */
  takeAll(): string[] {
    const left = this.argv.slice(this.index);
    this.index = this.argv.length;
    return left;
  }

  /** The line after the keyword as written, for Match's own parser; marks everything read. */
  remainder(): string {
    this.index = this.argv.length;
    return this.rest;
  }

  /** Raw remainder for keywords taking a whole command line (ssh skips whitespace and '='); marks everything read. */
  rawRest(): string {
    this.index = this.argv.length;
    return this.rest.slice(strspn(this.rest, 0, WHITESPACE + '='));
  }

  string(): string {
    const a = this.next();
    if (a === undefined || a === '') this.fail('Missing argument.');
    return a;
  }

  flag<T extends string | boolean>(table: Record<string, T>): T {
    const a = this.next();
    if (a === undefined || a === '') this.fail('missing argument.');
    const v = Object.hasOwn(table, asciiLower(a)) ? table[asciiLower(a)] : undefined;
    if (v === undefined) this.fail(`unsupported option "${a}".`);
    return v;
  }

  time(): number {
    const a = this.next();
    if (a === undefined || a === '') this.fail('missing time value.');
    if (a === 'none') return -1;
    const t = convtime(a);
    if (t < 0) this.fail('invalid time value.');
    return t;
  }
}

/** Splits a line into its keyword (lower case) and arguments; null for a blank or comment line. */
function parseDirective(raw: string, where: Where): DirectiveArgs | null {
  const fail = (msg: string): never => {
    throw new SshConfigError(msg, where.file, where.line);
  };
  const line = raw.replace(/[ \t\r\n\f]+$/, '');
  if (line === '') return null;
  let d = strdelim(line, 0);
  if (d.tok === '') d = strdelim(line, d.next); // leading whitespace
  const kw = d.tok;
  if (kw === null || kw === '' || kw.startsWith('#')) return null;
  const keyword = asciiLower(kw);
  let pos = d.next;
  if (pos !== null) pos += strspn(line, pos, WHITESPACE);
  if (pos === null || pos >= line.length) return fail(`no argument after keyword "${keyword}"`);
  const rest = line.slice(pos);
  const argv = argvSplit(rest);
  if (argv === null) return fail('invalid quotes');
  return new DirectiveArgs(keyword, rest, argv, where);
}

/** readconf.c process_config_line(): one line's effect on the pass; the first value obtained wins. */
function processLine(pass: Pass, raw: string, where: Where, flags: FileFlags, state: { active: boolean }, depth: number): void {
  const line = parseDirective(raw, where);
  if (!line) return;
  const active = state.active;
  switch (line.keyword) {
    case 'host':
      applyHostLine(pass, line, flags, state);
      break;
    case 'match': {
      const value = matchConditions(pass, line.remainder(), where, flags);
      state.active = flags.neverMatch ? false : value;
      break;
    }
    case 'include':
      applyInclude(pass, line, flags, state, depth);
      break;
    default:
      if (!applyHostOption(pass.opts, line, active, flags)) applyConnectionOption(pass, line, active);
  }
  if (line.hasMore()) line.fail(`keyword ${line.keyword} extra arguments at end of line`);
}

/** `Host patterns…`: the block applies when a pattern matches and no negated one does. */
function applyHostLine(pass: Pass, line: DirectiveArgs, flags: FileFlags, state: { active: boolean }): void {
  state.active = false;
  const patterns = line.takeAll();
  pass.onHostLine?.(patterns.filter((p) => p !== ''));
  // Same order of checks as readconf.c: ssh stops reading the line at a negated match.
  for (const p of patterns) {
    if (p === '') line.fail(`keyword ${line.keyword} empty argument`);
    if (flags.neverMatch) break;
    const negated = p.startsWith('!');
    if (matchPattern(pass.host, negated ? p.slice(1) : p)) {
      if (negated) {
        state.active = false;
        break;
      }
      state.active = true;
    }
  }
}

/** `Include files…`: globs (relative to ~/.ssh, or /etc/ssh for the system file), each file read in order. */
function applyInclude(pass: Pass, line: DirectiveArgs, flags: FileFlags, state: { active: boolean }, depth: number): void {
  const { where } = line;
  for (let a = line.next(); a !== undefined; a = line.next()) {
    if (a === '') line.fail(`keyword ${line.keyword} empty argument`);
    if (a.startsWith('~') && !flags.userConf) line.fail(`bad include path ${a}.`);
    let pattern = a;
    if (!a.startsWith('/') && !a.startsWith('~')) pattern = flags.userConf ? `~/.ssh/${a}` : `${SYSTEM_DIR}/${a}`;
    if (pattern.startsWith('~')) {
      // glob(3) GLOB_TILDE: ~ is $HOME, ~user that user's home; unknown users stay literal.
      const m = /^~([^/]*)(.*)$/.exec(pattern)!;
      if (m[1] === '' || m[1] === pass.ctx.localUser) pattern = pass.ctx.homeDir + m[2];
      else pass.warn(`${where.file} line ${where.line}: Include ${a}: ~${m[1]} is not expanded`);
    }
    const files = [...pass.ctx.glob(pattern)].sort();
    const oactive = state.active;
    for (const f of files) {
      readConfigFile(pass, f, { userConf: flags.userConf, neverMatch: flags.neverMatch || !oactive }, state, depth + 1, { ...where, directive: `Include ${a}` });
      // A Host/Match inside the included file must not leak into the including file.
      state.active = oactive;
    }
  }
}

/** Who and where to connect, and with which keys; false when the keyword is not one of these. */
function applyHostOption(o: Options, line: DirectiveArgs, active: boolean, flags: FileFlags): boolean {
  const { keyword, where } = line;
  switch (keyword) {
    case 'hostname': {
      const v = line.string();
      if (active && !o.hostname) o.hostname = { value: v, ...where };
      return true;
    }
    case 'user': {
      const v = line.string();
      if (active && o.user === undefined) o.user = v;
      return true;
    }
    case 'hostkeyalias': {
      const v = line.string();
      if (active && o.hostKeyAlias === undefined) o.hostKeyAlias = v;
      return true;
    }
    case 'ignoreunknown': {
      const v = line.string();
      if (active && o.ignoreUnknown === undefined) o.ignoreUnknown = v;
      return true;
    }
    case 'port': {
      const a = line.string();
      const p = a2port(a);
      if (p <= 0) line.fail(`Bad port '${a}'.`);
      if (active && o.port === undefined) o.port = p;
      return true;
    }
    case 'identityfile':
    case 'identityfile2':
    case 'certificatefile': {
      const v = line.string();
      if (!active) return true;
      const list = keyword === 'certificatefile' ? o.certificateFiles : o.identityFiles;
      // readconf.c add_identity_file(): the same string from the same kind of file is kept once.
      if (!list.some((e) => e.userProvided === flags.userConf && e.value === v)) {
        list.push({ value: v, userProvided: flags.userConf, ...where });
      }
      return true;
    }
    case 'identityagent': {
      const v = line.string();
      checkDollarSyntax(v, (msg) => line.fail(msg));
      if (v.startsWith('$') && v[1] !== '{' && !/^[A-Za-z0-9_]+$/.test(v.slice(1))) {
        line.fail(`Invalid environment name ${v}.`);
      }
      if (active && !o.identityAgent) o.identityAgent = { value: v, ...where };
      return true;
    }
    case 'userknownhostsfile':
    case 'globalknownhostsfile': {
      const wasEmpty = keyword === 'userknownhostsfile' && o.userKnownHostsFiles === undefined;
      const vals: string[] = [];
      for (let a = line.next(); a !== undefined; a = line.next()) {
        if (a === '') line.fail(`keyword ${keyword} empty argument`);
        if (asciiLower(a) === 'none' && (vals.length > 0 || line.hasMore())) {
          line.fail(`keyword ${keyword} "none" argument must appear alone.`);
        }
        vals.push(a);
      }
      // Only the first active line counts; later lines are ignored entirely.
      if (active && wasEmpty && vals.length > 0) o.userKnownHostsFiles = { value: vals, ...where };
      return true;
    }
    default:
      return false;
  }
}

/** How to connect (checks, timeouts, proxies), commands, and every keyword not resolved here. */
function applyConnectionOption(pass: Pass, line: DirectiveArgs, active: boolean): void {
  const { keyword, where } = line;
  const o = pass.opts;
  switch (keyword) {
    case 'identitiesonly': {
      const v = line.flag(FLAG_VALUES);
      if (active && o.identitiesOnly === undefined) o.identitiesOnly = v;
      break;
    }
    case 'stricthostkeychecking': {
      const v = line.flag(STRICT_VALUES);
      if (active && o.strictHostKeyChecking === undefined) o.strictHostKeyChecking = v;
      break;
    }
    case 'canonicalizehostname': {
      const v = line.flag(CANONICALIZE_VALUES);
      if (active && o.canonicalizeHostname === undefined) o.canonicalizeHostname = v;
      break;
    }
    case 'connecttimeout': {
      // "none" (-1) is the unset value in ssh, so a later line may still set a timeout.
      const t = line.time();
      if (active && o.connectTimeout === undefined && t >= 0) o.connectTimeout = t;
      break;
    }
    case 'serveraliveinterval': {
      const t = line.time();
      if (active && o.serverAliveInterval === undefined && t >= 0) o.serverAliveInterval = t;
      break;
    }
    // ProxyCommand and ProxyJump: first obtained wins between the two, except that "ProxyJump
    // none" only blocks later ProxyJump lines. This is the 10.3 rule, which Debian 12's 9.2p1
    // carries as a backport (plain 9.2 also let "ProxyJump none" block ProxyCommand).
    case 'proxycommand': {
      const command = line.rawRest();
      if (active && o.proxyCommand === undefined) o.proxyCommand = command;
      break;
    }
    case 'proxyjump':
      applyProxyJump(o, line, active);
      break;
    case 'localcommand':
    case 'remotecommand':
    case 'knownhostscommand':
      line.takeAll();
      break;
    default: {
      if (!KNOWN_KEYWORDS.has(keyword)) {
        const ignored = o.ignoreUnknown !== undefined && matchPatternList(keyword, o.ignoreUnknown, true) === 1;
        if (!ignored) {
          pass.warn(`${where.file} line ${where.line}: Bad configuration option: ${keyword} (ignored)`);
        }
      }
      // Options we do not resolve are accepted without validating their values.
      line.takeAll();
    }
  }
}

function applyProxyJump(o: Options, line: DirectiveArgs, active: boolean): void {
  const value = line.rawRest();
  const parsed = parseJump(value);
  if (parsed !== 'none' && typeof parsed === 'string') line.fail(`Invalid ProxyJump "${value}": ${parsed}`);
  if (parsed === 'none') {
    if (active && o.jump === undefined) o.jump = { value: 'none', ...line.where };
  } else if (active && o.proxyCommand === undefined && o.jump === undefined) {
    o.jump = { value: parsed as RawJump[], ...line.where };
    o.proxyCommand = 'none'; // what readconf.c records, so a later ProxyCommand is ignored
  }
}

/** readconf.c match_cfg_line(). Returns whether the block applies. */
function matchConditions(pass: Pass, s: string, where: Where, flags: FileFlags): boolean {
  const fail = (msg: string): never => {
    throw new SshConfigError(msg, where.file, where.line);
  };
  const o = pass.opts;
  let host: string;
  if (pass.finalPass) host = o.hostname!.value;
  else if (o.hostname) host = expandTokens(o.hostname.value, { h: pass.originalHost }, null, o.hostname, 'HostName');
  else host = pass.originalHost;
  const ruser = o.user ?? pass.ctx.localUser;

  let result = true;
  let attributes = 0;
  const unknowable: string[] = [];
  let cp: number | null = 0;
  for (;;) {
    const d = strdelim(s, cp);
    cp = d.next;
    const oattrib = d.tok;
    if (oattrib === null || oattrib === '') break;
    if (oattrib.startsWith('#')) break;
    const negate = oattrib.startsWith('!');
    const attrib = asciiLower(negate ? oattrib.slice(1) : oattrib);
    if (attrib === 'all') {
      const a = strdelim(s, cp);
      if (attributes > 1 || (a.tok !== null && a.tok !== '' && !a.tok.startsWith('#'))) {
        fail(`'${oattrib}' cannot be combined with other Match attributes`);
      }
      if (result) result = !negate;
      return result && unknowable.length === 0 ? result : finishUnknowable();
    }
    attributes++;
    if (attrib === 'canonical' || attrib === 'final') {
      if (attrib === 'final') pass.wantFinalPass = true;
      if (pass.finalPass === negate) result = false;
      continue;
    }
    const a = strdelim(s, cp);
    cp = a.next;
    const arg = a.tok;
    if (arg === null || arg === '' || arg.startsWith('#')) fail(`Missing Match criteria for ${oattrib}`);
    let r: boolean;
    switch (attrib) {
      case 'host':
        r = matchHostname(host, arg!) === 1;
        break;
      case 'originalhost':
        r = matchHostname(pass.originalHost, arg!) === 1;
        break;
      case 'user':
        r = matchPatternList(ruser, arg!, false) === 1;
        break;
      case 'localuser':
        r = matchPatternList(pass.ctx.localUser, arg!, false) === 1;
        break;
      case 'exec':
        // ssh skips the command once an earlier criterion failed; otherwise we cannot know its result.
        if (result) unknowable.push(`exec ${JSON.stringify(arg)}`);
        continue;
      default:
        if (NEWER_MATCH_CRITERIA.has(attrib)) {
          if (result) unknowable.push(`${attrib} ${arg}`);
          continue;
        }
        return fail(`Unsupported Match attribute ${oattrib}`);
    }
    if (r === negate) result = false;
  }
  if (attributes === 0) fail('One or more attributes required for Match');
  return result && unknowable.length === 0 ? result : finishUnknowable();

  function finishUnknowable(): boolean {
    // Only worth a warning when the unevaluated criterion decides the outcome.
    if (result && unknowable.length > 0 && !flags.neverMatch) {
      pass.warn(
        `${where.file} line ${where.line}: Match ${unknowable.join(', ')} is not evaluated; block treated as not matching`,
      );
    }
    return false;
  }
}

/** readconf.c parse_jump(): returns the hops in visiting order, 'none', or an error string. */
function parseJump(s: string): RawJump[] | 'none' | string {
  // ssh compares the uncommented string with "none", but strips the comment before splitting.
  if (asciiLower(s) === 'none') return 'none';
  let body = s;
  const hash = body.indexOf('#');
  if (hash >= 0) body = body.slice(0, hash);
  body = body.replace(/[ \t\r\n]+$/, '');
  const hops: RawJump[] = [];
  for (const part of body.split(',')) {
    const hop = parseSshUri(part) ?? parseUserHostPort(part);
    if (typeof hop === 'string') return `${hop} in "${part}"`;
    hops.push(hop);
  }
  return hops;
}

/** ssh://[user[;params]@]host[:port] (no path). Returns null when not a URI. */
function parseSshUri(s: string): RawJump | string | null {
  if (!s.startsWith('ssh://')) return null;
  let rest = s.slice(6);
  let user: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    let u = rest.slice(0, at);
    const semi = u.indexOf(';');
    if (semi >= 0) u = u.slice(0, semi);
    if (u === '') return 'empty user name';
    const decoded = urlDecode(u);
    if (decoded === null) return 'bad URL encoding';
    user = decoded;
    rest = rest.slice(at + 1);
  }
  const hp = hpdelim(rest, true);
  if (hp === null || hp.host === '') return 'missing host';
  const host = cleanHostName(hp.host);
  if (!validDomain(host)) return `invalid host name "${host}"`;
  let port: number | undefined;
  let tail = hp.rest;
  if (tail !== null && tail !== '') {
    if (hp.delim === ':') {
      const slash = tail.indexOf('/');
      const p = a2port(slash >= 0 ? tail.slice(0, slash) : tail);
      if (p <= 0) return 'bad port';
      port = p;
      tail = slash >= 0 ? tail.slice(slash + 1) : null;
    }
    if (tail !== null && tail !== '') return 'path not allowed';
  }
  const out: RawJump = { host: host.replace(/\.$/, '') };
  if (user !== undefined) out.user = user;
  if (port !== undefined) out.port = port;
  return out;
}

/** misc.c parse_user_host_port(): [user@]host[:port], IPv6 in brackets. */
function parseUserHostPort(s: string): RawJump | string {
  let rest = s;
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    if (at === 0) return 'empty user name';
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  const hp = hpdelim(rest, false);
  if (hp === null || hp.host === '') return 'missing host';
  const out: RawJump = { host: cleanHostName(hp.host) };
  if (hp.rest !== null && hp.rest !== '') {
    const p = a2port(hp.rest);
    if (p <= 0) return 'bad port';
    out.port = p;
  }
  if (user !== undefined) out.user = user;
  return out;
}

/** misc.c hpdelim2(): split host from what follows ':' (or '/', rejected unless allowSlash). */
function hpdelim(
  s: string,
  allowSlash: boolean,
): { host: string; rest: string | null; delim: string } | null {
  let i: number;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) return null;
    i = close + 1;
  } else {
    i = s.search(/[:/]/);
    if (i < 0) i = s.length;
  }
  if (i >= s.length) return { host: s, rest: null, delim: '' };
  const ch = s[i]!;
  if (ch !== ':' && ch !== '/') return null;
  if (ch === '/' && !allowSlash) return null;
  return { host: s.slice(0, i), rest: s.slice(i + 1), delim: ch };
}

function cleanHostName(h: string): string {
  return h.startsWith('[') && h.endsWith(']') && h.length >= 2 ? h.slice(1, -1) : h;
}

function validDomain(name: string): boolean {
  if (name === '' || !/^[A-Za-z0-9]/.test(name)) return false;
  return !/\.\./.test(name) && /^[A-Za-z0-9._-]+$/.test(name);
}

function urlDecode(s: string): string | null {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '+') out += ' ';
    else if (ch === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 2;
    } else out += ch;
  }
  return out;
}

/** misc.c a2port(): 1..65535, or a service name (only "ssh" is known here). */
function a2port(s: string): number {
  if (/^[0-9]+$/.test(s)) {
    const n = Number(s);
    return n <= 65535 ? n : -1;
  }
  return s === 'ssh' ? 22 : -1;
}

/** misc.c convtime(): "90", "1m30s", "2h" ... in seconds; -1 when invalid. */
function convtime(s: string): number {
  const mult: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  const re = /([0-9]+)([sSmMhHdDwW]?)/y;
  let i = 0;
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) return -1;
    total += Number(m[1]) * mult[asciiLower(m[2]!)]!;
    if (total > 2147483647) return -1;
    i = re.lastIndex;
  }
  return s === '' ? -1 : total;
}

// ---------------------------------------------------------------------------------------------
// Expansion

/** Checks ${...} syntax the way readconf.c does for IdentityAgent (a missing variable is not an error here). */
function checkDollarSyntax(v: string, fail: (msg: string) => never): void {
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '$' && v[i + 1] === '{') {
      const end = v.indexOf('}', i + 2);
      if (end < 0 || end === i + 2) fail(`Invalid environment expansion ${v}.`);
      i = end;
    }
  }
}

/**
 * misc.c percent_expand()/percent_dollar_expand(). Unknown %-tokens are a config error; an unset
 * ${VAR} is reported to the caller (ssh refuses to connect, we drop that one value with a warning).
 */
function expandTokens(
  s: string,
  tokens: Record<string, string>,
  env: Record<string, string | undefined>,
  where: Where,
  keyword: string,
): string | { missing: string };
function expandTokens(s: string, tokens: Record<string, string>, env: null, where: Where, keyword: string): string;
function expandTokens(
  s: string,
  tokens: Record<string, string>,
  env: Record<string, string | undefined> | null,
  where: Where,
  keyword: string,
): string | { missing: string } {
  const fail = (msg: string): never => {
    throw new SshConfigError(`${keyword} ${s}: ${msg}`, where.file, where.line);
  };
  let out = '';
  let missing: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (env !== null && ch === '$' && s[i + 1] === '{') {
      const end = s.indexOf('}', i + 2);
      if (end < 0) fail(`environment variable '${s.slice(i + 2)}' missing closing '}'`);
      const name = s.slice(i + 2, end);
      if (name === '') fail('zero-length environment variable');
      const val = env[name];
      if (val === undefined) missing ??= name;
      else out += val;
      i = end;
      continue;
    }
    if (ch !== '%') {
      out += ch;
      continue;
    }
    i++;
    if (i >= s.length) fail('invalid format (trailing %)');
    const t = s[i]!;
    if (t === '%') out += '%';
    else if (Object.hasOwn(tokens, t)) out += tokens[t];
    else fail(`unknown key %${t}`);
  }
  return missing !== undefined ? { missing } : out;
}

/** misc.c tilde_expand(): ~, ~/path, ~user/path. Only the local user's home is known here. */
function tildeExpand(p: string, c: Ctx): string | undefined {
  if (!p.startsWith('~')) return p;
  const body = p.slice(1);
  let user = '';
  let rest: string;
  if (body === '' || body.startsWith('/')) {
    rest = body.replace(/^\/+/, '');
  } else {
    const slash = body.indexOf('/');
    user = slash < 0 ? body : body.slice(0, slash);
    rest = slash < 0 ? '' : body.slice(slash + 1).replace(/^\/+/, '');
  }
  if (user !== '' && user !== c.localUser) return undefined;
  const dir = c.homeDir;
  return dir + (dir.endsWith('/') ? '' : '/') + rest;
}

// ---------------------------------------------------------------------------------------------
// Host names and patterns

function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** ssh.c: names are lower-cased; numeric addresses are normalised (getnameinfo NI_NUMERICHOST). */
function canonicalHostName(h: string): string {
  const addr = numericAddress(h);
  // resolve_canonicalize() only replaces an address whose text differs other than by case.
  if (addr !== null) return asciiLower(addr) === asciiLower(h) ? h : addr;
  if (isAddrFast(h)) return h; // looks like an address ssh cannot parse (e.g. a scope id): left alone
  return asciiLower(h);
}

function isAddrFast(h: string): boolean {
  return h.includes('%') || h.includes(':') || /^[0-9.]*$/.test(h);
}

/** Canonical text of a numeric IPv4 (inet_aton forms: 127.1, 0x7f.0.0.1) or IPv6 address; else null. */
function numericAddress(h: string): string | null {
  if (h.includes(':')) {
    if (h.includes('%')) return null;
    try {
      const u = new URL(`http://[${h}]/`).hostname.slice(1, -1);
      // getnameinfo keeps the dotted tail of v4-mapped/compatible addresses; URL does not.
      return h.includes('.') ? asciiLower(h) : u;
    } catch {
      return null;
    }
  }
  const parts = h.split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const nums: number[] = [];
  for (const part of parts) {
    let n: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(part)) n = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]*$/.test(part)) n = parseInt(part, 8);
    else if (/^[1-9][0-9]*$/.test(part)) n = Number(part);
    else return null;
    nums.push(n);
  }
  let value = 0;
  for (let i = 0; i < nums.length - 1; i++) {
    if (nums[i]! > 255) return null;
    value = value * 256 + nums[i]!;
  }
  const lastBytes = 4 - (nums.length - 1);
  const last = nums[nums.length - 1]!;
  if (last >= 2 ** (8 * lastBytes)) return null;
  value = value * 2 ** (8 * lastBytes) + last;
  return [24, 16, 8, 0].map((sh) => Math.floor(value / 2 ** sh) % 256).join('.');
}

/** match.c match_pattern(): '*' and '?' wildcards, case-sensitive. */
export function matchPattern(s: string, pattern: string): boolean {
  let si = 0;
  let pi = 0;
  let starP = -1;
  let starS = 0;
  while (si < s.length) {
    const pc = pattern[pi];
    if (pc === '*') {
      starP = ++pi;
      starS = si;
    } else if (pc !== undefined && (pc === '?' || pc === s[si])) {
      si++;
      pi++;
    } else if (starP >= 0) {
      pi = starP;
      si = ++starS;
    } else {
      return false;
    }
  }
  while (pattern[pi] === '*') pi++;
  return pi === pattern.length;
}

/** match.c match_pattern_list(): 1 positive, -1 negated match, 0 none. */
export function matchPatternList(s: string, list: string, dolower: boolean): 1 | 0 | -1 {
  let positive = false;
  for (let sub of list.split(',')) {
    const negated = sub.startsWith('!');
    if (negated) sub = sub.slice(1);
    if (dolower) sub = asciiLower(sub);
    if (matchPattern(s, sub)) {
      if (negated) return -1;
      positive = true;
    }
  }
  return positive ? 1 : 0;
}

/** match.c match_hostname(): case-insensitive pattern-list match. */
export function matchHostname(host: string, list: string): 1 | 0 | -1 {
  return matchPatternList(asciiLower(host), list, true);
}

// ---------------------------------------------------------------------------------------------
// glob(3) for Include

function hasMagic(s: string): boolean {
  return /[*?[]/.test(s);
}

function fnmatchRegex(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (ch === '[') {
      let j = i + 1;
      let negate = false;
      if (pattern[j] === '!' || pattern[j] === '^') {
        negate = true;
        j++;
      }
      let body = '';
      if (pattern[j] === ']') {
        body += '\\]';
        j++;
      }
      while (j < pattern.length && pattern[j] !== ']') {
        const c = pattern[j]!;
        body += c === '\\' || c === '^' || c === '[' ? `\\${c}` : c;
        j++;
      }
      if (j >= pattern.length) re += '\\[';
      else {
        re += `[${negate ? '^' : ''}${body}]`;
        i = j;
      }
    } else re += escapeRe(ch);
  }
  return new RegExp(`${re}$`, 's');
}

function escapeRe(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Absolute-path glob(3) without GLOB_PERIOD: a leading '.' in a name must be matched literally. */
function defaultGlob(pattern: string): string[] {
  const exists = (p: string): boolean => {
    try {
      fs.lstatSync(p);
      return true;
    } catch {
      return false;
    }
  };
  if (!hasMagic(pattern)) return exists(pattern) ? [pattern] : [];
  const segs = pattern.split('/');
  let current = [segs[0]!];
  for (let i = 1; i < segs.length; i++) {
    const seg = segs[i]!;
    const next: string[] = [];
    for (const base of current) {
      if (!hasMagic(seg)) {
        next.push(`${base}/${seg}`);
        continue;
      }
      let names: string[];
      try {
        names = fs.readdirSync(base === '' ? '/' : base);
      } catch {
        continue;
      }
      const re = fnmatchRegex(seg);
      for (const n of names) {
        if (n.startsWith('.') && !seg.startsWith('.')) continue;
        if (re.test(n)) next.push(`${base}/${n}`);
      }
    }
    current = next;
  }
  return current.filter(exists).sort();
}
