import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HostStore } from '../../electron/hosts/host-store.js';
import { SshConfigImporter } from '../../electron/hosts/ssh-import.js';
import { thrownFleetError } from '../support/console.js';

// The UIs may import hosts only from files under ~/.ssh: an Include (absolute, relative with '..',
// '~', a glob) or a symbolic link must not lead the import to read, or quote, any other file.

let root: string;
let home: string;
let sshDir: string;
let outsideFile: string;
const OUTSIDE_MARK = '10.66.66.66';

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-ssh-confine-'));
  home = path.join(root, 'home');
  sshDir = path.join(home, '.ssh');
  fs.mkdirSync(path.join(sshDir, 'conf.d'), { recursive: true });
  fs.mkdirSync(path.join(root, 'elsewhere'));
  outsideFile = path.join(root, 'elsewhere', 'secret.conf');
  fs.writeFileSync(outsideFile, `Host leaked\n  HostName ${OUTSIDE_MARK}\n`);
  fs.writeFileSync(path.join(home, 'in-home.conf'), `Host fromhome\n  HostName ${OUTSIDE_MARK}\n`);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const importer = () => new SshConfigImporter({ homeDir: home, localUser: 'u', store: { list: () => [] } as unknown as HostStore });

/** The directives first (outside any Host block, so what they include applies), then one host. */
function writeConfig(lines: string[]): void {
  fs.writeFileSync(path.join(sshDir, 'config'), [...lines, 'Host inside', '  HostName 10.0.0.1', ''].join('\n'));
}

describe('SSH config import from the UIs stays under ~/.ssh', () => {
  const directives = {
    'an absolute path': () => `Include ${outsideFile}`,
    "a relative path with '..'": () => 'Include ../../elsewhere/secret.conf',
    'a glob': () => `Include ${path.join(root, 'elsewhere')}/*.conf`,
    "'~'": () => 'Include ~/in-home.conf',
  };
  for (const [kind, directive] of Object.entries(directives)) {
    it(`refuses an Include through ${kind}, naming the directive and quoting nothing of the other file`, () => {
      writeConfig([directive()]);
      for (const configPath of [undefined, 'config']) {
        const error = thrownFleetError(() => importer().candidates(configPath));
        expect(error.code).toBe('VALIDATION');
        expect(error.message).toContain(`"${directive()}"`);
        expect(error.message).toContain(`${path.join(sshDir, 'config')} line 1`);
        expect(JSON.stringify(error.toData())).not.toContain(OUTSIDE_MARK);
      }
    });
  }

  it('refuses a symbolic link inside ~/.ssh that points outside, for an included file and the main file', () => {
    fs.symlinkSync(outsideFile, path.join(sshDir, 'conf.d', 'link.conf'));
    writeConfig(['Include conf.d/*']);
    const included = thrownFleetError(() => importer().candidates());
    expect(included).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('"Include conf.d/*"') });

    fs.rmSync(path.join(sshDir, 'config'));
    fs.symlinkSync(outsideFile, path.join(sshDir, 'config'));
    for (const configPath of [undefined, 'config', '~/.ssh/config']) {
      const main = thrownFleetError(() => importer().candidates(configPath));
      expect(main.code).toBe('VALIDATION');
      expect(main.message).toContain('outside');
      expect(JSON.stringify(main.toData())).not.toContain(OUTSIDE_MARK);
    }
  });

  it('still follows Includes that stay under ~/.ssh, links within it included', () => {
    fs.writeFileSync(path.join(sshDir, 'conf.d', 'shop.conf'), 'Host shop\n  HostName 10.0.0.2\n');
    fs.writeFileSync(path.join(sshDir, 'real.conf'), 'Host linked\n  HostName 10.0.0.3\n');
    fs.symlinkSync(path.join(sshDir, 'real.conf'), path.join(sshDir, 'conf.d', 'linked.conf'));
    writeConfig(['Include conf.d/*.conf', 'Include conf.d/missing.conf']);
    expect(importer().candidates('config').map((c) => [c.alias, c.hostName])).toEqual([
      ['linked', '10.0.0.3'],
      ['shop', '10.0.0.2'],
      ['inside', '10.0.0.1'],
    ]);
  });

  it('leaves the CLI (anyPath) free to follow any Include and link', () => {
    writeConfig([`Include ${outsideFile}`, 'Include ~/in-home.conf']);
    expect(importer().candidates(path.join(sshDir, 'config'), { anyPath: true }).map((c) => c.alias)).toEqual(['leaked', 'fromhome', 'inside']);
    fs.rmSync(path.join(sshDir, 'config'));
    fs.symlinkSync(outsideFile, path.join(sshDir, 'config'));
    expect(importer().candidates(undefined, { anyPath: true }).map((c) => c.alias)).toEqual(['leaked']);
  });
});
