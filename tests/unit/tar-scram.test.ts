import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tarArchive } from '../../electron/docker/tar.js';
import { generatePassword, scramSha256Verifier } from '../../electron/postgres/scram.js';

describe('tar archives for the Docker archive API', () => {
  it('are read by GNU tar with the exact names, contents, modes and owners', () => {
    const archive = tarArchive([
      { name: 'db_password', content: Buffer.from('s3cret'), mode: 0o400, uid: 101, gid: 101 },
      { name: 'conf/odoo.conf', content: Buffer.from('[options]\nlist_db = False\n'.repeat(40)), mode: 0o440, uid: 0, gid: 101 },
    ]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-tar-'));
    const file = path.join(dir, 'a.tar');
    fs.writeFileSync(file, archive);
    const listing = execFileSync('tar', ['--numeric-owner', '-tvf', file]).toString();
    expect(listing).toMatch(/^-r-------- 101\/101\s+6 .* db_password$/m);
    expect(listing).toMatch(/^-r--r----- 0\/101\s+1040 .* conf\/odoo\.conf$/m);
    expect(execFileSync('tar', ['-xOf', file, 'db_password']).toString()).toBe('s3cret');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses member names that could escape the target folder', () => {
    for (const name of ['../x', '/etc/passwd', 'a/../../b']) {
      expect(() => tarArchive([{ name, content: Buffer.alloc(0), mode: 0o400, uid: 0, gid: 0 }])).toThrow(/unsafe/);
    }
  });
});

describe('SCRAM-SHA-256 verifiers', () => {
  it('match RFC 7677 derivation (salted password → stored and server keys)', () => {
    const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
    const verifier = scramSha256Verifier('pencil', { salt, iterations: 4096 });
    // The RFC's exchange for "pencil" proves these keys: ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage).
    const authMessage = 'n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const [, storedB64, serverB64] = /^SCRAM-SHA-256\$4096:[^$]+\$([^:]+):(.+)$/.exec(verifier)!;
    const serverSignature = crypto.createHmac('sha256', Buffer.from(serverB64!, 'base64')).update(authMessage).digest('base64');
    expect(serverSignature).toBe('6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    expect(storedB64).toHaveLength(44);
  });

  it('generates passwords without shell or SQL metacharacters', () => {
    const password = generatePassword();
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(generatePassword()).not.toBe(password);
  });
});
