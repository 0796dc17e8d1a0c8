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

const binary = web ? null : electronBinary();
if (!web && !binary) process.stdout.write(`Electron binary not installed (it cannot be downloaded here): starting ${program === 'pos' ? 'Fleet POS' : 'the console'} in web mode instead.\n`);
const server = program === 'pos' ? 'serve-pos.mjs' : 'serve.mjs';
// The console's Electron entry is the package's main; the POS's is its own script.
const electronArgs = program === 'pos' ? [path.join(root, 'dist', 'node', 'pos-main.mjs')] : [root];
const child = binary
  ? spawn(binary, [...electronArgs, ...rest], { stdio: 'inherit' })
  : spawn(process.execPath, [path.join(root, 'dist', 'node', server), ...rest.filter((a) => a !== '--web')], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
