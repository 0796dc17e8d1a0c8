import { describe, expect, it } from 'vitest';
import { checkRoom, freeBytesFromDf, reserveBytes, undoWindowHours } from '../../electron/backup/kept-copy.js';
import { baseUrlIsStale, storedPasswordIs } from '../../electron/backup/restore-checks.js';
import { odooPasswordHash } from '../../electron/tenants/odoo-password.js';

const MIB = 2 ** 20;

describe('the room a restore needs to keep a way back', () => {
  const room = { tenant: 'shop', needBytes: 500 * MIB, reserveBytes: 1024 * MIB, keeping: true };

  it('passes when the restored copy fits beside the current one with the reserve left', () => {
    expect(() => checkRoom({ ...room, freeBytes: 2000 * MIB })).not.toThrow();
  });

  it('refuses keeping the replaced data when that would eat the reserve, naming the override', () => {
    expect(() => checkRoom({ ...room, freeBytes: 1200 * MIB })).toThrow(/--without-undo shop/);
    expect(() => checkRoom({ ...room, freeBytes: 1200 * MIB, keeping: false })).not.toThrow();
  });

  it('refuses a restore that cannot fit at all, override or not', () => {
    for (const keeping of [true, false]) expect(() => checkRoom({ ...room, keeping, freeBytes: 100 * MIB })).toThrow(/Not enough disk/);
  });

  it("reads df's POSIX output, and nothing else", () => {
    expect(freeBytesFromDf('Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda1 1000 400 600 40% /var/lib/odoo\n')).toBe(600 * 1024);
    expect(freeBytesFromDf('df: /var/lib/odoo: not found')).toBeNull();
  });

  it('takes its window and reserve from the environment, and refuses nonsense', () => {
    expect(undoWindowHours({})).toBe(24);
    expect(undoWindowHours({ FLEET_RESTORE_UNDO_HOURS: '0' })).toBe(0);
    expect(() => undoWindowHours({ FLEET_RESTORE_UNDO_HOURS: '1.5' })).toThrow(/whole number/);
    expect(reserveBytes({ FLEET_RESTORE_RESERVE_MIB: '10' })).toBe(10 * MIB);
    expect(() => reserveBytes({ FLEET_RESTORE_RESERVE_MIB: '-1' })).toThrow(/whole number/);
  });
});

describe('what a restored database brought along', () => {
  it("recognises Odoo's default password in passlib's pbkdf2_sha512 hashes, and only it", async () => {
    const hashed = odooPasswordHash('admin', 1000);
    expect(await storedPasswordIs(hashed, 'admin')).toBe(true);
    expect(await storedPasswordIs(odooPasswordHash('s3cret-enough', 1000), 'admin')).toBe(false);
    expect(await storedPasswordIs('admin', 'admin')).toBe(true); // not hashed yet: Odoo hashes it at the next login
    expect(await storedPasswordIs('$2b$12$somethingelse', 'admin')).toBe(false);
    expect(await storedPasswordIs('$pbkdf2-sha512$99999999$abc$def', 'admin')).toBe(false); // no unbounded work
  });

  it('calls web.base.url stale when it names another host, not before Odoo first set it', () => {
    expect(baseUrlIsStale('https://shop.example.com', 'shop.example.com')).toBe(false);
    expect(baseUrlIsStale('https://old-shop.example.org', 'shop.example.com')).toBe(true);
    expect(baseUrlIsStale('http://localhost:8069', 'shop.example.com')).toBe(false);
    expect(baseUrlIsStale('not a url', 'shop.example.com')).toBe(true);
    expect(baseUrlIsStale(null, 'shop.example.com')).toBe(false);
  });
});
