import type pg from 'pg';

/**
 * Who may connect to a database the console makes or adopts: its role alone (and the admin, as
 * superuser). PUBLIC and every other grantee lose their privileges on it — an archive loaded as
 * the database's owner may have granted some — so no tenant reaches another tenant's data or the
 * console's `fleet` database. Run in an admin session (cluster-level statements only).
 */
export async function confineDatabase(admin: pg.Client, database: string, role: string | null): Promise<void> {
  const db = admin.escapeIdentifier(database);
  const { rows } = await admin.query<{ grantee: string }>(
    `SELECT DISTINCT pg_catalog.pg_get_userbyid(a.grantee) AS grantee
       FROM pg_catalog.pg_database d, pg_catalog.aclexplode(d.datacl) a
      WHERE d.datname = $1 AND a.grantee <> 0 AND a.grantee <> d.datdba`,
    [database],
  );
  await admin.query(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC`);
  for (const { grantee } of rows) if (grantee !== role) await admin.query(`REVOKE ALL ON DATABASE ${db} FROM ${admin.escapeIdentifier(grantee)} CASCADE`);
  if (role) await admin.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO ${admin.escapeIdentifier(role)}`);
}

/**
 * Undoes what a database's owner may have set on it (cluster-level statements): its own settings
 * (`ALTER DATABASE … SET role / local_preload_libraries / default_transaction_read_only …`), the
 * template flag (which makes it undroppable) and a connection limit. For a scratch copy an
 * archive was loaded into: a dump by pg_dump sets none of these.
 */
export async function resetDatabase(admin: pg.Client, database: string): Promise<void> {
  const db = admin.escapeIdentifier(database);
  await admin.query(`ALTER DATABASE ${db} RESET ALL`);
  await admin.query(`ALTER DATABASE ${db} WITH IS_TEMPLATE false ALLOW_CONNECTIONS true CONNECTION LIMIT -1`);
}
