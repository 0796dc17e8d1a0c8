import type Docker from 'dockerode';
import type pg from 'pg';
import type { ArchiveCopy } from '../../shared/backups.js';
import { FleetError } from '../../shared/errors.js';
import { settleAll } from '../common/settle-all.js';
import { DATABASE_LABEL, ROLE_LABEL } from '../docker/labels.js';
import { runOneOffStream, runOneOffWithInput } from '../docker/one-off-stream.js';
import { tarStream, type StreamedTarEntry } from '../docker/tar.js';
import type { Json, StepContext, StepDefinition } from '../jobs/types.js';
import { withAdmin, type DbServerTarget } from '../postgres/admin-session.js';
import { finishArchiveLoad, openArchiveLoader, reclaimScratch } from '../postgres/archive-loader.js';
import { confineDatabase } from '../postgres/database-access.js';
import { withTenantSession } from '../postgres/tenant-session.js';
import { DATA_MOUNT } from '../tenant-parts/containers.js';
import { findTenantParts, type TenantParts } from '../tenant-parts/tenant-parts.js';
import { openZipOf } from './archive-copies.js';
import { keyFor, removeArchiveHelpers, type BackupDeps } from './archive-steps.js';
import { storeOfCopy, type StoreDeps } from './archive-stores.js';
import { localFileSource, type ByteSource } from './byte-io.js';
import { checkRoom, freeBytesFromDf, reserveBytes } from './kept-copy.js';
import { checkSha256 } from './odoo-archive.js';
import { pgClient } from './pg-client.js';
import { guardPsqlScript } from './psql-script-guard.js';
import { ZipReader } from './zip-reader.js';

/** What every job loading an Odoo archive onto a tenant's host knows. */
export interface ArchiveLoadInput {
  hostId: string;
  name: string;
  /** A catalogued copy (in this console's folder, a host folder or an SFTP target)… */
  archive: ArchiveCopy | null;
  /** …or an Odoo backup zip the operator names on this machine (ours, or one Odoo's database manager wrote). */
  file: string | null;
  /** The archive's recorded checksum, when the catalog knows it. */
  sha256: string | null;
}

/** The stored file a load reads: a catalogued copy or the operator's own file. */
export async function openStoredArchive(deps: StoreDeps, input: Pick<ArchiveLoadInput, 'archive' | 'file'>): Promise<ByteSource> {
  if (input.file) return localFileSource(input.file);
  if (!input.archive) throw new FleetError('INTERNAL', 'The job names no archive.');
  const { store, relativePath } = storeOfCopy(deps, input.archive);
  return store.source(relativePath);
}

/** The zip of that stored file, decrypted with the user's key when it is encrypted. */
export async function openArchiveZip(deps: BackupDeps, input: Pick<ArchiveLoadInput, 'archive' | 'file'>): Promise<ZipReader> {
  const stored = await openStoredArchive(deps, input);
  try {
    return await ZipReader.open(await openZipOf(stored, keyFor(deps)));
  } catch (error) {
    await stored.close().catch(() => {});
    throw error;
  }
}

const archiveLabel = (input: Pick<ArchiveLoadInput, 'archive' | 'file'>) => input.file ?? input.archive?.path ?? 'the archive';

/**
 * The steps that load an archive beside a tenant's live data — a scratch database named by
 * `scratchOf(db)` and a filestore folder `.<folder>-<db>` — shared by restore and verification.
 */
