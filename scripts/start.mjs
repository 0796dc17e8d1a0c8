// `npm start` (console), `npm run serve` (console, web mode), `npm run pos` (POS).
// Opens the Electron app when its binary is installed; otherwise says so in one line and
// starts the same services in web mode.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from './build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [program = 'console', ...rest] = process.argv.slice(2);
const web = rest.includes('--web');

await build();

function electronBinary() {
  try {
    const binary = createRequire(import.meta.url)('electron');
    return typeof binary === 'string' && fs.existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

// The POS's Electron window is not built yet: it always runs in web mode for now.
const binary = web || program === 'pos' ? null : electronBinary();
if (!web && !binary) process.stdout.write(program === 'pos' ? 'Fleet POS runs in web mode (its Electron window is not built yet).\n' : 'Electron binary not installed (it cannot be downloaded here): starting the web console instead.\n');
const server = program === 'pos' ? 'serve-pos.mjs' : 'serve.mjs';
const child = binary
  ? spawn(binary, [root, ...rest], { stdio: 'inherit' })
  : spawn(process.execPath, [path.join(root, 'dist', 'node', server), ...rest.filter((a) => a !== '--web')], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
