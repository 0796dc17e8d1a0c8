import { z } from 'zod';
import { DomainName, imageRepository, imageTag, ODOO_VERSIONS, TenantName } from './tenants.js';

// Reconciling a host: its Docker labels are the source of truth. The report compares the
// labelled containers and volumes, the databases on the host's database server and this
// console's job journal, and names each difference with the action it suggests.

export const RECONCILE_KINDS = [
  'server-missing', 'database-missing', 'orphan-helper', 'foreign-host', 'adoptable-container', 'adoptable-database',
  // A tenant's server off its own network (reachable by other tenants); a tenant network left alone.
  'not-isolated', 'orphan-network',
] as const;
export type ReconcileKind = (typeof RECONCILE_KINDS)[number];

/** What the console offers for an item: clean it up, adopt it as a tenant, or only report it. */
export const RECONCILE_ACTIONS = ['cleanup', 'adopt', 'report-only'] as const;
export type ReconcileAction = (typeof RECONCILE_ACTIONS)[number];

export const ReconcileContainer = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  state: z.string(),
  /** Its fleet.role label, if any (server, maintenance, init, secrets-writer, archive, measure). */
  role: z.string().nullable(),
});
export type ReconcileContainer = z.infer<typeof ReconcileContainer>;

export const ReconcileItem = z.object({
  /** Stable across reports while nothing changes, e.g. `server-missing:acme`; what cleanup and adopt name. */
  id: z.string(),
  kind: z.enum(RECONCILE_KINDS),
  /** The tenant it concerns (from a fleet.tenant label), if any. */
  tenant: z.string().nullable(),
  /** One sentence: what is wrong, what is left. */
  summary: z.string(),
  /** The suggested action first. */
  actions: z.array(z.enum(RECONCILE_ACTIONS)),
  /** A longer suggestion for the person, e.g. "recreate the server container: odoo.conf is still there". */
  suggestion: z.string(),
  containers: z.array(ReconcileContainer),
  volumes: z.array(z.string()),
  database: z.string().nullable(),
  /** Whether `database` exists on the server now (null: no database server to ask). */
  databaseExists: z.boolean().nullable(),
  role: z.string().nullable(),
  /** server-missing: the secrets volume still holds odoo.conf, so the server could be recreated. */
  configPresent: z.boolean().optional(),
  /** foreign-host: the fleet.host label found (another console's id for this host). */
  foreignHostId: z.string().optional(),
  /** adoptable-container: why it looks like Odoo (image name, env contract, port 8069). */
  evidence: z.array(z.string()).optional(),
  /** This console's journal: the tenant was created / decommissioned here (ISO time), if so. */
  createdHere: z.string().nullable().optional(),
  decommissionedHere: z.string().nullable().optional(),
  /** A digest of what the item names as found now; cleanup refuses when it changed since. */
  fingerprint: z.string(),
});
export type ReconcileItem = z.infer<typeof ReconcileItem>;

export const ReconcileReport = z.object({
  hostId: z.string(),
  at: z.string(),
  /** Labelled tenants (server containers) of this console's host id that are in order. */
  tenantsInOrder: z.number(),
  /** False when the host has no database server set: databases were not compared. */
  databasesChecked: z.boolean(),
  items: z.array(ReconcileItem),
});
export type ReconcileReport = z.infer<typeof ReconcileReport>;

export const ReconcileInput = z.object({ hostId: z.string().uuid() }).strict();

export const CleanupInput = z
  .object({
    hostId: z.string().uuid(),
    /** A report item's id. */
    item: z.string().min(1).max(300),
    /** The item's fingerprint as the report showed it: refused if the host changed since. */
    fingerprint: z.string().max(128).optional(),
  })
  .strict();

export const AdoptInput = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('container'),
      hostId: z.string().uuid(),
      /** The tenant's name: its container becomes fleet-<name>. */
      name: TenantName,
      /** The unlabelled container's id or name, as Docker spells them (it goes into the API's paths). */
      container: z.string().min(1).max(128).regex(/^\/?[A-Za-z0-9][A-Za-z0-9_.-]*$/, "a container's id or name: letters, digits, '_', '.', '-'"),
      /** Routing labels for <name>.<domain>; none when omitted. */
      domain: DomainName.optional(),
      /** The database it serves, when its command line does not say (-d). */
      database: z.string().min(1).max(63).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('database'),
      hostId: z.string().uuid(),
      name: TenantName,
      database: z.string().min(1).max(63),
      image: imageRepository,
      tag: imageTag,
      domain: DomainName,
      odooVersion: z.enum(ODOO_VERSIONS).default('17.0'),
      workers: z.number().int().min(0).max(64).default(2),
      memoryMb: z.number().int().min(256).max(1_048_576).optional(),
      cpus: z.number().min(0.1).max(256).optional(),
    })
    .strict(),
]);
export type AdoptInput = z.input<typeof AdoptInput>;
