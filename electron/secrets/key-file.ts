import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// Random keys kept in files only their owner may read: the POS's web-session key and the POS
// vault's key file. A key is written whole under another name, then linked in place, so it is
// never read half-written, and of two programs starting at once the second uses the first's key.

const KEY_BYTES = 32;

/**
 * The key in `file`, or null when there is none (or it is too short to be one). A symbolic link
 * or a file of another user is refused; a file the group or others may read is made owner-only.
 */
export function readOwnerOnlyKey(file: string): Buffer | null {
  let fd: number;
  try {
    // O_NOFOLLOW: a link is never opened (the lstat below covers systems without it).
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP' || code === 'EMLINK') throw new Error(`${file} is a symbolic link: refused (a key file must be a plain file of its own).`);
    throw error;
  }
  try {
    if (fs.lstatSync(file).isSymbolicLink()) throw new Error(`${file} is a symbolic link: refused (a key file must be a plain file of its own).`);
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${file} is not a plain file: refused.`);
    if (process.getuid && stat.uid !== process.getuid()) throw new Error(`${file} belongs to another user: refused.`);
    if (stat.mode & 0o077) fs.fchmodSync(fd, 0o600);
    const key = fs.readFileSync(fd);
    return key.length >= KEY_BYTES ? key : null;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The key in `file`, made first when there is none (its folder too, owner-only). `replaceShort`:
 * a file too short to hold a key is replaced; otherwise it is refused.
 */
export function ownerOnlyKey(file: string, options: { replaceShort: boolean }): Buffer {
  const existing = readOwnerOnlyKey(file);
  if (existing) return existing;
  const present = fs.existsSync(file);
  if (present && !options.replaceShort) throw new Error(`${file} holds no usable key: move it away, or put the right key file back.`);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const draft = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(draft, crypto.randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
  try {
    // An unusable file (too short) is replaced; otherwise the first key written wins.
    if (present) fs.renameSync(draft, file);
    else fs.linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    fs.rmSync(draft, { force: true });
  }
  const key = readOwnerOnlyKey(file);
  if (!key) throw new Error(`${file} is not a usable key file: remove it and start again.`);
  return key;
}
