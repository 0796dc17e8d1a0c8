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
  const name = program === 'console' ? 'odoo-fleet' : 'odoo-fleet-pos';
  if (process.platform === 'win32') return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), name);
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', name);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), name);
}

/** Whether `file` lies inside `folder` (not the folder itself, not through `..`). */
export function insideFolder(file: string, folder: string): boolean {
  const relative = path.relative(path.resolve(folder), path.resolve(file));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
