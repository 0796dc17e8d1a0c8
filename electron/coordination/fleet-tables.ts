import type pg from 'pg';
import type { HostCoordinator } from './host-coordinator.js';

/**
 * A store whose tables live in the host's `fleet` database: its schema is created on first use
 * (once per host coordinator in each process, under the schema lock), so consoles of different
 * versions meet the same tables.
 */
export abstract class FleetTables {
  protected constructor(
    protected readonly coordinator: HostCoordinator,
    private readonly schemaName: string,
    private readonly schema: readonly string[],
  ) {}

  protected run<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    return this.coordinator.withSchema(this.schemaName, this.schema, fn);
  }
}
