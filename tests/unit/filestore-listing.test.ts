import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LIST_FILES_HERE, parseFilestoreListing } from '../../electron/backup/verify-job.js';

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A folder holding `files`, listed by the drill's own script in a real shell. */
function listed(files: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-listing-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return parseFilestoreListing(execFileSync('sh', ['-c', LIST_FILES_HERE], { cwd: dir, encoding: 'utf8' }));
}

describe('the restore drill’s filestore listing', () => {
  it('reads back every file’s path, size and sha256, spaces and tabs in names included', () => {
    const files = { 'ab/0123456789abcdef': 'one', 'cd/with space': 'two two', 'ef/tab\there': '', 'top-level.txt': 'x'.repeat(5000) };
    const { files: found, unreadable } = listed(files);
    expect(unreadable).toBeNull();
    const expected = Object.entries(files).map(([p, content]) => ({ path: p, size: Buffer.byteLength(content), sha256: sha256(content) }));
    expect(found.sort((a, b) => a.path.localeCompare(b.path))).toEqual(expected.sort((a, b) => a.path.localeCompare(b.path)));
  });

  it('says an empty folder holds nothing', () => {
    expect(listed({})).toEqual({ files: [], unreadable: null });
  });

  it('refuses to guess when a name holds a line break, rather than pass a drill it could not read', () => {
    const { unreadable } = listed({ 'ab/plain': 'a', 'ab/line\nbreak': 'b' });
    expect(unreadable).toMatch(/2 files found, 1 read back/);
  });

  it('refuses a listing that lost its count or its hashes', () => {
    expect(parseFilestoreListing('S 3 ./a\n').unreadable).toMatch(/no files found/);
    expect(parseFilestoreListing(`files 1\nS 3 ./a\n`).unreadable).toMatch(/1 files found, 0 read back/);
    expect(parseFilestoreListing(`files 1\nS 3 ./a\n${sha256('abc')}  ./a\n`)).toEqual({ files: [{ path: 'a', size: 3, sha256: sha256('abc') }], unreadable: null });
  });
});
