import { FleetTables } from '../coordination/fleet-tables.js';
import type { HostCoordinator } from '../coordination/host-coordinator.js';

// The names each tenant answers to live in its host's `fleet` database: every console routes from
// the same list, and a name belongs to one tenant only (its primary key). Across hosts, the add
// checks every host's list first (DomainsService).

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS public.fleet_domains (
     domain text PRIMARY KEY,
     tenant text NOT NULL,
     main boolean NOT NULL DEFAULT false,
     added_at timestamptz NOT NULL DEFAULT now(),
     added_by text NOT NULL
   )`,
  'CREATE UNIQUE INDEX IF NOT EXISTS fleet_domains_one_main ON public.fleet_domains (tenant) WHERE main',
];

export interface TenantDomain {
  domain: string;
  tenant: string;
  main: boolean;
  addedAt: string;
  addedBy: string;
}

interface Row {
  domain: string;
  tenant: string;
  main: boolean;
  added_at: Date;
  added_by: string;
}

const fromRow = (row: Row): TenantDomain => ({ domain: row.domain, tenant: row.tenant, main: row.main, addedAt: row.added_at.toISOString(), addedBy: row.added_by });

export class DomainStore extends FleetTables {
  constructor(coordinator: HostCoordinator) {
    super(coordinator, 'domains', SCHEMA);
  }

  /** The tenant's names, its main one first. */
  async ofTenant(tenant: string): Promise<TenantDomain[]> {
    return this.run(async (c) => (await c.query<Row>('SELECT * FROM fleet_domains WHERE tenant = $1 ORDER BY main DESC, added_at, domain', [tenant])).rows.map(fromRow));
  }

  /** Every tenant's names on this host, main ones first. */
  async all(): Promise<Map<string, string[]>> {
    return this.run(async (c) => {
      const byTenant = new Map<string, string[]>();
      for (const row of (await c.query<Row>('SELECT * FROM fleet_domains ORDER BY main DESC, added_at, domain')).rows) byTenant.set(row.tenant, [...(byTenant.get(row.tenant) ?? []), row.domain]);
      return byTenant;
    });
  }

  /** Who has this name on this host, if anyone. */
  async owner(domain: string): Promise<TenantDomain | null> {
    return this.run(async (c) => {
      const row = (await c.query<Row>('SELECT * FROM fleet_domains WHERE domain = $1', [domain])).rows[0];
      return row ? fromRow(row) : null;
    });
  }

  /**
   * Gives the name to the tenant (idempotent for the same tenant); its first name becomes its main
   * one. False when another tenant of this host has it.
   */
  async add(domain: string, tenant: string, actor: string): Promise<boolean> {
    return this.run(async (c) => {
      const inserted = await c.query(
        `INSERT INTO fleet_domains (domain, tenant, main, added_by)
         VALUES ($1, $2, NOT EXISTS (SELECT 1 FROM fleet_domains WHERE tenant = $2 AND main), $3)
         ON CONFLICT (domain) DO NOTHING`,
        [domain, tenant, actor],
      );
      if (inserted.rowCount) return true;
      return (await c.query('SELECT 1 FROM fleet_domains WHERE domain = $1 AND tenant = $2', [domain, tenant])).rowCount === 1;
    });
  }

  /** Takes the name from the tenant (never its main one: switch first). */
  async remove(domain: string, tenant: string): Promise<void> {
    await this.run((c) => c.query('DELETE FROM fleet_domains WHERE domain = $1 AND tenant = $2 AND NOT main', [domain, tenant]));
  }

  /** Makes one of the tenant's names its main one, in one transaction. */
  async setMain(tenant: string, domain: string): Promise<void> {
    await this.run(async (c) => {
      await c.query('BEGIN');
      try {
        await c.query('UPDATE fleet_domains SET main = false WHERE tenant = $1 AND main AND domain <> $2', [tenant, domain]);
        await c.query('UPDATE fleet_domains SET main = true WHERE tenant = $1 AND domain = $2', [tenant, domain]);
        await c.query('COMMIT');
      } catch (error) {
        await c.query('ROLLBACK');
        throw error;
      }
    });
  }

  /** Forgets every name of a removed tenant. */
  async removeTenant(tenant: string): Promise<void> {
    await this.run((c) => c.query('DELETE FROM fleet_domains WHERE tenant = $1', [tenant]));
  }
}
