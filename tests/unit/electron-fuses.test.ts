import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import afterPack, { packedBinary, releaseFuses, type PackContext } from '../../scripts/electron-fuses.mjs';

// Release builds flip Electron's fuses in an afterPack hook. Electron's binary cannot be fetched
// here, so the hook runs, with the real @electron/fuses, on a stand-in binary holding a fuse wire.

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'; // @electron/fuses' marker before the wire
const WIRE = ['RunAsNode', 'EnableCookieEncryption', 'EnableNodeOptionsEnvironmentVariable', 'EnableNodeCliInspectArguments', 'EnableEmbeddedAsarIntegrityValidation', 'OnlyLoadAppFromAsar', 'LoadBrowserProcessSpecificV8Snapshot', 'GrantFileProtocolExtraPrivileges'];
const ELECTRON_DEFAULTS = '11110001';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-fuses-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function standInBinary(file: string): void {
  fs.writeFileSync(file, Buffer.concat([Buffer.from('ELF…code…'), Buffer.from(SENTINEL), Buffer.from([1, WIRE.length]), Buffer.from(ELECTRON_DEFAULTS), Buffer.from('…more code')]));
}

/** The wire as fuse name -> on/off, read back from the file. */
function readWire(file: string): Record<string, boolean> {
  const bytes = fs.readFileSync(file);
  const at = bytes.indexOf(SENTINEL) + SENTINEL.length + 2;
  return Object.fromEntries(WIRE.map((name, i) => [name, bytes[at + i] === '1'.charCodeAt(0)]));
}

const linuxContext = (appId: string, asar: unknown = true): PackContext => ({
  appOutDir: dir,
  electronPlatformName: 'linux',
  packager: { executableName: 'odoo-fleet', appInfo: { productFilename: 'Fleet Console' }, config: { appId, asar } },
});

describe('release builds flip Electron fuses', () => {
  it('chooses the fuses: no Node entry points, app.asar only and checked, cookies encrypted; file:// privileges for the Console alone', () => {
    const hardened = { RunAsNode: false, EnableNodeOptionsEnvironmentVariable: false, EnableNodeCliInspectArguments: false, EnableCookieEncryption: true };
    expect(releaseFuses({ asar: true, uiFromFile: true })).toEqual({ ...hardened, OnlyLoadAppFromAsar: true, EnableEmbeddedAsarIntegrityValidation: true, GrantFileProtocolExtraPrivileges: true });
    expect(releaseFuses({ asar: true, uiFromFile: false })).toEqual({ ...hardened, OnlyLoadAppFromAsar: true, EnableEmbeddedAsarIntegrityValidation: true, GrantFileProtocolExtraPrivileges: false });
    // Without an asar archive, requiring one would stop the app from starting at all.
    expect(releaseFuses({ asar: false, uiFromFile: true })).toEqual({ ...hardened, GrantFileProtocolExtraPrivileges: true });
  });

  it('flips them in the packed binary of the Console and of the POS, leaving the rest as Electron ships it', async () => {
    const binary = path.join(dir, 'odoo-fleet');
    standInBinary(binary);
    await afterPack(linuxContext('io.odoofleet.console'));
    expect(readWire(binary)).toEqual({
      RunAsNode: false,
      EnableCookieEncryption: true,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
      LoadBrowserProcessSpecificV8Snapshot: false,
      GrantFileProtocolExtraPrivileges: true,
    });
    standInBinary(binary);
    await afterPack(linuxContext('io.odoofleet.pos'));
    expect(readWire(binary)).toMatchObject({ RunAsNode: false, OnlyLoadAppFromAsar: true, GrantFileProtocolExtraPrivileges: false });
    standInBinary(binary);
    await afterPack(linuxContext('io.odoofleet.console', false));
    expect(readWire(binary)).toMatchObject({ RunAsNode: false, EnableEmbeddedAsarIntegrityValidation: false, OnlyLoadAppFromAsar: false });
  });

  it('finds the binary where electron-builder puts it on each platform', () => {
    const packager = { executableName: 'odoo-fleet', appInfo: { productFilename: 'Fleet POS' }, config: {} };
    expect(packedBinary({ appOutDir: '/out', electronPlatformName: 'linux', packager })).toBe('/out/odoo-fleet');
    expect(packedBinary({ appOutDir: '/out', electronPlatformName: 'win32', packager })).toBe('/out/Fleet POS.exe');
    expect(packedBinary({ appOutDir: '/out', electronPlatformName: 'darwin', packager })).toBe('/out/Fleet POS.app');
  });

  it('is the afterPack hook of both release configurations', () => {
    for (const file of ['electron-builder.yml', 'electron-builder.pos.yml']) {
      expect(fs.readFileSync(path.resolve(file), 'utf8'), file).toMatch(/^afterPack: \.\/scripts\/electron-fuses\.mjs$/m);
    }
  });
});
