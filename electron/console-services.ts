import os from 'node:os';
import path from 'node:path';
import { AuditLog } from './audit/audit-log.js';
import { Dispatcher } from './api/dispatcher.js';
import { EventBus } from './api/events.js';
import { consoleHandlers, type ConsoleHandlerServices } from './api/console-handlers.js';
import { createLogger, type Logger } from './common/log.js';
import { DockerService } from './docker/docker-service.js';
import { HostService } from './hosts/host-service.js';
import { HostStore } from './hosts/host-store.js';
import { ManagedDbServerService } from './hosts/managed-db-server.js';
import { DomainService } from './proxy/domain-service.js';
import { ProxyService } from './proxy/proxy-service.js';
import { KnownHostsLookup } from './hosts/known-hosts-lookup.js';
import { SshConfigImporter } from './hosts/ssh-import.js';
import { Vault, type SafeStorageLike } from './secrets/vault.js';
import { SshPool } from './ssh/pool.js';
import { openStore, type Store } from './store/database.js';
import { JobRegistry, JobRunner } from './jobs/index.js';
import { TenantSizes } from './tenant-parts/sizes.js';
import { TenantService } from './tenants/tenant-service.js';
import { HostCoordinators } from './coordination/host-coordinators.js';
import { BackupKeys } from './backup/backup-keys.js';
import { StagingService } from './tenants/staging-service.js';
import { UpdateService } from './tenants/update-service.js';
import { BackupService } from './backup/backup-service.js';
import { BackupScheduler } from './backup/scheduler.js';

export interface ConsoleOptions {
  dataDir: string;
  /** Electron's safeStorage when it has a real OS keychain behind it. */
  safeStorage?: SafeStorageLike;
  vaultWarning?: string;
  /** FLEET_PASSPHRASE or the CLI prompt: sets up (first start) or unlocks the vault. */
  passphrase?: string;
  homeDir?: string;
  localUser?: string;
  agentSocket?: string;
  log?: Logger;
  kdf?: { N: number; r: number; p: number };
  version?: string;
  /** DNS servers for checking a tenant's new name (default: the system's; FLEET_DNS_SERVERS, comma-separated). */
  dnsServers?: string[];
}

export interface ConsoleServices extends ConsoleHandlerServices {
  dataDir: string;
  db: Store;
  pool: SshPool;
  docker: DockerService;
  dispatcher: Dispatcher;
  log: Logger;
  /**
   * For the long-running faces (desktop, web): connect every host so the list shows live states,
   * and finish or undo what a console killed mid-job left behind.
   */
  startBackgroundWork(): void;
  close(): Promise<void>;
}

