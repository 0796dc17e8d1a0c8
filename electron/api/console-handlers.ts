import type { AuditLog } from '../audit/audit-log.js';
import type { HostService } from '../hosts/host-service.js';
import type { ManagedDbServerService } from '../hosts/managed-db-server.js';
import type { DomainService } from '../proxy/domain-service.js';
import type { ProxyService } from '../proxy/proxy-service.js';
import type { SshConfigImporter } from '../hosts/ssh-import.js';
import type { Vault } from '../secrets/vault.js';
import type { JobRunner } from '../jobs/index.js';
import type { TenantService } from '../tenants/tenant-service.js';
import type { HostCoordinators } from '../coordination/host-coordinators.js';
import type { BackupKeys } from '../backup/backup-keys.js';
import type { StagingService } from '../tenants/staging-service.js';
import type { UpdateService } from '../tenants/update-service.js';
import type { BackupService } from '../backup/backup-service.js';
import type { BackupScheduler } from '../backup/scheduler.js';
import { FleetError } from '../../shared/errors.js';
import type { Handlers } from './dispatcher.js';
import type { EventBus } from './events.js';

/** The console's services its operations use. */
export interface ConsoleHandlerServices {
  hosts: HostService;
  importer: SshConfigImporter;
  vault: Vault;
  audit: AuditLog;
  events: EventBus;
  tenants: TenantService;
  coordinators: HostCoordinators;
  backups: BackupService;
  keys: BackupKeys;
  staging: StagingService;
  updates: UpdateService;
  scheduler: BackupScheduler;
  jobs: JobRunner;
  dbServers: ManagedDbServerService;
  proxies: ProxyService;
  domains: DomainService;
}

