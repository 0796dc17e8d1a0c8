import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { CSP_META } from './shared/csp.js';

// Two UIs, one config:
//   npx vite build              -> renderer/  (Fleet Console) into dist/renderer
//   npx vite build --mode pos   -> pos-shell/ (Fleet POS)     into dist/pos-shell
// base './' makes every asset URL relative, so one bundle loads from the web server and from
// Electron alike. Nothing is inlined into index.html (strict CSP: script-src/style-src 'self').
const repo = fileURLToPath(new URL('.', import.meta.url));
const at = (p: string) => fileURLToPath(new URL(p, new URL('.', import.meta.url)));

// The web server's policy as a <meta> tag, for the Electron window (file:// has no headers).
// Build only: the dev server's React Refresh preamble is an inline script.
function cspMeta(): Plugin {
  return {
    name: 'fleet-csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP_META }, injectTo: 'head-prepend' }],
    },
  };
}

// The console's entry (renderer/src/main.tsx) sends its first calls and then imports the UI
// (app/start.tsx) dynamically. Preloading that chunk and what it imports from the page itself lets
// the UI's code download while the entry runs and its calls travel, instead of after it. A plain
// preload only fetches: a modulepreload would also compile the chunk at once, on the main thread,
// holding up the small entry behind it.
function preloadDynamicEntry(): Plugin {
  return {
    name: 'fleet-preload-dynamic-entry',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, { bundle, chunk }) {
        if (!bundle || !chunk) return [];
        const files = new Set<string>();
        const add = (fileName: string) => {
          const found = bundle[fileName];
          if (files.has(fileName) || fileName === chunk.fileName || chunk.imports.includes(fileName) || found?.type !== 'chunk') return;
          files.add(fileName);
          found.imports.forEach(add);
        };
        chunk.dynamicImports.forEach(add);
        return [...files].map((file) => ({ tag: 'link', attrs: { rel: 'preload', as: 'script', crossorigin: true, href: `./${file}` }, injectTo: 'head' as const }));
      },
    },
  };
}

// Fleet POS's service worker (pos mode only): pos-shell/src/sw.ts bundled on its own into /sw.js
// once Vite has written the build, with workbox's precache list of every file written (hashed
// assets need no revision; index.html, the manifest and icons get an md5 of their content). One
// classic script, no inline code: it runs under the strict CSP like the rest.
function posServiceWorker(): Plugin {
  let outDir = '';
  const list = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? list(full) : [path.relative(outDir, full).split(path.sep).join('/')];
    });
  return {
    name: 'fleet-pos-service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async closeBundle(error?: Error) {
      if (error || !fs.existsSync(path.join(outDir, 'index.html'))) return;
      const precache = list(outDir)
        .filter((file) => file !== 'sw.js' && !file.endsWith('.map'))
        .sort()
        .map((url) => ({ url, revision: url.startsWith('assets/') ? null : crypto.createHash('md5').update(fs.readFileSync(path.join(outDir, url))).digest('hex') }));
      const esbuild = await import('esbuild');
      await esbuild.build({
        entryPoints: [at('pos-shell/src/sw.ts')],
        outfile: path.join(outDir, 'sw.js'),
        bundle: true,
        format: 'iife',
        target: 'chrome120',
        minify: true,
        legalComments: 'none',
        logLevel: 'warning',
        define: { 'process.env.NODE_ENV': '"production"', __FLEET_PRECACHE__: JSON.stringify(precache) },
      });
    },
  };
}

export default defineConfig(({ mode }) => {
  const pos = mode === 'pos';
  return {
    root: at(pos ? 'pos-shell' : 'renderer'),
    base: './',
    plugins: [react(), cspMeta(), ...(pos ? [posServiceWorker()] : [preloadDynamicEntry()])],
    build: {
      outDir: at(pos ? 'dist/pos-shell' : 'dist/renderer'),
      emptyOutDir: true,
      // Electron 41 and current Chromium: no legacy transforms, no modulepreload polyfill.
      target: 'chrome120',
      modulePreload: { polyfill: false },
      // Keep small assets as files, never data: URIs (CSP).
      assetsInlineLimit: 0,
      reportCompressedSize: true,
    },
    server: {
      // The UIs import ../shared from outside their root.
      fs: { allow: [repo] },
    },
  };
});