/** Everything the console runs, wired once; the Electron app, the web server and the CLI all use this. */
export function createConsoleServices(options: ConsoleOptions): ConsoleServices {
  const log = options.log ?? createLogger({ file: path.join(options.dataDir, 'logs', 'console.log') });
  const db = openStore(path.join(options.dataDir, 'console.sqlite'));
  // No key file: the console's secrets (hosts, keys, database passwords) stay behind the OS
  // keychain or its passphrase. Only the POS terminal, which must restart unattended, takes one.
  const vault = new Vault(db, {
    ...(options.safeStorage ? { safeStorage: options.safeStorage } : {}),
    ...(options.vaultWarning ? { warning: options.vaultWarning } : {}),
    ...(options.kdf ? { kdf: options.kdf } : {}),
  });
  if (options.passphrase && !vault.isUnlocked()) vault.setupOrUnlock(options.passphrase);
  const audit = new AuditLog(db);
  const events = new EventBus();
  const store = new HostStore(db, vault);
  const homeDir = options.homeDir ?? os.homedir();
  const pool = new SshPool({
    // Called only after construction, when `hosts` exists.
    resolveTarget: (hostId) => hosts.resolveTarget(hostId),
    onState: (hostId, state, lastError) => events.emit('hosts.connection', { hostId, state, lastError: lastError?.message ?? null, at: new Date().toISOString() }),
    log,
  });
  const docker = new DockerService(pool);
  const hosts: HostService = new HostService({
    store,
    pool,
    docker,
    knownHosts: KnownHostsLookup.forSshDir(path.join(homeDir, '.ssh')),
    log,
    defaultAgentSocket: options.agentSocket ?? process.env.SSH_AUTH_SOCK,
  });
  const importer = new SshConfigImporter({ homeDir, localUser: options.localUser ?? os.userInfo().username, store });
  const coordinators = new HostCoordinators({ pool, hosts, store: db, log });
  // The runner first, so every service gets it as it is built. Each service then registers its
  // job definitions; none runs before startBackgroundWork() resumes the journal.
  const registry = new JobRegistry();
  const jobs = new JobRunner({
    store: db,
    registry,
    events: { emit: (event, payload) => events.emit(event, payload as never) },
    logger: log,
    acquireLock: coordinators.acquireTenantLock,
  });
  const keys = new BackupKeys(db, vault);
  // Archives on this machine: every local path in a shared catalog is trusted only inside it.
  const stores = { pool, hosts, localDir: path.join(options.dataDir, 'backups') };
  // One measurer for tenant figures and backup progress, so both reuse its filestore measurements.
  const sizes = new TenantSizes({ pool, docker, hosts });
  const backupDeps = {
    pool,
    docker,
    hosts,
    keys,
    localDir: stores.localDir,
    sizeOf: (hostId: string, name: string) => sizes.total(hostId, name),
  };
  const backups = new BackupService({ ...backupDeps, coordinators, jobs });
  const tenants = new TenantService({ ...backupDeps, vault, store: db, coordinators, jobs, backups, sizes });
  tenants.registerJobs(registry);
  backups.registerJobs(registry);
  const scheduler = new BackupScheduler({ hosts, coordinators, backups, jobs, log, stores });
  const staging = new StagingService({ pool, docker, hosts, vault, coordinators, jobs, tenants, backups, log });
  staging.registerJobs(registry);
  const updates = new UpdateService({ pool, docker, hosts, vault, coordinators, jobs, tenants, backups, staging });
  updates.registerJobs(registry);
  const dbServers = new ManagedDbServerService({
    pool,
    docker,
    hosts,
    vault,
    jobs,
    onHostChanged: (hostId) => events.emit('hosts.changed', { hostId, change: 'updated' }),
  });
  dbServers.registerJobs(registry);
  const proxies = new ProxyService({ pool, docker, hosts, coordinators, jobs, onHostChanged: (hostId) => events.emit('hosts.changed', { hostId, change: 'updated' }) });
  proxies.registerJobs(registry);
  const domains = new DomainService({ pool, docker, hosts, coordinators, jobs, dnsServers: options.dnsServers ?? process.env.FLEET_DNS_SERVERS?.split(',').map((s) => s.trim()).filter(Boolean) });
  domains.registerJobs(registry);
  const dispatcher = new Dispatcher({
    program: 'console',
    handlers: consoleHandlers({ hosts, importer, vault, audit, events, tenants, coordinators, backups, keys, staging, updates, scheduler, jobs, dbServers, proxies, domains, version: options.version ?? '0.0.0' }),
    audit,
    log,
    onAudited: (hostId, record) => coordinators.recordAudit(hostId, record),
  });
  return {
    dataDir: options.dataDir,
    db,
    vault,
    audit,
    events,
    pool,
    docker,
    hosts,
    importer,
    tenants,
    coordinators,
    backups,
    keys,
    staging,
    updates,
    scheduler,
    dbServers,
    proxies,
    domains,
    jobs,
    dispatcher,
    log,
    startBackgroundWork() {
      hosts.connectAll();
      jobs.resumeInterrupted();
      scheduler.start();
      staging.start();
    },
    async close() {
      staging.stop();
      await scheduler.stop();
      await coordinators.flush();
      await pool.closeAll();
      db.close();
    },
  };
}
