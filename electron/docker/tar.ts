/** A file to put into a container or volume with the Docker archive API. */
export interface TarEntry {
  name: string;
  content: Buffer;
  mode: number;
  uid: number;
  gid: number;
}

/**
 * A minimal ustar archive (regular files only) for PUT /containers/{id}/archive: enough to
 * place secrets with exact owner and mode, without a dependency or a temporary file.
 */
export function tarArchive(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    if (!/^[A-Za-z0-9._-][A-Za-z0-9._/-]{0,98}$/.test(entry.name) || entry.name.split('/').includes('..')) {
      throw new Error(`unsafe archive member name: ${entry.name}`);
    }
    const header = Buffer.alloc(512);
    header.write(entry.name, 0, 100, 'utf8');
    header.write(octal(entry.mode, 8), 100, 8, 'ascii');
    header.write(octal(entry.uid, 8), 108, 8, 'ascii');
    header.write(octal(entry.gid, 8), 116, 8, 'ascii');
    header.write(octal(entry.content.length, 12), 124, 12, 'ascii');
    header.write(octal(Math.floor(Date.now() / 1000), 12), 136, 12, 'ascii');
    header.write('        ', 148, 8, 'ascii'); // checksum field counts as spaces while summing
    header.write('0', 156, 1, 'ascii'); // regular file
    header.write('ustar\u000000', 257, 8, 'binary');
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'binary');
    blocks.push(header, entry.content, Buffer.alloc((512 - (entry.content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return Buffer.concat(blocks);
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\u0000`;
}
