/**
 * Reads OpenSSH known_hosts files (hostfile.c semantics, OpenSSH 9.2) so host keys can be checked
 * against what `ssh` itself trusts: plain, wildcard/negated and [host]:port patterns, hashed
 * |1|salt|hmac names, and the @cert-authority / @revoked markers.
 *
 * Plain Node on purpose (no electron import); file access goes through an injectable readFile.
 */
import fs from 'node:fs';
import { createHash, createHmac } from 'node:crypto';
import { matchHostname } from './openssh-config.js';

export type KnownHostMarker = 'cert-authority' | 'revoked';

export interface KnownHostKey {
  /** Key type named inside the key blob (e.g. ssh-ed25519), which ssh requires to agree with the line. */
  keyType: string;
  keyBase64: string;
  /**
   * 'SHA256:' + unpadded base64 of sha256(blob), as `ssh-keygen -lf` prints it (for a certificate,
   * of the certified key's blob, as ssh does).
   */
  fingerprint: string;
  marker?: KnownHostMarker;
  line: number;
  file: string;
}

export interface KnownHostEntry extends KnownHostKey {
  /** The host field as written: comma-separated patterns, or one hashed name. */
  hosts: string;
  /** Patterns of an unhashed line (may start with '!'); empty for a hashed one. */
  patterns: string[];
  /** Salt and HMAC-SHA1 of a `|1|salt|hmac` line. */
  hashed?: { salt: Buffer; hash: Buffer };
  keyBlob: Buffer;
  comment?: string;
}

export type HostKeyStatus = 'ok' | 'revoked' | 'changed' | 'unknown';

/** Plain key types and the type each name stands for (rsa-sha2-* lines carry ssh-rsa blobs). */
const KEY_FAMILIES: Record<string, string> = {
  'ssh-rsa': 'ssh-rsa',
  'rsa-sha2-256': 'ssh-rsa',
  'rsa-sha2-512': 'ssh-rsa',
  'ssh-dss': 'ssh-dss',
  'ecdsa-sha2-nistp256': 'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384': 'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521': 'ecdsa-sha2-nistp521',
  'ssh-ed25519': 'ssh-ed25519',
  'sk-ecdsa-sha2-nistp256@openssh.com': 'sk-ecdsa-sha2-nistp256@openssh.com',
  'sk-ssh-ed25519@openssh.com': 'sk-ssh-ed25519@openssh.com',
  'ssh-xmss@openssh.com': 'ssh-xmss@openssh.com',
  'ssh-rsa-cert-v01@openssh.com': 'ssh-rsa-cert-v01@openssh.com',
  'rsa-sha2-256-cert-v01@openssh.com': 'ssh-rsa-cert-v01@openssh.com',
  'rsa-sha2-512-cert-v01@openssh.com': 'ssh-rsa-cert-v01@openssh.com',
  'ssh-dss-cert-v01@openssh.com': 'ssh-dss-cert-v01@openssh.com',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com': 'ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com': 'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com': 'ecdsa-sha2-nistp521-cert-v01@openssh.com',
  'ssh-ed25519-cert-v01@openssh.com': 'ssh-ed25519-cert-v01@openssh.com',
  'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com': 'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'sk-ssh-ed25519-cert-v01@openssh.com': 'sk-ssh-ed25519-cert-v01@openssh.com',
  'ssh-xmss-cert-v01@openssh.com': 'ssh-xmss-cert-v01@openssh.com',
};

const HASH_MAGIC = '|1|';
const SHA1_LEN = 20;

export function sha256Fingerprint(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/**
 * Parses known_hosts text. Lines ssh would ignore as invalid (bad marker, bad hash, unknown or
 * mismatching key type, broken base64) are skipped and reported through onInvalid.
 */
export function parseKnownHosts(
  text: string,
  file = 'known_hosts',
  onInvalid?: (line: number, reason: string) => void,
): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const r = parseLine(lines[i]!, file, i + 1);
    if (r === null) continue;
    if (typeof r === 'string') onInvalid?.(i + 1, r);
    else out.push(r);
  }
  return out;
}