export function archiveLoadSteps<I extends { hostId: string; name: string }>(
  deps: BackupDeps,
  names: { scratchOf: (db: string) => string; folder: string },
  /** Which archive to load: by default the job's input names it; a job that wrote one names its own. */
  sourceOf: (ctx: StepContext<I>) => Pick<ArchiveLoadInput, 'archive' | 'file' | 'sha256'> = (ctx) => ctx.input as unknown as ArchiveLoadInput,
) {
  const tools = archiveLoadTools<I>(deps);
  const { parts, admin, docker, filestoreShell } = tools;
  const folder = `${DATA_MOUNT}/filestore/.${names.folder}-$1`;

  /** Unpacks the archive's filestore into the scratch folder, owned like the live one. */
  const stageFilestoreFrom = async (ctx: StepContext<I>): Promise<void> => {
    const zip = await openArchiveZip(deps, sourceOf(ctx));
    try {
      const members = zip.members.filter((m) => m.name.startsWith('filestore/') && m.name.length > 'filestore/'.length);
      async function* entries(): AsyncGenerator<StreamedTarEntry> {
        for (const m of members) yield { name: m.name.slice('filestore/'.length), size: m.size, mode: 0o644, uid: 0, gid: 0, body: await zip.stream(m) };
      }
      // Owned like the filestore folder itself (Odoo's user), whatever the image calls it.
      await filestoreShell(
        ctx,
        `set -e; mkdir -p ${DATA_MOUNT}/filestore; owner=$(stat -c %u:%g ${DATA_MOUNT}); rm -rf "${folder}"; mkdir "${folder}"; cd "${folder}"; tar -xf -; chown -R "$owner" "${folder}"`,
        'the filestore writer',
        tarStream(entries()),
      );
    } finally {
      await zip.close();
    }
  };

  const checkArchive = checkArchiveStep<I>(deps, sourceOf);
  const preflight = archivePreflightStep<I>(deps, names, sourceOf);

  const scratchDatabase: StepDefinition<I> = {
    name: 'scratch-database',
    title: 'Create an empty database beside the tenant’s',
    onCrash: 'compensate',
    async run(ctx) {
      const { database, role } = parts(ctx);
      await reclaimScratch(deps.pool, admin(ctx.input.hostId), { database: names.scratchOf(database), role });
      await withAdmin(deps.pool, admin(ctx.input.hostId), async (c) => {
        await dropDatabase(c, names.scratchOf(database), role); // a leftover of an interrupted run
        // As Odoo's restore creates it: unicode, template0 with C collation.
        await c.query(`CREATE DATABASE ${c.escapeIdentifier(names.scratchOf(database))} OWNER ${c.escapeIdentifier(role)} ENCODING 'UTF8' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'`);
        await confineDatabase(c, names.scratchOf(database), role);
      });
    },
    async compensate(ctx) {
      const found = ctx.output<TenantParts>('preflight');
      if (!found) return;
      // A killed console leaves its psql or filestore writer behind on the host.
      await removeArchiveHelpers(deps, ctx.input.hostId, [found.database, names.scratchOf(found.database)]);
      await reclaimScratch(deps.pool, admin(ctx.input.hostId), { database: names.scratchOf(found.database), role: found.role });
      await withAdmin(deps.pool, admin(ctx.input.hostId), (c) => dropDatabase(c, names.scratchOf(found.database), found.role));
    },
  };

  /**
   * `afterDump` runs in the loaded database as the tenant once the dump is in (while the
   * filestore may still be unpacking); what it returns is the step's `afterDump` output.
   */
  const loadDump = (afterDump?: (client: pg.Client, ctx: StepContext<I>) => Promise<Json>): StepDefinition<I> => ({
    name: 'load-dump',
    title: 'Load dump.sql into it (psql on the host, as a throw-away role confined to it)',
    onCrash: 'compensate',
    async run(ctx) {
      const { database, role } = parts(ctx);
      const scratch = { database: names.scratchOf(database), role };
      const client = await pgClient(deps, ctx.input.hostId, ctx.input.name);
      // An archive is untrusted input: psql logs in as a throw-away role of no other role's,
      // owning the scratch database alone for the load, and runs none of the archive's psql
      // meta-commands (refused before they reach it).
      const loader = await openArchiveLoader(deps.pool, admin(ctx.input.hostId), scratch);
      ctx.setOutput({ loader: loader.login.user });
      const loadTheDump = async (): Promise<Json> => {
        const psql = client.container('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1'], scratch.database, loader.login);
        const zip = await openArchiveZip(deps, sourceOf(ctx));
        try {
          const dump = guardPsqlScript(await zip.stream(zip.member('dump.sql')!), { label: `${archiveLabel(sourceOf(ctx))}: dump.sql`, psqlRestricts: client.knowsRestrict });
          await runOneOffWithInput(docker(ctx.input.hostId), psql.options, dump, 'psql loading dump.sql', psql.files);
        } finally {
          await zip.close();
        }
        await loader.finish();
        // What runs the loaded database's code (its triggers) runs as the tenant.
        return afterDump ? await withTenantSession(deps.pool, admin(ctx.input.hostId), scratch, (c) => afterDump(c, ctx)) : null;
      };
      // The archive's checksum, when check-archive left it to the load.
      const checksum = async () => {
        if (ctx.output<{ checksumWithLoad?: boolean }>('check-archive')?.checksumWithLoad) await checkRecordedBytes(deps, sourceOf(ctx));
      };
      try {
        // The database, the filestore and the checksum are independent: all three at once, all
        // ended before a failure is reported; altered bytes are named first, as they explain any
        // other failure.
        const [, afterDumpOutput] = await settleAll([checksum(), loadTheDump(), stageFilestoreFrom(ctx)]);
        return { loader: loader.login.user, filestoreStaged: true, afterDump: afterDumpOutput };
      } finally {
        await loader.finish();
      }
    },
    async compensate(ctx) {
      const found = ctx.output<TenantParts>('preflight');
      const loader = ctx.output<{ loader?: string }>('load-dump')?.loader;
      if (found && loader) await finishArchiveLoad(deps.pool, admin(ctx.input.hostId), { database: names.scratchOf(found.database), role: found.role }, loader);
      if (found) await filestoreShell(ctx, `rm -rf "${folder}"`, 'the filestore cleaner');
    },
  });

  const stageFilestore: StepDefinition<I> = {
    name: 'stage-filestore',
    title: 'Unpack the filestore beside the tenant’s',
    onCrash: 'compensate',
    async run(ctx) {
      // Unpacked while the dump loaded (a job journaled before that did it here).
      if (!ctx.output<{ filestoreStaged?: boolean }>('load-dump')?.filestoreStaged) await stageFilestoreFrom(ctx);
    },
    async compensate(ctx) {
      if (!ctx.output<TenantParts>('preflight')) return;
      await filestoreShell(ctx, `rm -rf "${folder}"`, 'the filestore cleaner');
    },
  };

  /** Room on the host for the unpacked archive beside the live data (and the reserve, when `keeping`). */
  const room = (keeping: (ctx: StepContext<I>) => boolean): StepDefinition<I> => ({
    name: 'room',
    title: 'Check the host has room for the loaded copy beside the current data',
    onCrash: 'compensate',
    async run(ctx) {
      const needBytes = ctx.output<{ unpackedBytes?: number }>('check-archive')?.unpackedBytes ?? 0;
      const measured = ctx.output<{ freeBytes?: number | null }>('preflight')?.freeBytes;
      const freeBytes = measured !== undefined ? measured : await tools.freeBytesOf(ctx.input.hostId, parts(ctx));
      if (freeBytes === null) return { measured: false, needBytes, freeBytes: null };
      checkRoom({ tenant: ctx.input.name, needBytes, freeBytes, reserveBytes: reserveBytes(), keeping: keeping(ctx) });
      return { measured: true, needBytes, freeBytes };
    },
  });

  return { ...tools, checkArchive, preflight, room, scratchDatabase, loadDump, stageFilestore };
}

