#!/usr/bin/env node
// The `odoo-fleet` command: runs the built CLI, building it first on a fresh checkout.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'node', 'cli.mjs');
if (!fs.existsSync(cli)) {
  const { build } = await import(pathToFileURL(path.join(root, 'scripts', 'build.mjs')).href);
  await build({ ui: false });
}
await import(pathToFileURL(cli).href);
