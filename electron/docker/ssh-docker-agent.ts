import http from 'node:http';
import type { Duplex } from 'node:stream';
import { asHttpSocket } from '../ssh/channel-socket.js';

/**
 * An http.Agent whose connections are SSH channels to the host's Docker socket. Keep-alive
 * reuses channels across requests, so a Docker API call costs one HTTP round trip on an already
 * open channel, not a channel open (let alone dockerode's SSH handshake per request).
 */
export class SshDockerAgent extends http.Agent {
  constructor(private readonly openChannel: () => Promise<Duplex>) {
    super({ keepAlive: true, maxSockets: 16, maxFreeSockets: 4, keepAliveMsecs: 30_000 });
  }

  // Node's Agent accepts an asynchronous createConnection that reports through the callback.
  override createConnection = ((_options: unknown, callback?: (error: Error | null, socket?: Duplex) => void): undefined => {
    this.openChannel().then(
      (channel) => callback?.(null, asHttpSocket(channel)),
      (error: Error) => callback?.(error),
    );
    return undefined;
  }) as unknown as http.Agent['createConnection'];
}