/**
 * The tenant's parts (found by the `preflight` step), its host's admin target and Docker, and
 * one-off shells on its data volume.
 */
function archiveLoadTools<I extends { hostId: string; name: string }>(deps: BackupDeps) {
  const parts = (ctx: StepContext<I>) => ctx.output<TenantParts>('preflight')!;
  const admin = (hostId: string) => {
    const target = deps.hosts.dbTarget(hostId);
    if (!target) throw new FleetError('VALIDATION', 'The host has no database server set.');
    return target;
  };
  const docker = (hostId: string) => deps.docker.client(deps.hosts.endpoint(hostId));
  /** A one-off shell in the tenant's image with its data volume mounted read-write ($1 = the database). */
  const filestoreShell = (ctx: StepContext<I>, script: string, what: string, input: AsyncIterable<Buffer> = (async function* () {})()) =>
    runOneOffWithInput(docker(ctx.input.hostId), volumeShell(parts(ctx), script, { [ROLE_LABEL]: 'archive', [DATABASE_LABEL]: parts(ctx).database }, false), input, what);
  /** What a one-off shell in the tenant's image prints, its data volume mounted read-only ($1 = the database). */
  const volumeOutput = (ctx: StepContext<I>, script: string, what: string) => volumeOutputOf(ctx.input.hostId, parts(ctx), script, what);
  const volumeOutputOf = async (hostId: string, found: TenantParts, script: string, what: string): Promise<string> => {
    const run = await runOneOffStream(docker(hostId), volumeShell(found, script, { [ROLE_LABEL]: 'measure' }, true), undefined, what);
    let text = '';
    for await (const chunk of run.stdout) text = (text + (chunk as Buffer).toString('utf8')).slice(-64 * 1024);
    await run.done;
    return text;
  };
  /** Free bytes on the tenant's data volume (null when df says nothing readable). */
  const freeBytesOf = async (hostId: string, found: TenantParts) => freeBytesFromDf(await volumeOutputOf(hostId, found, 'df -Pk /var/lib/odoo', 'the disk check'));
  return { parts, admin, docker, filestoreShell, volumeOutput, freeBytesOf };
}

