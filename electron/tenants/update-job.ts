import type Docker from 'dockerode';
import type { DestinationSpec } from '../../shared/backups.js';
import { FleetError } from '../../shared/errors.js';
import type { BackupInput } from '../backup/backup-job.js';
import type { RestoreInput } from '../backup/restore-job.js';
import { runOneOffStream } from '../docker/one-off-stream.js';
import { runChildJob } from '../jobs/child-jobs.js';
import type { JobDefinition, Json, StepContext } from '../jobs/types.js';
import { adoptedServerOptions } from './adopt-container-job.js';
import { removeContainerIfPresent } from './create-job.js';
import { waitForTenantHealth } from './health.js';
import { stagingStore, type CloneInput, type RemoveStagingInput, type StagingJobDeps } from './staging-jobs.js';
import type { CloneRequest } from './staging-service.js';
import { findTenantParts } from './tenant-parts.js';

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
}

/** What the apply step journals before it changes anything: how to put the old server back. */
interface Applied {
  [key: string]: Json;
  previous: Json;
  wasRunning: boolean;
}

export interface UpdateJobDeps extends StagingJobDeps {
  prepareClone(input: CloneRequest): Promise<CloneInput>;
  reachableCopy(hostId: string, backupId: string): Promise<{ archive: RestoreInput['archive']; sha256: string }>;
}

/**
 * A safe update of a tenant's image or modules, as Odoo.sh does it: a backup first; the update
 * tried on a staging clone of that backup (image swapped, modules updated, health checked); then
 * the tenant itself. If the tenant's update or its health check fails — or the console is
 * killed meanwhile — it is reverted: its previous server container comes back and the backup is
 * restored, so it serves exactly what it served before.
 */
export function updateJob(
  deps: UpdateJobDeps,
  children: { backup: JobDefinition<BackupInput>; clone: JobDefinition<CloneInput>; removeStaging: JobDefinition<RemoveStagingInput>; restore: JobDefinition<RestoreInput> },
): JobDefinition<UpdateInput> {
  const endpoint = (hostId: string) => deps.hosts.endpoint(hostId);

  /** Stops the tenant's server, updates its modules, recreates it from the new image, waits for health. */
  const applyTo = async (ctx: StepContext<UpdateInput>, tenant: string, journal: boolean): Promise<void> => {
    const parts = await findTenantParts(deps, ctx.input.hostId, tenant);
    const info = await deps.docker.call(endpoint(ctx.input.hostId), (d) => d.getContainer(parts.serverId).inspect());
    const serverName = info.Name.replace(/^\//, '');
    if (journal) ctx.setOutput({ previous: adoptedServerOptions(info, info.Config.Image, {}, serverName) as unknown as Json, wasRunning: info.State.Running } satisfies Applied);
    const docker = deps.docker.client(endpoint(ctx.input.hostId));
    await deps.docker.call(endpoint(ctx.input.hostId), async (d) => {
      if ((await d.getContainer(parts.serverId).inspect()).State.Running) await d.getContainer(parts.serverId).stop({ t: 20 });
    }, 60_000);
    if (ctx.input.modules) {
      ctx.progress(0.3, `odoo -u ${ctx.input.modules.join(',')} (${ctx.input.toImage})`);
      // The server's own configuration (ODOO_RC, mounts, network), the new image, then exit.
      const update = await runOneOffStream(
        docker,
        {
          Image: ctx.input.toImage,
          Entrypoint: ['odoo'],
          Cmd: ['-d', parts.database, '-u', ctx.input.modules.join(','), '--stop-after-init'],
          Env: info.Config.Env ?? [],
          Labels: { 'fleet.role': 'archive', 'fleet.database': parts.database },
          HostConfig: { Mounts: adoptedServerOptions(info, ctx.input.toImage, {}, serverName).HostConfig?.Mounts ?? [], ...(info.HostConfig.NetworkMode ? { NetworkMode: info.HostConfig.NetworkMode } : {}) },
        },
        undefined,
        'the module update (odoo -u)',
      );
      for await (const chunk of update.stdout) void chunk;
      await update.done;
    }
    ctx.progress(0.6, `starting ${tenant} on ${ctx.input.toImage}`);
    await replaceServer(deps.docker.client(endpoint(ctx.input.hostId)), serverName, adoptedServerOptions(info, ctx.input.toImage, {}, serverName), true);
    await waitForTenantHealth(deps, endpoint(ctx.input.hostId), ctx.input.hostId, serverName, ctx.signal);
  };

  const removeTrial = async (ctx: StepContext<UpdateInput>) => {
    const runner = deps.jobs();
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
          await runChildJob(ctx, deps.jobs(), children.backup, { hostId, name, backupId, destinations, keyId }, { backupId });
        },
      },
      {
        name: 'trial-clone',
        title: 'Clone the backup to a staging tenant for the trial',
        onCrash: 'compensate',
        async run(ctx) {
          if (!ctx.input.trial) return { skipped: true };
          const input = await deps.prepareClone({ hostId: ctx.input.hostId, source: ctx.input.name, name: ctx.input.trialName, ttlHours: 6, backupId: ctx.input.backupId });
          await runChildJob(ctx, deps.jobs(), children.clone, input);
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
            await applyTo(ctx, ctx.input.trialName, false);
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
      {
        name: 'apply',
        title: 'Update the tenant (stop, update modules, new image, health)',
        onCrash: 'compensate',
        async run(ctx) {
          await applyTo(ctx, ctx.input.name, true);
        },
        async compensate(ctx) {
          // The revert: the previous server container back, then the backup restored into it.
          const applied = ctx.output<Applied>('apply');
          if (!applied?.previous) return;
          const previous = applied.previous as unknown as Docker.ContainerCreateOptions;
          await replaceServer(deps.docker.client(endpoint(ctx.input.hostId)), previous.name!, previous, applied.wasRunning);
          const { archive, sha256 } = await deps.reachableCopy(ctx.input.hostId, ctx.input.backupId);
          const runner = deps.jobs();
          const restore = await runner.wait(runner.runJob(children.restore, { hostId: ctx.input.hostId, name: ctx.input.name, archive, file: null, sha256, copy: false, neutralize: false }, { actor: ctx.actor }));
          if (restore.state !== 'succeeded') throw new FleetError('COMMAND_FAILED', `The previous image is back, but restoring backup ${ctx.input.backupId} failed: ${restore.error?.message ?? restore.state}. Restore it by hand.`);
        },
      },
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

/** Removes the container of that name (if any) and creates it from `options`; starts it if asked. */
async function replaceServer(docker: Docker, name: string, options: Docker.ContainerCreateOptions, start: boolean): Promise<void> {
  await removeContainerIfPresent(docker, name);
  const container = await docker.createContainer({ ...options, name });
  if (start) await container.start();
}
