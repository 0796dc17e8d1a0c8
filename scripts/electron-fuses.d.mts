// Types of electron-fuses.mjs for the TypeScript tests that import it.
export interface ReleaseBuild {
  asar: boolean;
  uiFromFile: boolean;
}
export interface PackContext {
  appOutDir: string;
  electronPlatformName: string;
  packager: { executableName?: string; appInfo: { productFilename: string }; config: { appId?: string; asar?: unknown } };
}
export interface FusesModule {
  flipFuses(binary: string, config: Record<string, unknown>): Promise<number>;
  FuseVersion: { V1: string };
  FuseV1Options: Record<string, number | string>;
}
export function releaseFuses(build: ReleaseBuild): Record<string, boolean>;
export function packedBinary(context: PackContext): string;
export default function afterPack(context: PackContext, fuses?: Promise<FusesModule> | FusesModule): Promise<void>;
