import crypto from 'node:crypto';
import type Docker from 'dockerode';
import type { DestinationSpec } from '../../shared/backups.js';
import { FleetError } from '../../shared/errors.js';
import type { BackupInput } from '../backup/backup-job.js';
import type { RestoreInput } from '../backup/restore-job.js';
import { DATABASE_LABEL, ROLE_LABEL } from '../docker/labels.js';
import { runOneOffStream } from '../docker/one-off-stream.js';
import { runChildJob } from '../jobs/child-jobs.js';
import type { JobDefinition, Json, StepContext, StepDefinition } from '../jobs/types.js';
import { removeContainerIfPresent } from '../tenant-parts/containers.js';
import { waitForTenantHealth } from '../tenant-parts/health.js';
import { findTenantParts } from '../tenant-parts/tenant-parts.js';
import { joinSharedNetwork, sharedNetworkOf } from '../tenant-parts/tenant-network.js';
import { adoptedServerOptions } from './adopt-container-job.js';
import { stagingStore, type CloneInput, type RemoveStagingInput, type StagingJobDeps } from './staging-jobs.js';
import type { CloneRequest } from './staging-service.js';

export interface UpdateInput {
  hostId: string;
  name: string;
  /** The image the tenant runs now, and the one it moves to (the same when only modules are updated). */
  fromImage: string;
  toImage: string;
  /** Modules to update with `odoo -u`, or null. */
  modules: string[] | null;
  trial: boolean;
  /** The staging clone the update is tried on first. */
  trialName: string;
  /** The backup taken first: the trial's source and the revert's. */
  backupId: string;
  destinations: DestinationSpec[];
  keyId: string | null;
  /** How long the updated server may take to answer /web/health. */
  healthTimeoutSeconds: number;
}

/**
 * What the apply step journals as it goes: how to put the old server back, the backup taken
 * once the tenant was stopped (the revert point: nothing written before the update is lost by a
 * revert), and how far it got.
 */
interface Applied {
  [key: string]: Json;
  previous: Json;
  serverName: string;
  wasRunning: boolean;
  revertBackupId: string;
  phase: 'stopping' | 'backing-up' | 'updating' | 'replacing' | 'checking';
}

const PHASES: ReadonlyArray<Applied['phase']> = ['stopping', 'backing-up', 'updating', 'replacing', 'checking'];

export interface UpdateJobDeps extends StagingJobDeps {
  prepareClone(input: CloneRequest): Promise<CloneInput>;
  reachableCopy(hostId: string, backupId: string): Promise<{ archive: RestoreInput['archive']; sha256: string }>;
}

/** The jobs an update runs as its children. */
type UpdateChildren = {
  backup: JobDefinition<BackupInput>;
  clone: JobDefinition<CloneInput>;
  removeStaging: JobDefinition<RemoveStagingInput>;
  restore: JobDefinition<RestoreInput>;
};

/**
 * A safe update of a tenant's image or modules, as Odoo.sh does it: a backup first; the update
 * tried on a staging clone of that backup (image swapped, modules updated, health checked); then
 * the tenant itself. If the tenant's update or its health check fails — or the console is
 * killed meanwhile — it is reverted: its previous server container comes back and the backup is
 * restored, so it serves exactly what it served before.
 */
export function updateJob(deps: UpdateJobDeps, children: UpdateChildren): JobDefinition<UpdateInput> {
  const { removeTrial, tryOnClone } = updateTools(deps, children);
  return {
    kind: 'tenant.update',
    target: (input) => `update:${input.hostId}/${input.name}`,
    publicResult: (output) => ({ image: (output('finish') as { image?: string } | undefined)?.image ?? null, backupId: (output('backup') as { backupId?: string } | undefined)?.backupId ?? null }),
    steps: [
      {
        name: 'backup',
        title: 'Back the tenant up first',
        onCrash: 'compensate',
        async run(ctx) {
          const { hostId, name, backupId, destinations, keyId } = ctx.input;
          await runChildJob(ctx, deps.jobs, children.backup, { hostId, name, backupId, destinations, keyId }, { backupId });
        },
      },
      {
        name: 'trial-clone',
        title: 'Clone the backup to a staging tenant for the trial',
        onCrash: 'compensate',
        async run(ctx) {
          if (!ctx.input.trial) return { skipped: true };
          const input = await deps.prepareClone({ hostId: ctx.input.hostId, source: ctx.input.name, name: ctx.input.trialName, ttlHours: 6, backupId: ctx.input.backupId });
          await runChildJob(ctx, deps.jobs, children.clone, input);
        },
        async compensate(ctx) {
          if (ctx.input.trial) await removeTrial(ctx);
        },
      },
      {
        name: 'trial-update',
        title: 'Try the update on the clone (image, modules, health)',
        onCrash: 'compensate',
        async run(ctx) {
          if (!ctx.input.trial) return { skipped: true };
          try {
            await tryOnClone(ctx);
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            throw new FleetError(error instanceof FleetError ? error.code : 'COMMAND_FAILED', `The update failed on the staging clone, so the tenant was not touched: ${message}`);
          }
        },
      },
      {
        name: 'trial-remove',
        title: 'Remove the trial clone',
        onCrash: 'compensate',
        async run(ctx) {
          if (ctx.input.trial) await removeTrial(ctx);
        },
      },
      applyStep(deps, children),
      {
        // The point of no return: the tenant runs the new image and answered its health check.
        name: 'finish',
        title: 'Keep the update',
        onCrash: 'resume',
        async run(ctx) {
          return { image: ctx.input.toImage };
        },
      },
    ],
  };
}

