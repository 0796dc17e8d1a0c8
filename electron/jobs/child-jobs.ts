import { FleetError } from '../../shared/errors.js';
import type { JobRunner } from './runner.js';
import type { JobDefinition, JobView, Json, StepContext } from './types.js';

/**
 * Runs another job from a step and waits for it: a backup, a clone or a restore inside a larger
 * job. The child's id is journaled as the step's output before it runs, so a step resumed after
 * a crash waits for the same child (which the runner resumes on its own) instead of starting a
 * second one. Fails with the child's own error when the child does not succeed.
 */
export async function runChildJob<I, C>(ctx: StepContext<I>, runner: JobRunner, definition: JobDefinition<C>, input: C, extra: { [key: string]: Json } = {}): Promise<JobView> {
  let childJobId = ctx.output<{ childJobId?: string }>(ctx.step.name)?.childJobId;
  if (!childJobId) {
    // A crash between starting the child and journaling its id: the child is the job of that
    // kind and target this job started after it began, with this very input.
    const started = runner.getJob(ctx.jobId)?.createdAt ?? '';
    const wanted = JSON.stringify(JSON.parse(JSON.stringify(input)));
    const orphan = runner
      .listJobs({ target: definition.target(input), kind: definition.kind, limit: 20 })
      .find((j) => j.createdAt >= started && j.actor === childActor(ctx) && JSON.stringify(runner.getJob(j.id)?.input) === wanted);
    childJobId = orphan?.id ?? runner.runJob(definition, input, { actor: childActor(ctx) });
    ctx.setOutput({ ...extra, childJobId });
  }
  const child = await runner.wait(childJobId);
  if (child.state !== 'succeeded') {
    throw new FleetError((child.error?.code as never) ?? 'INTERNAL', `${definition.kind} ${childJobId.slice(0, 8)} ${child.state}: ${child.error?.message ?? 'no error recorded'}`, { childJobId });
  }
  return child;
}

/** Child jobs run in the parent's name, marked with the parent's id. */
function childActor<I>(ctx: StepContext<I>): string {
  return `${ctx.actor} (job ${ctx.jobId.slice(0, 8)})`;
}