/** Binds the console's part of the contract to its services. */
export function consoleHandlers(deps: ConsoleHandlerServices & { version: string }): Handlers {
  const { hosts, importer, vault, audit, events, tenants, coordinators, backups, keys, staging, updates, scheduler, jobs } = deps;
  return {
    'session.info': (_input, ctx) => ({ actor: ctx.actor, role: ctx.role, program: 'console', version: deps.version }),
    'vault.status': () => vault.status(),
    'vault.setup': ({ passphrase }) => vault.setupWithoutBlocking(passphrase),
    'vault.unlock': ({ passphrase }) => vault.unlockWithoutBlocking(passphrase),
    'hosts.list': () => hosts.list(),
    'hosts.get': ({ id }) => hosts.get(id),
    'hosts.probe': (input) => hosts.probe(input),
    'hosts.add': async (input) => {
      const host = await hosts.add(input);
      events.emit('hosts.changed', { hostId: host.id, change: 'added' });
      return host;
    },
    'hosts.update': (input) => {
      const host = hosts.update(input);
      events.emit('hosts.changed', { hostId: host.id, change: 'updated' });
      return host;
    },
    'hosts.retrust': async ({ id, fingerprint }) => {
      const host = await hosts.retrust(id, fingerprint);
      events.emit('hosts.changed', { hostId: host.id, change: 'updated' });
      return host;
    },
    'hosts.remove': ({ id }) => {
      const removed = hosts.remove(id);
      if (removed) events.emit('hosts.changed', { hostId: id, change: 'removed' });
      return { removed };
    },
    'hosts.check': ({ id }) => hosts.check(id),
    'hosts.overview': ({ id }) => hosts.overview(id),
    'hosts.containers': ({ id }) => hosts.containers(id),
    'hosts.sshConfigCandidates': ({ configPath }, ctx) => importer.candidates(configPath, { anyPath: ctx.transport === 'cli' }),
    'hosts.dbServer': ({ id }) => hosts.get(id).dbServer,
    'hosts.provisionDbServer': (input, ctx) => deps.dbServers.provision(input, ctx.actor),
    'hosts.provisionProxy': (input, ctx) => deps.proxies.provision(input, ctx.actor),
    'hosts.proxyStatus': ({ id }) => deps.proxies.status(id),
    'hosts.syncProxyRoutes': ({ id }) => deps.proxies.syncRoutes(id),
    'tenants.domains': ({ hostId, name }) => deps.domains.list(hostId, name),
    'tenants.addDomain': (input, ctx) => deps.domains.add(input, ctx.actor),
    'tenants.removeDomain': (input, ctx) => deps.domains.remove(input, ctx.actor),
    'tenants.setMainDomain': (input, ctx) => deps.domains.setMain(input, ctx.actor),
    'hosts.certificates': ({ id }) => deps.proxies.certificates(id),
    'tenants.certificates': ({ hostId, name }) => deps.proxies.tenantCertificates(hostId, name),
    'audit.list': ({ limit, before }) => audit.list(limit, before),
    'hosts.audit': async ({ id, limit }) => {
      const coordinator = coordinators.of(id);
      if (!coordinator) throw new FleetError('VALIDATION', 'The host has no database server set: its shared audit trail lives there.');
      await coordinators.flush(); // this console's own latest records first
      return coordinator.audit(limit);
    },
    'tenants.create': (input, ctx) => tenants.create(input, ctx.actor),
    'tenants.list': ({ hostId }) => tenants.list(hostId),
    'tenants.credentials': ({ jobId }) => tenants.revealCredentials(jobId),
    'tenants.resetAdminPassword': ({ hostId, name, login }) => tenants.resetAdminPassword(hostId, name, login),
    'tenants.figures': ({ hostId, name }) => tenants.figures(hostId, name),
    'tenants.logs': async ({ hostId, name, tail, since }) => ({ lines: await tenants.logs(hostId, name, tail, since) }),
    'tenants.start': ({ hostId, name }, ctx) => tenants.act(hostId, name, 'start', ctx.actor),
    'tenants.stop': ({ hostId, name }, ctx) => tenants.act(hostId, name, 'stop', ctx.actor),
    'tenants.restart': ({ hostId, name }, ctx) => tenants.act(hostId, name, 'restart', ctx.actor),
    'tenants.suspend': ({ hostId, name }, ctx) => tenants.act(hostId, name, 'suspend', ctx.actor),
    'tenants.reactivate': ({ hostId, name }, ctx) => tenants.act(hostId, name, 'reactivate', ctx.actor),
    'tenants.show': ({ hostId, name }) => tenants.show(hostId, name),
    'tenants.posActivity': ({ hostId, name }) => tenants.posActivity(hostId, name),
    'tenants.decommission': ({ hostId, name }, ctx) => tenants.decommission(hostId, name, ctx.actor),
    'tenants.reconcile': ({ hostId }) => tenants.reconcile.report(hostId),
    'tenants.cleanup': ({ hostId, item, fingerprint }, ctx) => tenants.reconcile.cleanup(hostId, item, fingerprint, ctx.actor),
    'tenants.adopt': (input, ctx) => tenants.reconcile.adopt(input, ctx.actor),
    'tenants.clone': ({ hostId, name, as, ttlHours, backupId, domain }, ctx) => staging.clone({ hostId, source: name, name: as, ttlHours, backupId, domain }, ctx.actor),
    'tenants.staging': ({ hostId }) => staging.list(hostId),
    'tenants.removeStaging': ({ hostId, name }, ctx) => staging.remove(hostId, name, ctx.actor),
    'tenants.update': ({ hostId, name, tag, modules, trial, healthTimeoutSeconds }, ctx) => updates.update({ hostId, name, tag, modules, trial, healthTimeoutSeconds }, ctx.actor),
    'backups.create': ({ hostId, name, destinations, key }, ctx) => backups.create(hostId, name, ctx.actor, { destinations, key }),
    'backups.rebuildCatalog': ({ hostId, destination }) => backups.rebuildCatalog(hostId, destination),
    'keys.list': () => keys.list(),
    'keys.create': ({ name }) => keys.create(name),
    'keys.export': ({ name }) => {
      const info = keys.list().find((k) => k.name.toLowerCase() === name.toLowerCase());
      if (!info) throw new FleetError('NOT_FOUND', `No backup key named "${name}".`);
      return { ...info, secret: keys.export(name) };
    },
    'keys.import': ({ name, secret }) => keys.import(name, secret),
    'keys.remove': ({ name }) => {
      keys.remove(name);
      return { removed: true };
    },
    'backups.list': ({ hostId, name, limit }) => backups.list(hostId, name, limit),
    'backups.restore': ({ hostId, name, backupId, file, copy, neutralize, withoutUndo }, ctx) => {
      if (file !== undefined && ctx.transport !== 'cli') throw new FleetError('FORBIDDEN', 'An archive path is accepted from the command line only; restore a catalogued backup here.');
      return backups.restore(hostId, name, { backupId, file }, { copy, neutralize, withoutUndo: withoutUndo !== undefined }, ctx.actor);
    },
    'backups.keptCopy': ({ hostId, name }) => backups.keptCopy(hostId, name),
    'backups.undoRestore': ({ hostId, name }, ctx) => backups.undoRestore(hostId, name, ctx.actor),
    'backups.discardKeptCopy': ({ hostId, name }, ctx) => backups.discardKeptCopy(hostId, name, ctx.actor),
    'backups.verify': ({ hostId, name, backupId }, ctx) => backups.verify(hostId, name, backupId, ctx.actor),
    'backups.setPolicy': async ({ hostId, name, key, ...policy }) => {
      await tenants.show(hostId, name); // NOT_FOUND for an unknown tenant
      backups.checkDestinations(hostId, policy.destinations);
      await scheduler.setPolicy(hostId, { tenant: name, ...policy, keyId: backups.keyIdOf(key) });
      return scheduler.policies(hostId);
    },
    'backups.removePolicy': async ({ hostId, name }) => {
      await scheduler.removePolicy(hostId, name);
      return scheduler.policies(hostId);
    },
    'backups.policies': ({ hostId }) => scheduler.policies(hostId),
    'backups.prune': ({ hostId, name }) => scheduler.pruneByPolicy(hostId, name),
    'jobs.list': ({ target, limit }) => jobs.listJobs({ ...(target ? { target } : {}), limit }),
    'jobs.get': ({ id }) => {
      const job = jobs.getJob(id);
      if (!job) throw new FleetError('NOT_FOUND', 'No such job.', { id });
      return job;
    },
    'jobs.cancel': ({ id }) => ({ cancelled: jobs.cancel(id) }),
    'jobs.resume': () => jobs.resumeInterrupted(),
  };
}