function parseLine(raw: string, file: string, lineNo: number): KnownHostEntry | string | null {
  // getline keeps a CR of CRLF files; tolerate it rather than fail the key.
  let s = raw.replace(/\r$/, '');
  s = s.replace(/^[ \t]+/, '');
  if (s === '' || s.startsWith('#')) return null;

  // hostfile.c check_markers(): one marker, ended by the first space (or, failing that, tab).
  let marker: KnownHostMarker | undefined;
  while (s.startsWith('@')) {
    if (marker !== undefined) return 'more than one marker';
    let sp = s.indexOf(' ');
    if (sp < 0) sp = s.indexOf('\t');
    if (sp <= 1) return 'invalid marker';
    const m = s.slice(0, sp);
    if (m === '@cert-authority') marker = 'cert-authority';
    else if (m === '@revoked') marker = 'revoked';
    else return `invalid marker ${m}`;
    s = s.slice(sp).replace(/^[ \t]+/, '');
  }

  const hostEnd = s.search(/[ \t]/);
  if (hostEnd < 0) return 'truncated before key type';
  const hosts = s.slice(0, hostEnd);
  s = s.slice(hostEnd).replace(/^[ \t]+/, '');
  if (s === '' || s.startsWith('#')) return 'truncated before key type';

  let hashed: { salt: Buffer; hash: Buffer } | undefined;
  if (hosts.startsWith('|')) {
    const h = parseHashedName(hosts);
    if (h === null) return `bad host hash "${hosts.slice(0, 32)}"`;
    hashed = h;
  }

  // sshkey_read(): type name, base64 blob whose embedded type must agree, optional comment.
  const m = /^([^ \t]+)[ \t]+([^ \t]+)[ \t]*(.*)$/s.exec(s);
  if (!m) return 'missing key';
  const [, typeName, b64, comment] = m as unknown as [string, string, string, string];
  const family = KEY_FAMILIES[typeName];
  if (family === undefined) return `unknown key type ${typeName}`;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return 'invalid base64';
  const blob = Buffer.from(b64, 'base64');
  const blobType = readSshString(blob, 0);
  if (blobType === null) return 'truncated key blob';
  const type = blobType.value.toString('latin1');
  if (KEY_FAMILIES[type] !== family) return `key type mismatch: line says ${typeName}, key is ${type}`;
  const checked = checkKeyBlob(blob, type);
  if (typeof checked === 'string') return checked;

  const entry: KnownHostEntry = {
    keyType: type,
    keyBase64: b64,
    fingerprint: sha256Fingerprint(checked.plainBlob),
    line: lineNo,
    file,
    hosts,
    patterns: hashed ? [] : hosts.split(','),
    keyBlob: blob,
  };
  if (marker) entry.marker = marker;
  if (hashed) entry.hashed = hashed;
  if (comment !== '') entry.comment = comment;
  return entry;
}

function readSshString(buf: Buffer, off: number): { value: Buffer; next: number } | null {
  if (off + 4 > buf.length) return null;
  const len = buf.readUInt32BE(off);
  if (off + 4 + len > buf.length) return null;
  return { value: buf.subarray(off + 4, off + 4 + len), next: off + 4 + len };
}

/**
 * Structural check of a public key blob, as sshkey_from_blob() does before ssh trusts a line:
 * every field present, right sizes, no trailing bytes. Returns a reason, or the blob of the plain
 * key (for a certificate, the certified key: ssh fingerprints certificates by that key).
 */
function checkKeyBlob(blob: Buffer, type: string): string | { plainBlob: Buffer } {
  let off = 0;
  const str = (): Buffer | null => {
    const r = readSshString(blob, off);
    if (r === null) return null;
    off = r.next;
    return r.value;
  };
  const skip = (n: number): boolean => {
    if (off + n > blob.length) return false;
    off += n;
    return true;
  };
  str(); // type, already checked
  const cert = type.includes('-cert-v01@');
  if (cert && str() === null) return 'truncated certificate (nonce)';
  const base = cert ? type.replace('-cert-v01@openssh.com', '') : type;
  const keyStart = off;
  let ok = true;
  if (base === 'ssh-ed25519' || base === 'sk-ssh-ed25519@openssh.com') {
    ok = str()?.length === 32;
    if (ok && base.startsWith('sk-')) ok = str() !== null;
  } else if (base === 'ssh-rsa') {
    const e = str();
    const n = str();
    if (e === null || n === null) ok = false;
    else {
      // sshkey refuses RSA moduli under 1024 bits (SSH_RSA_MINIMUM_MODULUS_SIZE).
      const nz = n.subarray(n.findIndex((b) => b !== 0));
      const bits = nz.length === 0 ? 0 : (nz.length - 1) * 8 + (32 - Math.clz32(nz[0]!));
      if (bits < 1024) return `RSA key too small (${bits} bits)`;
    }
  } else if (base === 'ssh-dss') {
    ok = [str(), str(), str(), str()].every((x) => x !== null);
  } else if (base.startsWith('ecdsa-sha2-') || base === 'sk-ecdsa-sha2-nistp256@openssh.com') {
    const curve = str();
    const expected = base.startsWith('sk-') ? 'nistp256' : base.slice('ecdsa-sha2-'.length);
    if (curve === null || curve.toString('latin1') !== expected) return 'EC curve mismatch';
    const point = str();
    ok = point !== null && point.length > 0 && point[0] === 4;
    if (ok && base.startsWith('sk-')) ok = str() !== null;
  } else if (base === 'ssh-xmss@openssh.com') {
    ok = str() !== null && str() !== null;
  }
  if (!ok) return 'malformed key blob';
  const keyEnd = off;
  if (cert) {
    // serial, type, key id, principals, valid after/before, critical options, extensions,
    // reserved, signature key, signature
    ok = skip(8) && skip(4) && str() !== null && str() !== null && skip(8) && skip(8);
    for (let i = 0; i < 5 && ok; i++) ok = str() !== null;
    if (!ok) return 'malformed certificate';
  }
  if (off !== blob.length) return 'trailing data in key blob';
  if (!cert) return { plainBlob: blob };
  const name = Buffer.from(base, 'latin1');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(name.length);
  return { plainBlob: Buffer.concat([len, name, blob.subarray(keyStart, keyEnd)]) };
}

