import type pg from 'pg';
import type { PosActivity, PosOrdersAfterBackup } from '../../shared/tenants-pos.js';
import { FleetError } from '../../shared/errors.js';
import { withTenantSession } from '../postgres/tenant-session.js';
import type { TenantJobDeps } from './job-deps.js';
import { findTenantParts } from './tenant-parts.js';

// What a tenant's point of sale is doing, read inside its database as the tenant (never as the
// admin): the sessions open on its tills and their last orders, shown before a restore, an update
// or a decommission; and, during a restore, the orders synced after the backup, which Fleet POS
// terminals will send again (docs/pos.md, "After a restore") and whose names Odoo will give out again.

const SHOWN = 200;

/** Whether the database has Odoo's POS tables (point_of_sale installed). */
async function hasPos(c: pg.Client): Promise<boolean> {
  const row = (await c.query<{ ok: boolean }>("SELECT to_regclass('public.pos_order') IS NOT NULL AND to_regclass('public.pos_session') IS NOT NULL AS ok")).rows[0];
  return row?.ok === true;
}

/** Odoo's timestamps are UTC without a zone (read as text: the driver would take them as local time). */
function utc(value: string | null): string | null {
  const at = value === null ? NaN : Date.parse(`${value.replace(' ', 'T')}Z`);
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}

export async function readPosActivity(c: pg.Client): Promise<PosActivity> {
  if (!(await hasPos(c))) return { installed: false, openSessions: [], lastOrderAt: null };
  const sessions = await c.query<{ name: string; config: string | null; state: string; start_at: string | null; orders: string; last_order: string | null }>(
    `SELECT s.name::text, (SELECT cf.name::text FROM pos_config cf WHERE cf.id = s.config_id) AS config, s.state::text, s.start_at::text,
            (SELECT count(*) FROM pos_order o WHERE o.session_id = s.id) AS orders,
            (SELECT max(o.date_order)::text FROM pos_order o WHERE o.session_id = s.id) AS last_order
       FROM pos_session s WHERE s.state <> 'closed' ORDER BY s.id LIMIT 50`,
  );
  const last = (await c.query<{ at: string | null }>('SELECT max(date_order)::text AS at FROM pos_order')).rows[0]?.at ?? null;
  return {
    installed: true,
    openSessions: sessions.rows.map((s) => ({ name: s.name, config: s.config, state: s.state, openedAt: utc(s.start_at), orders: Number(s.orders), lastOrderAt: utc(s.last_order) })),
    lastOrderAt: utc(last),
  };
}

/** The tenant's POS activity, for the UIs before a restore, update or decommission. */
export async function posActivity(deps: Pick<TenantJobDeps, 'docker' | 'hosts' | 'pool'>, hostId: string, name: string): Promise<PosActivity> {
  const parts = await findTenantParts(deps, hostId, name);
  const admin = deps.hosts.dbTarget(hostId);
  if (!admin) throw new FleetError('VALIDATION', 'The host has no database server set.');
  return withTenantSession(deps.pool, admin, parts, readPosActivity);
}

/**
 * The newest POS order and session a (restored) database holds, as Odoo's own timestamps (text,
 * to the microsecond): everything created later was lost.
 */
export async function newestPosRecords(c: pg.Client): Promise<{ order: string | null; session: string | null } | null> {
  if (!(await hasPos(c))) return null;
  const row = (await c.query<{ o: string | null; s: string | null }>('SELECT (SELECT max(create_date)::text FROM pos_order) AS o, (SELECT max(create_date)::text FROM pos_session) AS s')).rows[0];
  return { order: row?.o ?? null, session: row?.s ?? null };
}

/**
 * The orders and sessions the live database has beyond the restored one's newest: what the restore
 * loses. Fleet POS terminals send those orders again; Odoo gives their names out again.
 */
export async function posRecordsAfter(c: pg.Client, newest: { order: string | null; session: string | null }): Promise<PosOrdersAfterBackup | null> {
  if (!(await hasPos(c))) return null;
  const since = newest.order ?? '1970-01-01 00:00:00';
  const orders = await c.query<{ reference: string | null; name: string; session: string | null; created: string }>(
    `SELECT o.pos_reference::text AS reference, o.name::text, (SELECT s.name::text FROM pos_session s WHERE s.id = o.session_id) AS session, o.create_date::text AS created
       FROM pos_order o WHERE o.create_date > $1::timestamp ORDER BY o.id LIMIT ${SHOWN}`,
    [since],
  );
  const count = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM pos_order WHERE create_date > $1::timestamp', [since])).rows[0]?.n ?? 0);
  const sessions = await c.query<{ name: string }>('SELECT name::text FROM pos_session WHERE create_date > $1::timestamp ORDER BY id LIMIT 50', [newest.session ?? '1970-01-01 00:00:00']);
  return {
    since: utc(newest.order),
    count,
    orders: orders.rows.map((o) => ({ reference: o.reference, name: o.name, session: o.session, createdAt: utc(o.created) })),
    lostSessions: sessions.rows.map((s) => s.name),
    // Odoo's sequences went back with the database: these names will be given to other orders.
    reissuedNames: orders.rows.map((o) => o.name).filter((n) => n && n !== '/'),
  };
}
