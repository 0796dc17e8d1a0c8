// Types of build-stamps.mjs for the TypeScript tests that import it.
export type BuildPart = 'node' | 'renderer' | 'pos';
export const BUILD_PARTS: Record<BuildPart, { inputs: string[]; output: string }>;
export function partDigest(root: string, part: BuildPart): string;
export function isCurrent(root: string, part: BuildPart, digest: string): boolean;
export function recordBuilt(root: string, part: BuildPart, digest: string): void;
