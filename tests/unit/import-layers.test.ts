import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The layer table of eslint.config.js, through ESLint itself with the project's config: each
// fixture (tests/fixtures/import-layers/) is linted as if it sat at `at`, so nothing is added to
// the folders it stands for, and must fail fleet/import-layers — or pass it.

const repo = path.resolve(import.meta.dirname, '..', '..');
const fixtures = path.join(repo, 'tests', 'fixtures', 'import-layers');
const RULE = 'fleet/import-layers';

interface Case {
  fixture: string;
  at: string;
  /** What the one message names (forbidden cases). */
  says?: RegExp;
}

const forbidden: Case[] = [
  { fixture: 'ui-docker-modem.ts', at: 'renderer/src/lib', says: /renderer\/ may not import the package docker-modem/ },
  { fixture: 'ui-docker-modem.ts', at: 'ui-common', says: /ui-common\/ may not import the package docker-modem/ },
  { fixture: 'ui-commander.ts', at: 'pos-shell/src/sell', says: /pos-shell\/ may not import the package commander/ },
  { fixture: 'ui-node-fs.ts', at: 'renderer/src', says: /the package node:fs/ },
  { fixture: 'ui-node-fs.ts', at: 'pos-shell/src', says: /the package node:fs/ },
  { fixture: 'ui-bare-fs.ts', at: 'renderer/src', says: /the package node:fs \('fs'\)/ },
  { fixture: 'shared-electron-updater.ts', at: 'shared', says: /shared\/ may not import the package electron-updater/ },
  { fixture: 'shared-electron-updater.ts', at: 'shared/pos', says: /shared\/pos\/ may not import the package electron-updater/ },
  { fixture: 'pos-shell-renderer.ts', at: 'pos-shell/src', says: /pos-shell\/ may not import renderer\// },
  { fixture: 'ssh-tenants.ts', at: 'electron/ssh', says: /electron\/ssh\/ may not import electron\/tenants\// },
  { fixture: 'ui-dynamic-import.ts', at: 'renderer/src', says: /the package commander \('commander'\)/ },
  { fixture: 'ssh-reexports-tenants.ts', at: 'electron/ssh', says: /electron\/ssh\/ may not import electron\/tenants\// },
  { fixture: 'ssh-tenants-types.ts', at: 'electron/ssh', says: /electron\/ssh\/ may not import electron\/tenants\// },
  { fixture: 'backup-tenants.ts', at: 'electron/backup', says: /electron\/backup\/ may not import electron\/tenants\// },
  { fixture: 'service-electron.ts', at: 'electron/tenants', says: /the package electron \('electron'\)/ },
  { fixture: 'service-electron.ts', at: 'electron', says: /electron\/\* may not import the package electron/ },
  { fixture: 'service-electron.ts', at: 'electron/api', says: /the package electron \('electron'\)/ },
  { fixture: 'pg-client.ts', at: 'electron/tenants', says: /only the types of pg/ },
  { fixture: 'pg-over-ssh.ts', at: 'electron/tenants', says: /electron\/postgres\/pg-over-ssh is private to electron\/postgres\// },
  { fixture: 'no-layer.ts', at: 'electron/stray', says: /electron\/stray\/ is in no layer/ },
  ...['electron/common', 'electron/app', 'shared', 'renderer/src', 'tests/unit', 'bench', 'scripts', 'bin'].map((at) => ({
    fixture: 'unlisted-package.ts',
    at,
    says: /may not import the package left-pad/,
  })),
];

const allowed: Case[] = [
  { fixture: 'ui-allowed.tsx', at: 'renderer/src/pages' },
  { fixture: 'ui-allowed.tsx', at: 'pos-shell/src/sell' },
  { fixture: 'tenants-allowed.ts', at: 'electron/tenants' },
  { fixture: 'app-electron.ts', at: 'electron/app' },
  { fixture: 'pg-over-ssh.ts', at: 'electron/postgres' },
];

describe('the import layer table (fleet/import-layers)', () => {
  let eslint: ESLint;
  beforeAll(() => {
    eslint = new ESLint({ cwd: repo });
  });

  async function lint({ fixture, at }: Case) {
    const code = fs.readFileSync(path.join(fixtures, fixture), 'utf8');
    const filePath = path.join(repo, at, `__fixture__${path.extname(fixture)}`);
    const [result] = await eslint.lintText(code, { filePath });
    expect(result!.messages.filter((m) => m.fatal), 'the fixture parses').toEqual([]);
    return result!.messages;
  }

  for (const c of forbidden) {
    it(`refuses ${c.fixture} in ${c.at}/`, async () => {
      const messages = await lint(c);
      expect(messages.map((m) => m.ruleId)).toEqual([RULE]);
      expect(messages[0]!.message).toMatch(c.says!);
      expect(messages[0]!.message).toContain(RULE);
    });
  }

  for (const c of allowed) {
    it(`accepts ${c.fixture} in ${c.at}/`, async () => {
      expect(await lint(c)).toEqual([]);
    });
  }

  it('names what the layer may import', async () => {
    const [message] = await lint({ fixture: 'ssh-tenants.ts', at: 'electron/ssh' });
    expect(message!.message).toMatch(/it may import only: electron\/common\/, shared\/, ssh2, node:\{[a-z,]+\}/);
  });

  it('keeps electron/ in layers: each folder imports only folders listed above it, so no cycle', async () => {
    const config = (await import(pathToFileURL(path.join(repo, 'eslint.config.js')).href)) as { layers: Record<string, { folders?: string[] }> };
    const order = Object.keys(config.layers).filter((key) => key.startsWith('electron/'));
    for (const [index, key] of order.entries()) {
      // A private module ('electron/postgres/pg-over-ssh') counts as its folder.
      const below = order.slice(0, index);
      const upward = (config.layers[key]!.folders ?? []).filter((folder) => folder.startsWith('electron/') && !below.some((k) => folder === k || (k.endsWith('/') && folder.startsWith(k))));
      expect(upward, `${key} imports`).toEqual([]);
    }
  });

  it('is not fooled by the fixtures themselves: plain `eslint .` leaves them out', async () => {
    expect(await eslint.isPathIgnored(path.join(fixtures, 'ssh-tenants.ts'))).toBe(true);
  });
});
