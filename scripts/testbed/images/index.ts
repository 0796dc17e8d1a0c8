// The testbed's locally built test images (no registry here): a stand-in `odoo` image honouring the official
// image's contract, a managed-PostgreSQL image from Debian's PostgreSQL 15, Debian's nginx as a reverse
// proxy in front of tenants and Debian's caddy (the official `caddy` image's contract) as an HTTPS proxy. All are busybox-static rootfs tarballs (the busybox image's recipe,
// scripts/testbed/docker.ts) plus binaries copied from this machine with the libraries `ldd` lists, imported
// with `docker import`.
//
// Tags are `fleet-testbed/<name>:<12 hex of the inputs' hash>` (plus `:17.0` / `:15` / `:latest`). Inputs: the busybox
// recipe, path + size + mtime of every copied host file, the contents of the scripts and of the bundled
// server. A daemon that holds the tag gets nothing; otherwise the rootfs tarball is imported, and built first
// only when <repo>/.testbed/images/<name>-<hash>.tar is missing (beta's data-root is new for each testbed, so
// beta imports on every start, from that cache).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { imageExists, importImage, populateBusyboxRootfs, type ImageRecipe } from '../docker.js';
import { LABEL } from '../layout.js';
import { dockerRequest, removeTree, run, stepError, type Log } from '../util.js';

const RECIPE_VERSION = '1';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '../../..');
/** Where built rootfs tarballs are kept between testbeds (gitignored). */
export const IMAGE_CACHE_DIR = process.env.FLEET_TESTBED_IMAGE_CACHE ?? path.join(REPO_ROOT, '.testbed', 'images');
const PG_VERSION = '15';
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export type TestImageName = 'odoo' | 'postgres' | 'nginx' | 'caddy';

interface ContentFile {
  path: string;
  data: string | Buffer;
  mode: number;
  uid?: number;
  gid?: number;
}

interface OwnedDir {
  path: string;
  mode: number;
  uid: number;
  gid: number;
}

export interface TestImageRecipe {
  name: TestImageName;
  /** repo:hash */
  tag: string;
  /** repo:17.0 / repo:15 */
  aliasTag: string;
  hash: string;
  changes: string[];
  busybox: ImageRecipe;
  accounts: { passwd: string; group: string };
  /** Host files copied (dereferenced) into the image: src → dest (absolute paths). */
  hostFiles: Array<{ src: string; dest: string }>;
  /** Host symlinks recreated as they are (trees copied from the host keep their links). */
  hostLinks: Array<{ dest: string; target: string }>;
  content: ContentFile[];
  dirs: OwnedDir[];
}

// ---------------------------------------------------------------- what every test image has

/** /etc/nsswitch.conf: users and groups from the files, host names from /etc/hosts, then DNS. */
const NSSWITCH: ContentFile = { path: '/etc/nsswitch.conf', data: 'passwd: files\ngroup: files\nhosts: files dns\n', mode: 0o644 };

/** /etc/passwd and /etc/group: root, the image's own service account if it has one, nobody. */
function accountsWith(service?: { name: string; id: number; gecos: string; home: string }): TestImageRecipe['accounts'] {
  return {
    passwd: `root:x:0:0:root:/root:/bin/sh\n${service ? `${service.name}:x:${service.id}:${service.id}:${service.gecos}:${service.home}:/bin/sh\n` : ''}nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n`,
    group: `root:x:0:\n${service ? `${service.name}:x:${service.id}:\n` : ''}nogroup:x:65534:\n`,
  };
}

/** A recipe before hashRecipe names it: its tag and hash are filled in from what it holds. */
function unhashed(name: TestImageName, aliasTag: string, busybox: ImageRecipe, parts: Omit<TestImageRecipe, 'name' | 'tag' | 'aliasTag' | 'hash' | 'busybox'>): TestImageRecipe {
  return { name, tag: '', aliasTag, hash: '', busybox, ...parts };
}

// ---------------------------------------------------------------- host files

/**
 * Every library (and the dynamic loader) that `ldd` lists for these ELF files. Remembered in the cache
 * directory under a key made of the files' paths, sizes and mtimes and of /etc/ld.so.cache's (which ldconfig
 * rewrites whenever a library is installed): running ldd over PostgreSQL's 130 files takes half a second.
 */
