// Fleet POS's service worker: pos-shell/src/sw.ts bundled on its own into <outDir>/sw.js, with
// workbox's precache list of every file in outDir (hashed assets need no revision; index.html, the
// manifest and icons get an md5 of their content). One classic script, no inline code: it runs
// under the strict CSP like the rest. Vite's pos-mode build calls it once the UI is written
// (vite.config.ts); bench:pos calls it again on its copy of the UI, which holds one more page.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SW_SOURCE = fileURLToPath(new URL('../pos-shell/src/sw.ts', import.meta.url));

/** Every file under outDir but the service worker itself and source maps, relative, '/'-separated, sorted. */
function precacheList(outDir: string): Array<{ url: string; revision: string | null }> {
  const list = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? list(full) : [path.relative(outDir, full).split(path.sep).join('/')];
    });
  return list(outDir)
    .filter((file) => file !== 'sw.js' && !file.endsWith('.map'))
    .sort()
    .map((url) => ({ url, revision: url.startsWith('assets/') ? null : crypto.createHash('md5').update(fs.readFileSync(path.join(outDir, url))).digest('hex') }));
}

export async function buildPosServiceWorker(outDir: string): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [SW_SOURCE],
    outfile: path.join(outDir, 'sw.js'),
    bundle: true,
    format: 'iife',
    target: 'chrome120',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"', __FLEET_PRECACHE__: JSON.stringify(precacheList(outDir)) },
  });
}
