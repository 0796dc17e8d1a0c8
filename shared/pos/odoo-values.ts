// Shapes of values as Odoo's RPC returns them.

/** A many2one: [id, display_name] from search_read (16/17), a bare id from read(load=False) (18). */
export type Many2one = readonly [number, string] | number | false | null | undefined;

export function many2oneId(value: Many2one): number | null {
  if (value === false || value === null || value === undefined) return null;
  return typeof value === 'number' ? value : value[0];
}
