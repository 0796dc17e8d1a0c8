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
    blocks.push(ustarHeader(entry.name, entry.content.length, entry), entry.content, padding(entry.content.length));
  }
  blocks.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return Buffer.concat(blocks);
}

/** A file for tarStream: its body is streamed, its size known in advance. */
export interface StreamedTarEntry {
  name: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime?: Date;
  body: AsyncIterable<Buffer>;
}

/**
 * A tar stream of regular files, written as the bodies arrive (names longer than ustar's 100
 * bytes get a GNU long-name record). Names must already be safe relative paths.
 */
export async function* tarStream(entries: AsyncIterable<StreamedTarEntry>): AsyncGenerator<Buffer> {
  for await (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    if (name.length > 100) {
      yield ustarHeader('././@LongLink', name.length + 1, { mode: 0, uid: 0, gid: 0 }, 'L');
      yield Buffer.concat([name, Buffer.alloc(1)]);
      yield padding(name.length + 1);
    }
    yield ustarHeader(name.length > 100 ? entry.name.slice(0, 100) : entry.name, entry.size, entry);
    let written = 0;
    for await (const chunk of entry.body) {
      written += chunk.length;
      if (written > entry.size) throw new Error(`${entry.name} is longer than its declared size`);
      yield chunk;
    }
    if (written !== entry.size) throw new Error(`${entry.name} is shorter than its declared size`);
    yield padding(entry.size);
  }
  yield Buffer.alloc(1024);
}

function padding(size: number): Buffer {
  return Buffer.alloc((512 - (size % 512)) % 512);
}

function ustarHeader(name: string, size: number, owner: { mode: number; uid: number; gid: number; mtime?: Date }, type = '0'): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write(octal(owner.mode, 8), 100, 8, 'ascii');
  header.write(octal(owner.uid, 8), 108, 8, 'ascii');
  header.write(octal(owner.gid, 8), 116, 8, 'ascii');
  header.write(octal(size, 12), 124, 12, 'ascii');
  header.write(octal(Math.floor((owner.mtime?.getTime() ?? Date.now()) / 1000), 12), 136, 12, 'ascii');
  header.write('        ', 148, 8, 'ascii'); // checksum field counts as spaces while summing
  header.write(type, 156, 1, 'ascii');
  header.write('ustar\u000000', 257, 8, 'binary');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'binary');
  return header;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\u0000`;
}
