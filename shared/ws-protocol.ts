import { z } from 'zod';

// Frames of the WebSocket transport (web mode). The path is /api on the web server's own origin;
// the session cookie authenticates the upgrade. Events are broadcast to every connected client.

export const WS_PATH = '/api';

export const ClientFrame = z.object({
  type: z.literal('call'),
  id: z.number().int().nonnegative(),
  op: z.string().max(100),
  input: z.unknown(),
});
export type ClientFrame = z.infer<typeof ClientFrame>;

export type ServerFrame =
  | { type: 'result'; id: number; result: { ok: true; value: unknown } | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } } }
  | { type: 'event'; event: string; payload: unknown };
