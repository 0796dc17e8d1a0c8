import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { buildPosServiceWorker } from './scripts/pos-service-worker.js';
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

// Fleet POS's page starts with a small entry that imports the rest (pos-shell/src/mount.tsx) once
// it has opened the link to the terminal: a modulepreload of that chunk in index.html (pos mode
// only) fetches and compiles it alongside the entry instead of after it.
function preloadPosMount(): Plugin {
  return {
    name: 'fleet-pos-preload-mount',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: (_html, context) => {
        const mount = Object.values(context.bundle ?? {}).find((output) => output.type === 'chunk' && output.facadeModuleId === at('pos-shell/src/mount.tsx'));
        if (!mount) throw new Error('no chunk for pos-shell/src/mount.tsx');
        return [{ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${mount.fileName}` }, injectTo: 'head' }];
      },
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

// Fleet POS's service worker (pos mode only), built once Vite has written the UI
// (scripts/pos-service-worker.ts).
function posServiceWorker(): Plugin {
  let outDir = '';
  return {
    name: 'fleet-pos-service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async closeBundle(error?: Error) {
      if (error || !fs.existsSync(path.join(outDir, 'index.html'))) return;
      await buildPosServiceWorker(outDir);
    },
  };
}

export default defineConfig(({ mode }) => {
  const pos = mode === 'pos';
  return {
    root: at(pos ? 'pos-shell' : 'renderer'),
    base: './',
    plugins: [react(), cspMeta(), ...(pos ? [preloadPosMount(), posServiceWorker()] : [preloadDynamicEntry()])],
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
