#!/usr/bin/env node
// `npm run typecheck`: `tsc --noEmit` for each runtime's config that tsconfig.json references
// (shared/ with no runtime, the UIs with the DOM, electron/ with Node, tests, bench, scripts),
// as many at once as the machine has cores. Prints each config's errors; exits 1 if any has one.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const solution = ts.parseConfigFileTextToJson('tsconfig.json', fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8')).config;
const configs = solution.references.map((reference) => reference.path.replace(/^\.\//, ''));

function check(config) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '-p', config, '--noEmit', '--pretty'], { cwd: root });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => {
      console.log(`${config}: ${code === 0 ? 'ok' : 'errors'}`);
      if (code !== 0) process.stdout.write(output);
      resolve(code === 0);
    });
  });
}

const queue = [...configs];
const workers = Array.from({ length: Math.min(os.availableParallelism(), configs.length) }, async () => {
  let ok = true;
  while (queue.length > 0) ok = (await check(queue.shift())) && ok;
  return ok;
});
process.exit((await Promise.all(workers)).every(Boolean) ? 0 : 1);
