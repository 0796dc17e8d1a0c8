import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openZipOf, writeArchiveCopies } from '../../electron/backup/archive-copies.js';
import { LocalStore } from '../../electron/backup/archive-stores.js';
import { localFileSource } from '../../electron/backup/byte-io.js';
import { backupKeyId, type BackupKey } from '../../electron/backup/encryption.js';
import { filestoreDigest, odooPgVersion, verifyOdooArchive, type HostStream, type OdooManifest } from '../../electron/backup/odoo-archive.js';
import { ZipReader } from '../../electron/backup/zip-reader.js';
import { ZipWriter } from '../../electron/backup/zip-writer.js';
import { readTar } from '../../electron/docker/tar-reader.js';
import { tarStream } from '../../electron/docker/tar.js';
import { FleetError } from '../../shared/errors.js';

// Archives are checked with the tools people will use on them: Python's zipfile and Info-ZIP's
// unzip; the filestore tar comes from GNU tar, as on a real Odoo image.

const PYTHON = '/usr/bin/python3';
let dir: string;
let filestore: string;
const manifest: OdooManifest = {
  odoo_dump: '1',
  db_name: 'shop',
  version: '17.0',
  version_info: [17, 0, 0, 'final', 0, ''],
  major_version: '17.0',
  pg_version: '15.0',
  modules: { base: '17.0.1.3', sale: '17.0.1.2' },
};
const dumpText = Array.from({ length: 20_000 }, (_, i) => `INSERT INTO res_partner VALUES (${i}, 'partner ${i}');`).join('\n');

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-archive-'));
  filestore = path.join(dir, 'filestore-src');
  for (let i = 0; i < 30; i++) {
    const data = crypto.randomBytes(1000 + i * 997);
    const sha = crypto.createHash('sha1').update(data).digest('hex');
    fs.mkdirSync(path.join(filestore, sha.slice(0, 2)), { recursive: true });
    fs.writeFileSync(path.join(filestore, sha.slice(0, 2), sha), data);
  }
  // A name longer than ustar's 100 bytes: GNU tar writes a long-name record for it.
  fs.mkdirSync(path.join(filestore, 'x'.repeat(60)), { recursive: true });
  fs.writeFileSync(path.join(filestore, 'x'.repeat(60), `${'y'.repeat(80)}.bin`), crypto.randomBytes(5000));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function producer(command: string, args: string[], cwd?: string): () => Promise<HostStream> {
  return async () => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<void>((resolve, reject) =>
      child.once('close', (code) => (code === 0 ? resolve() : reject(new FleetError('COMMAND_FAILED', `${command} exited with ${code}: ${stderr}`)))),
    );
    done.catch(() => {});
    return { stdout: child.stdout, done, abort: async () => void child.kill('SIGKILL') };
  };
}

const fromText = (text: string) => async (): Promise<HostStream> => ({ stdout: Readable.from([Buffer.from(text)]), done: Promise.resolve(), abort: async () => {} });

function listFiles(root: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(root, prefix), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(root, path.join(prefix, e.name)) : [path.join(prefix, e.name)]));
}

