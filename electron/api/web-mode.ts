import { defaultDataDir, type Program } from '../common/paths.js';

// What the console's and the POS terminal's headless web modes share: their command line, their
// services' options and their shutdown.

/** The value after `name` on the command line, if given. */
export function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** The program's data folder, the vault passphrase from FLEET_PASSPHRASE, and the version. */
export function webModeServiceOptions(program: Program): { dataDir: string; passphrase?: string; version: string } {
  return {
    dataDir: defaultDataDir(program),
    ...(process.env.FLEET_PASSPHRASE ? { passphrase: process.env.FLEET_PASSPHRASE } : {}),
    version: process.env.npm_package_version ?? '0.1.0',
  };
}

/** On SIGINT or SIGTERM: closes the server, then the services, and exits. */
export function closeOnSignals(server: { close(): Promise<void> }, services: { close(): Promise<void> }): void {
  const stop = async () => {
    await server.close();
    await services.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
