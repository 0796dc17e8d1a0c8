import { z } from 'zod';

// Frames of the WebSocket transport (web mode). The path is /api on the web server's own origin;
// the session cookie authenticates the upgrade. Events are broadcast to every connected client.

export const WS_PATH = '/api';

/** How deeply a call's input may nest: no operation's input comes near, and deeper JSON would cost recursion to read. */
export const MAX_INPUT_DEPTH = 32;

/** Whether a parsed JSON value nests deeper than `max` (walked without recursion). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}

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
