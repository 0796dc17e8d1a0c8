// Test-side access to the shared testbed (started once by tests/support/testbed-setup.ts).
import { inject } from 'vitest';
import { refreshHostKeys } from '../../scripts/testbed/control.js';
import type { TestbedDescriptor } from '../../scripts/testbed/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testbed: TestbedDescriptor;
  }
}

export type { TestbedDescriptor, TestbedHost } from '../../scripts/testbed/index.js';

let cached: TestbedDescriptor | undefined;

/**
 * The testbed descriptor. The same object for the whole test file, so that updates made by
 * scripts/testbed/control.ts (rotateHostKey, restoreHostKey) are seen by later tests of that file. The host
 * key fields are re-read from the key files when a file first asks: an earlier test file may have rotated
 * a key (the descriptor provided by the global setup still names the first one).
 */
export function getTestbed(): TestbedDescriptor {
  if (cached) return cached;
  const desc = inject('testbed');
  if (!desc) {
    throw new Error('no testbed: run this test in the "integration" vitest project (its globalSetup starts the testbed)');
  }
  cached = refreshHostKeys(desc);
  return cached;
}
