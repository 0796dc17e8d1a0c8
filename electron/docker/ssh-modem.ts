import Modem from 'docker-modem';
import { ChannelHttpClient } from './channel-http.js';
import type { SshDockerAgent } from './ssh-docker-agent.js';

interface RequestContext {
  hijack?: boolean;
  isStream?: boolean;
  openStdin?: boolean;
  statusCodes: Record<number, boolean | string>;
}

interface ModemInternals {
  buildRequest(options: { method: string; path: string; headers: Record<string, string | number> }, context: RequestContext, data: unknown, callback: (error: unknown, result?: unknown) => void): void;
  buildPayload(error: unknown, isStream: boolean, statusCodes: RequestContext['statusCodes'], openStdin: boolean, req: unknown, res: unknown, json: unknown, callback: (error: unknown, result?: unknown) => void): void;
}

/**
 * docker-modem with a fast path: plain JSON requests go through ChannelHttpClient; streams,
 * attach/exec hijacks and uploads keep using Node's http client through the SSH agent.
 */
export function createSshModem(agent: SshDockerAgent, http: ChannelHttpClient): Modem {
  const modem = new Modem({ protocol: 'http', host: 'docker.invalid', port: 80, agent } as Modem.ConstructorOptions);
  const internals = modem as unknown as ModemInternals;
  // These two are docker-modem's own methods, not its API: a version without them must fail
  // here, loudly, rather than send requests some other way (package.json pins its major version).
  if (typeof internals.buildRequest !== 'function' || typeof internals.buildPayload !== 'function') {
    throw new Error('This docker-modem has no buildRequest/buildPayload: the SSH fast path (electron/docker/ssh-modem.ts) needs updating for it.');
  }
  const viaNodeHttp = internals.buildRequest.bind(modem);
  internals.buildRequest = (options, context, data, callback) => {
    const plain = !context.hijack && !context.isStream && !context.openStdin && (data === undefined || typeof data === 'string' || Buffer.isBuffer(data));
    if (!plain) return viaNodeHttp(options, context, data, callback);
    // POST /containers/{id}/wait answers only when the container exits (`odoo -i …` may take
    // minutes): no 30 s request deadline here; the caller's DockerService.call deadline bounds it.
    const waits = /^(\/v[\d.]+)?\/containers\/[^/?]+\/wait(\?|$)/.test(options.path);
    http.request({ method: options.method, path: options.path, headers: options.headers, ...(data !== undefined ? { body: data as string | Buffer } : {}), ...(waits ? { timeoutMs: 2 ** 31 - 1 } : {}) }).then(
      (response) => {
        // As docker-modem does: parsed JSON when the body is JSON, else the raw bytes (logs, archives).
        let json: unknown = response.body;
        if (response.body.length > 0 && /json/i.test(response.headers['content-type'] ?? '')) {
          try {
            json = JSON.parse(response.body.toString('utf8'));
          } catch {
            json = response.body;
          }
        }
        internals.buildPayload(null, false, context.statusCodes, false, {}, response, json, callback);
      },
      (error: unknown) => internals.buildPayload(error, false, context.statusCodes, false, {}, {}, null, callback),
    );
  };
  return modem;
}