async function lddDeps(step: string, name: string, files: string[]): Promise<string[]> {
  const key = crypto.createHash('sha256');
  for (const f of [...files, '/etc/ld.so.cache']) {
    const st = await fsp.stat(f).catch(() => undefined);
    key.update(`${f} ${st?.size ?? '-'} ${st?.mtimeMs ?? '-'}\n`);
  }
  const digest = key.digest('hex');
  const memo = path.join(IMAGE_CACHE_DIR, `ldd-${name}.json`);
  try {
    const saved = JSON.parse(await fsp.readFile(memo, 'utf8')) as { key?: string; deps?: string[] };
    if (saved.key === digest && Array.isArray(saved.deps) && saved.deps.every((d) => fs.existsSync(d))) return saved.deps;
  } catch {
    /* no memo yet */
  }
  const deps = await runLdd(step, files);
  await fsp.mkdir(IMAGE_CACHE_DIR, { recursive: true });
  await fsp.writeFile(memo, JSON.stringify({ key: digest, deps }));
  return deps;
}

async function runLdd(step: string, files: string[]): Promise<string[]> {
  const res = await run('ldd', files, { step: `${step}: ldd`, allowFail: true });
  const deps = new Set<string>();
  const missing: string[] = [];
  for (const line of res.stdout.split('\n')) {
    if (/=>\s+not found/.test(line)) missing.push(line.trim());
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s+(\/\S+)\s+\(0x/.exec(line);
    if (m) deps.add(m[1]!);
  }
  if (missing.length) throw stepError(step, `ldd cannot resolve: ${missing.join('; ')}`);
  return [...deps].sort();
}

async function isElf(file: string): Promise<boolean> {
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    await fh.read(buf, 0, 4, 0);
    return buf.readUInt32BE(0) === 0x7f454c46;
  } finally {
    await fh.close();
  }
}

/** Files and symlinks under `root` (recursively), skipping names for which `skip` is true. */
async function walkTree(root: string, skip: (rel: string) => boolean = () => false): Promise<{ files: string[]; links: string[] }> {
  const files: string[] = [];
  const links: string[] = [];
  const walk = async (dir: string) => {
    for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (skip(path.relative(root, full))) continue;
      if (e.isSymbolicLink()) links.push(full);
      else if (e.isDirectory()) await walk(full);
      else if (e.isFile()) files.push(full);
    }
  };
  await walk(root);
  return { files: files.sort(), links: links.sort() };
}

function must(step: string, file: string, what: string): void {
  if (!fs.existsSync(file)) throw stepError(step, `${file} not found (${what})`);
}

// ---------------------------------------------------------------- Debian's python3 (part of the odoo stand-in)

const PYTHON = 'python3.11';
/** Parts of the standard library no Odoo image needs at run time (build files, tests, GUIs, 2to3). */
const PYTHON_SKIP = new Set(['config-3.11-x86_64-linux-gnu', 'test', 'idlelib', 'tkinter', 'turtledemo', 'lib2to3', 'pydoc_data', 'ensurepip', 'distutils', 'site-packages', 'dist-packages']);

/**
 * Debian's python3 with its standard library (compiled modules included), as every Odoo image has one:
 * the console's maintenance responder runs `python3 -c …` in the tenant's own image.
 */
async function pythonFiles(step: string): Promise<{ files: string[]; links: string[]; elves: string[] }> {
  const bin = `/usr/bin/${PYTHON}`;
  const lib = `/usr/lib/${PYTHON}`;
  must(step, bin, 'Debian package python3-minimal');
  must(step, path.join(lib, 'http', 'server.py'), 'Debian package libpython3.11-stdlib');
  const tree = await walkTree(lib, (rel) => {
    const top = rel.split(path.sep)[0]!;
    const base = path.basename(rel);
    return PYTHON_SKIP.has(top) || (top === 'lib-dynload' && /^(_test|xx)/.test(base));
  });
  const elves: string[] = [bin];
  for (const f of tree.files) if (f.endsWith('.so') && (await isElf(f))) elves.push(f);
  return { files: [bin, ...tree.files], links: tree.links, elves };
}

// ---------------------------------------------------------------- the odoo stand-in