describe("Odoo's backup zip", () => {
  let archive: string;
  let sha256: string;

  it('is written in Odoo’s layout, to every store at once, and read back by zipfile and unzip', async () => {
    const stores = [new LocalStore(path.join(dir, 'out')), new LocalStore(path.join(dir, 'mirror'))];
    const result = await writeArchiveCopies(stores.map((store) => ({ store, relativePath: 'alpha/shop/shop.zip' })), { dump: fromText(dumpText), filestore: producer('tar', ['-cf', '-', '.'], filestore), manifest }, { key: null, sidecar: { tenant: 'shop' } });
    archive = path.join(dir, 'out', 'alpha', 'shop', 'shop.zip');
    expect(result.copies).toEqual([{ kind: 'local', path: archive }, { kind: 'local', path: path.join(dir, 'mirror', 'alpha', 'shop', 'shop.zip') }]);
    expect(fs.readFileSync(result.copies[1]!.path).equals(fs.readFileSync(archive))).toBe(true);
    sha256 = result.sha256;
    expect(result.filestoreFiles).toBe(31);
    // The digest is over the source files themselves, computed independently here.
    const expected = listFiles(filestore).map((f) => {
      const data = fs.readFileSync(path.join(filestore, f));
      return { path: f, size: data.length, sha256: crypto.createHash('sha256').update(data).digest('hex') };
    });
    expect(result.filestore).toEqual(filestoreDigest(expected));
    expect(result.filestore.files).toBe(31);
    expect(result.filestore.bytes).toBe(expected.reduce((sum, e) => sum + e.size, 0));
    expect(fs.existsSync(`${archive}.partial`)).toBe(false);
    expect(crypto.createHash('sha256').update(fs.readFileSync(archive)).digest('hex')).toBe(sha256);
    expect(JSON.parse(fs.readFileSync(`${archive}.json`, 'utf8'))).toMatchObject({ sha256, bytes: fs.statSync(archive).size, tenant: 'shop', manifest, encrypted: false, archive: 'shop.zip' });

    const names = JSON.parse(execFileSync(PYTHON, ['-c', 'import zipfile,sys,json; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(json.dumps(z.namelist()))', archive]).toString()) as string[];
    expect(names[0]).toBe('dump.sql');
    expect(names.at(-1)).toBe('manifest.json');
    expect(names.filter((n) => n.startsWith('filestore/')).sort()).toEqual(listFiles(filestore).map((f) => `filestore/${f}`).sort());
    expect(execFileSync('unzip', ['-t', archive]).toString()).toMatch(/No errors detected/);

    const out = path.join(dir, 'extracted');
    execFileSync('unzip', ['-q', archive, '-d', out]);
    expect(fs.readFileSync(path.join(out, 'dump.sql'), 'utf8')).toBe(dumpText);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'))).toEqual(manifest);
    for (const f of listFiles(filestore)) expect(fs.readFileSync(path.join(out, 'filestore', f)).equals(fs.readFileSync(path.join(filestore, f)))).toBe(true);
  });

  it('verifies, and catches a flipped bit and a truncation', async () => {
    await expect(verifyOdooArchive(await localFileSource(archive), sha256)).resolves.toEqual({ members: 33 });
    const flipped = path.join(dir, 'flipped.zip');
    const bytes = fs.readFileSync(archive);
    bytes[200] = bytes[200]! ^ 0x01;
    fs.writeFileSync(flipped, bytes);
    await expect(verifyOdooArchive(await localFileSource(flipped), sha256)).rejects.toMatchObject({ code: 'ARCHIVE_INVALID', message: expect.stringMatching(/sha256/) });
    // Even without the recorded checksum, the CRC catches it.
    const zip = await ZipReader.open(flipped);
    await expect(zip.test()).rejects.toMatchObject({ code: 'ARCHIVE_INVALID' });
    await zip.close();

    const truncated = path.join(dir, 'truncated.zip');
    fs.writeFileSync(truncated, fs.readFileSync(archive).subarray(0, 5000));
    await expect(ZipReader.open(truncated)).rejects.toMatchObject({ code: 'ARCHIVE_INVALID', message: expect.stringMatching(/truncated/) });
  });

  it('leaves nothing that looks valid when the producer fails midway', async () => {
    const failed = path.join(dir, 'out', 'failed.zip');
    const failing = producer('sh', ['-c', 'head -c 100000 /dev/zero; echo "pg_dump: error: connection lost" >&2; exit 1']);
    await expect(writeArchiveCopies([{ store: new LocalStore(path.join(dir, 'out')), relativePath: 'failed.zip' }], { dump: failing, filestore: fromText(''), manifest }, { key: null, sidecar: {} })).rejects.toMatchObject({ code: 'COMMAND_FAILED', message: expect.stringMatching(/connection lost/) });
    expect(fs.readdirSync(path.dirname(failed)).filter((f) => f.startsWith('failed'))).toEqual([]);
  });

  it('a cancel stops the producer at once and leaves no file', async () => {
    const endless = producer('sh', ['-c', 'while true; do head -c 1000 /dev/zero; sleep 0.05; done']);
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(new FleetError('CONFLICT', 'cancelled by the test')), 300);
    const store = new LocalStore(path.join(dir, 'cancelled'));
    await expect(writeArchiveCopies([{ store, relativePath: 'c.zip' }], { dump: endless, filestore: fromText(''), manifest }, { key: null, sidecar: {} }, undefined, cancel.signal)).rejects.toMatchObject({ message: 'cancelled by the test' });
    expect(fs.readdirSync(path.join(dir, 'cancelled'))).toEqual([]);
  });

  it('encrypts a copy that verifies only with its key', async () => {
    const raw = crypto.randomBytes(32);
    const key: BackupKey = { id: backupKeyId(raw), name: 'office', key: raw };
    const store = new LocalStore(path.join(dir, 'sealed'));
    const result = await writeArchiveCopies([{ store, relativePath: 'shop.zip.enc' }], { dump: fromText(dumpText), filestore: producer('tar', ['-cf', '-', '.'], filestore), manifest }, { key, sidecar: {} });
    const file = path.join(dir, 'sealed', 'shop.zip.enc');
    expect(result.keyId).toBe(key.id);
    expect(fs.readFileSync(file).includes(Buffer.from('INSERT INTO res_partner'))).toBe(false);
    expect(JSON.parse(fs.readFileSync(`${file}.json`, 'utf8'))).toMatchObject({ encrypted: true, keyId: key.id, sha256: result.sha256 });
    await expect(verifyOdooArchive(await localFileSource(file), result.sha256, (s) => openZipOf(s, (id) => (id === key.id ? key : undefined)))).resolves.toEqual({ members: 33 });
    await expect(verifyOdooArchive(await localFileSource(file), result.sha256, (s) => openZipOf(s, () => undefined))).rejects.toMatchObject({ code: 'BACKUP_KEY_MISSING' });
    const wrong = crypto.randomBytes(32);
    await expect(verifyOdooArchive(await localFileSource(file), result.sha256, (s) => openZipOf(s, () => ({ id: key.id, name: 'wrong', key: wrong })))).rejects.toMatchObject({ code: 'ARCHIVE_INVALID' });
    const zip = await ZipReader.open(await openZipOf(await localFileSource(file), () => key));
    let dump = '';
    for await (const chunk of await zip.stream(zip.member('dump.sql')!)) dump += (chunk as Buffer).toString('utf8');
    await zip.close();
    expect(dump).toBe(dumpText);
  });

  it('refuses members that would escape a restore folder', async () => {
    for (const [label, name] of [['parent', '../evil.txt'], ['absolute', '/etc/evil'], ['nested-parent', 'filestore/../../evil']] as const) {
      const file = path.join(dir, `slip-${label}.zip`);
      execFileSync(PYTHON, ['-c', 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],"w"); z.writestr(sys.argv[2], "x"); z.close()', file, name]);
      await expect(ZipReader.open(file)).rejects.toMatchObject({ code: 'ARCHIVE_INVALID', message: expect.stringMatching(/outside the restore folder/) });
    }
    const link = path.join(dir, 'symlink.zip');
    execFileSync(PYTHON, ['-c', 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],"w"); i=zipfile.ZipInfo("filestore/link"); i.create_system=3; i.external_attr=(0o120777<<16); z.writestr(i, "/etc/passwd"); z.close()', link]);
    await expect(ZipReader.open(link)).rejects.toMatchObject({ code: 'ARCHIVE_INVALID', message: expect.stringMatching(/symbolic link/) });
  });

  it('reads an empty filestore stream and a truncated tar', async () => {
    const none: string[] = [];
    for await (const m of readTar(Readable.from([]))) none.push(m.path);
    expect(none).toEqual([]);
    const tar = execFileSync('tar', ['-cf', '-', '.'], { cwd: filestore });
    const members = async (buffer: Buffer) => {
      const seen: string[] = [];
      for await (const m of readTar(Readable.from([buffer]))) {
        for await (const chunk of m.body) void chunk;
        seen.push(m.path);
      }
      return seen;
    };
    expect((await members(tar)).filter((p) => p.endsWith('.bin'))).toEqual([`${'x'.repeat(60)}/${'y'.repeat(80)}.bin`]);
    await expect(members(tar.subarray(0, 3000))).rejects.toMatchObject({ code: 'ARCHIVE_INVALID' });
    // A long-name record is held in memory: one declaring a gigabyte is refused before it is read.
    const header = Buffer.alloc(512);
    header.write('././@LongLink', 0);
    header.write(`${(2 ** 30).toString(8).padStart(11, '0')}\0`, 124);
    header.write('L', 156);
    header.fill(' ', 148, 156);
    header.write(`${header.reduce((sum, b) => sum + b, 0).toString(8).padStart(6, '0')}\0 `, 148);
    await expect(members(Buffer.concat([header, Buffer.alloc(4096)]))).rejects.toMatchObject({ code: 'ARCHIVE_INVALID', message: expect.stringMatching(/name record/) });
  });

  it('switches to ZIP64 records past 65535 members', async () => {
    const file = path.join(dir, 'many.zip');
    const out = fs.openSync(file, 'w');
    const zip = new ZipWriter(async (chunk) => void fs.writeSync(out, chunk));
    for (let i = 0; i < 66_000; i++) await zip.addEntry(`filestore/${i % 100}/${i}`, Buffer.from(String(i)));
    await zip.finish();
    fs.closeSync(out);
    expect(execFileSync(PYTHON, ['-c', 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(len(z.namelist()), z.read("filestore/7/65007").decode())', file]).toString().trim()).toBe('66000 65007');
    const reader = await ZipReader.open(file);
    expect(reader.members.length).toBe(66_000);
    await reader.close();
  }, 120_000);

  it('streams a tar that GNU tar unpacks, long names included', async () => {
    const long = `${'d'.repeat(70)}/${'f'.repeat(60)}.bin`;
    const files = [
      { name: 'ab/abcdef', data: crypto.randomBytes(1500) },
      { name: long, data: crypto.randomBytes(700) },
      { name: 'empty', data: Buffer.alloc(0) },
    ];
    async function* entries() {
      for (const f of files) yield { name: f.name, size: f.data.length, mode: 0o640, uid: 0, gid: 0, body: Readable.from([f.data]) };
    }
    const chunks: Buffer[] = [];
    for await (const chunk of tarStream(entries())) chunks.push(chunk);
    const out = path.join(dir, 'untarred');
    fs.mkdirSync(out);
    execFileSync('tar', ['-xf', '-', '-C', out], { input: Buffer.concat(chunks) });
    for (const f of files) expect(fs.readFileSync(path.join(out, f.name)).equals(f.data)).toBe(true);
    // A declared size that the body does not match is an error, never a corrupt archive.
    async function* liar() {
      yield { name: 'x', size: 10, mode: 0o644, uid: 0, gid: 0, body: Readable.from([Buffer.alloc(5)]) };
    }
    await expect((async () => { for await (const chunk of tarStream(liar())) void chunk; })()).rejects.toThrow(/shorter/);
  });

  it("computes pg_version as Odoo's true division does", () => {
    expect(odooPgVersion(150008)).toBe('15.0');
    expect(odooPgVersion(160004)).toBe('16.0');
    expect(odooPgVersion(90624)).toBe('9.6');
  });
});
