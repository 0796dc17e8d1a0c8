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
