import type Docker from 'dockerode';
import { FleetError } from '../../shared/errors.js';
import { settleAll } from '../common/settle-all.js';
import type { BackupEntry } from '../../shared/backups.js';
import type { HostCoordinators } from '../coordination/host-coordinators.js';
import { DATABASE_LABEL, ROLE_LABEL } from '../docker/labels.js';
import { runOneOffStream } from '../docker/one-off-stream.js';
import type { JobDefinition, Json, StepContext, StepDefinition } from '../jobs/types.js';
import { withAdmin } from '../postgres/admin-session.js';
import { withTenantSession } from '../postgres/tenant-session.js';
import type { TenantParts } from '../tenant-parts/tenant-parts.js';
import { BackupCatalog } from './catalog.js';
import { filestoreDigest } from './odoo-archive.js';
import { archiveLoadSteps, dropDatabase, type ArchiveLoadInput } from './restore-steps.js';
import type { BackupDeps } from './archive-steps.js';
import { countRows } from './tenant-archive.js';

export interface VerifyInput extends ArchiveLoadInput {
  backupId: string;
  /** What the catalog recorded when the backup was taken. */
  expected: { rowCounts: Record<string, number>; filestore: { files: number; bytes: number; sha256: string } };
}

export interface Verdict {
  [key: string]: Json;
  ok: boolean;
  detail: string;
}

const scratch = (db: string) => `${db}__verify`;

/**
 * A restore drill: the backup is loaded into a scratch database and a scratch filestore folder
 * on the tenant's host, its exact row counts and its filestore digest are compared with what the
 * catalog recorded, the scratch copies are dropped, and the verdict goes into the catalog. The
 * tenant itself is never touched.
 */
export function verifyJob(deps: BackupDeps & { coordinators: HostCoordinators }): JobDefinition<VerifyInput> {
  const load = archiveLoadSteps<VerifyInput>(deps, { scratchOf: scratch, folder: 'verify' });
  const catalog = (hostId: string) => BackupCatalog.of(deps.coordinators, hostId);
  /** A damaged archive (found by the layout check or the checksum beside the load) is a verdict too: the catalog must not keep calling it verified. */
  const damageIsAVerdict = (step: StepDefinition<VerifyInput>): StepDefinition<VerifyInput> => ({
    ...step,
    async run(ctx) {
      try {
        return await step.run(ctx);
      } catch (error) {
        if (error instanceof FleetError && error.code === 'ARCHIVE_INVALID') {
          await catalog(ctx.input.hostId).recordVerification(ctx.input.backupId, { at: new Date().toISOString(), ok: false, method: 'archive', detail: error.message });
        }
        throw error;
      }
    },
  });
  return {
    kind: 'tenant.verify-backup',
    target: (input) => `tenant:${input.hostId}/${input.name}`,
    publicResult: (output) => ({ verdict: (output('compare') as Verdict | undefined) ?? null }),
    steps: [
      damageIsAVerdict(load.checkArchive),
      load.preflight,
      load.room(() => false),
      load.scratchDatabase,
      damageIsAVerdict(load.loadDump()),
      load.stageFilestore,
      ...drillSteps<VerifyInput>(deps, load, { scratchOf: scratch, folder: 'verify', expected: (ctx) => ctx.input.expected }),
      {
        name: 'record',
        title: 'Record the verdict in the catalog',
        onCrash: 'resume',
        async run(ctx) {
          const verdict = ctx.output<Verdict>('compare')!;
          const verification: NonNullable<BackupEntry['verification']> = { at: new Date().toISOString(), ok: verdict.ok, method: 'restore', detail: verdict.detail };
          await catalog(ctx.input.hostId).recordVerification(ctx.input.backupId, verification);
          if (!verdict.ok) throw new FleetError('ARCHIVE_INVALID', `The backup does not restore to what was recorded: ${verdict.detail}.`);
        },
      },
    ],
  };
}

/**
 * Lists the files under the current folder: their count (by NUL, whatever their names), then `S <size> <path>` and `<sha256>  <path>` lines, with one
 * `stat` and one `sha256sum` for many files (`-exec … +`): a process per file cost seconds for an
 * Odoo filestore of a few hundred files. Busybox and GNU tools alike.
 */
export const LIST_FILES_HERE = [
  `printf 'files %s\\n' "$(find . -type f -print0 | tr -cd '\\000' | wc -c)"`,
  "find . -type f -exec stat -c 'S %s %n' {} +",
  'find . -type f -exec sha256sum {} +',
].join('\n');

/**
 * The lister's output as (path, size, sha256) entries. A name with a line break cannot be read
 * back from lines: the counts then disagree and the drill says so rather than guess.
 */
