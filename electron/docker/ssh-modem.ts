import querystring from 'node:querystring';
import Modem from 'docker-modem';
import type { ChannelHttpClient, RawRequest, RawResponse } from './channel-http.js';
import type { SshDockerAgent } from './ssh-docker-agent.js';

/**
 * docker-modem with a fast path for the Docker API's plain requests. It overrides only `dial`,
 * the method dockerode calls for every request (docker-modem's public API): plain requests go
 * through ChannelHttpClient, everything else (streams, attach/exec hijacks, streamed uploads,
 * registry credentials, aborts, any dial option this file does not know) goes to docker-modem's
 * own `dial`, over Node's http client and the SSH agent. demuxStream and followProgress are
 * docker-modem's own.
 */
export class SshModem extends Modem {
  constructor(
    agent: SshDockerAgent,
    private readonly http: ChannelHttpClient,
  ) {
    // The agent opens SSH channels whatever the address says; the host is a placeholder.
    super({ protocol: 'http', host: 'docker.invalid', port: 80, agent });
  }

  override dial(options: Modem.DialOptions, callback?: Modem.RequestCallback): void {
    const request = plainRequestOf(options);
    if (!request) return super.dial(options, callback);
    const statusCodes = options.statusCodes!;
    this.http.request(request).then(
      (response) => {
        const value = bodyOf(response);
        if (statusCodes[response.statusCode] === true) callback?.(null, value as object);
        else callback?.(httpError(response.statusCode, statusCodes[response.statusCode], value), null);
      },
      (error: Error) => callback?.(error, null),
    );
  }
}

/** A path of unreserved and sub-delimiter characters only (RFC 3986), with percent escapes. */
const PLAIN_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*\??$/;

/** The dial options a plain request may carry; one with any other is left to docker-modem. */
const KNOWN_DIAL_OPTIONS = new Set(['path', 'method', 'headers', 'options', 'statusCodes', 'allowEmpty', 'file', 'isStream', 'hijack', 'openStdin', 'abortSignal', 'authconfig', 'registryconfig']);

/**
 * The HTTP request docker-modem would send for these dial options (as @types/docker-modem
 * declares them), or null when the request is not a plain one. Query parameters come from
 * `options._query` or `options` when the path ends in `?`, object parameters as JSON; a POST's
 * JSON body from `options._body` or `options`, left out when empty unless `allowEmpty`; a Buffer
 * `file` is an `application/tar` body. tests/unit/ssh-modem.test.ts holds this to what
 * docker-modem itself writes on the wire.
 */
function plainRequestOf(dial: Modem.DialOptions): RawRequest | null {
  if (Object.entries(dial).some(([name, value]) => value !== undefined && !KNOWN_DIAL_OPTIONS.has(name))) return null;
  if (dial.isStream || dial.hijack || dial.openStdin || dial.abortSignal || dial.authconfig || dial.registryconfig || !dial.statusCodes) return null;
  if (dial.options?.abortSignal) return null;
  if (dial.file !== undefined ? !Buffer.isBuffer(dial.file) : dial.method === 'PUT') return null; // streamed, chunked
  if (dial.path.slice(0, -1).includes('?')) return null; // a path with its own query: not dockerode's
  // A name in the path (a container's, from the page) is sent as docker-modem's own dial sends
  // it, escaped and normalised by url.parse, unless it holds only characters a path may carry.
  if (!PLAIN_PATH.test(dial.path) || /(^|\/)\.\.?(\/|\?|$)/.test(dial.path)) return null;

  // Credentials never go into the URL or the body (docker-modem drops them too).
  const { authconfig: _credentials, abortSignal: _signal, ...params } = dial.options ?? {};
  const hasParams = dial.options !== undefined && Object.keys(params).length > 0;
  let path = dial.path;
  if (path.endsWith('?')) path = hasParams ? path + queryOf((params._query as Record<string, unknown> | undefined) ?? params) : path.slice(0, -1);

  const headers = { ...dial.headers } as Record<string, string | number>;
  let body: string | Buffer | undefined;
  if (dial.file !== undefined) {
    body = dial.file as Buffer;
    headers['Content-Type'] ??= 'application/tar';
  } else if (dial.options !== undefined && dial.method === 'POST') {
    const json = JSON.stringify(params._body ?? params);
    if (dial.allowEmpty || (json !== '{}' && json !== '""')) {
      body = json;
      headers['Content-Type'] ??= 'application/json';
    }
  }
  // POST /containers/{id}/wait answers only when the container exits (`odoo -i …` may take
  // minutes): no 30 s request deadline here; the caller's DockerService.call deadline bounds it.
  const waits = /^(\/v[\d.]+)?\/containers\/[^/?]+\/wait(\?|$)/.test(path);
  return { method: dial.method ?? 'GET', path, headers, ...(body !== undefined ? { body } : {}), ...(waits ? { timeoutMs: 2 ** 31 - 1 } : {}) };
}

/** The Docker API takes object parameters (filters, labels…) as JSON text; arrays repeat the name. */
function queryOf(params: Record<string, unknown>): string {
  const encoded = Object.entries(params).map(([name, value]) => [name, value && typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : value]);
  return querystring.stringify(Object.fromEntries(encoded) as querystring.ParsedUrlQueryInput);
}

/** Parsed JSON when the body is JSON, else the raw bytes (logs, archives). */
function bodyOf(response: RawResponse): unknown {
  if (response.body.length === 0 || !/json/i.test(response.headers['content-type'] ?? '')) return response.body;
  try {
    return JSON.parse(response.body.toString('utf8'));
  } catch {
    return response.body;
  }
}

/** A status the request did not expect, as docker-modem reports it (message, reason, statusCode, json). */
function httpError(statusCode: number, reason: string | boolean | undefined, json: unknown): Error {
  const cause = json as { message?: string; error?: string } | null;
  const error = new Error(`(HTTP code ${statusCode}) ${reason || 'unexpected'} - ${cause?.message || cause?.error || String(json)} `);
  return Object.assign(error, { reason, statusCode, json });
}
