import { FleetError } from '../../shared/errors.js';

// How much a backup archive may expand when it is read. Headers are the attacker's to write, so
// these bound what the central directory declares; the reader then stops any member whose
// inflated bytes pass its declared size, which makes the declared sizes a bound on the real work.

export interface ArchiveLimits {
  /** The sum of the members' uncompressed sizes. */
  maxTotalBytes: number;
  /** Uncompressed / compressed, for each member and for the whole archive, above the floor. */
  maxRatio: number;
  /** Sizes up to this are not ratio-checked: tiny members have meaningless ratios. */
  ratioFloorBytes: number;
  /** Central directory entries, directories included. */
  maxMembers: number;
}

export const GIB = 2 ** 30;
const MIB = 2 ** 20;

/**
 * Defaults that no real Odoo backup reaches:
 * - 256 GiB in total: Odoo's zip holds one database as plain SQL plus its filestore; restoring
 *   that much needs as much free disk on the host, far past the tenants this console runs.
 * - 250:1 above 64 MiB: plain-SQL dumps deflate 5–20×, repetitive tables up to ~100×, and
 *   filestore files (images, PDFs) barely at all; deflate itself tops out near 1032:1. So a
 *   bomb must supply a real byte per 250 it asks for, four times what deflate would let it.
 *   Below 64 MiB a member costs well under a second to inflate, whatever its ratio.
 * - 1,000,000 members: large filestores hold a few hundred thousand files.
 */
export const DEFAULT_ARCHIVE_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxTotalBytes: 256 * GIB,
  maxRatio: 250,
  ratioFloorBytes: 64 * MIB,
  maxMembers: 1_000_000,
});

export const MAX_GIB_VARIABLE = 'FLEET_ARCHIVE_MAX_GIB';
export const MAX_RATIO_VARIABLE = 'FLEET_ARCHIVE_MAX_RATIO';

/** The defaults, with the total and the ratio raised (or lowered) by an administrator. */
export function archiveLimits(env: Record<string, string | undefined> = process.env): ArchiveLimits {
  const limits = { ...DEFAULT_ARCHIVE_LIMITS };
  const gib = positive(env, MAX_GIB_VARIABLE);
  if (gib !== undefined) limits.maxTotalBytes = gib * GIB;
  const ratio = positive(env, MAX_RATIO_VARIABLE);
  if (ratio !== undefined) limits.maxRatio = ratio;
  return limits;
}

function positive(env: Record<string, string | undefined>, name: string): number | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new FleetError('VALIDATION', `${name} must be a positive number, not ${JSON.stringify(text.slice(0, 40))}.`, { variable: name });
  }
  return value;
}

interface Sized {
  name: string;
  size: number;
  compressedSize: number;
}

/** Refuses an archive whose declared sizes pass the limits, before a byte is inflated. */
export function checkDeclaredExpansion(file: string, members: readonly Sized[], limits: ArchiveLimits): void {
  let total = 0;
  let compressed = 0;
  for (const member of members) {
    total += member.size;
    compressed += member.compressedSize;
    if (total > limits.maxTotalBytes) {
      refuse(file, `its members declare more than ${bytes(limits.maxTotalBytes)} uncompressed in total (passed at ${member.name})`, MAX_GIB_VARIABLE);
    }
    if (tooDense(member.size, member.compressedSize, limits)) {
      refuse(file, `${member.name} declares ${bytes(member.size)} from ${bytes(member.compressedSize)} (${ratio(member.size, member.compressedSize)}), ${over(limits)}`, MAX_RATIO_VARIABLE);
    }
  }
  if (tooDense(total, compressed, limits)) {
    refuse(file, `its members declare ${bytes(total)} from ${bytes(compressed)} in all (${ratio(total, compressed)}), ${over(limits)}`, MAX_RATIO_VARIABLE);
  }
}

const tooDense = (size: number, compressed: number, limits: ArchiveLimits) => size > limits.ratioFloorBytes && size > compressed * limits.maxRatio;
const over = (limits: ArchiveLimits) => `past the ${limits.maxRatio}:1 limit that applies above ${bytes(limits.ratioFloorBytes)}`;
const ratio = (size: number, compressed: number) => (compressed === 0 ? 'no compressed bytes' : `${Math.round(size / compressed)}:1`);

function refuse(file: string, why: string, variable: string): never {
  throw new FleetError('ARCHIVE_INVALID', `${file} is refused as a possible zip bomb: ${why}. If the archive is trusted, raise the limit with ${variable}.`, { file, limit: variable });
}

/** A size as people read it: GiB, MiB, or bytes. */
export function bytes(n: number): string {
  if (n >= GIB) return `${+(n / GIB).toFixed(1)} GiB`;
  if (n >= MIB) return `${+(n / MIB).toFixed(1)} MiB`;
  return `${n} bytes`;
}
