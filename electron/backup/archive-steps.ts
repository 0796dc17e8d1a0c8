import type { ArchiveCopy, DestinationSpec } from '../../shared/backups.js';
import { FleetError } from '../../shared/errors.js';
import { DATABASE_LABEL, roleFilter } from '../docker/labels.js';
import type { Json, StepBytes, StepContext, StepDefinition } from '../jobs/types.js';
import type { TenantParts } from '../tenant-parts/tenant-parts.js';
import type { BackupOutcome } from './catalog.js';
import { openZipOf, writeArchiveCopies } from './archive-copies.js';
import { archiveRelativePath, storeFor, storeOfCopy, type StoreDeps } from './archive-stores.js';
import type { BackupKeys } from './backup-keys.js';
import { verifyOdooArchive } from './odoo-archive.js';
import { tenantArchiveParts, type ArchiveDeps } from './tenant-archive.js';

/** What the archive step journals: the planned copies first (before any byte), the rest when written. */
export interface ArchiveOutput {
  [key: string]: Json;
  copies: ArchiveCopy[];
  sha256: string | null;
  bytes: number | null;
  keyId: string | null;
  odooVersion: string | null;
  pgVersion: string | null;
  rowCounts: Record<string, number> | null;
  filestore: { files: number; bytes: number; sha256: string } | null;
}

/** Where a job's archive goes and whether it is encrypted (journaled in the job's input). */
export interface ArchiveInput {
  hostId: string;
  name: string;
  destinations: DestinationSpec[];
  /** The id of the user's key to encrypt with, or null. */
  keyId: string | null;
}

/** What the archive steps need: the tenant's host, the stores, the user's keys. */
export type BackupDeps = ArchiveDeps &
  StoreDeps & {
    keys: Pick<BackupKeys, 'get'>;
    /** The tenant's database and filestore bytes, for a progress estimate (null when unknown). */
    sizeOf?: (hostId: string, name: string) => Promise<number | null>;
  };

/**
 * Progress in bytes, rate and time left: the tenant's bytes read so far against its size (the
 * database's on-disk size overstates its dump, so the estimate errs long and stops short of 100%).
 */
export function archiveProgress(estimateBytes: number | null, now = () => Date.now()) {
  const started = now();
  const mib = (n: number) => (n / 2 ** 20).toFixed(1);
  return (phase: string, written: number, read: number): { fraction: number; message: string; bytes: StepBytes } => {
    const seconds = Math.max((now() - started) / 1000, 0.001);
    const rate = read / seconds;
    const of = estimateBytes ? ` of ~${mib(estimateBytes)}` : '';
    const left = estimateBytes && rate > 0 ? `, ~${Math.max(0, Math.round((estimateBytes - read) / rate))} s left` : '';
    const fraction = estimateBytes ? Math.min(0.99, read / estimateBytes) : phase === 'dump' ? 0.3 : phase === 'filestore' ? 0.7 : 0.95;
    const message = `${phase}: ${mib(read)}${of} MiB read, ${mib(written)} MiB written, ${mib(rate)} MiB/s${left}`;
    return { fraction, message, bytes: { done: read, total: estimateBytes } };
  };
}

/** What a job writing an archive shows the UIs: where its copies are, checksum and size. */
export function archivePublicResult(output: (stepName: string) => Json | undefined): { [key: string]: Json } {
  const archive = output('archive') as ArchiveOutput | undefined;
  return { archive: archive?.sha256 ? { copies: archive.copies, path: archive.copies[0]?.path ?? null, sha256: archive.sha256, bytes: archive.bytes, encrypted: archive.keyId !== null } : null };
}

/** A user's key by id, or the clear error saying which key to import. */
export function keyFor(deps: Pick<BackupDeps, 'keys'>) {
  return (keyId: string) => deps.keys.get(keyId);
}

/** Removes the one-off helpers (dump, filestore reader or writer, psql) a killed console left for these databases. */
export async function removeArchiveHelpers(deps: Pick<ArchiveDeps, 'docker' | 'hosts'>, hostId: string, databases: readonly string[]): Promise<void> {
  await deps.docker.call(deps.hosts.endpoint(hostId), async (d) => {
    const helpers = await d.listContainers({ all: true, filters: { label: [roleFilter('archive')] } });
    for (const c of helpers.filter((h) => databases.includes(h.Labels?.[DATABASE_LABEL] ?? ''))) await d.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {});
  });
}

/** A timestamp usable in file names, e.g. 20261121T083012Z. */
export function fileStamp(at = new Date()): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * The step writing a tenant's Odoo archive (parts found by the step named `partsStep`) to every
 * destination in the job's input. Its compensation removes the copies and the helper
 * containers a killed console left on the host.
 */
