// electron-builder afterPack hook of both release builds (electron-builder.yml and
// electron-builder.pos.yml): flips Electron's fuses in the packed binary, before it is signed, so a
// release cannot be made to run as plain Node, take NODE_OPTIONS or open an inspector, and loads
// only its own, integrity-checked app.asar.
import path from 'node:path';

/** The POS's app id (electron-builder.pos.yml): its UI comes over http://127.0.0.1, not file://. */
const POS_APP_ID = 'io.odoofleet.pos';

/**
 * The fuses a release build sets, by their @electron/fuses (FuseV1Options) names.
 * @param {{ asar: boolean, uiFromFile: boolean }} build
 * @returns {Record<string, boolean>}
 */
export function releaseFuses({ asar, uiFromFile }) {
  return {
    RunAsNode: false,
    EnableNodeOptionsEnvironmentVariable: false,
    EnableNodeCliInspectArguments: false,
    EnableCookieEncryption: true,
    // Only meaningful, and only safe, when the app is packed as an asar archive.
    ...(asar ? { OnlyLoadAppFromAsar: true, EnableEmbeddedAsarIntegrityValidation: true } : {}),
    // The Console loads its UI with loadFile (file://) as ES module scripts, which Chromium
    // refuses from file:// without Electron's extra privileges; the POS needs none.
    GrantFileProtocolExtraPrivileges: uiFromFile,
  };
}

/** The packed Electron binary, where electron-builder's own fuse step looks for it. */
export function packedBinary({ appOutDir, electronPlatformName, packager }) {
  const ext = { darwin: '.app', mas: '.app', win32: '.exe', linux: '' }[electronPlatformName] ?? '';
  const name = electronPlatformName === 'linux' ? packager.executableName : packager.appInfo.productFilename;
  return path.join(appOutDir, `${name}${ext}`);
}

/** @param {import('app-builder-lib').AfterPackContext} context */
export default async function afterPack(context, fuses = import('@electron/fuses')) {
  const { flipFuses, FuseVersion, FuseV1Options } = await fuses;
  const { config } = context.packager;
  const chosen = releaseFuses({ asar: config.asar !== false && config.asar !== null, uiFromFile: config.appId !== POS_APP_ID });
  const wire = {};
  for (const [name, on] of Object.entries(chosen)) {
    if (!(name in FuseV1Options)) throw new Error(`This @electron/fuses has no fuse ${name}`);
    wire[FuseV1Options[name]] = on;
  }
  // Flipping breaks a macOS ad-hoc signature; the real signing comes after this hook.
  const mac = context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas';
  await flipFuses(packedBinary(context), { version: FuseVersion.V1, resetAdHocDarwinSignature: mac, ...wire });
}
