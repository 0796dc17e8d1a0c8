import { FleetError } from '../../shared/errors.js';

// A restore keeps the data it replaced — the database renamed `<db>__previous`, the filestore
// folder `.previous-<db>` — for a window, so one step brings it back. These are the rules for
// how long, and for when the host has no room to keep it.

const HOUR = 3_600_000;
const MIB = 2 ** 20;

/** How long a restore keeps the replaced data: FLEET_RESTORE_UNDO_HOURS, 24 by default (0–720). */
export function undoWindowHours(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.FLEET_RESTORE_UNDO_HOURS;
  if (raw === undefined || raw === '') return 24;
  const hours = Number(raw);
  if (!Number.isInteger(hours) || hours < 0 || hours > 720) throw new FleetError('VALIDATION', `FLEET_RESTORE_UNDO_HOURS must be a whole number of hours from 0 to 720 (got "${raw}").`);
  return hours;
}

/** Free space a restore leaves on the host while it keeps both copies: FLEET_RESTORE_RESERVE_MIB, 1024 by default. */
export function reserveBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.FLEET_RESTORE_RESERVE_MIB;
  if (raw === undefined || raw === '') return 1024 * MIB;
  const mib = Number(raw);
  if (!Number.isInteger(mib) || mib < 0) throw new FleetError('VALIDATION', `FLEET_RESTORE_RESERVE_MIB must be a whole number of MiB (got "${raw}").`);
  return mib * MIB;
}

export const keptUntil = (hours: number, now = Date.now()) => new Date(now + hours * HOUR).toISOString();

const size = (bytes: number) => (bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.ceil(bytes / MIB)} MiB`);

export interface RoomFigures {
  tenant: string;
  /** The archive unpacked: dump.sql and the filestore, loaded beside the current data. */
  needBytes: number;
  /** Free on the filesystem of the tenant's data volume (where Docker keeps volumes). */
  freeBytes: number;
  reserveBytes: number;
  /** Whether the replaced data is to be kept for the undo window. */
  keeping: boolean;
}

/**
 * Refuses a restore the host has no room for (no override: it could not finish), and one that
 * would keep the replaced data while leaving less than the reserve free — unless the user gives
 * up the way back, by name.
 */
export function checkRoom(room: RoomFigures): void {
  const details = { needBytes: room.needBytes, freeBytes: room.freeBytes, reserveBytes: room.reserveBytes };
  if (room.needBytes > room.freeBytes) {
    throw new FleetError('CONFLICT', `Not enough disk to restore ${room.tenant}: the archive unpacks to ${size(room.needBytes)} beside the current data, and ${size(room.freeBytes)} is free. Nothing was changed.`, details);
  }
  if (room.keeping && room.freeBytes - room.needBytes < room.reserveBytes) {
    throw new FleetError(
      'CONFLICT',
      `Keeping ${room.tenant}'s current data as the way back would leave ${size(room.freeBytes - room.needBytes)} free (the reserve is ${size(room.reserveBytes)}). ` +
        `Free some disk, or restore without a way back by typing the tenant's name as "without undo" (CLI: --without-undo ${room.tenant}); the current data is then dropped once the restore succeeds. Nothing was changed.`,
      details,
    );
  }
}

/** Free bytes from the last line of `df -Pk` (POSIX format: the fourth column is available KiB). */
export function freeBytesFromDf(output: string): number | null {
  const last = output.trim().split('\n').pop() ?? '';
  const kib = Number(last.trim().split(/\s+/)[3]);
  return Number.isFinite(kib) && kib >= 0 ? kib * 1024 : null;
}