/** A root shell in the tenant's image, no network, its data volume mounted ($1 = the database). */
function volumeShell(found: TenantParts, script: string, labels: Record<string, string>, readOnly: boolean): Docker.ContainerCreateOptions {
  return {
    Image: found.image,
    User: '0',
    Entrypoint: ['sh', '-c', script, 'sh', found.database],
    Labels: labels,
    HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'volume', Source: found.dataVolume, Target: DATA_MOUNT, ...(readOnly ? { ReadOnly: true } : {}) }] },
  };
}

/**
 * Before anything is touched: the layout is Odoo's, and no member could land outside the
 * restore folders. The bytes are proven the recorded ones by the load (`checkRecordedBytes`).
 */
function checkArchiveStep<I>(deps: BackupDeps, sourceOf: (ctx: StepContext<I>) => Pick<ArchiveLoadInput, 'archive' | 'file' | 'sha256'>): StepDefinition<I> {
  return {
    name: 'check-archive',
    title: 'Check the archive (layout, every member; its checksum while it loads)',
    onCrash: 'compensate',
    async run(ctx) {
      // With a recorded sha256, matching it proves every byte is the one written and verified at
      // backup time; that pass runs beside the load, which swaps nothing in before it ends (and
      // checks each member's CRC as it reads it). Without one, every member is read through its
      // CRC now.
      const recorded = sourceOf(ctx).sha256;
      const zip = await openArchiveZip(deps, sourceOf(ctx));
      try {
        if (!zip.member('dump.sql')) throw new FleetError('ARCHIVE_INVALID', `${archiveLabel(sourceOf(ctx))} has no dump.sql: not an Odoo backup zip.`);
        if (!recorded) await zip.test();
        return {
          members: zip.members.length,
          filestoreFiles: zip.members.filter((m) => m.name.startsWith('filestore/')).length,
          unpackedBytes: zip.members.reduce((sum, m) => sum + m.size, 0),
          checksumWithLoad: Boolean(recorded),
        };
      } finally {
        await zip.close();
      }
    },
  };
}

/** The stored archive's sha256 against the recorded one: a mismatch is an ARCHIVE_INVALID that says the tenant was not touched. */
async function checkRecordedBytes(deps: BackupDeps, source: Pick<ArchiveLoadInput, 'archive' | 'file' | 'sha256'>): Promise<void> {
  const stored = await openStoredArchive(deps, source);
  try {
    await checkSha256(stored, source.sha256!);
  } catch (error) {
    if (error instanceof FleetError && error.code === 'ARCHIVE_INVALID') throw new FleetError('ARCHIVE_INVALID', `${error.message} The tenant was not touched.`, error.details);
    throw error;
  } finally {
    await stored.close();
  }
}

