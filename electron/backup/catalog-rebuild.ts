import { z } from 'zod';
import type { ArchiveCopy } from '../../shared/backups.js';
import { TenantName } from '../../shared/tenants.js';
import { SIDECAR_FORMAT } from './archive-copies.js';
import { safeSegment, type ArchiveStore } from './archive-stores.js';
import type { BackupCatalog } from './catalog.js';

// A destination is self-describing: each archive has a sidecar JSON with the catalog's facts.
// Rebuilding reads them (never the archives themselves: verification is a separate, explicit
// drill) and records what the host's catalog lacks.

const digest = z.object({ files: z.number().int().min(0), bytes: z.number().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

/** The sidecar fields a catalog entry needs; anything else in it is ignored. */
const Sidecar = z.object({
  format: z.literal(SIDECAR_FORMAT),
  archive: z.string(),
  tenant: TenantName,
  host: z.string(),
  createdAt: z.string().datetime(),
  backupId: z.string().uuid(),
  kind: z.enum(['backup', 'final']).default('backup'),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  keyId: z.string().nullable().default(null),
  manifest: z.object({ db_name: z.string(), version: z.string(), pg_version: z.string() }).passthrough(),
  rowCounts: z.record(z.string(), z.number()).nullable(),
  filestore: digest.nullable(),
});

export async function rebuildCatalog(catalog: BackupCatalog, store: ArchiveStore, hostName: string, consoleId: string): Promise<{ added: number; updated: number; skipped: string[] }> {
  const hostFolder = safeSegment(hostName);
  let added = 0;
  let updated = 0;
  const skipped: string[] = [];
  for (const tenantFolder of await store.list(hostFolder)) {
    if (!tenantFolder.isDirectory) continue;
    const folder = `${hostFolder}/${tenantFolder.name}`;
    const files = await store.list(folder);
    const names = new Set(files.map((f) => f.name));
    for (const file of files) {
      if (!file.name.endsWith('.json') || file.isDirectory) continue;
      const relativeSidecar = `${folder}/${file.name}`;
      let sidecar: z.infer<typeof Sidecar>;
      try {
        sidecar = Sidecar.parse(JSON.parse((await store.readSmall(relativeSidecar)).toString('utf8')));
      } catch (error) {
        skipped.push(`${store.describe(relativeSidecar)}: not an Odoo Fleet sidecar (${(error as Error).message.split('\n')[0]})`);
        continue;
      }
      if (safeSegment(sidecar.tenant) !== tenantFolder.name) {
        skipped.push(`${store.describe(relativeSidecar)}: it names tenant ${sidecar.tenant}, but lies in ${tenantFolder.name}'s folder`);
        continue;
      }
      const archiveName = file.name.slice(0, -'.json'.length);
      if (sidecar.archive !== archiveName || !names.has(archiveName)) {
        skipped.push(`${store.describe(relativeSidecar)}: its archive ${archiveName} is not beside it`);
        continue;
      }
      const copy: ArchiveCopy = store.copy(`${folder}/${archiveName}`);
      const existing = await catalog.get(sidecar.backupId);
      if (existing) {
        if (existing.sha256 !== sidecar.sha256) {
          skipped.push(`${store.describe(relativeSidecar)}: the catalog has backup ${sidecar.backupId} with another checksum`);
          continue;
        }
        if (existing.destinations.some((d) => d.kind === copy.kind && d.path === copy.path && (d.hostKey ?? d.hostId) === (copy.hostKey ?? copy.hostId))) continue;
        await catalog.setDestinations(sidecar.backupId, [...existing.destinations, copy]);
        updated++;
        continue;
      }
      await catalog.recordFound({
        id: sidecar.backupId,
        tenant: sidecar.tenant,
        database: sidecar.manifest.db_name,
        kind: sidecar.kind,
        startedAt: sidecar.createdAt,
        finishedAt: sidecar.createdAt,
        bytes: sidecar.bytes,
        sha256: sidecar.sha256,
        odooVersion: sidecar.manifest.version,
        pgVersion: sidecar.manifest.pg_version,
        keyId: sidecar.keyId,
        destinations: [copy],
        rowCounts: sidecar.rowCounts,
        filestore: sidecar.filestore,
        consoleId,
      });
      added++;
    }
  }
  return { added, updated, skipped };
}