/** The stand-in server and `pg`, bundled into one CommonJS file with esbuild. */
async function bundleOdooServer(): Promise<Buffer> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [path.join(HERE, 'odoo', 'server.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['pg-native', 'pg-cloudflare'],
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const out = result.outputFiles[0];
  if (!out) throw stepError('odoo image', 'esbuild produced no output');
  return Buffer.from(out.contents);
}

async function odooRecipe(busyboxRecipe: ImageRecipe | Promise<ImageRecipe>): Promise<TestImageRecipe> {
  const step = 'odoo image';
  const node = process.execPath;
  const python = await pythonFiles(step);
  const libs = await lddDeps(step, 'odoo', [node, ...python.elves]);
  const read = (f: string) => fs.readFileSync(path.join(HERE, 'odoo', f));
  const bundle = await bundleOdooServer();
  const busybox = await busyboxRecipe;
  return unhashed('odoo', 'fleet-testbed/odoo:17.0', busybox, {
    accounts: accountsWith({ name: 'odoo', id: 101, gecos: 'Odoo', home: '/var/lib/odoo' }),
    hostFiles: [{ src: node, dest: '/usr/local/bin/node' }, ...[...new Set([...python.files, ...libs])].map((f) => ({ src: f, dest: f }))],
    hostLinks: [
      { dest: '/usr/bin/python3', target: PYTHON },
      ...(await Promise.all(python.links.map(async (l) => ({ dest: l, target: await fsp.readlink(l) })))),
    ],
    content: [
      { path: '/entrypoint.sh', data: read('entrypoint.sh'), mode: 0o755 },
      { path: '/usr/bin/odoo', data: read('odoo'), mode: 0o755 },
      { path: '/opt/odoo/odoo.cjs', data: bundle, mode: 0o644 },
      { path: '/etc/odoo/odoo.conf', data: read('odoo.conf'), mode: 0o644, uid: 101, gid: 101 },
      NSSWITCH,
    ],
    dirs: [
      { path: '/var/lib/odoo', mode: 0o755, uid: 101, gid: 101 },
      { path: '/mnt/extra-addons', mode: 0o755, uid: 101, gid: 101 },
      { path: '/etc/odoo', mode: 0o755, uid: 101, gid: 101 },
    ],
    changes: [
      'ENTRYPOINT ["/entrypoint.sh"]',
      'CMD ["odoo"]',
      'USER odoo',
      `ENV ${PATH_ENV}`,
      'ENV LANG=C.UTF-8',
      'ENV ODOO_RC=/etc/odoo/odoo.conf',
      'EXPOSE 8069 8071 8072',
      'VOLUME ["/var/lib/odoo", "/mnt/extra-addons"]',
      `LABEL ${LABEL}.image=odoo`,
    ],
  });
}

// ---------------------------------------------------------------- managed PostgreSQL

async function postgresRecipe(busyboxRecipe: ImageRecipe | Promise<ImageRecipe>): Promise<TestImageRecipe> {
  const step = 'postgres image';
  const bin = process.env.FLEET_TESTBED_PG_BIN ?? `/usr/lib/postgresql/${PG_VERSION}/bin`;
  const pgRoot = path.dirname(bin);
  const share = `/usr/share/postgresql/${PG_VERSION}`;
  for (const [f, what] of [
    [path.join(bin, 'postgres'), 'Debian package postgresql-15'],
    [share, 'Debian package postgresql-15'],
    ['/usr/share/zoneinfo/UTC', 'Debian package tzdata'],
    ['/usr/lib/locale/C.utf8', 'Debian package libc-bin'],
  ] as const) {
    must(step, f, what);
  }
  const bins = await walkTree(bin);
  // JIT (llvmjit pulls in LLVM, 100 MB) is left out: PostgreSQL runs without it.
  const lib = await walkTree(path.join(pgRoot, 'lib'), (rel) => rel.startsWith('llvmjit') || rel === 'bitcode' || rel === 'pgxs');
  const trees = await Promise.all([walkTree(share), walkTree('/usr/share/zoneinfo'), walkTree('/usr/lib/locale/C.utf8')]);
  const elves: string[] = [];
  for (const f of [...bins.files, ...lib.files]) if (await isElf(f)) elves.push(f);
  const libs = await lddDeps(step, 'postgres', elves);
  const files = [...bins.files, ...lib.files, ...trees.flatMap((t) => t.files), ...libs];
  const links = [...bins.links, ...lib.links, ...trees.flatMap((t) => t.links)];
  const busybox = await busyboxRecipe;
  return unhashed('postgres', `fleet-testbed/postgres:${PG_VERSION}`, busybox, {
    accounts: accountsWith({ name: 'postgres', id: 999, gecos: 'PostgreSQL administrator', home: '/var/lib/postgresql' }),
    hostFiles: [...new Set(files)].map((f) => ({ src: f, dest: f })),
    hostLinks: await Promise.all(links.map(async (l) => ({ dest: l, target: await fsp.readlink(l) }))),
    content: [
      { path: '/usr/local/bin/docker-entrypoint.sh', data: fs.readFileSync(path.join(HERE, 'postgres', 'docker-entrypoint.sh')), mode: 0o755 },
      NSSWITCH,
      { path: '/docker-entrypoint-initdb.d/.keep', data: '', mode: 0o644 },
    ],
    dirs: [
      { path: '/var/lib/postgresql', mode: 0o755, uid: 999, gid: 999 },
      { path: '/var/lib/postgresql/data', mode: 0o700, uid: 999, gid: 999 },
      { path: '/var/run/postgresql', mode: 0o3777, uid: 999, gid: 999 },
    ],
    changes: [
      'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]',
      'CMD ["postgres"]',
      `ENV PATH=${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      'ENV LANG=C.UTF-8',
      'ENV PGDATA=/var/lib/postgresql/data',
      `ENV PG_MAJOR=${PG_VERSION}`,
      // As the official image: the client's exact version (the console reads it to know whether
      // its psql understands pg_dump's \restrict lines).
      `ENV PG_VERSION=${/\d+\.\d+/.exec(execFileSync(path.join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }))?.[0] ?? PG_VERSION}`,
      'VOLUME ["/var/lib/postgresql/data"]',
      'EXPOSE 5432',
      `LABEL ${LABEL}.image=postgres`,
    ],
  });
}

// ---------------------------------------------------------------- a reverse proxy (Debian's nginx)

async function nginxRecipe(busyboxRecipe: ImageRecipe | Promise<ImageRecipe>): Promise<TestImageRecipe> {
  const step = 'nginx image';
  const bin = '/usr/sbin/nginx';
  must(step, bin, 'Debian package nginx');
  must(step, '/etc/nginx/mime.types', 'Debian package nginx-common');
  const libs = await lddDeps(step, 'nginx', [bin]);
  const busybox = await busyboxRecipe;
  return unhashed('nginx', 'fleet-testbed/nginx:latest', busybox, {
    accounts: accountsWith(),
    hostFiles: [bin, '/etc/nginx/mime.types', ...libs].map((f) => ({ src: f, dest: f })),
    hostLinks: [],
    content: [
      { path: '/etc/nginx/nginx.conf', data: fs.readFileSync(path.join(HERE, 'nginx', 'nginx.conf')), mode: 0o644 },
      NSSWITCH,
    ],
    dirs: [
      { path: '/var/log/nginx', mode: 0o755, uid: 0, gid: 0 },
      { path: '/var/lib/nginx', mode: 0o755, uid: 0, gid: 0 },
      { path: '/run', mode: 0o755, uid: 0, gid: 0 },
    ],
    changes: [
      'ENTRYPOINT ["/usr/sbin/nginx", "-e", "stderr", "-c", "/etc/nginx/nginx.conf"]',
      `ENV ${PATH_ENV}`,
      'EXPOSE 8080',
      `LABEL ${LABEL}.image=nginx`,
    ],
  });
}

// ---------------------------------------------------------------- an HTTPS proxy (Debian's caddy)

/** The official image's default config, made small: a plain-HTTP answer on :80. */
const DEFAULT_CADDYFILE = ':80 {\n\trespond "fleet-testbed/caddy" 200\n}\n';
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** Debian's caddy with the official `caddy` image's contract (paths, XDG dirs, volumes, ports, CMD). */
async function caddyRecipe(busyboxRecipe: ImageRecipe | Promise<ImageRecipe>): Promise<TestImageRecipe> {
  const step = 'caddy image';
  const bin = '/usr/bin/caddy';
  must(step, bin, 'Debian package caddy');
  const libs = await lddDeps(step, 'caddy', [bin]);
  // The host's CA bundle when it has one (Debian package ca-certificates): Caddy reads it for outgoing TLS.
  const bundle = fs.existsSync(CA_BUNDLE) ? [CA_BUNDLE] : [];
  const busybox = await busyboxRecipe;
  return unhashed('caddy', 'fleet-testbed/caddy:latest', busybox, {
    accounts: accountsWith(),
    hostFiles: [bin, ...bundle, ...libs].map((f) => ({ src: f, dest: f })),
    hostLinks: [],
    content: [{ path: '/etc/caddy/Caddyfile', data: DEFAULT_CADDYFILE, mode: 0o644 }, NSSWITCH],
    dirs: ['/config', '/data', '/srv', '/etc/ssl/certs'].map((p) => ({ path: p, mode: 0o755, uid: 0, gid: 0 })),
    changes: [
      'CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]',
      `ENV ${PATH_ENV}`,
      'ENV XDG_CONFIG_HOME=/config',
      'ENV XDG_DATA_HOME=/data',
      'VOLUME ["/config", "/data"]',
      'EXPOSE 80 443 2019',
      'WORKDIR /srv',
      `LABEL ${LABEL}.image=caddy`,
    ],
  });
}

// ---------------------------------------------------------------- hashing, building, importing

async function hashRecipe(r: TestImageRecipe): Promise<TestImageRecipe> {
  const h = crypto.createHash('sha256');
  h.update(`test image recipe ${RECIPE_VERSION} ${r.name}\n${r.busybox.tag}\n${r.accounts.passwd}${r.accounts.group}${r.changes.join('\n')}\n`);
  for (const f of r.hostFiles) {
    const st = await fsp.stat(f.src);
    h.update(`file ${f.src} ${f.dest} ${st.size} ${st.mtimeMs}\n`);
  }
  for (const l of r.hostLinks) h.update(`link ${l.dest} ${l.target}\n`);
  for (const c of r.content) h.update(`content ${c.path} ${c.mode} ${c.uid ?? 0} ${c.gid ?? 0}\n`).update(c.data);
  for (const d of r.dirs) h.update(`dir ${d.path} ${d.mode} ${d.uid} ${d.gid}\n`);
  const hash = h.digest('hex').slice(0, 12);
  return { ...r, hash, tag: `fleet-testbed/${r.name}:${hash}` };
}

/** The recipes of the test images (tags included); cheap enough to compute at every testbed start. */
export async function testImageRecipes(busybox: ImageRecipe | Promise<ImageRecipe>): Promise<Record<TestImageName, TestImageRecipe>> {
  const [odoo, postgres, nginx, caddy] = await Promise.all(
    [odooRecipe, postgresRecipe, nginxRecipe, caddyRecipe].map((recipe) => recipe(busybox).then(hashRecipe)),
  );
  return { odoo: odoo!, postgres: postgres!, nginx: nginx!, caddy: caddy! };
}

/** Hard link when possible (same filesystem, nothing copied), else copy. */
async function linkOrCopy(src: string, dest: string): Promise<void> {
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  const real = await fsp.realpath(src);
  try {
    await fsp.link(real, dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    await fsp.copyFile(real, dest);
  }
}

export function cachedTarball(r: TestImageRecipe): string {
  return path.join(IMAGE_CACHE_DIR, `${r.name}-${r.hash}.tar`);
}

/** Builds the rootfs tarball into the cache (staging under `workDir`); removes older tarballs of that image. */
async function buildTarball(r: TestImageRecipe, workDir: string): Promise<string> {
  const step = `${r.name} image: build`;
  const rootfs = path.join(workDir, `${r.name}-rootfs`);
  const out = cachedTarball(r);
  await fsp.rm(rootfs, { recursive: true, force: true });
  try {
    await populateBusyboxRootfs(rootfs, r.busybox, r.accounts);
    await Promise.all(r.hostFiles.map((f) => linkOrCopy(f.src, path.join(rootfs, f.dest))));
    for (const l of r.hostLinks) {
      const dest = path.join(rootfs, l.dest);
      await fsp.mkdir(path.dirname(dest), { recursive: true });
      await fsp.symlink(l.target, dest).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
    }
    for (const d of r.dirs) {
      const full = path.join(rootfs, d.path);
      await fsp.mkdir(full, { recursive: true });
      await fsp.chown(full, d.uid, d.gid);
      await fsp.chmod(full, d.mode);
    }
    for (const c of r.content) {
      const full = path.join(rootfs, c.path);
      await fsp.mkdir(path.dirname(full), { recursive: true });
      await fsp.writeFile(full, c.data);
      await fsp.chown(full, c.uid ?? 0, c.gid ?? 0);
      await fsp.chmod(full, c.mode);
    }
    await fsp.mkdir(IMAGE_CACHE_DIR, { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    await run('tar', ['--numeric-owner', '--sort=name', '-C', rootfs, '-cf', tmp, '.'], { step: `${step}: tar`, timeoutMs: 300_000 });
    await fsp.rename(tmp, out);
  } finally {
    await removeTree(rootfs).catch(() => undefined);
  }
  for (const f of await fsp.readdir(IMAGE_CACHE_DIR)) {
    if (f.startsWith(`${r.name}-`) && f.endsWith('.tar') && path.join(IMAGE_CACHE_DIR, f) !== out) {
      await fsp.rm(path.join(IMAGE_CACHE_DIR, f), { force: true });
    }
  }
  return out;
}

export interface TestImageStats {
  /** Images whose rootfs tarball was built (not found in the cache). */
  built: TestImageName[];
  /** Per daemon socket: the images imported (the daemon lacked the tag). */
  imported: Record<string, TestImageName[]>;
  /** Milliseconds per phase (informational). */
  ms: Record<string, number>;
}

/**
 * The tarballs, each built (or read from the cache) at most once however many daemons need it. `stats`
 * records what was built.
 */
export function testImageTarballs(workDir: string, stats: TestImageStats, log: Log): (r: TestImageRecipe) => Promise<Buffer> {
  const pending = new Map<TestImageName, Promise<Buffer>>();
  // One build at a time: each rootfs hard-links host files (libcrypto, python…), and linking or
  // unlinking one changes the shared inode's ctime, which makes another build's tar fail with
  // "file changed as we read it".
  let builds: Promise<unknown> = Promise.resolve();
  return (r) => {
    let p = pending.get(r.name);
    if (!p) {
      p = (async () => {
        let file = cachedTarball(r);
        if (!fs.existsSync(file)) {
          const start = Date.now();
          log(`building ${r.tag} (rootfs tarball ${file})`);
          const build = builds.then(() => buildTarball(r, workDir));
          builds = build.catch(() => undefined);
          file = await build;
          stats.built.push(r.name);
          stats.ms[`build ${r.name}`] = Date.now() - start;
        }
        return fsp.readFile(file);
      })();
      pending.set(r.name, p);
    }
    return p;
  };
}

/** Makes the daemon hold both images under their hash tags and alias tags; imports only what is missing. */
export async function ensureTestImages(
  socket: string,
  recipes: Record<TestImageName, TestImageRecipe>,
  tarball: (r: TestImageRecipe) => Promise<Buffer>,
  stats: TestImageStats,
  log: Log,
): Promise<void> {
  stats.imported[socket] ??= [];
  await Promise.all(
    Object.values(recipes).map(async (r) => {
      if (!(await imageExists(socket, r.tag))) {
        const data = await tarball(r);
        const start = Date.now();
        log(`importing ${r.tag} into ${socket}`);
        await importImage(socket, r.tag, r.changes, data);
        stats.imported[socket]!.push(r.name);
        stats.ms[`import ${r.name} ${socket}`] = Date.now() - start;
      }
      const [repo, alias] = r.aliasTag.split(':');
      const res = await dockerRequest(socket, 'POST', `/images/${encodeURIComponent(r.tag)}/tag?repo=${encodeURIComponent(repo!)}&tag=${alias!}`);
      if (res.status !== 201 && res.status !== 200) throw stepError(`tag ${r.aliasTag} on ${socket}`, `answered ${res.status}: ${res.body}`);
    }),
  );
}

/** Removes older hash tags of the test images from a daemon (best effort; images in use stay). */
export async function pruneOldTestImages(socket: string, recipes: Record<TestImageName, TestImageRecipe>): Promise<void> {
  for (const r of Object.values(recipes)) {
    const repo = r.tag.split(':')[0]!;
    const filter = encodeURIComponent(JSON.stringify({ reference: [repo] }));
    const res = await dockerRequest(socket, 'GET', `/images/json?filters=${filter}`);
    if (res.status !== 200) continue;
    for (const img of JSON.parse(res.body) as Array<{ RepoTags?: string[] | null }>) {
      for (const t of img.RepoTags ?? []) {
        if (t !== r.tag && t !== r.aliasTag && t.startsWith(`${repo}:`)) await dockerRequest(socket, 'DELETE', `/images/${encodeURIComponent(t)}`).catch(() => undefined);
      }
    }
  }
}

export function newTestImageStats(): TestImageStats {
  return { built: [], imported: {}, ms: {} };
}