/** Finds the tenant, and refuses an archive of another Odoo series than the one it runs. */
function archivePreflightStep<I extends { hostId: string; name: string }>(
  deps: BackupDeps,
  names: { scratchOf: (db: string) => string },
  sourceOf: (ctx: StepContext<I>) => Pick<ArchiveLoadInput, 'archive' | 'file' | 'sha256'>,
): StepDefinition<I> {
  const { admin, freeBytesOf } = archiveLoadTools<I>(deps);
  return {
    name: 'preflight',
    title: 'Find the tenant',
    onCrash: 'compensate',
    async run(ctx) {
      const found = await findTenantParts(deps, ctx.input.hostId, ctx.input.name);
      if (names.scratchOf(found.database).length > 63) throw new FleetError('VALIDATION', `The database name ${found.database} is too long to restore beside it.`);
      // The disk is measured meanwhile, for the room step (which measures again if this failed).
      const [, freeBytes] = await Promise.all([
        refuseAnotherSeries(deps, admin(ctx.input.hostId), found, sourceOf(ctx)),
        freeBytesOf(ctx.input.hostId, found).catch(() => undefined),
      ]);
      return { ...found, ...(freeBytes === undefined ? {} : { freeBytes }) };
    },
  };
}

/** An archive of another Odoo series would load, pass /web/health and break the tenant. */
async function refuseAnotherSeries(deps: BackupDeps, server: DbServerTarget, found: TenantParts, source: Pick<ArchiveLoadInput, 'archive' | 'file'>): Promise<void> {
  const archived = await archiveSeries(await openArchiveZip(deps, source));
  const running = await withTenantSession(deps.pool, server, found, async (c) => {
    const { rows } = await c.query<{ v: string | null }>("SELECT latest_version AS v FROM ir_module_module WHERE name = 'base' AND state = 'installed'").catch(() => ({ rows: [] as Array<{ v: string | null }> }));
    return /^(\d+\.\d+)/.exec(rows[0]?.v ?? '')?.[1] ?? null;
  }).catch(() => null);
  if (archived && running && archived !== running) {
    throw new FleetError('VALIDATION', `The archive holds an Odoo ${archived} database; the tenant runs Odoo ${running}. Restore it into a tenant of the same series.`, { archived, running });
  }
}

/** The Odoo series an archive's manifest names (`major_version`), if it has one. */
async function archiveSeries(zip: ZipReader): Promise<string | null> {
  try {
    const member = zip.member('manifest.json');
    if (!member || member.size > 10 * 2 ** 20) return null;
    let text = '';
    for await (const chunk of await zip.stream(member)) text += (chunk as Buffer).toString('utf8');
    const major = (JSON.parse(text) as { major_version?: unknown }).major_version;
    return typeof major === 'string' ? (/^(\d+\.\d+)/.exec(major)?.[1] ?? null) : null;
  } catch {
    return null; // no readable manifest: Odoo's own restore does not read it either
  } finally {
    await zip.close();
  }
}

/**
 * Drops a scratch or previous copy of the tenant's database — only if the tenant's role owns it:
 * a database of that name owned by anyone else (another tenant's, say) is refused, never dropped.
 */
export async function dropDatabase(client: pg.Client, name: string, ownerRole: string): Promise<void> {
  const owner = (await client.query<{ owner: string }>('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [name])).rows[0]?.owner;
  if (owner === undefined) return;
  if (owner !== ownerRole) throw new FleetError('CONFLICT', `A database named "${name}" exists and belongs to "${owner}", not to this tenant: it is left alone; rename or remove it first.`, { database: name });
  // Its owner may have made it a template, which could not be dropped.
  await client.query(`ALTER DATABASE ${client.escapeIdentifier(name)} WITH IS_TEMPLATE false ALLOW_CONNECTIONS false`);
  await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)}`);
}
