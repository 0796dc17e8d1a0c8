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