/** The pieces the update's steps share: the module update, stopping a server, the trial on a clone and its removal. */
function updateTools(deps: UpdateJobDeps, children: UpdateChildren) {
  const endpoint = (hostId: string) => deps.hosts.endpoint(hostId);

  /** Updates the modules (odoo -u) with the new image and the server's own configuration, then exits. */
  const updateModules = async (ctx: StepContext<UpdateInput>, info: Docker.ContainerInspectInfo, database: string) => {
    if (!ctx.input.modules) return;
    ctx.progress(0.3, `odoo -u ${ctx.input.modules.join(',')} (${ctx.input.toImage})`);
    const serverName = info.Name.replace(/^\//, '');
    const update = await runOneOffStream(
      deps.docker.client(endpoint(ctx.input.hostId)),
      {
        Image: ctx.input.toImage,
        Entrypoint: ['odoo'],
        Cmd: ['-d', database, '-u', ctx.input.modules.join(','), '--stop-after-init'],
        Env: info.Config.Env ?? [],
        Labels: { [ROLE_LABEL]: 'archive', [DATABASE_LABEL]: database },
        HostConfig: { Mounts: adoptedServerOptions(info, ctx.input.toImage, {}, serverName).HostConfig?.Mounts ?? [], ...networkModeFor(sharedNetworkOf(deps, ctx.input.hostId) ?? info.HostConfig.NetworkMode) },
      },
      undefined,
      'the module update (odoo -u)',
    );
    for await (const chunk of update.stdout) void chunk;
    await update.done;
  };

  const stopServer = (hostId: string, container: string) =>
    deps.docker.call(endpoint(hostId), async (d) => {
      if ((await d.getContainer(container).inspect()).State.Running) await d.getContainer(container).stop({ t: 20 });
    }, 60_000);

  /** The trial: the clone's server recreated from the new image, its modules updated, its health checked. */
  const tryOnClone = async (ctx: StepContext<UpdateInput>): Promise<void> => {
    const parts = await findTenantParts(deps, ctx.input.hostId, ctx.input.trialName);
    const info = await deps.docker.call(endpoint(ctx.input.hostId), (d) => d.getContainer(parts.serverId).inspect());
    const serverName = info.Name.replace(/^\//, '');
    await stopServer(ctx.input.hostId, parts.serverId);
    await updateModules(ctx, info, parts.database);
    await replaceServer(deps, ctx.input.hostId, serverName, adoptedServerOptions(info, ctx.input.toImage, {}, serverName), true);
    await waitForTenantHealth(deps, endpoint(ctx.input.hostId), ctx.input.hostId, serverName, ctx.signal, ctx.input.healthTimeoutSeconds * 1000);
  };

  const removeTrial = async (ctx: StepContext<UpdateInput>) => {
    const runner = deps.jobs;
    const target = children.removeStaging.target({ hostId: ctx.input.hostId, name: ctx.input.trialName });
    const running = runner.listJobs({ target, kind: children.removeStaging.kind, state: ['queued', 'running', 'compensating'], limit: 1 })[0];
    if (!running && !(await stagingStore(deps, ctx.input.hostId).get(ctx.input.trialName))) return; // never made, or removed already
    try {
      const jobId = running?.id ?? runner.runJob(children.removeStaging, { hostId: ctx.input.hostId, name: ctx.input.trialName }, { actor: ctx.actor });
      const removed = await runner.wait(jobId);
      if (removed.state !== 'succeeded') ctx.log.warn('the trial clone was not removed; its time to live will', { error: removed.error?.message ?? removed.state });
    } catch (error) {
      ctx.log.warn('the trial clone was not removed; its time to live will', { error: (error as Error).message });
    }
  };

  return { endpoint, updateModules, stopServer, tryOnClone, removeTrial };
}

/**
 * The tenant itself, resumed after a crash from where it got: a server that turns out healthy is
 * kept; one that does not is reverted to the backup taken once the tenant was stopped.
 */
function applyStep(deps: UpdateJobDeps, children: UpdateChildren): StepDefinition<UpdateInput> {
  const { endpoint, stopServer, updateModules } = updateTools(deps, children);
  return {
    name: 'apply',
    title: 'Update the tenant (stop, back up, update modules, new image, health)',
    onCrash: 'resume',
    async run(ctx) {
      const { hostId, name } = ctx.input;
      let state = ctx.output<Applied>('apply');
      const journal = (next: Applied) => {
        ctx.setOutput(next);
        state = next;
      };
      const reached = (phase: Applied['phase']) => PHASES.indexOf(state!.phase) >= PHASES.indexOf(phase);
      if (!state?.previous) {
        const parts = await findTenantParts(deps, hostId, name);
        const info = await deps.docker.call(endpoint(hostId), (d) => d.getContainer(parts.serverId).inspect());
        const serverName = info.Name.replace(/^\//, '');
        journal({ previous: adoptedServerOptions(info, info.Config.Image, {}, serverName) as unknown as Json, serverName, wasRunning: info.State.Running, revertBackupId: crypto.randomUUID(), phase: 'stopping' });
      }
      const current = () => deps.docker.call(endpoint(hostId), (d) => d.getContainer(state!.serverName).inspect());
      if (!reached('backing-up')) {
        await stopServer(hostId, state!.serverName);
        journal({ ...state!, phase: 'backing-up' });
      }
      if (!reached('updating')) {
        ctx.progress(0.1, 'backing the stopped tenant up (the revert point)');
        await runChildJob(ctx, deps.jobs, children.backup, { hostId, name, backupId: state!.revertBackupId, destinations: ctx.input.destinations, keyId: ctx.input.keyId }, { ...state! });
        journal({ ...ctx.output<Applied>('apply')!, phase: 'updating' });
      }
      if (!reached('replacing')) {
        const info = await current();
        await updateModules(ctx, info, info.Config.Labels?.[DATABASE_LABEL] ?? '');
        journal({ ...state!, phase: 'replacing' });
      }
      if (!reached('checking')) {
        ctx.progress(0.6, `starting ${name} on ${ctx.input.toImage}`);
        const info = await current();
        await replaceServer(deps, hostId, state!.serverName, adoptedServerOptions(info, ctx.input.toImage, {}, state!.serverName), true);
        journal({ ...state!, phase: 'checking' });
      }
      await waitForTenantHealth(deps, endpoint(hostId), hostId, state!.serverName, ctx.signal, ctx.input.healthTimeoutSeconds * 1000);
    },
    async compensate(ctx) {
      const applied = ctx.output<Applied>('apply');
      if (!applied?.previous) return;
      const previous = applied.previous as unknown as Docker.ContainerCreateOptions;
      if (PHASES.indexOf(applied.phase) < PHASES.indexOf('updating')) {
        // Stopped (and maybe backed up), nothing changed: the old server runs again as it was.
        if (applied.wasRunning) {
          await deps.docker.call(endpoint(ctx.input.hostId), async (d) => {
            const server = d.getContainer(applied.serverName);
            if (!(await server.inspect()).State.Running) await server.start();
          });
        }
        return;
      }
      // The revert: the previous server back, then the backup taken once the tenant was
      // stopped. A revert already under way (a crash during it) is waited for, not redone.
      const runner = deps.jobs;
      const actor = `${ctx.actor} (revert ${ctx.jobId.slice(0, 8)})`;
      const started = runner.getJob(ctx.jobId)?.createdAt ?? '';
      const target = children.restore.target({ hostId: ctx.input.hostId, name: ctx.input.name } as RestoreInput);
      let restoreJobId = runner.listJobs({ target, kind: children.restore.kind, limit: 20 }).find((j) => j.createdAt >= started && j.actor === actor)?.id;
      if (!restoreJobId) {
        await replaceServer(deps, ctx.input.hostId, previous.name!, previous, applied.wasRunning);
        const { archive, sha256 } = await deps.reachableCopy(ctx.input.hostId, applied.revertBackupId);
        restoreJobId = runner.runJob(children.restore, { hostId: ctx.input.hostId, name: ctx.input.name, archive, file: null, sha256, copy: false, neutralize: false }, { actor });
      }
      const restore = await runner.wait(restoreJobId);
      if (restore.state !== 'succeeded') throw new FleetError('COMMAND_FAILED', `The previous image is back, but restoring backup ${applied.revertBackupId} failed: ${restore.error?.message ?? restore.state}. Restore it by hand.`);
    },
  };
}

/** The module update reaches the database server from the server's network (or the shared one). */
const networkModeFor = (network: string | undefined) => (network ? { NetworkMode: network } : {});

/**
 * Removes the container of that name (if any) and creates it from `options` (on its own network),
 * joined to the shared network of the host's database server if it has one; starts it if asked.
 */
async function replaceServer(deps: UpdateJobDeps, hostId: string, name: string, options: Docker.ContainerCreateOptions, start: boolean): Promise<void> {
  const docker = deps.docker.client(deps.hosts.endpoint(hostId));
  await removeContainerIfPresent(docker, name);
  const container = await docker.createContainer({ ...options, name });
  await joinSharedNetwork(deps, docker, hostId, container.id);
  if (start) await container.start();
}
