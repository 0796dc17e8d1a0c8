import electronUpdater from 'electron-updater';
import type { Logger } from '../common/log.js';

/**
 * Checks the generic update feed declared in electron-builder.yml, downloads in the background
 * and installs on quit. Packaged builds only: a development run has no feed.
 */
export function startAutoUpdates(log: Logger): void {
  const { autoUpdater } = electronUpdater;
  if (process.env.FLEET_DISABLE_UPDATES === '1') return;
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.on('error', (error) => log.warn('update check failed', { error: error.message }));
  autoUpdater.on('update-downloaded', (info) => log.info('update downloaded; installs on quit', { version: info.version }));
  autoUpdater.checkForUpdatesAndNotify().catch((error: Error) => log.warn('update check failed', { error: error.message }));
}
