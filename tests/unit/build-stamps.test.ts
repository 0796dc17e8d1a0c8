import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILD_PARTS, isCurrent, partDigest, recordBuilt, type BuildPart } from '../../scripts/build-stamps.mjs';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

/** A small tree with every part's inputs and outputs, as the build leaves it. */
function tree(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-stamps-'));
  roots.push(root);
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  for (const file of ['package.json', 'package-lock.json', 'vite.config.ts', 'electron/pos/terminal.ts', 'shared/pos/taxes.ts', 'renderer/src/main.tsx', 'pos-shell/src/main.tsx', 'ui-common/base.css']) write(file, `// ${file}\n`);
  for (const part of Object.keys(BUILD_PARTS) as BuildPart[]) write(BUILD_PARTS[part].output, 'built');
  return root;
}

const built = (root: string) => (Object.keys(BUILD_PARTS) as BuildPart[]).forEach((part) => recordBuilt(root, part, partDigest(root, part)));
const current = (root: string) => (Object.keys(BUILD_PARTS) as BuildPart[]).filter((part) => isCurrent(root, part, partDigest(root, part)));

describe('build stamps: a part is rebuilt only when what it is made from changed', () => {
  it('keeps every part after a build, and a changed selling page only stales the POS UI', () => {
    const root = tree();
    expect(current(root)).toEqual([]);
    built(root);
    expect(current(root)).toEqual(['node', 'renderer', 'pos']);
    fs.appendFileSync(path.join(root, 'pos-shell/src/main.tsx'), '// changed\n');
    expect(current(root)).toEqual(['node', 'renderer']);
  });

  it('stales the parts that share a changed file, a new file, the locked dependencies, or a missing output', () => {
    const root = tree();
    built(root);
    fs.appendFileSync(path.join(root, 'shared/pos/taxes.ts'), '// changed\n');
    expect(current(root)).toEqual([]);
    built(root);
    fs.writeFileSync(path.join(root, 'ui-common/new.ts'), 'export {};\n');
    expect(current(root)).toEqual(['node']);
    built(root);
    fs.appendFileSync(path.join(root, 'package-lock.json'), ' ');
    expect(current(root)).toEqual([]);
    built(root);
    fs.rmSync(path.join(root, BUILD_PARTS.renderer.output));
    expect(current(root)).toEqual(['node', 'pos']);
  });
});
