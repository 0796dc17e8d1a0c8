import fs from 'node:fs';
import path from 'node:path';

// A log file that never grows past its limit: when the next line would take it over `maxBytes`,
// the file becomes `<file>.1` (the older ones shift up, the oldest past `keep` is dropped) and a
// new one starts. Several processes may append to one log (the POS's web mode and its CLI): the
// one that finds the file already rotated by another only reopens it.

export const LOG_MAX_BYTES = 5 * 1024 * 1024;
export const LOG_FILES_KEPT = 4;

export interface RotatingFile {
  write(line: string): void;
}

export function rotatingFile(file: string, options: { maxBytes?: number; keep?: number } = {}): RotatingFile {
  const maxBytes = options.maxBytes ?? LOG_MAX_BYTES;
  const keep = options.keep ?? LOG_FILES_KEPT;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let fd = fs.openSync(file, 'a', 0o600);
  let size = fs.fstatSync(fd).size;

  const rotate = () => {
    if (sameFile(file, fd)) {
      for (let i = keep - 1; i >= 1; i--) renameIfThere(`${file}.${i}`, `${file}.${i + 1}`);
      if (keep >= 1) renameIfThere(file, `${file}.1`);
      else fs.rmSync(file, { force: true });
    }
    fs.closeSync(fd);
    fd = fs.openSync(file, 'a', 0o600);
    size = fs.fstatSync(fd).size;
  };

  return {
    write(line) {
      const bytes = Buffer.byteLength(line);
      if (size > 0 && size + bytes > maxBytes) rotate();
      fs.writeSync(fd, line);
      size += bytes;
    },
  };
}

/** Whether `file` is still the file open as `fd` (not rotated away by another process). */
function sameFile(file: string, fd: number): boolean {
  try {
    return fs.statSync(file).ino === fs.fstatSync(fd).ino;
  } catch {
    return false;
  }
}

function renameIfThere(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
