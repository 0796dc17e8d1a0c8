import { z } from 'zod';

/** A tenant as the host reports it: its labelled server container is the source of truth. */
export const TenantView = z.object({
  name: z.string(),
  hostId: z.string(),
  containerId: z.string(),
  state: z.string(),
  status: z.string(),
  image: z.string(),
  publicHost: z.string().nullable(),
  /**
   * Suspended: the server is stopped and a maintenance container answers for it (HTTP 503).
   * tenants.list always sets it; optional so that views built elsewhere need not.
   */
  suspended: z.boolean().optional(),
});
export type TenantView = z.infer<typeof TenantView>;

/** Per-tenant figures; null where the host could not say (e.g. a stopped container has no CPU figure). */
export const TenantFigures = z.object({
  databaseBytes: z.number().nullable(),
  filestoreBytes: z.number().nullable(),
  cpuPercent: z.number().nullable(),
  memoryBytes: z.number().nullable(),
  memoryLimitBytes: z.number().nullable(),
  measuredAt: z.string(),
});
export type TenantFigures = z.infer<typeof TenantFigures>;

/** A staging clone, recorded in its host's `fleet` database with its expiry. */
export const StagingCloneView = z.object({
  tenant: z.string(),
  source: z.string(),
  backupId: z.string().nullable(),
  database: z.string(),
  role: z.string(),
  expiresAt: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type StagingCloneView = z.infer<typeof StagingCloneView>;

/** One tenant in detail, as its host records it (labels, environment names, mounts, limits). */
export const TenantDetail = z.object({
  name: z.string(),
  hostId: z.string(),
  containerId: z.string(),
  state: z.string(),
  status: z.string(),
  image: z.string(),
  tag: z.string(),
  publicHost: z.string().nullable(),
  suspended: z.boolean(),
  database: z.string().nullable(),
  role: z.string().nullable(),
  dbHost: z.string().nullable(),
  dataVolume: z.string().nullable(),
  memoryLimitBytes: z.number().nullable(),
  cpus: z.number().nullable(),
  restartPolicy: z.string().nullable(),
  restartCount: z.number(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  health: z.object({ ok: z.boolean(), detail: z.string() }),
  routingLabels: z.record(z.string(), z.string()),
  envNames: z.array(z.string()),
});
export type TenantDetail = z.infer<typeof TenantDetail>;
