import fsp from 'node:fs/promises';
import { FleetError } from '../../shared/errors.js';
import type { Json, StepContext, StepDefinition } from '../jobs/types.js';
import type { TenantParts } from '../tenants/tenant-parts.js';
import { DATABASE_LABEL } from '../tenants/routing.js';
import type { BackupOutcome } from './catalog.js';
import { verifyOdooArchive, writeOdooArchive } from './odoo-archive.js';
import { tenantArchiveParts, type ArchiveDeps } from './tenant-archive.js';

/** What the archive step journals: the path first (before any byte), the rest when written. */
export interface ArchiveOutput {
  [key: string]: Json;
  path: string;
  sha256: string | null;
  bytes: number | null;
  odooVersion: string | null;
  pgVersion: string | null;
  rowCounts: Record<string, number> | null;
  filestore: { files: number; bytes: number; sha256: string } | null;
}

interface ArchiveInput {
  hostId: string;
  name: string;
}

/** What a job writing an archive shows the UIs: where it is, its checksum and size. */
export function archivePublicResult(output: (stepName: string) => Json | undefined): { [key: string]: Json } {
  const archive = output('archive') as ArchiveOutput | undefined;
  return { archive: archive?.sha256 ? { path: archive.path, sha256: archive.sha256, bytes: archive.bytes } : null };
}

/** Removes the one-off helpers (dump, filestore reader or writer, psql) a killed console left for these databases. */
export async function removeArchiveHelpers(deps: Pick<ArchiveDeps, 'docker' | 'hosts'>, hostId: string, databases: readonly string[]): Promise<void> {
  await deps.docker.call(deps.hosts.endpoint(hostId), async (d) => {
    const helpers = await d.listContainers({ all: true, filters: { label: ['fleet.role=archive'] } });
    for (const c of helpers.filter((h) => databases.includes(h.Labels?.[DATABASE_LABEL] ?? ''))) await d.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {});
  });
}

/** A timestamp usable in file names, e.g. 20261121T083012Z. */
export function fileStamp(at = new Date()): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** A host or tenant name as a folder name: nothing that climbs or hides. */
export function safeSegment(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || '_';
}

/**
 * The step writing a tenant's Odoo archive (parts found by the step named `partsStep`). Its
 * compensation removes the files and the helper containers a killed console left on the host.
 */
export function archiveStep<I extends ArchiveInput>(
  deps: ArchiveDeps,
  options: { title: string; partsStep: string; file: (ctx: StepContext<I>, hostName: string) => string; extra: (ctx: StepContext<I>) => Record<string, unknown> },
): StepDefinition<I> {
  return {
    name: 'archive',
    title: options.title,
    onCrash: 'compensate',
    async run(ctx) {
      const parts = ctx.output<TenantParts>(options.partsStep);
      if (!parts) throw new FleetError('INTERNAL', `The ${options.partsStep} step recorded no tenant parts.`);
      const host = deps.hosts.get(ctx.input.hostId);
      const file = options.file(ctx, host.name);
      // Journaled before the first byte, so a compensation after a crash finds the file.
      ctx.setOutput({ path: file, sha256: null, bytes: null, odooVersion: null, pgVersion: null, rowCounts: null, filestore: null } satisfies ArchiveOutput);
      const sources = await tenantArchiveParts(deps, { hostId: ctx.input.hostId, database: parts.database, image: parts.image, dataVolume: parts.dataVolume });
      ctx.progress(0, 'dumping the database');
      const result = await writeOdooArchive(file, sources, { tenant: ctx.input.name, host: host.name, createdAt: new Date().toISOString(), jobId: ctx.jobId, ...options.extra(ctx) }, (phase, bytes) =>
        ctx.progress(phase === 'dump' ? 0.3 : phase === 'filestore' ? 0.7 : 0.95, `${phase}: ${(bytes / 2 ** 20).toFixed(1)} MiB written`),
      );
      return {
        path: result.path,
        sha256: result.sha256,
        bytes: result.bytes,
        odooVersion: sources.manifest.version,
        pgVersion: sources.manifest.pg_version,
        rowCounts: result.rowCounts,
        filestore: { ...result.filestore },
      } satisfies ArchiveOutput;
    },
    async compensate(ctx) {
      const parts = ctx.output<TenantParts>(options.partsStep);
      if (parts) await removeArchiveHelpers(deps, ctx.input.hostId, [parts.database]);
      const written = ctx.output<ArchiveOutput>('archive');
      if (!written?.path) return;
      for (const f of [written.path, `${written.path}.partial`, `${written.path}.json`, `${written.path}.json.partial`]) await fsp.rm(f, { force: true });
    },
  };
}

/** The catalog's figures for an archive the archive and verify steps produced. */
export function catalogOutcome(written: ArchiveOutput, verified: { members: number; at: string }): BackupOutcome {
  return {
    bytes: written.bytes!,
    sha256: written.sha256!,
    odooVersion: written.odooVersion ?? '',
    pgVersion: written.pgVersion ?? '',
    destinations: [{ kind: 'local', path: written.path }],
    rowCounts: written.rowCounts,
    filestore: written.filestore,
    verification: { at: verified.at, ok: true, method: 'archive', detail: `sha256 and the CRC of all ${verified.members} members checked` },
  };
}

/** Re-reads the archive the archive step wrote: checksum, every member's CRC, required members. */
export function verifyArchiveStep<I>(): StepDefinition<I> {
  return {
    name: 'verify',
    title: 'Verify the archive (checksum, every member, dump and manifest present)',
    onCrash: 'resume',
    async run(ctx) {
      const written = ctx.output<ArchiveOutput>('archive');
      if (!written?.sha256) throw new FleetError('INTERNAL', 'The archive step recorded no checksum.');
      const { members } = await verifyOdooArchive(written.path, written.sha256);
      return { members, at: new Date().toISOString() };
    },
  };
}

