// npm run bench:fleet [-- --quick] [-- --json]
// A fleet on the testbed's two hosts: 20 tenants created concurrently through the product's own
// path (tenants.create → the create job → its end), split between alpha and beta; then the status
// of every tenant refreshed as the UI does (tenants.list for each host, in parallel) at 50, 100
// and 200 tenants, against a baseline doing the same refresh with one `ssh <host> docker ps` per
// host through OpenSSH. Self-contained: brings up the testbed, and removes all it made.
//
// Beyond the tenants created for real, each size is filled up with stand-in tenant server
// containers: the stand-in Odoo image running `sleep`, carrying the labels the product gives a
// tenant's server (tenantLabels + fleet.role=server, plus fleet.bench=filler), with no database.
// tenants.list reads labels only, so it lists them exactly as it lists real tenants.
//
// First, with the testbed up, the check a second start makes of the test images (scripts/testbed/
// images) on both daemons, which finds them in place and builds and imports nothing: its time.
//
// Last, two real tenants per host are stopped one after the other through tenants.stop (the stop
// job: `docker stop` with 20 s of grace): the wall time of each, and that each server exited 0 on
// SIGTERM instead of being killed at the end of the grace. The stand-in Odoo image stops in well
// under 2 s on a quiet machine; test-images checks only that it honours SIGTERM.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { names } from '../electron/tenant-parts/containers.js';
import { tenantLabels } from '../electron/tenant-parts/routing.js';
import type { TenantView } from '../shared/tenant-views.js';
import { resolveTenantSpec, TenantSpecInput } from '../shared/tenants.js';
import { silentLogger } from '../electron/common/log.js';
import { removeContainer, runContainer } from '../scripts/testbed/control.js';
import { busyboxRecipe } from '../scripts/testbed/docker.js';
import { ensureTestImages, newTestImageStats, testImageRecipes, testImageTarballs } from '../scripts/testbed/images/index.js';
import { dockerJson } from '../scripts/testbed/util.js';
import { startTestbed, stopTestbed, type TestbedDescriptor } from '../scripts/testbed/index.js';
import { addTestbedHost, addTestbedHostWithDb, createTestConsole, removeTenant, testbedDbServer } from '../tests/support/console.js';
import { openSshClient } from './openssh.js';
import { args, cleanupOnce, json, percentile, quick, report, round, runBench, timeEach } from './stats.js';

const HOSTS = ['alpha', 'beta'] as const;
type Which = (typeof HOSTS)[number];
const CREATE = quick ? 4 : 20;
const SIZES = [50, 100, 200] as const;
const RUNS = quick ? 5 : 21;
const BASELINE_RUNS = quick ? 3 : 11;
const DOMAIN = 'bench.test';
const REFRESH_GOAL_MS = 1000;

const execFileAsync = promisify(execFile);

/** Runs fn over items, at most `limit` at a time. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The baseline's remote command: the same filter as tenants.list, one JSON object a line. */
function dockerPsCommand(testbed: TestbedDescriptor, which: Which): string {
  return `docker -H unix://${testbed[which].dockerSocket} ps -a --no-trunc --filter label=fleet.tenant --filter label=fleet.role=server --format '{{json .}}'`;
}

