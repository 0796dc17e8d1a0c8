import pg from 'pg';
import { FleetError } from '../../shared/errors.js';
import { ChannelSocket } from '../ssh/channel-socket.js';
import type { SshPool } from '../ssh/pool.js';

export interface DbServerTarget {
  hostId: string;
  address: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /**
   * Where the server is now, as the host sees it, asked at every connect: a managed server's
   * container may come back from a restart with another IP. `address` then only names it.
   */
  resolveAddress?: () => Promise<string>;
}

// Only electron/postgres/ connects (the lint rule says so): its sessions module decides who logs
// in where, so no caller can open an admin session inside a tenant's database by accident.

/**
 * A pg client whose socket is an SSH channel to address:port as the host sees it, so the
 * database server never needs to listen beyond the host itself.
 */
export async function connectPostgres(pool: SshPool, target: DbServerTarget, options: { connectTimeoutMs?: number; startupOptions?: string } = {}): Promise<pg.Client> {
  const session = await pool.session(target.hostId);
  const address = target.resolveAddress ? await target.resolveAddress() : target.address;
  const client = new pg.Client({
    user: target.user,
    database: target.database,
    ...(target.password !== undefined ? { password: target.password } : {}),
    host: address,
    port: target.port,
    ...(options.startupOptions ? { options: options.startupOptions } : {}),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 15_000,
    stream: () => new ChannelSocket(() => session.forwardTcp(address, target.port)) as never,
  });
  client.on('error', () => {}); // a dropped tunnel surfaces on the next query instead of crashing
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw classifyPgError(error, target);
  }
  return client;
}

export async function withPostgres<T>(pool: SshPool, target: DbServerTarget, fn: (client: pg.Client) => Promise<T>, startupOptions?: string): Promise<T> {
  const client = await connectPostgres(pool, target, startupOptions ? { startupOptions } : {});
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export function classifyPgError(error: unknown, target: DbServerTarget): FleetError {
  if (error instanceof FleetError) return error;
  const err = error as Error & { code?: string; reason?: number };
  const at = `${target.address}:${target.port}`;
  if (err.code === '28P01' || err.code === '28000') {
    return new FleetError('POSTGRES_AUTH_FAILED', `PostgreSQL at ${at} refused role "${target.user}": ${err.message}. Check the admin role's password and pg_hba.conf.`, { pgCode: err.code });
  }
  if (err.code === '42501') {
    return new FleetError('POSTGRES_AUTH_FAILED', `PostgreSQL at ${at}: role "${target.user}" may not connect to database "${target.database}" (${err.message}).`, { pgCode: err.code });
  }
  if (err.code === '3D000') {
    return new FleetError('POSTGRES_UNAVAILABLE', `PostgreSQL at ${at} has no database "${target.database}".`, { pgCode: err.code });
  }
  if (/channel open failure|connect failed|open failed|ECONNREFUSED/i.test(err.message)) {
    return new FleetError('POSTGRES_UNAVAILABLE', `Nothing answers at ${at} as seen from the host: is PostgreSQL running and listening there?`, { address: target.address, port: target.port });
  }
  if (/timeout/i.test(err.message)) {
    return new FleetError('POSTGRES_UNAVAILABLE', `PostgreSQL at ${at} did not answer in time.`, { address: target.address, port: target.port });
  }
  return new FleetError('POSTGRES_UNAVAILABLE', `PostgreSQL at ${at}: ${err.message}`, { pgCode: err.code });
}
