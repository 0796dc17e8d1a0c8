import { z } from 'zod';

// Durable jobs as the UIs see them (electron/jobs/types.ts is the source of these shapes).

const errorData = z.object({ code: z.string(), message: z.string() });

export const JobStepView = z.object({
  index: z.number(),
  name: z.string(),
  title: z.string(),
  onCrash: z.enum(['resume', 'compensate']),
  state: z.string(),
  attempts: z.number(),
  compensateAttempts: z.number(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: errorData.nullable(),
  compensationError: errorData.nullable(),
});

export const JobSummary = z.object({
  id: z.string(),
  kind: z.string(),
  target: z.string(),
  state: z.string(),
  actor: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  cancelRequested: z.boolean(),
  resumeCount: z.number(),
  error: errorData.extend({ step: z.string().nullable() }).nullable(),
});
export type JobSummary = z.infer<typeof JobSummary>;

/**
 * Step outputs are left out: they hold ids of stored secrets, which the UIs have no use for.
 * `result` is what a job kind chooses to show of them (e.g. a final archive's path and checksum).
 */
export const JobView = JobSummary.extend({ steps: z.array(JobStepView), result: z.record(z.string(), z.unknown()).nullable().optional() });
export type JobView = z.infer<typeof JobView>;

export const JobEvent = z.object({ jobId: z.string() }).passthrough();
