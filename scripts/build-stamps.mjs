// What a build was made from: one digest of its inputs' paths and contents per part (the Node
// bundles, each UI), kept beside the output. `npm run pos` and `npm start` rebuild a part only
// when its digest changed or its output is missing, so starting the terminal again takes no build.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** What each part is built from (folders walked whole) and the file that proves its output is there. */
export const BUILD_PARTS = {
  node: { inputs: ['electron', 'shared'], output: 'dist/node/cli.mjs' },
  renderer: { inputs: ['renderer', 'ui-common', 'shared', 'resources'], output: 'dist/renderer/index.html' },
  pos: { inputs: ['pos-shell', 'ui-common', 'shared', 'resources', 'scripts/pos-service-worker.ts'], output: 'dist/pos-shell/index.html' },
};

/** Files every part depends on: the build itself, its configuration and the locked dependencies. */
const COMMON_INPUTS = ['package.json', 'package-lock.json', 'scripts/build.mjs', 'scripts/build-stamps.mjs', 'vite.config.ts', 'tsconfig.json', 'tsconfig.base.json'];

const STAMP_FILE = 'dist/build-stamps.json';

export function partDigest(root, part) {
  const hash = crypto.createHash('sha256');
  for (const file of [...COMMON_INPUTS, ...BUILD_PARTS[part].inputs].flatMap((p) => filesUnder(root, p)).sort()) {
    hash.update(`${file}\0`);
    hash.update(fs.readFileSync(path.join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Whether `part` was built from exactly these inputs and its output is still there. */
export function isCurrent(root, part, digest) {
  return readStamps(root)[part] === digest && fs.existsSync(path.join(root, BUILD_PARTS[part].output));
}

/** Recorded only once the part's build succeeded. */
export function recordBuilt(root, part, digest) {
  const stamps = { ...readStamps(root), [part]: digest };
  fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(root, STAMP_FILE), `${JSON.stringify(stamps, null, 2)}\n`);
}

function readStamps(root) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, STAMP_FILE), 'utf8'));
  } catch {
    return {};
  }
}

/** Files under a path (itself if a file), relative to root; dot-files and node_modules left out. */
function filesUnder(root, relative) {
  const full = path.join(root, relative);
  if (!fs.existsSync(full)) return [];
  if (!fs.statSync(full).isDirectory()) return [relative];
  return fs
    .readdirSync(full, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.') && entry.name !== 'node_modules')
    .flatMap((entry) => filesUnder(root, path.join(relative, entry.name)));
}
