import { z } from 'zod';
import { EVENT_NAMES, OPERATION_NAMES, OPERATIONS, ROLE_RANK, ROLES, type EventName, type OperationName, type OperationPolicy, type Role } from './operations.js';
import {
  Container,
  DbServerView,
  Fingerprint,
  HostCheck,
  HostInput,
  HostOverview,
  HostUpdateInput,
  HostView,
  ManagedDbServerInput,
  ManagedProxyInput,
  ProxyStatus,
  ProbeInput,
  ProbeResult,
  SshImportCandidate,
} from './hosts.js';
import { BackupPolicyInput, BackupPolicyView } from './backup-policies.js';
import { HostCertificates, TenantCertificates } from './certificates.js';
import { BackupEntry, BackupKeyName, BackupKeyView, DestinationSpec, KeptCopyView } from './backups.js';
import { JobEvent, JobSummary, JobView } from './jobs.js';
import {
  formatBytes,
  FoundOrderView,
  OUTBOX_CHUNK_MAX_BYTES,
  OUTBOX_CHUNK_MAX_ORDERS,
  OutboxChunk,
  OutboxExportCursor,
  OutboxOrderView,
  OutboxPage,
  PosSessionView,
  OFFLINE_WARNING_MAX_HOURS,
  PosStatus,
  ReceiptView,
  SALE_MAX_LINES,
  SaleInput,
  RestoreCheckView,
  SyncRoundView,
  CashierView,
  OpenCartContent,
  OpenCartView,
} from './pos.js';
import { AdoptInput, CleanupInput, ReconcileInput, ReconcileReport } from './reconcile.js';
import { InvoiceOrderInput, InvoiceOrderView, OrderDetailView, OrderUid } from './pos-order-detail.js';
import { ReceiptPrinter } from './receipt-printer.js';
import { ParkedRecordView } from './pos-parked.js';
import { ClosingControlView, CloseSessionInput, OpenSessionInput, ZReportView } from './pos-cash.js';
import { StagingCloneView, TenantDetail, TenantFigures, TenantView } from './tenant-views.js';
import { AddDomainInput, DomainName, DomainRefInput, imageTag, TenantDomains, TenantName, TenantSpecInput } from './tenants.js';
import { PosActivity } from './tenants-pos.js';

// The one contract every transport serves: operation name -> input schema, output schema, the
// role it needs and whether it is audited. Servers validate every input against it; the
// renderer is untrusted.

export { ROLE_RANK, ROLES, type Role };

export interface OperationSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> extends OperationPolicy {
  input: I;
  output: O;
  summary: string;
}

/** Joins an operation's schemas to its policy (role, audit, program) from operations.ts. */
function op<N extends OperationName, I extends z.ZodType, O extends z.ZodType>(
  name: N,
  schemas: { input: I; output: O; summary: string },
): OperationSpec<I, O> {
  const policy: OperationPolicy = OPERATIONS[name];
  return { ...schemas, ...policy };
}

const empty = z.object({}).strict();
const tenantRef = z.object({ hostId: z.string().uuid(), name: TenantName }).strict();
const jobStarted = z.object({ jobId: z.string() });
/** A tenant named twice: the second time typed by the user to confirm what cannot be taken back lightly. */
const confirmedTenantRef = (what: string) =>
  z
    .object({ hostId: z.string().uuid(), name: TenantName, confirm: z.string().max(100) })
    .strict()
    .refine((v) => v.confirm === v.name, { message: `type the tenant's name to ${what}`, path: ['confirm'] });
const hostRef = z.object({ id: z.string().uuid() }).strict();

