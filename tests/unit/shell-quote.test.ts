import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../electron/common/redact.js';
import { shellCommand, shellQuote } from '../../electron/common/shell-quote.js';

describe('shell quoting', () => {
  const nasty = ["it's", '$(touch /tmp/pwned)', '`id`', 'a b\tc\nd', '"; rm -rf / #', '*', '~root', '-n', '', "'", '\\', 'ünïcødé'];
  it('turns every argument into exactly one literal word for a real POSIX shell', () => {
    const printed = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${nasty.map(shellQuote).join(' ')}`]).toString();
    expect(printed.split('\0').slice(0, -1)).toEqual(nasty);
  });
  it('leaves plain words readable and refuses NUL', () => {
    expect(shellCommand(['docker', 'ps', '--format', '{{.ID}}'])).toBe("docker ps --format '{{.ID}}'");
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
});

describe('secret redaction', () => {
  it('replaces values under secret-looking keys at any depth', () => {
    expect(
      redactSecrets({ name: 'h', auth: { kind: 'password', password: 'p1' }, dbServer: { passphrase: 'p2', adminUser: 'postgres' }, list: [{ token: 't' }] }),
    ).toEqual({ name: 'h', auth: { kind: 'password', password: '[redacted]' }, dbServer: { passphrase: '[redacted]', adminUser: 'postgres' }, list: [{ token: '[redacted]' }] });
  });
});
