import os from 'node:os';
import path from 'node:path';

export type Program = 'console' | 'pos';

/**
 * Where a program keeps its store, logs and secrets. FLEET_DATA_DIR overrides it (tests,
 * several instances side by side). The Electron face points app.getPath('userData') here too,
 * so the desktop app, the web mode and the CLI share one store.
 */
export function defaultDataDir(program: Program, env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLEET_DATA_DIR) return path.resolve(env.FLEET_DATA_DIR);
  return path.join(userConfigDir(env), program === 'console' ? 'odoo-fleet' : 'odoo-fleet-pos');
}

/**
 * The POS vault's key file (see Vault's keyFile): beside the data folder, never in it, so a copy
 * of the data folder alone cannot read the terminal's secrets. FLEET_POS_KEY_FILE overrides it;
 * FLEET_DATA_DIR does not move it.
 */
export function defaultPosKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLEET_POS_KEY_FILE) return path.resolve(env.FLEET_POS_KEY_FILE);
  return path.join(userConfigDir(env), 'odoo-fleet-pos-key', 'terminal.key');
}

/** The user's configuration folder, as each OS has it. */
function userConfigDir(env: NodeJS.ProcessEnv): string {
  if (process.platform === 'win32') return env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config');
}

/** Whether `file` lies inside `folder` (not the folder itself, not through `..`). */
export function insideFolder(file: string, folder: string): boolean {
  const relative = path.relative(path.resolve(folder), path.resolve(file));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
