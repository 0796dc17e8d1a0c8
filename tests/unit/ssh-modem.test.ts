import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import Docker from 'dockerode';
import Modem from 'docker-modem';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelHttpClient } from '../../electron/docker/channel-http.js';
import { SshDockerAgent } from '../../electron/docker/ssh-docker-agent.js';
import { SshModem } from '../../electron/docker/ssh-modem.js';

// A local HTTP server stands in for the Docker socket. The same dockerode calls go through
// docker-modem as it comes and through SshModem: the server must see the same requests, and the
// callers the same results and errors.
interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
}

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function fakeDocker() {
  const seen: Seen[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({ method: request.method!, url: request.url!, contentType: request.headers['content-type'], body: Buffer.concat(chunks).toString() });
      const path = request.url!.split('?')[0]!;
      if (path === '/containers/missing/json') reply(response, 404, 'application/json', '{"message":"No such container: missing"}');
      else if (path === '/containers/broken/json') reply(response, 500, 'text/plain', 'daemon fell over');
      else if (path.endsWith('/logs') && request.url!.includes('follow=true')) reply(response, 200, 'application/vnd.docker.raw-stream', 'streamed');
      else if (path.endsWith('/logs')) reply(response, 200, 'application/vnd.docker.raw-stream', 'raw log bytes');
      else if (path === '/containers/create') reply(response, 201, 'application/json', '{"Id":"abc","Warnings":[]}');
      else if (path.endsWith('/wait')) reply(response, 200, 'application/json', '{"StatusCode":0}');
      else if (request.method === 'GET') reply(response, 200, 'application/json', '[{"Id":"abc"}]');
      else reply(response, 204, undefined, '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => server.close());
  const { port } = server.address() as net.AddressInfo;
  const opened = { channelClient: 0, agent: 0 };
  const open = (route: keyof typeof opened) => (): Promise<Duplex> =>
    new Promise((resolve, reject) => {
      opened[route]++;
      const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
      socket.once('error', reject);
    });
  const agent = new SshDockerAgent(open('agent'));
  const channelClient = new ChannelHttpClient(open('channelClient'));
  closers.push(() => agent.destroy(), () => channelClient.close());
  return {
    seen,
    opened,
    stock: new Docker({ modem: new Modem({ protocol: 'http', host: '127.0.0.1', port }) } as Docker.DockerOptions),
    ours: new Docker({ modem: new SshModem(agent, channelClient) } as Docker.DockerOptions),
  };
}

function reply(response: http.ServerResponse, status: number, contentType: string | undefined, body: string) {
  response.writeHead(status, contentType ? { 'Content-Type': contentType } : {});
  response.end(body);
}

/** The plain calls the console makes, with the shapes of options it passes. */
const plainCalls: Array<[string, (docker: Docker) => Promise<unknown>]> = [
  ['list with filters', (d) => d.listContainers({ all: true, filters: { label: ['fleet.tenant=a b', 'fleet.role=odoo'] } })],
  ['create', (d) => d.createContainer({ name: 'odoo-a', Image: 'odoo:17', Env: ['A=1'], Labels: { 'fleet.tenant': 'a b&c' } })],
  ['start without options', (d) => d.getContainer('abc').start()],
  ['stop with a query', (d) => d.getContainer('abc').stop({ t: 5 })],
  ['wait', (d) => d.getContainer('abc').wait()],
  ['remove', (d) => d.getContainer('abc').remove({ force: true, v: true })],
  ['logs', (d) => d.getContainer('abc').logs({ stdout: true, stderr: true, tail: 20 })],
  ['upload a Buffer', (d) => d.getContainer('abc').putArchive(Buffer.from('tar bytes'), { path: '/etc/odoo' })],
  ['network create', (d) => d.createNetwork({ Name: 'fleet', Labels: {} })],
];

async function outcome(call: () => Promise<unknown>) {
  try {
    const value = await call();
    if (value instanceof Docker.Container) return { container: value.id }; // it holds its modem
    return { value: Buffer.isBuffer(value) ? value.toString() : value };
  } catch (error) {
    const e = error as Error & { statusCode?: number; reason?: unknown; json?: unknown };
    return { error: { message: e.message, statusCode: e.statusCode, reason: e.reason, json: Buffer.isBuffer(e.json) ? e.json.toString() : e.json } };
  }
}

describe('SshModem', () => {
  it.each(plainCalls)('%s: the same request and result as docker-modem, over the channel client', async (_name, call) => {
    const docker = await fakeDocker();
    const expected = await outcome(() => call(docker.stock));
    const stockRequests = docker.seen.splice(0);
    expect(await outcome(() => call(docker.ours))).toEqual(expected);
    expect(docker.seen).toEqual(stockRequests);
    expect(docker.opened).toEqual({ channelClient: 1, agent: 0 });
  });

  it('reports unexpected statuses as docker-modem does', async () => {
    const docker = await fakeDocker();
    for (const id of ['missing', 'broken']) {
      const expected = await outcome(() => docker.stock.getContainer(id).inspect());
      expect(expected.error?.statusCode).toBeGreaterThanOrEqual(400);
      expect(await outcome(() => docker.ours.getContainer(id).inspect())).toEqual(expected);
    }
    expect(docker.opened.agent).toBe(0);
  });

  it('leaves streams to docker-modem, over the SSH agent', async () => {
    const docker = await fakeDocker();
    const stream = (await docker.ours.getContainer('abc').logs({ follow: true, stdout: true })) as NodeJS.ReadableStream;
    let text = '';
    for await (const chunk of stream) text += chunk.toString();
    expect(text).toBe('streamed');
    expect(docker.opened).toEqual({ channelClient: 0, agent: 1 });
  });

  it('sends a name that is not a plain path segment as docker-modem does, escaped, never raw on the channel', async () => {
    const docker = await fakeDocker();
    for (const id of ['a b\r\nX-Injected: 1', '../../info', 'x#y', 'ü']) {
      const expected = await outcome(() => docker.stock.getContainer(id).inspect());
      const stockRequests = docker.seen.splice(0);
      expect(await outcome(() => docker.ours.getContainer(id).inspect())).toEqual(expected);
      expect(docker.seen).toEqual(stockRequests);
      expect(docker.seen.every((seen) => !/[\r\n ]/.test(seen.url))).toBe(true);
      docker.seen.splice(0);
    }
    expect(docker.opened.channelClient).toBe(0);
  });

  it('refuses to write a request line or header that would end early', async () => {
    const client = new ChannelHttpClient(() => Promise.reject(new Error('no channel should be opened')));
    closers.push(() => client.close());
    for (const request of [{ method: 'GET', path: '/containers/a b/json' }, { method: 'GET', path: '/x\r\nHost: evil' }, { method: 'GET / HTTP/1.1\r\n', path: '/x' }, { method: 'GET', path: '/x', headers: { 'X-A': 'b\r\nX-B: c' } }]) {
      await expect(client.request(request)).rejects.toMatchObject({ code: 'VALIDATION' });
    }
  });
});
