// vitest globalSetup of the "integration" project: one testbed (two sshd, two dockerd, PostgreSQL) for
// the whole run, provided to test files as inject('testbed') (see ./testbed.ts).
//
// FLEET_TESTBED_JSON=<file>: reuse the testbed described there (from `npx tsx scripts/testbed/cli.ts up`,
// which prints where) instead of starting one; it is left running at the end.
// FLEET_TESTBED_VERBOSE=1: print the testbed's progress lines.
import fs from 'node:fs';
import type { TestProject } from 'vitest/node';
import { readDescriptor, startTestbed, stopTestbed } from '../../scripts/testbed/index.js';
import type {} from './testbed.js'; // the ProvidedContext augmentation

export default async function setup(project: TestProject): Promise<void | (() => Promise<void>)> {
  const reuse = process.env.FLEET_TESTBED_JSON;
  if (reuse) {
    const desc = readDescriptor(reuse);
    if (!fs.existsSync(desc.dir)) throw new Error(`FLEET_TESTBED_JSON=${reuse}: ${desc.dir} no longer exists (testbed stopped?)`);
    console.log(`[testbed] reusing ${desc.dir} (FLEET_TESTBED_JSON)`);
    project.provide('testbed', desc);
    return;
  }
  const verbose = Boolean(process.env.FLEET_TESTBED_VERBOSE);
  const log = (line: string) => {
    if (verbose) console.log(`[testbed] ${line}`);
  };
  const desc = await startTestbed({ log });
  console.log(`[testbed] up in ${desc.timings.total} ms: ${desc.dir}`);
  project.provide('testbed', desc);
  return async () => {
    const start = Date.now();
    await stopTestbed(desc, { log: (line) => console.warn(`[testbed] ${line}`) });
    console.log(`[testbed] torn down in ${Date.now() - start} ms`);
  };
}
