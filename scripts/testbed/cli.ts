// npx tsx scripts/testbed/cli.ts up            start a testbed, print its descriptor (JSON) on stdout, keep it
//                                              until SIGINT/SIGTERM/SIGHUP, then tear it down
// npx tsx scripts/testbed/cli.ts down [<dir>]  tear down that testbed (its `up` process is asked to stop
//                                              first); without <dir>: every testbed and leftover on this machine
// npx tsx scripts/testbed/cli.ts status        list running testbeds
import fs from 'node:fs';
import path from 'node:path';
import { liveTestbeds, readDescriptor, startTestbed, stopAllTestbeds, stopTestbed } from './index.js';
import { isTestbedDir } from './layout.js';
import { isAlive, sleep } from './util.js';

const t0 = Date.now();
const log = (line: string) => process.stderr.write(`[testbed +${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}\n`);

async function up(): Promise<void> {
  let stopRequested = false;
  let wake: () => void = () => undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (!stopRequested) log(`${sig}: tearing down`);
    stopRequested = true;
    wake();
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);

  let desc;
  try {
    desc = await startTestbed({ log });
  } catch (err) {
    log((err as Error).message);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`${JSON.stringify(desc, null, 2)}\n`);
  log(`ready. Reuse it in tests with FLEET_TESTBED_JSON=${path.join(desc.dir, 'descriptor.json')}; Ctrl-C to stop`);
  while (!stopRequested) {
    await new Promise<void>((resolve) => {
      wake = resolve;
      // Exit too when someone tore the testbed down behind our back.
      setTimeout(resolve, 2000);
    });
    if (!fs.existsSync(desc.dir)) {
      log(`${desc.dir} is gone; exiting`);
      break;
    }
  }
  const start = Date.now();
  await stopTestbed(desc, { log });
  log(`torn down in ${Date.now() - start} ms`);
}

async function askOwnerToStop(dir?: string): Promise<void> {
  for (const t of liveTestbeds()) {
    if (dir && t.dir !== dir) continue;
    if (t.ownerPid === process.pid) continue;
    log(`asking pid ${t.ownerPid} (${t.ownerCommand}) to stop ${t.dir}`);
    try {
      process.kill(t.ownerPid, 'SIGTERM');
    } catch {
      continue;
    }
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && isAlive(t.ownerPid) && fs.existsSync(t.dir)) await sleep(200);
  }
}

async function down(dirArg?: string): Promise<void> {
  if (!dirArg) {
    await askOwnerToStop();
    await stopAllTestbeds({ log });
    return;
  }
  let dir = path.resolve(dirArg);
  if (dir.endsWith('.json')) dir = readDescriptor(dir).dir;
  if (!isTestbedDir(dir)) throw new Error(`${dir} is not a testbed directory`);
  await askOwnerToStop(dir);
  await stopTestbed({ dir }, { log });
}

const [command, arg] = process.argv.slice(2);
try {
  if (command === 'up') await up();
  else if (command === 'down') await down(arg);
  else if (command === 'status') process.stdout.write(`${JSON.stringify(liveTestbeds(), null, 2)}\n`);
  else {
    process.stderr.write('usage: tsx scripts/testbed/cli.ts up | down [<dir>|<descriptor.json>] | status\n');
    process.exitCode = 2;
  }
} catch (err) {
  log((err as Error).message);
  process.exitCode = 1;
}
// Lingering handles (none expected) must not keep a finished command alive.
setTimeout(() => process.exit(), 100).unref();
