// The managed proxy on the testbed's alpha, for tests that hold the proxy-ports lock: set up with
// the testbed's Caddy image and Pebble as its ACME server on the published proxy ports, and removed
// (container, volume, network) so the next holder of the ports starts clean.
import fs from 'node:fs';
import type Docker from 'dockerode';
import { PROXY_CONTAINER, PROXY_NETWORK, PROXY_VOLUME } from '../../electron/proxy/proxy-container.js';
import type { TestConsole } from './console.js';
import type { TestbedDescriptor } from './testbed.js';

/** Sets the proxy up (a durable job) and waits for it; throws with the job's error. */
export async function provisionTestProxy(fleet: TestConsole, tb: TestbedDescriptor, hostId: string): Promise<void> {
  const { jobId } = await fleet.call('hosts.provisionProxy', {
    hostId,
    image: tb.images.caddy,
    baseDomain: tb.testDomain,
    acme: { directoryUrl: tb.acme.directoryUrl, rootPem: fs.readFileSync(tb.acme.directoryCaPath, 'utf8'), email: 'ops@example.com' },
    bindAddress: '127.0.0.1',
    httpPort: tb.proxyPorts.http,
    httpsPort: tb.proxyPorts.https,
  });
  const job = await fleet.services.jobs.wait(jobId);
  if (job.error) throw new Error(`${job.kind} failed: ${job.error.code}: ${job.error.message}`);
}

/** Removes the proxy's container, volume and network (what set-up made). */
export async function removeTestProxy(docker: Docker): Promise<void> {
  await docker.getContainer(PROXY_CONTAINER).remove({ force: true }).catch(() => {});
  await docker.getVolume(PROXY_VOLUME).remove({ force: true }).catch(() => {});
  await docker.getNetwork(PROXY_NETWORK).remove().catch(() => {});
}