/** `docker ps --format '{{json .}}'` lines turned into the views tenants.list returns. */
function parseDockerPs(stdout: string, hostId: string): TenantView[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const row = JSON.parse(line) as { ID: string; Image: string; Labels: string; State: string; Status: string };
      const labels = Object.fromEntries(row.Labels.split(',').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
      const rule = Object.entries(labels).find(([key]) => /^traefik\.http\.routers\.[^.]+\.rule$/.test(key) && !key.includes('-ws.'))?.[1];
      return {
        name: labels['fleet.tenant']!,
        hostId,
        containerId: row.ID,
        state: row.State,
        status: row.Status,
        image: row.Image,
        publicHost: rule ? (/Host\(`([^`]+)`\)/.exec(rule)?.[1] ?? null) : null,
      };
    });
}

async function main() {
  const log = (line: string) => (json ? undefined : process.stderr.write(`${line}\n`));
  const testbed = await startTestbed({ log: args.has('--verbose') ? log : () => {} });
  const fleet = createTestConsole({ log: silentLogger });
  const [repository, tag] = testbed.images.odoo.split(':') as [string, string];
  const real: Array<{ which: Which; hostId: string; name: string }> = [];
  const fillers: Array<{ which: Which; container: string }> = [];

  const cleanup = cleanupOnce('fleet', async () => {
    await mapLimit(fillers, 8, (f) => removeContainer(testbed, f.which, f.container).catch(() => {}));
    for (const t of real) {
      await removeTenant(fleet.services, t.hostId, t.name).catch((error: Error) => process.stderr.write(`bench:fleet: could not remove tenant ${t.name}: ${error.message}\n`));
    }
    await fleet.close();
    await stopTestbed(testbed);
  });

  try {
    // Both hosts use the testbed's PostgreSQL. Alpha's tenants join the testbed's Docker network
    // and reach it at that network's gateway. Beta's daemon has no iptables rules and the host's
    // FORWARD policy drops between bridges, but the gateway is an address of the machine itself:
    // from beta's default bridge the packets are delivered locally (INPUT), not forwarded, so
    // beta's tenants use the same address without joining a network (which beta does not have).
    const { tenantNetwork: _alphaOnly, ...betaDb } = testbedDbServer(testbed);
    const hostIds: Record<Which, string> = {
      alpha: await addTestbedHostWithDb(fleet, testbed),
      beta: (await addTestbedHost(fleet, testbed, 'beta', { dbServer: betaDb })).id,
    };
    // 0. The test images checked again on both daemons, as a second testbed start does.
    const imagesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-fleet-images-'));
    const imageCheckStarted = performance.now();
    const imageStats = newTestImageStats();
    try {
      const recipes = await testImageRecipes(await busyboxRecipe());
      const tarballs = testImageTarballs(imagesDir, imageStats, () => undefined);
      await Promise.all(HOSTS.map((h) => ensureTestImages(testbed[h].dockerSocket, recipes, tarballs, imageStats, () => undefined)));
    } finally {
      fs.rmSync(imagesDir, { recursive: true, force: true });
    }
    const imageCheckMs = performance.now() - imageCheckStarted;
    const imagesImported = Object.values(imageStats.imported).flat();
    log(`test images checked on both daemons in ${round(imageCheckMs, 0)} ms (built: ${imageStats.built.join(', ') || 'none'}; imported: ${imagesImported.join(', ') || 'none'})`);

    const refresh = async () => (await Promise.all(HOSTS.map((h) => fleet.call('tenants.list', { hostId: hostIds[h] })))).flat();
    const ssh = openSshClient(path.join(fleet.dir, 'openssh'), testbed, [...HOSTS]);
    const baseline = async () =>
      (
        await Promise.all(
          HOSTS.map(async (h) => {
            const { stdout } = await execFileAsync('ssh', [h, dockerPsCommand(testbed, h)], { env: ssh.env, maxBuffer: 64 * 2 ** 20 });
            return parseDockerPs(stdout, hostIds[h]);
          }),
        )
      ).flat();

    // 1. Tenants created concurrently, for real, split between the hosts.
    for (let i = 0; i < CREATE; i++) {
      const which = HOSTS[i % HOSTS.length]!;
      real.push({ which, hostId: hostIds[which], name: `bench-${which}-${String(i).padStart(2, '0')}` });
    }
    const createStarted = performance.now();
    const lastDone: Record<Which, number> = { alpha: 0, beta: 0 };
    const jobs = await Promise.all(
      real.map(async (t) => {
        const { jobId } = await fleet.call('tenants.create', { name: t.name, hostId: t.hostId, domain: DOMAIN, image: repository, tag });
        const done = await fleet.services.jobs.wait(jobId);
        lastDone[t.which] = Math.max(lastDone[t.which], performance.now() - createStarted);
        return { ...t, done };
      }),
    );
    const createS = (performance.now() - createStarted) / 1000;
    const failed = jobs.filter((j) => j.done.state !== 'succeeded');
    if (failed.length > 0) {
      throw new Error(`${failed.length} of ${CREATE} tenant creations failed: ${failed.map((j) => `${j.name} on ${j.which}: ${j.done.error?.message ?? j.done.state}`).join('; ')}`);
    }
    const listed = await refresh();
    const notRunning = real.filter((t) => listed.find((v) => v.name === t.name && v.hostId === t.hostId)?.state !== 'running');
    if (notRunning.length > 0) throw new Error(`created but not listed as running: ${notRunning.map((t) => t.name).join(', ')}`);
    log(`created ${CREATE} tenants concurrently (${HOSTS.map((h) => `${real.filter((t) => t.which === h).length} on ${h}`).join(', ')}) in ${round(createS, 1)} s`);

    // 2. Refresh at each size, the fleet filled up with stand-in tenant servers.
    const refreshMs: Record<string, number> = {};
    const baselineMs: Record<string, number> = {};
    const fillerCount: Record<string, number> = {};
    for (const size of SIZES) {
      const wanted: Record<Which, number> = { alpha: Math.ceil(size / 2), beta: Math.floor(size / 2) };
      const toAdd: Array<{ which: Which; name: string }> = [];
      for (const h of HOSTS) {
        const have = real.filter((t) => t.which === h).length + fillers.filter((f) => f.which === h).length;
        for (let i = have; i < wanted[h]; i++) toAdd.push({ which: h, name: `bench-fill-${h}-${String(i).padStart(3, '0')}` });
      }
      const fillStarted = performance.now();
      await mapLimit(toAdd, 4, async (f) => {
        const spec = resolveTenantSpec(TenantSpecInput.parse({ name: f.name, hostId: hostIds[f.which], domain: DOMAIN, image: repository, tag }));
        const container = names(spec).server;
        fillers.push({ which: f.which, container });
        await runContainer(testbed, f.which, container, {
          image: testbed.images.odoo,
          cmd: ['sleep', '86400'],
          labels: { ...tenantLabels(spec), 'fleet.role': 'server', 'fleet.bench': 'filler' },
          replace: false,
        });
      });
      fillerCount[size] = fillers.length;
      log(`${size} tenants: added ${toAdd.length} stand-in tenant servers in ${round((performance.now() - fillStarted) / 1000, 1)} s`);

      // Let the daemons settle after the starts, then a few unmeasured passes of each.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      for (let i = 0; i < 3; i++) await Promise.all([refresh(), baseline()]);
      const ours = await refresh();
      const theirs = await baseline();
      for (const [what, views] of [['tenants.list', ours], ['ssh docker ps', theirs]] as const) {
        if (views.length !== size) throw new Error(`${what} saw ${views.length} tenants, expected ${size}`);
      }
      const key = (v: TenantView) => `${v.hostId} ${v.name} ${v.containerId} ${v.state} ${v.publicHost}`;
      if (JSON.stringify(ours.map(key).sort()) !== JSON.stringify(theirs.map(key).sort())) throw new Error(`tenants.list and the baseline disagree at ${size} tenants`);
      const oursSamples = await timeEach(RUNS, refresh);
      const baselineSamples = await timeEach(BASELINE_RUNS, baseline);
      refreshMs[size] = percentile(oursSamples, 50);
      baselineMs[size] = percentile(baselineSamples, 50);
      if (args.has('--verbose')) log(`${size} tenants: samples ${oursSamples.map((ms) => round(ms, 1)).join(' ')}; baseline ${baselineSamples.map((ms) => round(ms)).join(' ')}`);
    }

    // 3. Stopping tenants: the stop job's wall time, and how each server ended.
    const stopped: Array<{ name: string; ms: number; exitCode: number }> = [];
    for (const t of HOSTS.flatMap((h) => real.filter((r) => r.which === h).slice(0, 2))) {
      const stopStarted = performance.now();
      const done = await fleet.services.jobs.wait((await fleet.call('tenants.stop', { hostId: t.hostId, name: t.name })).jobId);
      const ms = performance.now() - stopStarted;
      if (done.state !== 'succeeded') throw new Error(`tenants.stop of ${t.name} ended ${done.state}: ${done.error?.message ?? ''}`);
      const server = names(resolveTenantSpec(TenantSpecInput.parse({ name: t.name, hostId: t.hostId, domain: DOMAIN, image: repository, tag }))).server;
      const inspected = await dockerJson<{ State: { ExitCode: number } }>('inspect', testbed[t.which].dockerSocket, 'GET', `/containers/${server}/json`);
      stopped.push({ name: t.name, ms, exitCode: inspected.State.ExitCode });
    }
    const stopMs = stopped.map((s) => s.ms);
    log(`stopped ${stopped.length} tenants one by one through tenants.stop: ${stopped.map((s) => `${s.name} ${round(s.ms / 1000, 2)} s (exit ${s.exitCode})`).join(', ')}`);

    const growth = refreshMs[200]! / refreshMs[50]!;
    const ratios = Object.fromEntries(SIZES.map((s) => [String(s), round(refreshMs[s]! / baselineMs[s]!, 3)]));
    const result = {
      create_20_s: round(createS, 2),
      refresh_ms: Object.fromEntries(SIZES.map((s) => [String(s), round(refreshMs[s]!, 2)])),
      baseline_refresh_ms: Object.fromEntries(SIZES.map((s) => [String(s), round(baselineMs[s]!, 1)])),
      hosts: HOSTS.length,
      created_concurrently: CREATE,
      created_per_host: Object.fromEntries(HOSTS.map((h) => [h, real.filter((t) => t.which === h).length])),
      create_last_done_s: Object.fromEntries(HOSTS.map((h) => [h, round(lastDone[h] / 1000, 2)])),
      stand_in_tenants: Object.fromEntries(SIZES.map((s) => [String(s), fillerCount[s]!])),
      ours_vs_baseline: ratios,
      growth_50_to_200: round(growth, 2),
      runs: RUNS,
      baseline_runs: BASELINE_RUNS,
      test_images_check_ms: round(imageCheckMs, 0),
      test_images_built: imageStats.built,
      test_images_imported: imagesImported,
      stop_s: { median: round(percentile(stopMs, 50) / 1000, 2), max: round(Math.max(...stopMs) / 1000, 2), tenants: stopped.length },
      stop_exit_codes: stopped.map((s) => s.exitCode),
    };
    const row = (s: number) =>
      `  ${String(s).padStart(3)} tenants (${String(CREATE).padStart(2)} real + ${String(fillerCount[s]).padStart(3)} stand-in)   ${String(result.refresh_ms[s]).padStart(7)} ms   baseline ${String(result.baseline_refresh_ms[s]).padStart(7)} ms   ours/baseline ${ratios[s]}`;
    report(
      [
        `test images (stand-in Odoo, PostgreSQL, nginx) checked on both daemons as a second testbed start does: ${result.test_images_check_ms} ms (built: ${imageStats.built.join(', ') || 'none'}; imported: ${imagesImported.join(', ') || 'none'})`,
        `${CREATE} tenants created concurrently through tenants.create (the product's create job: database and role, volumes, secrets,`,
        `  odoo -i base with the stand-in Odoo image, server, /web/health), ${HOSTS.map((h) => `${result.created_per_host[h]} on ${h}`).join(', ')}: ${result.create_20_s} s`,
        `  (last one done on ${HOSTS.map((h) => `${h} at ${result.create_last_done_s[h]} s`).join(', ')}; beta's tenants reach the testbed PostgreSQL at ${testbed.dockerNetwork.gateway}, delivered locally, not forwarded)`,
        `refresh of every tenant on ${HOSTS.length} hosts, median of ${RUNS} (baseline: median of ${BASELINE_RUNS}):`,
        `  ours: tenants.list for each host in parallel, through the dispatcher, over the pooled SSH connections`,
        `  baseline: \`ssh <host> docker ps -a --filter label=fleet.tenant --filter label=fleet.role=server --format '{{json .}}'\` per host in parallel (OpenSSH, a new connection each)`,
        `  beyond the ${CREATE} real tenants, each size is filled up with stand-in tenant servers: the stand-in Odoo image running \`sleep\`,`,
        `  labelled as the product labels a tenant's server (tenantLabels + fleet.role=server), no database; tenants.list lists them as tenants`,
        ...SIZES.map(row),
        `tenants.stop of ${stopped.length} tenants one by one (the stop job, docker stop with 20 s of grace): median ${result.stop_s.median} s, max ${result.stop_s.max} s; exit codes ${result.stop_exit_codes.join(' ')} (0: the server honoured SIGTERM)`,
        `goals: 200 tenants ≤ ${REFRESH_GOAL_MS} ms: ${refreshMs[200]! <= REFRESH_GOAL_MS ? 'met' : 'NOT met'}; growth 50→200 ${result.growth_50_to_200}× (linear would be 4×): ${growth <= 4 ? 'met' : 'NOT met'}; faster than the baseline at every size: ${SIZES.every((s) => refreshMs[s]! < baselineMs[s]!) ? 'met' : 'NOT met'}`,
      ],
      result,
    );
  } finally {
    await cleanup();
  }
}

runBench('fleet', main);