/** hostfile.c extract_salt(): |1|base64(20-byte salt)|base64(hmac-sha1). */
function parseHashedName(s: string): { salt: Buffer; hash: Buffer } | null {
  if (!s.startsWith(HASH_MAGIC)) return null;
  const rest = s.slice(HASH_MAGIC.length);
  const bar = rest.indexOf('|');
  if (bar <= 0 || bar > 1024) return null;
  const saltB64 = rest.slice(0, bar);
  const hashB64 = rest.slice(bar + 1);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(saltB64)) return null;
  const salt = Buffer.from(saltB64, 'base64');
  if (salt.length !== SHA1_LEN) return null;
  // A malformed hash part is not an error for ssh, it just never matches (see entryMatchesName).
  return { salt, hash: Buffer.from(hashB64, 'base64') };
}

/** Name ssh looks up: the host for port 22, `[host]:port` otherwise (misc.c put_host_port). */
export function knownHostsName(host: string, port: number): string {
  // ssh lower-cases host names before the lookup; addresses (with ':') keep their text.
  const h = host.includes(':') ? host : host.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  return port === 22 || port === 0 ? h : `[${h}]:${port}`;
}

/** Whether an entry's host field matches a lookup name built by knownHostsName(). */
export function entryMatchesName(entry: KnownHostEntry, name: string): boolean {
  if (entry.hashed) {
    // hostfile.c compares the complete re-encoded name, so only canonical base64 ever matches.
    const mac = createHmac('sha1', entry.hashed.salt).update(name).digest('base64');
    return `${HASH_MAGIC}${entry.hashed.salt.toString('base64')}|${mac}` === entry.hosts;
  }
  return matchHostname(name, entry.hosts) === 1;
}

/**
 * Keys recorded for host:port, in file order. @revoked lines are included (marker 'revoked');
 * @cert-authority lines only when asked, since a CA key never verifies a plain host key.
 */
export function lookupHostKeys(
  entries: KnownHostEntry[],
  host: string,
  port: number,
  options: { includeCertAuthorities?: boolean } = {},
): KnownHostKey[] {
  const name = knownHostsName(host, port);
  const out: KnownHostKey[] = [];
  for (const e of entries) {
    if (e.marker === 'cert-authority' && !options.includeCertAuthorities) continue;
    if (!entryMatchesName(e, name)) continue;
    const k: KnownHostKey = {
      keyType: e.keyType,
      keyBase64: e.keyBase64,
      fingerprint: e.fingerprint,
      line: e.line,
      file: e.file,
    };
    if (e.marker) k.marker = e.marker;
    out.push(k);
  }
  return out;
}

/**
 * Verdict for a plain (non-certificate) host key presented by host:port, like sshconnect.c:
 * revoked (same key, any type variant) beats everything; 'ok' needs the identical key;
 * 'changed' means another key of the same type is recorded for the host.
 */
export function checkHostKey(
  entries: KnownHostEntry[],
  host: string,
  port: number,
  keyBlob: Buffer,
): { status: HostKeyStatus; matches: KnownHostKey[] } {
  const name = knownHostsName(host, port);
  const hits = entries.filter((e) => e.marker !== 'cert-authority' && entryMatchesName(e, name));
  const matches = lookupHostKeys(entries, host, port);
  const fp = sha256Fingerprint(keyBlob);
  const type = readSshString(keyBlob, 0)?.value.toString('latin1') ?? '';
  const family = KEY_FAMILIES[type] ?? type;
  if (hits.some((e) => e.marker === 'revoked' && e.fingerprint === fp)) return { status: 'revoked', matches };
  const plain = hits.filter((e) => e.marker === undefined);
  if (plain.some((e) => e.keyBlob.equals(keyBlob))) return { status: 'ok', matches };
  if (plain.some((e) => KEY_FAMILIES[e.keyType] === family)) return { status: 'changed', matches };
  return { status: 'unknown', matches };
}

/** Reads and parses several files in order; missing files are skipped. */
export function loadKnownHosts(
  paths: string[],
  readFile: (path: string) => string | null = defaultReadFile,
): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const p of paths) {
    const text = readFile(p);
    if (text !== null) out.push(...parseKnownHosts(text, p));
  }
  return out;
}

function defaultReadFile(p: string): string | null {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
    throw err;
  }
}