export const AuditEntry = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.string(),
  role: z.string(),
  operation: z.string(),
  target: z.string().nullable(),
  outcome: z.enum(['ok', 'error', 'forbidden']),
  errorCode: z.string().nullable(),
  /** The input with every secret field replaced by "[redacted]". */
  input: z.unknown(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const VaultStatus = z.object({
  state: z.enum(['uninitialised', 'locked', 'unlocked']),
  backend: z.enum(['passphrase', 'safeStorage', 'keyFile']),
  warning: z.string().optional(),
});
export type VaultStatus = z.infer<typeof VaultStatus>;

const passphrase = z.string().min(8, 'use at least 8 characters').max(1024);

export const contract = {
  'session.info': op('session.info', {
    input: empty,
    output: z.object({ actor: z.string(), role: z.enum(ROLES), program: z.enum(['console', 'pos']), version: z.string() }),
    summary: 'Who the caller is and what it may do',
  }),
  'vault.status': op('vault.status', { input: empty, output: VaultStatus, summary: 'State of the secret store' }),
  'vault.setup': op('vault.setup', {
    input: z.object({ passphrase }).strict(),
    output: VaultStatus,
    summary: 'Set the passphrase that protects stored secrets (first start)',
  }),
  'vault.unlock': op('vault.unlock', {
    input: z.object({ passphrase: z.string().min(1).max(1024) }).strict(),
    output: VaultStatus,
    summary: 'Unlock stored secrets with the passphrase',
  }),
  'hosts.list': op('hosts.list', { input: empty, output: z.array(HostView), summary: 'Stored hosts with their connection state' }),
  'hosts.get': op('hosts.get', { input: hostRef, output: HostView, summary: 'One host' }),
  'hosts.probe': op('hosts.probe', {
    input: ProbeInput,
    output: ProbeResult,
    summary: "Fetch a host's key fingerprint so the user can confirm it",
  }),
  'hosts.add': op('hosts.add', { input: HostInput, output: HostView, summary: 'Add a host, pinning the confirmed key' }),
  'hosts.update': op('hosts.update', { input: HostUpdateInput, output: HostView, summary: "Change a host's settings" }),
  'hosts.retrust': op('hosts.retrust', {
    input: z.object({ id: z.string().uuid(), fingerprint: Fingerprint }).strict(),
    output: HostView,
    summary: 'Replace a pinned key after the user verified the new one out of band',
  }),
  'hosts.remove': op('hosts.remove', { input: hostRef, output: z.object({ removed: z.boolean() }), summary: 'Forget a host' }),
  'hosts.check': op('hosts.check', { input: hostRef, output: HostCheck, summary: 'Connect, OS, Docker, PostgreSQL, disk and memory' }),
  'hosts.overview': op('hosts.overview', { input: hostRef, output: HostOverview, summary: 'Docker info, containers, disk and memory' }),
  'hosts.containers': op('hosts.containers', { input: hostRef, output: z.array(Container), summary: "The host's containers" }),
  'hosts.sshConfigCandidates': op('hosts.sshConfigCandidates', {
    input: z.object({ configPath: z.string().max(4096).optional() }).strict(),
    output: z.array(SshImportCandidate),
    summary: 'Hosts that ~/.ssh/config declares, resolved as OpenSSH resolves them',
  }),
  'hosts.dbServer': op('hosts.dbServer', { input: hostRef, output: DbServerView.nullable(), summary: "The host's database-server settings" }),
  'hosts.provisionDbServer': op('hosts.provisionDbServer', {
    input: ManagedDbServerInput,
    output: jobStarted,
    summary: "Set up a PostgreSQL container as the host's database server (a durable job)",
  }),
  'hosts.provisionProxy': op('hosts.provisionProxy', {
    input: ManagedProxyInput,
    output: jobStarted,
    summary: "Set up or upgrade the host's managed proxy (Caddy: HTTPS for every tenant, certificates on demand; a durable job)",
  }),
  'hosts.proxyStatus': op('hosts.proxyStatus', { input: hostRef, output: ProxyStatus, summary: "What routes the host's tenants: its managed proxy (image, ports, routes), or a Traefik of its own" }),
  'hosts.syncProxyRoutes': op('hosts.syncProxyRoutes', {
    input: hostRef,
    output: z.object({ routed: z.number(), removed: z.number() }),
    summary: "Make the proxy's routes what the host's tenants are (repairs routes changed by hand)",
  }),
  'hosts.certificates': op('hosts.certificates', {
    input: hostRef,
    output: HostCertificates,
    summary: "The certificates on the host's managed proxy (issuer, issued, expiry) and the latest failure to obtain each name's, from the proxy's log",
  }),
  'tenants.certificates': op('tenants.certificates', {
    input: tenantRef,
    output: TenantCertificates,
    summary: "The certificates of the tenant's names: issuer, expiry, last renewal, and why obtaining one failed",
  }),
  'hosts.audit': op('hosts.audit', {
    input: z.object({ id: z.string().uuid(), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    output: z.array(AuditEntry.extend({ consoleId: z.string() })),
    summary: "The host's shared audit trail (kept in its fleet database): what every console did to it, newest first",
  }),
  'audit.list': op('audit.list', {
    input: z.object({ limit: z.number().int().min(1).max(1000).default(200), before: z.number().int().optional() }).strict(),
    output: z.array(AuditEntry),
    summary: 'The local audit trail, newest first',
  }),
  'tenants.create': op('tenants.create', {
    input: TenantSpecInput,
    output: jobStarted,
    summary: 'Create a tenant as a durable job; follow it with jobs.get and the jobs.* events',
  }),
  'tenants.list': op('tenants.list', {
    input: z.object({ hostId: z.string().uuid() }).strict(),
    output: z.array(TenantView),
    summary: "A host's tenants, read from its labelled containers",
  }),
  'tenants.credentials': op('tenants.credentials', {
    input: z.object({ jobId: z.string().uuid() }).strict(),
    output: z.object({ login: z.string(), password: z.string() }),
    summary: "The Odoo administrator's generated credentials of a finished create job, shown once",
  }),
  'tenants.resetAdminPassword': op('tenants.resetAdminPassword', {
    input: z.object({ hostId: z.string().uuid(), name: TenantName, login: z.string().min(1).max(200) }).strict(),
    output: z.object({ login: z.string(), password: z.string() }),
    summary: "Give one of a tenant's Odoo administrators a new generated password, shown once (after a restore brought back Odoo's default)",
  }),
  'tenants.figures': op('tenants.figures', {
    input: z.object({ hostId: z.string().uuid(), name: TenantName }).strict(),
    output: TenantFigures,
    summary: 'Database size, filestore size, CPU and memory of a tenant',
  }),
  'tenants.logs': op('tenants.logs', {
    input: z
      .object({
        hostId: z.string().uuid(),
        name: TenantName,
        tail: z.number().int().min(1).max(10_000).default(200),
        /** Only lines logged after this Docker timestamp (the first field of a line): how a UI follows the log. */
        since: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/, 'expected a log line timestamp').optional(),
      })
      .strict(),
    output: z.object({ lines: z.array(z.string()) }),
    summary: "The last lines of a tenant's server log, each starting with its timestamp; with since, only newer ones. Bounded: a line over 8 KiB is cut (saying how much), and an answer holds the newest lines within 2 MiB",
  }),
  'tenants.start': op('tenants.start', { input: tenantRef, output: jobStarted, summary: "Start a tenant's Odoo server" }),
  'tenants.stop': op('tenants.stop', { input: tenantRef, output: jobStarted, summary: "Stop a tenant's Odoo server" }),
  'tenants.restart': op('tenants.restart', { input: tenantRef, output: jobStarted, summary: "Restart a tenant's Odoo server" }),
  'tenants.suspend': op('tenants.suspend', { input: tenantRef, output: jobStarted, summary: 'Stop a tenant and block its database logins' }),
  'tenants.reactivate': op('tenants.reactivate', { input: tenantRef, output: jobStarted, summary: 'Allow database logins again and start the tenant' }),
  'tenants.show': op('tenants.show', { input: tenantRef, output: TenantDetail, summary: 'One tenant: spec as its host records it, state, health, limits, routing' }),
  'tenants.posActivity': op('tenants.posActivity', {
    input: tenantRef,
    output: PosActivity,
    summary: "The tenant's point of sale: sessions open on its tills and their last orders (read as the tenant), shown before a restore, update or decommission",
  }),
  'tenants.decommission': op('tenants.decommission', {
    input: z
      .object({ hostId: z.string().uuid(), name: TenantName, confirm: z.string().max(63) })
      .strict()
      .refine((v) => v.confirm === v.name, { path: ['confirm'], message: "type the tenant's name exactly to confirm" }),
    output: jobStarted,
    summary: 'Final archive in Odoo’s backup format, then remove the tenant’s container, database, role, volumes and secrets',
  }),
  'tenants.domains': op('tenants.domains', {
    input: z.object({ hostId: z.string().uuid(), name: TenantName }).strict(),
    output: TenantDomains,
    summary: 'The names a tenant answers to, its main one first, and its address',
  }),
  'tenants.addDomain': op('tenants.addDomain', {
    input: AddDomainInput,
    output: jobStarted,
    summary: "Serve a tenant at one more name (checked: DNS points it at the host, no tenant of the fleet has it); its certificate comes on the first visit",
  }),
  'tenants.removeDomain': op('tenants.removeDomain', { input: DomainRefInput, output: jobStarted, summary: 'Stop serving a tenant at a name (not its main one)' }),
  'tenants.setMainDomain': op('tenants.setMainDomain', {
    input: DomainRefInput,
    output: jobStarted,
    summary: "Make one of a tenant's names its main one: web.base.url follows (Odoo is restarted to read it)",
  }),
  'tenants.reconcile': op('tenants.reconcile', {
    input: ReconcileInput,
    output: ReconcileReport,
    summary: "Compare a host's labelled containers and volumes, its databases and this console's journal: drift, with a suggested action per item",
  }),
  'tenants.cleanup': op('tenants.cleanup', {
    input: CleanupInput,
    output: jobStarted,
    summary: 'Remove what one reconcile item names (re-checked first: refused if it changed since the report), as a durable job',
  }),
  'tenants.adopt': op('tenants.adopt', {
    input: AdoptInput,
    output: jobStarted,
    summary: 'Turn an unlabelled Odoo container or an unclaimed Odoo database into a labelled tenant, as a durable job',
  }),
  'tenants.clone': op('tenants.clone', {
    input: tenantRef.extend({
      /** The staging tenant's name (default `<name>-staging`). */
      as: TenantName.optional(),
      /** Hours until it is removed automatically. */
      ttlHours: z.number().int().min(1).max(24 * 90).default(48),
      /** A catalogued backup to clone from (default: the newest complete one). */
      backupId: z.string().uuid().optional(),
      /** Its public domain (default: the source's). */
      domain: DomainName.optional(),
    }),
    output: z.object({ jobId: z.string(), name: z.string(), expiresAt: z.string() }),
    summary: 'Clone a tenant to a staging tenant from its newest backup: neutralized, removed when its time to live ends',
  }),
  'tenants.staging': op('tenants.staging', {
    input: z.object({ hostId: z.string().uuid() }).strict(),
    output: z.array(StagingCloneView),
    summary: "The host's staging clones and when each expires",
  }),
  'tenants.removeStaging': op('tenants.removeStaging', { input: tenantRef, output: jobStarted, summary: 'Remove a staging clone now (refused for anything but a staging clone)' }),
  'tenants.update': op('tenants.update', {
    input: tenantRef
      .extend({
        /** The new image tag (same repository). */
        tag: imageTag.optional(),
        /** Modules to update (`odoo -u`), e.g. after new addon code; ['all'] for every one. */
        modules: z.array(z.string().regex(/^[a-z0-9_]+$/, 'module names are lowercase letters, digits and "_"')).min(1).max(200).optional(),
        /** Try the update on a staging clone first (default); off only when the host has no room for one. */
        trial: z.boolean().default(true),
        /** How long the updated server may take to answer /web/health before the update is reverted. */
        healthTimeoutSeconds: z.number().int().min(5).max(3600).default(120),
      })
      .refine((v) => v.tag !== undefined || v.modules !== undefined, { message: 'name a new image tag, modules to update, or both' }),
    output: jobStarted,
    summary: 'Update safely: back up, try it on a staging clone, update the tenant, and revert automatically (restore + previous image) if the update or its health check fails',
  }),
  'backups.create': op('backups.create', {
    input: tenantRef.extend({
      /** Where the archive goes; the tenant's policy (or this console's folder) when left out. */
      destinations: z.array(DestinationSpec).min(1).max(5).optional(),
      /** The backup key that encrypts it (null: not encrypted); the policy's when left out. */
      key: BackupKeyName.nullable().optional(),
    }),
    output: z.object({ jobId: z.string(), backupId: z.string() }),
    summary: "Back a tenant up now: Odoo's backup zip, to each destination, verified, catalogued on the host",
  }),
  'backups.list': op('backups.list', {
    input: z.object({ hostId: z.string().uuid(), name: TenantName.optional(), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    output: z.array(BackupEntry),
    summary: "The host's backup catalog (every console's backups), newest first",
  }),
  'backups.restore': op('backups.restore', {
    input: z
      .object({
        hostId: z.string().uuid(),
        name: TenantName,
        backupId: z.string().uuid().optional(),
        /** An Odoo backup zip on the console's machine: accepted from the CLI only. */
        file: z.string().min(1).max(4096).optional(),
        copy: z.boolean().default(false),
        neutralize: z.boolean().default(false),
        /** The tenant's name, typed by the user: a restore replaces live data. */
        confirm: z.string().max(100),
        /** The tenant's name again, typed to give up the way back (the replaced data is dropped). */
        withoutUndo: z.string().max(100).optional(),
      })
      .strict()
      .refine((v) => (v.backupId === undefined) !== (v.file === undefined), { message: 'name either a backup or an archive file' })
      .refine((v) => v.confirm === v.name, { message: "type the tenant's name to confirm the restore", path: ['confirm'] })
      .refine((v) => v.withoutUndo === undefined || v.withoutUndo === v.name, { message: "type the tenant's name to restore without a way back", path: ['withoutUndo'] }),
    output: jobStarted,
    summary: 'Restore a tenant from a backup: into a new database and filestore, swapped in only when complete; the replaced data is kept for the undo window',
  }),
  'backups.keptCopy': op('backups.keptCopy', {
    input: tenantRef,
    output: KeptCopyView.nullable(),
    summary: "The data a tenant's last restore replaced, while it is kept: until when, and the disk it holds",
  }),
  'backups.undoRestore': op('backups.undoRestore', {
    input: confirmedTenantRef('undo the restore'),
    output: jobStarted,
    summary: "Undo a tenant's last restore: the kept data goes back in place, and what it replaces is kept for the rest of the window",
  }),
  'backups.discardKeptCopy': op('backups.discardKeptCopy', {
    input: confirmedTenantRef('drop the kept copy'),
    output: jobStarted,
    summary: "Drop the data a tenant's last restore replaced, now: frees its disk, and the way back is gone",
  }),
  'backups.verify': op('backups.verify', {
    input: z.object({ hostId: z.string().uuid(), name: TenantName, backupId: z.string().uuid() }).strict(),
    output: jobStarted,
    summary: 'A restore drill: load a backup into scratch copies, compare exact row counts and the filestore digest, record the verdict',
  }),
  'backups.setPolicy': op('backups.setPolicy', {
    input: BackupPolicyInput,
    output: z.array(BackupPolicyView),
    summary: "Schedule a tenant's backups and set its retention (kept on the host; runs once across consoles)",
  }),
  'backups.removePolicy': op('backups.removePolicy', { input: tenantRef, output: z.array(BackupPolicyView), summary: "Stop a tenant's scheduled backups" }),
  'backups.policies': op('backups.policies', {
    input: z.object({ hostId: z.string().uuid() }).strict(),
    output: z.array(BackupPolicyView),
    summary: "The host's backup schedules: next run, lease, last outcome, and whether the newest backup is overdue",
  }),
  'backups.prune': op('backups.prune', {
    input: tenantRef,
    output: z.object({ pruned: z.array(z.string()) }),
    summary: "Delete the tenant's backups (on this machine) that its retention policy does not keep",
  }),
  'backups.rebuildCatalog': op('backups.rebuildCatalog', {
    input: z.object({ hostId: z.string().uuid(), destination: DestinationSpec }).strict(),
    output: z.object({ added: z.number(), updated: z.number(), skipped: z.array(z.string()) }),
    summary: "Read the sidecars in a destination and record this host's archives the catalog lacks",
  }),
  'keys.list': op('keys.list', { input: empty, output: z.array(BackupKeyView), summary: 'The backup keys this console holds (ids and names only)' }),
  'keys.create': op('keys.create', { input: z.object({ name: BackupKeyName }).strict(), output: BackupKeyView, summary: 'Make a new random backup key (kept in the vault); export it and keep it safe' }),
  'keys.export': op('keys.export', {
    input: z.object({ name: BackupKeyName }).strict(),
    output: BackupKeyView.extend({ secret: z.string() }),
    summary: 'A backup key as one line of text, to keep offline or import into another console',
  }),
  'keys.import': op('keys.import', {
    input: z.object({ name: BackupKeyName, secret: z.string().min(1).max(200) }).strict(),
    output: BackupKeyView,
    summary: 'Import a backup key exported from a console (checked; a wrong or cut line is refused)',
  }),
  'keys.remove': op('keys.remove', { input: z.object({ name: BackupKeyName }).strict(), output: z.object({ removed: z.boolean() }), summary: 'Forget a backup key: archives it encrypted cannot be read here any more' }),
  'pos.status': op('pos.status', {
    // Counting the pictures reads every cached product: the CLI's status asks for it, the selling page does not.
    input: z.object({ pictures: z.boolean().optional() }).strict(),
    output: PosStatus,
    summary: 'The terminal: pairing, session, orders waiting, sync state, cached data (and its pictures, when asked)',
  }),
  'pos.pair': op('pos.pair', {
    input: z
      .object({
        // Credentials go in login and secret (kept in the vault), never in the URL (logged and shown).
        url: z
          .string()
          .url()
          .max(500)
          .refine((url) => !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url), 'Give the login and password in their own fields, not in the URL'),
        database: z.string().min(1).max(63),
        login: z.string().min(1).max(200),
        /** A password or an API key (stored encrypted). */
        secret: z.string().min(1).max(500),
        configId: z.number().int().positive().optional(),
      })
      .strict(),
    output: z.object({ pairing: PosStatus.shape.pairing.unwrap(), configs: z.array(z.object({ id: z.number(), name: z.string() })) }),
    summary: 'Pair the terminal with an Odoo database (version detected, login checked) and choose its POS configuration',
  }),
  'pos.openSession': op('pos.openSession', {
    /** Left out: the cash Odoo expects (the last session's closing count), as Odoo's opening popup proposes. */
    input: OpenSessionInput,
    output: PosSessionView,
    summary: "Open or resume the configuration's POS session (opening cash where cash control is on; a count that differs from Odoo's expected cash needs a note) with a new login number",
  }),
  'pos.expectedOpeningCash': op('pos.expectedOpeningCash', {
    input: empty,
    output: z.object({ amount: z.number().nullable(), booksDifference: z.boolean() }),
    summary: "The cash Odoo expects in the drawer at the next opening (the last closing count); null when the session is open already. booksDifference: a count that differs is booked as a cash profit or loss (16/17), or only noted on the session (18)",
  }),
  'pos.closeSession': op('pos.closeSession', {
    input: CloseSessionInput,
    output: z.object({ closed: z.boolean(), message: z.string(), report: ZReportView }),
    summary: 'Close the session in Odoo with the counts per payment method (a difference above the limit needs a note) and its Z report; refused while orders wait',
  }),
  'pos.closingControl': op('pos.closingControl', {
    input: empty,
    output: ClosingControlView,
    summary: "What the closing expects per payment method (Odoo's figures when it answers, else this terminal's), the cash moves and the difference limit",
  }),
  'pos.zReport': op('pos.zReport', { input: empty, output: ZReportView.nullable(), summary: 'The end-of-day (Z) report of the last session closed on this terminal; null before the first' }),
  'pos.printZReport': op('pos.printZReport', {
    input: empty,
    output: z.object({ bytes: z.number(), printer: z.string() }),
    summary: "Print the last Z report on the terminal's ESC/POS network printer",
  }),
  'pos.setCashDifferenceLimit': op('pos.setCashDifferenceLimit', {
    input: z.object({ amount: z.number().finite().min(0).max(1e9).nullable() }).strict(),
    output: z.object({ amount: z.number() }),
    summary: "The largest closing difference accepted without a note when Odoo's config sets none (null: the default, 0)",
  }),
  'pos.setOfflineWarning': op('pos.setOfflineWarning', {
    input: z.object({ hours: z.number().finite().positive().max(OFFLINE_WARNING_MAX_HOURS).nullable() }).strict(),
    output: z.object({ hours: z.number() }),
    summary: 'After how many hours with Odoo out of reach the status bar warns the cashier (null: the default, 24)',
  }),
  'pos.refresh': op('pos.refresh', { input: empty, output: z.object({ models: z.number(), products: z.number() }), summary: "Reload Odoo's POS data into the terminal's cache (orders waiting are kept)" }),
  'pos.fetchImages': op('pos.fetchImages', {
    input: empty,
    output: z.object({ fetched: z.number(), without: z.number() }),
    summary: 'Fetch the product and category pictures missing from the cache now (the terminal also does it after a refresh)',
  }),
  'pos.searchProducts': op('pos.searchProducts', {
    input: z.object({ query: z.string().max(200), limit: z.number().int().min(1).max(200).default(50) }).strict(),
    output: z.array(z.object({ productId: z.number(), name: z.string(), barcode: z.string().nullable(), defaultCode: z.string().nullable() })),
    summary: 'Products by barcode, internal reference or name, from the cache',
  }),
  'pos.catalog': op('pos.catalog', {
    input: empty,
    output: z.object({ series: z.string().nullable(), models: z.record(z.string(), z.array(z.unknown())) }),
    summary: "The cached POS data the selling UI needs, products and customers aside (one shape whatever the Odoo version: PosCatalog, normalised by the version's adapter; series for display only)",
  }),
  'pos.products': op('pos.products', {
    input: z
      .object({
        categoryId: z.number().int().positive().optional(),
        ids: z.array(z.number().int().positive()).max(500).optional(),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    output: z.array(z.record(z.string(), z.unknown())),
    summary: 'Cached products (all, by POS category, or by id), as Odoo loaded them',
  }),
  'pos.partners': op('pos.partners', {
    input: z.object({ query: z.string().max(200).default(''), limit: z.number().int().min(1).max(200).default(50) }).strict(),
    output: z.array(z.record(z.string(), z.unknown())),
    summary: 'Cached customers matching a name, email, phone or VAT',
  }),
  'pos.createPartner': op('pos.createPartner', {
    input: z
      .object({
        name: z.string().trim().min(1).max(200),
        email: z.string().email().max(200).optional(),
        phone: z.string().max(50).optional(),
        street: z.string().max(200).optional(),
        city: z.string().max(100).optional(),
        zip: z.string().max(20).optional(),
        vat: z.string().max(40).optional(),
      })
      .strict(),
    output: z.object({ id: z.number(), name: z.string() }),
    summary: 'Create a customer (offline too): a local id usable in a sale at once; created in Odoo before the orders that name it',
  }),
  'pos.receipt': op('pos.receipt', {
    /** `cashier` is accepted from older pages and not used: a receipt names who the terminal recorded. */
    input: z.object({ uid: z.string().max(40), cashier: z.string().max(200).optional() }).strict(),
    output: ReceiptView,
    summary: "A sale's receipt (for the browser's print, and reprints), from the order as Odoo gets it",
  }),
  'pos.cashMove': op('pos.cashMove', {
    input: z.object({ type: z.enum(['in', 'out']), amount: z.number().finite().positive().max(1e9), reason: z.string().max(200).default('') }).strict(),
    output: z.object({ uid: z.string(), reason: z.string() }),
    summary: 'Record cash put in or taken out of the drawer (offline too); sent to Odoo by the sync, once',
  }),
  'pos.printReceipt': op('pos.printReceipt', {
    input: z.object({ uid: z.string().max(40), cashier: z.string().max(200).optional() }).strict(),
    output: z.object({ bytes: z.number(), printer: z.string() }),
    summary: "Print a receipt (or a reprint) on the terminal's ESC/POS network printer (pos.setReceiptPrinter)",
  }),
  'pos.receiptPrinter': op('pos.receiptPrinter', {
    input: empty,
    output: ReceiptPrinter.nullable(),
    summary: "The terminal's ESC/POS network printer; null when receipts print with the browser only",
  }),
  'pos.setReceiptPrinter': op('pos.setReceiptPrinter', {
    input: z.object({ printer: ReceiptPrinter.nullable() }).strict(),
    output: ReceiptPrinter.nullable(),
    summary: "Set the terminal's ESC/POS network printer (host name or IP address, port, characters per line), or none",
  }),
  'pos.cashierLogin': op('pos.cashierLogin', {
    input: z
      .object({ employeeId: z.number().int().positive().optional(), userId: z.number().int().positive().optional(), pin: z.string().max(32).optional(), badge: z.string().min(1).max(64).optional() })
      .strict(),
    output: CashierView,
    summary: "A cashier logs in at this terminal (an employee's PIN or badge, pos_hr; else the paired POS user): every sale is theirs until they log out. Wrong PINs wait longer each time, then lock the cashier",
  }),
  'pos.cashier': op('pos.cashier', { input: empty, output: CashierView.nullable(), summary: 'The cashier logged in at this terminal, if any' }),
  'pos.cashierLogout': op('pos.cashierLogout', { input: empty, output: z.object({ loggedOut: z.boolean() }), summary: 'The cashier leaves the till (nobody can sell until someone logs in)' }),
  'pos.cashierLocks': op('pos.cashierLocks', {
    input: empty,
    output: z.array(z.object({ employeeId: z.number(), name: z.string(), failures: z.number(), locked: z.boolean(), retryAfterMs: z.number() })),
    summary: 'Cashiers with wrong PINs counted against them: waiting, or locked until a POS manager lifts it',
  }),
  'pos.unlockCashier': op('pos.unlockCashier', {
    input: z
      .object({
        employeeId: z.number().int().positive(),
        /** A pos_hr manager's own PIN, typed at the terminal; an admin (the terminal's OS account) may leave it out. */
        manager: z.object({ employeeId: z.number().int().positive(), pin: z.string().max(32) }).strict().optional(),
      })
      .strict(),
    output: z.object({ unlocked: z.string() }),
    summary: "Lift a cashier's lock: a POS manager authenticated at the terminal, or an admin",
  }),
  'pos.carts': op('pos.carts', { input: empty, output: z.array(OpenCartView), summary: 'The open carts this terminal keeps (every page of it sees the same ones)' }),
  'pos.saveCart': op('pos.saveCart', {
    input: z.object({ id: z.string().uuid(), saleUuid: z.string().uuid(), baseRevision: z.number().int().min(0), cart: OpenCartContent }).strict(),
    output: z.object({ revision: z.number() }),
    summary: 'Keep an open cart over the revision the page started from (0: a new one); refused once its sale is stored or another page changed it',
  }),
  'pos.dropCart': op('pos.dropCart', { input: z.object({ id: z.string().uuid() }).strict(), output: z.object({ dropped: z.boolean() }), summary: 'Drop an open cart unpaid' }),
  'pos.sell': op('pos.sell', {
    input: z.object({ sale: SaleInput }).strict(),
    output: z.object({ uid: z.string(), name: z.string(), replayed: z.boolean() }),
    summary: `Record a paid sale (at most ${SALE_MAX_LINES} lines) by the cashier logged in: named and stored before this answers (works offline), its cart closed in the same step; the same sale sent again gets its order back (replayed), another sale under a used id is refused; synced when Odoo answers`,
  }),
  'pos.sync': op('pos.sync', { input: empty, output: SyncRoundView, summary: 'Push waiting orders to Odoo now' }),
  'pos.restoreCheck': op('pos.restoreCheck', {
    input: z.object({ now: z.boolean().optional() }).strict(),
    output: RestoreCheckView,
    summary: 'The synced orders looked up in Odoo (now, when asked): those a restored database lost are sent again',
  }),
  'pos.orders': op('pos.orders', {
    input: z.object({ state: z.enum(['pending', 'synced', 'parked']).optional(), limit: z.number().int().min(1).max(10_000).default(200) }).strict(),
    output: z.array(OutboxOrderView),
    summary: "The terminal's orders and where each stands",
  }),
  'pos.findOrders': op('pos.findOrders', {
    input: z.object({ query: z.string().max(100).default(''), limit: z.number().int().min(1).max(50).default(20) }).strict(),
    output: z.array(FoundOrderView),
    summary: "Paid orders in Odoo from any terminal, by receipt number or customer (the configuration's latest without a query), to refund them",
  }),
  'pos.orderDetail': op('pos.orderDetail', {
    input: z.object({ uid: OrderUid }).strict(),
    output: OrderDetailView,
    summary: "One order of this terminal in full, from its frozen payload: lines, taxes, payments, customer, cashier, sync state and what Odoo holds of it",
  }),
  'pos.invoiceOrder': op('pos.invoiceOrder', {
    input: InvoiceOrderInput,
    output: InvoiceOrderView,
    summary: "Ask Odoo to invoice an order it holds (action_pos_order_invoice; it needs a customer); the invoice's name",
  }),
  'pos.exportOrders': op('pos.exportOrders', {
    /** Left out: from the first order waiting; else the previous page's `next`. */
    input: z.object({ after: OutboxExportCursor.optional() }).strict(),
    output: OutboxPage,
    summary: `Orders not yet synced, a page at a time (at most ${OUTBOX_CHUNK_MAX_ORDERS} orders and ${formatBytes(OUTBOX_CHUNK_MAX_BYTES)}, with the customers they wait for) until \`next\` is null; the pages joined are the file another terminal imports`,
  }),
  'pos.importOrders': op('pos.importOrders', {
    input: z.object({ file: OutboxChunk }).strict(),
    output: z.object({ imported: z.number(), known: z.number() }),
    summary: `Import a piece of a file exported by another terminal (at most ${OUTBOX_CHUNK_MAX_ORDERS} orders and ${formatBytes(OUTBOX_CHUNK_MAX_BYTES)}, with the customers its orders wait for); names and payloads unchanged, a piece sent again adds nothing`,
  }),
  'pos.parkedRecords': op('pos.parkedRecords', {
    input: z.object({}).strict(),
    output: z.array(ParkedRecordView),
    summary: 'Cash moves and customers Odoo refused (parked), with its reason; pos.requeue sends one again',
  }),
  'pos.requeue': op('pos.requeue', { input: z.object({ uid: z.string().max(40) }).strict(), output: z.object({ requeued: z.boolean() }), summary: 'Send a parked order again once its cause is fixed' }),
  'jobs.list': op('jobs.list', {
    input: z.object({ target: z.string().max(300).optional(), limit: z.number().int().min(1).max(500).default(100) }).strict(),
    output: z.array(JobSummary),
    summary: 'Jobs, newest first',
  }),
  'jobs.get': op('jobs.get', { input: z.object({ id: z.string().uuid() }).strict(), output: JobView, summary: 'One job with its steps' }),
  'jobs.cancel': op('jobs.cancel', { input: z.object({ id: z.string().uuid() }).strict(), output: z.object({ cancelled: z.boolean() }), summary: 'Cancel a running job (it compensates)' }),
  'jobs.resume': op('jobs.resume', {
    input: empty,
    output: z.object({
      resumed: z.array(z.object({ jobId: z.string(), kind: z.string(), target: z.string(), direction: z.string() })),
      skipped: z.array(z.object({ jobId: z.string(), kind: z.string(), target: z.string(), reason: z.string() })),
    }),
    summary: 'Finish or undo the jobs of consoles that died mid-job (consoles do this at start); follow each with jobs.get',
  }),
} as const satisfies Record<OperationName, OperationSpec>;

export type Contract = typeof contract;
export { EVENT_NAMES, OPERATION_NAMES, type EventName, type OperationName };
export type OpInput<N extends OperationName> = z.input<Contract[N]['input']>;
export type OpOutput<N extends OperationName> = z.output<Contract[N]['output']>;

// Event streams pushed from the services to every UI.
export const events = {
  'hosts.connection': z.object({
    hostId: z.string(),
    state: z.enum(['idle', 'connecting', 'connected', 'backoff', 'failed']),
    lastError: z.string().nullable(),
    at: z.string(),
  }),
  'hosts.changed': z.object({ hostId: z.string(), change: z.enum(['added', 'updated', 'removed']) }),
  'jobs.started': JobEvent,
  'jobs.step.started': JobEvent,
  'jobs.step.progress': JobEvent,
  'jobs.step.finished': JobEvent,
  'jobs.finished': JobEvent,
  /** The POS terminal's orders waiting, parked and synced, and the sync state (after every sale and round). */
  'pos.outbox': PosStatus.shape.outbox.extend({ sync: PosStatus.shape.sync, offline: PosStatus.shape.offline }),
  'pos.images': PosStatus.shape.images.unwrap(),
  /** An open cart written, dropped or sold (sold: the order's name), so every page shows the same carts. */
  'pos.carts': z.object({ cartId: z.string(), revision: z.number().nullable(), sold: z.string().nullable() }),
  /** Who is logged in at the terminal changed. */
  'pos.cashier': CashierView.nullable(),
} as const satisfies Record<EventName, z.ZodType>;
export type Events = typeof events;
export type EventPayload<E extends EventName> = z.infer<Events[E]>;
