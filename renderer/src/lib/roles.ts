import { OPERATIONS, type Role } from '../../../shared/operations.js';

export { roleAtLeast } from '../../../shared/operations.js';

/** The role each UI action needs: that of the operation it calls (the server enforces it). */
export const NEEDS = {
  addHost: OPERATIONS['hosts.add'].role,
  importHosts: OPERATIONS['hosts.sshConfigCandidates'].role,
  removeHost: OPERATIONS['hosts.remove'].role,
  retrust: OPERATIONS['hosts.retrust'].role,
  checkHost: OPERATIONS['hosts.check'].role,
  createTenant: OPERATIONS['tenants.create'].role,
  provisionDbServer: OPERATIONS['hosts.provisionDbServer'].role,
  provisionProxy: OPERATIONS['hosts.provisionProxy'].role,
  changeDomains: OPERATIONS['tenants.addDomain'].role,
  cancelJob: OPERATIONS['jobs.cancel'].role,
  tenantLogs: OPERATIONS['tenants.logs'].role,
  decommissionTenant: OPERATIONS['tenants.decommission'].role,
  reconcile: OPERATIONS['tenants.reconcile'].role,
  cleanup: OPERATIONS['tenants.cleanup'].role,
  adopt: OPERATIONS['tenants.adopt'].role,
  createBackup: OPERATIONS['backups.create'].role,
  verifyBackup: OPERATIONS['backups.verify'].role,
  restoreBackup: OPERATIONS['backups.restore'].role,
  setBackupPolicy: OPERATIONS['backups.setPolicy'].role,
  removeBackupPolicy: OPERATIONS['backups.removePolicy'].role,
  pruneBackups: OPERATIONS['backups.prune'].role,
  rebuildCatalog: OPERATIONS['backups.rebuildCatalog'].role,
  createKey: OPERATIONS['keys.create'].role,
  exportKey: OPERATIONS['keys.export'].role,
  importKey: OPERATIONS['keys.import'].role,
  removeKey: OPERATIONS['keys.remove'].role,
  cloneTenant: OPERATIONS['tenants.clone'].role,
  removeStaging: OPERATIONS['tenants.removeStaging'].role,
  updateTenant: OPERATIONS['tenants.update'].role,
} as const satisfies Record<string, Role>;