export function parseFilestoreListing(text: string): { files: Array<{ path: string; size: number; sha256: string }>; unreadable: string | null } {
  const lines = text.split('\n').filter(Boolean);
  const declared = Number(/^files (\d+)$/.exec(lines[0] ?? '')?.[1] ?? NaN);
  const sizes = new Map<string, number>();
  const hashes = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const sized = /^S (\d+) \.\/(.*)$/.exec(line);
    const hashed = /^([0-9a-f]{64}) {2}\.\/(.*)$/.exec(line);
    if (sized) sizes.set(sized[2]!, Number(sized[1]));
    else if (hashed) hashes.set(hashed[2]!, hashed[1]!);
  }
  const files = [...sizes].filter(([path]) => hashes.has(path)).map(([path, size]) => ({ path, size, sha256: hashes.get(path)! }));
  const readable = files.length === declared && sizes.size === declared && hashes.size === declared;
  return { files, unreadable: readable ? null : `the restored filestore could not be listed exactly (${Number.isFinite(declared) ? declared : 'no'} files found, ${files.length} read back: a file name with a line break?)` };
}

/** What the lister prints for the scratch filestore folder `.<folder>-<db>`. */
async function listScratchFilestore(docker: Docker, found: TenantParts, folder: string): Promise<string> {
  const listing = await runOneOffStream(
    docker,
    {
      Image: found.image,
      User: '0',
      Entrypoint: ['sh', '-c', `cd "/var/lib/odoo/filestore/.$2-$1" || exit 1\n${LIST_FILES_HERE}`, 'sh', found.database, folder],
      Labels: { [ROLE_LABEL]: 'archive', [DATABASE_LABEL]: found.database },
      HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'volume', Source: found.dataVolume, Target: '/var/lib/odoo', ReadOnly: true }] },
    },
    undefined,
    'the filestore lister',
  );
  let text = '';
  for await (const chunk of listing.stdout) text += (chunk as Buffer).toString('utf8');
  await listing.done;
  return text;
}

type Recorded = VerifyInput['expected'];

/** The drill's verdict: the restored row counts and files against what was recorded. */
function drillVerdict(expected: Recorded, counts: Record<string, number>, listed: ReturnType<typeof parseFilestoreListing>): Verdict {
  const digest = filestoreDigest(listed.files);
  const problems: string[] = listed.unreadable ? [listed.unreadable] : [];
  const tables = new Set([...Object.keys(expected.rowCounts), ...Object.keys(counts)]);
  const differing = [...tables].filter((t) => expected.rowCounts[t] !== counts[t]);
  if (differing.length) problems.push(`${differing.length} table(s) differ, e.g. ${differing.slice(0, 3).map((t) => `${t}: ${counts[t] ?? 'missing'} restored vs ${expected.rowCounts[t] ?? 'absent'} recorded`).join('; ')}`);
  if (digest.sha256 !== expected.filestore.sha256) problems.push(`the filestore differs: ${digest.files} files, ${digest.bytes} bytes restored vs ${expected.filestore.files} files, ${expected.filestore.bytes} bytes recorded`);
  return {
    ok: problems.length === 0,
    detail: problems.length ? problems.join('; ') : `restored into a scratch database: ${tables.size} tables with the recorded row counts, ${digest.files} filestore files matching the recorded digest`,
  };
}

/**
 * The end of a restore drill, after the archive was loaded into scratch copies by `load`:
 * compare exact row counts and the filestore digest with what was recorded, then drop the
 * scratch copies. The verdict is the `compare` step's output.
 */
export function drillSteps<I extends { hostId: string; name: string }>(
  deps: BackupDeps,
  load: ReturnType<typeof archiveLoadSteps<I>>,
  options: { scratchOf: (db: string) => string; folder: string; expected: (ctx: StepContext<I>) => Recorded },
): StepDefinition<I>[] {
  const { parts, admin, docker } = load;
  return [
{
    name: 'compare',
    title: 'Compare exact row counts and the filestore digest with the catalog',
    onCrash: 'compensate',
    async run(ctx) {
      const { database, role } = parts(ctx);
      // Counted and listed at once. The loaded copy is the archive's code now: counted as the
      // tenant, never as the admin; the files are hashed on the host by the tenant's own image.
      const [counts, listing] = await settleAll([
        withTenantSession(deps.pool, admin(ctx.input.hostId), { database: options.scratchOf(database), role }, (c) => countRows(c)),
        listScratchFilestore(docker(ctx.input.hostId), parts(ctx), options.folder),
      ]);
      return drillVerdict(options.expected(ctx), counts, parseFilestoreListing(listing));
    },
  },
  {
    name: 'clean-up',
    title: 'Drop the scratch database and folder',
    onCrash: 'resume',
    async run(ctx) {
      const { database, role } = parts(ctx);
      await settleAll([
        withAdmin(deps.pool, admin(ctx.input.hostId), (c) => dropDatabase(c, options.scratchOf(database), role)),
        load.filestoreShell(ctx, `rm -rf "/var/lib/odoo/filestore/.${options.folder}-$1"`, 'the filestore cleaner'),
      ]);
    },
  },
  ];
}
