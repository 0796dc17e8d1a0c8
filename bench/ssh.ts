// npm run bench:ssh [-- --quick] [-- --json]
// 200 sequential container listings through (a) the local Docker socket, (b) the console's pooled
// SSH connection, (c) dockerode's own `protocol: 'ssh'` transport, (d) `docker -H ssh://` when the
// CLI is present; then a host check of 20 hosts in parallel. Self-contained: brings up the testbed.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { removeContainer, runContainer } from '../scripts/testbed/control.js';
import { startTestbed, stopTestbed, type TestbedDescriptor } from '../scripts/testbed/index.js';
import { silentLogger } from '../electron/common/log.js';
import { createConsoleServices } from '../electron/console-services.js';
import { openSshClient } from './openssh.js';
import { args, json, percentile, quick, report, round, runBench, timeEach } from './stats.js';

const LISTINGS = quick ? 40 : 200;
const SLOW_LISTINGS = quick ? 10 : 200; // (c) and (d) cost a full SSH handshake each
const CHECK_HOSTS = 20;
const CONTAINERS = quick ? 5 : 20;

function hasDockerCli(): boolean {
  return spawnSync('docker', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function main() {
  const log = (line: string) => (json ? undefined : process.stderr.write(`${line}\n`));
  const testbed: TestbedDescriptor = await startTestbed({ log: args.has('--verbose') ? log : () => {} });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-bench-ssh-'));
  const services = createConsoleServices({ dataDir, passphrase: 'bench passphrase', kdf: { N: 2 ** 12, r: 8, p: 1 }, homeDir: dataDir, log: silentLogger });
  const names = Array.from({ length: CONTAINERS }, (_, i) => `fleet-bench-${i}`);
  try {
    for (const name of names) await runContainer(testbed, 'alpha', name);
    const ctx = { actor: 'bench', role: 'admin' as const, transport: 'internal' as const };
    const call = async (op: string, input: unknown) => {
      const result = await services.dispatcher.invoke(op, input, ctx);
      if (!result.ok) throw new Error(`${op}: ${result.error.message}`);
      return result.value as { id: string };
    };
    const add = (name: string, which: 'alpha' | 'beta') =>
      call('hosts.add', {
        name,
        address: '127.0.0.1',
        port: testbed[which].sshPort,
        user: testbed.admin.user,
        auth: { kind: 'key', keyPaths: [testbed.admin.keyPath] },
        dockerSocket: testbed[which].dockerSocket,
        trustedFingerprint: testbed[which].hostKeyFingerprint,
      });
    const alpha = await add('alpha', 'alpha');
    const endpoint = services.hosts.endpoint(alpha.id);

    // (a) local socket, same dockerode call
    const local = new Docker({ socketPath: testbed.alpha.dockerSocket });
    await local.listContainers({ all: true });
    const localMs = await timeEach(LISTINGS, () => local.listContainers({ all: true }));

    // (b) the pool (first call opens the connection; not measured)
    await services.docker.listContainers(endpoint);
    const pooledMs = await timeEach(LISTINGS, () => services.docker.listContainers(endpoint));

    // (c) dockerode's built-in SSH transport: a new SSH handshake per request
    const viaSsh = new Docker({
      protocol: 'ssh',
      host: '127.0.0.1',
      port: testbed.alpha.sshPort,
      username: testbed.admin.user,
      sshOptions: { privateKey: fs.readFileSync(testbed.admin.keyPath) },
    } as Docker.DockerOptions);
    await viaSsh.listContainers({ all: true });
    const dockerodeSshMs = await timeEach(SLOW_LISTINGS, () => viaSsh.listContainers({ all: true }));

    // (d) the docker CLI over ssh://, through OpenSSH (bench/openssh.ts).
    let cliMs: number[] | null = null;
    if (hasDockerCli()) {
      const ssh = openSshClient(path.join(dataDir, 'ssh'), testbed, ['alpha']);
      const env = { ...ssh.env, DOCKER_CONFIG: path.join(dataDir, 'docker-config') };
      const host = `ssh://${testbed.admin.user}@127.0.0.1:${testbed.alpha.sshPort}`;
      const listing = () => execFileSync('docker', ['-H', host, 'ps', '-a', '-q'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      listing();
      cliMs = await timeEach(SLOW_LISTINGS, async () => listing());
    }

    // 20 hosts checked in parallel (alternating between the two test hosts)
    const hostIds: string[] = [];
    for (let i = 0; i < CHECK_HOSTS; i++) hostIds.push((await add(`check-${i}`, i % 2 === 0 ? 'alpha' : 'beta')).id);
    const started = performance.now();
    const checks = await Promise.all(hostIds.map((id) => call('hosts.check', { id })));
    const check20Ms = performance.now() - started;
    const failedChecks = (checks as unknown as Array<{ ok: boolean }>).filter((c) => !c.ok).length;
    if (failedChecks > 0) throw new Error(`${failedChecks} of ${CHECK_HOSTS} host checks failed`);

    const p50 = {
      local: percentile(localMs, 50),
      pooled: percentile(pooledMs, 50),
      dockerodeSsh: percentile(dockerodeSshMs, 50),
      cli: cliMs ? percentile(cliMs, 50) : null,
    };
    const result = {
      listings: LISTINGS,
      slow_listings: SLOW_LISTINGS,
      containers: CONTAINERS,
      local_ms_p50: round(p50.local, 3),
      pooled_ms_p50: round(p50.pooled, 3),
      dockerode_ssh_ms_p50: round(p50.dockerodeSsh, 2),
      cli_ssh_ms_p50: p50.cli === null ? null : round(p50.cli, 2),
      pooled_vs_local: round(p50.pooled / p50.local, 2),
      dockerode_ssh_vs_pooled: round(p50.dockerodeSsh / p50.pooled, 1),
      check_20_hosts_ms: round(check20Ms, 1),
    };
    report(
      [
        `container listings (${LISTINGS}; slow transports ${SLOW_LISTINGS}), ${CONTAINERS}+ containers, p50:`,
        `  (a) local Docker socket        ${result.local_ms_p50} ms`,
        `  (b) pooled SSH connection      ${result.pooled_ms_p50} ms   (${result.pooled_vs_local}× local; goal ≤ 2×)`,
        `  (c) dockerode protocol 'ssh'   ${result.dockerode_ssh_ms_p50} ms   (${result.dockerode_ssh_vs_pooled}× pooled; goal ≥ 20×)`,
        `  (d) docker -H ssh://           ${result.cli_ssh_ms_p50 ?? 'n/a'} ms`,
        `check of ${CHECK_HOSTS} hosts in parallel: ${result.check_20_hosts_ms} ms`,
      ],
      result,
    );
  } finally {
    for (const name of names) await removeContainer(testbed, 'alpha', name).catch(() => {});
    await services.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    await stopTestbed(testbed);
  }
}

runBench('ssh', main);
