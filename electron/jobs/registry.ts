import { FleetError } from '../../shared/errors.js';
import type { JobDefinition } from './types.js';

const NAME = /^[a-z][a-z0-9_.-]{0,63}$/i;

/** kind → definition, so a restarted process can rebuild a job's steps from its journal. */
export class JobRegistry {
  private readonly definitions = new Map<string, JobDefinition<unknown>>();

  register<I>(definition: JobDefinition<I>): JobDefinition<I> {
    if (!NAME.test(definition.kind)) throw new FleetError('INTERNAL', `Invalid job kind "${definition.kind}"`);
    if (this.definitions.has(definition.kind)) throw new FleetError('INTERNAL', `Job kind "${definition.kind}" is registered twice`);
    if (definition.steps.length === 0) throw new FleetError('INTERNAL', `Job kind "${definition.kind}" has no steps`);
    const seen = new Set<string>();
    for (const step of definition.steps) {
      if (!NAME.test(step.name) || seen.has(step.name)) {
        throw new FleetError('INTERNAL', `Job kind "${definition.kind}": step names must be unique identifiers ("${step.name}")`);
      }
      seen.add(step.name);
    }
    this.definitions.set(definition.kind, definition as JobDefinition<unknown>);
    return definition;
  }

  get(kind: string): JobDefinition<unknown> | undefined {
    return this.definitions.get(kind);
  }

  kinds(): string[] {
    return [...this.definitions.keys()];
  }
}
