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
