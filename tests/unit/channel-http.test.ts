import net from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelHttpClient } from '../../electron/docker/channel-http.js';

// A real socket server stands in for the Docker socket at the far end of an SSH channel.
type Handler = (request: string, socket: net.Socket) => void;
const servers: net.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function serve(handler: Handler): Promise<{ open: () => Promise<Duplex>; opened: () => number }> {
  let opened = 0;
  const server = net.createServer((socket) => {
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      while (buffered.includes('\r\n\r\n')) {
        const end = buffered.indexOf('\r\n\r\n') + 4;
        const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + length) return;
        const request = buffered.slice(0, end + length);
        buffered = buffered.slice(end + length);
        handler(request, socket);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    open: () =>
      new Promise((resolve, reject) => {
        opened++;
        const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
        socket.once('error', reject);
      }),
    opened: () => opened,
  };
}

describe('HTTP over a channel', () => {
  it('reads Content-Length and chunked replies, split anywhere, and reuses the channel', async () => {
    const body = JSON.stringify([{ Id: 'a'.repeat(64), Names: ['/x'] }]);
    const far = await serve((request, socket) => {
      if (request.startsWith('GET /length')) {
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      } else {
        // Chunked, written one byte at a time to exercise every split point.
        const reply = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n${body.slice(0, 5)}\r\n${(body.length - 5).toString(16)}\r\n${body.slice(5)}\r\n0\r\n\r\n`;
        for (const ch of reply) socket.write(ch);
      }
    });
    const client = new ChannelHttpClient(far.open);
    const a = await client.request({ method: 'GET', path: '/length' });
    const b = await client.request({ method: 'GET', path: '/chunked' });
    const c = await client.request({ method: 'GET', path: '/length' });
    for (const response of [a, b, c]) {
      expect(response.statusCode).toBe(200);
      expect(response.body.toString()).toBe(body);
    }
    expect(far.opened()).toBe(1);
    client.close();
  });

  it('sends the body and reports error statuses as they are', async () => {
    const far = await serve((request, socket) => {
      const sent = request.slice(request.indexOf('\r\n\r\n') + 4);
      socket.write(`HTTP/1.1 409 Conflict\r\nContent-Length: ${sent.length}\r\n\r\n${sent}`);
    });
    const client = new ChannelHttpClient(far.open);
    const response = await client.request({ method: 'POST', path: '/containers/create', headers: { 'Content-Type': 'application/json' }, body: '{"Image":"x"}' });
    expect(response).toMatchObject({ statusCode: 409 });
    expect(response.body.toString()).toBe('{"Image":"x"}');
    client.close();
  });

  it('replaces a kept channel that died while idle, for GET only', async () => {
    let replies = 0;
    const far = await serve((_request, socket) => {
      replies++;
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'); // the server closes after each reply
    });
    const client = new ChannelHttpClient(far.open);
    expect((await client.request({ method: 'GET', path: '/a' })).body.toString()).toBe('ok');
    await new Promise((r) => setTimeout(r, 50));
    expect((await client.request({ method: 'GET', path: '/b' })).body.toString()).toBe('ok');
    expect(replies).toBe(2);
  });

  it('fails with TIMEOUT when nothing answers, and with a clear error on a cut reply', async () => {
    const silent = await serve(() => {});
    await expect(new ChannelHttpClient(silent.open).request({ method: 'GET', path: '/x', timeoutMs: 200 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    const cut = await serve((_request, socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part'));
    await expect(new ChannelHttpClient(cut.open).request({ method: 'POST', path: '/x' })).rejects.toThrow(/middle of a reply/);
  });
});
