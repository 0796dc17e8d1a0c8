// The contract's operations and events without their schemas: names, the role each needs,
// whether it is audited and which program serves it. Zod-free, so the Electron preload and the
// UIs can use it without bundling the schemas; contract.ts adds the schemas to exactly these.

// A cashier (the POS's selling page) may only sell: every operation it may run says `cashier`;
// viewer and above are the console's people, and any of them may also run what a cashier may.
export const ROLES = ['cashier', 'viewer', 'support', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const ROLE_RANK: Record<Role, number> = { cashier: 0, viewer: 1, support: 2, admin: 3 };

export function roleAtLeast(role: Role | undefined, needed: Role): boolean {
  return role !== undefined && ROLE_RANK[role] >= ROLE_RANK[needed];
}

export interface OperationPolicy {
  role: Role;
  audited: boolean;
  /** Which program serves it: the POS only ever serves 'pos' and 'both' operations. */
  program: 'console' | 'pos' | 'both';
}

export const OPERATIONS = {
  'session.info': { role: 'cashier', audited: false, program: 'both' },
  'vault.status': { role: 'cashier', audited: false, program: 'both' },
  'vault.setup': { role: 'admin', audited: true, program: 'both' },
  'vault.unlock': { role: 'cashier', audited: true, program: 'both' },
  'hosts.list': { role: 'viewer', audited: false, program: 'console' },
  'hosts.get': { role: 'viewer', audited: false, program: 'console' },
  'hosts.probe': { role: 'admin', audited: false, program: 'console' },
  'hosts.add': { role: 'admin', audited: true, program: 'console' },
  'hosts.update': { role: 'admin', audited: true, program: 'console' },
  'hosts.retrust': { role: 'admin', audited: true, program: 'console' },
  'hosts.remove': { role: 'admin', audited: true, program: 'console' },
  'hosts.check': { role: 'support', audited: true, program: 'console' },
  'hosts.overview': { role: 'viewer', audited: false, program: 'console' },
  'hosts.containers': { role: 'viewer', audited: false, program: 'console' },
  'hosts.sshConfigCandidates': { role: 'admin', audited: false, program: 'console' },
  'hosts.dbServer': { role: 'viewer', audited: false, program: 'console' },
  'hosts.provisionDbServer': { role: 'admin', audited: true, program: 'console' },
  'hosts.provisionProxy': { role: 'admin', audited: true, program: 'console' },
  'hosts.proxyStatus': { role: 'viewer', audited: false, program: 'console' },
  'hosts.syncProxyRoutes': { role: 'admin', audited: true, program: 'console' },
  'hosts.certificates': { role: 'viewer', audited: false, program: 'console' },
  'tenants.certificates': { role: 'viewer', audited: false, program: 'console' },
  'audit.list': { role: 'viewer', audited: false, program: 'both' },
  'pos.status': { role: 'cashier', audited: false, program: 'pos' },
  'pos.pair': { role: 'cashier', audited: true, program: 'pos' },
  'pos.openSession': { role: 'cashier', audited: true, program: 'pos' },
  'pos.expectedOpeningCash': { role: 'cashier', audited: false, program: 'pos' },
  'pos.closeSession': { role: 'cashier', audited: true, program: 'pos' },
  'pos.closingControl': { role: 'cashier', audited: false, program: 'pos' },
  'pos.zReport': { role: 'cashier', audited: false, program: 'pos' },
  'pos.printZReport': { role: 'cashier', audited: false, program: 'pos' },
  'pos.setCashDifferenceLimit': { role: 'admin', audited: true, program: 'pos' },
  'pos.setOfflineWarning': { role: 'admin', audited: true, program: 'pos' },
  'pos.refresh': { role: 'cashier', audited: true, program: 'pos' },
  'pos.fetchImages': { role: 'cashier', audited: false, program: 'pos' },
  'pos.searchProducts': { role: 'cashier', audited: false, program: 'pos' },
  'pos.catalog': { role: 'cashier', audited: false, program: 'pos' },
  'pos.products': { role: 'cashier', audited: false, program: 'pos' },
  'pos.partners': { role: 'cashier', audited: false, program: 'pos' },
  'pos.createPartner': { role: 'cashier', audited: true, program: 'pos' },
  'pos.receipt': { role: 'cashier', audited: false, program: 'pos' },
  'pos.cashMove': { role: 'cashier', audited: true, program: 'pos' },
  'pos.printReceipt': { role: 'cashier', audited: false, program: 'pos' },
  'pos.receiptPrinter': { role: 'cashier', audited: false, program: 'pos' },
  'pos.setReceiptPrinter': { role: 'admin', audited: true, program: 'pos' },
  'pos.cashierLogin': { role: 'cashier', audited: true, program: 'pos' },
  'pos.sell': { role: 'cashier', audited: false, program: 'pos' },
  'pos.sync': { role: 'cashier', audited: false, program: 'pos' },
  'pos.restoreCheck': { role: 'cashier', audited: false, program: 'pos' },
  'pos.orders': { role: 'cashier', audited: false, program: 'pos' },
  'pos.findOrders': { role: 'cashier', audited: false, program: 'pos' },
  'pos.orderDetail': { role: 'cashier', audited: false, program: 'pos' },
  'pos.invoiceOrder': { role: 'cashier', audited: true, program: 'pos' },
  'pos.exportOrders': { role: 'admin', audited: true, program: 'pos' },
  'pos.importOrders': { role: 'admin', audited: true, program: 'pos' },
  'pos.parkedRecords': { role: 'cashier', audited: false, program: 'pos' },
  'pos.requeue': { role: 'cashier', audited: true, program: 'pos' },
  'pos.cashier': { role: 'cashier', audited: false, program: 'pos' },
  'pos.cashierLogout': { role: 'cashier', audited: true, program: 'pos' },
  'pos.cashierLocks': { role: 'cashier', audited: false, program: 'pos' },
  'pos.unlockCashier': { role: 'cashier', audited: true, program: 'pos' },
  'pos.carts': { role: 'cashier', audited: false, program: 'pos' },
  'pos.saveCart': { role: 'cashier', audited: false, program: 'pos' },
  'pos.dropCart': { role: 'cashier', audited: false, program: 'pos' },
  'hosts.audit': { role: 'viewer', audited: false, program: 'console' },
  'tenants.create': { role: 'admin', audited: true, program: 'console' },
  'tenants.list': { role: 'viewer', audited: false, program: 'console' },
  'tenants.logs': { role: 'support', audited: false, program: 'console' },
  'tenants.figures': { role: 'viewer', audited: false, program: 'console' },
  'tenants.credentials': { role: 'admin', audited: true, program: 'console' },
  'tenants.resetAdminPassword': { role: 'admin', audited: true, program: 'console' },
  'tenants.start': { role: 'support', audited: true, program: 'console' },
  'tenants.stop': { role: 'support', audited: true, program: 'console' },
  'tenants.restart': { role: 'support', audited: true, program: 'console' },
  'tenants.suspend': { role: 'admin', audited: true, program: 'console' },
  'tenants.reactivate': { role: 'admin', audited: true, program: 'console' },
  'tenants.show': { role: 'viewer', audited: false, program: 'console' },
  'tenants.posActivity': { role: 'viewer', audited: false, program: 'console' },
  'tenants.decommission': { role: 'admin', audited: true, program: 'console' },
  'tenants.domains': { role: 'viewer', audited: false, program: 'console' },
  'tenants.addDomain': { role: 'admin', audited: true, program: 'console' },
  'tenants.removeDomain': { role: 'admin', audited: true, program: 'console' },
  'tenants.setMainDomain': { role: 'admin', audited: true, program: 'console' },
  'tenants.reconcile': { role: 'admin', audited: true, program: 'console' },
  'tenants.cleanup': { role: 'admin', audited: true, program: 'console' },
  'tenants.adopt': { role: 'admin', audited: true, program: 'console' },
  'tenants.clone': { role: 'admin', audited: true, program: 'console' },
  'tenants.staging': { role: 'viewer', audited: false, program: 'console' },
  'tenants.removeStaging': { role: 'admin', audited: true, program: 'console' },
  'tenants.update': { role: 'admin', audited: true, program: 'console' },
  'backups.create': { role: 'support', audited: true, program: 'console' },
  'backups.list': { role: 'viewer', audited: false, program: 'console' },
  'backups.restore': { role: 'admin', audited: true, program: 'console' },
  'backups.verify': { role: 'support', audited: true, program: 'console' },
  'backups.keptCopy': { role: 'viewer', audited: false, program: 'console' },
  'backups.undoRestore': { role: 'admin', audited: true, program: 'console' },
  'backups.discardKeptCopy': { role: 'admin', audited: true, program: 'console' },
  'backups.setPolicy': { role: 'admin', audited: true, program: 'console' },
  'backups.removePolicy': { role: 'admin', audited: true, program: 'console' },
  'backups.policies': { role: 'viewer', audited: false, program: 'console' },
  'backups.prune': { role: 'admin', audited: true, program: 'console' },
  'backups.rebuildCatalog': { role: 'admin', audited: true, program: 'console' },
  'keys.list': { role: 'viewer', audited: false, program: 'console' },
  'keys.create': { role: 'admin', audited: true, program: 'console' },
  'keys.export': { role: 'admin', audited: true, program: 'console' },
  'keys.import': { role: 'admin', audited: true, program: 'console' },
  'keys.remove': { role: 'admin', audited: true, program: 'console' },
  'jobs.list': { role: 'viewer', audited: false, program: 'console' },
  'jobs.get': { role: 'viewer', audited: false, program: 'console' },
  'jobs.cancel': { role: 'admin', audited: true, program: 'console' },
  'jobs.resume': { role: 'admin', audited: true, program: 'console' },
} as const satisfies Record<string, OperationPolicy>;

export type OperationName = keyof typeof OPERATIONS;
export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];

export const EVENT_NAMES = ['hosts.connection', 'hosts.changed', 'jobs.started', 'jobs.step.started', 'jobs.step.progress', 'jobs.step.finished', 'jobs.finished', 'pos.outbox', 'pos.images', 'pos.carts', 'pos.cashier'] as const;
export type EventName = (typeof EVENT_NAMES)[number];