export function archiveStep<I extends ArchiveInput>(deps: BackupDeps, options: { title: string; partsStep: string; extra: (ctx: StepContext<I>) => Record<string, unknown> }): StepDefinition<I> {
  return {
    name: 'archive',
    title: options.title,
    onCrash: 'compensate',
    async run(ctx) {
      const parts = ctx.output<TenantParts>(options.partsStep);
      if (!parts) throw new FleetError('INTERNAL', `The ${options.partsStep} step recorded no tenant parts.`);
      const host = deps.hosts.get(ctx.input.hostId);
      const key = ctx.input.keyId ? (deps.keys.get(ctx.input.keyId) ?? null) : null;
      if (ctx.input.keyId && !key) throw new FleetError('NOT_FOUND', `The backup key ${ctx.input.keyId} is not in this console: import it (odoo-fleet keys import) or choose another.`);
      const relativePath = archiveRelativePath(host.name, ctx.input.name, fileStamp(), key !== null);
      const targets = ctx.input.destinations.map((d) => ({ store: storeFor(deps, d, ctx.input.hostId), relativePath }));
      if (targets.length === 0) throw new FleetError('VALIDATION', 'Choose at least one destination for the archive.');
      // Journaled before the first byte, so a compensation after a crash finds the copies.
      ctx.setOutput({ copies: targets.map((t) => t.store.copy(relativePath)), sha256: null, bytes: null, keyId: key?.id ?? null, odooVersion: null, pgVersion: null, rowCounts: null, filestore: null } satisfies ArchiveOutput);
      const sources = await tenantArchiveParts(deps, { hostId: ctx.input.hostId, tenant: ctx.input.name, database: parts.database, role: parts.role, image: parts.image, dataVolume: parts.dataVolume });
      ctx.progress(0, 'dumping the database');
      const progress = archiveProgress(await deps.sizeOf?.(ctx.input.hostId, ctx.input.name).catch(() => null) ?? null);
      const result = await writeArchiveCopies(targets, sources, { key, sidecar: { tenant: ctx.input.name, host: host.name, createdAt: new Date().toISOString(), jobId: ctx.jobId, ...options.extra(ctx) } }, (phase, written, read) => {
        const { fraction, message, bytes } = progress(phase, written, read);
        ctx.progress(fraction, message, bytes);
      }, ctx.signal);
      return {
        copies: result.copies,
        sha256: result.sha256,
        bytes: result.bytes,
        keyId: result.keyId,
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
      for (const copy of written?.copies ?? []) await removeCopy(deps, copy, { hostName: deps.hosts.get(ctx.input.hostId).name, tenant: ctx.input.name });
    },
  };
}

/** Removes a stored copy and its sidecar (and their leftovers); only a file laid out as that tenant's archive of that host. */
export async function removeCopy(deps: StoreDeps, copy: ArchiveCopy, owner: { hostName: string; tenant: string }): Promise<void> {
  const { store, relativePath } = storeOfCopy(deps, copy, owner);
  await store.remove(relativePath);
  await store.remove(`${relativePath}.json`);
}

/** The catalog's figures for an archive the archive and verify steps produced. */
export function catalogOutcome(written: ArchiveOutput, verified: { members: number; at: string }): BackupOutcome {
  return {
    bytes: written.bytes!,
    sha256: written.sha256!,
    odooVersion: written.odooVersion ?? '',
    pgVersion: written.pgVersion ?? '',
    destinations: written.copies,
    keyId: written.keyId,
    rowCounts: written.rowCounts,
    filestore: written.filestore,
    verification: { at: verified.at, ok: true, method: 'archive', detail: `sha256 and the CRC of all ${verified.members} members checked in ${written.copies.length} cop${written.copies.length === 1 ? 'y' : 'ies'}` },
  };
}

/** Re-reads every copy the archive step wrote: checksum, every member's CRC, required members. */
export function verifyArchiveStep<I>(deps: BackupDeps): StepDefinition<I> {
  return {
    name: 'verify',
    title: 'Verify every copy (checksum, every member, dump and manifest present)',
    onCrash: 'resume',
    async run(ctx) {
      const written = ctx.output<ArchiveOutput>('archive');
      if (!written?.sha256) throw new FleetError('INTERNAL', 'The archive step recorded no checksum.');
      let members = 0;
      for (const copy of written.copies) {
        const { store, relativePath } = storeOfCopy(deps, copy);
        ({ members } = await verifyOdooArchive(await store.source(relativePath), written.sha256, (stored) => openZipOf(stored, keyFor(deps))));
      }
      return { members, at: new Date().toISOString() };
    },
  };
}
