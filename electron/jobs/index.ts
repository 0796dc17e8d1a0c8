// The durable job engine: journal in the local store, runner, registry and the event payloads.
export { JobRegistry } from './registry.js';
export { JobRunner, decideDirection, toErrorData, type AcquireLock, type Direction, type JobRunnerOptions, type ResumeReport, type RunJobOptions } from './runner.js';
export { JobJournal, MAX_OUTPUT_BYTES } from './journal.js';
export { isOwnerAlive, processToken } from './owner.js';
export * from './types.js';
