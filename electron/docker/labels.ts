/**
 * The labels Fleet puts on the containers, volumes and networks it makes: they make the host the
 * source of truth (which containers are tenants, of which console host, doing what). Every
 * `fleet.*` label name in electron/ comes from here.
 */

/** Every Fleet label starts with this; a container carrying none was not made by Fleet. */
export const FLEET_LABEL_PREFIX = 'fleet.';
/** The tenant a container or volume belongs to. */
export const TENANT_LABEL = 'fleet.tenant';
/** The console host the tenant (or managed database server) lives on. */
export const HOST_LABEL = 'fleet.host';
/** The tenant's database, on its server container (Odoo's own config is in the secrets volume). */
export const DATABASE_LABEL = 'fleet.database';
/** What a container is for: `server`, `init`, `archive`, `measure`, `maintenance`, … */
export const ROLE_LABEL = 'fleet.role';
/** On a staging clone's server: the id of the clone job that made it. */
export const STAGING_LABEL = 'fleet.staging';
/** On a server created by adoption: the container it replaced. */
export const ADOPTED_FROM_LABEL = 'fleet.adopted-from';

/** A Docker list filter matching containers of one role: `fleet.role=<role>`. */
export const roleFilter = (role: string) => `${ROLE_LABEL}=${role}`;

/** The role of a host's managed reverse proxy (Caddy) container. */
export const PROXY_ROLE = 'proxy';
/** The role of a host's managed database server container. */
export const DB_SERVER_ROLE = 'database-server';
/** Containers that serve every tenant on their host: they join each tenant's own network. */
export const TENANT_SERVING_ROLES: readonly string[] = [DB_SERVER_ROLE, PROXY_ROLE];
/** The role of the container that answers for a suspended tenant. */
export const MAINTENANCE_ROLE = 'maintenance';
/** The role of a tenant's own bridge network (labelled with its tenant and host too). */
export const TENANT_NETWORK_ROLE = 'tenant-network';
