import http from 'node:http';
import https from 'node:https';
import { FleetError } from '../../shared/errors.js';

// Odoo's stateless JSON-RPC (`/jsonrpc`), which accepts an API key in place of the password.
// Every failure says whether the request can have reached Odoo: a sync engine resends at once
// only what Odoo never saw, and asks the server first about anything it might have processed.

export type RpcFailureKind =
  /** No request reached Odoo (refused, unreachable, DNS, connect timeout): safe to resend. */
  | 'unreachable'
  /** The request was sent but no complete answer came back (cut, timeout, gateway error): Odoo may have processed it. */
  | 'uncertain'
  /** Odoo answered with an error of its own (a UserError, a missing record…): code 200. */
  | 'rejected'
  /** Wrong database, login, password or API key. */
  | 'auth';

export class OdooRpcError extends Error {
  constructor(
    readonly kind: RpcFailureKind,
    message: string,
    /** Odoo's `data.name` (e.g. odoo.exceptions.UserError) for a rejection. */
    readonly odooName: string | null = null,
  ) {
    super(message);
    this.name = 'OdooRpcError';
  }
}

export interface OdooConnection {
  url: string;
  database: string;
  login: string;
  /** A password or an API key. */
  secret: string;
  timeoutMs?: number;
}

export class OdooRpc {
  private uid: number | null = null;
  private readonly base: URL;

  constructor(private readonly connection: OdooConnection) {
    this.base = new URL(connection.url);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new FleetError('VALIDATION', `${connection.url} is not an http(s) URL.`, { field: 'url' });
  }

  /** `{server_version, server_version_info, server_serie, protocol_version}` — no login needed. `timeoutMs`: sooner than calls' own limit. */
  async version(timeoutMs?: number): Promise<{ server_version: string; server_version_info: Array<number | string>; server_serie?: string }> {
    return (await this.post('/jsonrpc', { service: 'common', method: 'version', args: [] }, timeoutMs)) as never;
  }

  /** Logs in (once): the user id, or an `auth` failure. */
  async authenticate(): Promise<number> {
    if (this.uid !== null) return this.uid;
    const { database, login, secret } = this.connection;
    const uid = await this.post('/jsonrpc', { service: 'common', method: 'authenticate', args: [database, login, secret, {}] });
    if (typeof uid !== 'number' || !uid) throw new OdooRpcError('auth', `Odoo refused the login "${login}" on database "${database}" (wrong login, password or API key).`);
    this.uid = uid;
    return uid;
  }

  /** `execute_kw` of a model method. */
  async call<T = unknown>(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<T> {
    const uid = await this.authenticate();
    const { database, secret } = this.connection;
    return (await this.post('/jsonrpc', { service: 'object', method: 'execute_kw', args: [database, uid, secret, model, method, args, kwargs] })) as T;
  }

  private post(path: string, params: unknown, timeoutOverrideMs?: number): Promise<unknown> {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', method: 'call', params, id: Date.now() }));
    const url = new URL(path, this.base);
    const client = url.protocol === 'https:' ? https : http;
    const timeoutMs = timeoutOverrideMs ?? this.connection.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      let sent = false;
      const request = client.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': body.length }, agent: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('error', (error) => reject(new OdooRpcError('uncertain', `The answer from ${this.base.host} was cut: ${error.message}`)));
        response.on('end', () => {
          if (!response.complete) return reject(new OdooRpcError('uncertain', `The answer from ${this.base.host} was cut.`));
          if (response.statusCode !== 200) return reject(new OdooRpcError('uncertain', `${this.base.host} answered HTTP ${response.statusCode}.`));
          let reply: { result?: unknown; error?: { code?: number; message?: string; data?: { name?: string; message?: string } } };
          try {
            reply = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            return reject(new OdooRpcError('uncertain', `${this.base.host} answered something that is not JSON-RPC.`));
          }
          if (reply.error) {
            const data = reply.error.data ?? {};
            const kind: RpcFailureKind = data.name === 'odoo.exceptions.AccessDenied' ? 'auth' : 'rejected';
            return reject(new OdooRpcError(kind, data.message || reply.error.message || 'Odoo Server Error', data.name ?? null));
          }
          resolve(reply.result ?? null); // a method returning None has no result key at all
        });
      });
      request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      request.on('error', (error: NodeJS.ErrnoException) => {
        const kind: RpcFailureKind = sent ? 'uncertain' : 'unreachable';
        reject(new OdooRpcError(kind, `${this.base.host} ${kind === 'unreachable' ? 'cannot be reached' : 'did not answer'}: ${error.code ?? error.message}`));
      });
      // Until the whole body is handed to the socket, Odoo cannot have run the call.
      request.end(body, () => {
        sent = true;
      });
    });
  }
}
