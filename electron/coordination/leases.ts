import type pg from 'pg';

/**
 * A table of the host's `fleet` database whose due rows one console at a time takes on: a lease
 * (holder, until) marks a row as taken, and an expired lease frees it again.
 */
export interface LeasedTable {
  table: string;
  /** The row's key column. */
  key: string;
  /** When a row is due (SQL over the table's own columns). */
  due: string;
  holderColumn: string;
  untilColumn: string;
}

/**
 * Claims every due row for `holder`, atomically: a due row whose lease is free or expired gets
 * this holder's lease for `minutes`; rows another console is claiming at the same moment are
 * skipped. Returns the claimed rows.
 */
export async function claimLeases(client: pg.Client, leased: LeasedTable, holder: string, minutes: number): Promise<Array<Record<string, unknown>>> {
  const { table, key, due, holderColumn, untilColumn } = leased;
  const { rows } = await client.query(
    `UPDATE ${table} SET ${holderColumn} = $1, ${untilColumn} = now() + make_interval(mins => $2::int)
      WHERE ${key} IN (SELECT ${key} FROM ${table}
                        WHERE ${due} AND (${untilColumn} IS NULL OR ${untilColumn} < now())
                        FOR UPDATE SKIP LOCKED)
      RETURNING *`,
    [holder, minutes],
  );
  return rows as Array<Record<string, unknown>>;
}
