import type pg from 'pg';

/**
 * Sets web.base.url to the tenant's main address and freezes it (`web.base.url.freeze`), so Odoo
 * no longer rewrites it from whichever name an administrator logs in through. Run inside the
 * tenant's database as the tenant.
 */
export async function freezeBaseUrl(tenant: pg.ClientBase, url: string): Promise<void> {
  for (const [key, value] of [['web.base.url', url], ['web.base.url.freeze', 'True']] as const) {
    const updated = await tenant.query('UPDATE ir_config_parameter SET value = $2 WHERE key = $1', [key, value]);
    if (updated.rowCount === 0) await tenant.query('INSERT INTO ir_config_parameter (key, value) VALUES ($1, $2)', [key, value]);
  }
}
