// Builds everything a face needs: the Node-side bundles (CLI, web mode, Electron main, preload)
// with esbuild, and the two UIs with Vite — each only when its inputs changed (build-stamps.mjs).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isCurrent, partDigest, recordBuilt } from './build-stamps.mjs';
import { ensureDeps } from './ensure-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function build({ ui = true, force = process.env.FLEET_FORCE_BUILD === '1' } = {}) {
  ensureDeps();
  const parts = ui ? ['node', 'renderer', 'pos'] : ['node'];
  const stale = parts.map((part) => ({ part, digest: partDigest(root, part) })).filter(({ part, digest }) => force || !isCurrent(root, part, digest));
  for (const { part, digest } of stale) {
    await buildPart(part);
    recordBuilt(root, part, digest);
  }
  const fresh = parts.filter((part) => !stale.some((s) => s.part === part));
  if (fresh.length) process.stdout.write(`Build: ${fresh.join(', ')} unchanged since the last build, not rebuilt (FLEET_FORCE_BUILD=1 rebuilds).\n`);
}

async function buildPart(part) {
  if (part === 'node') return buildNode();
  const args = part === 'pos' ? ['build', '--mode', 'pos'] : ['build'];
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), ...args, '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`vite ${args.join(' ')} failed`);
}

async function buildNode() {
  const esbuild = await import('esbuild');
  const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', absWorkingDir: root };
  await Promise.all([
    esbuild.build({
      ...common,
      format: 'esm',
      packages: 'external',
      entryPoints: { cli: 'electron/cli/main.ts', serve: 'electron/serve.ts', 'serve-pos': 'electron/serve-pos.ts', main: 'electron/app/main.ts', 'pos-main': 'electron/app/pos-main.ts' },
      outdir: 'dist/node',
      outExtension: { '.js': '.mjs' },
    }),
    // A sandboxed preload must be one CommonJS file that requires nothing but 'electron'.
    esbuild.build({ ...common, format: 'cjs', external: ['electron'], entryPoints: { preload: 'electron/app/preload.ts' }, outdir: 'dist/node', outExtension: { '.js': '.cjs' } }),
  ]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  build().catch((error) => {
    process.stderr.write(`build failed: ${error.message}\n`);
    process.exit(1);
  });
}
